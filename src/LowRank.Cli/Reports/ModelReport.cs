using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using LowRank.Cli.Commands;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Metrics;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Plotting;
using LowRank.Smc;
using LowRank.Training;

namespace LowRank.Cli.Reports;

/// <summary>What the report of a stochastic model directory computes, and from which recording.</summary>
/// <param name="DataPath">The recording to compare with (<c>--data</c>); null: the one named in the model's provenance, when readable.</param>
/// <param name="Preprocessing">How that recording is read (as <c>evaluate</c> reads it).</param>
/// <param name="Request">Burn-in, Monte-Carlo seeds, generated series, seed and threads of the metrics; a null holdout scores the fit's held-out part, if it had one.</param>
/// <param name="MaxExactCells">Above this bound on the cells of the kink arrangement the fixed points are searched approximately.</param>
internal sealed record ModelReportOptions(string? DataPath, PreprocessingRequest Preprocessing, EvaluationRequest Request, double MaxExactCells);

/// <summary>
/// The report of a stochastic model directory (<c>lowrank fit</c>, <c>simulate --model-out</c>): the model and its
/// options, the fit's settings and learning curve, data against generated series with their spectra and the metrics
/// (<see cref="ProtocolEvaluator"/> or <see cref="SpikingEvaluator"/>), and the fixed points with the flow field
/// (<see cref="FixedPointSection"/>). What cannot be shown (no recording, no training record) is said in a note.
/// </summary>
internal static class ModelReport
{
    /// <summary>Arrays longer than this are summarised (their length) in the options tables.</summary>
    private const int MaxListedValues = 8;

    /// <summary>Rows of the per-channel D_H table before it continues in another column.</summary>
    private const int ChannelRows = 16;

    public static (HtmlReport Report, ReportDocument Document) Build(string directory, ModelReportOptions options, CliContext context, FigureScratch scratch)
    {
        StoredModel<JsonObject> stored = ModelStore.Load(directory);
        LowRankRnn model = stored.Model;
        string name = Path.GetFileName(Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar));
        var report = new HtmlReport($"lowrank report: model '{name}'");
        report.Subtitle.Add($"{Path.GetFullPath(directory)}");
        report.Subtitle.Add($"written {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC by {CliProvenance.ToolVersion}");
        var document = new ReportDocument { Kind = ModelStore.Kind, Path = Path.GetFullPath(directory) };

