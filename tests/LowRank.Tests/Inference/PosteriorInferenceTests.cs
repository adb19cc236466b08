using LowRank.Data;
using LowRank.Inference;
using LowRank.Model;
using LowRank.Simulation;
using LowRank.Tests.Smc;
using MathNet.Numerics.LinearAlgebra;

namespace LowRank.Tests.Inference;

public sealed class PosteriorInferenceTests
{
    private const int Steps = 15;

    /// <summary>A linear-Gaussian model (identity activation, latent readout) and one simulated trial of it.</summary>
    private static (LowRankRnn Model, SequenceSet Data) LinearGaussian()
    {
        var options = new ModelOptions { Rank = 2, Units = 8, Channels = 3, Activation = Activation.Identity };
        var model = new LowRankRnn(options, SmcTestModels.RandomTheta(options, 21, observationScale: 0.8));
        SimulationResult run = Simulator.Run(model, new SimulationOptions { Steps = Steps, Trials = 1, Seed = 4 });
        return (model, SequenceSet.Continuous(run.Samples, Steps, options.Channels));
    }

    /// <summary>
    /// Kalman filter and Rauch–Tung–Striebel smoother of the same model: z_{t+1} = A z_t + b + Lz ε, y_t = C z_t + d + σx η,
    /// z_0 ~ N(μ0, Σ0); A and b read off the model's own transition mean (exactly linear with the identity activation).
    /// </summary>
    private static (double[][] FilterMean, double[][] FilterSd, double[][] SmoothMean, double[][] SmoothSd) Kalman(LowRankRnn model, SequenceSet data)
    {
        int r = model.Rank, x = model.Channels;
        var frozen = new FrozenModel(model);
        var build = Matrix<double>.Build;
        var vector = Vector<double>.Build;
        double[] f0 = Transition(frozen, new double[r]);
        Vector<double> b = vector.DenseOfArray(f0);
        Matrix<double> a = build.Dense(r, r);
        for (int j = 0; j < r; j++)
        {
            var e = new double[r];
            e[j] = 1;
            double[] fj = Transition(frozen, e);
            for (int i = 0; i < r; i++)
            {
                a[i, j] = fj[i] - f0[i];
            }
        }

        Matrix<double> lz = build.Dense(r, r, (i, j) => model.TransitionCholesky()[i * r + j]);
        Matrix<double> q = lz * lz.Transpose();
        Matrix<double> l0 = build.Dense(r, r, (i, j) => model.InitialCholesky()[i * r + j]);
        Matrix<double> c = build.Dense(x, r, (i, j) => model.C[i * r + j]);
        Vector<double> d = vector.DenseOfArray(model.D.ToArray());
        Matrix<double> noise = build.DenseDiagonal(x, x, i => model.ObservationVariance()[i]);

        var mF = new Vector<double>[Steps];
        var pF = new Matrix<double>[Steps];
        var mP = new Vector<double>[Steps];
        var pP = new Matrix<double>[Steps];
        Vector<double> m = vector.DenseOfArray(model.InitialMean());
        Matrix<double> p = l0 * l0.Transpose();
        for (int t = 0; t < Steps; t++)
        {
            if (t > 0)
            {
                m = a * mF[t - 1] + b;
                p = a * pF[t - 1] * a.Transpose() + q;
            }

            mP[t] = m;
            pP[t] = p;
            Vector<double> y = vector.Dense(x, i => data.Observations[t * x + i]);
            Matrix<double> s = c * p * c.Transpose() + noise;
            Matrix<double> gain = p * c.Transpose() * s.Inverse();
            mF[t] = m + gain * (y - c * m - d);
            pF[t] = p - gain * c * p;
        }

        var mS = new Vector<double>[Steps];
        var pS = new Matrix<double>[Steps];
        mS[Steps - 1] = mF[Steps - 1];
        pS[Steps - 1] = pF[Steps - 1];
        for (int t = Steps - 2; t >= 0; t--)
        {
            Matrix<double> g = pF[t] * a.Transpose() * pP[t + 1].Inverse();
            mS[t] = mF[t] + g * (mS[t + 1] - mP[t + 1]);
            pS[t] = pF[t] + g * (pS[t + 1] - pP[t + 1]) * g.Transpose();
        }

        double[][] Means(Vector<double>[] v) => [.. v.Select(e => e.ToArray())];
        double[][] Sds(Matrix<double>[] v) => [.. v.Select(e => Enumerable.Range(0, r).Select(i => Math.Sqrt(e[i, i])).ToArray())];
        return (Means(mF), Sds(pF), Means(mS), Sds(pS));
    }

    private static double[] Transition(FrozenModel f, double[] z)
    {
        var next = new double[f.Rank];
        f.TransitionMean(z, [], new double[f.Units], new double[f.Units], next);
        return next;
    }

    /// <summary>Largest |particle − Kalman| over steps and coordinates, in units of the Kalman sd.</summary>
    private static double WorstError(Posterior posterior, double[][] mean, double[][] sd)
    {
        double worst = 0;
        for (int t = 0; t < Steps; t++)
        {
            for (int a = 0; a < posterior.Rank; a++)
            {
                worst = Math.Max(worst, Math.Abs(posterior.LatentsMean[t * posterior.Rank + a] - mean[t][a]) / sd[t][a]);
            }
        }

        return worst;
    }

