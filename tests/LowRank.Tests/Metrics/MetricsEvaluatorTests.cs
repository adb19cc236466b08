using LowRank.Formats;
using LowRank.Metrics;
using LowRank.Numerics;

namespace LowRank.Tests.Metrics;

public sealed class MetricsEvaluatorTests
{
    private const int Steps = 400, Channels = 3;

    [Fact]
    public void SmoothsAndZScoresTheGeneratedSeriesButNotTheDataByDefault()
    {
        double[] generated = Noise(40, 2.0, 5.0), data = Noise(41, 1.0, 0.0);
        var options = new MetricsOptions { Seeds = 3, Draws = 300, Seed = 4 };
        MetricsReport report = MetricsEvaluator.Evaluate(generated, data, Steps, Channels, options);

        double[] smoothed = Preprocessing.Apply(generated, Steps, Channels, SeriesPreprocessing.HannSmoothThenZScore);
        var divergence = new StateSpaceDivergence(smoothed, Steps, data, Steps, Channels, new StspOptions { Draws = 300 });
        StspSummary expected = divergence.EstimateOverSeeds(4, 3);
        Assert.Equal(expected.Mean, report.DStsp);
        Assert.Equal(expected.StandardDeviation, report.DStspSd);
        Assert.Equal(expected.PerSeed.Select(e => e.Value), report.DStspPerSeed);
        Assert.Equal(expected.PerSeed.Select(e => e.Dropped), report.DStspDropped);
        Assert.Equal(SpectrumHellinger.Compute(smoothed, data, Steps, Channels), report.DH);
        Assert.Equal(Channels, report.DHPerChannel.Length);
        Assert.Equal(Steps, report.DStspSteps);
        Assert.Equal(300, report.DStspDraws);
    }

    [Fact]
    public void PreprocessingOfEachSeriesIsExplicit()
    {
        double[] generated = Noise(42, 2.0, 5.0), data = Noise(43, 3.0, -1.0);
        var options = new MetricsOptions
        {
            Seeds = 1,
            Draws = 100,
            GeneratedPreprocessing = SeriesPreprocessing.None,
            DataPreprocessing = SeriesPreprocessing.ZScore,
        };
        MetricsReport report = MetricsEvaluator.Evaluate(generated, data, Steps, Channels, options);
        double[] zData = Preprocessing.Apply(data, Steps, Channels, SeriesPreprocessing.ZScore);
        StspEstimate expected = new StateSpaceDivergence(generated, Steps, zData, Steps, Channels, new StspOptions { Draws = 100 }).Estimate(0, 0);
        Assert.Equal(expected.Value, report.DStsp);
        Assert.Equal(0.0, report.DStspSd);
    }

    [Fact]
    public void JsonUsesThePublishedKeys()
    {
        MetricsReport report = MetricsEvaluator.Evaluate(Noise(44, 1, 0), Noise(45, 1, 0), Steps, Channels, new MetricsOptions { Seeds = 2, Draws = 50 });
        string json = JsonFile.Serialize(report);
        Assert.Contains("\"d_stsp\":", json);
        Assert.Contains("\"d_stsp_sd\":", json);
        Assert.Contains("\"d_h\":", json);
        Assert.Contains("\"d_stsp_dropped\":", json);
    }

    [Fact]
    public void NonFiniteValuesAreReportedWithTheirPosition()
    {
        double[] generated = Noise(46, 1, 0);
        generated[5 * Channels + 2] = double.NaN;
        var error = Assert.Throws<InputException>(() => MetricsEvaluator.Evaluate(generated, Noise(47, 1, 0), Steps, Channels, new MetricsOptions()));
        Assert.Equal("the generated series holds NaN at step 5, channel 2.", error.Message);
    }

    [Theory]
    [InlineData(0, 1000, 15, "the number of D_stsp seeds must be at least 1, got 0.")]
    [InlineData(5, 0, 15, "the number of D_stsp draws must be at least 1, got 0.")]
    [InlineData(5, 1000, 14, "the Hann window length must be odd and positive, got 14.")]
    public void OutOfRangeOptionsAreInputErrors(int seeds, int draws, int hann, string message)
    {
        var options = new MetricsOptions { Seeds = seeds, Draws = draws, HannLength = hann };
        var error = Assert.Throws<InputException>(() => MetricsEvaluator.Evaluate(Noise(48, 1, 0), Noise(49, 1, 0), Steps, Channels, options));
        Assert.Equal(message, error.Message);
    }

    private static double[] Noise(long seed, double scale, double offset)
    {
        Rng rng = Rng.Create(seed);
        var series = new double[Steps * Channels];
        for (int i = 0; i < series.Length; i++)
        {
            series[i] = offset + scale * rng.NextGaussian();
        }

        return series;
    }
}
