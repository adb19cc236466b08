using System.CommandLine;
using System.Text.RegularExpressions;

namespace LowRank.Cli;

/// <summary>
/// The parser's errors as users read them: an unknown command or option named with the closest valid one, a value
/// that does not parse described by the kind of value expected (not a .NET type name), one line each.
/// </summary>
internal static partial class ParseErrors
{
    /// <summary>The error and hint for a parse that failed; <paramref name="commandPath"/> is e.g. <c>lowrank task train</c>.</summary>
    public static (string Message, string Hint) Describe(ParseResult parse, string commandPath)
    {
        string help = $"run '{commandPath} --help' for the accepted options and values.";
        Command command = parse.CommandResult.Command;
        if (parse.UnmatchedTokens.Count > 0)
        {
            string token = parse.UnmatchedTokens[0];
            bool isOption = token.StartsWith('-');
            IEnumerable<string> names = isOption
                ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
                : command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);
            string? closest = Closest(token, names);
            string what = isOption ? "option" : command.Subcommands.Count > 0 ? "command" : "argument";
            string message = $"'{commandPath}' has no {what} '{token}'.";
            string hint = closest is not null
                ? $"did you mean '{closest}'? {Capitalised(help)}"
                : command.Subcommands.Count > 0 && !isOption
                    ? $"the commands are {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}; run '{commandPath} --help'."
                    : help;
            return (message, hint);
        }

        string first = parse.Errors[0].Message.Trim();
        if (command.Subcommands.Count > 0 && first.StartsWith("Required command was not provided", StringComparison.Ordinal))
        {
            return (
                $"'{commandPath}' needs a command.",
                $"the commands are {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}; run '{commandPath} --help'.");
        }

        Match typed = TypeError().Match(first);
        if (typed.Success)
        {
            return ($"{typed.Groups["option"].Value} '{typed.Groups["value"].Value}' is not {Kind(typed.Groups["type"].Value)}.", help);
        }

        // One line: the parser lists accepted values on separate lines.
        return (Regex.Replace(first, @"\s*\n\s*", " "), help);
    }

    /// <summary>What a value of the .NET type <paramref name="typeName"/> is, in words.</summary>
    private static string Kind(string typeName) =>
        typeName switch
        {
            _ when typeName.Contains("System.Int32", StringComparison.Ordinal) || typeName.Contains("System.Int64", StringComparison.Ordinal) => "a whole number",
            _ when typeName.Contains("System.Double", StringComparison.Ordinal) => "a number (e.g. 0.01 or 1e-3)",
            _ when typeName.Contains("System.Boolean", StringComparison.Ordinal) => "true or false",
            _ => "a value of the accepted form",
        };

    /// <summary>The name within edit distance 2 (or a third of the token's length) of <paramref name="token"/>, the closest first.</summary>
    internal static string? Closest(string token, IEnumerable<string> names)
    {
        int limit = Math.Max(2, token.Length / 3);
        return names
            .Select(name => (Name: name, Distance: Distance(token, name)))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();
    }

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static string Capitalised(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    [GeneratedRegex("^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'")]
    private static partial Regex TypeError();
}
