using LowRank.Data;
using LowRank.Numerics;
using LowRank.Training;

namespace LowRank.Tests.Training;

/// <summary>
/// L(θ) = −(1/BT) Σ_{b,t,x} ½ (y_btx − θ_x)² + (0.01/B) Σ_{b,x} ε_bx θ_x, with ε_b drawn from stream b of
/// the batch seed: maximised near the channel means; depends on the data and on the seed, as VSMC does.
/// Returns NaN on the calls listed in <c>nanCalls</c>.
/// </summary>
internal sealed class ChannelMeanObjective(int channels, params int[] nanCalls) : IDifferentiableObjective<SeededBatch>
{
    public int Calls { get; private set; }

    public int ParameterCount => channels;

    public double Evaluate(ReadOnlySpan<double> theta, SeededBatch seeded, Span<double> gradient)
    {
        (SequenceSet batch, long seed) = seeded;
        int call = Calls++;
        gradient.Clear();
        double value = 0;
        int bt = batch.Count * batch.Steps;
        for (int b = 0; b < batch.Count; b++)
        {
            ReadOnlySpan<double> y = batch.ObservationsOf(b);
            for (int i = 0; i < y.Length; i++)
            {
                int x = i % channels;
                double residual = y[i] - theta[x];
                value -= 0.5 * residual * residual / bt;
                gradient[x] += residual / bt;
            }

            Rng rng = Rng.Create(seed, b);
            for (int x = 0; x < channels; x++)
            {
                double noise = 0.01 * rng.NextGaussian() / batch.Count;
                value += noise * theta[x];
                gradient[x] += noise;
            }
        }

        return Array.IndexOf(nanCalls, call) >= 0 ? double.NaN : value;
    }
}

internal sealed class RecordingProgress(Action<ProgressUpdate>? onReport = null) : IProgressSink
{
    public List<ProgressUpdate> Updates { get; } = [];

    public void Report(in ProgressUpdate update)
    {
        Updates.Add(update);
        onReport?.Invoke(update);
    }
}

public sealed class TrainerTests : IDisposable
{
    private static readonly double[] Means = [1.0, -2.0, 0.5];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lowrank-trainer-" + Guid.NewGuid().ToString("N"));

    public TrainerTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SequenceSet Data()
    {
        const int steps = 400;
        Rng rng = Rng.Create(42);
        var values = new double[steps * 3];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Means[i % 3] + 0.5 * rng.NextGaussian();
        }

