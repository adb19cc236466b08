using System.Diagnostics;
using LowRank.Analysis;
using LowRank.Data;
using LowRank.Encoders;
using LowRank.Metrics;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Plotting;
using LowRank.Simulation;
using LowRank.Smc;

namespace LowRank.Cli.Commands;

/// <summary>
/// <c>lowrank demo --spikes</c>: the spiking teacher–student loop (the seed's Fig. 3b) — a rank-2 oscillating teacher
/// network observed through Poisson spike counts, a Poisson student fitted to them with variational SMC (encoder or
/// bootstrap proposal), and their generated spike trains compared: oscillation frequency of the latents, per-neuron
/// mean rates and the median coefficient of variation of inter-spike intervals.
/// </summary>
internal static class SpikingDemo
{
    private const int DataSteps = 10_000;
    private const int CompareSteps = 10_000;
    private const int Neurons = 30;

    public static int Run(CliContext context, DemoOptions options, string? jsonPath)
    {
        var clock = Stopwatch.StartNew();
        new OutputPlan().WritesInto(options.Out, "--out", DemoCommand.OutputKind).WritesFile(jsonPath, "--json").Check();
        Directory.CreateDirectory(options.Out);
        TextWriter log = context.Output;

        // 1. Teacher and its spike counts.
        var teacherOptions = new TeacherOptions
        {
            Kind = TeacherKind.Oscillator,
            Rank = 2,
            Units = 256,
            Channels = Neurons,
            Activation = Activation.ClippedRelu,
            Likelihood = Likelihood.Poisson,
            Link = Link.Exp,
            LatentNoise = 0.05,
            Period = 25,
            Seed = options.Seed,
        };
        (LowRankRnn teacher, SimulationResult data, string dataPath) = DemoCommand.SimulateTeacher(options, teacherOptions, DataSteps);
        double meanCount = data.Samples.Average();
        log.WriteLine($"1/3 teacher: rank-2 clipped-relu oscillator, N = {teacherOptions.Units}, {Neurons} Poisson neurons (exp link, {meanCount:F2} spikes per bin on average); {DataSteps} steps → {dataPath}");

        // 2. Poisson student.
        var recipe = new FitSettings
        {
            Model = new ModelOptions
            {
                Rank = 2, Units = 128, Activation = Activation.ClippedRelu, Likelihood = Likelihood.Poisson, Link = Link.Exp, InitTransitionNoiseScale = 0.1,
                Encoder = options.Proposal == ProposalKind.Encoder ? new EncoderOptions { KernelSizes = [11, 5, 1], Channels = [32, 16] } : null,
            },
            Objective = new VsmcOptions { Particles = 20, Proposal = options.Proposal, Threads = options.Threads },
            Trainer = new FitTrainerSettings { Epochs = options.Epochs, BatchSize = 10, WindowLength = 50, WindowsPerEpoch = 200, LearningRate = 1e-3, FinalLearningRate = 1e-4, CheckpointEvery = 50, Seed = options.Seed + 2 },
        };
        log.WriteLine($"2/3 fitting a rank-2 Poisson student (N = {recipe.Model.Units}) with VSMC: {recipe.Objective.Particles} particles, {ModelNames.Of(options.Proposal)} proposal, {options.Epochs} epochs");
        FitResult fit = ModelFitter.Fit(SequenceSet.Continuous(data.Samples, DataSteps, Neurons), recipe, progress: context.CreateProgress());
        LowRankRnn student = fit.Model;
        ModelStore.Save(Path.Combine(options.Out, "student"), student, CliProvenance.Create(dataPath, options.Seed + 2));
        TrainingPlots.SaveLearningCurve(Path.Combine(options.Out, "learning-curve.png"), fit.Training.Summary, "spiking demo student");

        // 3. Generated spike trains compared.
        var compare = new SimulationOptions { Steps = CompareSteps, Trials = 1, BurnIn = 200, Seed = options.Seed + 3, Threads = options.Threads };
        SimulationResult teacherRun = Simulator.Run(teacher, compare);
        SimulationResult studentRun = Simulator.Run(student, compare with { Seed = options.Seed + 4 });
        SpikingComparison comparison = SpikingComparison.Of(teacherRun, studentRun, fit.Training.Summary.Objective[^1], clock.Elapsed.TotalSeconds);
        string figure = Path.Combine(options.Out, "teacher-vs-student-spikes.png");
        SpikingPlots.SaveTeacherStudent(figure, teacherRun, studentRun);
        log.WriteLine($"3/3 oscillation frequency (cycles/step): teacher {comparison.TeacherFrequency:F4}, student {comparison.StudentFrequency:F4} ({comparison.FrequencyError:+0.0%;-0.0%})");
        log.WriteLine($"    per-neuron mean rates: correlation r = {comparison.RateCorrelation:F3} (teacher mean {comparison.TeacherMeanRate:F3}, student {comparison.StudentMeanRate:F3} spikes per bin)");
        log.WriteLine($"    median ISI CV: teacher {comparison.TeacherIsiCv:F3}, student {comparison.StudentIsiCv:F3} ({comparison.IsiCvError:+0.0%;-0.0%})  → {figure}");
        if (jsonPath is not null)
        {
            Formats.JsonFile.Write(jsonPath, comparison);
        }

        log.WriteLine($"done in {clock.Elapsed.TotalSeconds:F1} s; outputs in {options.Out}/ (data.npz, teacher/, student/, *.png)");
        return ExitCodes.Success;
    }
}

/// <summary>Spiking teacher–student figures printed by <c>demo --spikes</c> (and written with <c>--json</c>).</summary>
internal sealed record SpikingComparison(
    double TeacherFrequency, double StudentFrequency, double RateCorrelation, double TeacherMeanRate, double StudentMeanRate,
    double TeacherIsiCv, double StudentIsiCv, double FinalObjective, double Seconds)
{
    public double FrequencyError => StudentFrequency / TeacherFrequency - 1;

    public double IsiCvError => StudentIsiCv / TeacherIsiCv - 1;

    /// <summary>The figures of generated teacher and student trials (trial 0 of each).</summary>
    public static SpikingComparison Of(SimulationResult teacher, SimulationResult student, double finalObjective, double seconds)
    {
        int steps = teacher.Steps, x = teacher.Channels;
        double[] teacherRates = SpikingStatistics.MeanRates(teacher.Samples.AsSpan(0, steps * x), steps, x);
        double[] studentRates = SpikingStatistics.MeanRates(student.Samples.AsSpan(0, steps * x), steps, x);
        return new SpikingComparison(
            Spectra.DominantFrequency(teacher.Latents, steps, teacher.Rank),
            Spectra.DominantFrequency(student.Latents, steps, student.Rank),
            Statistics.Correlation(teacherRates, studentRates),
            teacherRates.Average(),
            studentRates.Average(),
            SpikingStatistics.MedianDefined(SpikingStatistics.IsiCv(teacher.Samples.AsSpan(0, steps * x), steps, x)),
            SpikingStatistics.MedianDefined(SpikingStatistics.IsiCv(student.Samples.AsSpan(0, steps * x), steps, x)),
            finalObjective,
            seconds);
    }
}
