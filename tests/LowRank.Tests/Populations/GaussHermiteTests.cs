using LowRank.Populations;

namespace LowRank.Tests.Populations;

public sealed class GaussHermiteTests
{
    [Fact]
    public void SmallRulesHaveTheirKnownNodesAndWeights()
    {
        GaussHermite one = GaussHermite.Create(1);
        Assert.Equal(0, one.Nodes[0], 14);
        Assert.Equal(1, one.Weights[0], 14);

        GaussHermite two = GaussHermite.Create(2);
        Assert.Equal([-1.0, 1.0], two.Nodes.Select(x => Math.Round(x, 13)));
        Assert.Equal([0.5, 0.5], two.Weights.Select(x => Math.Round(x, 13)));

        // He_3 = x³ − 3x: nodes 0, ±√3; weights 2/3 and 1/6
        GaussHermite three = GaussHermite.Create(3);
        Assert.Equal(-Math.Sqrt(3), three.Nodes[0], 13);
        Assert.Equal(0, three.Nodes[1], 13);
        Assert.Equal(Math.Sqrt(3), three.Nodes[2], 13);
        Assert.Equal(1.0 / 6, three.Weights[0], 13);
        Assert.Equal(2.0 / 3, three.Weights[1], 13);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(40)]
    public void RulesIntegrateGaussianMomentsExactlyUpToDegreeTwoKMinusOne(int order)
    {
        GaussHermite rule = GaussHermite.Create(order);
        Assert.Equal(1, rule.Weights.Sum(), 12);
        double doubleFactorial = 1; // (2k − 1)!!
        for (int k = 1; 2 * k <= 2 * order - 1 && k <= 12; k++)
        {
            doubleFactorial *= 2 * k - 1;
            double even = 0, odd = 0, oddScale = 0;
            for (int i = 0; i < order; i++)
            {
                even += rule.Weights[i] * Math.Pow(rule.Nodes[i], 2 * k);
                odd += rule.Weights[i] * Math.Pow(rule.Nodes[i], 2 * k - 1);
                oddScale += rule.Weights[i] * Math.Abs(Math.Pow(rule.Nodes[i], 2 * k - 1));
            }

            Assert.Equal(1, even / doubleFactorial, 10);
            // odd moments vanish up to rounding of terms of size Σ w |x|^{2k−1}
            Assert.InRange(Math.Abs(odd), 0, 1e-12 * oddScale);
        }
    }

    [Theory]
    [InlineData(0.0, 0.0, 1e-12)]
    [InlineData(0.0, 1.0, 1e-8)]
    [InlineData(0.3, 1.5, 2e-7)]
    [InlineData(-1.2, 3.0, 1e-7)]
    [InlineData(0.0, 2.0, 1e-7)]
    [InlineData(0.7, 5.0, 1e-7)]
    [InlineData(4.8, 45.6, 1e-7)]
    [InlineData(-30.0, 20.0, 1e-7)]
    public void TanhMomentsMatchAFineTrapezoidIntegral(double mean, double std, double tolerance)
    {
        (double value, double gain) = GaussHermite.Create(MeanFieldDynamics.DefaultOrder).TanhMoments(mean, std);
        double refValue = 0, refGain = 0;
        const int points = 400001;
        double h = 24.0 / (points - 1);
        for (int i = 0; i < points; i++)
        {
            double z = -12 + i * h;
            double w = (i == 0 || i == points - 1 ? 0.5 : 1) * h * Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);
            double t = Math.Tanh(mean + std * z);
            refValue += w * t;
            refGain += w * (1 - t * t);
        }

        // tanh has poles at ±iπ/2, so Gauss–Hermite converges slowly in the order when Δ is large: with the
        // default 100 nodes the error measured was 4e-8 at Δ = 1.5 and 5e-5 at Δ = 3, and the gain was 74 % too small
        // at Δ = 45; above Δ = 1.5 TanhMoments integrates over x instead. The trapezoid reference (h = 6e-5 in ξ on
        // [−12, 12], i.e. 3e-3 in x at Δ = 45) resolves sech² at every Δ tested.
        Assert.InRange(value - refValue, -tolerance, tolerance);
        Assert.InRange(gain - refGain, -tolerance, tolerance);
    }

    [Theory]
    [InlineData(0.0, 0.3)]
    [InlineData(0.4, 1.2)]
    [InlineData(-1.1, 0.05)]
    [InlineData(0.3, 2.5)]
    [InlineData(-2.0, 7.0)]
    [InlineData(4.8, 45.6)]
    public void MomentSlopesMatchCentralDifferencesOfTheMoments(double mean, double std)
    {
        GaussHermite rule = GaussHermite.Create(MeanFieldDynamics.DefaultOrder);
        TanhMomentSlopes at = rule.TanhMomentsWithSlopes(mean, std);
        (double value, double gain) = rule.TanhMoments(mean, std);
        Assert.Equal(value, at.Mean, 6);
        Assert.Equal(gain, at.Gain, 6);

        const double h = 1e-5;
        TanhMomentSlopes up = rule.TanhMomentsWithSlopes(mean + h, std), down = rule.TanhMomentsWithSlopes(mean - h, std);
        TanhMomentSlopes wider = rule.TanhMomentsWithSlopes(mean, std + h), narrower = rule.TanhMomentsWithSlopes(mean, std - h);
        AssertClose(at.MeanByMu, (up.Mean - down.Mean) / (2 * h), "∂⟨φ⟩/∂μ");
        AssertClose(at.GainByMu, (up.Gain - down.Gain) / (2 * h), "∂⟨φ'⟩/∂μ");
        AssertClose(at.MeanByStd, (wider.Mean - narrower.Mean) / (2 * h), "∂⟨φ⟩/∂Δ");
        AssertClose(at.GainByStd, (wider.Gain - narrower.Gain) / (2 * h), "∂⟨φ'⟩/∂Δ");

        static void AssertClose(double analytic, double numeric, string name) =>
            Assert.True(Math.Abs(analytic - numeric) <= 1e-7 * Math.Max(1, Math.Abs(numeric)), $"{name}: analytic {analytic:R}, numeric {numeric:R}");
    }
}
