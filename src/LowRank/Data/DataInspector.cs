using LowRank.Formats;

namespace LowRank.Data;

/// <summary>Summary statistics of a set of values; NaN and ±Inf are counted and left out of the others.</summary>
/// <param name="Count">Finite values summarised.</param>
/// <param name="Min">Smallest finite value.</param>
/// <param name="Max">Largest finite value.</param>
/// <param name="Mean">Mean of the finite values.</param>
/// <param name="Sd">Population standard deviation (divisor <c>Count</c>, as <c>np.std</c>).</param>
/// <param name="NanCount">Values that are NaN.</param>
/// <param name="InfCount">Values that are +Inf or -Inf.</param>
public sealed record ValueStats(long Count, double Min, double Max, double Mean, double Sd, long NanCount, long InfCount)
{
    /// <summary>
    /// Statistics of <c>values[offset]</c>, <c>values[offset + stride]</c>, …: one channel of a C-ordered
    /// array whose last axis has length <paramref name="stride"/>. NaN for every figure when no value is finite.
    /// </summary>
    public static ValueStats Of(ReadOnlySpan<double> values, int offset = 0, int stride = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        long count = 0;
        long nan = 0;
        long inf = 0;
        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        double sum = 0;
        for (int i = offset; i < values.Length; i += stride)
        {
            double v = values[i];
            if (double.IsFinite(v))
            {
                count++;
                sum += v;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
            else if (double.IsNaN(v))
            {
                nan++;
            }
            else
            {
                inf++;
            }
        }

        if (count == 0)
        {
            return new ValueStats(0, double.NaN, double.NaN, double.NaN, double.NaN, nan, inf);
        }

        double mean = sum / count;
        double squares = 0;
        for (int i = offset; i < values.Length; i += stride)
        {
            double v = values[i];
            if (double.IsFinite(v))
            {
                squares += (v - mean) * (v - mean);
            }
        }

        return new ValueStats(count, min, max, mean, Math.Sqrt(squares / count), nan, inf);
    }
}

/// <summary>What one array of a data file holds.</summary>
/// <param name="Name">Array name (npz member, or the file name for single-array files; EDF signal label).</param>
/// <param name="Shape">Length of each axis.</param>
/// <param name="Dtype">NumPy type string of the stored values, e.g. <c>&lt;f4</c> (<c>&lt;i2</c> for EDF samples, <c>text</c> for CSV).</param>
/// <param name="All">Statistics of every value.</param>
/// <param name="Channels">Per-channel statistics along the last axis when the rank is at least 2, else null.</param>
/// <param name="ChannelNames">Channel names when the file has them (CSV header), else null.</param>
public sealed record ArraySummary(
    string Name, int[] Shape, string Dtype, ValueStats All, ValueStats[]? Channels, string[]? ChannelNames);

/// <summary>The arrays of a data file and their statistics.</summary>
/// <param name="Path">The file summarised.</param>
/// <param name="Format">npy, npz, csv, edf or nwb.</param>
/// <param name="Arrays">Its arrays, in file order.</param>
public sealed record DataSummary(string Path, string Format, ArraySummary[] Arrays);

/// <summary>Reads a data file of any supported format and summarises every array in it.</summary>
public static class DataInspector
{
    /// <summary>Summarises the <c>.npy</c>, <c>.npz</c>, <c>.csv</c>, <c>.edf</c> or <c>.nwb</c> file at <paramref name="path"/>.</summary>
    public static DataSummary Inspect(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        string name = Path.GetFileName(path);
        return extension switch
        {
            ".npy" => new DataSummary(path, "npy", [Summarise(name, Npy.Read(path))]),
            ".npz" => new DataSummary(path, "npz", [.. Npz.Read(path).Select(pair => Summarise(pair.Key, pair.Value))]),
            ".csv" => InspectCsv(path, name),
            ".edf" => InspectEdf(path),
            ".nwb" => InspectNwb(path),
            _ => throw new InputException(
                $"'{path}' has extension '{extension}', which lowrank does not read.",
                "inspect reads .npy, .npz, .csv, .edf and .nwb files, and model directories (holding model.json)."),
        };
    }

    /// <summary>Statistics of the whole array and, for rank ≥ 2, of each channel (last axis).</summary>
    public static ArraySummary Summarise(string name, NdArray array, string[]? channelNames = null, string? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(array);
        ValueStats[]? channels = null;
        if (array.Rank >= 2 && array.Shape[^1] > 0)
        {
            int width = array.Shape[^1];
            channels = new ValueStats[width];
            for (int c = 0; c < width; c++)
            {
                channels[c] = ValueStats.Of(array.Data, c, width);
            }
        }

        return new ArraySummary(name, array.Shape, dtype ?? array.SourceType.Descr(), ValueStats.Of(array.Data), channels, channelNames);
    }

    private static DataSummary InspectCsv(string path, string name)
    {
        CsvTable table = Csv.ReadTable(path);
        return new DataSummary(path, "csv", [Summarise(name, table.Values, table.Columns, "text")]);
    }

    private static DataSummary InspectNwb(string path)
    {
        NwbUnits units = Nwb.ReadUnits(path);
        double[] all = [.. units.SpikeTimes.SelectMany(t => t)];
        double[] perUnit = Array.ConvertAll(units.SpikeTimes, t => (double)t.Length);
        return new DataSummary(path, "nwb",
        [
            Summarise("units/spike_times", NdArray.FromVector(all), dtype: "<f8"),
            Summarise("spikes per unit", NdArray.FromVector(perUnit), dtype: "<i8"),
        ]);
    }

    private static DataSummary InspectEdf(string path)
    {
        EdfFile edf = Edf.Read(path);
        var arrays = new List<ArraySummary>();
        foreach (EdfSignal signal in edf.Signals)
        {
            if (!signal.IsAnnotation)
            {
                arrays.Add(Summarise(signal.Label, NdArray.FromVector(signal.Values), dtype: "<i2"));
            }
        }

        return new DataSummary(path, "edf", [.. arrays]);
    }
}
