using LowRank.Training;

namespace LowRank.Tests.Training;

public sealed class EarlyStoppingTests
{
    private static EpochStatus At(int epoch, int bestEpoch) => new(epoch, 60, 0.5, 0.01, 0.4, 0.4, bestEpoch);

    [Fact]
    public void TheTargetCountsOnlyWhenTheEpochIsTheBest()
    {
        var stopping = new EarlyStopping(0.99, 0);
        Assert.True(stopping.Holds(At(7, 7), 0.99));
        Assert.True(stopping.Holds(At(7, 7), 1.0));
        Assert.False(stopping.Holds(At(7, 7), 0.98));
        // A later epoch that is not the best may score well, but the returned parameters would be the earlier ones.
        Assert.False(stopping.Holds(At(8, 7), 1.0));
    }

    [Fact]
    public void PatienceCountsEpochsSinceTheBestFromTheStart()
    {
        var stopping = new EarlyStopping(0, 10);
        Assert.False(stopping.Holds(At(9, 0), double.NaN));
        Assert.True(stopping.Holds(At(10, 0), double.NaN));
        Assert.False(stopping.Holds(At(14, 5), double.NaN));
        Assert.True(stopping.Holds(At(15, 5), double.NaN));
    }

    [Fact]
    public void ZeroTurnsEachRuleOff()
    {
        var none = new EarlyStopping(0, 0);
        Assert.False(none.Holds(At(1, 1), 1.0));
        Assert.False(none.Holds(At(500, 0), 1.0));
    }
}
