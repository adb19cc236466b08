using System.Globalization;
using LowRank.Data;
using LowRank.Training;

namespace LowRank.RateNetworks;

/// <summary>Options of <see cref="RateNetworkTraining.Train"/>.</summary>
/// <param name="Epochs">Passes over the training trials.</param>
/// <param name="BatchSize">Trials per gradient step (the whole set when larger).</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="ClipNorm">Gradient-norm clip (0 = none).</param>
/// <param name="Trainable">Parameter groups that learn.</param>
/// <param name="Seed">Seeds minibatch order and state noise.</param>
/// <param name="Threads">Worker threads (results do not depend on it).</param>
/// <param name="RecurrentRateScale">Learning-rate factor of a free J (Adam moves every entry by about
/// lr per step, so a coherent update changes J's norm by about lr·N; 1/√N keeps full-rank training stable).</param>
public sealed record BpttOptions(
    int Epochs,
    int BatchSize,
    double LearningRate,
    double ClipNorm,
    ParameterGroups Trainable,
    long Seed,
    int Threads,
    double RecurrentRateScale = 1.0);

/// <summary>Whether a trial's outputs [T, O] answer it correctly (a task's rule, e.g. the sign of the masked mean).</summary>
public delegate bool TrialJudge(Trial trial, ReadOnlySpan<float> outputs);

/// <summary>
/// Early stopping of <see cref="RateNetworkTraining.Train"/> on its validation trials: the run ends after the first
/// epoch whose parameters are the best so far by validation loss and answer at least the target fraction of the
/// validation trials correctly by <paramref name="Judge"/>, or once the validation loss has not improved for the
/// patience (<see cref="EarlyStopping"/>).
/// </summary>
/// <param name="Judge">The task's rule for a correct trial.</param>
/// <param name="Stopping">Target accuracy and patience.</param>
public sealed record AccuracyTarget(TrialJudge Judge, EarlyStopping Stopping);

/// <summary>
/// Trains a rate network by back-propagation through time: the <see cref="BpttObjective"/> in the one
/// training loop, with Adam (per-group rates), gradient-norm clipping and keep-best.
/// </summary>
/// <remarks>
/// Batches: the trials in an order shuffled every epoch (<see cref="TrialSampler"/>; one full batch is not
/// shuffled). Keep-best criterion: the loss on <c>validation</c> trials after every epoch when given (noise
/// seed <c>seed ⊕ 0x5EED</c>, stream 2⁴⁰); otherwise the full-batch loss before each step, the final
/// parameters scored on the epoch after the last (full batch), or the epoch's mean batch loss (minibatches).
/// With an <see cref="AccuracyTarget"/>, the same validation run also judges each trial, and the run stops
/// once the best parameters reach the target accuracy or the patience runs out (<see cref="TrainingSummary.StoppedEarly"/>).
/// </remarks>
public static class RateNetworkTraining
{
    /// <summary>Trains from <paramref name="initialTheta"/> (not modified) and returns the best parameters.</summary>
    public static TrainingResult Train(
        RateNetworkLayout layout,
        double[] initialTheta,
        IReadOnlyList<Trial> trials,
        int[] observed,
        BpttOptions options,
        IReadOnlyList<Trial>? validation,
        IProgressSink progress,
        AccuracyTarget? target = null) =>
        Create(layout, trials, observed, options, validation, progress, target).Trainer.Train(initialTheta);

