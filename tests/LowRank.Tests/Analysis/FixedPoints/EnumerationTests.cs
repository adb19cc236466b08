using LowRank.Analysis.FixedPoints;
using LowRank.Numerics;

namespace LowRank.Tests.Analysis.FixedPoints;

public sealed class EnumerationTests
{
    public static TheoryData<int, int, PiecewiseActivation, long> Networks()
    {
        var data = new TheoryData<int, int, PiecewiseActivation, long>();
        foreach (int rank in new[] { 1, 2, 3 })
        {
            foreach (long seed in new long[] { 2, 4 })
            {
                data.Add(14, rank, PiecewiseActivation.Relu, seed);
                data.Add(7, rank, PiecewiseActivation.ClippedRelu, seed);
            }
        }

        data.Add(14, 2, PiecewiseActivation.Relu, 1);
        data.Add(10, 4, PiecewiseActivation.Relu, 2);
        data.Add(5, 4, PiecewiseActivation.ClippedRelu, 2);
        data.Add(6, 3, PiecewiseActivation.ClippedRelu, 1);
        return data;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void MatchesBruteForceOnSelfExcitingNetworks(int units, int rank, PiecewiseActivation activation, long seed)
    {
        PiecewiseLinearMap map = RandomNetworks.SelfExciting(units, rank, activation, seed);
        AssertSameAsBruteForce(map, expectSome: true);
    }

    [Theory]
    [InlineData(12, 1, PiecewiseActivation.Relu, 5)]
    [InlineData(12, 2, PiecewiseActivation.Relu, 6)]
    [InlineData(12, 3, PiecewiseActivation.Relu, 7)]
    [InlineData(6, 2, PiecewiseActivation.ClippedRelu, 8)]
    [InlineData(6, 3, PiecewiseActivation.ClippedRelu, 9)]
    public void MatchesBruteForceOnRandomNetworks(int units, int rank, PiecewiseActivation activation, long seed)
    {
        PiecewiseLinearMap map = RandomNetworks.SelfExciting(units, rank, activation, seed, gain: 0.0, noise: 3.0);
        AssertSameAsBruteForce(map, expectSome: false);
    }

    [Fact]
    public void NetworkWithoutFixedPointsReportsNone()
    {
        // F(z) = a z + ñ relu(m z) + 1 with m, ñ > 0 and a + mñ > 1: z drifts to +∞, no fixed point.
        var map = new PiecewiseLinearMap([1.0, 0.0], [0.5, 1.0], [0.0, -1.0], [0.0, 0.0], 0.9, PiecewiseActivation.Relu, 2, 1);
        Assert.Empty(BruteForce.FixedPoints(map));
        FixedPointResult result = FixedPointFinder.Enumerate(map);
        Assert.Empty(result.FixedPoints);
        Assert.Equal(2, result.Cells); // one kink (the zero row is constant): two cells
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    public void DegenerateArrangementsMatchBruteForce(long seed)
    {
        // Duplicate rows (coincident kinks, same and opposite orientation), parallel rows, a zero row of
        // M and three concurrent kinks.
        const int units = 12, rank = 2;
        PiecewiseLinearMap baseMap = RandomNetworks.SelfExciting(units, rank, PiecewiseActivation.Relu, seed);
        double[] m = (double[])baseMap.M.Clone();
        double[] h = (double[])baseMap.H.Clone();
        double[] c = (double[])baseMap.C.Clone();

        // Unit 2 duplicates unit 0 exactly; unit 4 is unit 0's kink seen from the other side.
        Copy(m, 0, 2, 1.0); h[2] = h[0]; c[2] = c[0];
        Copy(m, 0, 4, -1.0); c[4] = -c[0]; h[4] = -h[0];

        // Unit 6 is a scaled copy of unit 0's kink (same hyperplane).
        Copy(m, 0, 6, 0.5); h[6] = 0.5 * h[0]; c[6] = 0.5 * c[0];

        // Unit 8 a zero row.
        m[8 * rank] = 0; m[8 * rank + 1] = 0;

        // Units 9, 10, 11 concurrent: all kinks through (0.3, −0.2).
        for (int i = 9; i <= 11; i++)
        {
            h[i] = c[i] + m[i * rank] * 0.3 + m[i * rank + 1] * -0.2;
        }

        var map = baseMap with { M = m, H = h, C = c };
        AssertSameAsBruteForce(map, expectSome: true);

        static void Copy(double[] m, int from, int to, double factor)
        {
            m[to * rank] = factor * m[from * rank];
            m[to * rank + 1] = factor * m[from * rank + 1];
        }
    }

    [Theory]
    [InlineData(PiecewiseActivation.ClippedRelu)]
    [InlineData(PiecewiseActivation.Relu)]
    public void NearlyZeroRowBehavesLikeAZeroRow(PiecewiseActivation activation)
    {
        // A trained clipped-relu student had one m_i of norm 1e-12: its kink through the origin made the
        // fixed point next to it fail the pattern check in both neighbouring cells.
        PiecewiseLinearMap baseMap = RandomNetworks.SelfExciting(10, 2, activation, 5);
        double[] zero = (double[])baseMap.M.Clone(), tiny = (double[])baseMap.M.Clone();
        zero[6] = zero[7] = 0;
        tiny[6] = 7e-13;
        tiny[7] = -3e-13;
        FixedPointResult exact = FixedPointFinder.Enumerate(baseMap with { M = zero }, new ExactSearchOptions(1));
        FixedPointResult nearly = FixedPointFinder.Enumerate(baseMap with { M = tiny }, new ExactSearchOptions(1));
        Assert.NotEmpty(exact.FixedPoints);
        Assert.Equal(exact.FixedPoints.Count, nearly.FixedPoints.Count);
        for (int i = 0; i < exact.FixedPoints.Count; i++)
        {
            Assert.Equal(exact.FixedPoints[i].Z[0], nearly.FixedPoints[i].Z[0], 9);
            Assert.Equal(exact.FixedPoints[i].Z[1], nearly.FixedPoints[i].Z[1], 9);
        }
    }

    [Fact]
    public void FixedPointExactlyOnKinksIsFoundOnce()
    {
        // Per axis: F(z) = 0.5 z + 0.5 + ñ relu(z − 1) (a constant unit supplies the 0.5), so z = 1 in both the
        // off and on pieces: the fixed point lies exactly on the kink (counted as inactive). Two axes: on the
        // intersection of two kinks.
        var map = new PiecewiseLinearMap(
            M: [0.0, 0.0, 1.0, 0.0, 0.0, 1.0],
            N: [1.0, 0.7, 0.0, 1.0, 0.0, -0.3],
            H: [-0.5, 1.0, 1.0],
            C: [0.0, 0.0, 0.0],
            Decay: 0.5,
            PiecewiseActivation.Relu,
            Units: 3,
            Rank: 2);
        AssertSameAsBruteForce(map, expectSome: false);
        FixedPoint point = Assert.Single(FixedPointFinder.Enumerate(map).FixedPoints);
        Assert.Equal([1.0, 1.0], point.Z);
    }

    [Fact]
    public void AllZeroRowsGiveOneCellAndOneFixedPoint()
    {
        // M = 0: every unit is constant, F(z) = a z + b₀ with b₀ = Σ_i ñ_i φ(c_i; h_i); z* = b₀ / (1 − a).
        var map = new PiecewiseLinearMap([0.0, 0.0, 0.0, 0.0], [1.0, 2.0, -1.0, 0.5], [0.5, -1.0], [2.0, 0.0], 0.8, PiecewiseActivation.ClippedRelu, 2, 2);
        FixedPointResult result = FixedPointFinder.Enumerate(map);
        Assert.Equal(1, result.Cells);
        FixedPoint point = Assert.Single(result.FixedPoints);

        // Unit 0: max(0, 2.5) − max(0, 2) = 0.5; unit 1: max(0, −1) − max(0, 0) = 0.
        Assert.Equal(1.0 * 0.5 / 0.2, point.Z[0], 12);
        Assert.Equal(-1.0 * 0.5 / 0.2, point.Z[1], 12);
        Assert.Equal(StabilityKind.StableNode, point.Stability);
    }

    [Fact]
    public void ClippedReluWithZeroThresholdHasCoincidentKinks()
    {
        PiecewiseLinearMap baseMap = RandomNetworks.SelfExciting(6, 2, PiecewiseActivation.ClippedRelu, 21);
        double[] h = (double[])baseMap.H.Clone();
        h[0] = 0;
        h[3] = 0;
        AssertSameAsBruteForce(baseMap with { H = h }, expectSome: false);
    }

    [Theory]
    [InlineData(40, 1)]
    [InlineData(40, 2)]
    [InlineData(40, 3)]
    [InlineData(14, 4)]
    public void GeneralPositionCellCountIsZaslavsky(int units, int rank)
    {
        // Random kinks are in general position: Σ_{k≤R} C(P, k) cells, each visited once.
        var rng = Rng.Create(3, rank);
        var m = new double[units * rank];
        var n = new double[rank * units];
        var h = new double[units];
        rng.FillGaussian(m);
        rng.FillGaussian(n);
        rng.FillGaussian(h);
        var map = new PiecewiseLinearMap(m, n, h, new double[units], 0.5, PiecewiseActivation.Relu, units, rank);
        long expected = 0, binomial = 1;
        for (int k = 0; k <= rank; k++)
        {
            expected += binomial;
            binomial = binomial * (units - k) / (k + 1);
        }

        Assert.Equal(expected, FixedPointFinder.Enumerate(map).Cells);
    }

    [Fact]
    public void ResultDoesNotDependOnThreadCount()
    {
        PiecewiseLinearMap map = RandomNetworks.SelfExciting(60, 3, PiecewiseActivation.ClippedRelu, 4);
        FixedPointResult one = FixedPointFinder.Enumerate(map, new ExactSearchOptions(MaxDegreeOfParallelism: 1));
        FixedPointResult many = FixedPointFinder.Enumerate(map, new ExactSearchOptions(MaxDegreeOfParallelism: 4));
        Assert.Equal(one.Cells, many.Cells);
        Assert.Equal(one.FixedPoints.Count, many.FixedPoints.Count);
        for (int i = 0; i < one.FixedPoints.Count; i++)
        {
            Assert.Equal(one.FixedPoints[i].Z, many.FixedPoints[i].Z);
        }
    }

    internal static void AssertSameAsBruteForce(PiecewiseLinearMap map, bool expectSome)
    {
        List<double[]> expected = BruteForce.FixedPoints(map);
        FixedPointResult result = FixedPointFinder.Enumerate(map);
        if (expectSome)
        {
            Assert.True(expected.Count >= 2, $"test network should have several fixed points, brute force found {expected.Count}.");
        }

        var expectedPatterns = expected.Select(z => BruteForce.PatternOf(map, z)).OrderBy(x => x).ToList();
        var actualPatterns = result.FixedPoints.Select(f => BruteForce.PatternOf(map, f.Z)).OrderBy(x => x).ToList();
        Assert.Equal(expectedPatterns, actualPatterns);
        foreach (FixedPoint point in result.FixedPoints)
        {
            Assert.True(point.Residual <= 1e-9, $"|F(z) − z| = {point.Residual} at z = [{string.Join(", ", point.Z)}].");
            double[] match = expected.Single(z => BruteForce.PatternOf(map, z) == BruteForce.PatternOf(map, point.Z));
            for (int r = 0; r < map.Rank; r++)
            {
                Assert.Equal(match[r], point.Z[r], 1e-9);
            }
        }
    }
}
