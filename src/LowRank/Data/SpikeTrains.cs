using System.Globalization;
using LowRank.Formats;

namespace LowRank.Data;

/// <summary>
/// The spike times of X units, seconds from the start of the recording: one array per unit, each finite, non-negative
/// and non-decreasing (the constructors check). Read from an NWB units table (<see cref="FromNwb"/>) or an npz of
/// spike times (<see cref="FromNpz"/>); <see cref="SpikeCounter"/> turns them into counts.
/// </summary>
public sealed class SpikeTrains
{
    /// <summary>The npz array of spike times, [n] seconds; its presence (without <c>data</c> or <c>samples</c>) marks an npz of spike times.</summary>
    public const string TimesArray = "spike_times";

    /// <summary>The npz array of each spike's unit, [n] whole numbers 0 … U−1.</summary>
    public const string UnitsArray = "spike_units";

    /// <summary>The optional npz scalar U, the number of units, so that units without spikes (ids above the largest in <see cref="UnitsArray"/>) count.</summary>
    public const string UnitCountArray = "n_units";

    private SpikeTrains(long[] unitIds, double[][] times)
    {
        UnitIds = unitIds;
        Times = times;
    }

    /// <summary>Each unit's id, [X] (the NWB units table's <c>id</c>; 0 … U−1 for an npz).</summary>
    public long[] UnitIds { get; }

    /// <summary>Each unit's spike times in seconds, non-decreasing, [X][n_x].</summary>
    public double[][] Times { get; }

    /// <summary>Units X.</summary>
    public int Units => Times.Length;

    /// <summary>Each unit's id as text: the recording's channel names.</summary>
    public string[] UnitNames => Array.ConvertAll(UnitIds, id => id.ToString(CultureInfo.InvariantCulture));

    /// <summary>Spikes per unit, [X].</summary>
    public long[] SpikesPerUnit => Array.ConvertAll(Times, t => (long)t.Length);

    /// <summary>The earliest and the latest spike of any unit, or null when no unit fired.</summary>
    public (double First, double Last)? Span
    {
        get
        {
            double first = double.PositiveInfinity, last = double.NegativeInfinity;
            foreach (double[] unit in Times)
            {
                if (unit.Length > 0)
                {
                    first = Math.Min(first, unit[0]);
                    last = Math.Max(last, unit[^1]);
                }
            }

            return first <= last ? (first, last) : null;
        }
    }

    /// <summary>Whether an npz holding the arrays <paramref name="names"/> is one of spike times: <see cref="TimesArray"/>, and neither <c>data</c> nor <c>samples</c>.</summary>
    public static bool IsSpikeTimeArchive(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return names.Contains(TimesArray) && !names.Contains("data") && !names.Contains("samples");
    }

    /// <summary>The units of an NWB units table, checked; <paramref name="path"/> names the file in messages.</summary>
    public static SpikeTrains FromNwb(NwbUnits units, string path)
    {
        ArgumentNullException.ThrowIfNull(units);
        if (units.SpikeTimes.Length == 0)
        {
            throw new InputException($"NWB '{path}' has a units table without units.", "choose a file with sorted units.");
        }

        var trains = new SpikeTrains(units.UnitIds, units.SpikeTimes);
        trains.Check($"NWB '{path}'", "sort each unit's spike times before writing the units table (pynwb keeps the order it is given).");
        return trains;
    }

    /// <summary>
    /// The spike times of an npz (<see cref="IsSpikeTimeArchive"/>): <see cref="TimesArray"/> [n] seconds,
    /// <see cref="UnitsArray"/> [n] unit ids 0 … U−1, optional <see cref="UnitCountArray"/> U (default: the largest
    /// id + 1). Unit u's spikes are those with id u, in the order the archive lists them.
    /// </summary>
    public static SpikeTrains FromNpz(IReadOnlyDictionary<string, NdArray> arrays, string path)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        string source = $"npz '{path}'";
        NdArray times = Vector(Npz.RequireArray(arrays, TimesArray, path), TimesArray, source);
        if (!arrays.TryGetValue(UnitsArray, out NdArray? rawUnits))
        {
            throw new InputException(
                $"{source} has {TimesArray} but no {UnitsArray}, so its spikes belong to no unit.",
                $"save each spike's unit id (0 … U−1) alongside its time: np.savez(path, {TimesArray}=t, {UnitsArray}=u).");
        }

        NdArray units = Vector(rawUnits, UnitsArray, source);
        if (units.Length != times.Length)
        {
            throw new InputException(
                $"{source} has {times.Length} {TimesArray} but {units.Length} {UnitsArray}; each spike needs one unit id.",
                $"save one unit id per spike time (len({TimesArray}) == len({UnitsArray})).");
        }

