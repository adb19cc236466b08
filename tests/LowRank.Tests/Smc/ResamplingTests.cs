using LowRank.Numerics;
using LowRank.Smc;

namespace LowRank.Tests.Smc;

public sealed class ResamplingTests
{
    [Theory]
    [InlineData(ResamplingScheme.Systematic)]
    [InlineData(ResamplingScheme.Multinomial)]
    public void ZeroWeightParticleIsNeverDrawn(ResamplingScheme scheme)
    {
        double[] weights = [0, 0.3, 0, 0.7, 0];
        var ancestors = new int[weights.Length];
        Rng rng = Rng.Create(1, 0);
        for (int trial = 0; trial < 2000; trial++)
        {
            Resampling.Draw(scheme, weights, rng, ancestors);
            Assert.All(ancestors, a => Assert.True(weights[a] > 0, $"drew particle {a} of weight 0"));
        }
    }

    [Fact]
    public void CumulativeSumBelowOneGoesToLastPositiveParticle()
    {
        // Rounding can leave cumsum[K−1] < u; the draw must still land on a particle of positive weight.
        double[] weights = [0.25, 0.25, 0.25, 0.25 - 1e-12, 0];
        Assert.Equal(3, Resampling.Invert(weights, 1 - 1e-13));
        var ancestors = new int[5];
        Resampling.Systematic(weights, 1 - 1e-13, ancestors);
        Assert.Equal([0, 1, 2, 3, 3], ancestors);
    }

    [Fact]
    public void SystematicCountsAreFloorOrCeilingOfExpected()
    {
        double[] weights = [0.05, 0.45, 0.1, 0.25, 0.15];
        var ancestors = new int[weights.Length];
        Rng rng = Rng.Create(2, 0);
        for (int trial = 0; trial < 500; trial++)
        {
            Resampling.Draw(ResamplingScheme.Systematic, weights, rng, ancestors);
            for (int j = 0; j < weights.Length; j++)
            {
                int count = ancestors.Count(a => a == j);
                double expected = weights[j] * weights.Length;
                Assert.InRange(count, Math.Floor(expected), Math.Ceiling(expected));
            }
        }
    }

    [Fact]
    public void MultinomialFrequenciesMatchWeightsWithinFourStandardErrors()
    {
        double[] weights = [0.1, 0.2, 0.3, 0.4];
        var ancestors = new int[weights.Length];
        var counts = new int[weights.Length];
        Rng rng = Rng.Create(3, 0);
        const int trials = 20_000;
        for (int trial = 0; trial < trials; trial++)
        {
            Resampling.Draw(ResamplingScheme.Multinomial, weights, rng, ancestors);
            foreach (int a in ancestors)
            {
                counts[a]++;
            }
        }

        int draws = trials * weights.Length;
        for (int j = 0; j < weights.Length; j++)
        {
            double standardError = Math.Sqrt(weights[j] * (1 - weights[j]) / draws);
            Assert.InRange((double)counts[j] / draws, weights[j] - 4 * standardError, weights[j] + 4 * standardError);
        }
    }

    [Fact]
    public void AllZeroWeightsAreAnError()
    {
        var ancestors = new int[2];
        Assert.Throws<ArgumentException>(() => Resampling.Systematic([0.0, 0.0], 0.5, ancestors));
    }
}

public sealed class LogWeightsTests
{
    [Fact]
    public void LargeLogWeightsDoNotOverflow()
    {
        double[] logWeights = [1000, 1000 + Math.Log(3)];
        var weights = new double[2];
        double result = LogWeights.Normalize(logWeights, weights);
        Assert.Equal(1000 + Math.Log(4), result, 10);
        Assert.Equal(0.25, weights[0], 12);
        Assert.Equal(0.75, weights[1], 12);
    }

    [Fact]
    public void NegativeInfinityGetsZeroWeight()
    {
        double[] logWeights = [double.NegativeInfinity, -2, -2];
        var weights = new double[3];
        double result = LogWeights.Normalize(logWeights, weights);
        Assert.Equal(-2 + Math.Log(2), result, 14);
        Assert.Equal([0, 0.5, 0.5], weights);
    }

    [Fact]
    public void AllNegativeInfinityGivesNegativeInfinity()
    {
        var weights = new double[2];
        Assert.Equal(double.NegativeInfinity, LogWeights.Normalize([double.NegativeInfinity, double.NegativeInfinity], weights));
        Assert.Equal([0.0, 0.0], weights);
    }

    [Fact]
    public void NaNGivesNaN()
    {
        var weights = new double[2];
        Assert.True(double.IsNaN(LogWeights.Normalize([0, double.NaN], weights)));
    }
}

public sealed class NormalSamplerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(30)]
    public void MomentsMatchStandardNormalWithinFourStandardErrors(int blockLength)
    {
        Rng rng = Rng.Create(8, blockLength);
        var block = new double[blockLength];
        var scratch = new double[NormalSampler.ScratchLength(blockLength)];
        int count = 0;
        double sum = 0, sumSquares = 0, sumFourth = 0, below = 0;
        while (count < 60_000)
        {
            NormalSampler.Fill(rng, block, scratch);
            foreach (double z in block)
            {
                Assert.True(double.IsFinite(z));
                sum += z;
                sumSquares += z * z;
                sumFourth += z * z * z * z;
                below += z < -1.6448536269514722 ? 1 : 0;
                count++;
            }
        }

        // Means of z, z², z⁴ and P(z < −1.645): 0, 1, 3, 0.05; standard errors from their variances 1, 2, 96, 0.0475.
        Assert.InRange(sum / count, -4 * Math.Sqrt(1.0 / count), 4 * Math.Sqrt(1.0 / count));
        Assert.InRange(sumSquares / count, 1 - 4 * Math.Sqrt(2.0 / count), 1 + 4 * Math.Sqrt(2.0 / count));
        Assert.InRange(sumFourth / count, 3 - 4 * Math.Sqrt(96.0 / count), 3 + 4 * Math.Sqrt(96.0 / count));
        Assert.InRange(below / count, 0.05 - 4 * Math.Sqrt(0.0475 / count), 0.05 + 4 * Math.Sqrt(0.0475 / count));
    }
}
