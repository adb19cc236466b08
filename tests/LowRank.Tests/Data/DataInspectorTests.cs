using LowRank.Data;
using LowRank.Formats;

namespace LowRank.Tests.Data;

public sealed class DataInspectorTests
{
    [Fact]
    public void StatisticsMatchTheDefinitions()
    {
        ValueStats stats = ValueStats.Of([1.0, 2, 3, 4]);
        Assert.Equal(new ValueStats(4, 1, 4, 2.5, Math.Sqrt(1.25), 0, 0), stats);
    }

    [Fact]
    public void NonFiniteValuesAreCountedAndLeftOut()
    {
        ValueStats stats = ValueStats.Of([double.NaN, 2, double.PositiveInfinity, 4, double.NegativeInfinity]);
        Assert.Equal(new ValueStats(2, 2, 4, 3, 1, 1, 2), stats);
    }

    [Fact]
    public void DegenerateInputsGiveDefinedResults()
    {
        ValueStats empty = ValueStats.Of([]);
        Assert.Equal(0, empty.Count);
        Assert.True(double.IsNaN(empty.Mean));

        ValueStats allNan = ValueStats.Of([double.NaN, double.NaN]);
        Assert.Equal((0L, 2L), (allNan.Count, allNan.NanCount));

        ValueStats constant = ValueStats.Of([3.0, 3, 3]);
        Assert.Equal(0, constant.Sd);
        Assert.Equal(3, constant.Mean);
    }

    [Fact]
    public void ChannelsAreTheLastAxis()
    {
        // [2, 2, 3]: channel c holds c, 3 + c, 6 + c, 9 + c.
        var array = new NdArray([2, 2, 3], [0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        ArraySummary summary = DataInspector.Summarise("x", array);
        Assert.Equal(3, summary.Channels!.Length);
        Assert.Equal(new ValueStats(4, 2, 11, 6.5, Math.Sqrt(11.25), 0, 0), summary.Channels[2]);
        Assert.Null(DataInspector.Summarise("v", NdArray.FromVector([1.0, 2])).Channels);
        Assert.Null(DataInspector.Summarise("empty", NdArray.Zeros(3, 0)).Channels);
    }
}
