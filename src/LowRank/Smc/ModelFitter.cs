using System.Globalization;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Training;
using static LowRank.InputException;

namespace LowRank.Smc;

/// <summary>Where a held-out split fell.</summary>
/// <param name="Holdout">Fraction held out.</param>
/// <param name="Unit">"steps" (continuous recording) or "trials".</param>
/// <param name="Count">Steps or trials in the data.</param>
/// <param name="TrainEnd">Training uses [0, TrainEnd); the rest is held out.</param>
public sealed record HeldOutSplit(double Holdout, string Unit, int Count, int TrainEnd);

/// <summary>A fitted model with its training record.</summary>
public sealed record FitResult(LowRankRnn Model, TrainingResult Training, HeldOutSplit? Split, ModelOptions Options);

/// <summary>
/// Fits a stochastic low-rank RNN: initialises it as published (stream 0 of the seed) and maximises the VSMC
/// objective in the one training loop (<see cref="Trainer{TBatch}"/>: RAdam, exponential learning-rate decay,
/// optional clipping, rollback on non-finite values, checkpoints) on random windows or trials of the data (or of
/// its first part, with a held-out split), evaluating the objective periodically on fixed windows of the
/// held-out part (or of the training data).
/// </summary>
public static class ModelFitter
{
    /// <summary>Rollbacks allowed before a fit is declared divergent.</summary>
    public const int MaxRollbacks = 10;

    /// <summary>Seed offset of the evaluation windows and of the evaluation objective (fixed for the whole fit).</summary>
    private const long EvaluationStream = 2L << 48;

    /// <summary>
    /// Runs the fit described by <paramref name="settings"/>. <paramref name="checkpointPath"/> receives checkpoints;
    /// <paramref name="resume"/> continues one. <paramref name="createObjective"/> replaces the VSMC objective of the
    /// settings (a test hook: any objective on the same parameter layout).
    /// </summary>
    public static FitResult Fit(
        SequenceSet data,
        FitSettings settings,
        string? checkpointPath = null,
        TrainingCheckpoint? resume = null,
        IProgressSink? progress = null,
        CancellationToken cancellation = default,
        Func<ModelOptions, IDifferentiableObjective<SeededBatch>>? createObjective = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(settings);
        ModelOptions options = settings.Model with { Channels = data.Channels, Inputs = data.Inputs };
        if (options.Encoder is { } encoder)
        {
            // Missing entries reach the encoder as zeros with a mask channel per observed channel.
            options = options with { Encoder = encoder with { MaskInput = MissingValues.Any(data.Observations) } };
            encoder.Validate(data.Channels, options.Rank, data.IsContinuous ? Math.Min(settings.Trainer.WindowLength, data.Steps) : data.Steps);
        }

        (settings with { Model = options }).Validate();
        ObservationData.Check(options, data, null, "the data");
        CheckSize(options, settings, data);

        SequenceSet train = data, evaluation = data;
        HeldOutSplit? split = null;
        if (settings.Holdout is double holdout)
        {
            (train, evaluation, int end) = data.Split(holdout);
            split = new HeldOutSplit(holdout, data.IsContinuous ? "steps" : "trials", data.IsContinuous ? data.Steps : data.Count, end);
        }

        IDifferentiableObjective<SeededBatch> objective = createObjective?.Invoke(options) ?? new VsmcObjective(options, settings.Objective);
        LowRankRnn initial = ModelInitializer.Create(options, settings.Trainer.Seed);
        ObservationData.InitialiseReadout(initial, train);
        if (objective.ParameterCount != initial.Theta.Length)
        {
            throw new ArgumentException($"the objective expects {objective.ParameterCount} parameters but the model has {initial.Theta.Length}.", nameof(createObjective));
        }

        FitTrainerSettings t = settings.Trainer;
        var sampler = new SequenceSampler(train, t.BatchSize, t.WindowLength, t.WindowsPerEpoch, t.Seed);
        int decaySlot = ModelLayout.Of(options)[ParameterNames.DecayRaw].Offset;
        Action<double[], int> checkDecay = (theta, epoch) => CheckDecay(theta[decaySlot], epoch, train);
        Trainer<SeededBatch> trainer = CreateTrainer(settings.Trainer, objective, sampler, Configuration(settings, data), progress, checkDecay);
        Func<double[], double>? evaluate = t.EvaluateEvery > 0
            ? CreateEvaluation(objective, evaluation, t, settings.EvaluationWindows)
            : null;
        TrainingResult result = trainer.Train(initial.Theta, resume, checkpointPath, evaluate, cancellation);
        checkDecay(result.Theta, result.Summary.Objective.Count);
        return new FitResult(new LowRankRnn(options, result.Theta), result, split, options);
    }

    /// <summary>
    /// Throws <see cref="InputException"/> when the fit has degenerated after <paramref name="epoch"/> epochs: the decay
    /// a = exp(−exp α) of raw value <paramref name="decayRaw"/> has reached 0 (α &gt; 6.6) or 1 (α &lt; −36.7) in double
    /// precision, which no model can store (params.npz holds a, and a = 0 or 1 gives back no α). Data far from unit
    /// scale does this: the objective and its gradient grow with the square of the data's scale, and RAdam's first
    /// steps, before its adaptive rate is tractable, are unscaled momentum steps η·m̂ that throw α that far at once.
    /// </summary>
    private static void CheckDecay(double decayRaw, int epoch, SequenceSet train)
    {
        double decay = LowRankRnn.DecayFromRaw(decayRaw);
        if (decay > 0 && decay < 1)
        {
            return;
        }

        string what = string.Create(CultureInfo.InvariantCulture, $"the fit degenerated by epoch {epoch}: the decay a = exp(−exp α) reached {decay} (α = {decayRaw:G4}), which no model can store (a must lie in (0, 1))");
        ChannelScale scale = ZScoreStatistics.ScaleOf(train);
        if (scale.LooksZScored)
        {
            throw new InputException($"{what}.", $"lower {Ref("LearningRate")}, or pass {Ref("ClipNorm")} to bound the gradient norm.") { Setting = "LearningRate" };
        }

        throw new InputException(
            string.Create(CultureInfo.InvariantCulture, $"{what}; the data is far from unit scale (channel {scale.FirstOutside} has sd {scale.FirstSd:G4}; {scale.Summary})."),
            $"z-score each channel with {Ref("ZScore")} (the statistics are stored with the model), or fit data near unit scale.") { Setting = "ZScore" };
    }

