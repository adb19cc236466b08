using System.Diagnostics;
using System.Globalization;
using LowRank.Data;
using LowRank.Numerics;
using LowRank.RateNetworks;

namespace LowRank.Training;

/// <summary>How a <see cref="Trainer"/> runs (DESIGN §3 training defaults).</summary>
public sealed record TrainerOptions
{
    /// <summary>E: passes over an epoch's windows (or trials).</summary>
    public int Epochs { get; init; } = 1500;

    /// <summary>B: sequences per gradient step.</summary>
    public int BatchSize { get; init; } = 10;

    /// <summary>T: window length cut from a continuous recording (trials are used whole).</summary>
    public int WindowLength { get; init; } = 50;

    /// <summary>Windows drawn per epoch from a continuous recording.</summary>
    public int WindowsPerEpoch { get; init; } = 500;

    /// <summary>η_0.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>η_end, reached by exponential decay over the epochs.</summary>
    public double FinalLearningRate { get; init; } = 1e-6;

    /// <summary>Maximum gradient norm (no clipping when null).</summary>
    public double? ClipNorm { get; init; }

    /// <summary>Run the evaluation every this many epochs (and after the last); 0 = never.</summary>
    public int EvaluateEvery { get; init; }

    /// <summary>Write the checkpoint every this many epochs (and after the last).</summary>
    public int CheckpointEvery { get; init; } = 10;

    /// <summary>Seed of the epoch streams (window draws and the objective's seeds).</summary>
    public long Seed { get; init; }

    /// <summary>Rollbacks allowed before the fit is declared divergent.</summary>
    public int MaxRollbacks { get; init; } = 10;

    /// <summary>What else defines the fit (model, objective and data settings); part of <see cref="Fingerprint"/>.</summary>
    public string Configuration { get; init; } = "";

    /// <summary>Describes the trainer configuration; a checkpoint can only be resumed under the same one.</summary>
    public string Fingerprint(int parameterCount) => string.Create(
        CultureInfo.InvariantCulture,
        $"theta={parameterCount};epochs={Epochs};batch={BatchSize};window={WindowLength};windows={WindowsPerEpoch};lr={LearningRate:R};lr_end={FinalLearningRate:R};clip={ClipNorm:R};seed={Seed};{Configuration}");
}

/// <summary>The outcome of <see cref="Trainer.Train"/>.</summary>
/// <param name="Theta">θ after the last epoch.</param>
/// <param name="Summary">Objective per epoch, wall times, evaluations, rollbacks.</param>
/// <param name="ResumedFromEpoch">Epochs already completed when this run started (0 for a fresh fit).</param>
public sealed record TrainingResult(double[] Theta, TrainingSummary Summary, int ResumedFromEpoch);

/// <summary>
/// Maximises an <see cref="IDifferentiableObjective"/> with RAdam over epochs of random batches, with
/// exponential learning-rate decay, optional gradient clipping, periodic evaluation, atomic checkpoints
/// and bit-identical resume, and rollback on non-finite values.
/// </summary>
/// <remarks>
/// Randomness: epoch e draws its windows and the objective's per-batch seeds from
/// <c>Rng.Create(seed, 2⁴⁸ + rollbacks · 2³² + e)</c> (clear of the low streams used to initialise the model), so a run is a function of the seed and the epoch alone
/// and a resumed run replays exactly what an uninterrupted one would have done. The objective is
/// responsible for thread-count independence (sequence b of a batch uses stream b of the batch seed).
///
/// Rollback: if the objective, the gradient or θ after a step is NaN or ±∞, the trainer restores the
/// state at the end of the last good epoch, halves the learning rate for the rest of the fit, reports
/// it through the progress sink (stage <c>rollback</c>) and the summary, and redraws the epoch.
/// </remarks>
public sealed class Trainer
{
    private readonly IDifferentiableObjective _objective;
    private readonly BatchSampler _sampler;
    private readonly TrainerOptions _options;
    private readonly LearningRateSchedule _schedule;
    private readonly IProgressSink _progress;

    public Trainer(IDifferentiableObjective objective, TrainingData data, TrainerOptions options, IProgressSink? progress = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ClipNorm is double clip && !(clip > 0))
        {
            throw new InputException($"the gradient clipping norm must be positive (got {clip}).", "pass a positive --clip such as 10, or leave it out.");
        }

        if (options.CheckpointEvery < 1 || options.EvaluateEvery < 0 || options.MaxRollbacks < 0)
        {
            throw new ArgumentException($"need CheckpointEvery ≥ 1, EvaluateEvery ≥ 0 and MaxRollbacks ≥ 0 (got {options.CheckpointEvery}, {options.EvaluateEvery}, {options.MaxRollbacks}).", nameof(options));
        }

