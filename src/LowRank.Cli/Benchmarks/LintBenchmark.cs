using LowRank.Lint;
using LowRank.RateNetworks;
using LowRank.Tasks;
using LowRank.Training;

namespace LowRank.Cli.Benchmarks;

/// <summary>What <see cref="LintBenchmark.Run"/> measures.</summary>
/// <param name="Teacher">The teacher network whose units the student fits (a task-trained CDI network, or a random one of the same shape).</param>
/// <param name="Rank">R of the student.</param>
/// <param name="Batch">Trials per step (the whole training set: LINT fits are full batch).</param>
/// <param name="Iterations">Timed steps.</param>
/// <param name="WarmupIterations">Untimed steps first (JIT, workspaces); they last at least <see cref="IterationTimer.MinimumWarmup"/>.</param>
/// <param name="Threads">Worker threads over the trials of a batch.</param>
/// <param name="Seed">Seed of the trials and the student.</param>
internal sealed record LintBenchmarkOptions(RateNetwork Teacher, int Rank = 1, int Batch = 32, int Iterations = 100, int WarmupIterations = 10, int Threads = 2, long Seed = 1);

/// <summary>Timing of BPTT training steps.</summary>
/// <param name="MsPerStep">Median milliseconds per step (forward, backward, Adam).</param>
/// <param name="MeanMsPerStep">Mean milliseconds per step.</param>
/// <param name="CpuMsPerStep">Process CPU time per step, all threads.</param>
/// <param name="Units">N of the student (all teacher units observed).</param>
/// <param name="Rank">R of the student.</param>
/// <param name="Batch">Trials per step.</param>
/// <param name="Steps">Time steps per trial.</param>
/// <param name="Threads">Worker threads used.</param>
/// <param name="Iterations">Timed steps.</param>
internal sealed record LintBenchmarkResult(double MsPerStep, double MeanMsPerStep, double CpuMsPerStep, int Units, int Rank, int Batch, int Steps, int Threads, int Iterations);

/// <summary>
/// Times training steps of a LINT fit as <c>lowrank lint fit --teacher</c> runs them: a rank-R student of every
/// teacher unit (SVD start) fitted to the teacher's rates on a full batch of CDI trials (68 steps each); each
/// iteration is one step of the fit's trainer: forward and backward through time over the batch, then Adam.
/// </summary>
internal static class LintBenchmark
{
    public static LintBenchmarkResult Run(LintBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Iterations < 1 || options.Threads < 1 || options.Batch < 1 || options.Rank < 1)
        {
            throw new InputException(
                $"iterations ({options.Iterations}), threads ({options.Threads}), batch ({options.Batch}) and rank ({options.Rank}) must be at least 1.",
                "pass positive --iterations, --threads, --batch and --rank.");
        }

        var task = new ContextDependentIntegrationTask();
        var fit = new TrajectoryFitOptions(options.Rank, 1, 0.01, FitInitialization.Svd, options.Seed, options.Threads, TrainTrials: options.Batch, HeldOutTrials: 1);
        TrajectoryFitProblem problem = TrajectoryFitter.PrepareTeacher(options.Teacher, task, fit);
        (Trainer<TrialBatch> trainer, TrialSampler sampler) = RateNetworkTraining.Create(
            problem.Initial.Layout, problem.Train, problem.Observed, problem.Training(fit), null, NullProgress.Instance);
        double[] theta = (double[])problem.Initial.Theta.Clone();
        IterationTimes times = IterationTimer.Run(options.WarmupIterations, options.Iterations, iteration =>
        {
            sampler.BeginEpoch(iteration, 0);
            trainer.Step(theta, sampler.Batch(0), fit.LearningRate);
        });
        return new LintBenchmarkResult(times.MedianMs, times.MeanMs, times.CpuMs, problem.Initial.Spec.Units, options.Rank, problem.Train.Length, problem.Train[0].Steps, options.Threads, options.Iterations);
    }
}
