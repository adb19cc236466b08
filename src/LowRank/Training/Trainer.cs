using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using static LowRank.InputException;

namespace LowRank.Training;

/// <summary>Whether a <see cref="Trainer{TBatch}"/> lowers or raises its objective.</summary>
public enum Goal
{
    /// <summary>The objective is a loss.</summary>
    Minimise,

    /// <summary>The objective is a score (e.g. an evidence lower bound); the optimiser steps against its negation.</summary>
    Maximise,
}

/// <summary>Where an epoch stands, for the progress line.</summary>
/// <param name="Epoch">Epochs completed.</param>
/// <param name="Epochs">Epochs in all.</param>
/// <param name="Value">Mean objective over the epoch's sequences or trials.</param>
/// <param name="LearningRate">The epoch's learning rate.</param>
/// <param name="BestLoss">Lowest keep-best criterion so far (NaN without keep-best).</param>
/// <param name="Criterion">The keep-best criterion scored after this epoch (NaN when none was).</param>
/// <param name="BestEpoch">Epochs completed when the best parameters so far were reached (0: the start; −1 without keep-best).</param>
public readonly record struct EpochStatus(int Epoch, int Epochs, double Value, double LearningRate, double BestLoss, double Criterion, int BestEpoch = -1);

/// <summary>How a <see cref="Trainer{TBatch}"/> runs: epochs, learning-rate schedule, clipping and its epoch policies.</summary>
public sealed record TrainerOptions
{
    /// <summary>E: passes over the sampler's epochs.</summary>
    public int Epochs { get; init; } = 1;

    public Goal Goal { get; init; } = Goal.Minimise;

    /// <summary>η_0.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>η_end, reached by exponential decay over the epochs (null: a constant rate).</summary>
    public double? FinalLearningRate { get; init; }

    /// <summary>Maximum gradient norm (no clipping when null).</summary>
    public double? ClipNorm { get; init; }

    /// <summary>
    /// Rollbacks allowed before the run is declared divergent; null turns the check off (non-finite values then
    /// flow into the parameters, and keep-best decides what is returned).
    /// </summary>
    public int? MaxRollbacks { get; init; }

    /// <summary>Run the evaluation every this many epochs (and after the last); 0 = never.</summary>
    public int EvaluateEvery { get; init; }

    /// <summary>Write the checkpoint every this many epochs (and after the last).</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>What else defines the run (model, objective, data, sampling) as <see cref="RunFingerprint"/> lines; part of the checkpoint fingerprint.</summary>
    public string Configuration { get; init; } = "";

    /// <summary>The message of each epoch's progress report (default: objective and learning rate).</summary>
    public Func<EpochStatus, string>? Describe { get; init; }

    /// <summary>
    /// Early stopping (e.g. <see cref="EarlyStopping.Holds"/>): asked once at the start (epoch 0, the criterion keep-best
    /// gave the starting parameters) and after every epoch (once keep-best has scored it); true ends the run there, as
    /// if it were the last epoch (null: every epoch runs). The schedule still spans <see cref="Epochs"/>.
    /// </summary>
    public Func<EpochStatus, bool>? StopWhen { get; init; }

    /// <summary>
    /// Checks θ after every epoch, before keep-best, evaluation and the checkpoint see it (null: no check), given θ
    /// and the epochs completed: it throws (an <see cref="InputException"/>) when θ has degenerated in a way more
    /// training does not repair, so that the run ends there and no checkpoint holds that θ.
    /// </summary>
    public Action<double[], int>? CheckParameters { get; init; }

    /// <summary>The learning rate of every epoch.</summary>
    public LearningRateSchedule Schedule() => new(LearningRate, FinalLearningRate ?? LearningRate, Epochs);

    /// <summary>Throws <see cref="InputException"/> for rates, epochs or a clip a user could have passed, <see cref="ArgumentException"/> for impossible intervals.</summary>
    public void Validate()
    {
        _ = Schedule();
        if (ClipNorm is double clip && !(clip > 0))
        {
            throw new InputException(
                $"{InputException.Ref(nameof(ClipNorm))} must be positive (got {clip}).",
                $"pass a positive gradient-norm bound such as {InputException.Ref(nameof(ClipNorm))} 10, or leave it out.") { Setting = nameof(ClipNorm) };
        }

        if (CheckpointEvery < 1 || EvaluateEvery < 0 || MaxRollbacks < 0)
        {
            throw new ArgumentException($"need CheckpointEvery ≥ 1, EvaluateEvery ≥ 0 and MaxRollbacks ≥ 0 (got {CheckpointEvery}, {EvaluateEvery}, {MaxRollbacks}).");
        }
    }

