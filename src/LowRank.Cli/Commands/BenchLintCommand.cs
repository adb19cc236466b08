using System.CommandLine;
using System.Globalization;
using LowRank.Cli.Benchmarks;
using LowRank.Formats;
using LowRank.RateNetworks;
using LowRank.Tasks;

namespace LowRank.Cli.Commands;

/// <summary>
/// <c>lowrank bench lint [--teacher DIR] [--units N] [--batch B] [--iterations n] [--threads t] [--json FILE]</c>:
/// milliseconds per BPTT training step (forward, backward, Adam) of a rank-1 LINT fit to a CDI teacher; prints
/// <c>{"ms_per_step": …}</c>, comparable with one step of the published PyTorch code.
/// </summary>
internal static class BenchLintCommand
{
    public static Command Create(CliContext context)
    {
        var teacher = new Option<string?>("--teacher")
        {
            Description = "CDI teacher model directory (from 'lowrank task train --task cdi'); default: a random full-rank CDI network of --units units (the same work per step).",
            HelpName = "DIR",
        };
        var units = new Option<int>("--units") { Description = "N of the random teacher (and of the student, which observes every unit).", DefaultValueFactory = _ => 512 };
        var rank = new Option<int>("--rank") { Description = "Rank R of the student.", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "Trials per step (the fit's full batch).", DefaultValueFactory = _ => 32 };
        var iterations = new Option<int>("--iterations") { Description = "Timed steps (after at least 10 untimed warm-up steps lasting at least 2 s, so that the JIT has optimised the hot code).", DefaultValueFactory = _ => 100 };
        var seed = CommonOptions.Seed(1);
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("lint", "Time one BPTT training step (forward, backward, Adam) of a rank-1 LINT fit to a CDI teacher.")
        {
            teacher, units, rank, batch, iterations, seed, threads, json,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            CommonOptions.RequirePositive(parse.GetValue(units), "Units");
            CommonOptions.RequirePositive(parse.GetValue(rank), "Rank");
            CommonOptions.RequirePositive(parse.GetValue(batch), "BatchSize");
            CommonOptions.RequirePositive(parse.GetValue(iterations), "Iterations");
            CommonOptions.RequirePositive(parse.GetValue(threads), "Threads");
            new OutputPlan().Reads(parse.GetValue(teacher), "--teacher").WritesFile(parse.GetValue(json), "--json").Check();
            RateNetwork network = parse.GetValue(teacher) is string directory
                ? RateNetworkStore.Load(directory).Network
                : RandomTeacher(parse.GetValue(units), parse.GetValue(seed));
            LintBenchmarkResult result = LintBenchmark.Run(new LintBenchmarkOptions(
                network, parse.GetValue(rank), parse.GetValue(batch), parse.GetValue(iterations), Threads: parse.GetValue(threads), Seed: parse.GetValue(seed)));
            context.Output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"ms_per_step\": {result.MsPerStep:0.###}, \"threads\": {result.Threads}, \"units\": {result.Units}, \"rank\": {result.Rank}, \"batch\": {result.Batch}, \"steps\": {result.Steps}, \"mean_ms_per_step\": {result.MeanMsPerStep:0.###}, \"cpu_ms_per_step\": {result.CpuMsPerStep:0.###}}}"));
            if (parse.GetValue(json) is { } path)
            {
                JsonFile.Write(path, result);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>A full-rank CDI network as <c>task train</c> starts one (J ~ N(0, 0.6²/N)): the same shape and work as a trained teacher.</summary>
    private static RateNetwork RandomTeacher(int units, long seed)
    {
        var task = new ContextDependentIntegrationTask();
        var spec = new RateNetworkSpec(units, 0, task.Inputs, task.Outputs, CognitiveTask.Alpha, 0.05, ReadoutKind.Tanh);
        return RateNetwork.CreateRandom(spec, seed, 0.6);
    }
}
