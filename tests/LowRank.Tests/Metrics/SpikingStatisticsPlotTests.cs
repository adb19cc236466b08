using LowRank.Metrics;
using LowRank.Plotting;

namespace LowRank.Tests.Metrics;

/// <summary>The spiking-statistics figure renders degenerate data: one unit, silent units, undefined correlations.</summary>
public sealed class SpikingStatisticsPlotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-spiking-plot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(1, 10)]  // one unit: no pairs, no rate correlation
    [InlineData(3, 6)]
    [InlineData(7, 40)]
    public void Renders(int units, int steps)
    {
        // Unit 0 is silent (no rate spread, no intervals, no correlations); the others fire every (u + 1)-th bin.
        var counts = new double[steps * units];
        for (int t = 0; t < steps; t++)
        {
            for (int u = 1; u < units; u++)
            {
                counts[t * units + u] = t % (u + 1) == 0 ? 1 : 0;
            }
        }

        SpikeCountStatistics data = SpikeCountStatistics.Of(counts, steps, units, 8, null);
        SpikeCountStatistics generated = SpikeCountStatistics.Of(counts, steps, units, 8, null);
        string path = Path.Combine(_dir, $"spikes{units}.png");
        SpikingStatisticsPlots.Save(path, data, generated, SpikingAgreement.Of(generated, data));
        Assert.True(new FileInfo(path).Length > 1000);
    }
}
