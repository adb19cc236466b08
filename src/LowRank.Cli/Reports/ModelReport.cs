using System.Globalization;
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
/// (<see cref="EvaluationSection"/>), and the fixed points with the flow field (<see cref="FixedPointSection"/>). What
/// cannot be shown (no recording, no training record) is said in a note.
/// </summary>
internal static class ModelReport
{
    /// <summary>Arrays longer than this are summarised (their length) in the options tables.</summary>
    private const int MaxListedValues = 8;

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
        EvaluationSection.Add(report.AddSection("data", "Data and generated series"), report.AddSection("metrics", "Metrics"), directory, stored, options, document, context, scratch);
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
}
