using System.Globalization;
using System.Text.Json.Serialization;
using static LowRank.InputException;

namespace LowRank.Data;

/// <summary>
/// What a fit did to its recording before fitting: how spike times became counts, which of the file's channels it
/// kept, in which order, and the per-channel z-scoring. Stored in model.json (<c>preprocessing</c>) and applied again
/// to any later data for that model (<see cref="LoadForModel"/>), so a model fitted to a raw EDF reads later raw EDF
/// files the same way, and one fitted to spike times bins later spike times in its bins.
/// </summary>
/// <param name="Channels">Index of each model channel among the file's channels (the EDF annotation signal is never one), [X].</param>
/// <param name="ChannelNames">Their labels (EDF, CSV header, unit ids), [X], or null when the file has none.</param>
/// <param name="ZScore">The z-scoring statistics, or null when the data was fitted on its own scale.</param>
/// <param name="Binning">How spike times became the fitted counts (the window resolved), or null when the file held samples.</param>
public sealed record RecordingPreprocessing(
    IReadOnlyList<int> Channels,
    IReadOnlyList<string>? ChannelNames,
    [property: JsonPropertyName("zscore")] ZScoreStatistics? ZScore,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SpikeBinning? Binning = null)
{
    /// <summary>
    /// Loads the recording at <paramref name="path"/> for a fit: bins spike times as <paramref name="request"/> says,
    /// keeps its channels and, when it asks, z-scores each channel with statistics of the training part only (the
    /// first part of a <paramref name="holdout"/> split, the whole recording without one). Returns the recording to fit
    /// and its preprocessing (null when the request asks for none, so the model stores none).
    /// </summary>
    public static (Recording Recording, RecordingPreprocessing? Preprocessing) LoadForFit(string path, PreprocessingRequest request, double? holdout)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate(forFit: true);
        Recording recording = RecordingLoader.Load(path, new RecordingOptions { Channels = request.Channels, AllowMissing = request.AllowMissing, Binning = request.Binning });
        if (request.Channels is null && !request.ZScore && recording.Binning is null)
        {
            return (recording, null);
        }

        ZScoreStatistics? statistics = null;
        if (request.ZScore)
        {
            SequenceSet training = holdout is double fraction ? recording.Data.Split(fraction).Train : recording.Data;
            string part = holdout is null ? "" : " over the training part";
            statistics = ZScoreStatistics.Of(training, recording.ChannelNames, $"recording '{path}'{part}");
            recording = recording.WithData(statistics.Apply(recording.Data));
        }

        int[] channels = recording.SourceChannels ?? [.. Enumerable.Range(0, recording.Channels)];
        return (recording, new RecordingPreprocessing(channels, recording.ChannelNames, statistics, recording.Binning?.Applied));
    }

    /// <summary>
    /// Loads the recording at <paramref name="path"/> for the model <paramref name="model"/> (named in messages), whose
    /// stored preprocessing is <paramref name="stored"/> (null: none): the stored channels are picked (by name when the
    /// file has names, else by index) and the stored statistics applied, once, whatever <see cref="PreprocessingRequest.ZScore"/>
    /// says. <see cref="PreprocessingRequest.Preprocessed"/> declares the data preprocessed already (the published
    /// evaluation file): the stored preprocessing is then left out, as for a model that stores none. Without stored
    /// preprocessing, <see cref="PreprocessingRequest.Channels"/> selects channels and <see cref="PreprocessingRequest.ZScore"/>
    /// z-scores the data with its own statistics (whole recording). Spike times are binned in the model's stored bins
    /// and window (<see cref="BinningFor"/>).
    /// </summary>
    public static Recording LoadForModel(string path, RecordingPreprocessing? stored, PreprocessingRequest request, string model)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate(forFit: false);
        if (request.Preprocessed)
        {
            stored = null;
        }

        SpikeBinning? binning = BinningFor(path, stored?.Binning, request.Binning, model);

        if (stored is not null && request.Channels is not null)
        {
            throw new InputException(
                $"{model} picks its channels itself ({Describe(stored)}), so {Ref("Channels")} '{request.Channels.Text}' would pick them twice.",
                $"drop {Ref("Channels")}: the channels the model was fitted to are selected by name (by index in files without names).") { Setting = "Channels" };
        }

        ChannelSelection? channels = stored is null ? request.Channels : ChannelSelection.Stored(stored.ChannelNames, stored.Channels, model);
        Recording recording = RecordingLoader.Load(path, new RecordingOptions { Channels = channels, AllowMissing = request.AllowMissing, Binning = binning });
        if (stored?.ZScore is { } statistics)
        {
            RequireRawScale(recording, statistics, path, model);
            return recording.WithData(statistics.Apply(recording.Data));
        }

        if (request.ZScore)
        {
            return recording.WithData(ZScoreStatistics.Of(recording.Data, recording.ChannelNames, $"recording '{path}'").Apply(recording.Data));
        }

        return recording;
    }

    /// <summary>
    /// How spike times at <paramref name="path"/> are binned for a model fitted in the bins <paramref name="stored"/>
    /// (null: a model fitted to samples or counts): the bin width is the model's time step, so a <paramref name="requested"/>
    /// width must equal it; a requested window (<see cref="SpikeBinning.Start"/>, <see cref="SpikeBinning.Stop"/>,
    /// <see cref="SpikeBinning.AlignTrials"/>) replaces the stored one, otherwise the stored window is used. A file of
    /// samples gets no binning from the model (it is counted already); one the user asks for is refused by the loader.
    /// </summary>
    public static SpikeBinning? BinningFor(string path, SpikeBinning? stored, SpikeBinning? requested, string model)
    {
        if (stored is null)
        {
            return requested;
        }

        if (requested is null)
        {
            return RecordingLoader.HoldsSpikeTimes(path) ? stored : null;
        }

        if (requested.BinWidth != stored.BinWidth)
        {
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"{model} was fitted to spike counts in bins of {SpikeBinning.Format(stored.BinWidth)} s, its time step, so {Ref("BinWidth")} {SpikeBinning.Format(requested.BinWidth)} does not fit it."),
                string.Create(CultureInfo.InvariantCulture, $"drop {Ref("BinWidth")} to bin as the fit did, or pass {Ref("BinWidth")} {SpikeBinning.Format(stored.BinWidth)}.")) { Setting = "BinWidth" };
        }

        return requested.HasWindow || requested.AlignTrials ? requested : stored;
    }

    /// <summary>Throws <see cref="InputException"/> unless the statistics fit the model's <paramref name="channels"/>: one entry each, sds positive and finite.</summary>
    public void Validate(int channels, string source)
    {
        bool namesFit = ChannelNames is null || ChannelNames.Count == channels;
        bool statisticsFit = ZScore is null
            || (ZScore.Mean.Length == channels && ZScore.Sd.Length == channels
                && ZScore.Mean.All(double.IsFinite) && ZScore.Sd.All(s => s > 0 && double.IsFinite(s)));
        if (Channels.Count != channels || !namesFit || !statisticsFit || Channels.Any(c => c < 0))
        {
            throw new InputException(
                $"{source} has a preprocessing section that does not fit the model's {channels} channels (one channel index, name, mean and positive sd per channel).",
                "model.json was edited or damaged: restore it from the fit that wrote params.npz.");
        }

        try
        {
            Binning?.Validate();
        }
        catch (InputException ex)
        {
            throw new InputException(
                $"{source} has a preprocessing section whose spike binning is not one: {ex.Message}",
                "model.json was edited or damaged: restore it from the fit that wrote params.npz.",
                ex);
        }
    }

    /// <summary>
    /// Refuses data that already looks z-scored (every channel sd in [0.5, 2]) for a model whose stored statistics do
    /// not (the published evaluation file against a model fitted to the raw EDF): its statistics would shrink the data.
    /// </summary>
    private static void RequireRawScale(Recording recording, ZScoreStatistics statistics, string path, string model)
    {
        ChannelScale stored = ZScoreStatistics.ScaleOf(statistics.Sd);
        if (stored.LooksZScored)
        {
            return;
        }

        if (ZScoreStatistics.ScaleOf(recording.Data).LooksZScored)
        {
            int c = stored.FirstOutside;
            string channel = Recording.DescribeChannel(c, recording.ChannelNames);
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"recording '{path}' looks z-scored already (every channel sd lies in [{ZScoreStatistics.LowestZScoredSd}, {ZScoreStatistics.HighestZScoredSd}]), but {model} z-scores its data with the statistics of its raw training data ({channel}: sd {stored.FirstSd:G4})."),
                $"pass {Ref("Preprocessed")} to use data that is z-scored already (such as EEG_data_smoothed.npy) as it is, or pass the raw recording.") { Setting = "Preprocessed" };
        }
    }

    private static string Describe(RecordingPreprocessing stored)
    {
        IEnumerable<string> channels = stored.ChannelNames ?? stored.Channels.Select(c => c.ToString(CultureInfo.InvariantCulture));
        string list = string.Join(", ", channels.Take(4));
        return stored.Channels.Count > 4 ? $"{stored.Channels.Count} channels: {list}, …" : list;
    }
}

