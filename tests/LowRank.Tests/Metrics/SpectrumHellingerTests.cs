using System.Numerics;
using LowRank.Metrics;
using LowRank.Numerics;
using MathNet.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace LowRank.Tests.Metrics;

public sealed class SpectrumHellingerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(97)]
    [InlineData(150)]
    [InlineData(482)] // 9640 / 20: same prime factors as the EEG length (2³·5·241)
    public void RealFftPowerMatchesTheNaiveDft(int length)
    {
        Rng rng = Rng.Create(10, length);
        var signal = new double[length];
        rng.FillGaussian(signal);
        var power = new double[length / 2 + 1];
        PowerSpectrum.RealFftPower(signal, power);
        double[] expected = NaiveMetrics.DftPower(signal);
        double scale = expected.Max();
        for (int k = 0; k < power.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - power[k]) <= 1e-11 * scale, $"bin {k}: {power[k]} vs naive {expected[k]}");
        }
    }

    [Fact]
    public void FourierPlanMatchesTheNaiveComplexDftForEveryLengthUpTo70()
    {
        for (int n = 1; n <= 70; n++)
        {
            Rng rng = Rng.Create(30, n);
            var data = new Complex[n];
            for (int t = 0; t < n; t++)
            {
                data[t] = new Complex(rng.NextGaussian(), rng.NextGaussian());
            }

            var expected = new Complex[n];
            for (int k = 0; k < n; k++)
            {
                for (int t = 0; t < n; t++)
                {
                    expected[k] += data[t] * Complex.FromPolarCoordinates(1, -2 * Math.PI * ((long)k * t % n) / n);
                }
            }

            var plan = new FourierPlan(n);
            plan.Forward(data, new Complex[plan.WorkspaceLength]);
            for (int k = 0; k < n; k++)
            {
                Assert.True(Complex.Abs(expected[k] - data[k]) < 1e-11 * Math.Sqrt(n), $"n = {n}, k = {k}: {data[k]} vs naive {expected[k]}");
            }
        }
    }

    [Theory]
    [InlineData(9640)] // the EEG length, Bluestein
    [InlineData(4096)] // radix-2 only
    public void FourierPlanMatchesMathNetAtEegSizes(int n)
    {
        Rng rng = Rng.Create(31, n);
        var data = new Complex[n];
        for (int t = 0; t < n; t++)
        {
            data[t] = new Complex(rng.NextGaussian(), 0);
        }

        Complex[] mathNet = (Complex[])data.Clone();
        Fourier.Forward(mathNet, FourierOptions.Matlab);
        Complex[] input = (Complex[])data.Clone();
        var plan = new FourierPlan(n);
        plan.Forward(data, new Complex[plan.WorkspaceLength]);

        // |F_k| ~ √n ≈ 100: agreement to ~1e−11 relative.
        for (int k = 0; k < n; k++)
        {
            Assert.True(Complex.Abs(mathNet[k] - data[k]) < 1e-8, $"k = {k}: {data[k]} vs MathNet {mathNet[k]}");
        }

        // And against the definition, by straight loops, at 50 bins.
        for (int k = 0; k < n; k += n / 50)
        {
            Complex expected = Complex.Zero;
            for (int t = 0; t < n; t++)
            {
                expected += input[t] * Complex.FromPolarCoordinates(1, -2 * Math.PI * ((long)k * t % n) / n);
            }

            Assert.True(Complex.Abs(expected - data[k]) < 1e-9, $"k = {k}: {data[k]} vs naive {expected} (MathNet {mathNet[k]})");
        }
    }

    [Fact]
    public void DistanceDoesNotDependOnTheThreadCount()
    {
        double[] a = RandomSeries(32, 1000, 5, out int steps, out int channels);
        double[] b = RandomSeries(33, 1000, 5, out _, out _);
        Assert.Equal(
            SpectrumHellinger.PerChannel(a, b, steps, channels, maxThreads: 1),
            SpectrumHellinger.PerChannel(a, b, steps, channels, maxThreads: 2));
    }

    [Theory]
    [InlineData(5, 20.0)] // kernel radius 80 ≫ length: many reflections
    [InlineData(100, 3.0)]
    [InlineData(300, 20.0)]
    [InlineData(7, 0.3)]
    public void GaussianSmoothingMatchesDirectConvolutionWithReflectPadding(int length, double sigma)
    {
        Rng rng = Rng.Create(11, length);
        var x = new double[length];
        rng.FillGaussian(x);
        var smoothed = new double[length];
        GaussianSmoothing.Smooth(x, sigma, smoothed);
        double[] expected = NaiveMetrics.GaussianFilterReflect(x, sigma);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(expected[i], smoothed[i], 12);
        }
    }

    [Fact]
    public void GaussianKernelHasScipyRadiusAndUnitSum()
    {
        Assert.Equal([1.0], GaussianSmoothing.Kernel(0)); // σ = 0: no smoothing
        double[] kernel = GaussianSmoothing.Kernel(20);
        Assert.Equal(161, kernel.Length); // radius ⌊4·20 + 0.5⌋ = 80
        Assert.Equal(1.0, kernel.Sum(), 14);
        Assert.Equal(Math.Exp(-0.5 * 80 * 80 / 400.0) * kernel[80], kernel[0], 15);
        Assert.Equal(7, GaussianSmoothing.Kernel(0.8).Length); // radius ⌊3.2 + 0.5⌋ = 3
    }

    [Fact]
    public void DistanceOfASeriesToItselfIsZero()
    {
        double[] series = RandomSeries(12, 256, 3, out int steps, out int channels);
        Assert.Equal(0.0, SpectrumHellinger.Compute(series, series, steps, channels));
    }

    [Fact]
    public void DistanceIsSymmetricBoundedAndInvariantToScaleAndOffset()
    {
        double[] a = RandomSeries(13, 300, 2, out int steps, out int channels);
        double[] b = RandomSeries(14, 300, 2, out _, out _);
        double ab = SpectrumHellinger.Compute(a, b, steps, channels);
        double ba = SpectrumHellinger.Compute(b, a, steps, channels);
        Assert.Equal(ab, ba, 15);
        Assert.InRange(ab, 1e-3, 1.0);

        // Each channel is z-scored first, so an affine change of a channel does not change D_H.
        double[] scaled = a.Select((v, i) => i % channels == 0 ? 7 * v - 3 : 0.01 * v + 100).ToArray();
        Assert.Equal(ab, SpectrumHellinger.Compute(scaled, b, steps, channels), 10);
    }

    [Fact]
    public void MatchesTheNaiveReferenceOnATinyExample()
    {
        double[] a = RandomSeries(15, 40, 3, out int steps, out int channels);
        double[] b = RandomSeries(16, 40, 3, out _, out _);
        foreach (double sigma in new[] { 2.0, 20.0 })
        {
            double expected = NaiveMetrics.SpectrumHellinger(NaiveMetrics.Unflatten(a, steps, channels), NaiveMetrics.Unflatten(b, steps, channels), sigma);
            Assert.Equal(expected, SpectrumHellinger.Compute(a, b, steps, channels, sigma), 12);
        }
    }

    [Fact]
    public void TwoSinusoidsAreAsFarApartAsTheirSmoothedLinesAnalytically()
    {
        // A cosine with an integer number k of cycles puts all its power in bin k; smoothing turns that line into
        // a Gaussian of σ = 20 bins truncated at ±4σ. For lines Δ bins apart the Bhattacharyya coefficient is
        // exp(−Δ²/(8σ²)) · (mass of N(0, σ²) within the overlap, here ±(4σ − Δ/2) about the midpoint) / (mass within ±4σ).
        const int steps = 4096;
        const double sigma = 20;
        foreach ((int k1, int k2) in new[] { (400, 440), (600, 620), (1000, 1080) })
        {
            double[] a = Cosine(steps, k1), b = Cosine(steps, k2);
            double delta = k2 - k1;
            // Half-widths in units of σ, with the half-bin continuity correction for sums over integer bins.
            double overlap = (4 * sigma - delta / 2 + 0.5) / sigma, support = (4 * sigma + 0.5) / sigma;
            double coefficient = Math.Exp(-delta * delta / (8 * sigma * sigma)) * SpecialFunctions.Erf(overlap / Math.Sqrt(2)) / SpecialFunctions.Erf(support / Math.Sqrt(2));
            double expected = Math.Sqrt(1 - coefficient);
            double actual = SpectrumHellinger.Compute(a, b, steps, 1, sigma);
            Assert.True(Math.Abs(expected - actual) < 2e-4, $"lines at {k1} and {k2}: D_H {actual}, analytic {expected}");
        }

        // Lines more than 8σ apart have disjoint smoothed spectra: the distance is exactly 1.
        Assert.Equal(1.0, SpectrumHellinger.Compute(Cosine(steps, 300), Cosine(steps, 600), steps, 1, sigma), 12);
    }

    [Fact]
    public void ConstantChannelGivesNaNForThatChannelOnly()
    {
        double[] a = RandomSeries(17, 64, 2, out int steps, out int channels);
        double[] b = (double[])a.Clone();
        for (int t = 0; t < steps; t++)
        {
            b[t * channels + 1] = 2.0;
        }

        double[] perChannel = SpectrumHellinger.PerChannel(a, b, steps, channels);
        Assert.Equal(0.0, perChannel[0]);
        Assert.True(double.IsNaN(perChannel[1]));
    }

    [Fact]
    public void OddLengthDropsTheLastSampleAsPublished()
    {
        double[] a = RandomSeries(18, 101, 1, out _, out _);
        double[] b = RandomSeries(19, 101, 1, out _, out _);
        Assert.Equal(
            SpectrumHellinger.Compute(a[..100], b[..100], 100, 1),
            SpectrumHellinger.Compute(a, b, 101, 1));
    }

    private static double[] Cosine(int steps, int cycles) =>
        Enumerable.Range(0, steps).Select(t => Math.Cos(2 * Math.PI * cycles * t / steps)).ToArray();

    private static double[] RandomSeries(long seed, int steps, int channels, out int t, out int x)
    {
        Rng rng = Rng.Create(seed);
        var series = new double[steps * channels];

        // AR(1) channels with different time constants, so their spectra differ.
        for (int c = 0; c < channels; c++)
        {
            double a = 0.3 + 0.3 * c, state = 0;
            for (int i = 0; i < steps; i++)
            {
                state = a * state + rng.NextGaussian();
                series[i * channels + c] = state;
            }
        }

        t = steps;
        x = channels;
        return series;
    }
}
