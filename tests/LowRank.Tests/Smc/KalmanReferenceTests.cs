using LowRank.Data;
using LowRank.Model;
using LowRank.Smc;
using MathNet.Numerics.LinearAlgebra;

namespace LowRank.Tests.Smc;

/// <summary>
/// With the identity activation and Gaussian observations the model is linear-Gaussian:
/// <c>z_{t+1} = (aI + ÑM) z_t + Ñ(W v_t − h) + ε</c>, <c>y_t = C z_t + d + η</c>, so the exact
/// log-likelihood is the Kalman filter's. The SMC estimate T·L must approach it as K grows.
/// </summary>
public sealed class KalmanReferenceTests
{
    private static readonly ModelOptions Linear = new()
    {
        Rank = 2, Units = 5, Channels = 3, Inputs = 1, Activation = Activation.Identity,
    };

    /// <summary>With <paramref name="missing"/> &gt; 0 that fraction of the entries (and all of step 2) is NaN: the Kalman filter then updates on the observed rows only.</summary>
    [Theory]
    [InlineData(ProposalKind.Optimal, 400, 0.0)]
    [InlineData(ProposalKind.Bootstrap, 2000, 0.0)]
    [InlineData(ProposalKind.Optimal, 400, 0.3)]
    [InlineData(ProposalKind.Bootstrap, 2000, 0.3)]
    public void SmcLogLikelihoodConvergesToKalman(ProposalKind proposal, int particles, double missing)
    {
        const int steps = 20, seeds = 16;
        double[] theta = SmcTestModels.RandomTheta(Linear, 21, observationScale: 0.5);
        SequenceSet batch = SmcTestModels.RandomBatch(Linear, 1, steps, 22, missing);
        double exact = KalmanLogLikelihood(new LowRankRnn(Linear, theta), batch);

        double Estimate(int k, long seed)
        {
            var objective = new VsmcObjective(Linear, new VsmcOptions { Particles = k, Proposal = proposal, Precision = KernelPrecision.Double, Threads = 1 });
            return steps * objective.Value(theta, batch, seed);
        }

        (double mean, double standardError) Summary(int k)
        {
            var values = new double[seeds];
            for (int s = 0; s < seeds; s++)
            {
                values[s] = Estimate(k, 100 + s);
            }

            double mean = values.Average();
            double variance = values.Sum(v => (v - mean) * (v - mean)) / (seeds - 1);
            return (mean, Math.Sqrt(variance / seeds));
        }

        (double largeMean, double largeError) = Summary(particles);
        (double smallMean, _) = Summary(2);

        // Unbiased in Z, so log Ẑ is biased low by about Var/2; at this K that is far below one standard error.
        Assert.True(
            Math.Abs(largeMean - exact) <= 4 * largeError + 1e-3,
            $"K = {particles}: mean {largeMean} ± {largeError} vs Kalman {exact}");
        Assert.True(
            Math.Abs(largeMean - exact) < Math.Abs(smallMean - exact),
            $"K = {particles} error {largeMean - exact} not below K = 2 error {smallMean - exact}");
    }

    /// <summary>Exact log p(y_{0:T−1}) of the linear-Gaussian model by the Kalman filter.</summary>
    private static double KalmanLogLikelihood(LowRankRnn model, SequenceSet batch)
    {
        var build = Matrix<double>.Build;
        int r = model.Rank, n = model.Units, x = model.Channels, u = model.Inputs, steps = batch.Steps;
        Matrix<double> m = build.Dense(n, r, (i, j) => model.M[i * r + j]);
        Matrix<double> nTilde = build.Dense(r, n, (i, j) => model.N[i * n + j]);
        Matrix<double> w = build.Dense(n, u, (i, j) => model.W[i * u + j]);
        Vector<double> h = Vector<double>.Build.DenseOfArray(model.H.ToArray());
        Matrix<double> c = build.Dense(x, r, (i, j) => model.C[i * r + j]);
        Vector<double> d = Vector<double>.Build.DenseOfArray(model.D.ToArray());
        Matrix<double> observationNoise = build.DenseDiagonal(x, x, i => model.ObservationVariance()[i]);
        Matrix<double> lz = build.Dense(r, r, (i, j) => model.TransitionCholesky()[i * r + j]);
        Matrix<double> l0 = build.Dense(r, r, (i, j) => model.InitialCholesky()[i * r + j]);
        Matrix<double> transition = model.Decay * build.DenseIdentity(r) + nTilde * m;
        Matrix<double> projection = (m.Transpose() * m).Inverse() * m.Transpose();

        Vector<double> Input(int t) => Vector<double>.Build.Dense(u, j => batch.InputsOf(0)[t * u + j]);
        Vector<double> Observation(int t) => Vector<double>.Build.Dense(x, i => batch.ObservationsOf(0)[t * x + i]);

        Vector<double> mean = Vector<double>.Build.DenseOfArray(model.InitialMean()) + projection * (w * Input(0));
        Matrix<double> covariance = l0 * l0.Transpose();
        double logLikelihood = 0;
        for (int t = 0; t < steps; t++)
        {
            Vector<double> y = Observation(t);
            int[] observed = [.. Enumerable.Range(0, x).Where(i => !double.IsNaN(y[i]))];
            if (observed.Length > 0)
            {
                // Update on the observed rows only.
                Matrix<double> co = build.Dense(observed.Length, r, (i, j) => c[observed[i], j]);
                Matrix<double> noise = build.DenseDiagonal(observed.Length, observed.Length, i => observationNoise[observed[i], observed[i]]);
                Vector<double> residual = Vector<double>.Build.Dense(observed.Length, i => y[observed[i]] - d[observed[i]]) - co * mean;
                Matrix<double> s = co * covariance * co.Transpose() + noise;
                logLikelihood += -0.5 * (observed.Length * Math.Log(2 * Math.PI) + Math.Log(s.Determinant()) + residual * s.Solve(residual));
                Matrix<double> gain = covariance * co.Transpose() * s.Inverse();
                mean += gain * residual;
                covariance = (build.DenseIdentity(r) - gain * co) * covariance;
            }

            mean = transition * mean + nTilde * (w * Input(t) - h);
            covariance = transition * covariance * transition.Transpose() + lz * lz.Transpose();
        }

        return logLikelihood;
    }
}