        AddModel(report.AddSection("model", "Model"), stored);
        AddOptions(report.AddSection("options", "Options and fit settings"), stored);
        AddLearningCurve(report.AddSection("learning-curve", "Learning curve"), directory, stored, document, scratch, name);
        AddEvaluation(report.AddSection("data", "Data and generated series"), report.AddSection("metrics", "Metrics"), directory, stored, options, document, context, scratch);
        FixedPointSection.Add(report.AddSection("fixed-points", "Fixed points and flow field"), model, options, document, context, scratch, name);
        return (report, document);
    }

    private static void AddModel(HtmlSection section, StoredModel<JsonObject> stored)
    {
        ModelSummary summary = ModelSummary.Of(stored.Model);
        ModelOptions o = summary.Options;
        var rows = new List<(string, string)>
        {
            ("kind", "stochastic low-rank RNN"),
            ("parameters", summary.ParameterCount.ToString(CultureInfo.InvariantCulture)),
            ("rank R, units N", $"{o.Rank}, {o.Units}"),
            ("inputs U, channels X", $"{o.Inputs} ({ModelNames.Of(o.InputFilter)}), {o.Channels}"),
            ("activation", ModelNames.Of(o.Activation)),
            ("readout, likelihood, link", $"{ModelNames.Of(o.Readout)}, {ModelNames.Of(o.Likelihood)}, {ModelNames.Of(o.Link)}"),
            ("decay a (τ/Δt)", $"{HtmlReport.Number(summary.Decay, 6)} ({HtmlReport.Number(1 / (1 - summary.Decay), 4)})"),
            ($"latent noise sd ({ModelNames.Of(o.TransitionNoise)})", Vector(summary.TransitionNoiseSd)),
            ("initial state mean", Vector(summary.InitialMean)),
            ($"initial state sd ({ModelNames.Of(o.InitialNoise)})", Vector(summary.InitialNoiseSd)),
            ("‖m_r‖·‖n_r‖ per rank", Vector(summary.ConnectivityNorms)),
        };
        if (summary.ObservationSd.Length > 0)
        {
            rows.Add(("observation sd (min, median, max)", $"{HtmlReport.Number(summary.ObservationSd.Min(), 4)}, {HtmlReport.Number(Statistics.Median(summary.ObservationSd), 4)}, {HtmlReport.Number(summary.ObservationSd.Max(), 4)}"));
        }

        if (stored.Preprocessing is { } p)
        {
            string channels = p.ChannelNames is { } names && names.Count <= MaxListedValues ? string.Join(", ", names) : $"{p.Channels.Count} channels";
            rows.Add(("preprocessing", $"channels {channels}; {(p.ZScore is null ? "not z-scored" : "z-scored with the training part's statistics")}"
                + (p.Binning is { } bins ? string.Create(CultureInfo.InvariantCulture, $"; spike times in {bins.BinWidth:G6} s bins") : "")));
        }

        if (stored.Provenance is { } provenance)
        {
            rows.Add(("written", $"{provenance.Created} by {provenance.Tool}"));
            if (provenance.Command is { Length: > 0 } command)
            {
                rows.Add(("command", "lowrank " + command));
            }

            if (provenance.Data is { } data)
            {
                rows.Add(("recording", data));
            }

            if (provenance.Seed is { } seed)
            {
                rows.Add(("seed", seed.ToString(CultureInfo.InvariantCulture)));
            }
        }

        section.KeyValues(rows);
    }

    private static void AddOptions(HtmlSection section, StoredModel<JsonObject> stored)
    {
        section.Paragraph("The model options as model.json stores them.");
        JsonNode options = JsonSerializer.SerializeToNode(stored.Model.Options, JsonFile.Options)!;
        section.KeyValues(Flatten(options, ""), codeNames: true, pairs: 2);
        if (stored.Document.Training is not { } training)
        {
            section.Note("model.json has no training section: this model was not written by lowrank fit (a teacher of lowrank simulate, or a model saved by a demo), so there are no fit settings.");
            return;
        }

        string preset = training["preset"]?.GetValue<string>() is { } name ? $"the preset '{name}' with the options given explicitly over it" : "no preset: each option as given, or its default";
        section.Subheading("Fit settings");
        section.Paragraph($"The training section of model.json: the fit's settings ({preset}) and what it did; the objective per epoch is in the learning curve below.");
        section.KeyValues(Flatten(training, "").Where(r => r.Name is not "objective_per_epoch" and not "rollbacks" && !r.Name.StartsWith("starts.scores", StringComparison.Ordinal)), codeNames: true, pairs: 2);
        if (training["starts"]?.Deserialize<StartsRecord>(JsonFile.Options) is { } starts)
        {
            section.Subheading("Starts");
            section.Paragraph($"{starts.Scores.Count} starts were fitted; the one whose generated series scored the lowest D_stsp against the training data was kept.");
            section.Table(
                ["start", "seed", "d_stsp", "d_h", "final objective", "kept"],
                [.. starts.Scores.Select(s => new[]
                {
                    (s.Start + 1).ToString(CultureInfo.InvariantCulture), s.Seed.ToString(CultureInfo.InvariantCulture), HtmlReport.Number(s.DStsp, 4),
                    HtmlReport.Number(s.DH, 4), HtmlReport.Number(s.FinalObjective, 5), s.Start == starts.Chosen ? "kept" : "",
                })]);
        }
    }

    private static void AddLearningCurve(HtmlSection section, string directory, StoredModel<JsonObject> stored, ReportDocument document, FigureScratch scratch, string name)
    {
        if (stored.Document.Training is not { } training)
        {
            section.Note("No learning curve: the model has no training record.");
            return;
        }

        string summaryFile = training["summary_file"]?.GetValue<string>() ?? FitCommand.SummaryFile;
        string path = Path.Combine(directory, summaryFile);
        TrainingSummary summary = new();
        if (File.Exists(path))
        {
            TrainingSummaryDocument read = ReadSummary(path);
            summary.Objective.AddRange(read.Objective);
            summary.LearningRate.AddRange(read.LearningRate);
            summary.WallSeconds.AddRange(read.WallSeconds);
            summary.Evaluations.AddRange(read.Evaluations);
            summary.Rollbacks.AddRange(read.Rollbacks);
        }
        else
        {
            section.Note($"{summaryFile} is missing from the model directory: the curve below is the objective per epoch model.json keeps, without the learning rate or the held-out evaluations.");
            summary.Objective.AddRange(training["objective_per_epoch"]?.AsArray().Select(v => v!.GetValue<double>()) ?? []);
            summary.LearningRate.AddRange(summary.Objective.Select(_ => double.NaN));
        }

        bool heldOut = training["holdout"] is JsonObject;
        document.Epochs = summary.Epochs;
        document.FinalObjective = summary.Epochs > 0 ? summary.Objective[^1] : null;
        document.HeldOutObjective = heldOut && summary.Evaluations.Count > 0 && summary.Evaluations[^1].Epoch == summary.Epochs ? summary.Evaluations[^1].Value : null;
        var rows = new List<(string, string)>
        {
            ("epochs", summary.Epochs.ToString(CultureInfo.InvariantCulture)),
            ("final objective (per step, last epoch's batches)", document.FinalObjective is double f ? HtmlReport.Number(f) : "none"),
        };
        if (document.HeldOutObjective is double h)
        {
            rows.Add(("held-out objective (per step, after the last epoch)", HtmlReport.Number(h)));
        }

        rows.Add(("evaluations", summary.Evaluations.Count == 0 ? "none (the fit ran without --evaluate-every)" : $"{summary.Evaluations.Count}, on {(heldOut ? "the held-out part" : "fixed windows of the training data")}"));
        rows.Add(("wall time", summary.WallSeconds.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $"{summary.WallSeconds[^1]:0.0} s") : "unknown"));
        rows.Add(("rollbacks (non-finite values, learning rate halved)", summary.Rollbacks.Count.ToString(CultureInfo.InvariantCulture)));
        section.KeyValues(rows);
        byte[] png = scratch.Render(p => TrainingPlots.SaveLearningCurve(p, summary, name));
        section.Image(png, "learning curve", "Objective (ELBO per step) of each epoch's training batches (line) and of the periodic evaluations (markers; red lines: rollbacks), above the learning rate.");
    }

    private static TrainingSummaryDocument ReadSummary(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainingSummaryDocument>(File.ReadAllText(path), JsonFile.Options)
                ?? throw new InputException($"'{path}' holds no training summary.", "restore it from the fit that wrote the model, or fit again.");
        }
        catch (JsonException ex)
        {
            throw new InputException($"'{path}' is not a training summary: {ex.Message}", "restore it from the fit that wrote the model, or fit again.", ex);
        }
    }

    /// <summary>
    /// The recording (<c>--data</c>, else the one the fit read, when it is readable here), the metrics of generated
    /// series against it and the figure of data against series 0; or notes saying why not.
    /// </summary>
    private static void AddEvaluation(
        HtmlSection data, HtmlSection metrics, string directory, StoredModel<JsonObject> stored, ModelReportOptions options, ReportDocument document, CliContext context, FigureScratch scratch)
    {
        EvaluationRequest request = options.Request;
        double? fitHoldout = stored.Document.Training?["holdout"]?["holdout"]?.GetValue<double>();
        if (request.Holdout is null && fitHoldout is double h)
        {
            request = request with { Holdout = h };
        }

        string? path = options.DataPath;
        if (path is null)
        {
            string? why = ProvenanceRecording(stored.Provenance, out path);
            if (why is not null)
            {
                string note = $"No data and generated series, and no metrics: {why} Pass --data FILE (the recording the model was fitted to) to add them.";
                data.Note(note);
                metrics.Note(note);
                document.Notes.Add(note);
                return;
            }

            data.Paragraph($"The recording is the one the fit read, named in model.json's provenance: {path}.");
            if (stored.Provenance?.DataSha256 is { } sha && Sha256(path!) != sha)
            {
                string note = $"'{path}' has changed since the fit (its SHA-256 differs from the one model.json records): the figures compare the model with the file as it is now.";
                data.Note(note);
                document.Notes.Add(note);
            }
        }
        else
        {
            data.Paragraph($"The recording is {Path.GetFullPath(path)} (--data).");
        }

        try
        {
            Evaluate(data, metrics, directory, stored, path!, options with { Request = request }, fitHoldout, document, context, scratch);
        }
        catch (InputException ex) when (options.DataPath is null && options.Preprocessing is { Channels: null, ZScore: false, Preprocessed: false, Binning: null })
        {
            // The recording named in the provenance is not one these metrics can score (trials, a moved channel layout…):
            // the report says so. A recording passed with --data, or read as flags say, is an input error instead.
            string note = $"No metrics: the recording the fit read cannot be scored here: {SettingFlags.Message(ex)} ({SettingFlags.Hint(ex)})";
            data.Note(note);
            metrics.Note(note);
            document.Notes.Add(note);
        }
    }

    /// <summary>Null with the provenance's recording in <paramref name="path"/> when it is there to read; else why not.</summary>
    private static string? ProvenanceRecording(ModelProvenance? provenance, out string? path)
    {
        path = provenance?.Data;
        if (path is null)
        {
            return "model.json names no recording (the model was not fitted by lowrank fit).";
        }

        return File.Exists(path) ? null : $"the recording the fit read, '{path}', is not there on this machine.";
    }

    private static void Evaluate(
        HtmlSection data, HtmlSection metrics, string directory, StoredModel<JsonObject> stored, string path, ModelReportOptions options, double? fitHoldout,
        ReportDocument document, CliContext context, FigureScratch scratch)
    {
        LowRankRnn model = stored.Model;
        EvaluationRequest request = options.Request;
        bool spikesExpected = model.Options.Likelihood == Likelihood.Poisson;
        Recording recording = RecordingPreprocessing.LoadForModel(path, stored.Preprocessing, options.Preprocessing with { AllowMissing = spikesExpected }, $"model '{directory}'");
        EvaluationMetrics chosen = SpikingEvaluator.Choose(EvaluationMetrics.Auto, model, recording.Data, $"recording '{path}'");
        document.Data = Path.GetFullPath(path);
        string part = request.Holdout is double holdout
            ? string.Create(CultureInfo.InvariantCulture, $"the held-out last {holdout:0.###} of the recording{(fitHoldout == holdout ? " (the part the fit held out)" : "")}")
            : "the whole recording";
        string series = request.Generations == 1 ? "one series" : $"{request.Generations} series";
        metrics.Paragraph($"Scored on {part} against {series} generated after {request.BurnIn} burn-in steps (seed {request.Seed}), as lowrank evaluate does; "
            + "the report's defaults are quicker than evaluate's (see --seeds, --generations, --burn-in).");
        IProgressSink? progress = request.Generations > 1 ? context.CreateProgress() : null;
        if (chosen == EvaluationMetrics.Spikes)
        {
            Spikes(data, metrics, model, recording, request, document, progress, scratch);
        }
        else
        {
            Continuous(data, metrics, model, recording, request, document, progress, scratch);
        }
    }

    private static void Continuous(
        HtmlSection data, HtmlSection metrics, LowRankRnn model, Recording recording, EvaluationRequest request, ReportDocument document, IProgressSink? progress, FigureScratch scratch)
    {
        EvaluationResult result = ProtocolEvaluator.Evaluate(model, recording.Data, request, progress);
        document.Metrics = ModelNames.Of(EvaluationMetrics.Eeg);
        document.DStsp = result.DStsp;
        document.DStspSd = result.DStspSd;
        document.DStspSdOver = result.DStspSdOver;
        document.DH = result.DH;
        document.DHSd = result.DHSd;
        document.DHPerChannel = result.DHPerChannel;
        document.DStspPerSeed = result.DStspPerSeed;
        FillProtocol(document, request, result.Generations, result.Steps, result.FirstStep, result.BurnIn, result.InitialState);

        string over = result.Generations > 1 ? $"sd over {result.Generations} series" : $"sd over {request.Seeds} Monte-Carlo seeds";
        var rows = new List<(string, string)>
        {
            ("d_stsp (state-space divergence)", $"{HtmlReport.Number(result.DStsp, 4)} ± {HtmlReport.Number(result.DStspSd, 3)}"),
            ("d_h (power-spectrum Hellinger distance, mean over channels)", result.Generations > 1 ? $"{HtmlReport.Number(result.DH, 4)} ± {HtmlReport.Number(result.DHSd, 3)}" : HtmlReport.Number(result.DH, 4)),
            ("spread", over),
            ("scored steps", $"{result.Steps} (from step {result.FirstStep})"),
            ("initial state of the generated series", result.InitialState.Replace('_', ' ')),
        };
        metrics.KeyValues(rows);
        metrics.Subheading("D_H per channel");
        metrics.KeyValues(
            result.DHPerChannel.Select((d, c) => (Recording.DescribeChannel(c, recording.ChannelNames), HtmlReport.Number(d, 4))),
            pairs: Math.Clamp((result.DHPerChannel.Length + ChannelRows - 1) / ChannelRows, 1, 6));

        (SequenceSet scored, _) = SeriesZero.ScoredPart(recording.Data, request);
        long seed = result.Series[0].Seed;
        double[] generated = SeriesZero.Generate(model, scored, request.BurnIn, seed);
        SeriesComparison comparison = SeriesZero.Compare(scored, generated, request.DataPreprocessing, recording.ChannelNames, result.Series[0].Metrics.DHPerChannel, recording.SampleRate);
        byte[] png = scratch.Render(p => EvaluationPlots.SaveTracesAndSpectra(p, comparison));
        data.Image(png, "data against generated series, traces and spectra",
            $"Top: the scored data (left) and generated series 0 (right, seed {seed}, as the model produced it), first steps, channels offset alike. "
            + "Below: normalised power spectra of the first channels as D_H compares them (the generated series Hann-smoothed and z-scored, Gaussian smoothing of 20 bins).");
    }

    private static void Spikes(
        HtmlSection data, HtmlSection metrics, LowRankRnn model, Recording recording, EvaluationRequest request, ReportDocument document, IProgressSink? progress, FigureScratch scratch)
    {
        var spiking = new SpikingOptions();
        SpikingEvaluationResult result = SpikingEvaluator.Evaluate(model, recording.Data, request, spiking, progress);
        (double rateSd, double pairwiseSd, double isiSd) = result.SdOverSeries;
        document.Metrics = ModelNames.Of(EvaluationMetrics.Spikes);
        document.RateR = result.RateR;
        document.PairwiseCorrR = result.PairwiseCorrR;
        document.IsiCvError = result.IsiCvError;
        document.RateRSd = rateSd;
        document.PairwiseCorrRSd = pairwiseSd;
        document.IsiCvErrorSd = isiSd;
        FillProtocol(document, request, result.Generations, result.Steps, result.FirstStep, result.BurnIn, result.InitialState);

        SpikingSeries first = result.Series[0];
        string Spread(double value, double sd) => result.Generations > 1 ? $"{HtmlReport.Number(value, 4)} ± {HtmlReport.Number(sd, 3)}" : HtmlReport.Number(value, 4);
        metrics.KeyValues(
        [
            ("rate_r (correlation of the units' mean rates)", Spread(result.RateR, rateSd)),
            ("pairwise_corr_r (correlation of the pairwise count correlations)", Spread(result.PairwiseCorrR, pairwiseSd)),
            ("isi_cv_error (median |ISI CV error| over units)", Spread(result.IsiCvError, isiSd)),
            ("units", result.Data.Units.ToString(CultureInfo.InvariantCulture)),
            ("mean rate, data and series 0 (spikes per bin)", $"{HtmlReport.Number(result.Data.PopulationRate, 4)}, {HtmlReport.Number(first.Generated.PopulationRate, 4)}"),
            ("scored steps", $"{result.Steps} (from step {result.FirstStep})"),
            ("initial state of the generated series", result.InitialState.Replace('_', ' ')),
        ]);
        byte[] png = scratch.Render(p => SpikingStatisticsPlots.Save(p, result.Data, first.Generated, first.Agreement, result.Raster));
        data.Image(png, "spike rasters and spiking statistics, data against generated",
            $"Rasters of the data and of generated series 0 (first {result.Raster?.Steps ?? 0} bins, units ordered by their mean spike time in the data), then mean rates and ISI CVs per unit, ISI histograms and pairwise count correlations.");
        data.Note("Spectra are compared for continuous recordings (D_H); for spike counts the report shows the spiking statistics instead.");
    }

    private static void FillProtocol(ReportDocument document, EvaluationRequest request, int generations, int steps, int firstStep, int burnIn, string initialState)
    {
        document.Generations = generations;
        document.Seeds = request.Seeds;
        document.Seed = request.Seed;
        document.Steps = steps;
        document.FirstStep = firstStep;
        document.BurnIn = burnIn;
        document.InitialState = initialState;
        document.Holdout = request.Holdout;
    }

    /// <summary>Rows <c>a.b.c → value</c> of a JSON tree; long arrays summarised by their length, null as <c>none</c>.</summary>
    internal static IEnumerable<(string Name, string Value)> Flatten(JsonNode? node, string prefix)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach ((string key, JsonNode? value) in obj)
                {
                    foreach ((string, string) row in Flatten(value, prefix.Length == 0 ? key : $"{prefix}.{key}"))
                    {
                        yield return row;
                    }
                }

                break;
            case JsonArray array when array.All(v => v is JsonValue):
                yield return (prefix, array.Count > MaxListedValues ? $"[{array.Count} values]" : "[" + string.Join(", ", array.Select(Text)) + "]");
                break;
            case JsonArray array:
                for (int i = 0; i < array.Count; i++)
                {
                    foreach ((string, string) row in Flatten(array[i], $"{prefix}.{i}"))
                    {
                        yield return row;
                    }
                }

                break;
            default:
                yield return (prefix, Text(node));
                break;
        }
    }

    private static string Text(JsonNode? node) => node switch
    {
        null => "none",
        JsonValue value when value.TryGetValue(out double d) => HtmlReport.Number(d, 6),
        JsonValue value when value.TryGetValue(out bool b) => b ? "true" : "false",
        JsonValue value when value.TryGetValue(out string? s) => s ?? "none",
        _ => node.ToJsonString(),
    };

    private static string Vector(double[] values) => "[" + string.Join(", ", values.Select(v => HtmlReport.Number(v, 4))) + "]";

    private static string Sha256(string path)
    {
        if (!File.Exists(path))
        {
            return "";
        }

        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