    /// <summary>Describes the run (<see cref="RunFingerprint"/>); a checkpoint can only be resumed under the same one.</summary>
    public string Fingerprint(int parameterCount) => RunFingerprint.Of(
        [
            KeyValuePair.Create("trainer.parameters", parameterCount.ToString(CultureInfo.InvariantCulture)),
            KeyValuePair.Create("trainer.epochs", Epochs.ToString(CultureInfo.InvariantCulture)),
            KeyValuePair.Create("trainer.learning_rate", LearningRate.ToString("R", CultureInfo.InvariantCulture)),
            KeyValuePair.Create("trainer.final_learning_rate", (FinalLearningRate ?? LearningRate).ToString("R", CultureInfo.InvariantCulture)),
            KeyValuePair.Create("trainer.clip_norm", ClipNorm?.ToString("R", CultureInfo.InvariantCulture) ?? "null"),
        ]) + (Configuration.Length > 0 ? "\n" + Configuration : "");
}

/// <summary>The outcome of <see cref="Trainer{TBatch}.Train"/>.</summary>
/// <param name="Theta">θ returned: after the last epoch, or the best by the keep-best criterion.</param>
/// <param name="Summary">Objective per epoch, wall times, evaluations, rollbacks, steps and keep-best losses.</param>
/// <param name="ResumedFromEpoch">Epochs already completed when this run started (0 for a fresh run).</param>
public sealed record TrainingResult(double[] Theta, TrainingSummary Summary, int ResumedFromEpoch);

/// <summary>
/// The one training loop: optimises an <see cref="IDifferentiableObjective{TBatch}"/> over epochs of batches
/// from an <see cref="IBatchSampler{TBatch}"/> with a pluggable <see cref="IOptimizer"/>, and the epoch
/// policies every model family shares: an exponential learning-rate schedule, gradient-norm clipping,
/// keep-best (<see cref="KeepBest"/>), early stopping, rollback on non-finite values, periodic evaluation,
/// atomic checkpoints and bit-identical resume.
/// </summary>
/// <remarks>
/// One step: g = ∂objective/∂θ on the batch; negate it when maximising (the optimiser lowers a loss);
/// clip ‖g‖₂ to <see cref="TrainerOptions.ClipNorm"/>; <see cref="IOptimizer.Step"/> at the epoch's rate
/// η_e · s, where s halves at every rollback.
///
/// Rollback (when <see cref="TrainerOptions.MaxRollbacks"/> is set): if the objective, the gradient or θ after
/// a step is NaN or ±∞, the trainer restores the state at the end of the last good epoch, halves the
/// learning rate for the rest of the run, reports it (progress stage <c>rollback</c>) and in the summary,
/// and redraws the epoch (the sampler sees the rollback count).
///
/// Early stopping (when <see cref="TrainerOptions.StopWhen"/> is set): the rule sees the start's status (epoch 0;
/// when it holds, no epoch runs) and, after each epoch's keep-best score, the epoch's; when it holds, that epoch is
/// the last (evaluation and checkpoint run as after the last epoch) and <see cref="TrainingSummary.StoppedEarly"/>
/// is set.
///
/// A parameter check (when <see cref="TrainerOptions.CheckParameters"/> is set) sees θ after each epoch; when it
/// throws, the run ends with its exception before keep-best, evaluation or the checkpoint see that θ.
///
/// Randomness belongs to the sampler and the objective; the trainer draws none, so a run is a function of
/// its inputs and a resumed run replays exactly what an uninterrupted one would have done. Keep-best state
/// is not part of a checkpoint, so a keep-best run cannot write one.
/// </remarks>
/// <typeparam name="TBatch">What the objective evaluates at each step.</typeparam>
public sealed class Trainer<TBatch>
{
    private readonly IDifferentiableObjective<TBatch> _objective;
    private readonly IBatchSampler<TBatch> _sampler;
    private readonly IOptimizer _optimizer;
    private readonly TrainerOptions _options;
    private readonly LearningRateSchedule _schedule;
    private readonly KeepBest _keepBest;
    private readonly IProgressSink _progress;
    private readonly double[] _gradient;

    public Trainer(
        IDifferentiableObjective<TBatch> objective,
        IBatchSampler<TBatch> sampler,
        IOptimizer optimizer,
        TrainerOptions options,
        KeepBest? keepBest = null,
        IProgressSink? progress = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (optimizer.FirstMoment.Length != objective.ParameterCount)
        {
            throw new ArgumentException($"the optimiser holds {optimizer.FirstMoment.Length} parameters but the objective has {objective.ParameterCount}.", nameof(optimizer));
        }

        _objective = objective;
        _sampler = sampler;
        _optimizer = optimizer;
        _options = options;
        _schedule = options.Schedule();
        _keepBest = keepBest ?? KeepBest.Last();
        _progress = progress ?? NullProgress.Instance;
        _gradient = new double[objective.ParameterCount];
    }

