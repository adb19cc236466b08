using System.Text.Json.Serialization;
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
/// <param name="Arrays">Its arrays, in file order (and, for spike times binned, the counts).</param>
/// <param name="SpikeTrains">What its spike times hold, for a file of spike times; else null.</param>
/// <param name="Variables">For a MAT file, its variables (or the one addressed) and what they hold; else null.</param>
public sealed record DataSummary(
    string Path,
    string Format,
    ArraySummary[] Arrays,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SpikeTrainSummary? SpikeTrains = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MatVariableSummary[]? Variables = null);

/// <summary>One variable of a MAT file, or a field of a 1×1 struct in it.</summary>
/// <param name="Name">Its address: <c>firingRates</c>, <c>data.time</c>.</param>
/// <param name="Shape">MATLAB's size.</param>
/// <param name="Class">MATLAB's class (<c>double</c>, <c>logical</c>, <c>char</c>, <c>cell</c>, <c>struct</c>, …; <c>complex double</c>, <c>sparse double</c> for what lowrank does not read).</param>
/// <param name="Depth">0 for a variable, 1 for a field of it, and so on.</param>
/// <param name="Fields">A struct's field names, else null.</param>
/// <param name="Text">A char array's rows joined by newlines, else null.</param>
/// <param name="Problem">Why lowrank does not read it, else null.</param>
public sealed record MatVariableSummary(
    string Name,
    int[] Shape,
    string Class,
    int Depth,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string[]? Fields = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Problem = null);

/// <summary>The units of a file of spike times, their spikes and mean rates.</summary>
/// <param name="Units">Each unit's id, [X].</param>
/// <param name="Spikes">Spikes per unit, [X]: all of them, or with a binning those inside its bins.</param>
/// <param name="DurationS">
/// Seconds the spikes were counted over: from the first to the last spike, or with a binning the length of its bins
/// (trials × T × w).
/// </param>
/// <param name="RatesHz">Mean rate per unit, <c>Spikes / DurationS</c>, [X] (NaN when the duration is 0).</param>
/// <param name="FirstSpikeS">The earliest spike, seconds, or null when no unit fired.</param>
/// <param name="LastSpikeS">The latest spike, seconds, or null when no unit fired.</param>
/// <param name="Binning">The binning the counts came from, or null when none was asked for.</param>
public sealed record SpikeTrainSummary(
    string[] Units,
    long[] Spikes,
    double DurationS,
    double[] RatesHz,
    double? FirstSpikeS,
    double? LastSpikeS,
    SpikeBinningReport? Binning)
{
    /// <summary>The summary of <paramref name="spikes"/>, binned as <paramref name="binned"/> says (null: unbinned).</summary>
    public static SpikeTrainSummary Of(SpikeTrains spikes, Recording? binned)
    {
        ArgumentNullException.ThrowIfNull(spikes);
        (double First, double Last)? span = spikes.Span;
        long[] counts = spikes.SpikesPerUnit;
        double duration = span is { } s ? s.Last - s.First : 0;
        if (binned?.Binning is { } report)
        {
            int x = binned.Channels;
            ReadOnlySpan<double> y = binned.Data.Observations;
            counts = new long[x];
            for (int i = 0; i < y.Length; i++)
            {
                counts[i % x] += (long)y[i];
            }

            duration = report.Seconds;
        }

        double[] rates = Array.ConvertAll(counts, c => duration > 0 ? c / duration : double.NaN);
        return new SpikeTrainSummary(spikes.UnitNames, counts, duration, rates, span?.First, span?.Last, binned?.Binning);
    }
}

