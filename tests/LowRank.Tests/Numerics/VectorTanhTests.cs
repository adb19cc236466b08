using System.Runtime.Intrinsics;
using LowRank.Numerics;

namespace LowRank.Tests.Numerics;

public sealed class VectorTanhTests
{
    [Fact]
    public void Float32IsWithinThreeTenMillionthsOfTanhEverywhere()
    {
        // a dense grid over [−10, 10] and a logarithmic one over 10⁻¹⁰ … 10 of both signs
        double worstAbsolute = 0, worstRelative = 0;
        void Check(float x)
        {
            float y = VectorTanh.Of(Vector512.Create(x)).ToScalar();
            double exact = Math.Tanh(x);
            worstAbsolute = Math.Max(worstAbsolute, Math.Abs(y - exact));
            if (exact != 0)
            {
                worstRelative = Math.Max(worstRelative, Math.Abs(y - exact) / Math.Abs(exact));
            }
        }

        for (int k = -400_000; k <= 400_000; k++)
        {
            Check(k * 2.5e-5f);
        }

        for (int k = 0; k <= 11_000; k++)
        {
            float x = (float)Math.Pow(10, -10 + (k * 1e-3));
            Check(x);
            Check(-x);
        }

        Assert.True(worstAbsolute <= 3e-7, $"largest absolute error {worstAbsolute:E3}");
        Assert.True(worstRelative <= 3e-7, $"largest relative error {worstRelative:E3}");
    }

    [Theory]
    [InlineData(9f, 1f)]
    [InlineData(1e30f, 1f)]
    [InlineData(float.PositiveInfinity, 1f)]
    [InlineData(-20f, -1f)]
    [InlineData(float.NegativeInfinity, -1f)]
    public void Float32SaturatesWithinOneStepBelowOne(float x, float limit)
    {
        float y = VectorTanh.Of(Vector512.Create(x)).ToScalar();
        Assert.Equal(limit, y, 3e-7f);
        Assert.True(Math.Abs(y) < 1f);
    }

    [Fact]
    public void NaNStaysNaNAndZeroKeepsItsSign()
    {
        Assert.True(float.IsNaN(VectorTanh.Of(Vector512.Create(float.NaN)).ToScalar()));
        Assert.True(double.IsNaN(VectorTanh.Of(Vector512.Create(double.NaN)).ToScalar()));
        Assert.True(float.IsNegative(VectorTanh.Of(Vector512.Create(-0f)).ToScalar()));
    }

    [Fact]
    public void DoubleIsMathTanh()
    {
        double[] values = [-30, -3.7, -1e-9, 0, 2e-300, 0.4, 5.5, 40];
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(Math.Tanh(values[i]), VectorTanh.Of(Vector512.Create(values[i])).ToScalar());
        }
    }

    [Fact]
    public void ApplyCoversEveryLengthAndTailInPlace()
    {
        for (int length = 0; length <= 40; length++)
        {
            var x = new float[length];
            for (int i = 0; i < length; i++)
            {
                x[i] = (i * 0.37f) - 3f;
            }

            var destination = new float[length + 1];
            destination[length] = 42f;
            VectorTanh.Apply<float>(x, destination);
            for (int i = 0; i < length; i++)
            {
                Assert.Equal(Math.Tanh(x[i]), destination[i], 3e-7);
            }

            Assert.Equal(42f, destination[length]);
            var inPlace = (float[])x.Clone();
            VectorTanh.Apply<float>(inPlace, inPlace);
            Assert.Equal(destination.AsSpan(0, length).ToArray(), inPlace);

            var doubles = Array.ConvertAll(x, v => (double)v);
            VectorTanh.Apply<double>(doubles, doubles);
            for (int i = 0; i < length; i++)
            {
                Assert.Equal(Math.Tanh(x[i]), doubles[i]);
            }
        }

        Assert.Throws<ArgumentException>(() => VectorTanh.Apply<float>(new float[3], new float[2]));
    }
}
