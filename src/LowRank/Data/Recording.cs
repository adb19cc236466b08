using LowRank.Formats;
namespace LowRank.Data;

/// <summary>
/// A neural recording ready for fitting. Dimensions: trials, T time steps, X channels, U inputs.
/// Every value is finite (the loader checks).
/// </summary>
public sealed class Recording
{
    /// <param name="samples">Observations, <c>[trials, T, X]</c>.</param>
    /// <param name="inputs">External inputs, <c>[trials, T, U]</c>, or null.</param>
    /// <param name="sourcePath">The file it was read from.</param>
    /// <param name="trialIds">An identifier per trial, <c>[trials]</c>, or null.</param>
    /// <param name="channelNames">A name per channel, <c>[X]</c> (CSV header, EDF labels), or null.</param>
    /// <param name="sampleRate">Samples per second when the file records it (EDF), or null.</param>
    public Recording(
        NdArray samples,
        NdArray? inputs,
        string sourcePath,
        long[]? trialIds = null,
        string[]? channelNames = null,
        double? sampleRate = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(sourcePath);
        if (samples.Rank != 3)
        {
            throw new ArgumentException($"samples must be [trials, T, X], got {NdArray.FormatShape(samples.Shape)}.", nameof(samples));
        }

        if (inputs is not null && (inputs.Rank != 3 || inputs.Shape[0] != samples.Shape[0] || inputs.Shape[1] != samples.Shape[1]))
        {
            throw new ArgumentException(
                $"inputs must be [{samples.Shape[0]}, {samples.Shape[1]}, U], got {NdArray.FormatShape(inputs.Shape)}.", nameof(inputs));
        }

        if (trialIds is not null && trialIds.Length != samples.Shape[0])
        {
            throw new ArgumentException($"trialIds has {trialIds.Length} entries for {samples.Shape[0]} trials.", nameof(trialIds));
        }

        if (channelNames is not null && channelNames.Length != samples.Shape[2])
        {
            throw new ArgumentException($"channelNames has {channelNames.Length} entries for {samples.Shape[2]} channels.", nameof(channelNames));
        }

        Samples = samples;
        Inputs = inputs;
        SourcePath = sourcePath;
        TrialIds = trialIds;
        ChannelNames = channelNames;
        SampleRate = sampleRate;
    }

    /// <summary>Observations, <c>[trials, T, X]</c>.</summary>
    public NdArray Samples { get; }

    /// <summary>External inputs, <c>[trials, T, U]</c>, or null when the recording has none.</summary>
    public NdArray? Inputs { get; }

    /// <summary>The file the recording was read from.</summary>
    public string SourcePath { get; }

    /// <summary>An identifier per trial, or null.</summary>
    public long[]? TrialIds { get; }

    /// <summary>A name per channel, or null.</summary>
    public string[]? ChannelNames { get; }

    /// <summary>Samples per second, when the file records it.</summary>
    public double? SampleRate { get; }

    public int Trials => Samples.Shape[0];

    /// <summary>Time steps per trial (T).</summary>
    public int Steps => Samples.Shape[1];

    /// <summary>Observed channels (X).</summary>
    public int Channels => Samples.Shape[2];

    /// <summary>Input dimensions (U), 0 without inputs.</summary>
    public int InputCount => Inputs?.Shape[2] ?? 0;
}

/// <summary>How <see cref="RecordingLoader"/> reads formats that need a choice.</summary>
public sealed record RecordingOptions
{
    /// <summary>EDF signal labels to load, in this order; null loads every signal except annotations.</summary>
    public IReadOnlyList<string>? Signals { get; init; }

    /// <summary>Seconds per bin when spike times are counted (NWB); required for NWB files.</summary>
    public double? BinWidth { get; init; }
}
