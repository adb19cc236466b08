using LowRank.Analysis.FixedPoints;
using LowRank.Plotting;

namespace LowRank.Tests.Analysis.FixedPoints;

public sealed class FlowFieldPlotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-flow-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RendersEveryRank(int rank)
    {
        PiecewiseLinearMap map = RandomNetworks.SelfExciting(12, rank, PiecewiseActivation.ClippedRelu, rank);
        FixedPointResult result = FixedPointFinder.Enumerate(map);
        string path = Path.Combine(_dir, $"flow{rank}.png");
        FixedPointPlots.SaveFlowField(path, map, result.FixedPoints, FixedPointFinder.FindCycles(map, 2, new ApproximateSearchOptions(Restarts: 20)), $"rank {rank}");
        Assert.True(new FileInfo(path).Length > 1000);
    }

    [Fact]
    public void RendersWithoutFixedPoints()
    {
        var map = new PiecewiseLinearMap([1.0, 0.0], [0.5, 1.0], [0.0, -1.0], [0.0, 0.0], 0.9, PiecewiseActivation.Relu, 2, 1);
        string path = Path.Combine(_dir, "empty.png");
        FixedPointPlots.SaveFlowField(path, map, [], [], "none");
        Assert.True(File.Exists(path));
    }
}
