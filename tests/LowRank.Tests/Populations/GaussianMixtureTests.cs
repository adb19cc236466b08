using LowRank.Numerics;
using LowRank.Populations;

namespace LowRank.Tests.Populations;

public sealed class GaussianMixtureTests
{
    // A known 2-D mixture with well-separated components (means 6 sd apart).
    private static GaussianMixture Truth() => new(
        [0.3, 0.7],
        [[-3.0, 0.0], [3.0, 1.0]],
        [[1.0, 0.5, 0.5, 2.0], [0.5, -0.2, -0.2, 1.0]]);

    [Fact]
    public void EmRecoversWeightsMeansAndCovariancesWithinFourStandardErrors()
    {
        GaussianMixture truth = Truth();
        const int count = 4000;
        (double[] data, _) = truth.Sample(Rng.Create(11, 0), count);
        MixtureFit fit = GaussianMixtureFitter.Fit(data, 2, new MixtureFitOptions(2, Restarts: 4, Seed: 3));
        Assert.True(fit.Converged);

        // Components come back sorted by weight: fitted 0 ↔ true 1 (π = 0.7), fitted 1 ↔ true 0 (π = 0.3).
        int[] match = [1, 0];
        for (int p = 0; p < 2; p++)
        {
            int q = match[p];
            double pi = truth.Weights[q];
            // weight: binomial proportion, SE = √(π(1 − π)/N)
            Assert.InRange(fit.Mixture.Weights[p] - pi, -4 * Math.Sqrt(pi * (1 - pi) / count), 4 * Math.Sqrt(pi * (1 - pi) / count));
            double members = pi * count;
            double[] sigma = truth.Covariances[q];
            for (int a = 0; a < 2; a++)
            {
                // mean: SE = √(Σ_aa / N_p)
                double seMean = Math.Sqrt(sigma[a * 2 + a] / members);
                Assert.InRange(fit.Mixture.Means[p][a] - truth.Means[q][a], -4 * seMean, 4 * seMean);
                for (int b = 0; b < 2; b++)
                {
                    // covariance entry of a Gaussian sample: SE = √((Σ_aa Σ_bb + Σ_ab²) / N_p)
                    double seCov = Math.Sqrt((sigma[a * 2 + a] * sigma[b * 2 + b] + sigma[a * 2 + b] * sigma[a * 2 + b]) / members);
                    Assert.InRange(fit.Mixture.Covariances[p][a * 2 + b] - sigma[a * 2 + b], -4 * seCov, 4 * seCov);
                }
            }
        }
    }

