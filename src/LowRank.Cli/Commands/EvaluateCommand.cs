using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Metrics;
using LowRank.Model;

namespace LowRank.Cli.Commands;

/// <summary>What <c>lowrank evaluate</c> was asked to do.</summary>
internal sealed record EvaluateOptions(string ModelDirectory, string DataPath, EvaluationRequest Request, string? JsonPath, PreprocessingRequest Preprocessing);

/// <summary>
/// <c>lowrank evaluate --model DIR --data FILE</c>: generates from the model by the published protocol
/// and reports D_stsp (mean and sd over Monte-Carlo seeds) and D_H against the data; with
/// <c>--generations G</c> it scores G series from independent seeds and reports mean and sd over them.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "Model directory (from lowrank fit).", Required = true };
        var data = new Option<string>("--data") { Description = "Recording to score against (.npy, .npz, .csv, .edf), one continuous series [T, X].", Required = true };
        var burnIn = new Option<int>("--burn-in") { Description = "Steps simulated before recording (published protocol: 2400).", DefaultValueFactory = _ => 2400 };
        var seeds = new Option<int>("--seeds") { Description = "Monte-Carlo repetitions of D_stsp averaged.", DefaultValueFactory = _ => 5 };
        var generations = new Option<int>("--generations") { Description = "Series generated from independent seeds and scored; mean and sd over them are reported (published protocol: 1).", DefaultValueFactory = _ => 1 };
        var holdout = new Option<double?>("--holdout") { Description = "Score on the last fraction of the recording only (e.g. 0.2, matching fit --holdout)." };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var preprocessing = PreprocessingOptions.ForModel();
        var command = new Command("evaluate", "Score a fitted model against a recording: D_stsp and D_H of a generated series (published protocol).")
        {
            model, data, burnIn, seeds, generations, holdout, seed, threads, json,
        };
        preprocessing.AddTo(command);
        command.SetAction(parse => context.Execute(() => Run(context, new EvaluateOptions(
            parse.GetValue(model)!,
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
            preprocessing.Read(parse)))));
        return command;
    }

    private static int Run(CliContext context, EvaluateOptions options)
    {
        options.Request.Validate();
        new OutputPlan().Reads(options.ModelDirectory, "--model").Reads(options.DataPath, "--data").WritesFile(options.JsonPath, "--json").Check();
        var stored = ModelStore.Load(options.ModelDirectory);
        Recording recording = RecordingPreprocessing.LoadForModel(options.DataPath, stored.Preprocessing, options.Preprocessing, $"model '{options.ModelDirectory}'");
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
            return;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"d_stsp {report.DStsp:0.000} ± {report.DStspSd:0.000} (sd over {generations} series; Monte-Carlo sd {report.DStspMonteCarloSd:0.000} over {seeds} seeds each; {drops})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"d_h    {report.DH:0.0000} ± {report.DHSd:0.0000} (sd over {generations} series)"));
        output.WriteLine("d_stsp per series: " + string.Join(' ', report.DStspPerGeneration.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture))));
        output.WriteLine("d_h    per series: " + string.Join(' ', report.DHPerGeneration.Select(v => v.ToString("0.0000", CultureInfo.InvariantCulture))));
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
    int Steps,
    int FirstStep,
    int BurnIn,
    string InitialState,
    double? Holdout,
    long Seed,
    string Model,
    string Data);

