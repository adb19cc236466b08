using System.Numerics;
using LowRank.Analysis;
using LowRank.Analysis.FixedPoints;
using LowRank.Data;
using LowRank.Numerics;
using LowRank.Plotting;
using LowRank.RateNetworks;

namespace LowRank.Tests.Analysis.FixedPoints;

/// <summary>
/// Fixed points of tanh rate networks' κ dynamics against networks whose fixed points are known in closed form, the
/// hand-written Jacobian against finite differences, and the search's determinism.
/// </summary>
public sealed class RateNetworkFixedPointTests
{
    private const double Alpha = 0.2;

    /// <summary>A network with M [R, N], Ñ [R, N] and W_in [U, N] as given (stored layout), b = 0.</summary>
    internal static RateNetwork Network(int units, int rank, int inputs, double[] m, double[] nTilde, double[]? wIn = null)
    {
        var spec = new RateNetworkSpec(units, rank, inputs, 1, Alpha, 0.0, ReadoutKind.Tanh);
        var layout = new RateNetworkLayout(spec);
        var theta = new double[layout.Length];
        m.CopyTo(layout.M.Of<double>(theta));
        nTilde.CopyTo(layout.NTilde.Of<double>(theta));
        wIn?.CopyTo(layout.InputWeights.Of<double>(theta));
        return new RateNetwork(spec, theta);
    }

    /// <summary>Signs s_i = ±1 (not all equal) of <paramref name="units"/> units.</summary>
    private static double[] Signs(int units) => [.. Enumerable.Range(0, units).Select(i => i % 3 == 1 ? -1.0 : 1.0)];

    /// <summary>
    /// R = 1 with m_i = s_i, ñ_i = w s_i: tanh is odd, so F(κ) = −κ + w tanh κ. Fixed points: 0, with ∂F/∂κ = w − 1, and for
    /// w &gt; 1 also ±κ* with κ* = w tanh κ*, ∂F/∂κ = −1 + w (1 − tanh² κ*).
    /// </summary>
    [Theory]
    [InlineData(2.0)]
    [InlineData(1.3)]
    [InlineData(0.5)]
    public void RankOneSelfExcitationHasTheClosedFormFixedPoints(double w)
    {
        double[] s = Signs(10);
        RateNetwork network = Network(10, 1, 0, s, [.. s.Select(x => w * x)]);
        var map = RateNetworkLatentMap.Of(network, []);
        RateNetworkFixedPointResult result = RateNetworkFixedPoints.Find(map, new RateNetworkFixedPointOptions { Starts = 50, Seed = 3 });

        var expected = new List<(double Kappa, double Slope)> { (0, w - 1) };
        if (w > 1)
        {
            double root = Bisect(k => k - w * Math.Tanh(k), 1e-3, w);
            double slope = -1 + w * (1 - Math.Tanh(root) * Math.Tanh(root));
            expected.Insert(0, (-root, slope));
            expected.Add((root, slope));
        }

        Assert.Equal(expected.Count, result.FixedPoints.Count);
        for (int k = 0; k < expected.Count; k++)
        {
            FixedPoint point = result.FixedPoints[k];
            Assert.Equal(expected[k].Kappa, point.Z[0], 12);
            Assert.True(point.Residual <= 1e-10, $"residual {point.Residual}");
            Assert.Equal(1 + Alpha * expected[k].Slope, point.Eigenvalues[0].Real, 12);
            Assert.Equal(expected[k].Slope, map.ContinuousEigenvalues(point.Eigenvalues)[0].Real, 10);
            Assert.Equal(expected[k].Slope < 0 ? StabilityKind.StableNode : StabilityKind.UnstableNode, point.Stability);
        }

        Assert.Equal(w > 1 ? 2 : 1, result.StableCount);
    }

