using LowRank.Formats;
using static LowRank.InputException;

namespace LowRank.Data;

/// <summary>
/// Loads a <see cref="Recording"/> from <c>.npy</c> (<c>[T, X]</c> or <c>[trials, T, X]</c>), <c>.npz</c>
/// (array <c>data</c>, or <c>samples</c> as <c>lowrank simulate</c> writes; optional <c>inputs</c> and
/// <c>trial_ids</c>), <c>.csv</c> (header row, one column per channel), <c>.edf</c> (EDF/EDF+), and from spike
/// times: <c>.nwb</c> (NWB 2.x units table, optional trials table) or an npz of spike times
/// (<see cref="SpikeTrains.FromNpz"/>), counted as <see cref="RecordingOptions.Binning"/> says
/// (<see cref="SpikeCounter"/>); and from one numeric variable of a MATLAB file, <c>FILE.mat:NAME</c> (or a field,
/// <c>FILE.mat:NAME.FIELD</c>; <see cref="MatFile.Resolve"/>), <c>[T, X]</c> or <c>[trials, T, X]</c> in MATLAB's shape.
/// Checks it: shapes agree, at least one step and channel, every value finite.
/// </summary>
public static class RecordingLoader
{
    /// <summary>File extensions <see cref="Load"/> understands.</summary>
    public static IReadOnlyList<string> SupportedExtensions { get; } = [".npy", ".npz", ".csv", ".edf", ".nwb", ".mat"];

    /// <summary>Loads and validates the recording at <paramref name="path"/>.</summary>
    public static Recording Load(string path, RecordingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new RecordingOptions();
        (string matPath, string? address) = MatFile.SplitAddress(path);
        string extension = Path.GetExtension(matPath).ToLowerInvariant();
        if (!SupportedExtensions.Contains(extension))
        {
            throw new InputException(
                $"recording '{path}' has extension '{extension}', which lowrank does not read.",
                $"supported recordings: {string.Join(", ", SupportedExtensions)}; convert the data, e.g. np.save('data.npy', a) for a [T, X] array.");
        }

        if (options.Channels is not null && options.Signals is not null)
        {
            throw new ArgumentException("select EDF signals by Signals or by Channels, not both.", nameof(options));
        }

        if (options.Binning is { } binning)
        {
            binning.Validate();
            if (!HoldsSpikeTimes(path))
            {
                throw new InputException(
                    $"recording '{path}' holds samples, not spike times, so {Ref("BinWidth")} has nothing to bin.",
                    $"drop {Ref("BinWidth")} (and {Ref("Start")}, {Ref("Stop")}, {Ref("AlignTrials")}) for binned or continuous data; spike times come as .nwb or as an npz of {SpikeTrains.TimesArray} and {SpikeTrains.UnitsArray}.") { Setting = "BinWidth" };
            }
        }

        if (extension == ".edf")
        {
            return FromEdf(path, options);
        }

        Recording recording = extension switch
        {
            ".npy" => FromNpy(path, options.AllowMissing),
            ".npz" => FromNpz(path, options),
            ".csv" => FromCsv(path, options.AllowMissing),
            ".mat" => FromMat(matPath, address, path, options.AllowMissing),
            _ => FromNwb(path, options),
        };
        recording = options.Channels is null ? recording : Select(recording, options.Channels.Resolve(recording.ChannelNames, recording.Channels, $"recording '{path}'"));
        if (options.AllowMissing)
        {
            RequireObservedChannels(recording, path);
        }

        return recording;
    }

