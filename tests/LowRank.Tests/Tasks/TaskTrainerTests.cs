using LowRank.Tasks;
using LowRank.Training;

namespace LowRank.Tests.Tasks;

public sealed class TaskTrainerTests
{
    /// <summary>A network far too small and short-trained to reach the target: every restart runs.</summary>
    private static TaskTrainingOptions Tiny(int threads = 1) =>
        new("cdi", 6, 1, 2, 4, 8, 0.01, 0.05, 3, threads, 16, TargetAccuracy: 1.0, Restarts: 2, Patience: 0);

    [Fact]
    public void RestartsRunWhileBelowTheTargetAndRepeatExactly()
    {
        TaskTrainingResult first = TaskTrainer.Train(Tiny(), NullProgress.Instance);
        Assert.False(first.ReachedTarget);
        Assert.Equal(2, first.Restarts);
        Assert.Equal(3 * 2, first.TotalEpochs);
        Assert.Equal(2, first.Summary.Epochs);
        Assert.InRange(first.Attempt, 0, 2);
        Assert.True(first.ValidationAccuracy < 1.0);

        // Deterministic for the seed, on any thread count.
        TaskTrainingResult again = TaskTrainer.Train(Tiny(threads: 2), NullProgress.Instance);
        Assert.Equal(first.Network.Theta, again.Network.Theta);
        Assert.Equal(first.Attempt, again.Attempt);
        Assert.Equal(first.Accuracy, again.Accuracy);
    }

    [Fact]
    public void WithoutATargetOneAttemptRunsEveryEpoch()
    {
        TaskTrainingResult result = TaskTrainer.Train(Tiny() with { TargetAccuracy = 0, Epochs = 3 }, NullProgress.Instance);
        Assert.Equal(0, result.Restarts);
        Assert.Equal(0, result.Attempt);
        Assert.Equal(3, result.Summary.Epochs);
        Assert.False(result.Summary.StoppedEarly);
        Assert.False(result.ReachedTarget);
    }

    [Fact]
    public void AReachedTargetEndsTrainingWithoutRestarts()
    {
        // A target the start already reaches (one correct validation trial): no epoch runs, no restart.
        TaskTrainingResult result = TaskTrainer.Train(Tiny() with { TargetAccuracy = 1e-9, Epochs = 5 }, NullProgress.Instance);
        Assert.True(result.ReachedTarget);
        Assert.True(result.Summary.StoppedEarly);
        Assert.Equal(0, result.Restarts);
        Assert.Equal(0, result.TotalEpochs);
        Assert.Equal(0, result.Summary.BestEpoch);

        // A target between the start's accuracy and the best reachable one stops the first attempt at the epoch that reaches it.
        TaskTrainingOptions rdm = Tiny() with { Task = "rdm", Units = 16, Epochs = 6, TrainTrials = 32, BatchSize = 8, LearningRate = 0.05 };
        TaskTrainingResult start = TaskTrainer.Train(rdm with { TargetAccuracy = 0, Epochs = 1, LearningRate = 1e-12 }, NullProgress.Instance);
        TaskTrainingResult trained = TaskTrainer.Train(rdm with { TargetAccuracy = 0 }, NullProgress.Instance);
        Assert.True(trained.ValidationAccuracy > start.ValidationAccuracy, $"validation accuracy {start.ValidationAccuracy} -> {trained.ValidationAccuracy}");
        TaskTrainingResult stopped = TaskTrainer.Train(rdm with { TargetAccuracy = trained.ValidationAccuracy }, NullProgress.Instance);
        Assert.True(stopped.ReachedTarget);
        Assert.Equal(0, stopped.Restarts);
        Assert.InRange(stopped.Summary.Epochs, 1, trained.Summary.BestEpoch);
        Assert.Equal(stopped.Summary.Epochs, stopped.Summary.BestEpoch);
    }

    [Fact]
    public void PatienceEndsAStalledAttemptAndARestartFollows()
    {
        // A learning rate far too small for the loss to move: no epoch beats the start, so each attempt ends after
        // the patience (2 epochs of 6) and the next one starts.
        TaskTrainingResult result = TaskTrainer.Train(Tiny() with { LearningRate = 1e-12, Epochs = 6, Patience = 2, Restarts = 1 }, NullProgress.Instance);
        Assert.Equal(1, result.Restarts);
        Assert.Equal(2 * 2, result.TotalEpochs);
        Assert.True(result.Summary.StoppedEarly);
        Assert.Equal(0, result.Summary.BestEpoch);
        Assert.False(result.ReachedTarget);
    }

    [Fact]
    public void AttemptSeedsAreTheSeedThenDistinctDerivedSeeds()
    {
        Assert.Equal(7, RestartsUntilTarget.AttemptSeed(7, 0));
        long[] seeds = [.. Enumerable.Range(0, 5).Select(k => RestartsUntilTarget.AttemptSeed(7, k))];
        Assert.Equal(5, seeds.Distinct().Count());
        Assert.Equal(seeds[3], RestartsUntilTarget.AttemptSeed(7, 3));
        Assert.NotEqual(seeds[1], RestartsUntilTarget.AttemptSeed(8, 1));
    }

    [Theory]
    [InlineData(1.5, 0, "TargetAccuracy")]
    [InlineData(-0.1, 0, "TargetAccuracy")]
    [InlineData(0.9, -1, "Restarts")]
    [InlineData(0.9, 0, "Patience")]
    public void OutOfRangeTargetRestartsOrPatienceAreInputErrors(double target, int restarts, string setting)
    {
        int patience = setting == "Patience" ? -1 : 0;
        InputException error = Assert.Throws<InputException>(() => (Tiny() with { TargetAccuracy = target, Restarts = restarts, Patience = patience }).Validate());
        Assert.Equal(setting, error.Setting);
    }
}
