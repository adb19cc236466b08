using LowRank.Training;
using Xunit;

namespace LowRank.Tests.Training;

public sealed class RestartsUntilTargetTests
{
    /// <summary>An attempt with the given validation accuracy and loss that ran <paramref name="epochs"/> epochs.</summary>
    private static TrainingAttempt Attempt(double accuracy, double loss, int epochs)
    {
        var summary = new TrainingSummary();
        summary.Objective.AddRange(Enumerable.Repeat(loss, epochs));
        return new([accuracy], summary, accuracy, loss);
    }

    private sealed class Recorder : IProgressSink
    {
        public List<ProgressUpdate> Updates { get; } = [];

        public void Report(in ProgressUpdate update) => Updates.Add(update);
    }

    [Fact]
    public void StopsAtTheFirstAttemptThatReachesTheTarget()
    {
        TrainingAttempt[] outcomes = [Attempt(0.5, 1, 3), Attempt(0.995, 0.2, 4), Attempt(1.0, 0.1, 5)];
        var ran = new List<int>();
        var progress = new Recorder();
        RestartsResult result = RestartsUntilTarget.Run(0.99, 2, k => { ran.Add(k); return outcomes[k]; }, progress, (best, k) => $"best {best.Accuracy} restart {k}");

        Assert.Equal([0, 1], ran);
        Assert.Equal(1, result.ChosenIndex);
        Assert.Equal(1, result.Restarts);
        Assert.Equal(7, result.TotalEpochs);
        Assert.True(result.ReachedTarget);
        ProgressUpdate restart = Assert.Single(progress.Updates);
        Assert.Equal("restart", restart.Stage);
        Assert.Equal("best 0.5 restart 1", restart.Message);
    }

    [Fact]
    public void WithoutAnAttemptAtTheTargetTheMostAccurateThenLowestLossIsReturned()
    {
        TrainingAttempt[] outcomes = [Attempt(0.8, 0.3, 2), Attempt(0.9, 0.5, 2), Attempt(0.9, 0.4, 2)];
        RestartsResult result = RestartsUntilTarget.Run(0.99, 2, k => outcomes[k], NullProgress.Instance, (_, _) => "");

        Assert.Equal(2, result.ChosenIndex);
        Assert.Equal(2, result.Restarts);
        Assert.Equal(6, result.TotalEpochs);
        Assert.False(result.ReachedTarget);
        Assert.Equal(0.4, result.Chosen.Loss);
    }

    [Fact]
    public void WithoutATargetOneAttemptRuns()
    {
        var ran = new List<int>();
        RestartsResult result = RestartsUntilTarget.Run(0, 5, k => { ran.Add(k); return Attempt(0.1, 9, 1); }, NullProgress.Instance, (_, _) => "");

        Assert.Equal([0], ran);
        Assert.Equal(0, result.Restarts);
        Assert.False(result.ReachedTarget);
    }
}
