using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using LowRank.Data;
using LowRank.Decoding;
using LowRank.Formats;
using LowRank.Inference;
using LowRank.Metrics;
using LowRank.Model;
using LowRank.Plotting;

namespace LowRank.Cli.Commands;

/// <summary>What <c>lowrank evaluate</c> was asked to do.</summary>
internal sealed record EvaluateOptions(
    string ModelDirectory,
    string DataPath,
    EvaluationRequest Request,
    string? JsonPath,
    PreprocessingRequest Preprocessing,
    EvaluationMetrics Metrics = EvaluationMetrics.Auto,
    SpikingOptions? Spiking = null,
    string? PlotPath = null);

/// <summary>
/// <c>lowrank evaluate --model DIR --data FILE</c>: generates from the model by the published protocol
/// and reports D_stsp (mean and sd over Monte-Carlo seeds) and D_H against the data; with
/// <c>--generations G</c> it scores G series from independent seeds and reports mean and sd over them.
/// On spike counts (a Poisson model, or count data; <c>--metrics spikes|eeg</c> chooses explicitly) it reports the
/// spiking statistics instead, draws them (<c>--plot</c>), and with <c>--heldout-units f</c> the co-smoothing bits per spike.
/// With <c>--conditions</c> it scores no model but compares generated with true trials per condition (<see cref="EvaluateConditions"/>).
/// </summary>
internal static class EvaluateCommand
{
    /// <summary>The figure of the spiking statistics when neither <c>--plot</c> nor <c>--json</c> names a place for it.</summary>
    public const string DefaultPlotFile = "spiking-statistics.png";

