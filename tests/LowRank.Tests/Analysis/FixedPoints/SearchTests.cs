using LowRank.Analysis.FixedPoints;

namespace LowRank.Tests.Analysis.FixedPoints;

public sealed class SearchTests
{
    [Theory]
    [InlineData(40, 2, PiecewiseActivation.Relu, 1)]
    [InlineData(40, 3, PiecewiseActivation.ClippedRelu, 2)]
    [InlineData(30, 1, PiecewiseActivation.ClippedRelu, 3)]
    public void ApproximateSearchFindsASubsetOfTheExactSet(int units, int rank, PiecewiseActivation activation, long seed)
    {
        PiecewiseLinearMap map = RandomNetworks.SelfExciting(units, rank, activation, seed);
        FixedPointResult exact = FixedPointFinder.Enumerate(map);
        FixedPointResult approximate = FixedPointFinder.SearchApproximate(map, new ApproximateSearchOptions(Restarts: 300, Seed: seed));
        Assert.NotEmpty(approximate.FixedPoints);
        foreach (FixedPoint point in approximate.FixedPoints)
        {
            Assert.True(point.Residual <= 1e-9);
            Assert.Contains(exact.FixedPoints, e => Distance(e.Z, point.Z) <= 1e-9);
        }
    }

    [Fact]
    public void ApproximateSearchFromEnumeratedPointsRecoversThem()
    {
        PiecewiseLinearMap map = RandomNetworks.SelfExciting(30, 2, PiecewiseActivation.ClippedRelu, 5);
        FixedPointResult exact = FixedPointFinder.Enumerate(map);
        var starts = exact.FixedPoints.Select(p => p.Z).ToList();
        FixedPointResult approximate = FixedPointFinder.SearchApproximate(map, new ApproximateSearchOptions(StartPoints: starts));
        Assert.Equal(exact.FixedPoints.Select(p => p.Z), approximate.FixedPoints.Select(p => p.Z));
    }

    /// <summary>
    /// F(z) = 0.5 z + 1 − s·relu(z) (a constant unit with a zero row of M, and one inhibitory unit). For z &lt; 0
    /// F = 0.5 z + 1, for z &gt; 0 F = (0.5 − s) z + 1. With s = 2: fixed point 1/2.5 (slope −1.5, unstable) and
    /// the 2-cycle z₁ = −2/7, z₂ = 6/7 with multiplier 0.5·(−1.5) = −0.75 (stable).
    /// </summary>
    [Fact]
    public void FindsTheKnownTwoCycle()
    {
        var map = new PiecewiseLinearMap(
            M: [0.0, 1.0], N: [1.0, -2.0], H: [-1.0, 0.0], C: [0.0, 0.0], Decay: 0.5, PiecewiseActivation.Relu, Units: 2, Rank: 1);
        FixedPointResult fixedPoints = FixedPointFinder.Enumerate(map);
        FixedPoint single = Assert.Single(fixedPoints.FixedPoints);
        Assert.Equal(0.4, single.Z[0], 12);
        Assert.Equal(StabilityKind.UnstableNode, single.Stability);
        Assert.Equal(-1.5, single.Eigenvalues[0].Real, 12);

        Cycle cycle = Assert.Single(FixedPointFinder.FindCycles(map, 2, new ApproximateSearchOptions(Restarts: 50)));
        Assert.Equal(2, cycle.Period);
        Assert.Equal([-2.0 / 7, 6.0 / 7], cycle.Points.Select(p => p[0]).Order(), new ToleranceComparer(1e-12));
        Assert.Equal(-0.75, cycle.Eigenvalues[0].Real, 12);
        Assert.Equal(StabilityKind.StableNode, cycle.Stability);
        Assert.True(cycle.Residual <= 1e-12);

        // Period 4 must not report the 2-cycle twice around, nor the fixed point.
        Assert.Empty(FixedPointFinder.FindCycles(map, 4, new ApproximateSearchOptions(Restarts: 50)));
    }

    [Fact]
    public void FindsTwoCycleOfARankTwoNetwork()
    {
        // Two copies of the 1-D system above, on axes z1 and z2 (independent): the product has a 2-cycle
        // in which both coordinates alternate, plus mixed ones (one coordinate at its fixed point).
        var map = new PiecewiseLinearMap(
            M: [0.0, 0.0, 1.0, 0.0, 0.0, 1.0],
            N: [1.0, -2.0, 0.0, 1.0, 0.0, -2.0],
            H: [-1.0, 0.0, 0.0],
            C: [0.0, 0.0, 0.0],
            Decay: 0.5,
            PiecewiseActivation.Relu,
            Units: 3,
            Rank: 2);
        IReadOnlyList<Cycle> cycles = FixedPointFinder.FindCycles(map, 2, new ApproximateSearchOptions(Restarts: 200));
        foreach (Cycle cycle in cycles)
        {
            Assert.True(cycle.Residual <= 1e-12);
        }

        // Both coordinates alternating in phase or in anti-phase, or one resting at 0.4: four 2-cycles.
        Assert.Equal(4, cycles.Count);
        Assert.Contains(cycles, c => c.Points.Any(p => Distance(p, [-2.0 / 7, -2.0 / 7]) < 1e-12) && c.Points.Any(p => Distance(p, [6.0 / 7, 6.0 / 7]) < 1e-12));
        Assert.Equal(2, cycles.Count(c => c.Stability == StabilityKind.StableNode));
        Assert.Equal(2, cycles.Count(c => c.Stability == StabilityKind.Saddle));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }

    private static double Distance(double[] x, double[] y) => Math.Sqrt(x.Zip(y, (a, b) => (a - b) * (a - b)).Sum());
}
