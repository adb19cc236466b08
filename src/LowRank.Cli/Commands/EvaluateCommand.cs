using System.CommandLine;
using System.Globalization;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Metrics;
using LowRank.Model;

namespace LowRank.Cli.Commands;

/// <summary>What <c>lowrank evaluate</c> was asked to do.</summary>
internal sealed record EvaluateOptions(string ModelDirectory, string DataPath, EvaluationRequest Request, string? JsonPath, PreprocessingRequest? Preprocessing = null);

/// <summary>
/// <c>lowrank evaluate --model DIR --data FILE</c>: generates from the model by the published protocol
/// and reports D_stsp (mean and sd over Monte-Carlo seeds) and D_H against the data.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "Model directory (from lowrank fit).", Required = true };
        var data = new Option<string>("--data") { Description = "Recording to score against (.npy, .npz, .csv, .edf), one continuous series [T, X].", Required = true };
        var burnIn = new Option<int>("--burn-in") { Description = "Steps simulated before recording (published protocol: 2400).", DefaultValueFactory = _ => 2400 };
        var seeds = new Option<int>("--seeds") { Description = "Monte-Carlo repetitions of D_stsp averaged.", DefaultValueFactory = _ => 5 };
        var holdout = new Option<double?>("--holdout") { Description = "Score on the last fraction of the recording only (e.g. 0.2, matching fit --holdout)." };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var preprocessing = PreprocessingOptions.ForModel();
        var command = new Command("evaluate", "Score a fitted model against a recording: D_stsp and D_H of a generated series (published protocol).")
        {
            model, data, burnIn, seeds, holdout, seed, threads, json,
        };
        preprocessing.AddTo(command);
        command.SetAction(parse => context.Execute(() => Run(context, new EvaluateOptions(
            parse.GetValue(model)!,
            parse.GetValue(data)!,
            new EvaluationRequest
            {
                BurnIn = parse.GetValue(burnIn),
                Seeds = parse.GetValue(seeds),
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
        Recording recording = RecordingPreprocessing.LoadForModel(options.DataPath, stored.Preprocessing, options.Preprocessing ?? new(), $"model '{options.ModelDirectory}'");
        EvaluationResult result = ProtocolEvaluator.Evaluate(stored.Model, recording.Data, options.Request);
        var report = new EvaluationReport(
            result.Metrics.DStsp,
            result.Metrics.DStspSd,
            result.Metrics.DH,
            result.Metrics.DStspPerSeed,
            result.Metrics.DStspDropped,
            result.Metrics.DStspDraws,
            result.Metrics.DHPerChannel,
            result.Steps,
            result.FirstStep,
            result.BurnIn,
            result.InitialState,
            options.Request.Holdout,
            options.Request.Seed,
            Path.GetFullPath(options.ModelDirectory),
            Path.GetFullPath(options.DataPath));
        TextWriter output = context.Output;
        string scored = options.Request.Holdout is null
            ? $"all {result.Steps} steps"
            : $"held-out steps {result.FirstStep}..{result.FirstStep + result.Steps - 1} ({result.Steps} steps)";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scored {scored} of '{options.DataPath}' against a series generated after {result.BurnIn} burn-in steps ({result.InitialState.Replace('_', ' ')} initial state)"));
        int dropped = result.Metrics.DStspDropped.Sum();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"d_stsp {report.DStsp:0.000} ± {report.DStspSd:0.000} (sd over {report.DStspPerSeed.Length} seeds; {dropped} of {report.DStspPerSeed.Length * report.DStspDraws} draws dropped as float32 underflow)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"d_h    {report.DH:0.0000}"));
        if (options.JsonPath is not null)
        {
            JsonFile.Write(options.JsonPath, report);
        }

        return ExitCodes.Success;
    }
}

/// <summary>The figures <c>lowrank evaluate --json</c> writes.</summary>
internal sealed record EvaluationReport(
    [property: System.Text.Json.Serialization.JsonPropertyName("d_stsp")] double DStsp,
    [property: System.Text.Json.Serialization.JsonPropertyName("d_stsp_sd")] double DStspSd,
    [property: System.Text.Json.Serialization.JsonPropertyName("d_h")] double DH,
    [property: System.Text.Json.Serialization.JsonPropertyName("d_stsp_per_seed")] double[] DStspPerSeed,
    [property: System.Text.Json.Serialization.JsonPropertyName("d_stsp_dropped")] int[] DStspDropped,
    [property: System.Text.Json.Serialization.JsonPropertyName("d_stsp_draws")] int DStspDraws,
    [property: System.Text.Json.Serialization.JsonPropertyName("d_h_per_channel")] double[] DHPerChannel,
    int Steps,
    int FirstStep,
    int BurnIn,
    string InitialState,
    double? Holdout,
    long Seed,
    string Model,
    string Data);