    /// <summary>
    /// R = 2 built so that F(κ) = −κ + A tanh(κ) (element-wise tanh) with A = g·rotation(θ), g &lt; 1: |A tanh κ| &lt; |κ|
    /// away from 0, so the origin is the only fixed point, with ∂F/∂κ = −I + A: λ = −1 + g cos θ ± i g sin θ.
    /// </summary>
    [Fact]
    public void RotationNetworkHasOnlyTheOriginWithItsComplexPair()
    {
        const double g = 0.9, theta = 1.0;
        double a = g * Math.Cos(theta), b = -g * Math.Sin(theta), c = g * Math.Sin(theta), d = g * Math.Cos(theta);
        const int units = 8;
        double[] s = Signs(units);
        var m = new double[2 * units];
        var nTilde = new double[2 * units];
        for (int i = 0; i < units; i++)
        {
            // Units 0–3 read κ_1 and write (a, c); units 4–7 read κ_2 and write (b, d); each half carries N/2 units.
            bool first = i < units / 2;
            m[(first ? 0 : 1) * units + i] = s[i];
            nTilde[i] = 2 * s[i] * (first ? a : b);
            nTilde[units + i] = 2 * s[i] * (first ? c : d);
        }

        var map = RateNetworkLatentMap.Of(Network(units, 2, 0, m, nTilde), []);
        RateNetworkFixedPointResult result = RateNetworkFixedPoints.Find(map, new RateNetworkFixedPointOptions { Starts = 100, Seed = 1 });

        FixedPoint origin = Assert.Single(result.FixedPoints);
        Assert.Equal(0, origin.Z[0], 12);
        Assert.Equal(0, origin.Z[1], 12);
        Assert.Equal(StabilityKind.StableSpiral, origin.Stability);
        Complex[] lambda = map.ContinuousEigenvalues(origin.Eigenvalues);
        Assert.Equal(-1 + g * Math.Cos(theta), lambda[0].Real, 12);
        Assert.Equal(-1 + g * Math.Cos(theta), lambda[1].Real, 12);
        Assert.Equal(g * Math.Sin(theta), Math.Abs(lambda[0].Imaginary), 12);
        Assert.Equal(-lambda[0].Imaginary, lambda[1].Imaginary, 12);
        Assert.Equal(Complex.Abs(1 + Alpha * new Complex(-1 + g * Math.Cos(theta), g * Math.Sin(theta))), origin.Eigenvalues[0].Magnitude, 12);
    }

    /// <summary>
    /// R = 1, U = 1 with m_i = s_i, ñ_i = w s_i, w_in,i = β s_i: F(κ) = −κ + w tanh(κ + β u). With w &lt; 1 the root is
    /// unique; u = (atanh(κ*/w) − κ*)/β puts it at κ*. The network, simulated at that constant input, settles at the
    /// state whose projection is κ* + P u, P = (MᵀM)⁻¹MᵀW_inᵀ = β.
    /// </summary>
    [Fact]
    public void ConstantInputMovesTheFixedPointToItsKnownPlace()
    {
        const double w = 0.5, beta = 2.0, target = 0.3;
        double u = (Math.Atanh(target / w) - target) / beta;
        const int units = 9;
        double[] s = Signs(units);
        RateNetwork network = Network(units, 1, 1, s, [.. s.Select(x => w * x)], [.. s.Select(x => beta * x)]);

        var atZero = RateNetworkLatentMap.Of(network, []);
        FixedPoint rest = Assert.Single(RateNetworkFixedPoints.Find(atZero, new RateNetworkFixedPointOptions { Starts = 20 }).FixedPoints);
        Assert.Equal(0, rest.Z[0], 12);

        var map = RateNetworkLatentMap.Of(network, [u]);
        FixedPoint shifted = Assert.Single(RateNetworkFixedPoints.Find(map, new RateNetworkFixedPointOptions { Starts = 20 }).FixedPoints);
        Assert.Equal(target, shifted.Z[0], 12);
        Assert.Equal(StabilityKind.StableNode, shifted.Stability);
        double slope = -1 + w * (1 - Math.Tanh(target + beta * u) * Math.Tanh(target + beta * u));
        Assert.Equal(1 + Alpha * slope, shifted.Eigenvalues[0].Real, 12);
        double offset = Assert.Single(map.StateOffset());
        Assert.Equal(beta * u, offset, 12);

        // The float32 simulation of the network itself: 300 steps of constant input from x0 = 0.
        const int steps = 300;
        var trial = new Trial(steps, 1, 1, Enumerable.Repeat((float)u, steps).ToArray(), new float[steps], new float[steps]);
        double[] kappa = Assert.Single(LatentAnalysis.Kappa(network, [trial], 1));
        Assert.Equal(target + offset, kappa[^1], 4);
    }