    /// <summary>The fingerprint a checkpoint of this trainer carries.</summary>
    public string Fingerprint => _options.Fingerprint(_objective.ParameterCount);

    /// <summary>
    /// Takes one gradient step on <paramref name="batch"/> at <paramref name="learningRate"/> (objective,
    /// gradient, sign, clipping, optimiser) and returns the objective; the step the loop takes, for benchmarks.
    /// </summary>
    public double Step(double[] theta, TBatch batch, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(theta);
        double value = _objective.Evaluate(theta, batch, _gradient);
        Apply(theta, learningRate);
        return value;
    }

    /// <summary>
    /// Trains from <paramref name="initialTheta"/> (not modified), or continues from <paramref name="resume"/>.
    /// Writes a checkpoint to <paramref name="checkpointPath"/> when given. <paramref name="evaluate"/> runs every
    /// <see cref="TrainerOptions.EvaluateEvery"/> epochs on the current θ. When <paramref name="cancellation"/>
    /// fires, the trainer finishes the epoch, writes the checkpoint and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public TrainingResult Train(
        double[] initialTheta,
        TrainingCheckpoint? resume = null,
        string? checkpointPath = null,
        Func<double[], double>? evaluate = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(initialTheta);
        int count = _objective.ParameterCount;
        if (initialTheta.Length != count)
        {
            throw new ArgumentException($"θ has {initialTheta.Length} entries but the objective needs {count}.", nameof(initialTheta));
        }

        if (!_keepBest.ReturnsLast && (checkpointPath is not null || resume is not null))
        {
            throw new ArgumentException("a keep-best run cannot write or resume a checkpoint (its best parameters are not part of one).", nameof(checkpointPath));
        }

        var clock = Stopwatch.StartNew();
        double[] theta = (double[])initialTheta.Clone();
        var summary = new TrainingSummary();
        int epoch = 0, rollbacks = 0;
        double scale = 1;
        if (resume is not null)
        {
            if (resume.Fingerprint != Fingerprint)
            {
                throw new InputException(
                    "the checkpoint was written by a fit with other settings:\n  " + string.Join("\n  ", RunFingerprint.Differences(resume.Fingerprint, Fingerprint)),
                    $"resume with the options of the interrupted fit, or start a new fit without {Ref("Resume")}.");
            }

            resume.Theta.CopyTo(theta, 0);
            _optimizer.Restore(resume.StepCount, resume.FirstMoment, resume.SecondMoment);
            summary = resume.Summary.Clone();
            epoch = resume.Epoch;
            rollbacks = resume.Rollbacks;
            scale = resume.LearningRateScale;
        }

        int resumedFrom = epoch;
        bool checksFinite = _options.MaxRollbacks is not null;
        bool snapshots = checksFinite || checkpointPath is not null;
        TrainingCheckpoint? lastGood = snapshots ? Snapshot(epoch, rollbacks, scale, theta, summary) : null;
        _keepBest.Start(theta);
        double previousWall = summary.TotalWallSeconds;