/// <summary>Reads a data file of any supported format and summarises every array in it.</summary>
public static class DataInspector
{
    /// <summary>
    /// Summarises the <c>.npy</c>, <c>.npz</c>, <c>.csv</c>, <c>.edf</c>, <c>.nwb</c> or <c>.mat</c> file at
    /// <paramref name="path"/> (<c>FILE.mat:ADDRESS</c>: one variable of a MAT file, <see cref="MatFile.Resolve"/>); for
    /// spike times (<c>.nwb</c>, an npz of spike times) also the units, and with <paramref name="binning"/> the counts it
    /// gives (refused for a file of samples, as <see cref="RecordingLoader"/> refuses it).
    /// </summary>
    public static DataSummary Inspect(string path, SpikeBinning? binning = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        (string matPath, string? address) = MatFile.SplitAddress(path);
        if (MatFile.IsMatPath(matPath))
        {
            if (binning is not null)
            {
                throw new InputException(
                    $"MAT file '{matPath}' holds arrays, not spike times, so {InputException.Ref("BinWidth")} has nothing to bin.",
                    $"drop {InputException.Ref("BinWidth")} (and {InputException.Ref("Start")}, {InputException.Ref("Stop")}, {InputException.Ref("AlignTrials")}).") { Setting = "BinWidth" };
            }

            return InspectMat(path, MatFile.Read(matPath), address);
        }

        string extension = Path.GetExtension(path).ToLowerInvariant();
        string name = Path.GetFileName(path);
        if (binning is not null && RecordingLoader.SupportedExtensions.Contains(extension))
        {
            // The same checks, binning and counts as a fit of this file gets.
            Recording binned = RecordingLoader.Load(path, new RecordingOptions { Binning = binning });
            return extension == ".nwb" ? InspectNwb(path, binned) : InspectNpz(path, binned);
        }

        return extension switch
        {
            ".npy" => new DataSummary(path, "npy", [Summarise(name, Npy.Read(path))]),
            ".npz" => InspectNpz(path, null),
            ".csv" => InspectCsv(path, name),
            ".edf" => InspectEdf(path),
            ".nwb" => InspectNwb(path, null),
            _ => throw new InputException(
                $"'{path}' has extension '{extension}', which lowrank does not read.",
                "inspect reads .npy, .npz, .csv, .edf, .nwb and .mat files, and model directories (holding model.json)."),
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

    /// <summary>
    /// A MAT file: every variable (with the fields of 1×1 structs, recursively), or the one at <paramref name="address"/>;
    /// statistics for each numeric or logical array listed.
    /// </summary>
    private static DataSummary InspectMat(string path, MatFile file, string? address)
    {
        var variables = new List<MatVariableSummary>();
        var arrays = new List<ArraySummary>();
        if (address is null)
        {
            foreach ((string name, MatValue value) in file.Variables)
            {
                AddMatValue(name, value, 0, variables, arrays);
            }
        }
        else
        {
            MatValue value = file.Resolve(address);
            if (value is MatUnsupported unsupported)
            {
                throw file.Unsupported(address, unsupported);
            }

            AddMatValue(address, value, 0, variables, arrays);
        }

        return new DataSummary(path, "mat", [.. arrays], Variables: [.. variables]);
    }

    private static void AddMatValue(string name, MatValue value, int depth, List<MatVariableSummary> variables, List<ArraySummary> arrays)
    {
        switch (value)
        {
            case MatNumeric numeric:
                variables.Add(new MatVariableSummary(name, value.Shape, value.ClassName, depth));
                arrays.Add(Summarise(name, numeric.Array));
                break;
            case MatChar text:
                variables.Add(new MatVariableSummary(name, value.Shape, value.ClassName, depth, Text: text.Text));
                break;
            case MatStruct structure:
                variables.Add(new MatVariableSummary(name, value.Shape, value.ClassName, depth, Fields: structure.FieldNames));
                if (structure.Count == 1)
                {
                    for (int f = 0; f < structure.FieldNames.Length; f++)
                    {
                        AddMatValue($"{name}.{structure.FieldNames[f]}", structure.Elements[0][f], depth + 1, variables, arrays);
                    }
                }

                break;
            case MatUnsupported unsupported:
                variables.Add(new MatVariableSummary(name, value.Shape, value.ClassName, depth, Problem: unsupported.Problem));
                break;
            default:
                variables.Add(new MatVariableSummary(name, value.Shape, value.ClassName, depth));
                break;
        }
    }

    private static DataSummary InspectCsv(string path, string name)
    {
        CsvTable table = Csv.ReadTable(path);
        return new DataSummary(path, "csv", [Summarise(name, table.Values, table.Columns, "text")]);
    }

    /// <summary>An npz: its arrays, and for spike times the units (<paramref name="binned"/>: their counts, or null).</summary>
    private static DataSummary InspectNpz(string path, Recording? binned)
    {
        OrderedDictionary<string, NdArray> arrays = Npz.Read(path);
        List<ArraySummary> summaries = [.. arrays.Select(pair => Summarise(pair.Key, pair.Value))];
        if (!SpikeTrains.IsSpikeTimeArchive(arrays.Keys))
        {
            return new DataSummary(path, "npz", [.. summaries]);
        }

        SpikeTrains spikes = SpikeTrains.FromNpz(arrays, path);
        AddCounts(summaries, binned);
        return new DataSummary(path, "npz", [.. summaries], SpikeTrainSummary.Of(spikes, binned));
    }

    /// <summary>An NWB file: every spike time, and the units (<paramref name="binned"/>: their counts, or null).</summary>
    private static DataSummary InspectNwb(string path, Recording? binned)
    {
        SpikeTrains spikes = SpikeTrains.FromNwb(Nwb.ReadUnits(path), path);
        double[] all = [.. spikes.Times.SelectMany(t => t)];
        List<ArraySummary> summaries = [Summarise("units/spike_times", NdArray.FromVector(all), dtype: "<f8")];
        AddCounts(summaries, binned);
        return new DataSummary(path, "nwb", [.. summaries], SpikeTrainSummary.Of(spikes, binned));
    }

    private static void AddCounts(List<ArraySummary> summaries, Recording? binned)
    {
        if (binned is not null)
        {
            summaries.Add(Summarise("counts", binned.Observations, binned.ChannelNames, "<f8"));
        }
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
