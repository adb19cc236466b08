using LowRank.Model;
using LowRank.Numerics;

namespace LowRank.Tests.Model;

public sealed class CovarianceParametersTests
{
    [Theory]
    [InlineData(NoiseShape.Full, 1)]
    [InlineData(NoiseShape.Full, 3)]
    [InlineData(NoiseShape.Diagonal, 2)]
    [InlineData(NoiseShape.Scalar, 3)]
    public void CholeskyRoundTrips(NoiseShape shape, int rank)
    {
        Rng rng = Rng.Create(1, rank);
        var raw = new double[CovarianceParameters.RawLength(shape, rank)];
        rng.FillGaussian(raw);
        var factor = new double[rank * rank];
        CovarianceParameters.ToCholesky(shape, rank, raw, factor);
        var back = new double[raw.Length];
        CovarianceParameters.FromCholesky(shape, rank, factor, back, "L");
        for (int i = 0; i < raw.Length; i++)
        {
            Assert.Equal(raw[i], back[i], 12);
        }
    }

    [Theory]
    [InlineData(NoiseShape.Full, 1)]
    [InlineData(NoiseShape.Full, 4)]
    [InlineData(NoiseShape.Diagonal, 3)]
    [InlineData(NoiseShape.Scalar, 2)]
    public void BackwardMatchesCentralDifferences(NoiseShape shape, int rank)
    {
        // Scalar loss L = Σ_ij G_ij L_ij(ρ) with a random G, so ∂L/∂L = G.
        Rng rng = Rng.Create(2, rank);
        var raw = new double[CovarianceParameters.RawLength(shape, rank)];
        rng.FillGaussian(raw);
        var weights = new double[rank * rank];
        rng.FillGaussian(weights);
        var gradient = new double[raw.Length];
        CovarianceParameters.ToCholeskyBackward(shape, rank, raw, weights, gradient);

        var direction = new double[raw.Length];
        rng.FillGaussian(direction);
        const double step = 1e-6;
        double Loss(double sign)
        {
            var shifted = new double[raw.Length];
            for (int i = 0; i < raw.Length; i++)
            {
                shifted[i] = raw[i] + sign * step * direction[i];
            }

            var factor = new double[rank * rank];
            CovarianceParameters.ToCholesky(shape, rank, shifted, factor);
            double sum = 0;
            for (int i = 0; i < factor.Length; i++)
            {
                sum += weights[i] * factor[i];
            }

            return sum;
        }

        double numeric = (Loss(1) - Loss(-1)) / (2 * step);
        double analytic = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            analytic += gradient[i] * direction[i];
        }

        Assert.True(Math.Abs(numeric - analytic) <= 1e-6 * Math.Max(1, Math.Abs(analytic)), $"numeric {numeric} vs analytic {analytic}");
    }

    [Fact]
    public void NonLowerTriangularFactorIsRejected()
    {
        var factor = new double[] { 1, 0.5, 0, 1 };
        var raw = new double[3];
        var ex = Assert.Throws<InputException>(() => CovarianceParameters.FromCholesky(NoiseShape.Full, 2, factor, raw, "chol_z"));
        Assert.Equal("chol_z[0,1] = 0.5 but a full covariance factor must be zero there.", ex.Message);
    }
}