        // The start may already satisfy the stop rule (e.g. a designed start that reaches the target): no epoch runs.
        var startStatus = new EpochStatus(epoch, _options.Epochs, double.NaN, _schedule.At(epoch) * scale, _keepBest.BestLoss, _keepBest.InitialLoss, _keepBest.BestEpoch);
        summary.StoppedEarly = epoch < _options.Epochs && _options.StopWhen?.Invoke(startStatus) == true;
        while (epoch < _options.Epochs && !summary.StoppedEarly)
        {
            double learningRate = _schedule.At(epoch) * scale;
            _sampler.BeginEpoch(epoch, rollbacks);
            double weightedSum = 0;
            string? failure = null;
            int failedBatch = 0;
            for (int b = 0; b < _sampler.BatchesPerEpoch && failure is null; b++)
            {
                TBatch batch = _sampler.Batch(b);
                double value = _objective.Evaluate(theta, batch, _gradient);
                failure = !checksFinite ? null
                    : !double.IsFinite(value) ? $"objective {value.ToString(CultureInfo.InvariantCulture)}"
                    : !AllFinite(_gradient) ? "gradient not finite"
                    : null;
                if (failure is null)
                {
                    _keepBest.BeforeStep(theta, value, epoch);
                    Apply(theta, learningRate);
                    weightedSum += value * _sampler.ItemsIn(b);
                    if (checksFinite && !AllFinite(theta))
                    {
                        failure = "parameters not finite after the step";
                    }
                }

                failedBatch = b;
            }

            if (failure is not null)
            {
                rollbacks++;
                if (rollbacks > _options.MaxRollbacks)
                {
                    throw new InputException(
                        $"training diverged: {failure} at epoch {epoch + 1}, batch {failedBatch + 1}, after {_options.MaxRollbacks} rollbacks that each halved the learning rate.",
                        $"lower {Ref("LearningRate")}, or pass {Ref("ClipNorm")} to bound the gradient norm.");
                }

                scale /= 2;
                TrainingCheckpoint good = lastGood!;
                theta = (double[])good.Theta.Clone();
                _optimizer.Restore(good.StepCount, good.FirstMoment, good.SecondMoment);
                summary = good.Summary.Clone();
                var rollback = new RollbackEvent(epoch, failedBatch, good.Epoch, scale, failure);
                summary.Rollbacks.Add(rollback);
                epoch = good.Epoch;
                _progress.Report(new ProgressUpdate(
                    "rollback",
                    epoch,
                    _options.Epochs,
                    string.Create(CultureInfo.InvariantCulture, $"{failure} at epoch {rollback.Epoch + 1}, batch {failedBatch + 1}: rolled back to epoch {epoch}, learning rate halved to {_schedule.At(epoch) * scale:0.0#e+00}")));
                lastGood = Snapshot(epoch, rollbacks, scale, theta, summary);
                continue;
            }

            double epochValue = weightedSum / _sampler.ItemsPerEpoch;
            summary.Objective.Add(epochValue);
            summary.LearningRate.Add(learningRate);
            summary.WallSeconds.Add(previousWall + clock.Elapsed.TotalSeconds);
            epoch++;
            _options.CheckParameters?.Invoke(theta, epoch);
            _keepBest.AfterEpoch(theta, epochValue, epoch);
            var status = new EpochStatus(epoch, _options.Epochs, epochValue, learningRate, _keepBest.BestLoss, _keepBest.LastCriterion, _keepBest.BestEpoch);
            bool stop = _options.StopWhen?.Invoke(status) == true;
            bool last = epoch == _options.Epochs || stop;
            if (evaluate is not null && _options.EvaluateEvery > 0 && (epoch % _options.EvaluateEvery == 0 || last))
            {
                summary.Evaluations.Add(new EvaluationPoint(epoch, evaluate(theta)));
            }

            if (snapshots)
            {
                lastGood = Snapshot(epoch, rollbacks, scale, theta, summary);
                if (checkpointPath is not null && (epoch % _options.CheckpointEvery == 0 || last))
                {
                    lastGood.Write(checkpointPath);
                }
            }

            _progress.Report(new ProgressUpdate("epoch", epoch, _options.Epochs, (_options.Describe ?? DescribeObjective)(status)));
            if (stop)
            {
                summary.StoppedEarly = true;
                break;
            }

            if (cancellation.IsCancellationRequested && !last)
            {
                if (checkpointPath is not null)
                {
                    lastGood!.Write(checkpointPath);
                }

                cancellation.ThrowIfCancellationRequested();
            }
        }

        _keepBest.Finish(theta, epoch);
        summary.Steps = _optimizer.StepCount;
        summary.InitialLoss = _keepBest.InitialLoss;
        summary.BestLoss = _keepBest.BestLoss;
        summary.BestEpoch = _keepBest.BestEpoch;
        summary.Seconds = previousWall + clock.Elapsed.TotalSeconds;
        return new TrainingResult(_keepBest.Best is { } best ? (double[])best.Clone() : theta, summary, resumedFrom);
    }

    /// <summary>The default progress message: the epoch's objective and learning rate.</summary>
    public static string DescribeObjective(EpochStatus status) =>
        string.Create(CultureInfo.InvariantCulture, $"objective {status.Value:0.0000}  lr {status.LearningRate:0.0#e+00}");

    /// <summary>Sign, clipping and the optimiser step on the gradient of the last evaluation.</summary>
    private void Apply(double[] theta, double learningRate)
    {
        if (_options.Goal == Goal.Maximise)
        {
            // Maximise the objective: step against the loss −L, whose gradient is −∂L/∂θ.
            TensorPrimitives.Negate(_gradient, _gradient);
        }

        if (_options.ClipNorm is double clip)
        {
            GradientClipping.ClipNorm(_gradient, clip);
        }

        _optimizer.Step(theta, _gradient, learningRate);
    }

    private TrainingCheckpoint Snapshot(int epoch, int rollbacks, double scale, double[] theta, TrainingSummary summary) =>
        new(Fingerprint, epoch, rollbacks, scale, _optimizer.StepCount, (double[])theta.Clone(), (double[])_optimizer.FirstMoment.Clone(), (double[])_optimizer.SecondMoment.Clone(), summary.Clone());

    private static bool AllFinite(ReadOnlySpan<double> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                return false;
            }
        }

        return true;
    }
}
