using System.CommandLine;
using System.Diagnostics;
using LowRank.Analysis.FixedPoints;
using LowRank.Model;
using LowRank.Plotting;
using LowRank.Simulation;

namespace LowRank.Cli.Commands;

/// <summary>Options of <c>lowrank demo</c>.</summary>
internal sealed record DemoOptions(string Out, long Seed, int Threads);

/// <summary><c>lowrank demo</c>: the main job end to end on an embedded default.</summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var output = new Option<string>("--out") { Description = "Output directory.", DefaultValueFactory = _ => "lowrank-demo" };
        var seed = CommonOptions.Seed(1);
        var threads = CommonOptions.Threads();
        var command = new Command("demo", "Run the main job end to end: simulate an oscillating teacher network, save data, model and plots.")
        {
            output, seed, threads,
        };
        command.SetAction(parse => context.Execute(() => Run(context, new DemoOptions(parse.GetValue(output)!, parse.GetValue(seed), parse.GetValue(threads)))));
        return command;
    }

    private static int Run(CliContext context, DemoOptions options)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(options.Out);
        TextWriter log = context.Output;
        var teacherOptions = new TeacherOptions
        {
            Kind = TeacherKind.Oscillator,
            Rank = 2,
            Units = 256,
            Channels = 16,
            Activation = Activation.ClippedRelu,
            LatentNoise = 0.05,
            Period = 25,
            Seed = options.Seed,
        };
        log.WriteLine($"1/3 teacher: rank-2 clipped-relu oscillator, N = {teacherOptions.Units} units, X = {teacherOptions.Channels} channels, latent noise sd {teacherOptions.LatentNoise}");
        LowRankRnn teacher = Teachers.Create(teacherOptions);
        string teacherDir = Path.Combine(options.Out, "teacher");
        ModelStore.Save(teacherDir, teacher, CliProvenance.Create(seed: options.Seed));

        var simulation = new SimulationOptions { Steps = 2000, Trials = 4, BurnIn = 200, Seed = options.Seed + 1, Threads = options.Threads };
        SimulationResult data = Simulator.Run(teacher, simulation);
        string dataPath = Path.Combine(options.Out, "data.npz");
        SimulationWriter.Write(dataPath, data);
        log.WriteLine($"2/3 simulated {data.Trials} trials × {data.Steps} steps → {dataPath}");

        string plotPath = Path.Combine(options.Out, "teacher.png");
        SimulationPlots.SaveLatentsAndSamples(plotPath, data, "teacher");
        log.WriteLine($"3/3 plotted latents and samples → {plotPath}");

        // The teacher's fixed points (exact enumeration) on its flow field.
        FixedPointReport fixedPoints = FixedPointAnalysis.Run(teacher, new FixedPointAnalysisOptions { Threads = options.Threads });
        string flowPath = Path.Combine(options.Out, "teacher-flow.png");
        FixedPointPlots.SaveFlowField(flowPath, fixedPoints.Map, fixedPoints.FixedPoints.FixedPoints, fixedPoints.Cycles, "teacher", options.Seed);
        string types = string.Join(", ", fixedPoints.FixedPoints.FixedPoints.Select(p => ModelNames.Of(p.Stability)));
        log.WriteLine($"    teacher fixed points: {fixedPoints.FixedPoints.FixedPoints.Count} ({types}) → {flowPath}");
        log.WriteLine($"done in {clock.Elapsed.TotalSeconds:F1} s; teacher model in {teacherDir}");
        return ExitCodes.Success;
    }
}
