using LowRank.Data;
using LowRank.Model;
using LowRank.Numerics;

namespace LowRank.Tests.Smc;

/// <summary>Random models and batches for the filter tests.</summary>
internal static class SmcTestModels
{
    /// <summary>θ from the published initialisation plus a random perturbation of every entry, so no group sits at a special value.</summary>
    public static double[] RandomTheta(ModelOptions options, long seed, double observationScale = 0.7)
    {
        LowRankRnn model = ModelInitializer.Create(options, seed);
        double[] theta = model.Theta;
        Rng rng = Rng.Create(seed, 99);
        for (int i = 0; i < theta.Length; i++)
        {
            theta[i] += 0.1 * rng.NextGaussian();
        }

        if (options.Likelihood == Likelihood.Gaussian)
        {
            Span<double> logVariance = model.Layout[ParameterNames.LogObservationVariance].Of(theta);
            for (int i = 0; i < logVariance.Length; i++)
            {
                logVariance[i] = 2 * Math.Log(observationScale) + 0.2 * rng.NextGaussian();
            }
        }

        if (options.Link == Link.Relu)
        {
            // Keep the predictors well inside η > 0: at the kink λ = 1e−10 and ln λ has curvature ~1/η², too much for differences.
            Span<double> bias = model.Layout[ParameterNames.ReadoutBias].Of(theta);
            for (int i = 0; i < bias.Length; i++)
            {
                bias[i] += 3;
            }
        }

        return theta;
    }

    /// <summary>
    /// B sequences of T steps: Gaussian observations around a smooth signal (Poisson counts with that log-rate for a
    /// Poisson model), Gaussian inputs. With <paramref name="missing"/> &gt; 0 that fraction of the entries is NaN, and
    /// so is all of step 2 of the first sequence.
    /// </summary>
    public static SequenceSet RandomBatch(ModelOptions options, int sequences, int steps, long seed, double missing = 0)
    {
        Rng rng = Rng.Create(seed, 7);
        int x = options.Channels, u = options.Inputs;
        var y = new double[sequences * steps * x];
        for (int b = 0; b < sequences; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                for (int i = 0; i < x; i++)
                {
                    double signal = 0.5 * Math.Sin(0.3 * t + i + b);
                    y[(b * steps + t) * x + i] = options.Likelihood == Likelihood.Poisson
                        ? rng.NextPoisson(Math.Exp(signal))
                        : signal + 0.3 * rng.NextGaussian();
                }
            }
        }

        if (missing > 0)
        {
            for (int i = 0; i < y.Length; i++)
            {
                if (rng.NextDouble() < missing)
                {
                    y[i] = double.NaN;
                }
            }

            y.AsSpan(2 * x, x).Fill(double.NaN);
        }

        double[]? inputs = null;
        if (u > 0)
        {
            inputs = new double[sequences * steps * u];
            rng.FillGaussian(inputs);
        }

        return new SequenceSet(sequences, steps, x, y, u, inputs);
    }
}
