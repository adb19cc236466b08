using System.Text.RegularExpressions;

namespace LowRank;

/// <summary>
/// A problem with what the user supplied (a file, a setting, a model directory) that the user can fix. The
/// command-line tool prints it as <c>error: {message}</c> followed by <c>  hint: {hint}</c> and exits with
/// code 2. Programmer errors use <see cref="ArgumentException"/>.
/// </summary>
/// <remarks>
/// The library speaks of settings, not of command-line flags: a message names a setting with a reference
/// <see cref="Setting"/> builds (<c>‹Units›</c>, or <c>‹TaskTrainingOptions.TrainTrials›</c> where one property
/// name means different things in different options records). <see cref="Exception.Message"/> and
/// <see cref="Hint"/> render a reference as the property name; the command-line tool renders it as the flag it
/// maps the setting to (<see cref="RenderMessage"/>, <see cref="RenderHint"/>).
/// </remarks>
public sealed partial class InputException : Exception
{
    private const char Open = '\u2039';
    private const char Close = '\u203A';

    public InputException(string message, string hint)
        : base(message)
    {
        HintTemplate = hint;
    }

    public InputException(string message, string hint, Exception inner)
        : base(message, inner)
    {
        HintTemplate = hint;
    }

    /// <summary>The message with setting references rendered as property names.</summary>
    public override string Message => RenderMessage(PropertyName);

    /// <summary>One sentence that says how to fix the problem, with setting references rendered as property names.</summary>
    public string Hint => RenderHint(PropertyName);

    /// <summary>The offending setting, when one setting is at fault (e.g. <c>Units</c>).</summary>
    public string? Setting { get; init; }

    /// <summary>The hint with its setting references unrendered.</summary>
    public string HintTemplate { get; }

    /// <summary>A reference to the setting <paramref name="name"/> inside a message (render it with <see cref="RenderMessage"/>).</summary>
    /// <param name="name">A property of an options record (<c>nameof(TaskTrainingOptions.Units)</c>), qualified by the record's name where the property alone is ambiguous.</param>
    public static string Ref(string name) => $"{Open}{name}{Close}";

    /// <summary>The message with every setting reference rendered by <paramref name="name"/>.</summary>
    public string RenderMessage(Func<string, string> name) => Render(base.Message, name);

    /// <summary>The hint with every setting reference rendered by <paramref name="name"/>.</summary>
    public string RenderHint(Func<string, string> name) => Render(HintTemplate, name);

    /// <summary>
    /// Throws <c>{setting} must be {expected}, got {value}.</c> with the hint <c>pass {setting} with a value that is {expected}.</c>
    /// unless <paramref name="ok"/>; <paramref name="setting"/> is a property name, <paramref name="expected"/> may hold references.
    /// </summary>
    public static void Require(bool ok, string setting, object value, string expected)
    {
        if (!ok)
        {
            throw new InputException($"{Ref(setting)} must be {expected}, got {value}.", $"pass {Ref(setting)} with a value that is {expected}.")
            {
                Setting = setting,
            };
        }
    }

    /// <summary>
    /// Throws <c>{setting} must be at least 1, got {value}.</c> with the hint <c>pass {setting} with a positive count.</c>
    /// unless <paramref name="value"/> is at least 1.
    /// </summary>
    public static void RequireCount(string setting, int value)
    {
        if (value < 1)
        {
            throw new InputException($"{Ref(setting)} must be at least 1, got {value}.", $"pass {Ref(setting)} with a positive count.")
            {
                Setting = setting,
            };
        }
    }

    /// <summary>
    /// Throws <c>{setting} must be at least 1 (got {value}).</c> with the hint <c>pass {setting} 1 or more.</c>
    /// unless <paramref name="value"/> is at least 1.
    /// </summary>
    public static void RequireAtLeastOne(string setting, int value)
    {
        if (value < 1)
        {
            throw new InputException($"{Ref(setting)} must be at least 1 (got {value}).", $"pass {Ref(setting)} 1 or more.")
            {
                Setting = setting,
            };
        }
    }

    private static string Render(string template, Func<string, string> name) =>
        ReferencePattern().Replace(template, match => name(match.Groups[1].Value));

    private static string PropertyName(string reference) => reference[(reference.LastIndexOf('.') + 1)..];

    [GeneratedRegex("\u2039([A-Za-z][A-Za-z0-9.]*)\u203A")]
    private static partial Regex ReferencePattern();
}
