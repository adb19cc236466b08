using System.Globalization;
using static LowRank.InputException;

namespace LowRank.Data;

/// <summary>
/// Which channels of a recording to use, in which order: a comma-separated list whose items are channel names (EDF
/// labels, CSV header names), 0-based channel indices, or inclusive index ranges (<c>C3,Cz,C4</c>, <c>0-31,40</c>).
/// </summary>
/// <remarks>
/// An item of digits is an index and <c>a-b</c> (digits) a range; anything else is a name. A name matches a channel's
/// label trimmed and ignoring case; when no label matches it exactly, trailing dots are ignored on both sides, so
/// <c>C3</c> and <c>Fc5</c> find the EDF labels <c>C3..</c> and <c>Fc5.</c>. A name that matches more than one label,
/// or a channel selected twice, is an <see cref="InputException"/>. The EDF annotation signal is never a channel, so
/// indices count the data signals only. A selection stored with a model (<see cref="Stored"/>) picks its channels by
/// name when the recording has names, otherwise by index.
/// </remarks>
public sealed class ChannelSelection
{
    private readonly Item[] _items;
    private readonly string _hint;

    private ChannelSelection(Item[] items, string text, string hint)
    {
        _items = items;
        Text = text;
        _hint = hint;
    }

    /// <summary>The selection as the user wrote it (or as a stored one lists its channels).</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; an empty item or a backward range is an <see cref="InputException"/>.</summary>
    public static ChannelSelection Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(',');
        var items = new Item[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i].Trim();
            if (part.Length == 0)
            {
                throw new InputException(
                    $"{Ref("Channels")} '{text}' has an empty item.",
                    $"list channel names or 0-based indices separated by commas, e.g. {Ref("Channels")} C3,Cz,C4 or {Ref("Channels")} 0-31,40.") { Setting = "Channels" };
            }

            items[i] = ParseItem(part, text);
        }

        return new ChannelSelection(
            items,
            text,
            "name channels as the file lists them (trailing dots may be left out) or by 0-based index, e.g. 0-31,40.");
    }

    /// <summary>
    /// The channels a model was fitted to: by <paramref name="names"/> when both they and the recording have names,
    /// otherwise by <paramref name="indices"/>; <paramref name="model"/> names the model in the hint of a missing channel.
    /// </summary>
    public static ChannelSelection Stored(IReadOnlyList<string>? names, IReadOnlyList<int> indices, string model)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (names is not null && names.Count != indices.Count)
        {
            throw new ArgumentException($"names has {names.Count} entries for {indices.Count} indices.", nameof(names));
        }

        var items = new Item[indices.Count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = new Item(names?[i], indices[i], indices[i]);
        }

        string text = names is null ? string.Join(",", indices) : string.Join(",", names);
        return new ChannelSelection(
            items,
            text,
            $"pass a recording that has the channels {model} was fitted to, or declare data whose channels are the model's already with {Ref("Preprocessed")}.");
    }

    /// <summary>
    /// The index of each selected channel among <paramref name="count"/> channels called <paramref name="names"/>
    /// (null when the recording has none), in the order of the selection; <paramref name="source"/> names the
    /// recording in messages (e.g. <c>EDF 'a.edf'</c>).
    /// </summary>
    public int[] Resolve(IReadOnlyList<string>? names, int count, string source)
    {
        if (names is not null && names.Count != count)
        {
            throw new ArgumentException($"names has {names.Count} entries for {count} channels.", nameof(names));
        }

        var chosen = new List<int>();
        var taken = new Dictionary<int, string>();
        foreach (Item item in _items)
        {
            if (item.Name is not null && (names is not null || item.First < 0))
            {
                Add(FindName(item.Name, names, source), item.Name);
                continue;
            }

            for (int index = item.First; index <= item.Last; index++)
            {
                if (index >= count)
                {
                    throw new InputException(
                        $"{source} has {count} channels (indices 0-{count - 1}), so it has no channel {index}.",
                        _hint) { Setting = "Channels" };
                }

                Add(index, index.ToString(CultureInfo.InvariantCulture));
            }
        }

        return [.. chosen];

        void Add(int index, string written)
        {
            if (taken.TryGetValue(index, out string? before))
            {
                string what = names is null ? $"channel {index}" : $"channel {index} ('{names[index]}')";
                throw new InputException(
                    $"{Ref("Channels")} '{Text}' selects {what} twice (as '{before}' and as '{written}').",
                    "list each channel once.") { Setting = "Channels" };
            }

            taken.Add(index, written);
            chosen.Add(index);
        }
    }

    private int FindName(string name, IReadOnlyList<string>? names, string source)
    {
        if (names is null)
        {
            throw new InputException(
                $"{source} has no channel names, so channel '{name}' cannot be found in it.",
                "select the channels of a file without names (npy, npz) by 0-based index, e.g. 0-31,40.") { Setting = "Channels" };
        }

        List<int> exact = Matches(name, names, static s => s.Trim());
        if (exact.Count == 1)
        {
            return exact[0];
        }

        List<int> loose = exact.Count > 1 ? exact : Matches(name, names, static s => s.Trim().TrimEnd('.'));
        if (loose.Count == 1)
        {
            return loose[0];
        }

        if (loose.Count > 1)
        {
            throw new InputException(
                $"channel '{name}' of {Ref("Channels")} matches {loose.Count} channels of {source}: {string.Join(", ", loose.Select(i => $"{i} ('{names[i]}')"))}.",
                "select one of them by its 0-based index.") { Setting = "Channels" };
        }

        throw new InputException(
            $"{source} has no channel '{name}' (it has: {string.Join(", ", names)}).",
            _hint) { Setting = "Channels" };
    }

    private static List<int> Matches(string name, IReadOnlyList<string> names, Func<string, string> normalise)
    {
        string wanted = normalise(name);
        var found = new List<int>();
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(normalise(names[i]), wanted, StringComparison.OrdinalIgnoreCase))
            {
                found.Add(i);
            }
        }

        return found;
    }

    private static Item ParseItem(string part, string text)
    {
        if (IsDigits(part))
        {
            int index = Index(part, text);
            return new Item(null, index, index);
        }

        int dash = part.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0 && IsDigits(part[..dash].Trim()) && IsDigits(part[(dash + 1)..].Trim()))
        {
            int first = Index(part[..dash].Trim(), text), last = Index(part[(dash + 1)..].Trim(), text);
            if (last < first)
            {
                throw new InputException(
                    $"{Ref("Channels")} '{text}' has the range '{part}', which runs backwards.",
                    $"write ranges from low to high, e.g. {Ref("Channels")} {last}-{first}.") { Setting = "Channels" };
            }

            return new Item(null, first, last);
        }

        return new Item(part, -1, -1);
    }

    private static bool IsDigits(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    private static int Index(string digits, string text) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            ? index
            : throw new InputException($"{Ref("Channels")} '{text}' has the index {digits}, which is too large.", "pass 0-based channel indices.") { Setting = "Channels" };

    /// <summary>A name (First = Last = −1), an index or inclusive range (Name null), or a stored channel (both).</summary>
    private readonly record struct Item(string? Name, int First, int Last);
}