    /// <summary>
    /// Throws <see cref="InputException"/>, stating the bytes needed, unless training fits in memory: per thread the
    /// states, rates and scaled gradients of the longest trial [T+1, N] and a gradient of θ; θ with Adam's two moments,
    /// the step's gradient and the kept-best copy.
    /// </summary>
    private static void CheckSize(RateNetworkLayout layout, IReadOnlyList<Trial> trials, BpttOptions options)
    {
        double steps = trials.Count > 0 ? trials.Max(t => t.Steps) : 0;
        new MemoryBudget(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"training a network of {layout.Spec.Units:N0} units"))
            .DoublesEach("each thread's states, rates and gradients", 3.0 * options.Threads, steps + 1, layout.Spec.Units)
            .DoublesEach("each thread's gradient of θ", options.Threads, layout.Length)
            .DoublesEach("θ, Adam's moments, the step's gradient and the best θ", 5, layout.Length)
            .Check($"lower {InputException.Ref("Units")} or {InputException.Ref("Threads")}.");
    }

    /// <summary>The training loop of <see cref="Train"/> and its sampler, for runs that drive the steps themselves (benchmarks).</summary>
    public static (Trainer<TrialBatch> Trainer, TrialSampler Sampler) Create(
        RateNetworkLayout layout,
        IReadOnlyList<Trial> trials,
        int[] observed,
        BpttOptions options,
        IReadOnlyList<Trial>? validation,
        IProgressSink progress,
        AccuracyTarget? target = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(options);
        if (target is not null && validation is null)
        {
            throw new ArgumentException("an accuracy target needs validation trials.", nameof(target));
        }

        CheckSize(layout, trials, options);
        var objective = new BpttObjective(layout, trials, observed, options.Trainable, options.Seed, options.Threads);
        var sampler = new TrialSampler(trials.Count, options.BatchSize, options.Seed, shuffleFullBatch: false);
        bool fullBatch = sampler.BatchSize == trials.Count;
        double accuracy = double.NaN;
        KeepBest keepBest = validation is not null
            ? KeepBest.OnValidation(theta =>
            {
                (double loss, accuracy) = Validate(layout, theta, validation, observed, options.Seed, options.Threads, target?.Judge);
                return loss;
            })
            : fullBatch
                ? KeepBest.OnStepLoss(theta => BpttObjective.Loss(layout, theta, trials, observed, options.Seed, BpttObjective.NoiseStreamBase + (long)(options.Epochs + 1) * trials.Count, options.Threads))
                : KeepBest.OnEpochLoss();
        var trainer = new Trainer<TrialBatch>(
            objective,
            sampler,
            new Adam(layout.RateScales(options.Trainable, options.RecurrentRateScale)),
            new TrainerOptions
            {
                Epochs = options.Epochs,
                LearningRate = options.LearningRate,
                ClipNorm = options.ClipNorm > 0 ? options.ClipNorm : null,
                Describe = target is null ? DescribeLoss : status => DescribeLoss(status) + string.Create(CultureInfo.InvariantCulture, $"  accuracy {accuracy:0.000}"),
                StopWhen = target is null ? null : status => target.Stopping.Holds(status, accuracy),
            },
            keepBest,
            progress);
        return (trainer, sampler);
    }

    /// <summary>
    /// The keep-best criterion on <paramref name="validation"/> trials of a run seeded <paramref name="seed"/> (their
    /// masked mean squared error, state noise of trial i from seed <c>seed ⊕ 0x5EED</c>, stream 2⁴⁰ + i) and, from
    /// the same run, the fraction of them <paramref name="judge"/> calls correct (NaN without a judge).
    /// </summary>
    public static (double Loss, double Accuracy) Validate(
        RateNetworkLayout layout,
        double[] theta,
        IReadOnlyList<Trial> validation,
        int[] observed,
        long seed,
        int threads,
        TrialJudge? judge)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(validation);
        long noiseSeed = seed ^ 0x5EED;
        if (judge is null)
        {
            return (BpttObjective.Loss(layout, theta, validation, observed, noiseSeed, BpttObjective.NoiseStreamBase, threads), double.NaN);
        }

        var correct = new bool[validation.Count];
        double[] losses = RateNetworkRunner.Run(layout, theta, validation, observed, noiseSeed, BpttObjective.NoiseStreamBase, threads, (i, workspace) =>
            correct[i] = judge(validation[i], workspace.Outputs));
        double sum = 0, entries = 0;
        int right = 0;
        for (int i = 0; i < validation.Count; i++)
        {
            sum += losses[i];
            entries += validation[i].WeightedEntries();
            right += correct[i] ? 1 : 0;
        }

        return (entries > 0 ? sum / entries : 0, right / (double)Math.Max(1, validation.Count));
    }

    /// <summary>The progress message of loss-minimising runs: the epoch's mean loss and the best criterion so far.</summary>
    public static string DescribeLoss(EpochStatus status) =>
        string.Create(CultureInfo.InvariantCulture, $"loss {status.Value:0.#####e+0}  best {status.BestLoss:0.#####e+0}");
}
