using System.Text;

namespace LowRank.Sweeps;

/// <summary>
/// One point of a sweep: its place in the expansion, its run name (<c>rank-4_seed-2</c>: each axis and its value,
/// in the spec's order) and its axis values.
/// </summary>
public sealed record SweepPoint(int Index, string Name, IReadOnlyList<SpecOption> Values)
{
    /// <summary>The value of <paramref name="axis"/> at this point.</summary>
    public SpecValue ValueOf(string axis) =>
        Values.FirstOrDefault(v => v.Name == axis)?.Value ?? throw new ArgumentException($"the sweep has no axis '{axis}'.", nameof(axis));
}

/// <summary>The points of a sweep: the cartesian product of its axes.</summary>
public static class SweepPoints
{
    /// <summary>Characters of an axis value kept in a run name at most (longer values are cut).</summary>
    public const int MaxValueLength = 40;

    /// <summary>
    /// Every point of <paramref name="spec"/>: the cartesian product of its axes in the spec's order, the first axis
    /// outermost and the last varying fastest (<c>rank × seed</c> gives rank-1_seed-1, rank-1_seed-2, …, rank-2_seed-1, …).
    /// Throws an <see cref="InputException"/> when two points would get the same run name.
    /// </summary>
    public static IReadOnlyList<SweepPoint> Expand(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        IReadOnlyList<SweepAxis> axes = spec.Axes;
        long count = spec.PointCount;
        if (count > SweepSpecReader.MaxPoints)
        {
            throw new ArgumentException($"the sweep has {count} points, more than {SweepSpecReader.MaxPoints}.", nameof(spec));
        }

        var points = new List<SweepPoint>((int)count);
        var index = new int[axes.Count];
        var byName = new Dictionary<string, SweepPoint>(StringComparer.Ordinal);
        for (int p = 0; p < count; p++)
        {
            SpecOption[] values = [.. axes.Select((axis, a) => new SpecOption(axis.Name, axis.Values[index[a]]))];
            var point = new SweepPoint(p, NameOf(values), values);
            if (byName.TryGetValue(point.Name, out SweepPoint? other))
            {
                throw new InputException(
                    $"two runs of the sweep would share the directory name '{point.Name}': {Describe(other)} and {Describe(point)}.",
                    "axis values that differ only in characters other than letters, digits, '.', '+' and '-' cannot be told apart in run names; make them differ in those.");
            }

            byName.Add(point.Name, point);
            points.Add(point);

            // Odometer: the last axis turns fastest.
            for (int a = axes.Count - 1; a >= 0; a--)
            {
                if (++index[a] < axes[a].Values.Count)
                {
                    break;
                }

                index[a] = 0;
            }
        }

        return points;
    }

    /// <summary>The run name of a point: <c>AXIS-VALUE</c> per axis joined by <c>_</c>, values reduced to letters, digits, '.', '+' and '-'.</summary>
    public static string NameOf(IReadOnlyList<SpecOption> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return string.Join('_', values.Select(v => v.Name + "-" + Clean(v.Value.Text)));
    }

    private static string Clean(string text)
    {
        var clean = new StringBuilder(Math.Min(text.Length, MaxValueLength));
        foreach (char c in text)
        {
            if (clean.Length == MaxValueLength)
            {
                break;
            }

            bool plain = char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '-';
            if (plain)
            {
                clean.Append(c);
            }
            else if (clean.Length > 0 && clean[^1] != '-')
            {
                clean.Append('-');
            }
        }

        string result = clean.ToString().TrimStart('.').TrimEnd('-');
        return result.Length == 0 ? "x" : result;
    }

    private static string Describe(SweepPoint point) =>
        string.Join(", ", point.Values.Select(v => $"{v.Name} = {(v.Value.Kind == SpecValueKind.String ? $"\"{v.Value.Text}\"" : v.Value.Text)}"));
}
