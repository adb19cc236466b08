using LowRank.Numerics;
using Xunit;

namespace LowRank.Tests.Numerics;

public sealed class StatisticsTests
{
    [Fact]
    public void MeanAndSampleSdFollowTheirDefinitions()
    {
        double[] values = [2, 4, 4, 4, 5, 5, 7, 9];
        Assert.Equal(5, Statistics.Mean(values));
        // Σ(v − 5)² = 32 over n − 1 = 7.
        Assert.Equal(Math.Sqrt(32.0 / 7), Statistics.SampleSd(values), 15);
        Assert.Equal(0, Statistics.SampleSd([3.5]));
        Assert.True(double.IsNaN(Statistics.Mean([])));
    }

    [Fact]
    public void MedianTakesTheMiddleOrTheMeanOfTheTwoMiddleValues()
    {
        Assert.Equal(3, Statistics.Median([5, 1, 3]));
        Assert.Equal(2.5, Statistics.Median([4, 1, 2, 3]));
        Assert.True(double.IsNaN(Statistics.Median([])));
    }
}