        int? declared = arrays.TryGetValue(UnitCountArray, out NdArray? n) ? UnitCount(n, source) : null;
        ReadOnlySpan<double> ids = units.Data;
        double largest = -1;
        for (int i = 0; i < ids.Length; i++)
        {
            double id = ids[i];
            string at = $"{UnitsArray}[{i}] = {id.ToString(CultureInfo.InvariantCulture)}";
            if (!double.IsFinite(id) || id != Math.Floor(id) || id < 0)
            {
                throw new InputException(
                    $"{source} has {at}, which is not a unit id (a whole number from 0).",
                    $"number the units 0 … U−1 and give each spike its unit's number in {UnitsArray}.");
            }

            if (id >= declared)
            {
                throw new InputException(
                    $"{source} has {at}, but {UnitCountArray} = {declared} (unit ids run from 0 to {declared - 1}).",
                    $"give each spike the id of its unit, 0 … {UnitCountArray} − 1, or raise {UnitCountArray}.");
            }

            largest = Math.Max(largest, id);
        }

        double unitCount = declared ?? largest + 1;
        if (unitCount == 0)
        {
            throw new InputException(
                $"{source} has no spikes and no {UnitCountArray}, so it holds no unit.",
                $"save the spikes, or {UnitCountArray} with the number of (silent) units.");
        }

        new MemoryBudget(string.Create(CultureInfo.InvariantCulture, $"reading the spikes of {source}"))
            .Add($"a spike train per unit id 0 … {unitCount - 1}", 1, IntPtr.Size, unitCount)
            .Check($"number the units 0 … U−1 without gaps: {UnitsArray} holds ids up to {unitCount - 1}.");
        var perUnit = new int[(int)unitCount];
        for (int i = 0; i < ids.Length; i++)
        {
            perUnit[(int)ids[i]]++;
        }

        var trains = new double[perUnit.Length][];
        for (int u = 0; u < trains.Length; u++)
        {
            trains[u] = new double[perUnit[u]];
            perUnit[u] = 0; // now the fill position
        }

        ReadOnlySpan<double> t = times.Data;
        for (int i = 0; i < t.Length; i++)
        {
            int u = (int)ids[i];
            trains[u][perUnit[u]++] = t[i];
        }

        long[] unitIds = new long[trains.Length];
        for (int u = 0; u < unitIds.Length; u++)
        {
            unitIds[u] = u;
        }

        var result = new SpikeTrains(unitIds, trains);
        result.Check(source, $"sort the spikes by time (order = np.argsort(t, kind='stable'); save t[order] and u[order]).");
        return result;
    }

    /// <summary>Finite, non-negative, non-decreasing within each unit; <paramref name="sortHint"/> says how to sort.</summary>
    private void Check(string source, string sortHint)
    {
        for (int x = 0; x < Times.Length; x++)
        {
            double[] unit = Times[x];
            for (int i = 0; i < unit.Length; i++)
            {
                double t = unit[i];
                if (!double.IsFinite(t))
                {
                    throw new InputException(
                        $"{source} unit {UnitIds[x]} has spike time {SpikeBinning.Format(t)}.",
                        "spike times must be finite seconds from the start of the recording; remove the invalid spikes.");
                }

                if (t < 0)
                {
                    throw new InputException(
                        $"{source} unit {UnitIds[x]} has a spike at {SpikeBinning.Format(t)} s, before the start of the recording (times are seconds from its start, 0).",
                        "shift the times so that the recording starts at 0 s, or drop the spikes before its start.");
                }

                if (i > 0 && t < unit[i - 1])
                {
                    throw new InputException(
                        $"{source} unit {UnitIds[x]} has its spike {i} at {SpikeBinning.Format(t)} s, before its spike {i - 1} at {SpikeBinning.Format(unit[i - 1])} s: a unit's spike times must not decrease.",
                        sortHint);
                }
            }
        }
    }

    private static NdArray Vector(NdArray array, string name, string source)
    {
        if (array.Rank != 1)
        {
            throw new InputException(
                $"{source} has '{name}' of shape {NdArray.FormatShape(array.Shape)}; it must be one-dimensional, one entry per spike.",
                $"save '{name}' flat, e.g. np.ravel(a).");
        }

        return array;
    }

    private static int UnitCount(NdArray n, string source)
    {
        double value = n.Length == 1 ? n.Data[0] : double.NaN;
        if (n.Rank > 1 || !(value >= 1) || value != Math.Floor(value) || value > Array.MaxLength)
        {
            throw new InputException(
                $"{source} has '{UnitCountArray}' of shape {NdArray.FormatShape(n.Shape)}{(n.Length == 1 ? $" = {value.ToString(CultureInfo.InvariantCulture)}" : "")}; it must be one whole number, at least 1.",
                $"save the number of units as a scalar, e.g. np.savez(path, ..., {UnitCountArray}=U).");
        }

        return (int)value;
    }
}
