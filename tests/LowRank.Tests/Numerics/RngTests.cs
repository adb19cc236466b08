using LowRank.Numerics;

namespace LowRank.Tests.Numerics;

public sealed class RngTests
{
    [Fact]
    public void SameSeedAndStreamGiveSameNumbers()
    {
        Rng a = Rng.Create(42, 3), b = Rng.Create(42, 3);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(a.NextUInt64(), b.NextUInt64());
        }
    }

    [Fact]
    public void DifferentStreamsDiffer()
    {
        Rng a = Rng.Create(42, 0), b = Rng.Create(42, 1), c = Rng.Create(43, 0);
        ulong x = a.NextUInt64();
        Assert.NotEqual(x, b.NextUInt64());
        Assert.NotEqual(x, c.NextUInt64());
    }

    [Fact]
    public void GaussianMomentsWithinStandardErrors()
    {
        const int n = 200_000;
        Rng rng = Rng.Create(7);
        double sum = 0, sumSq = 0, sumFourth = 0;
        for (int i = 0; i < n; i++)
        {
            double x = rng.NextGaussian();
            sum += x;
            sumSq += x * x;
            sumFourth += x * x * x * x;
        }

        double mean = sum / n, variance = sumSq / n;
        // SE(mean) = 1/sqrt(n); SE(E[x^2]) = sqrt(Var(x^2)/n) = sqrt(2/n); SE(E[x^4]) = sqrt((105-9)/n).
        Assert.InRange(mean, -4 / Math.Sqrt(n), 4 / Math.Sqrt(n));
        Assert.InRange(variance, 1 - 4 * Math.Sqrt(2.0 / n), 1 + 4 * Math.Sqrt(2.0 / n));
        Assert.InRange(sumFourth / n, 3 - 4 * Math.Sqrt(96.0 / n), 3 + 4 * Math.Sqrt(96.0 / n));
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(4.0)]
    [InlineData(29.0)]
    [InlineData(31.0)]
    [InlineData(250.0)]
    public void PoissonMeanAndVarianceMatchLambda(double lambda)
    {
        const int n = 100_000;
        Rng rng = Rng.Create(11, (long)lambda);
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++)
        {
            double k = rng.NextPoisson(lambda);
            sum += k;
            sumSq += k * k;
        }

        double mean = sum / n, variance = sumSq / n - mean * mean;
        double seMean = Math.Sqrt(lambda / n);
        // Var of the sample variance of a Poisson ≈ (lambda + 2 lambda^2) / n.
        double seVariance = Math.Sqrt((lambda + 2 * lambda * lambda) / n);
        Assert.InRange(mean, lambda - 4 * seMean, lambda + 4 * seMean);
        Assert.InRange(variance, lambda - 4 * seVariance, lambda + 4 * seVariance);
    }

    [Fact]
    public void NextIntIsUniform()
    {
        const int n = 60_000, bins = 6;
        Rng rng = Rng.Create(5);
        var counts = new int[bins];
        for (int i = 0; i < n; i++)
        {
            counts[rng.NextInt(bins)]++;
        }

        double expected = (double)n / bins, se = Math.Sqrt(n * (1.0 / bins) * (1 - 1.0 / bins));
        foreach (int count in counts)
        {
            Assert.InRange(count, expected - 4 * se, expected + 4 * se);
        }
    }
}