    /// <summary>∂F/∂κ against central differences of F, in double, for R = 1, 2, 3, 5 with inputs and biases.</summary>
    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 7)]
    [InlineData(3, 11)]
    [InlineData(5, 13)]
    public void JacobianMatchesFiniteDifferences(int rank, int units)
    {
        RateNetwork network = RateNetwork.CreateRandom(new RateNetworkSpec(units, rank, 2, 1, Alpha, 0.0, ReadoutKind.Tanh), 17 + rank);
        Rng rng = Rng.Create(5, rank);
        Span<double> bias = network.Layout.Bias.Of(network.Theta);
        for (int i = 0; i < units; i++)
        {
            bias[i] = 0.5 * rng.NextGaussian();
        }

        var map = RateNetworkLatentMap.Of(network, [0.3, -0.7]);
        var jacobian = new double[rank * rank];
        var plus = new double[rank];
        var minus = new double[rank];
        const double h = 1e-5;
        for (int trial = 0; trial < 3; trial++)
        {
            double[] kappa = [.. Enumerable.Range(0, rank).Select(_ => rng.NextGaussian())];
            map.Jacobian(kappa, jacobian);
            double largest = jacobian.Max(Math.Abs);
            for (int s = 0; s < rank; s++)
            {
                double[] up = (double[])kappa.Clone(), down = (double[])kappa.Clone();
                up[s] += h;
                down[s] -= h;
                map.Velocity(up, plus);
                map.Velocity(down, minus);
                for (int r = 0; r < rank; r++)
                {
                    double numeric = (plus[r] - minus[r]) / (2 * h);
                    Assert.True(Math.Abs(numeric - jacobian[r * rank + s]) <= 1e-7 * Math.Max(1, largest), $"∂F_{r}/∂κ_{s}: {jacobian[r * rank + s]} vs {numeric}");
                }
            }
        }
    }

    /// <summary>A random rank-1 network: Newton finds exactly the roots a fine scan of F over the bounding box brackets.</summary>
    [Fact]
    public void RankOneSearchFindsEveryRootOfAScan()
    {
        RateNetwork network = RateNetwork.CreateRandom(new RateNetworkSpec(30, 1, 1, 1, Alpha, 0.0, ReadoutKind.Tanh), 4);
        Span<double> m = network.Layout.M.Of(network.Theta);
        Span<double> nTilde = network.Layout.NTilde.Of(network.Theta);
        for (int i = 0; i < m.Length; i++)
        {
            nTilde[i] = 2.5 * m[i] + 0.3 * nTilde[i];
        }

        var map = RateNetworkLatentMap.Of(network, [0.05]);
        double bound = map.FixedPointBound()[0];
        var roots = new List<double>();
        var f = new double[1];
        double Velocity(double k)
        {
            map.Velocity([k], f);
            return f[0];
        }

        const int grid = 20000;
        for (int k = 0; k < grid; k++)
        {
            double lo = -bound + 2 * bound * k / grid, hi = -bound + 2 * bound * (k + 1) / grid;
            if (Math.Sign(Velocity(lo)) != Math.Sign(Velocity(hi)))
            {
                roots.Add(Bisect(Velocity, lo, hi));
            }
        }

        RateNetworkFixedPointResult result = RateNetworkFixedPoints.Find(map, new RateNetworkFixedPointOptions { Starts = 100, Seed = 9 });
        Assert.True(roots.Count >= 3, $"the test network should be multistable; the scan found {roots.Count} roots");
        Assert.Equal(roots.Count, result.FixedPoints.Count);
        for (int k = 0; k < roots.Count; k++)
        {
            Assert.Equal(roots[k], result.FixedPoints[k].Z[0], 9);
        }
    }

    [Fact]
    public void SearchDoesNotDependOnTheThreadCount()
    {
        RateNetwork network = RateNetwork.CreateRandom(new RateNetworkSpec(40, 3, 1, 1, Alpha, 0.0, ReadoutKind.Tanh), 8);
        Span<double> m = network.Layout.M.Of(network.Theta);
        Span<double> nTilde = network.Layout.NTilde.Of(network.Theta);
        for (int i = 0; i < m.Length; i++)
        {
            nTilde[i] = 2 * m[i] + 0.5 * nTilde[i];
        }

        var map = RateNetworkLatentMap.Of(network, []);
        RateNetworkFixedPointResult one = RateNetworkFixedPoints.Find(map, new RateNetworkFixedPointOptions { Starts = 64, Seed = 2, Threads = 1 });
        RateNetworkFixedPointResult three = RateNetworkFixedPoints.Find(map, new RateNetworkFixedPointOptions { Starts = 64, Seed = 2, Threads = 3 });
        Assert.True(one.FixedPoints.Count > 1, $"the test network should have several fixed points, found {one.FixedPoints.Count}");
        Assert.Equal(one.Converged, three.Converged);
        Assert.Equal(one.FixedPoints.Count, three.FixedPoints.Count);
        double[] bound = map.FixedPointBound();
        for (int k = 0; k < one.FixedPoints.Count; k++)
        {
            Assert.Equal(one.FixedPoints[k].Z, three.FixedPoints[k].Z);
            Assert.Equal(one.FixedPoints[k].Stability, three.FixedPoints[k].Stability);
            Assert.All(Enumerable.Range(0, 3), r => Assert.True(Math.Abs(one.FixedPoints[k].Z[r]) < bound[r]));
        }
    }

    [Fact]
    public void InputOfTheWrongLengthAndNoStartsAreInputErrors()
    {
        RateNetwork network = RateNetwork.CreateRandom(new RateNetworkSpec(6, 2, 2, 1, Alpha, 0.0, ReadoutKind.Tanh), 1);
        var error = Assert.Throws<InputException>(() => RateNetworkLatentMap.Of(network, [1.0]));
        Assert.Equal("Input has 1 values but the network has 2 inputs.", error.Message);
        Assert.Equal("pass 2 comma-separated values, e.g. Input 0,0.", error.Hint);
        var map = RateNetworkLatentMap.Of(network, []);
        error = Assert.Throws<InputException>(() => RateNetworkFixedPoints.Find(map, new RateNetworkFixedPointOptions { Starts = 0 }));
        Assert.Equal("Starts must be at least 1, got 0.", error.Message);
    }

    /// <summary>The flow field with fixed points renders for R = 1 (a line), 2 (the plane) and 3 (pairs of axes), with given paths.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FlowFieldWithFixedPointsRenders(int rank)
    {
        RateNetwork network = RateNetwork.CreateRandom(new RateNetworkSpec(12, rank, 1, 1, Alpha, 0.0, ReadoutKind.Tanh), 3);
        var map = RateNetworkLatentMap.Of(network, [0.2]);
        var shown = new TranslatedLatentMap(map, map.StateOffset());
        FixedPoint[] points = [.. RateNetworkFixedPoints.Find(map, new RateNetworkFixedPointOptions { Starts = 20 }).FixedPoints.Select(shown.Translate)];
        double[] path = [.. Enumerable.Range(0, 10 * rank).Select(k => 0.1 * Math.Sin(k)), .. Enumerable.Repeat(double.NaN, rank)];
        string file = Path.Combine(Path.GetTempPath(), $"rate-flow-{rank}-{Guid.NewGuid():N}.png");
        try
        {
            FixedPointPlots.SaveFlowField(file, shown, points, [], $"rank {rank}", view: new FlowFieldView([path], new double[rank], 2.0, "κ"));
            byte[] bytes = File.ReadAllBytes(file);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>A root of <paramref name="f"/> in [lo, hi] (a sign change) to machine precision.</summary>
    private static double Bisect(Func<double, double> f, double lo, double hi)
    {
        double fLo = f(lo);
        for (int k = 0; k < 200 && hi - lo > 0; k++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid == lo || mid == hi)
            {
                break;
            }

            double fMid = f(mid);
            if (Math.Sign(fMid) == Math.Sign(fLo))
            {
                lo = mid;
                fLo = fMid;
            }
            else
            {
                hi = mid;
            }
        }

        return 0.5 * (lo + hi);
    }
}
