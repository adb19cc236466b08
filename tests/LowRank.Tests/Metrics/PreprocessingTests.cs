using LowRank.Metrics;
using LowRank.Numerics;

namespace LowRank.Tests.Metrics;

public sealed class PreprocessingTests
{
    [Fact]
    public void HannWindowIsTheSymmetricNumPyWindow()
    {
        double[] w = Preprocessing.HannWindow(15);

        // np.hanning(15): zero end points, peak 1 at the centre, symmetric, sum (M − 1)/2 = 7.
        Assert.Equal(15, w.Length);
        Assert.Equal(0.0, w[0], 15);
        Assert.Equal(0.0, w[14], 15);
        Assert.Equal(1.0, w[7], 15);
        Assert.Equal(0.5 - 0.5 * Math.Cos(2 * Math.PI / 14), w[1], 15);
        Assert.Equal(0.5 + 0.5 * 0.62348980185873353, w[5], 14); // cos(5π/7) = −0.6234898…
        Assert.Equal(7.0, w.Sum(), 12);
        for (int n = 0; n < 15; n++)
        {
            Assert.Equal(w[n], w[14 - n], 15);
        }

        Assert.Equal([1.0], Preprocessing.HannWindow(1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(20)]
    public void ReflectIndexMatchesConcatenatedMirrors(int length)
    {
        double[] x = Enumerable.Range(0, length).Select(i => (double)i).ToArray();
        const int pad = 45;
        double[] padded = NaiveMetrics.ReflectPad(x, pad);
        for (int position = -pad; position < length + pad; position++)
        {
            Assert.Equal(padded[position + pad], Preprocessing.ReflectIndex(position, length));
        }
    }

    [Theory]
    [InlineData(1, 1, 15)]
    [InlineData(5, 2, 15)]
    [InlineData(40, 3, 15)]
    [InlineData(33, 1, 5)]
    public void HannConvolutionMatchesDirectConvolutionOfReflectPaddedChannels(int steps, int channels, int length)
    {
        Rng rng = Rng.Create(1, steps);
        var series = new double[steps * channels];
        rng.FillGaussian(series);
        double[] window = Preprocessing.HannWindow(length);
        var smoothed = new double[series.Length];
        Preprocessing.ConvolveReflect(series, steps, channels, window, smoothed);

        int half = length / 2;
        for (int c = 0; c < channels; c++)
        {
            double[] padded = NaiveMetrics.ReflectPad(NaiveMetrics.Column(NaiveMetrics.Unflatten(series, steps, channels), c), half);
            for (int t = 0; t < steps; t++)
            {
                // Convolution: Σ_j w[j] · x[t − j + h] (the window is symmetric, so this also equals correlation).
                double expected = 0;
                for (int j = 0; j < length; j++)
                {
                    expected += window[j] * padded[t - j + 2 * half];
                }

                Assert.Equal(expected, smoothed[t * channels + c], 12);
            }
        }
    }

    [Fact]
    public void ZScoreGivesZeroMeanUnitPopulationSdAndCentresConstantChannels()
    {
        const int steps = 50, channels = 3;
        Rng rng = Rng.Create(2);
        var series = new double[steps * channels];
        for (int t = 0; t < steps; t++)
        {
            series[t * channels] = 3 + 2 * rng.NextGaussian();
            series[t * channels + 1] = 4.5; // constant
            series[t * channels + 2] = -50 + 0.1 * rng.NextGaussian();
        }

        Preprocessing.ZScoreInPlace(series, steps, channels);
        double[,] z = NaiveMetrics.Unflatten(series, steps, channels);
        foreach (int c in new[] { 0, 2 })
        {
            double[] column = NaiveMetrics.Column(z, c);
            Assert.Equal(0.0, column.Average(), 12);
            Assert.Equal(1.0, column.Select(v => v * v).Average(), 10);
        }

        Assert.All(NaiveMetrics.Column(z, 1), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void ApplyLeavesTheInputUntouchedAndHonoursTheChoice()
    {
        const int steps = 30, channels = 2;
        Rng rng = Rng.Create(3);
        var series = new double[steps * channels];
        rng.FillGaussian(series);
        for (int i = 0; i < series.Length; i++)
        {
            series[i] = 5 + 3 * series[i];
        }

        double[] original = (double[])series.Clone();
        Assert.Equal(original, Preprocessing.Apply(series, steps, channels, SeriesPreprocessing.None));

        double[] zScored = Preprocessing.Apply(series, steps, channels, SeriesPreprocessing.ZScore);
        double[] expectedZ = NaiveMetrics.Flatten(Columns(channels, c => NaiveMetrics.ZScore(NaiveMetrics.Column(NaiveMetrics.Unflatten(series, steps, channels), c))));
        Assert.Equal(expectedZ, zScored, new Tolerance(1e-12));

        double[] smoothed = Preprocessing.Apply(series, steps, channels, SeriesPreprocessing.HannSmoothThenZScore);
        var convolved = new double[series.Length];
        Preprocessing.ConvolveReflect(series, steps, channels, Preprocessing.HannWindow(15), convolved);
        double[] expectedSmooth = NaiveMetrics.Flatten(Columns(channels, c => NaiveMetrics.ZScore(NaiveMetrics.Column(NaiveMetrics.Unflatten(convolved, steps, channels), c))));
        Assert.Equal(expectedSmooth, smoothed, new Tolerance(1e-12));
        Assert.Equal(original, series);
    }

    private static double[,] Columns(int channels, Func<int, double[]> column)
    {
        double[][] columns = Enumerable.Range(0, channels).Select(column).ToArray();
        var result = new double[columns[0].Length, channels];
        for (int c = 0; c < channels; c++)
        {
            for (int t = 0; t < columns[c].Length; t++)
            {
                result[t, c] = columns[c][t];
            }
        }

        return result;
    }

    internal sealed class Tolerance(double absolute) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= absolute;

        public int GetHashCode(double obj) => 0;
    }
}
