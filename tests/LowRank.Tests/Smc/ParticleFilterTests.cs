using LowRank.Data;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Smc;
using MathNet.Numerics.LinearAlgebra;

namespace LowRank.Tests.Smc;

public sealed class ParticleFilterTests
{
    [Theory]
    [InlineData(Readout.Latent, 0)]
    [InlineData(Readout.Currents, 2)]
    public void InitialPosteriorIsTheGaussianConditional(Readout readout, int inputs)
    {
        var options = new ModelOptions { Rank = 2, Units = 6, Channels = readout == Readout.Latent ? 4 : 6, Inputs = inputs, Readout = readout };
        var model = new LowRankRnn(options, SmcTestModels.RandomTheta(options, 3));
        Rng rng = Rng.Create(4, 0);
        var y0 = new double[options.Channels];
        var u0 = new double[inputs];
        rng.FillGaussian(y0);
        rng.FillGaussian(u0);
        InitialPosterior posterior = ParticleFilter.PosteriorOfInitialState(model, y0, u0);

        // Reference: prior N(m0, Σ0), y0 = C̃ z + d̃ + η, conditioned with dense X×X algebra.
        var build = Matrix<double>.Build;
        int r = options.Rank, n = options.Units, x = options.Channels;
        Matrix<double> m = build.Dense(n, r, (i, j) => model.M[i * r + j]);
        Vector<double> wv = Vector<double>.Build.Dense(n, i => Enumerable.Range(0, inputs).Sum(j => model.W[i * inputs + j] * u0[j]));
        Matrix<double> c = readout == Readout.Latent
            ? build.Dense(x, r, (i, j) => model.C[i * r + j])
            : build.Dense(x, r, (i, j) => model.C[i] * model.M[i * r + j]);
        Vector<double> offset = Vector<double>.Build.Dense(x, i => model.D[i] + (readout == Readout.Latent ? 0 : model.C[i] * wv[i]));
        Matrix<double> l0 = build.Dense(r, r, (i, j) => model.InitialCholesky()[i * r + j]);
        Matrix<double> prior = l0 * l0.Transpose();
        Vector<double> priorMean = Vector<double>.Build.DenseOfArray(model.InitialMean());
        if (inputs > 0)
        {
            priorMean += (m.Transpose() * m).Inverse() * m.Transpose() * wv;
        }

        Matrix<double> s = c * prior * c.Transpose() + build.DenseDiagonal(x, x, i => model.ObservationVariance()[i]);
        Matrix<double> gain = prior * c.Transpose() * s.Inverse();
        Vector<double> mean = priorMean + gain * (Vector<double>.Build.DenseOfArray(y0) - c * priorMean - offset);
        Matrix<double> covariance = prior - gain * c * prior;
        Matrix<double> factor = build.Dense(r, r, (i, j) => posterior.Cholesky![i * r + j]);
        for (int a = 0; a < r; a++)
        {
            Assert.Equal(mean[a], posterior.Mean[a], 10);
            for (int b = 0; b < r; b++)
            {
                Assert.Equal(covariance[a, b], (factor * factor.Transpose())[a, b], 10);
            }
        }
    }

    [Fact]
    public void FilterLogLikelihoodIsTTimesTheObjective()
    {
        var options = new ModelOptions { Rank = 2, Units = 8, Channels = 3 };
        double[] theta = SmcTestModels.RandomTheta(options, 5);
        SequenceSet batch = SmcTestModels.RandomBatch(options, 1, 15, 6);
        var vsmc = new VsmcOptions { Particles = 6, Precision = KernelPrecision.Double, Threads = 1 };
        FilterResult result = ParticleFilter.Run(new LowRankRnn(options, theta), vsmc, batch.Observations, null, 8);
        double objective = new VsmcObjective(options, vsmc).Value(theta, batch, 8);
        Assert.Equal(15 * objective, result.LogLikelihood, 10);
        Assert.Equal(15 * 6 * 2, result.Particles.Length);
        double[] means = result.FilteringMeans();
        Assert.Equal(30, means.Length);
        Assert.All(means, v => Assert.True(double.IsFinite(v)));
        for (int t = 0; t < 15; t++)
        {
            Assert.Equal(1.0, result.Weights.AsSpan(t * 6, 6).ToArray().Sum(), 12);
        }
    }
}
