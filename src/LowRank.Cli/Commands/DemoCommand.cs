using System.CommandLine;
using System.Diagnostics;
using LowRank.Analysis;
using LowRank.Analysis.FixedPoints;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Metrics;
using LowRank.Model;
using LowRank.Plotting;
using LowRank.Simulation;
using LowRank.Smc;

namespace LowRank.Cli.Commands;

/// <summary>Options of <c>lowrank demo</c>.</summary>
/// <param name="Out">Output directory.</param>
/// <param name="Seed">Seed of the teacher, the data and the fit.</param>
/// <param name="Threads">Worker threads.</param>
/// <param name="Epochs">Training epochs of the student.</param>
/// <param name="Spikes">Run the spiking teacher–student loop instead (Poisson counts).</param>
/// <param name="Proposal">Proposal of the spiking student (encoder or bootstrap).</param>
internal sealed record DemoOptions(string Out, long Seed, int Threads, int Epochs, bool Spikes = false, ProposalKind Proposal = ProposalKind.Encoder);

/// <summary>
/// <c>lowrank demo</c>: the main job end to end on an embedded default — simulate a rank-2 oscillating
/// teacher network, fit a stochastic low-rank student to its noisy observations with variational SMC,
/// compare the two (latents, samples, latent-noise level, oscillation frequency) and find the
/// fixed points of both.
/// </summary>
internal static class DemoCommand
{
    private const int DataSteps = 6000;
    private const int CompareSteps = 6000;

