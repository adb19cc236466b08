using LowRank.Data;
using LowRank.Model;
using LowRank.Smc;
using LowRank.Training;

namespace LowRank.Cli.Benchmarks;

/// <summary>What <see cref="VsmcBenchmark.Run"/> measures.</summary>
/// <param name="Recording">One continuous recording [steps, X], row-major.</param>
/// <param name="RecordingSteps">Its number of steps.</param>
/// <param name="Channels">X.</param>
/// <param name="Iterations">Timed training iterations.</param>
/// <param name="WarmupIterations">Untimed iterations first (JIT, workspaces); they last at least <see cref="IterationTimer.MinimumWarmup"/>.</param>
/// <param name="Threads">Worker threads over the batch.</param>
/// <param name="Seed">Seed of the model, the windows and the filter.</param>
/// <param name="Recipe">The fit recipe timed (<see cref="FitPresets.Eeg"/> when null).</param>
internal sealed record VsmcBenchmarkOptions(
    double[] Recording, int RecordingSteps, int Channels, int Iterations = 200, int WarmupIterations = 20, int Threads = 2, long Seed = 1, FitSettings? Recipe = null);

/// <summary>Timing of full training iterations.</summary>
/// <param name="MsPerIteration">Median milliseconds per iteration (windows, forward, backward, RAdam step).</param>
/// <param name="MeanMsPerIteration">Mean milliseconds per iteration.</param>
/// <param name="CpuMsPerIteration">Process CPU time per iteration, all threads (less sensitive to a busy machine than wall time).</param>
/// <param name="Threads">Worker threads used.</param>
/// <param name="Iterations">Timed iterations.</param>
internal sealed record VsmcBenchmarkResult(double MsPerIteration, double MeanMsPerIteration, double CpuMsPerIteration, int Threads, int Iterations);

/// <summary>
/// Times training iterations of a published recipe — EEG (<see cref="FitPresets.Eeg"/>: B = 10 random windows of
/// T = 50 steps, K = 10 particles, R = 3, N = 512, clipped relu, optimal proposal, full Σz and Σ0) or hippocampus
/// (<see cref="FitPresets.Hippocampus"/>: B = 64 windows of T = 100, K = 64, R = 4, N = 512, Poisson with softplus
/// link, the CNN encoder proposal), float32 kernels — as <c>lowrank fit</c> runs them: each iteration takes the next
/// batch of the fit's sampler and one step of the fit's trainer (objective, gradient, RAdam).
/// </summary>
internal static class VsmcBenchmark
{
    public static VsmcBenchmarkResult Run(VsmcBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        FitSettings eeg = options.Recipe ?? FitPresets.Eeg;
        FitTrainerSettings recipe = eeg.Trainer;
        if (options.RecordingSteps < recipe.WindowLength)
        {
            throw new InputException(
                $"the recording has {options.RecordingSteps} steps but the benchmark needs windows of {recipe.WindowLength}.",
                $"pass a recording with at least {recipe.WindowLength} time steps.");
        }

        if (options.Iterations < 1 || options.Threads < 1)
        {
            throw new InputException(
                $"iterations ({options.Iterations}) and threads ({options.Threads}) must be at least 1.",
                "pass --iterations 1 or more and --threads 1 or more.");
        }

        ModelOptions model = eeg.Model with { Channels = options.Channels };
        var objective = new VsmcObjective(model, eeg.Objective with { Threads = options.Threads });
        var data = SequenceSet.Continuous(options.Recording, options.RecordingSteps, options.Channels);
        ObservationData.Check(model, data, null, "the recording");
        LowRankRnn initial = ModelInitializer.Create(model, options.Seed);
        ObservationData.InitialiseReadout(initial, data);
        double[] theta = initial.Theta;
        var sampler = new SequenceSampler(data, recipe.BatchSize, recipe.WindowLength, recipe.WindowsPerEpoch, options.Seed);
        Trainer<SeededBatch> trainer = ModelFitter.CreateTrainer(recipe, objective, sampler);
        LearningRateSchedule schedule = new(recipe.LearningRate, recipe.FinalLearningRate, recipe.Epochs);
        IterationTimes times = IterationTimer.Run(options.WarmupIterations, options.Iterations, iteration =>
        {
            int epoch = iteration / sampler.BatchesPerEpoch, batch = iteration % sampler.BatchesPerEpoch;
            if (batch == 0)
            {
                sampler.BeginEpoch(epoch, 0);
            }

            trainer.Step(theta, sampler.Batch(batch), schedule.At(epoch));
        });
        return new VsmcBenchmarkResult(times.MedianMs, times.MeanMs, times.CpuMs, options.Threads, options.Iterations);
    }
}
