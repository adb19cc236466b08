using System.Runtime.Intrinsics;
using LowRank.Numerics;

namespace LowRank.Tests.Numerics;

public sealed class VectorLog1pTests
{
    [Fact]
    public void Float32IsWithinThreeTenMillionthsRelativeOnTheUnitInterval()
    {
        // a dense grid over [0, 1] and a logarithmic one over 10⁻³⁰ … 1; the reference in double, by the series below 10⁻⁴
        double worst = 0;
        void Check(float u)
        {
            float y = VectorLog1p.OfUnit(Vector512.Create(u)).ToScalar();
            double exact = u < 1e-4 ? u - (u * (double)u / 2) + (u * (double)u * u / 3) : Math.Log(1 + (double)u);
            worst = Math.Max(worst, Math.Abs(y - exact) / exact);
        }

        for (int k = 1; k <= 1_000_000; k++)
        {
            Check(k * 1e-6f);
        }

        for (int k = 0; k <= 30_000; k++)
        {
            Check((float)Math.Pow(10, -30 + (k * 1e-3)));
        }

        Assert.Equal(0f, VectorLog1p.OfUnit(Vector512<float>.Zero).ToScalar());
        Assert.True(worst <= 3e-7, $"largest relative error {worst:E3}");
    }

    [Fact]
    public void DoubleLanesUseTheLibraryLogarithm()
    {
        foreach (double u in new[] { 0.0, 1e-300, 1e-9, 0.25, 0.5, 1.0 })
        {
            Assert.Equal(Vector512.Log(Vector512.Create(1 + u)).ToScalar(), VectorLog1p.OfUnit(Vector512.Create(u)).ToScalar());
        }
    }

    [Fact]
    public void NaNStaysNaN()
    {
        Assert.True(float.IsNaN(VectorLog1p.OfUnit(Vector512.Create(float.NaN)).ToScalar()));
    }
}