    public static Command Create(CliContext context)
    {
        var output = new Option<string>("--out") { Description = "Output directory.", DefaultValueFactory = _ => "lowrank-demo" };
        var seed = CommonOptions.Seed(1);
        var threads = CommonOptions.Threads();
        var epochs = new Option<int?>("--epochs") { Description = "Training epochs of the student (100 windows of 50 steps each; 200 with --spikes). [default: 400; 300 with --spikes]" };
        var spikes = new Option<bool>("--spikes") { Description = "The spiking loop: a rank-2 oscillator teacher observed through Poisson spike counts, a Poisson student, and their rasters, rates, frequencies, mean rates and ISI CVs compared." };
        var proposal = new Option<string>("--proposal") { Description = "Proposal of the spiking student: encoder (a CNN encoder trained with it) or bootstrap.", DefaultValueFactory = _ => "encoder" };
        proposal.AcceptOnlyFromAmong("encoder", "bootstrap");
        var json = CommonOptions.Json();
        var command = new Command("demo", "Run the main job end to end: simulate an oscillating teacher network, fit a low-rank student with variational SMC, compare them and find their fixed points (--spikes: the same with Poisson spike counts).")
        {
            output, seed, threads, epochs, spikes, proposal, json,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            bool spiking = parse.GetValue(spikes);
            int epochCount = parse.GetValue(epochs) ?? (spiking ? 300 : 400);
            CommonOptions.RequirePositive(epochCount, "Epochs");
            CommonOptions.RequirePositive(parse.GetValue(threads), "Threads");
            if (!spiking && parse.GetResult(proposal) is { Implicit: false })
            {
                throw new InputException("--proposal chooses the proposal of the spiking student, but --spikes was not given.", "add --spikes, or drop --proposal (the Gaussian demo uses the optimal proposal).");
            }

            var options = new DemoOptions(
                parse.GetValue(output)!, parse.GetValue(seed), parse.GetValue(threads), epochCount, spiking, ModelNames.Parse<ProposalKind>(parse.GetValue(proposal)!, "proposal"));
            return spiking ? SpikingDemo.Run(context, options, parse.GetValue(json)) : Run(context, options, parse.GetValue(json));
        }));
        return command;
    }

    /// <summary>An earlier demo's output directory (it holds the teacher model), which a new demo may overwrite.</summary>
    internal static readonly DirectoryKind OutputKind = new("demo output directory", d => ModelStore.OutputKind.Recognises(Path.Combine(d, "teacher")));

    private static int Run(CliContext context, DemoOptions options, string? jsonPath)
    {
        var clock = Stopwatch.StartNew();
        new OutputPlan().WritesInto(options.Out, "--out", OutputKind).WritesFile(jsonPath, "--json").Check();
        Directory.CreateDirectory(options.Out);
        TextWriter log = context.Output;

        // 1. Teacher and its data.
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
        (LowRankRnn teacher, SimulationResult data, string dataPath) = SimulateTeacher(options, teacherOptions, DataSteps);
        log.WriteLine($"1/4 teacher: rank-2 clipped-relu oscillator, N = {teacherOptions.Units}, X = {teacherOptions.Channels}, latent noise sd {teacherOptions.LatentNoise}; {DataSteps} steps → {dataPath}");

        // 2. Student fitted with VSMC on random windows of the recording.
        var recipe = new FitSettings
        {
            Model = new ModelOptions { Rank = 2, Units = 128, Activation = Activation.ClippedRelu, InitTransitionNoiseScale = 0.1, InitObservationScale = 0.3 },
            Objective = new VsmcOptions { Particles = 10, Proposal = ProposalKind.Optimal, Threads = options.Threads },
            Trainer = new FitTrainerSettings { Epochs = options.Epochs, BatchSize = 10, WindowLength = 50, WindowsPerEpoch = 100, LearningRate = 1e-2, FinalLearningRate = 1e-4, CheckpointEvery = 50, Seed = options.Seed + 2 },
        };
        log.WriteLine($"2/4 fitting a rank-2 student (N = {recipe.Model.Units}) with VSMC: {recipe.Objective.Particles} particles, optimal proposal, {options.Epochs} epochs");
        FitResult fit = ModelFitter.Fit(
            SequenceSet.Continuous(data.Samples, DataSteps, teacherOptions.Channels),
            recipe,
            progress: context.CreateProgress());
        LowRankRnn student = fit.Model;
        ModelStore.Save(Path.Combine(options.Out, "student"), student, CliProvenance.Create(dataPath, options.Seed + 2));
        string curvePath = Path.Combine(options.Out, "learning-curve.png");
        TrainingPlots.SaveLearningCurve(curvePath, fit.Training.Summary, "demo student");

        // 3. Compare generated data: latent-noise level and oscillation frequency.
        var compare = new SimulationOptions { Steps = CompareSteps, Trials = 1, BurnIn = 200, Seed = options.Seed + 3, Threads = options.Threads };
        SimulationResult teacherRun = Simulator.Run(teacher, compare);
        SimulationResult studentRun = Simulator.Run(student, compare with { Seed = options.Seed + 4 });
        var comparison = new DemoComparison(
            ObservedLatentNoise(teacher), ObservedLatentNoise(student),
            Spectra.DominantFrequency(teacherRun.Latents, CompareSteps, 2), Spectra.DominantFrequency(studentRun.Latents, CompareSteps, 2),
            fit.Training.Summary.Objective[^1], clock.Elapsed.TotalSeconds);
        SimulationPlots.SaveTeacherStudent(Path.Combine(options.Out, "teacher-vs-student.png"), teacherRun, studentRun);
        log.WriteLine($"3/4 latent noise (sd seen in the observations, √(tr(C Σz Cᵀ)/X)): teacher {comparison.TeacherNoise:F4}, student {comparison.StudentNoise:F4} ({comparison.NoiseError:+0.0%;-0.0%})");
        log.WriteLine($"    oscillation frequency (cycles/step): teacher {comparison.TeacherFrequency:F4}, student {comparison.StudentFrequency:F4} ({comparison.FrequencyError:+0.0%;-0.0%})");

        // 4. Fixed points of both latent maps, on their flow fields.
        foreach ((string name, LowRankRnn model) in new[] { ("teacher", teacher), ("student", student) })
        {
            FixedPointReport report = FixedPointAnalysis.Run(model, new FixedPointAnalysisOptions { MaxCyclePeriod = 0, Seed = options.Seed });
            FixedPointPlots.SaveFlowField(Path.Combine(options.Out, $"{name}-flow-field.png"), report.Map, report.FixedPoints.FixedPoints, report.Cycles, $"{name}: flow field and fixed points", options.Seed);
            string kinds = string.Join(", ", report.FixedPoints.FixedPoints.Select(p => ModelNames.Of(p.Stability)));
            log.WriteLine($"4/4 {name}: {report.FixedPoints.FixedPoints.Count} fixed point(s) [{kinds}] among {report.FixedPoints.Cells} cells → {name}-flow-field.png");
        }

        if (jsonPath is not null)
        {
            Formats.JsonFile.Write(jsonPath, comparison);
        }

        log.WriteLine($"done in {clock.Elapsed.TotalSeconds:F1} s; outputs in {options.Out}/ (data.npz, teacher/, student/, *.png)");
        return ExitCodes.Success;
    }

    /// <summary>
    /// The demos' first step: the teacher of <paramref name="teacherOptions"/>, saved as <c>teacher/</c>, and
    /// <paramref name="steps"/> steps of its data (after 200 burn-in steps, seed + 1), written to <c>data.npz</c>.
    /// </summary>
    internal static (LowRankRnn Teacher, SimulationResult Data, string DataPath) SimulateTeacher(DemoOptions options, TeacherOptions teacherOptions, int steps)
    {
        LowRankRnn teacher = Teachers.Create(teacherOptions);
        ModelStore.Save(Path.Combine(options.Out, "teacher"), teacher, CliProvenance.Create(seed: options.Seed));
        SimulationResult data = Simulator.Run(teacher, new SimulationOptions { Steps = steps, Trials = 1, BurnIn = 200, Seed = options.Seed + 1, Threads = options.Threads });
        string dataPath = Path.Combine(options.Out, "data.npz");
        SimulationWriter.Write(dataPath, data);
        return (teacher, data, dataPath);
    }

    /// <summary>√(tr(C Σz Cᵀ)/X): the latent noise as seen in the observations, independent of the latent coordinates.</summary>
    private static double ObservedLatentNoise(LowRankRnn model)
    {
        int r = model.Rank, x = model.Channels;
        double[] l = model.TransitionCholesky();
        ReadOnlySpan<double> c = model.C;
        double trace = 0;
        for (int i = 0; i < x; i++)
        {
            for (int b = 0; b < r; b++)
            {
                double cl = 0;
                for (int a = b; a < r; a++)
                {
                    cl += c[i * r + a] * l[a * r + b];
                }

                trace += cl * cl;
            }
        }

        return Math.Sqrt(trace / x);
    }
}

/// <summary>Teacher–student figures printed by the demo (and written with <c>--json</c>).</summary>
internal sealed record DemoComparison(double TeacherNoise, double StudentNoise, double TeacherFrequency, double StudentFrequency, double FinalObjective, double Seconds)
{
    public double NoiseError => StudentNoise / TeacherNoise - 1;

    public double FrequencyError => StudentFrequency / TeacherFrequency - 1;
}