        _objective = objective;
        _options = options;
        _schedule = new LearningRateSchedule(options.LearningRate, options.FinalLearningRate, options.Epochs);
        _sampler = new BatchSampler(data, options.BatchSize, options.WindowLength, options.WindowsPerEpoch);
        _progress = progress ?? NullProgress.Instance;
    }

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => _sampler.BatchesPerEpoch;

    /// <summary>The fingerprint a checkpoint of this trainer carries.</summary>
    public string Fingerprint => _options.Fingerprint(_objective.ParameterCount);

    /// <summary>
    /// Trains from <paramref name="initialTheta"/> (not modified), or continues from
    /// <paramref name="resume"/>. Writes a checkpoint to <paramref name="checkpointPath"/> when given.
    /// <paramref name="evaluate"/> runs every <see cref="TrainerOptions.EvaluateEvery"/> epochs on the current θ.
    /// When <paramref name="cancellation"/> fires, the trainer finishes the epoch, writes the checkpoint
    /// and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public TrainingResult Train(double[] initialTheta, TrainingCheckpoint? resume = null, string? checkpointPath = null, Func<double[], double>? evaluate = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(initialTheta);
        int count = _objective.ParameterCount;
        if (initialTheta.Length != count)
        {
            throw new ArgumentException($"θ has {initialTheta.Length} entries but the objective needs {count}.", nameof(initialTheta));
        }

        var optimizer = new RAdam(count);
        double[] theta = (double[])initialTheta.Clone();
        var summary = new TrainingSummary();
        int epoch = 0, rollbacks = 0;
        double scale = 1;
        if (resume is not null)
        {
            if (resume.Fingerprint != Fingerprint)
            {
                throw new InputException(
                    $"the checkpoint was written by a fit with different settings ({resume.Fingerprint}) than this one ({Fingerprint}).",
                    "resume with the options of the interrupted fit, or start a new fit without --resume.");
            }

            resume.Theta.CopyTo(theta, 0);
            optimizer.Restore(resume.StepCount, resume.FirstMoment, resume.SecondMoment);
            summary = resume.Summary.Clone();
            epoch = resume.Epoch;
            rollbacks = resume.Rollbacks;
            scale = resume.LearningRateScale;
        }

        int resumedFrom = epoch;
        TrainingCheckpoint lastGood = Snapshot(epoch, rollbacks, scale, optimizer, theta, summary);
        var gradient = new double[count];
        double previousWall = summary.TotalWallSeconds;
        var clock = Stopwatch.StartNew();
        while (epoch < _options.Epochs)
        {
            double learningRate = _schedule.At(epoch) * scale;
            Rng rng = Rng.Create(_options.Seed, EpochStream(epoch, rollbacks));
            int[] plan = _sampler.DrawEpoch(rng);
            double weightedSum = 0;
            string? failure = null;
            int failedBatch = 0;
            for (int b = 0; b < _sampler.BatchesPerEpoch && failure is null; b++)
            {
                SequenceBatch batch = _sampler.Batch(plan, b);
                long batchSeed = (long)rng.NextUInt64();
                double value = _objective.Evaluate(theta, batch, batchSeed, gradient);
                failure = !double.IsFinite(value) ? $"objective {value.ToString(CultureInfo.InvariantCulture)}"
                    : !AllFinite(gradient) ? "gradient not finite"
                    : null;
                if (failure is null)
                {
                    // Maximise the objective: step against the loss −L, whose gradient is −∂L/∂θ.
                    System.Numerics.Tensors.TensorPrimitives.Negate(gradient, gradient);
                    if (_options.ClipNorm is double clip)
                    {
                        GradientClipping.ClipNorm(gradient, clip);
                    }

                    optimizer.Step(theta, gradient, learningRate);
                    weightedSum += value * batch.Sequences;
                    if (!AllFinite(theta))
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
                        "lower --lr, or pass --clip to bound the gradient norm.");
                }

                scale /= 2;
                theta = (double[])lastGood.Theta.Clone();
                optimizer.Restore(lastGood.StepCount, lastGood.FirstMoment, lastGood.SecondMoment);
                summary = lastGood.Summary.Clone();
                var rollback = new RollbackEvent(epoch, failedBatch, lastGood.Epoch, scale, failure);
                summary.Rollbacks.Add(rollback);
                epoch = lastGood.Epoch;
                _progress.Report(new ProgressUpdate(
                    "rollback",
                    epoch,
                    _options.Epochs,
                    string.Create(CultureInfo.InvariantCulture, $"{failure} at epoch {rollback.Epoch + 1}, batch {failedBatch + 1}: rolled back to epoch {epoch}, learning rate halved to {_schedule.At(epoch) * scale:0.0#e+00}")));
                lastGood = Snapshot(epoch, rollbacks, scale, optimizer, theta, summary);
                continue;
            }

            summary.Objective.Add(weightedSum / _sampler.SequencesPerEpoch);
            summary.LearningRate.Add(learningRate);
            summary.WallSeconds.Add(previousWall + clock.Elapsed.TotalSeconds);
            epoch++;
            bool last = epoch == _options.Epochs;
            if (evaluate is not null && _options.EvaluateEvery > 0 && (epoch % _options.EvaluateEvery == 0 || last))
            {
                summary.Evaluations.Add(new EvaluationPoint(epoch, evaluate(theta)));
            }

            lastGood = Snapshot(epoch, rollbacks, scale, optimizer, theta, summary);
            if (checkpointPath is not null && (epoch % _options.CheckpointEvery == 0 || last))
            {
                lastGood.Write(checkpointPath);
            }

            _progress.Report(new ProgressUpdate(
                "epoch",
                epoch,
                _options.Epochs,
                string.Create(CultureInfo.InvariantCulture, $"objective {summary.Objective[^1]:0.0000}  lr {learningRate:0.0#e+00}")));
            if (cancellation.IsCancellationRequested && !last)
            {
                if (checkpointPath is not null)
                {
                    lastGood.Write(checkpointPath);
                }

                cancellation.ThrowIfCancellationRequested();
            }
        }

        return new TrainingResult(theta, summary, resumedFrom);
    }

    /// <summary>The random stream of epoch <paramref name="epoch"/> after <paramref name="rollbacks"/> rollbacks.</summary>
    public static long EpochStream(int epoch, int rollbacks) => (1L << 48) + ((long)rollbacks << 32) + epoch;

    private TrainingCheckpoint Snapshot(int epoch, int rollbacks, double scale, RAdam optimizer, double[] theta, TrainingSummary summary) =>
        new(Fingerprint, epoch, rollbacks, scale, optimizer.StepCount, (double[])theta.Clone(), (double[])optimizer.FirstMoment.Clone(), (double[])optimizer.SecondMoment.Clone(), summary.Clone());

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
