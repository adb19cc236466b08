using System.Text.Json;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Training;

namespace LowRank.Smc;

/// <summary>What to fit, besides the data and the objective.</summary>
public sealed record FitRequest
{
    /// <summary>Model structure and initial scales; channels and inputs are taken from the data.</summary>
    public ModelOptions Model { get; init; } = new();

    /// <summary>Trainer settings (their seed also initialises the model).</summary>
    public TrainerOptions Trainer { get; init; } = new();

    /// <summary>Fraction held out at the end of the data (null: train on all of it).</summary>
    public double? Holdout { get; init; }

    /// <summary>Describes the objective's settings (e.g. particles, proposal); a resume must match it.</summary>
    public string ObjectiveSettings { get; init; } = "";

    /// <summary>Windows (continuous data) or at most this many trials scored by each evaluation.</summary>
    public int EvaluationWindows { get; init; } = 50;
}

/// <summary>Where a held-out split fell.</summary>
/// <param name="Holdout">Fraction held out.</param>
/// <param name="Unit">"steps" (continuous recording) or "trials".</param>
/// <param name="Count">Steps or trials in the data.</param>
/// <param name="TrainEnd">Training uses [0, TrainEnd); the rest is held out.</param>
public sealed record HeldOutSplit(double Holdout, string Unit, int Count, int TrainEnd);

/// <summary>A fitted model with its training record.</summary>
public sealed record FitResult(LowRankRnn Model, TrainingResult Training, HeldOutSplit? Split, ModelOptions Options);

/// <summary>
/// Fits a stochastic low-rank RNN: initialises it as published (stream 0 of the seed), trains it with
/// <see cref="Trainer"/> on the data (or on its first part, with a held-out split), and evaluates the
/// objective periodically on fixed windows of the held-out part (or of the training data).
/// </summary>
public static class ModelFitter
{
    /// <summary>Seed offset of the evaluation windows and of the evaluation objective (fixed for the whole fit).</summary>
    private const long EvaluationStream = 2L << 48;

    /// <summary>
    /// Runs the fit. <paramref name="createObjective"/> builds the objective for the final model options;
    /// <paramref name="checkpointPath"/> receives checkpoints; <paramref name="resume"/> continues one.
    /// </summary>
    public static FitResult Fit(
        TrainingData data,
        FitRequest request,
        Func<ModelOptions, IDifferentiableObjective> createObjective,
        string? checkpointPath = null,
        TrainingCheckpoint? resume = null,
        IProgressSink? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(createObjective);
        ModelOptions options = request.Model with { Channels = data.Channels, Inputs = data.Inputs };
        options.Validate();

        TrainingData train = data, evaluation = data;
        HeldOutSplit? split = null;
        if (request.Holdout is double holdout)
        {
            (train, evaluation, int end) = data.Split(holdout);
            split = new HeldOutSplit(holdout, data.IsContinuous ? "steps" : "trials", data.IsContinuous ? data.Steps : data.Trials, end);
        }

        IDifferentiableObjective objective = createObjective(options);
        LowRankRnn initial = ModelInitializer.Create(options, request.Trainer.Seed);
        if (objective.ParameterCount != initial.Theta.Length)
        {
            throw new ArgumentException($"the objective expects {objective.ParameterCount} parameters but the model has {initial.Theta.Length}.", nameof(createObjective));
        }

        TrainerOptions trainerOptions = request.Trainer with
        {
            Configuration = JsonFile.Serialize(new { options, objective = request.ObjectiveSettings, request.Holdout, data.Trials, data.Steps, data.Channels, data.Inputs }, indented: false),
        };
        var trainer = new Trainer(objective, train, trainerOptions, progress);
        Func<double[], double>? evaluate = trainerOptions.EvaluateEvery > 0
            ? CreateEvaluation(objective, evaluation, trainerOptions, request.EvaluationWindows)
            : null;
        TrainingResult result = trainer.Train(initial.Theta, resume, checkpointPath, evaluate, cancellation);
        return new FitResult(new LowRankRnn(options, result.Theta), result, split, options);
    }

    /// <summary>
    /// The mean objective over fixed windows (drawn once from a fixed stream) with a fixed objective
    /// seed, so successive evaluations differ only through θ.
    /// </summary>
    private static Func<double[], double> CreateEvaluation(IDifferentiableObjective objective, TrainingData data, TrainerOptions options, int windows)
    {
        int windowLength = Math.Min(options.WindowLength, data.Steps);
        var sampler = new BatchSampler(data, options.BatchSize, windowLength, Math.Max(1, windows));
        int[] plan = sampler.DrawEpoch(Rng.Create(options.Seed, EvaluationStream));
        if (!data.IsContinuous && plan.Length > windows)
        {
            plan = plan[..windows];
            sampler = new BatchSampler(TrainingData.FromTrials(Gather(data, plan), plan.Length, data.Steps, data.Channels, GatherInputs(data, plan), data.Inputs), options.BatchSize, windowLength, windows);
            plan = [.. Enumerable.Range(0, plan.Length)];
        }

        var gradient = new double[objective.ParameterCount];
        return theta =>
        {
            double sum = 0;
            int sequences = 0;
            for (int b = 0; b < sampler.BatchesPerEpoch; b++)
            {
                SequenceBatch batch = sampler.Batch(plan, b);
                sum += objective.Evaluate(theta, batch, (options.Seed ^ EvaluationStream) + b, gradient) * batch.Sequences;
                sequences += batch.Sequences;
            }

            return sum / sequences;
        };
    }

    private static double[] Gather(TrainingData data, int[] trials)
    {
        int per = data.Steps * data.Channels;
        var values = new double[trials.Length * per];
        for (int i = 0; i < trials.Length; i++)
        {
            data.Observations.AsSpan(trials[i] * per, per).CopyTo(values.AsSpan(i * per));
        }

        return values;
    }

    private static double[] GatherInputs(TrainingData data, int[] trials)
    {
        int per = data.Steps * data.Inputs;
        var values = new double[trials.Length * per];
        for (int i = 0; i < trials.Length; i++)
        {
            data.InputValues.AsSpan(trials[i] * per, per).CopyTo(values.AsSpan(i * per));
        }

        return values;
    }
}