    /// <summary>
    /// Whether the file at <paramref name="path"/> holds spike times, which need a <see cref="RecordingOptions.Binning"/>:
    /// an <c>.nwb</c> file, or an npz with <see cref="SpikeTrains.TimesArray"/> and neither <c>data</c> nor <c>samples</c>
    /// (only the archive's directory is read).
    /// </summary>
    public static bool HoldsSpikeTimes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".nwb" => true,
            ".npz" => SpikeTrains.IsSpikeTimeArchive([.. Npz.ReadNames(path)]),
            _ => false,
        };
    }

    /// <summary>Refuses a channel whose every value is missing (NaN): nothing could be learned about its readout.</summary>
    private static void RequireObservedChannels(Recording recording, string path)
    {
        SequenceSet data = recording.Data;
        int x = data.Channels;
        ReadOnlySpan<double> y = data.Observations;
        var observed = new bool[x];
        for (int i = 0; i < y.Length; i++)
        {
            observed[i % x] |= !double.IsNaN(y[i]);
        }

        int c = Array.IndexOf(observed, false);
        if (c >= 0)
        {
            int empty = observed.Count(o => !o);
            throw new InputException(
                $"{Recording.DescribeChannel(c, recording.ChannelNames)} of recording '{path}' holds only missing values (NaN){(empty > 1 ? $", and so do {empty - 1} more channels" : "")}.",
                $"leave such channels out with {InputException.Ref("Channels")}, or drop them from the file.") { Setting = "Channels" };
        }
    }

    /// <summary>The recording with only the channels <paramref name="channels"/> (indices, in this order).</summary>
    private static Recording Select(Recording recording, int[] channels)
    {
        SequenceSet data = recording.Data;
        int x = data.Channels, kept = channels.Length;
        var values = new double[data.Count * data.Steps * kept]; // [S, T, kept]
        for (int row = 0; row < data.Count * data.Steps; row++)
        {
            for (int k = 0; k < kept; k++)
            {
                values[row * kept + k] = data.Observations[row * x + channels[k]];
            }
        }

        return new Recording(
            new SequenceSet(data.Count, data.Steps, kept, values, data.Inputs, data.InputValues),
            recording.SourcePath,
            recording.TrialIds,
            recording.ChannelNames is null ? null : [.. channels.Select(c => recording.ChannelNames[c])],
            recording.SampleRate,
            channels,
            recording.Binning);
    }

    private static Recording FromNpy(string path, bool allowMissing)
    {
        NdArray array = Npy.Read(path);
        return new Recording(Sequences(AsTrials(array, $"recording '{path}'", "[T, X] or [trials, T, X]", allowMissing), null), path);
    }

    /// <summary>
    /// The numeric variable at <paramref name="address"/> of a MAT file, or its only numeric variable when no address is
    /// given; <paramref name="source"/> (<c>FILE.mat:NAME</c>) names the recording.
    /// </summary>
    private static Recording FromMat(string path, string? address, string source, bool allowMissing)
    {
        MatFile file = MatFile.Read(path);
        if (address is null)
        {
            string[] numeric = [.. file.Variables.Where(v => v.Value is MatNumeric).Select(v => v.Key)];
            if (numeric.Length != 1)
            {
                throw new InputException(
                    $"recording '{path}' is a MAT file with {numeric.Length} numeric variables ({(numeric.Length == 0 ? "none" : string.Join(", ", numeric))}) and names none of them.",
                    $"name the variable after a colon: {path}:NAME (a field of a struct: {path}:NAME.FIELD).");
            }

            address = numeric[0];
            source = $"{path}:{address}";
        }

        NdArray array = file.ReadArray(address);
        return new Recording(Sequences(AsTrials(array, $"recording '{source}'", "[T, X] or [trials, T, X]", allowMissing), null), source);
    }

    private static Recording FromNpz(string path, RecordingOptions options)
    {
        OrderedDictionary<string, NdArray> arrays = Npz.Read(path);
        if (SpikeTrains.IsSpikeTimeArchive(arrays.Keys))
        {
            return FromSpikes(path, () => SpikeTrains.FromNpz(arrays, path), trials: null, options.Binning);
        }

        bool allowMissing = options.AllowMissing;
        string dataName = !arrays.ContainsKey("data") && arrays.ContainsKey("samples") ? "samples" : "data";
        NdArray data = Npz.RequireArray(arrays, dataName, path);
        NdArray samples = AsTrials(data, $"array '{dataName}' of npz '{path}'", "[T, X] or [trials, T, X]", allowMissing);
        int trials = samples.Shape[0];
        int steps = samples.Shape[1];

        NdArray? inputs = null;
        if (arrays.TryGetValue("inputs", out NdArray? rawInputs))
        {
            string expected = data.Rank == 2 ? $"[{steps}, U]" : $"[{trials}, {steps}, U]";
            bool fits = rawInputs.Rank == data.Rank && rawInputs.Shape[..^1].AsSpan().SequenceEqual(data.Shape[..^1]);
            if (!fits)
            {
                throw new InputException(
                    $"npz '{path}' has 'inputs' of shape {NdArray.FormatShape(rawInputs.Shape)} but '{dataName}' has shape {NdArray.FormatShape(data.Shape)}; inputs must be {expected}.",
                    "give the inputs one row per time step of the data (and the same trials), or leave 'inputs' out.");
            }

            inputs = AsTrials(rawInputs, $"array 'inputs' of npz '{path}'", expected);
        }

        long[]? trialIds = null;
        if (arrays.TryGetValue("trial_ids", out NdArray? ids))
        {
            trialIds = TrialIds(ids, trials, path);
        }

        return new Recording(Sequences(samples, inputs), path, trialIds);
    }

    private static Recording FromCsv(string path, bool allowMissing)
    {
        CsvTable table = Csv.ReadTable(path);
        NdArray samples = AsTrials(table.Values, $"recording '{path}'", "[T, X]", allowMissing);
        return new Recording(Sequences(samples, null), path, channelNames: table.Columns);
    }

    private static Recording FromEdf(string path, RecordingOptions options)
    {
        IReadOnlyList<string>? wanted = options.Signals;
        int[]? sourceChannels = null;
        if (options.Channels is not null)
        {
            // Resolve the selection against the header's data signals (the annotation signal is never a channel), then decode only those.
            string[] labels = [.. Edf.ReadHeader(path).Signals.Where(s => !s.IsAnnotation).Select(s => s.Label)];
            sourceChannels = options.Channels.Resolve(labels, labels.Length, $"EDF '{path}'");
            wanted = [.. sourceChannels.Select(c => labels[c])];
        }

        EdfFile edf = Edf.Read(path, wanted is null ? null : label => wanted.Contains(label));
        List<EdfSignal> chosen;
        if (sourceChannels is not null)
        {
            EdfSignal[] dataSignals = [.. edf.Signals.Where(s => !s.IsAnnotation)];
            chosen = [.. sourceChannels.Select(c => dataSignals[c])];
        }
        else if (wanted is null)
        {
            chosen = [.. edf.Signals.Where(s => !s.IsAnnotation)];
        }
        else
        {
            chosen = [];
            foreach (string label in wanted)
            {
                EdfSignal? signal = Array.Find(edf.Signals, s => s.Label == label && !s.IsAnnotation);
                chosen.Add(signal ?? throw new InputException(
                    $"EDF '{path}' has no signal '{label}' (it has: {string.Join(", ", edf.Signals.Where(s => !s.IsAnnotation).Select(s => s.Label))}).",
                    "pick signals by their exact labels as listed."));
            }
        }

        if (chosen.Count == 0)
        {
            throw new InputException($"EDF '{path}' has no data signals, only annotations.", "choose an EDF file that holds recorded signals.");
        }

        EdfSignal first = chosen[0];
        EdfSignal? other = chosen.Find(s => s.SampleRate != first.SampleRate);
        if (other is not null)
        {
            throw new InputException(
                $"EDF '{path}' signals '{first.Label}' ({first.SampleRate:G6} Hz) and '{other.Label}' ({other.SampleRate:G6} Hz) have different sample rates.",
                "select signals that share one sample rate, or resample the file first.");
        }

        int steps = first.Values.Length;
        int channels = chosen.Count;
        var data = new double[steps * channels]; // [1, T, X]
        for (int x = 0; x < channels; x++)
        {
            double[] values = chosen[x].Values;
            for (int t = 0; t < steps; t++)
            {
                data[t * channels + x] = values[t];
            }
        }

        var samples = new NdArray([steps, channels], data);
        return new Recording(
            Sequences(AsTrials(samples, $"EDF '{path}'", "[T, X]"), null),
            path,
            channelNames: [.. chosen.Select(s => s.Label)],
            sampleRate: first.SampleRate,
            sourceChannels: sourceChannels);
    }

    private static Recording FromNwb(string path, RecordingOptions options) =>
        FromSpikes(path, () => SpikeTrains.FromNwb(Nwb.ReadUnits(path), path), () => Nwb.ReadTrials(path), options.Binning);

    /// <summary>
    /// The counts of the spike times <paramref name="read"/> returns, in bins of <paramref name="binning"/> (required), over
    /// one window or each trial of the table <paramref name="trials"/> reads (null: the format has none); channels are the units.
    /// </summary>
    private static Recording FromSpikes(string path, Func<SpikeTrains> read, Func<NwbTrials?>? trials, SpikeBinning? binning)
    {
        if (binning is null)
        {
            throw new InputException(
                $"recording '{path}' holds spike times, which need a bin width to become counts.",
                $"give the bin width in seconds with {Ref("BinWidth")}, e.g. 0.02 for 20 ms bins.") { Setting = "BinWidth" };
        }

        SpikeTrains spikes = read();
        string source = $"recording '{path}'";
        BinnedSpikes binned;
        if (binning.AlignTrials)
        {
            NwbTrials table = trials?.Invoke() ?? throw new InputException(
                trials is null
                    ? $"{source} is an npz of spike times, which has no trials table for {Ref("AlignTrials")}."
                    : $"{source} has no trials table ({Nwb.TrialsTable}) for {Ref("AlignTrials")}.",
                trials is null
                    ? $"drop {Ref("AlignTrials")} to bin one window ({Ref("Start")}, {Ref("Stop")}), or store the spikes and their trials in an NWB file."
                    : $"drop {Ref("AlignTrials")} to bin one window ({Ref("Start")}, {Ref("Stop")}), or add the trials with pynwb (nwbfile.add_trial(start_time=..., stop_time=...)).") { Setting = "AlignTrials" };
            binned = SpikeCounter.CountTrials(spikes, binning, table.StartTimes, table.StopTimes, source, Nwb.TrialsTable);
        }
        else
        {
            binned = SpikeCounter.CountWindow(spikes, binning, source);
        }

        return new Recording(
            Sequences(binned.Counts, null),
            path,
            channelNames: spikes.UnitNames,
            sampleRate: 1 / binning.BinWidth,
            binning: binned.Report);
    }

    /// <summary>
    /// Loads a trial-resolved array for a LINT fit of trial data (docs/lint.md, "Trial data"): <c>FILE.mat:ADDRESS</c>
    /// (a numeric MATLAB variable or struct field), <c>FILE.npz:ARRAY</c> or <c>FILE.npy</c>; returns it with the text
    /// that names it. NaN entries are unused trial slots or missing bins; checking the axes is the caller's.
    /// </summary>
    public static (NdArray Array, string Source) LoadTrialArray(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        (string matPath, string? address) = MatFile.SplitAddress(text);
        if (MatFile.IsMatPath(matPath))
        {
            if (address is null)
            {
                throw new InputException(
                    $"'{text}' names a MAT file but not the variable that holds the trials.",
                    $"name it after a colon, e.g. {matPath}:firingRates ('lowrank inspect {matPath}' lists the variables).");
            }

            return (MatFile.Read(matPath).ReadArray(address), text);
        }

        (string path, string? array) = SplitNpzAddress(text);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".npz")
        {
            OrderedDictionary<string, NdArray> arrays = Npz.Read(path);
            if (array is null)
            {
                throw new InputException(
                    $"'{text}' names an npz archive but not the array that holds the trials (it has: {string.Join(", ", arrays.Keys)}).",
                    $"name it after a colon: {path}:NAME.");
            }

            return (Npz.RequireArray(arrays, array, path), text);
        }

        if (extension == ".npy" && array is null)
        {
            return (Npy.Read(path), text);
        }

        throw new InputException(
            $"trial data '{text}' is neither FILE.mat:VARIABLE, FILE.npz:ARRAY nor FILE.npy.",
            "give the trial-resolved array as one of those, and name its axes.");
    }

    /// <summary>The file of <c>FILE.mat:ADDRESS</c> or <c>FILE.npz:ARRAY</c> (the text itself otherwise): what is read.</summary>
    public static string FileOfTrialArray(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        (string matPath, _) = MatFile.SplitAddress(text);
        return MatFile.IsMatPath(matPath) ? matPath : SplitNpzAddress(text).Path;
    }

    private static (string Path, string? Array) SplitNpzAddress(string text)
    {
        int at = text.LastIndexOf(".npz:", StringComparison.OrdinalIgnoreCase);
        return at < 0 ? (text, null) : (text[..(at + 4)], text[(at + 5)..]);
    }

    /// <summary>
    /// Loads trial-averaged trajectories for a LINT fit: an npz with <c>trajectories</c> [conditions, T, neurons] and
    /// optional <c>inputs</c> [conditions, T, U], every value finite. The conditions are the recording's trials.
    /// </summary>
    public static Recording LoadTrajectories(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        OrderedDictionary<string, NdArray> arrays = Npz.Read(path);
        NdArray trajectories = Npz.RequireArray(arrays, "trajectories", path);
        if (trajectories.Rank != 3)
        {
            throw new InputException(
                $"'trajectories' in '{path}' has shape {NdArray.FormatShape(trajectories.Shape)}; expected [conditions, T, neurons].",
                "save a 3-D array, e.g. np.savez(path, trajectories=y, inputs=u).");
        }

        int conditions = trajectories.Shape[0];
        int steps = trajectories.Shape[1];
        RequireFiniteArray(trajectories, "trajectories", path, allowMissing: true);
        NdArray? inputs = null;
        if (arrays.TryGetValue("inputs", out NdArray? u))
        {
            if (u.Rank != 3 || u.Shape[0] != conditions || u.Shape[1] != steps)
            {
                throw new InputException(
                    $"'inputs' in '{path}' has shape {NdArray.FormatShape(u.Shape)} but 'trajectories' has {NdArray.FormatShape(trajectories.Shape)}; expected [{conditions}, {steps}, U].",
                    "inputs must have the same conditions and time steps as the trajectories.");
            }

            RequireFiniteArray(u, "inputs", path);
            inputs = u;
        }

        return new Recording(Sequences(trajectories, inputs), path);
    }

    /// <summary>The sequences of checked arrays: samples [trials, T, X] and inputs [trials, T, U] or none.</summary>
    private static SequenceSet Sequences(NdArray samples, NdArray? inputs) =>
        new(samples.Shape[0], samples.Shape[1], samples.Shape[2], samples.Data, inputs?.Shape[2] ?? 0, inputs?.Data);

    /// <summary>Checks a [T, C] or [trials, T, C] array (non-empty, finite) and views it as [trials, T, C].</summary>
    private static NdArray AsTrials(NdArray array, string what, string expected, bool allowMissing = false)
    {
        if (array.Rank is not (2 or 3))
        {
            throw new InputException(
                $"{what} has shape {NdArray.FormatShape(array.Shape)} but must be {expected}.",
                array.Rank == 1
                    ? "for a single channel save a 2-d column, e.g. np.save(path, a[:, None])."
                    : "reshape the array so time is the second-to-last axis and channels the last.");
        }

        if (array.Length == 0)
        {
            throw new InputException(
                $"{what} has shape {NdArray.FormatShape(array.Shape)}, which holds no values.",
                "a recording needs at least one time step and one channel.");
        }

        RequireFinite(array, what, allowMissing);
        return array.Rank == 3 ? array : array.Reshape(1, array.Shape[0], array.Shape[1]);
    }

    private static void RequireFinite(NdArray array, string what, bool allowMissing)
    {
        int i = FirstNonFinite(array, allowMissing);
        if (i >= 0)
        {
            double v = array.Data[i];
            string value = double.IsNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
            throw new InputException(
                $"{what} has {value} at index {NdArray.FormatShape(array.IndexOf(i))}.",
                allowMissing || !double.IsNaN(v)
                    ? "an infinite value is never a measurement: remove it, or write NaN to mark the entry as missing."
                    : "this command needs every value observed: remove or interpolate missing values (fit and infer read NaN as a missing entry).");
        }
    }

    /// <summary>The array <paramref name="name"/> of the trajectories file: every value finite, or NaN (missing) where <paramref name="allowMissing"/>.</summary>
    private static void RequireFiniteArray(NdArray array, string name, string path, bool allowMissing = false)
    {
        int i = FirstNonFinite(array, allowMissing);
        if (i >= 0)
        {
            throw new InputException(
                $"'{name}' in '{path}' holds a non-finite value ({array.Data[i]}) at {NdArray.FormatShape(array.IndexOf(i))}.",
                allowMissing
                    ? "NaN marks a missing value, but an infinite one has no meaning: replace it with NaN or a recorded value."
                    : "remove or interpolate NaN/Inf values before fitting.");
        }
    }

    /// <summary>Index of the first NaN (unless <paramref name="allowMissing"/>) or ±∞ of <paramref name="array"/>, or −1.</summary>
    private static int FirstNonFinite(NdArray array, bool allowMissing = false)
    {
        ReadOnlySpan<double> data = array.Data;
        for (int i = 0; i < data.Length; i++)
        {
            if (allowMissing ? double.IsInfinity(data[i]) : !double.IsFinite(data[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static long[] TrialIds(NdArray ids, int trials, string path)
    {
        if (ids.Rank != 1 || ids.Length != trials)
        {
            throw new InputException(
                $"npz '{path}' has 'trial_ids' of shape {NdArray.FormatShape(ids.Shape)} but the data has {trials} trials.",
                $"give one id per trial (shape [{trials}]), or leave 'trial_ids' out.");
        }

        var result = new long[trials];
        for (int i = 0; i < trials; i++)
        {
            double id = ids.Data[i];
            if (id != Math.Floor(id) || Math.Abs(id) > 1L << 53)
            {
                throw new InputException(
                    $"npz '{path}' has trial_ids[{i}] = {id}, which is not an integer.",
                    "save trial ids as integers, e.g. np.arange(trials).");
            }

            result[i] = (long)id;
        }

        return result;
    }
}
