using System.Text;

namespace LowRank.Sweeps;

/// <summary>
/// Placeholders in the string values of a step's options: <c>{out}</c> the run's directory (absolute), <c>{run}</c> the
/// run's name, <c>{AXIS}</c> the run's value of that axis; <c>{{</c> and <c>}}</c> are literal braces.
/// </summary>
public static class Placeholders
{
    /// <summary>The run's directory.</summary>
    public const string RunDirectory = "out";

    /// <summary>The run's name, e.g. <c>rank-4_seed-2</c>.</summary>
    public const string RunName = "run";

    /// <summary>The names <paramref name="text"/> refers to, in order; null with <paramref name="problem"/> set when a brace is unmatched.</summary>
    public static IReadOnlyList<string>? NamesIn(string text, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        var names = new List<string>();
        problem = null;
        if (Scan(text, name => names.Add(name), null, ref problem))
        {
            return names;
        }

        return null;
    }

    /// <summary>
    /// <paramref name="text"/> with each placeholder replaced by its value in <paramref name="values"/>
    /// (the spec was checked, so every name has one).
    /// </summary>
    public static string Substitute(string text, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(values);
        var result = new StringBuilder(text.Length);
        string? problem = null;
        bool ok = Scan(
            text,
            name => result.Append(values.TryGetValue(name, out string? value) ? value : throw new ArgumentException($"no value for the placeholder {{{name}}}.", nameof(values))),
            c => result.Append(c),
            ref problem);
        return ok ? result.ToString() : throw new ArgumentException(problem, nameof(text));
    }

    /// <summary>Walks <paramref name="text"/>: each placeholder to <paramref name="name"/>, each literal character to <paramref name="literal"/>.</summary>
    private static bool Scan(string text, Action<string> name, Action<char>? literal, ref string? problem)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if ((c == '{' || c == '}') && i + 1 < text.Length && text[i + 1] == c)
            {
                literal?.Invoke(c);
                i++;
            }
            else if (c == '{')
            {
                int end = text.IndexOf('}', i + 1);
                if (end < 0 || text.AsSpan(i + 1, end - i - 1).Contains('{'))
                {
                    problem = $"'{text}' opens a placeholder at character {i + 1} that is not closed";
                    return false;
                }

                name(text[(i + 1)..end]);
                i = end;
            }
            else if (c == '}')
            {
                problem = $"'{text}' has a '}}' at character {i + 1} that closes no placeholder";
                return false;
            }
            else
            {
                literal?.Invoke(c);
            }
        }

        return true;
    }
}
