using LowRank.Formats;

namespace LowRank.Data;

/// <summary>
/// A neural recording ready for fitting: its sequences (<see cref="SequenceSet"/>: trials × T steps × X channels,
/// with U inputs) and where they came from. Every value is finite (the loader checks).
/// </summary>
public sealed class Recording
{
    /// <param name="data">The trials and their inputs.</param>
    /// <param name="sourcePath">The file it was read from.</param>
    /// <param name="trialIds">An identifier per trial, <c>[trials]</c>, or null.</param>
    /// <param name="channelNames">A name per channel, <c>[X]</c> (CSV header, EDF labels), or null.</param>
    /// <param name="sampleRate">Samples per second when the file records it (EDF), or null.</param>
    /// <param name="sourceChannels">Index of each channel among the file's channels, <c>[X]</c>, when a selection picked them; null when the file's channels are all here in order.</param>
    /// <param name="binning">How the counts were made from spike times, or null when the file held samples.</param>
    public Recording(
        SequenceSet data,
        string sourcePath,
        long[]? trialIds = null,
        string[]? channelNames = null,
        double? sampleRate = null,
        int[]? sourceChannels = null,
        SpikeBinningReport? binning = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(sourcePath);
        if (trialIds is not null && trialIds.Length != data.Count)
        {
            throw new ArgumentException($"trialIds has {trialIds.Length} entries for {data.Count} trials.", nameof(trialIds));
        }

        if (channelNames is not null && channelNames.Length != data.Channels)
        {
            throw new ArgumentException($"channelNames has {channelNames.Length} entries for {data.Channels} channels.", nameof(channelNames));
        }

        if (sourceChannels is not null && sourceChannels.Length != data.Channels)
        {
            throw new ArgumentException($"sourceChannels has {sourceChannels.Length} entries for {data.Channels} channels.", nameof(sourceChannels));
        }

        Data = data;
        SourceChannels = sourceChannels;
        SourcePath = sourcePath;
        TrialIds = trialIds;
        ChannelNames = channelNames;
        SampleRate = sampleRate;
        Binning = binning;
    }

    /// <summary>The trials and their inputs.</summary>
    public SequenceSet Data { get; }

    /// <summary>The observations as an array <c>[trials, T, X]</c> (a view of <see cref="Data"/>).</summary>
    public NdArray Observations => new([Trials, Steps, Channels], Data.Observations);

    /// <summary>The inputs as an array <c>[trials, T, U]</c> (a view of <see cref="Data"/>), or null when the recording has none.</summary>
    public NdArray? InputValues => Inputs > 0 ? new NdArray([Trials, Steps, Inputs], Data.InputValues) : null;

    /// <summary>The file the recording was read from.</summary>
    public string SourcePath { get; }

    /// <summary>An identifier per trial, or null.</summary>
    public long[]? TrialIds { get; }

    /// <summary>A name per channel, or null.</summary>
    public string[]? ChannelNames { get; }

    /// <summary>Channel <paramref name="c"/> as messages name it: <c>channel 3 ('C3..')</c>, or <c>channel 3</c> without <paramref name="names"/>.</summary>
    public static string DescribeChannel(int c, IReadOnlyList<string>? names) =>
        names is null ? $"channel {c}" : $"channel {c} ('{names[c]}')";

    /// <summary>Samples per second, when the file records it.</summary>
    public double? SampleRate { get; }

    /// <summary>Index of each channel among the file's channels when a selection picked them; null when all are here in order.</summary>
    public int[]? SourceChannels { get; }

    /// <summary>How the counts were made from spike times (bin width, window, trials), or null when the file held samples.</summary>
    public SpikeBinningReport? Binning { get; }

    /// <summary>Trials (1 for a continuous recording).</summary>
    public int Trials => Data.Count;

    /// <summary>Time steps per trial (T).</summary>
    public int Steps => Data.Steps;

    /// <summary>Observed channels (X).</summary>
    public int Channels => Data.Channels;

    /// <summary>Input dimensions (U), 0 without inputs.</summary>
    public int Inputs => Data.Inputs;

    /// <summary>The same recording (source, trials, channels) with other values of the same shape, e.g. z-scored.</summary>
    public Recording WithData(SequenceSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count != Trials || data.Steps != Steps || data.Channels != Channels || data.Inputs != Inputs)
        {
            throw new ArgumentException($"data has shape [{data.Count}, {data.Steps}, {data.Channels}] but the recording has [{Trials}, {Steps}, {Channels}].", nameof(data));
        }

        return new Recording(data, SourcePath, TrialIds, ChannelNames, SampleRate, SourceChannels, Binning);
    }
}

/// <summary>How <see cref="RecordingLoader"/> reads formats that need a choice.</summary>
public sealed record RecordingOptions
{
    /// <summary>EDF signal labels to load, in this order; null loads every signal except annotations.</summary>
    public IReadOnlyList<string>? Signals { get; init; }

    /// <summary>The channels to keep, in this order (any format; null keeps all). An EDF file decodes only these.</summary>
    public ChannelSelection? Channels { get; init; }

    /// <summary>
    /// How spike times become counts: required for a file of spike times (<c>.nwb</c>, an npz of spike times:
    /// <see cref="RecordingLoader.HoldsSpikeTimes"/>), refused for a file of samples (it would change nothing).
    /// </summary>
    public SpikeBinning? Binning { get; init; }

    /// <summary>
    /// Whether a NaN observation is read as missing (<see cref="MissingValues"/>) rather than refused: the commands
    /// whose likelihood skips missing entries (fit, infer, generate from a posterior) ask for it. ±∞ is refused
    /// either way, and so is a channel with no observed value, or any non-finite input.
    /// </summary>
    public bool AllowMissing { get; init; }
}