    /// <summary>
    /// The training loop of a fit: RAdam maximising <paramref name="objective"/> on the sampler's batches, with the
    /// settings' exponential learning-rate decay, clipping, evaluation and checkpoint intervals, rollback on
    /// non-finite values (<see cref="MaxRollbacks"/>) and <paramref name="checkParameters"/> after every epoch
    /// (<see cref="TrainerOptions.CheckParameters"/>). <see cref="Fit"/> runs it; benchmarks time its steps.
    /// </summary>
    public static Trainer<SeededBatch> CreateTrainer(
        FitTrainerSettings settings,
        IDifferentiableObjective<SeededBatch> objective,
        IBatchSampler<SeededBatch> sampler,
        string configuration = "",
        IProgressSink? progress = null,
        Action<double[], int>? checkParameters = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(objective);
        return new Trainer<SeededBatch>(
            objective,
            sampler,
            new RAdam(objective.ParameterCount),
            settings.ToTrainerOptions(configuration) with { CheckParameters = checkParameters },
            progress: progress);
    }

    /// <summary>
    /// Throws <see cref="InputException"/>, stating the bytes needed, unless a fit's working memory fits: for each
    /// sequence of a batch the particle histories z, f, ε [T, K, R], the log-weights and weights [T, K] and a gradient
    /// buffer of θ's length (VsmcEngine keeps one workspace per sequence).
    /// </summary>
    private static void CheckSize(ModelOptions model, FitSettings settings, SequenceSet data)
    {
        double batch = settings.Trainer.BatchSize, particles = settings.Objective.Particles;
        double steps = data.IsContinuous ? Math.Min(settings.Trainer.WindowLength, data.Steps) : data.Steps;
        double parameters = 2.0 * model.Units * model.Rank + model.Units * (1.0 + model.Inputs) + (double)model.Channels * (model.Rank + 2);
        new MemoryBudget("the fit")
            .DoublesEach("the particle histories z, f and ε of each sequence", 3 * batch, steps, particles, model.Rank)
            .DoublesEach("the particle weights of each sequence", 2 * batch, steps, particles)
            .DoublesEach("the gradient buffer of each sequence", batch, parameters)
            .Check($"lower {Ref("Particles")}, {Ref("BatchSize")} or {Ref("WindowLength")} (or {Ref("Units")}).");
    }

    /// <summary>
    /// What a checkpoint of this fit must match besides θ's length, epochs, rates and clip (<see cref="RunFingerprint"/>
    /// lines): the settings record itself (threads excluded: results do not depend on them), the shape of the data
    /// and a hash of its values.
    /// </summary>
    public static string Configuration(FitSettings settings, SequenceSet data)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(data);
        return RunFingerprint.Of(RunFingerprint.Flatten(settings).Concat(RunFingerprint.Flatten(new
        {
            Data = new { Trials = data.Count, data.Steps, data.Channels, data.Inputs, Sha256 = data.ContentHash() },
        })));
    }

    /// <summary>
    /// The mean objective over fixed windows (drawn once from a fixed stream) with a fixed objective
    /// seed, so successive evaluations differ only through θ.
    /// </summary>
    private static Func<double[], double> CreateEvaluation(IDifferentiableObjective<SeededBatch> objective, SequenceSet data, FitTrainerSettings options, int windows)
    {
        int windowLength = Math.Min(options.WindowLength, data.Steps);
        var sampler = new SequenceSampler(data, options.BatchSize, windowLength, Math.Max(1, windows));
        int[] plan = sampler.DrawEpoch(Rng.Create(options.Seed, EvaluationStream));
        if (!data.IsContinuous && plan.Length > windows)
        {
            plan = plan[..windows];
            sampler = new SequenceSampler(SequenceSet.FromTrials(Gather(data.Observations, data.Steps * data.Channels, plan), plan.Length, data.Steps, data.Channels, Gather(data.InputValues, data.Steps * data.Inputs, plan), data.Inputs), options.BatchSize, windowLength, windows);
            plan = [.. Enumerable.Range(0, plan.Length)];
        }

        var gradient = new double[objective.ParameterCount];
        return theta =>
        {
            double sum = 0;
            int sequences = 0;
            for (int b = 0; b < sampler.BatchesPerEpoch; b++)
            {
                SequenceSet batch = sampler.Batch(plan, b);
                sum += objective.Evaluate(theta, new SeededBatch(batch, (options.Seed ^ EvaluationStream) + b), gradient) * batch.Count;
                sequences += batch.Count;
            }

            return sum / sequences;
        };
    }

    /// <summary>The rows <paramref name="trials"/> of <paramref name="values"/> [trials, per], in that order.</summary>
    private static double[] Gather(double[] values, int per, int[] trials)
    {
        var gathered = new double[trials.Length * per];
        for (int i = 0; i < trials.Length; i++)
        {
            values.AsSpan(trials[i] * per, per).CopyTo(gathered.AsSpan(i * per));
        }

        return gathered;
    }
}
