using System.CommandLine;
using LowRank.Model;

namespace LowRank.Cli;

/// <summary>Options shared by several commands, defined once so they read the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<long> Seed(long defaultValue = 0) => new("--seed")
    {
        Description = "Random seed; the same seed gives the same numbers on any thread count.",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "Worker threads (default: all cores); results do not depend on it.",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    public static Option<string?> Json() => new("--json")
    {
        Description = "Also write the reported figures to this JSON file.",
    };

    /// <summary>An option restricted to the snake_case names of <typeparamref name="TEnum"/>.</summary>
    public static Option<string> Choice<TEnum>(string name, string description, TEnum defaultValue)
        where TEnum : struct, Enum
    {
        var option = new Option<string>(name)
        {
            Description = description,
            DefaultValueFactory = _ => ModelNames.Of(defaultValue),
        };
        option.AcceptOnlyFromAmong([.. ModelNames.All<TEnum>()]);
        return option;
    }

    /// <summary>Requires <paramref name="path"/> to end with <paramref name="extension"/>.</summary>
    public static void RequireExtension(string path, string extension, string option)
    {
        if (!path.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException(
                $"{option} '{path}' must be a {extension} file.",
                $"pass a path ending in {extension}, e.g. {option} out{extension}.");
        }
    }

    /// <summary>Requires a positive integer value of <paramref name="setting"/> (a name of <see cref="SettingFlags"/>).</summary>
    /// <summary>A comma-separated list of whole numbers given to <paramref name="option"/>, such as <c>25,11,1</c>.</summary>
    public static int[] ParseIntegers(string text, string option)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
            {
                throw new InputException($"{option} '{text}' is not a comma-separated list of whole numbers ('{parts[i]}').", $"pass e.g. {option} 25,11,1.");
            }
        }

        return values;
    }

    /// <summary>A comma-separated list of finite numbers given to <paramref name="option"/>, such as <c>0,45,90</c>.</summary>
    public static double[] ParseNumbers(string text, string option)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
            {
                throw new InputException($"{option} '{text}' is not a comma-separated list of numbers ('{parts[i]}').", $"pass e.g. {option} 0,45,90.");
            }
        }

        return values;
    }

    public static void RequirePositive(int value, string setting) => InputException.RequireAtLeastOne(setting, value);
}
