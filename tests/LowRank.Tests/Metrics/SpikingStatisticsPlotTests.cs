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

        // With the raster row (silent unit 0 included) the figure is taller.
        string withRaster = Path.Combine(_dir, $"spikes{units}-raster.png");
        SpikingStatisticsPlots.Save(withRaster, data, generated, SpikingAgreement.Of(generated, data), new SpikeRaster(steps, units, counts, counts));
        Assert.True(new FileInfo(withRaster).Length > new FileInfo(path).Length);
    }

    [Fact]
    public void RasterUnitsAreOrderedByTheirMeanSpikeTimeSilentUnitsLast()
    {
        // 4 bins × 4 units: unit 0 silent, unit 1 fires at bins 2 and 3 (mean 2.5), unit 2 once at bin 0 with 2 spikes
        // and once at bin 3 (count-weighted mean 1), unit 3 at bin 1 (mean 1): ties go by index.
        double[] counts =
        [
            0, 0, 2, 0,
            0, 0, 0, 1,
            0, 1, 0, 0,
            0, 1, 1, 0,
        ];
        Assert.Equal([2, 3, 1, 0], SpikingStatisticsPlots.UnitsByMeanSpikeTime(counts, 4, 4));
    }
}