    /// <summary>Largest relative error of the posterior sd.</summary>
    private static double WorstSdError(Posterior posterior, double[][] sd)
    {
        double worst = 0;
        for (int t = 0; t < Steps; t++)
        {
            for (int a = 0; a < posterior.Rank; a++)
            {
                worst = Math.Max(worst, Math.Abs(posterior.LatentsSd[t * posterior.Rank + a] / sd[t][a] - 1));
            }
        }

        return worst;
    }

    // The Monte-Carlo error of a weighted mean is ≈ sd/√ESS. With the optimal proposal of a linear-Gaussian model the
    // effective sample size stays above K/10 here, so an error below 5 sd/√(K/10) is a 5-standard-error bound (per
    // coordinate and step; 30 of them); the sd's relative error is ≈ 1/√(2 ESS), bounded at 5 of those.
    [Theory]
    [InlineData(Smoothing.None, 4000)]
    [InlineData(Smoothing.Marginal, 1500)]
    [InlineData(Smoothing.Conditional, 1500)]
    public void MatchesTheKalmanFilterAndSmootherWithinStandardErrors(Smoothing smoothing, int particles)
    {
        (LowRankRnn model, SequenceSet data) = LinearGaussian();
        var (filterMean, filterSd, smoothMean, smoothSd) = Kalman(model, data);
        (double[][] mean, double[][] sd) = smoothing == Smoothing.None ? (filterMean, filterSd) : (smoothMean, smoothSd);

        Posterior large = PosteriorInference.Infer(model, data, new InferenceOptions { Particles = particles, Smoothing = smoothing, Seed = 3 });
        double bound = 5 / Math.Sqrt(particles / 10.0);
        Assert.True(WorstError(large, mean, sd) < bound, $"mean error {WorstError(large, mean, sd):G3} sd ≥ {bound:G3}");
        Assert.True(WorstSdError(large, sd) < 5 / Math.Sqrt(2 * particles / 10.0), $"sd error {WorstSdError(large, sd):G3}");

        // And the error shrinks as K grows: 20 particles are visibly worse than the large run.
        Posterior small = PosteriorInference.Infer(model, data, new InferenceOptions { Particles = 20, Smoothing = smoothing, Seed = 3 });
        Assert.True(WorstError(small, mean, sd) > WorstError(large, mean, sd));

        // The smoothers' posterior differs from the filter's before the last step (else the test could not tell them apart).
        if (smoothing != Smoothing.None)
        {
            Assert.True(Math.Abs(smoothMean[0][0] - filterMean[0][0]) > 3 * bound * smoothSd[0][0]);
        }
    }

    [Fact]
    public void EvidenceSumsToTheLogLikelihoodAndRatesAreTheExpectedReadout()
    {
        (LowRankRnn model, SequenceSet data) = LinearGaussian();
        Posterior posterior = PosteriorInference.Infer(model, data, new InferenceOptions { Particles = 50, Seed = 1 });
        Assert.Equal(posterior.LogEvidence.Sum(), posterior.LogLikelihood[0], 9);
        Assert.Equal(Steps * model.Rank, posterior.LatentsMean.Length);
        Assert.Equal(Steps * model.Channels, posterior.Rates.Length);

        // Latent readout with the identity link: E[C z + d] = C E[z] + d.
        int r = model.Rank, x = model.Channels;
        for (int t = 0; t < Steps; t++)
        {
            for (int c = 0; c < x; c++)
            {
                double expected = model.D[c];
                for (int a = 0; a < r; a++)
                {
                    expected += model.C[c * r + a] * posterior.LatentsMean[t * r + a];
                }

                Assert.Equal(expected, posterior.Rates[t * x + c], 10);
            }
        }
    }

    [Fact]
    public void ResultsDoNotDependOnThreadsAndTrialsAreIndependent()
    {
        var options = new ModelOptions { Rank = 2, Units = 8, Channels = 3 };
        var model = new LowRankRnn(options, SmcTestModels.RandomTheta(options, 2));
        SequenceSet trials = SmcTestModels.RandomBatch(options, 4, 12, 9);
        Posterior one = PosteriorInference.Infer(model, trials, new InferenceOptions { Particles = 16, Smoothing = Smoothing.Marginal, Seed = 5, Threads = 1 });
        Posterior two = PosteriorInference.Infer(model, trials, new InferenceOptions { Particles = 16, Smoothing = Smoothing.Marginal, Seed = 5, Threads = 2 });
        Assert.Equal(one.LatentsMean, two.LatentsMean);
        Assert.Equal(one.LogLikelihood, two.LogLikelihood);
        Assert.Equal(4, one.LogLikelihood.Length);
        Assert.NotEqual(one.LogLikelihood[0], one.LogLikelihood[1]);
    }

    [Fact]
    public void ChannelMismatchIsAnInputError()
    {
        (LowRankRnn model, _) = LinearGaussian();
        var wrong = SequenceSet.Continuous(new double[Steps * 5], Steps, 5);
        var error = Assert.Throws<InputException>(() => PosteriorInference.Infer(model, wrong, new InferenceOptions()));
        Assert.Contains("5 channels but the model reads out 3", error.Message, StringComparison.Ordinal);
    }
}
