using System.CommandLine;
using System.Globalization;
using LowRank.Cli.Benchmarks;
using LowRank.Formats;

namespace LowRank.Cli.Commands;

/// <summary>
/// <c>lowrank bench machine [--threads t] [--array-mb MB] [--repeats n] [--json FILE]</c>: this machine's peak float32
/// and float64 FMA throughput (GFLOP/s) and memory bandwidth (GB/s, a triad), for one thread and for all; the ceilings
/// of the roofline in docs/performance.md. Prints one JSON line.
/// </summary>
internal static class BenchMachineCommand
{
    public static Command Create(CliContext context)
    {
        var threads = new Option<int>("--threads")
        {
            Description = "Threads of the all-threads figures (the single-thread figures use one).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var arrayMegabytes = new Option<int>("--array-mb")
        {
            Description = "Size of each of the triad's three float64 arrays in MB; keep it several times the last-level cache.",
            DefaultValueFactory = _ => 256,
        };
        var repeats = new Option<int>("--repeats")
        {
            Description = "Timed repeats of each measurement; the best is reported (the machine's capability, not its load).",
            DefaultValueFactory = _ => 5,
        };
        var json = CommonOptions.Json();
        var command = new Command("machine", "Measure this machine's peak FMA throughput (float32, float64) and memory bandwidth, one thread and all.")
        {
            threads, arrayMegabytes, repeats, json,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            CommonOptions.RequirePositive(parse.GetValue(threads), "Threads");
            RequireAtLeastOne(parse.GetValue(arrayMegabytes), "--array-mb", "pass --array-mb 256 or another size well above the last-level cache.");
            RequireAtLeastOne(parse.GetValue(repeats), "--repeats", "pass --repeats 1 or more.");

            new OutputPlan().WritesFile(parse.GetValue(json), "--json").Check();
            MachineBenchmarkResult result = MachineBenchmark.Run(new MachineBenchmarkOptions(parse.GetValue(threads), parse.GetValue(arrayMegabytes), parse.GetValue(repeats)));
            context.Output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"vector_bits\": {result.VectorBits}, \"threads\": {result.Threads}, \"f32_gflops_1t\": {result.Float32GflopsOneThread:0.#}, \"f32_gflops\": {result.Float32GflopsAllThreads:0.#}, \"f64_gflops_1t\": {result.Float64GflopsOneThread:0.#}, \"f64_gflops\": {result.Float64GflopsAllThreads:0.#}, \"triad_gbps_1t\": {result.TriadGBpsOneThread:0.##}, \"triad_gbps\": {result.TriadGBpsAllThreads:0.##}, \"array_mb\": {result.ArrayMegabytes}}}"));
            if (parse.GetValue(json) is { } path)
            {
                JsonFile.Write(path, result);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static void RequireAtLeastOne(int value, string flag, string hint)
    {
        if (value < 1)
        {
            throw new InputException($"{flag} must be at least 1 (got {value}).", hint);
        }
    }
}
