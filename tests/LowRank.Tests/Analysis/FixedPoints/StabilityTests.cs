using System.Numerics;
using LowRank.Analysis.FixedPoints;
using LowRank.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace LowRank.Tests.Analysis.FixedPoints;

public sealed class StabilityTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EigenvaluesMatchMathNet(int rank)
    {
        var rng = Rng.Create(7, rank);
        for (int trial = 0; trial < 200; trial++)
        {
            var a = new double[rank * rank];
            rng.FillGaussian(a);
            Complex[] actual = Stability.Eigenvalues(a, rank);
            Complex[] expected = Matrix<double>.Build.Dense(rank, rank, (r, s) => a[r * rank + s]).Evd().EigenValues.ToArray();
            Assert.Equal(rank, actual.Length);
            foreach (Complex value in expected)
            {
                double nearest = actual.Min(x => (x - value).Magnitude);
                Assert.True(nearest < 1e-8, $"eigenvalue {value} of trial {trial} not found (nearest {nearest}).");
            }
        }
    }

    [Fact]
    public void RepeatedAndZeroEigenvalues()
    {
        Assert.Equal([new Complex(0.5, 0), new Complex(0.5, 0), new Complex(0.5, 0)], Stability.Eigenvalues([0.5, 0, 0, 0, 0.5, 0, 0, 0, 0.5], 3));
        Assert.Equal([new Complex(0, 0), new Complex(0, 0), new Complex(0, 0)], Stability.Eigenvalues(new double[9], 3));
    }

    [Theory]
    [InlineData(new[] { 0.5, 0.0, 0.0, -0.3 }, StabilityKind.StableNode)]
    [InlineData(new[] { 1.5, 0.0, 0.0, -1.2 }, StabilityKind.UnstableNode)]
    [InlineData(new[] { 1.5, 0.0, 0.0, 0.2 }, StabilityKind.Saddle)]
    [InlineData(new[] { 0.5, -0.5, 0.5, 0.5 }, StabilityKind.StableSpiral)]
    [InlineData(new[] { 1.0, -1.0, 1.0, 1.0 }, StabilityKind.UnstableSpiral)]
    [InlineData(new[] { 1.0, 0.0, 0.0, 0.5 }, StabilityKind.NonHyperbolic)]
    public void ClassifiesDiscreteTimeFixedPoints(double[] jacobian, StabilityKind expected)
    {
        Assert.Equal(expected, Stability.Classify(Stability.Eigenvalues(jacobian, 2)));
    }
}