/// <summary>What the user asked to do to a recording before it is fitted or scored.</summary>
public sealed record PreprocessingRequest
{
    /// <summary>The channels to use (null: all, in the file's order).</summary>
    public ChannelSelection? Channels { get; init; }

    /// <summary>Z-score each channel (a fit stores the statistics; later data uses the stored ones).</summary>
    public bool ZScore { get; init; }

    /// <summary>How spike times become counts (required for a file of spike times, refused for one of samples); null: not given.</summary>
    public SpikeBinning? Binning { get; init; }

    /// <summary>Read NaN observations as missing entries (<see cref="RecordingOptions.AllowMissing"/>): set by the commands whose likelihood skips them.</summary>
    public bool AllowMissing { get; init; }

    /// <summary>
    /// Data read for a fitted model only: the data is preprocessed already (z-scored, channels as the model's), so the
    /// model's stored preprocessing is not applied; <see cref="Channels"/> may still select channels.
    /// </summary>
    public bool Preprocessed { get; init; }

    /// <summary>Throws <see cref="InputException"/> when the request contradicts itself or its binning is not one.</summary>
    public void Validate(bool forFit)
    {
        Binning?.Validate();
        if (Preprocessed && (ZScore || forFit))
        {
            throw new InputException(
                forFit
                    ? $"{Ref("Preprocessed")} applies to data read for a fitted model, not to a fit."
                    : $"{Ref("ZScore")} and {Ref("Preprocessed")} contradict each other: one z-scores the data, the other says it is z-scored already.",
                $"pass {Ref("ZScore")} for raw data, {Ref("Preprocessed")} for data that is z-scored already, or neither to apply what the model stores.") { Setting = "Preprocessed" };
        }
    }
}