    public static Command Create(CliContext context)
    {
        var model = new Option<string?>("--model") { Description = "Model directory (from lowrank fit); required unless --conditions." };
        var data = new Option<string>("--data") { Description = "Recording to score against (.npy, .npz, .csv, .edf), one continuous series [T, X]; with --conditions the true trials (.npz: samples, condition).", Required = true };
        var burnIn = new Option<int>("--burn-in") { Description = "Steps simulated before recording (published protocol: 2400).", DefaultValueFactory = _ => 2400 };
        var seeds = new Option<int>("--seeds") { Description = "Monte-Carlo repetitions of D_stsp averaged.", DefaultValueFactory = _ => 5 };
        var generations = new Option<int>("--generations") { Description = "Series generated from independent seeds and scored; mean and sd over them are reported (published protocol: 1).", DefaultValueFactory = _ => 1 };
        var holdout = new Option<double?>("--holdout") { Description = "Score on the last fraction of the recording only (e.g. 0.2, matching fit --holdout)." };
        var metrics = CommonOptions.Choice("--metrics", "auto: spiking statistics when the model is Poisson or the data are spike counts, else eeg; eeg: D_stsp and D_H; spikes: rates, ISIs, correlations (and co-smoothing).", EvaluationMetrics.Auto);
        var spikingDefaults = new SpikingOptions();
        var corrBins = new Option<int?>("--corr-bins") { Description = "Spikes: also correlate the counts summed over k bins (the data's own bins are always reported)." };
        var heldOutUnits = new Option<double?>("--heldout-units") { Description = "Spikes: co-smoothing; hide this fraction of the units (drawn with --seed) on the scored steps and report the bits per spike of their predicted rates." };
        var particles = new Option<int>("--particles") { Description = "Spikes, --heldout-units: particles K of the filter that predicts the held-out units.", DefaultValueFactory = _ => spikingDefaults.Particles };
        var smoothing = CommonOptions.Choice("--smoothing", "Spikes, --heldout-units: the posterior that predicts the held-out units: none (filtering), marginal (all held-in data, as co-smoothing is defined), conditional.", spikingDefaults.Smoothing);
        var plot = new Option<string?>("--plot") { Description = $"Spikes: draw the statistics to this PNG (default: the --json path with .png, else {DefaultPlotFile} in the working directory)." };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var preprocessing = PreprocessingOptions.ForModel();
        var conditionDefaults = new ConditionEvaluationOptions();
        var conditions = new Option<bool>("--conditions") { Description = "Compare generated with true trials condition by condition (PSTH R², mean-rate correlation, decoded direction) instead of scoring a model." };
        var generated = new Option<string?>("--generated") { Description = "Conditions: the generated trials (.npz from generate --inputs: samples, latents, condition)." };
        var seenConditions = new Option<string?>("--seen-conditions") { Description = "Conditions: the condition labels the model was fitted on, e.g. 0,45,90 (the others are unseen; default: all seen)." };
        var psthSmoothing = new Option<double>("--psth-smoothing") { Description = "Conditions: sd in bins of the centred Gaussian that smooths each PSTH over time (0: none).", DefaultValueFactory = _ => conditionDefaults.PsthSmoothing };
        var decoderWindows = new Option<int>("--decoder-windows") { Description = "Conditions: equal time windows of a trial whose mean counts per unit the direction decoder reads.", DefaultValueFactory = _ => conditionDefaults.DecoderWindows };
        var ridge = new Option<double>("--ridge") { Description = "Conditions: ridge penalty of the direction decoder (relative to the unit variance of its standardised features).", DefaultValueFactory = _ => conditionDefaults.Ridge };
        var plots = new Option<string?>("--plots") { Description = $"Conditions: folder of the figures (default: beside --json, else ./{EvaluateConditions.DefaultPlotDirectory}/)." };
        var command = new Command("evaluate", "Score a fitted model against a recording: D_stsp and D_H of a generated series (published protocol), or spiking statistics and co-smoothing on spike counts; with --conditions, generated against true trials per condition.")
        {
            model, data, burnIn, seeds, generations, holdout, metrics, corrBins, heldOutUnits, particles, smoothing, plot, seed, threads, json,
            conditions, generated, seenConditions, psthSmoothing, decoderWindows, ridge, plots,
        };
        preprocessing.AddTo(command);
        Option[] modelOnly = [model, burnIn, seeds, generations, holdout, metrics, corrBins, heldOutUnits, particles, smoothing, plot, threads];
        Option[] conditionsOnly = [generated, seenConditions, psthSmoothing, decoderWindows, ridge, plots];
        command.SetAction(parse => context.Execute(() =>
        {
            PreprocessingRequest read = preprocessing.Read(parse);
            if (parse.GetValue(conditions))
            {
                string[] given =
                [
                    .. modelOnly.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name),
                    .. new (bool Given, string Flag)[] { (read.Channels is not null, "--channels"), (read.ZScore, "--zscore"), (read.Preprocessed, "--preprocessed"), (read.Binning is not null, "--bin-width") }
                        .Where(f => f.Given).Select(f => f.Flag),
                ];
                if (given.Length > 0)
                {
                    throw new InputException(
                        $"{string.Join(", ", given)} {(given.Length == 1 ? "belongs" : "belong")} to scoring a model, but --conditions compares two files of trials.",
                        "drop --conditions to score a model with --model, or drop those flags and pass --generated GEN.npz --data TRUTH.npz.");
                }

                string generatedPath = parse.GetValue(generated) ?? throw new InputException(
                    "--conditions needs the generated trials.",
                    "pass --generated GEN.npz, the npz that lowrank generate --inputs TRUTH.npz wrote.");
                return EvaluateConditions.Run(context, new EvaluateConditionsOptions(
                    generatedPath,
                    parse.GetValue(data)!,
                    conditionDefaults with
                    {
                        PsthSmoothing = parse.GetValue(psthSmoothing),
                        DecoderWindows = parse.GetValue(decoderWindows),
                        Ridge = parse.GetValue(ridge),
                        SeenConditions = parse.GetValue(seenConditions) is string seen ? CommonOptions.ParseNumbers(seen, "--seen-conditions") : null,
                        Seed = parse.GetValue(seed),
                    },
                    parse.GetValue(json),
                    parse.GetValue(plots)));
            }

            if (conditionsOnly.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } stray)
            {
                throw new InputException($"{stray.Name} belongs to --conditions, which was not passed.", $"pass --conditions --generated GEN.npz to compare trials per condition, or drop {stray.Name}.");
            }

            string modelPath = parse.GetValue(model) ?? throw new InputException(
                "evaluate needs --model DIR (a fitted model to score), or --conditions to compare generated with true trials.",
                "pass --model DIR, or --conditions --generated GEN.npz --data TRUTH.npz.");
            return Run(context, new EvaluateOptions(
                modelPath,
                parse.GetValue(data)!,
                new EvaluationRequest
                {
                    BurnIn = parse.GetValue(burnIn),
                    Seeds = parse.GetValue(seeds),
                    Generations = parse.GetValue(generations),
                    Holdout = parse.GetValue(holdout),
                    Seed = parse.GetValue(seed),
                    Threads = parse.GetValue(threads),
                },
                parse.GetValue(json),
                read,
                ModelNames.Parse<EvaluationMetrics>(parse.GetValue(metrics)!, "metrics"),
                new SpikingOptions
                {
                    CorrelationBins = parse.GetValue(corrBins),
                    HeldOutUnits = parse.GetValue(heldOutUnits),
                    Particles = parse.GetValue(particles),
                    Smoothing = ModelNames.Parse<Smoothing>(parse.GetValue(smoothing)!, "smoothing"),
                },
                parse.GetValue(plot)));
        }));
        return command;
    }

    private static int Run(CliContext context, EvaluateOptions options)
    {
        options.Request.Validate();
        SpikingOptions spiking = options.Spiking ?? new SpikingOptions();
        spiking.Validate();
        if (options.PlotPath is not null)
        {
            CommonOptions.RequireExtension(options.PlotPath, ".png", "--plot");
        }

        if (options.Metrics == EvaluationMetrics.Eeg)
        {
            RequireNoSpikingFlags(options, spiking, "--metrics eeg was passed");
        }

        new OutputPlan().Reads(options.ModelDirectory, "--model").Reads(options.DataPath, "--data").WritesFile(options.JsonPath, "--json").WritesFile(options.PlotPath, "--plot").Check();
        var stored = ModelStore.Load(options.ModelDirectory);

        // Spike counts may have missing bins (NaN), which the spiking statistics and the posterior skip.
        bool spikesExpected = options.Metrics == EvaluationMetrics.Spikes || (options.Metrics == EvaluationMetrics.Auto && stored.Model.Options.Likelihood == Likelihood.Poisson);
        Recording recording = RecordingPreprocessing.LoadForModel(options.DataPath, stored.Preprocessing, options.Preprocessing with { AllowMissing = spikesExpected }, $"model '{options.ModelDirectory}'");
        if (SpikeBinningOptions.Describe(recording) is { } binning)
        {
            context.Output.WriteLine(binning);
        }

        EvaluationMetrics chosen = SpikingEvaluator.Choose(options.Metrics, stored.Model, recording.Data, $"recording '{options.DataPath}'");
        if (chosen == EvaluationMetrics.Spikes)
        {
            return RunSpikes(context, options, spiking, stored.Model, recording);
        }

        RequireNoSpikingFlags(options, spiking, $"the EEG metrics were chosen (the model's likelihood is {ModelNames.Of(stored.Model.Options.Likelihood)} and the data are not spike counts)");
        int generations = options.Request.Generations;
        EvaluationResult result = ProtocolEvaluator.Evaluate(stored.Model, recording.Data, options.Request, generations > 1 ? context.CreateProgress() : null);
        var report = new EvaluationReport(
            result.DStsp,
            result.DStspSd,
            result.DStspSdOver,
            result.DStspMonteCarloSd,
            result.DH,
            result.DHSd,
            result.Generations,
            result.DStspPerGeneration,
            result.DHPerGeneration,
            result.GenerationSeeds,
            result.DStspPerSeed,
            result.DStspDropped,
            result.Series[0].Metrics.DStspDraws,
            result.DHPerChannel,
            result.DominantFrequency,
            result.DominantFrequencyPerGeneration,
            result.DataDominantFrequency,
            result.Steps,
            result.FirstStep,
            result.BurnIn,
            result.InitialState,
            options.Request.Holdout,
            options.Request.Seed,
            Path.GetFullPath(options.ModelDirectory),
            Path.GetFullPath(options.DataPath));
        Print(context.Output, options, result, report);
        if (options.JsonPath is not null)
        {
            JsonFile.Write(options.JsonPath, report);
        }

        return ExitCodes.Success;
    }

    /// <summary>Throws <see cref="InputException"/> when a flag of the spiking metrics was given although <paramref name="why"/>.</summary>
    private static void RequireNoSpikingFlags(EvaluateOptions options, SpikingOptions spiking, string why)
    {
        string? flag = spiking.HeldOutUnits is not null ? "--heldout-units" : spiking.CorrelationBins is not null ? "--corr-bins" : options.PlotPath is not null ? "--plot" : null;
        if (flag is not null)
        {
            throw new InputException(
                $"{flag} belongs to the spiking metrics, but {why}.",
                $"drop {flag}, or score a Poisson model on spike counts (--metrics spikes).");
        }
    }

    /// <summary>The spiking statistics (and co-smoothing) of G generated series against the recorded counts; JSON and PNG.</summary>
    private static int RunSpikes(CliContext context, EvaluateOptions options, SpikingOptions spiking, LowRankRnn model, Recording recording)
    {
        string plotPath = options.PlotPath ?? (options.JsonPath is not null ? Path.ChangeExtension(options.JsonPath, ".png") : DefaultPlotFile);
        if (options.PlotPath is null)
        {
            new OutputPlan().Reads(options.ModelDirectory, "--model").Reads(options.DataPath, "--data").WritesFile(options.JsonPath, "--json").WritesFile(plotPath, "--plot").Check();
        }

        int generations = options.Request.Generations;
        SpikingEvaluationResult result = SpikingEvaluator.Evaluate(model, recording.Data, options.Request, spiking, generations > 1 ? context.CreateProgress() : null);
        SpikingEvaluationReport report = SpikingEvaluationReport.Of(result, options, spiking, Path.GetFullPath(plotPath));
        PrintSpikes(context.Output, options, spiking, result);
        if (options.JsonPath is not null)
        {
            JsonFile.Write(options.JsonPath, report);
        }

        SpikingSeries first = result.Series[0];
        SpikingStatisticsPlots.Save(plotPath, result.Data, first.Generated, first.Agreement, result.Raster);
        context.Output.WriteLine($"wrote {plotPath}");
        return ExitCodes.Success;
    }

    /// <summary>
    /// The scored steps, then one line per agreement number (with G &gt; 1: mean ± sd over the series) and, when asked,
    /// co-bps with the held-out units.
    /// </summary>
    private static void PrintSpikes(TextWriter output, EvaluateOptions options, SpikingOptions spiking, SpikingEvaluationResult result)
    {
        int generations = result.Generations;
        string scored = options.Request.Holdout is null
            ? $"all {result.Steps} steps"
            : $"held-out steps {result.FirstStep}..{result.FirstStep + result.Steps - 1} ({result.Steps} steps)";
        string against = generations == 1 ? "a series" : $"{generations} series";
        string each = generations == 1 ? "" : " each";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scored {scored} of '{options.DataPath}' ({result.Data.Units} units, spike counts per bin) against {against} generated after {result.BurnIn} burn-in steps{each} ({result.InitialState.Replace('_', ' ')} initial state)"));
        (double rateSd, double pairwiseSd, double isiSd) = result.SdOverSeries;
        SpikingAgreement agreement = result.Series[0].Agreement;
        SpikeCountStatistics generated = result.Series[0].Generated;
        string over = generations == 1 ? "" : "series 0: ";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rate_r          {WithSpread(result.RateR, rateSd, generations)}({over}{agreement.RateUnits} units; mean rate data {result.Data.PopulationRate:0.000}, generated {generated.PopulationRate:0.000} spikes per bin)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pairwise_corr_r {WithSpread(result.PairwiseCorrR, pairwiseSd, generations)}({over}{agreement.Pairs} pairs; counts per bin)"));
        if (result.PairwiseCorrRSummed is double summed)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pairwise_corr_r {WithSpread(summed, 0, 1)}(counts summed over {spiking.CorrelationBins} bins)"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"isi_cv_error    {WithSpread(result.IsiCvError, isiSd, generations)}({over}median over {agreement.IsiCvUnits} units; median ISI CV data {result.Data.MedianIsiCv:0.000}, generated {generated.MedianIsiCv:0.000})"));
        if (result.CoSmoothing is CoSmoothingScore co)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"co_bps          {co.BitsPerSpike:0.0000} (held-out units {string.Join(", ", co.HeldOutUnits)}: {co.Spikes} spikes; {PosteriorName(spiking.Smoothing)}, {spiking.Particles} particles)"));
        }
    }

    /// <summary><c>0.987 </c> for one series, <c>0.987 ± 0.004 (sd over 3 series) </c> for several.</summary>
    private static string WithSpread(double value, double sd, int generations) =>
        generations == 1
            ? string.Create(CultureInfo.InvariantCulture, $"{value:0.000} ")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.000} ± {sd:0.000} (sd over {generations} series) ");

    /// <summary>How the co-smoothing posterior is described: <c>filtering</c>, <c>marginal smoother</c>, <c>conditional smoother</c>.</summary>
    internal static string PosteriorName(Smoothing smoothing) => smoothing == Smoothing.None ? "filtering" : $"{ModelNames.Of(smoothing)} smoother";

    /// <summary>
    /// One series: the scored steps, d_stsp ± its Monte-Carlo sd, d_h (as before generations existed). G series: the
    /// same lines with mean ± sd over the series, then each series' values on one line per metric.
    /// </summary>
    private static void Print(TextWriter output, EvaluateOptions options, EvaluationResult result, EvaluationReport report)
    {
        int generations = result.Generations, seeds = options.Request.Seeds;
        string scored = options.Request.Holdout is null
            ? $"all {result.Steps} steps"
            : $"held-out steps {result.FirstStep}..{result.FirstStep + result.Steps - 1} ({result.Steps} steps)";
        string against = generations == 1 ? "a series" : $"{generations} series";
        string each = generations == 1 ? "" : " each";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scored {scored} of '{options.DataPath}' against {against} generated after {result.BurnIn} burn-in steps{each} ({result.InitialState.Replace('_', ' ')} initial state)"));
        int dropped = report.DStspDropped.Sum();
        string drops = string.Create(CultureInfo.InvariantCulture, $"{dropped} of {report.DStspDropped.Length * report.DStspDraws} draws dropped as float32 underflow");
        if (generations == 1)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"d_stsp {report.DStsp:0.000} ± {report.DStspSd:0.000} (sd over {seeds} seeds; {drops})"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"d_h    {report.DH:0.0000}"));
            PrintFrequency(output, report);
            return;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"d_stsp {report.DStsp:0.000} ± {report.DStspSd:0.000} (sd over {generations} series; Monte-Carlo sd {report.DStspMonteCarloSd:0.000} over {seeds} seeds each; {drops})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"d_h    {report.DH:0.0000} ± {report.DHSd:0.0000} (sd over {generations} series)"));
        output.WriteLine("d_stsp per series: " + string.Join(' ', report.DStspPerGeneration.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture))));
        output.WriteLine("d_h    per series: " + string.Join(' ', report.DHPerGeneration.Select(v => v.ToString("0.0000", CultureInfo.InvariantCulture))));
        PrintFrequency(output, report);
    }

    /// <summary><c>dominant frequency 0.0612 cycles/step generated (mean over series), 0.0598 data</c>.</summary>
    private static void PrintFrequency(TextWriter output, EvaluationReport report)
    {
        string over = report.Generations > 1 ? " (mean over the series)" : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dominant frequency {report.DominantFrequency:0.0000} cycles/step generated{over}, {report.DataDominantFrequency:0.0000} data"));
    }
}

