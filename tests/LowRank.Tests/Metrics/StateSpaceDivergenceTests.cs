using LowRank.Metrics;
using LowRank.Numerics;

namespace LowRank.Tests.Metrics;

public sealed class StateSpaceDivergenceTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 3, 7)]
    [InlineData(17, 64, 9)]
    [InlineData(33, 2, 4)]
    [InlineData(100, 5, 13)]
    public void MixtureLogDensityMatchesStraightLoops(int steps, int channels, int points)
    {
        Rng rng = Rng.Create(20, steps);
        var centres = new double[steps * channels];
        rng.FillGaussian(centres);
        var z = new double[points * channels];
        rng.FillGaussian(z);

        // Some points far from every centre: log-densities in the hundreds, where a naive exp underflows.
        for (int i = 0; i < z.Length; i += 3)
        {
            z[i] *= 25;
        }

        var mixture = new GaussianMixtureLogDensity(centres, steps, channels);
        var actual = new double[points];
        mixture.Evaluate(z, actual, maxThreads: 2);
        double[,] centreMatrix = NaiveMetrics.Unflatten(centres, steps, channels);
        for (int d = 0; d < points; d++)
        {
            double expected = NaiveMetrics.MixtureLogDensity(z.AsSpan(d * channels, channels).ToArray(), centreMatrix);
            Assert.True(Math.Abs(expected - actual[d]) <= 1e-11 * Math.Max(1, Math.Abs(expected)), $"point {d}: {actual[d]} vs naive {expected}");
        }
    }

    [Fact]
    public void IdenticalSeriesHaveZeroDivergence()
    {
        double[] series = RandomWalk(21, 500, 8);
        var divergence = new StateSpaceDivergence(series, 500, series, 500, 8);
        StspEstimate estimate = divergence.Estimate(seed: 1);
        Assert.Equal(0.0, estimate.Value);
        Assert.Equal(0, estimate.Dropped);
        Assert.Equal(1000, estimate.Draws);
    }

    [Fact]
    public void MatchesANaiveReferenceOnATinyExample()
    {
        const int dataSteps = 20, generatedSteps = 15, channels = 3, draws = 50;
        double[] data = RandomWalk(22, dataSteps, channels);
        double[] generated = RandomWalk(23, generatedSteps, channels);
        var options = new StspOptions { Draws = draws };
        var divergence = new StateSpaceDivergence(generated, generatedSteps, data, dataSteps, channels, options);

        // The documented draw sequence: index, then X normals, per draw, from Rng.Create(seed, stream).
        Rng rng = Rng.Create(5, 2);
        double[,] dataMatrix = NaiveMetrics.Unflatten(data, dataSteps, channels);
        double[,] generatedMatrix = NaiveMetrics.Unflatten(generated, generatedSteps, channels);
        double sum = 0;
        for (int d = 0; d < draws; d++)
        {
            int t = rng.NextInt(dataSteps);
            var z = new double[channels];
            for (int x = 0; x < channels; x++)
            {
                z[x] = dataMatrix[t, x] + rng.NextGaussian();
            }

            sum += NaiveMetrics.MixtureLogDensity(z, dataMatrix) - NaiveMetrics.MixtureLogDensity(z, generatedMatrix);
        }

        StspEstimate estimate = divergence.Estimate(seed: 5, stream: 2);
        Assert.Equal(sum / draws, estimate.Value, 11);
        Assert.Equal(0, estimate.Dropped);
    }

    [Fact]
    public void EstimateAgreesWithTheExactKlOfTwoSmallMixturesWithinStandardErrors()
    {
        // Two clouds from different Gaussians (X = 2): 4 data points around the origin, 3 generated points shifted.
        const int channels = 2, draws = 20_000;
        Rng rng = Rng.Create(24);
        double[] data = Enumerable.Range(0, 4 * channels).Select(_ => 1.5 * rng.NextGaussian()).ToArray();
        double[] generated = Enumerable.Range(0, 3 * channels).Select(i => (i % 2 == 0 ? 1.0 : -0.5) + rng.NextGaussian()).ToArray();

        // Brute force: KL = ∫ p log(p/q) and the variance of log(p/q) under p on a fine grid (Gaussian tails are
        // negligible 8 units beyond the outermost centres).
        (double kl, double variance) = GridKl(data, generated, channels);

        var divergence = new StateSpaceDivergence(generated, 3, data, 4, channels, new StspOptions { Draws = draws });
        double standardError = Math.Sqrt(variance / draws);
        for (long seed = 0; seed < 3; seed++)
        {
            StspEstimate estimate = divergence.Estimate(seed);
            Assert.True(Math.Abs(estimate.Value - kl) < 4 * standardError, $"seed {seed}: estimate {estimate.Value}, exact {kl}, SE {standardError}");
        }

        Assert.InRange(kl, 0.1, 10); // the clouds really differ
    }

    [Fact]
    public void UnderflowEmulationDropsExactlyTheDrawsFarFromTheGeneratedMixture()
    {
        // One data point at 0, one generated point at g (X = 1): log p_gen(z) = −½(z − g)², below ln 2^−149
        // exactly when |z − g| > √(2·149·ln 2) ≈ 14.37. With g = 14 that is every draw z < −0.37 (about 36 %).
        const double g = 14;
        var divergence = new StateSpaceDivergence([g], 1, [0.0], 1, 1);
        double[] z = divergence.Draw(seed: 7, stream: 0);
        double threshold = -149 * Math.Log(2);
        int expectedDropped = 0;
        double sum = 0, sumAll = 0;
        foreach (double v in z)
        {
            double logRatio = -0.5 * v * v + 0.5 * (v - g) * (v - g);
            sumAll += logRatio;
            if (-0.5 * (v - g) * (v - g) < threshold)
            {
                expectedDropped++;
                continue;
            }

            sum += logRatio;
        }

        StspEstimate estimate = divergence.Estimate(seed: 7);
        Assert.Equal(expectedDropped, estimate.Dropped);
        Assert.InRange(expectedDropped, 250, 450);
        Assert.Equal(sum / (z.Length - expectedDropped), estimate.Value, 9);

        var noEmulation = new StateSpaceDivergence([g], 1, [0.0], 1, 1, new StspOptions { EmulateFloat32Underflow = false });
        StspEstimate all = noEmulation.Estimate(seed: 7);
        Assert.Equal(0, all.Dropped);
        Assert.Equal(sumAll / z.Length, all.Value, 9);
    }

    [Fact]
    public void EveryDrawDroppedGivesNaN()
    {
        var divergence = new StateSpaceDivergence([100.0], 1, [0.0], 1, 1, new StspOptions { Draws = 10 });
        StspEstimate estimate = divergence.Estimate(seed: 1);
        Assert.True(double.IsNaN(estimate.Value));
        Assert.Equal(10, estimate.Dropped);
    }

    [Fact]
    public void CombineDropsADrawWhenEitherDensityUnderflows()
    {
        double limit = StateSpaceDivergence.Float32UnderflowLogDensity;
        Assert.Equal(-103.27892990343184, limit, 12);
        double[] logData = [-10, limit - 1e-9, -20, limit, -5];
        double[] logGenerated = [-12, -30, limit - 1e-9, limit, -6];
        StspEstimate estimate = StateSpaceDivergence.Combine(logData, logGenerated, emulateUnderflow: true);
        Assert.Equal(2, estimate.Dropped);
        Assert.Equal((2.0 + 0.0 + 1.0) / 3, estimate.Value, 14);
        Assert.Equal(0, StateSpaceDivergence.Combine(logData, logGenerated, emulateUnderflow: false).Dropped);
    }

    [Fact]
    public void ResultDoesNotDependOnTheThreadCount()
    {
        const int steps = 3000, channels = 16;
        double[] data = RandomWalk(25, steps, channels);
        double[] generated = RandomWalk(26, steps, channels);
        StspEstimate Run(int threads) =>
            new StateSpaceDivergence(generated, steps, data, steps, channels, new StspOptions { MaxThreads = threads }).Estimate(seed: 3);

        StspEstimate one = Run(1);
        Assert.Equal(one, Run(2));
        Assert.Equal(one, Run(-1));
        Assert.True(one.Value > 0);
    }

    [Fact]
    public void SeedsAreStreamsOfOneSeedAndAreSummarisedBySampleSd()
    {
        const int steps = 200, channels = 4;
        double[] data = RandomWalk(27, steps, channels);
        double[] generated = RandomWalk(28, steps, channels);
        var divergence = new StateSpaceDivergence(generated, steps, data, steps, channels, new StspOptions { Draws = 200 });
        StspSummary summary = divergence.EstimateOverSeeds(seed: 9, seeds: 4);
        double[] values = Enumerable.Range(0, 4).Select(k => divergence.Estimate(9, k).Value).ToArray();
        Assert.Equal(values, summary.PerSeed.Select(e => e.Value));
        double mean = values.Average();
        Assert.Equal(mean, summary.Mean, 14);
        Assert.Equal(Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / 3), summary.StandardDeviation, 14);
        Assert.True(values.Distinct().Count() == 4);
        Assert.Equal(0.0, StateSpaceDivergence.Summarise([new StspEstimate(1.5, 0, 10)]).StandardDeviation);
    }

    [Fact]
    public void OnlyTheFirstMaxStepsOfTheDataLengthAreUsed()
    {
        const int channels = 2;
        double[] data = RandomWalk(29, 30, channels);
        double[] generated = RandomWalk(30, 40, channels);
        var options = new StspOptions { Draws = 100, MaxSteps = 10 };
        StspEstimate truncated = new StateSpaceDivergence(generated, 40, data, 30, channels, options).Estimate(seed: 2);
        StspEstimate explicitCut = new StateSpaceDivergence(generated[..(10 * channels)], 10, data[..(10 * channels)], 10, channels, options with { MaxSteps = 1000 }).Estimate(seed: 2);
        Assert.Equal(explicitCut, truncated);

        // A generated series longer than the data is cut to the data's length (published: mu_gen[:time_steps]).
        var longer = new StateSpaceDivergence(generated, 40, data, 30, channels, new StspOptions { Draws = 10 });
        Assert.Equal(30, longer.GeneratedSteps);
    }

    private static (double Kl, double Variance) GridKl(double[] data, double[] generated, int channels)
    {
        const double step = 0.05, margin = 8; // Riemann sums of Gaussian integrands converge spectrally
        double lo0 = double.MaxValue, hi0 = double.MinValue, lo1 = double.MaxValue, hi1 = double.MinValue;
        foreach (double[] series in new[] { data, generated })
        {
            for (int i = 0; i < series.Length; i += channels)
            {
                lo0 = Math.Min(lo0, series[i]);
                hi0 = Math.Max(hi0, series[i]);
                lo1 = Math.Min(lo1, series[i + 1]);
                hi1 = Math.Max(hi1, series[i + 1]);
            }
        }

        double first = 0, second = 0;
        for (double z0 = lo0 - margin; z0 <= hi0 + margin; z0 += step)
        {
            for (double z1 = lo1 - margin; z1 <= hi1 + margin; z1 += step)
            {
                double p = Density(data, z0, z1), q = Density(generated, z0, z1);
                if (p == 0)
                {
                    continue;
                }

                double logRatio = Math.Log(p) - Math.Log(q);
                first += p * logRatio * step * step;
                second += p * logRatio * logRatio * step * step;
            }
        }

        return (first, second - first * first);

        static double Density(double[] centres, double z0, double z1)
        {
            int count = centres.Length / 2;
            double sum = 0;
            for (int t = 0; t < count; t++)
            {
                double d0 = z0 - centres[2 * t], d1 = z1 - centres[2 * t + 1];
                sum += Math.Exp(-0.5 * (d0 * d0 + d1 * d1)) / (2 * Math.PI);
            }

            return sum / count;
        }
    }

    private static double[] RandomWalk(long seed, int steps, int channels)
    {
        // A slowly drifting AR(1) cloud, like a smoothed recording.
        Rng rng = Rng.Create(seed);
        var series = new double[steps * channels];
        var state = new double[channels];
        for (int t = 0; t < steps; t++)
        {
            for (int x = 0; x < channels; x++)
            {
                state[x] = 0.95 * state[x] + 0.3 * rng.NextGaussian();
                series[t * channels + x] = state[x];
            }
        }

        return series;
    }
}