        return SequenceSet.Continuous(values, steps, 3);
    }

    private static TrainerOptions Options(int epochs) => new()
    {
        Epochs = epochs,
        Goal = Goal.Maximise,
        LearningRate = 0.05,
        FinalLearningRate = 0.005,
        MaxRollbacks = 10,
        CheckpointEvery = 1,
    };

    /// <summary>RAdam on batches of 4 windows of 10 steps, 20 windows per epoch, seed 9.</summary>
    private static Trainer<SeededBatch> NewTrainer(IDifferentiableObjective<SeededBatch> objective, TrainerOptions options, IProgressSink? progress = null) =>
        new(objective, new SequenceSampler(Data(), 4, 10, 20, 9), new RAdam(objective.ParameterCount), options, progress: progress);

    [Fact]
    public void ConvergesToTheMaximum()
    {
        var objective = new ChannelMeanObjective(3);
        // RAdam's rectification keeps early steps small, hence the large initial rate.
        var trainer = NewTrainer(objective, Options(60) with { LearningRate = 0.5, FinalLearningRate = 0.05 });
        TrainingResult result = trainer.Train([0, 0, 0]);
        Assert.Equal(60, result.Summary.Epochs);
        Assert.Equal(60 * 5, objective.Calls);
        for (int x = 0; x < 3; x++)
        {
            Assert.Equal(Means[x], result.Theta[x], 0.1);
        }

        Assert.True(result.Summary.Objective[^1] > result.Summary.Objective[0] + 0.5);
        Assert.Equal(0.5, result.Summary.LearningRate[0], 1e-15);
        Assert.Equal(0.5 * Math.Pow(0.1, 59.0 / 60), result.Summary.LearningRate[^1], 1e-15);
    }

    [Fact]
    public void ResumeContinuesBitIdentically()
    {
        const int k = 7;
        string straightPath = Path.Combine(_dir, "straight.lrck");
        TrainingResult straight = NewTrainer(new ChannelMeanObjective(3), Options(2 * k)).Train([0, 0, 0], checkpointPath: straightPath);

        // Interrupt after k epochs (the trainer checkpoints and stops), then resume from the file.
        string path = Path.Combine(_dir, "interrupted.lrck");
        using var cancel = new CancellationTokenSource();
        var progress = new RecordingProgress(u =>
        {
            if (u.Stage == "epoch" && u.Done == k)
            {
                cancel.Cancel();
            }
        });
        Assert.Throws<OperationCanceledException>(() =>
            NewTrainer(new ChannelMeanObjective(3), Options(2 * k), progress).Train([0, 0, 0], checkpointPath: path, cancellation: cancel.Token));
        TrainingCheckpoint checkpoint = TrainingCheckpoint.Read(path);
        Assert.Equal(k, checkpoint.Epoch);

        TrainingResult resumed = NewTrainer(new ChannelMeanObjective(3), Options(2 * k)).Train([0, 0, 0], checkpoint, path);
        Assert.Equal(k, resumed.ResumedFromEpoch);
        Assert.Equal(ToBytes(straight.Theta), ToBytes(resumed.Theta));
        Assert.Equal(straight.Summary.Objective, resumed.Summary.Objective);
        TrainingCheckpoint a = TrainingCheckpoint.Read(straightPath), b = TrainingCheckpoint.Read(path);
        Assert.Equal(ToBytes(a.FirstMoment), ToBytes(b.FirstMoment));
        Assert.Equal(ToBytes(a.SecondMoment), ToBytes(b.SecondMoment));
        Assert.Equal(a.StepCount, b.StepCount);
    }

    [Fact]
    public void NonFiniteObjectiveRollsBackAndHalvesTheLearningRate()
    {
        // Call 12 is batch 3 of epoch 3 (5 batches per epoch).
        var objective = new ChannelMeanObjective(3, 12);
        var progress = new RecordingProgress();
        TrainingResult result = NewTrainer(objective, Options(6), progress).Train([0, 0, 0]);

        RollbackEvent rollback = Assert.Single(result.Summary.Rollbacks);
        Assert.Equal(new RollbackEvent(2, 2, 2, 0.5, "objective NaN"), rollback);
        Assert.Equal(6, result.Summary.Epochs);
        var schedule = new LearningRateSchedule(0.05, 0.005, 6);
        Assert.Equal(schedule.At(1), result.Summary.LearningRate[1]);
        Assert.Equal(schedule.At(2) / 2, result.Summary.LearningRate[2]);
        Assert.Equal(schedule.At(5) / 2, result.Summary.LearningRate[5]);
        Assert.All(result.Theta, v => Assert.True(double.IsFinite(v)));
        ProgressUpdate report = Assert.Single(progress.Updates, u => u.Stage == "rollback");
        Assert.Equal("objective NaN at epoch 3, batch 3: rolled back to epoch 2, learning rate halved to 1.16e-02", report.Message);
        // 6 clean epochs of 5 batches plus the 3 calls of the failed attempt.
        Assert.Equal(33, objective.Calls);
    }

    [Fact]
    public void PersistentNaNIsReportedAsDivergence()
    {
        var objective = new ChannelMeanObjective(3, Enumerable.Range(5, 100).ToArray());
        var trainer = NewTrainer(objective, Options(4) with { MaxRollbacks = 3 });
        InputException error = Assert.Throws<InputException>(() => trainer.Train([0, 0, 0]));
        Assert.Equal("training diverged: objective NaN at epoch 2, batch 1, after 3 rollbacks that each halved the learning rate.", error.Message);
    }

    [Fact]
    public void StopRuleEndsTheRunAtTheFirstEpochWhereItHolds()
    {
        var objective = new ChannelMeanObjective(3);
        var seen = new List<EpochStatus>();
        // The rule sees the start's and every epoch's status and holds from epoch 4 on; that epoch is then treated as the last.
        var options = Options(10) with
        {
            EvaluateEvery = 3,
            StopWhen = status =>
            {
                seen.Add(status);
                return status.Epoch >= 4;
            },
        };
        int evaluations = 0;
        TrainingResult stopped = NewTrainer(objective, options).Train([0, 0, 0], evaluate: _ => ++evaluations);
        Assert.Equal(4, stopped.Summary.Epochs);
        Assert.True(stopped.Summary.StoppedEarly);
        Assert.Equal(4 * 5, objective.Calls);
        Assert.Equal([0, 1, 2, 3, 4], seen.Select(s => s.Epoch));
        Assert.All(seen, s => Assert.Equal(10, s.Epochs));
        Assert.Equal([new EvaluationPoint(3, 1), new EvaluationPoint(4, 2)], stopped.Summary.Evaluations);

        // Stopping changes nothing before the stop: the first four epochs equal those of an unstopped run.
        TrainingResult full = NewTrainer(new ChannelMeanObjective(3), Options(10)).Train([0, 0, 0]);
        Assert.False(full.Summary.StoppedEarly);
        Assert.Equal(10, full.Summary.Epochs);
        Assert.Equal(full.Summary.Objective.Take(4), stopped.Summary.Objective);
        Assert.Equal(full.Summary.LearningRate.Take(4), stopped.Summary.LearningRate);

        // A start that already satisfies the rule runs no epoch and returns the start.
        var untouched = new ChannelMeanObjective(3);
        TrainingResult none = NewTrainer(untouched, Options(10) with { StopWhen = status => true }).Train([0.5, 0.5, 0.5]);
        Assert.True(none.Summary.StoppedEarly);
        Assert.Equal(0, none.Summary.Epochs);
        Assert.Equal(0, untouched.Calls);
        Assert.Equal([0.5, 0.5, 0.5], none.Theta);
    }

    [Fact]
    public void AFailingParameterCheckEndsTheRunBeforeTheEpochIsCheckpointed()
    {
        string path = Path.Combine(_dir, "checked.lrck");
        var seen = new List<int>();
        int evaluations = 0;
        var options = Options(5) with
        {
            EvaluateEvery = 1,
            CheckParameters = (theta, epoch) =>
            {
                seen.Add(epoch);
                if (epoch == 3)
                {
                    throw new InputException("degenerate", "start elsewhere.");
                }
            },
        };
        InputException error = Assert.Throws<InputException>(() => NewTrainer(new ChannelMeanObjective(3), options).Train([0, 0, 0], checkpointPath: path, evaluate: _ => ++evaluations));
        Assert.Equal("degenerate", error.Message);
        Assert.Equal([1, 2, 3], seen);
        Assert.Equal(2, evaluations);
        Assert.Equal(2, TrainingCheckpoint.Read(path).Epoch);
    }

    [Fact]
    public void EvaluationRunsEveryNEpochsAndAfterTheLast()
    {
        var trainer = NewTrainer(new ChannelMeanObjective(3), Options(7) with { EvaluateEvery = 3 });
        int calls = 0;
        TrainingResult result = trainer.Train([0, 0, 0], evaluate: theta => ++calls);
        Assert.Equal([new EvaluationPoint(3, 1), new EvaluationPoint(6, 2), new EvaluationPoint(7, 3)], result.Summary.Evaluations);
    }

    [Fact]
    public void ResumeWithOtherSettingsIsAnInputError()
    {
        string path = Path.Combine(_dir, "a.lrck");
        NewTrainer(new ChannelMeanObjective(3), Options(2)).Train([0, 0, 0], checkpointPath: path);
        var other = NewTrainer(new ChannelMeanObjective(3), Options(3));
        InputException error = Assert.Throws<InputException>(() => other.Train([0, 0, 0], TrainingCheckpoint.Read(path)));
        Assert.Equal("the checkpoint was written by a fit with other settings:\n  trainer.epochs: 2 in the checkpoint, 3 now", error.Message);
    }

    [Fact]
    public void TruncatedCheckpointIsRefusedByItsChecksum()
    {
        string path = Path.Combine(_dir, "b.lrck");
        NewTrainer(new ChannelMeanObjective(3), Options(2)).Train([0, 0, 0], checkpointPath: path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        InputException error = Assert.Throws<InputException>(() => TrainingCheckpoint.Read(path));
        Assert.Equal($"the checkpoint '{path}' is damaged: its SHA-256 checksum does not match its contents.", error.Message);
    }

    private static byte[] ToBytes(double[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