/// <summary>The figures <c>lowrank evaluate --json</c> writes (docs/fitting.md, "lowrank evaluate").</summary>
/// <remarks>
/// The keys of one series (G = 1) keep their meaning from before <c>--generations</c>: <c>d_stsp_sd</c> is the sd
/// over the Monte-Carlo seeds. With G &gt; 1 <c>d_stsp_sd</c> is the sd over the series and <c>d_stsp_sd_over</c> says so.
/// </remarks>
internal sealed record EvaluationReport(
    [property: JsonPropertyName("d_stsp")] double DStsp,
    [property: JsonPropertyName("d_stsp_sd")] double DStspSd,
    [property: JsonPropertyName("d_stsp_sd_over")] string DStspSdOver,
    [property: JsonPropertyName("d_stsp_mc_sd")] double DStspMonteCarloSd,
    [property: JsonPropertyName("d_h")] double DH,
    [property: JsonPropertyName("d_h_sd")] double DHSd,
    [property: JsonPropertyName("generations")] int Generations,
    [property: JsonPropertyName("d_stsp_per_generation")] double[] DStspPerGeneration,
    [property: JsonPropertyName("d_h_per_generation")] double[] DHPerGeneration,
    [property: JsonPropertyName("generation_seeds")] long[] GenerationSeeds,
    [property: JsonPropertyName("d_stsp_per_seed")] double[] DStspPerSeed,
    [property: JsonPropertyName("d_stsp_dropped")] int[] DStspDropped,
    [property: JsonPropertyName("d_stsp_draws")] int DStspDraws,
    [property: JsonPropertyName("d_h_per_channel")] double[] DHPerChannel,
    [property: JsonPropertyName("dominant_frequency")] double DominantFrequency,
    [property: JsonPropertyName("dominant_frequency_per_generation")] double[] DominantFrequencyPerGeneration,
    [property: JsonPropertyName("data_dominant_frequency")] double DataDominantFrequency,
    int Steps,
    int FirstStep,
    int BurnIn,
    string InitialState,
    double? Holdout,
    long Seed,
    string Model,
    string Data);

