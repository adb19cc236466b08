using System.CommandLine;
using System.Globalization;
using LowRank.Cli.Benchmarks;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Smc;

namespace LowRank.Cli.Commands;

/// <summary>What <c>lowrank bench vsmc</c> was asked to do.</summary>
internal sealed record BenchVsmcOptions(string Preset, string DataPath, int? Iterations, int Threads, string? JsonPath);

/// <summary>
/// <c>lowrank bench vsmc --preset eeg|hippocampus --data FILE [--iterations n] [--threads t] [--json FILE]</c>:
/// milliseconds per full training iteration (forward, backward, RAdam step) of a published configuration on random
/// windows of the recording; prints <c>{"ms_per_iteration": …, "threads": …}</c>.
/// </summary>
internal static class BenchVsmcCommand
{
    public static Command Create(CliContext context)
    {
        var preset = new Option<string>("--preset")
        {
            Description = "Configuration to time: eeg (B = 10 windows of T = 50, K = 10, R = 3, N = 512, clipped relu, optimal proposal) or hippocampus (B = 64 windows of T = 100, K = 64, R = 4, N = 512, softplus Poisson, CNN encoder proposal; spike counts such as hc11_buddy.npz).",
            DefaultValueFactory = _ => "eeg",
        };
        var data = new Option<string>("--data")
        {
            Description = "Recording whose random windows are filtered ([T, X] .npy, .npz, .csv or .edf).",
            HelpName = "FILE",
            Required = true,
        };
        var iterations = new Option<int?>("--iterations")
        {
            Description = "Timed iterations, after untimed warm-up iterations (a tenth as many, at least 3, and at least 2 s so that the JIT has optimised the hot code). [default: 200 for eeg, 30 for hippocampus]",
        };
        var threads = new Option<int>("--threads")
        {
            Description = "Worker threads over the batch.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var json = new Option<string?>("--json")
        {
            Description = "Also write the result as JSON to FILE.",
            HelpName = "FILE",
        };
        var command = new Command("vsmc", "Time one VSMC training iteration (forward, backward, optimiser step).")
        {
            preset,
            data,
            iterations,
            threads,
            json,
        };
        command.SetAction(parse => context.Execute(() => Run(context, new BenchVsmcOptions(
            parse.GetValue(preset)!, parse.GetValue(data)!, parse.GetValue(iterations), parse.GetValue(threads), parse.GetValue(json)))));
        return command;
    }

    private static int Run(CliContext context, BenchVsmcOptions options)
    {
        FitSettings recipe = FitPresets.Get(options.Preset);
        int iterations = options.Iterations ?? (options.Preset == "eeg" ? 200 : 30);
        new OutputPlan().Reads(options.DataPath, "--data").WritesFile(options.JsonPath, "--json").Check();
        Recording recording = RecordingLoader.Load(options.DataPath);
        VsmcBenchmarkResult result = VsmcBenchmark.Run(new VsmcBenchmarkOptions(
            recording.Data.Observations, recording.Trials * recording.Steps, recording.Channels, iterations, Math.Max(3, iterations / 10), options.Threads, Recipe: recipe));
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"ms_per_iteration\": {result.MsPerIteration:0.###}, \"threads\": {result.Threads}, \"mean_ms_per_iteration\": {result.MeanMsPerIteration:0.###}, \"cpu_ms_per_iteration\": {result.CpuMsPerIteration:0.###}}}");
        context.Output.WriteLine(line);
        if (options.JsonPath is not null)
        {
            JsonFile.Write(options.JsonPath, result);
        }

        return ExitCodes.Success;
    }
}