    [Fact]
    public void FittedLogLikelihoodBeatsTheTruthsOnItsOwnSample()
    {
        // EM maximises the likelihood: at the optimum it is at least the generating parameters' value.
        GaussianMixture truth = Truth();
        (double[] data, _) = truth.Sample(Rng.Create(12, 0), 1000);
        MixtureFit fit = GaussianMixtureFitter.Fit(data, 2, new MixtureFitOptions(2, Restarts: 3, Seed: 1));
        Assert.True(fit.LogLikelihood >= truth.LogLikelihood(data) - 1e-6);
        Assert.Equal(fit.LogLikelihood, fit.Mixture.LogLikelihood(data), 6);
        Assert.Equal(-2 * fit.LogLikelihood + GaussianMixtureFitter.ParameterCount(2, 2) * Math.Log(1000), fit.Bic, 8);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void BicPicksTheTrueNumberOfWellSeparatedComponents(int components)
    {
        double[][] centres = [[0, 0, 0], [8, 0, 0], [0, 8, 0]];
        var truth = new GaussianMixture(
            Enumerable.Repeat(1.0 / components, components).ToArray(),
            centres[..components],
            Enumerable.Repeat(new double[] { 1, 0.3, 0, 0.3, 1, 0, 0, 0, 1 }, components).ToArray());
        (double[] data, _) = truth.Sample(Rng.Create(21, components), 600);
        MixtureSelection selection = GaussianMixtureFitter.FitAuto(data, 3, 5, new MixtureFitOptions(1, Restarts: 4, Seed: 2));
        Assert.Equal(5, selection.Fits.Count);
        Assert.Equal(components, selection.Best.Mixture.Components);
    }

    [Fact]
    public void FitsAreDeterministicAndIndependentOfThreadCount()
    {
        (double[] data, _) = Truth().Sample(Rng.Create(5, 0), 500);
        MixtureFit a = GaussianMixtureFitter.Fit(data, 2, new MixtureFitOptions(3, Restarts: 5, Seed: 9, Threads: 1));
        MixtureFit b = GaussianMixtureFitter.Fit(data, 2, new MixtureFitOptions(3, Restarts: 5, Seed: 9, Threads: 4));
        MixtureFit c = GaussianMixtureFitter.Fit(data, 2, new MixtureFitOptions(3, Restarts: 5, Seed: 10, Threads: 1));
        Assert.Equal(a.LogLikelihood, b.LogLikelihood);
        Assert.Equal(a.Restart, b.Restart);
        Assert.Equal(a.Mixture.Means.SelectMany(m => m), b.Mixture.Means.SelectMany(m => m));
        Assert.Equal(a.Mixture.Covariances.SelectMany(m => m), b.Mixture.Covariances.SelectMany(m => m));
        Assert.NotEqual(a.Mixture.Means.SelectMany(m => m), c.Mixture.Means.SelectMany(m => m));
    }

    [Fact]
    public void DuplicatePointsAndOneComponentPerPointStayFinite()
    {
        // Every point identical: k-means++ has zero distances; the ridge keeps each covariance positive definite.
        double[] data = Enumerable.Repeat(new[] { 1.0, 2.0 }, 10).SelectMany(x => x).ToArray();
        MixtureFit fit = GaussianMixtureFitter.Fit(data, 2, new MixtureFitOptions(2, Restarts: 2));
        Assert.True(double.IsFinite(fit.LogLikelihood));
        Assert.Equal(1.0, fit.Mixture.Weights.Sum(), 12);
    }

    [Fact]
    public void LogSumExpHandlesInfinitiesAndLargeValues()
    {
        Assert.Equal(double.NegativeInfinity, GaussianMixture.LogSumExp([double.NegativeInfinity, double.NegativeInfinity]));
        Assert.Equal(1000 + Math.Log(2), GaussianMixture.LogSumExp([1000, 1000]), 12);
        Assert.Equal(-5, GaussianMixture.LogSumExp([double.NegativeInfinity, -5]), 12);
    }

    [Fact]
    public void SamplingNeverDrawsAnEmptyComponentAndMatchesTheWeights()
    {
        var mixture = new GaussianMixture([0.25, 0.0, 0.75], [[0.0], [5.0], [10.0]], [[1.0], [1.0], [1.0]]);
        Assert.Equal(2, mixture.DrawComponent(0.9999999999999999));
        Assert.Equal(0, mixture.DrawComponent(0.0));
        Assert.Equal(2, mixture.DrawComponent(0.25));
        (_, int[] labels) = mixture.Sample(Rng.Create(1, 0), 8000);
        Assert.DoesNotContain(1, labels);
        double share = labels.Count(l => l == 0) / 8000.0;
        double se = Math.Sqrt(0.25 * 0.75 / 8000);
        Assert.InRange(share - 0.25, -4 * se, 4 * se);
    }

    [Fact]
    public void LogDensityMatchesTheClosedFormOfOneGaussian()
    {
        var mixture = new GaussianMixture([1.0], [[1.0, -1.0]], [[2.0, 0.6, 0.6, 1.0]]);
        double det = 2.0 * 1.0 - 0.36;
        double dx = 0.5 - 1.0, dy = 0.5 + 1.0;
        double quad = (1.0 * dx * dx - 2 * 0.6 * dx * dy + 2.0 * dy * dy) / det;
        Assert.Equal(-Math.Log(2 * Math.PI) - 0.5 * Math.Log(det) - 0.5 * quad, mixture.LogDensity([0.5, 0.5]), 12);
    }
}
