using LowRank.Formats;
using LowRank.Metrics;
using LowRank.Numerics;

namespace LowRank.Tests.Decoding;

/// <summary>
/// Synthetic reach trials: K cosine-tuned Poisson units, unit k preferring φ_k = 360·k/K degrees, with the expected count
/// <c>λ_k(θ, t) = b + g·(1 + cos(θ − φ_k))/2 · p(t)</c>, p a bump in the middle of the trial (so the rates are linear in
/// cos θ and sin θ at every step) and a latent trajectory (cos θ, sin θ)·p(t) plus noise.
/// </summary>
internal static class ReachFixtures
{
    public const double Baseline = 0.5;
    public const double Gain = 3;

    /// <summary>The expected counts [T, K] of direction <paramref name="degrees"/>.</summary>
    public static double[] Rates(double degrees, int steps, int units)
    {
        var rates = new double[steps * units];
        double theta = degrees * Math.PI / 180;
        for (int t = 0; t < steps; t++)
        {
            double profile = Profile(t, steps);
            for (int k = 0; k < units; k++)
            {
                double preferred = 2 * Math.PI * k / units;
                rates[(t * units) + k] = Baseline + (Gain * (1 + Math.Cos(theta - preferred)) / 2 * profile);
            }
        }

        return rates;
    }

    /// <summary>A bump: 0.2 + exp(−((t − T/2) / (T/5))²).</summary>
    public static double Profile(int t, int steps) => 0.2 + Math.Exp(-Math.Pow((t - (steps / 2.0)) / (steps / 5.0), 2));

    /// <summary><paramref name="trialsPerCondition"/> Poisson trials of every direction of <paramref name="conditions"/>, condition by condition.</summary>
    public static ConditionTrials Trials(double[] conditions, int trialsPerCondition, int steps, int units, long seed, string source = "fixture")
    {
        (double[] counts, double[] labels) = Counts(conditions, trialsPerCondition, steps, units, seed);
        return new ConditionTrials(counts, steps, units, labels, source);
    }

    public static (double[] Counts, double[] Labels) Counts(double[] conditions, int trialsPerCondition, int steps, int units, long seed)
    {
        Rng rng = Rng.Create(seed);
        int trials = conditions.Length * trialsPerCondition;
        var counts = new double[trials * steps * units];
        var labels = new double[trials];
        for (int c = 0; c < conditions.Length; c++)
        {
            double[] rates = Rates(conditions[c], steps, units);
            for (int r = 0; r < trialsPerCondition; r++)
            {
                int s = (c * trialsPerCondition) + r;
                labels[s] = conditions[c];
                for (int i = 0; i < rates.Length; i++)
                {
                    counts[(s * rates.Length) + i] = rng.NextPoisson(rates[i]);
                }
            }
        }

        return (counts, labels);
    }

    /// <summary>Latents [S, T, R] for trials labelled <paramref name="labels"/>: (cos θ, sin θ, 0, …)·p(t) + 0.05·noise.</summary>
    public static double[] Latents(double[] labels, int steps, int rank, long seed)
    {
        Rng rng = Rng.Create(seed, 1);
        var latents = new double[labels.Length * steps * rank];
        for (int s = 0; s < labels.Length; s++)
        {
            double theta = labels[s] * Math.PI / 180;
            for (int t = 0; t < steps; t++)
            {
                for (int r = 0; r < rank; r++)
                {
                    double mean = r == 0 ? Math.Cos(theta) : r == 1 ? Math.Sin(theta) : 0;
                    latents[(((s * steps) + t) * rank) + r] = (mean * Profile(t, steps)) + (0.05 * rng.NextGaussian());
                }
            }
        }

        return latents;
    }

    /// <summary>
    /// Writes a true file (samples, rates, inputs, condition) and a generated one (samples, latents, rates, inputs, condition)
    /// as float32 npz, as <c>simulate --teacher-model</c> and <c>generate --inputs</c> do.
    /// </summary>
    public static void WriteFiles(string truthPath, string generatedPath, double[] conditions, int trueTrials = 4, int generatedTrials = 3, int steps = 20, int units = 12, int rank = 3)
    {
        (double[] trueCounts, double[] trueLabels) = Counts(conditions, trueTrials, steps, units, seed: 1);
        (double[] generatedCounts, double[] generatedLabels) = Counts(conditions, generatedTrials, steps, units, seed: 2);
        Write(truthPath, trueCounts, trueLabels, steps, units, null);
        Write(generatedPath, generatedCounts, generatedLabels, steps, units, NdArray.Create(Latents(generatedLabels, steps, rank, 3), generatedLabels.Length, steps, rank));
    }

    /// <summary>Writes samples [S, T, K], rates, inputs [S, T, 2], condition [S] and, when given, latents, as float32 npz.</summary>
    public static void Write(string path, double[] counts, double[] labels, int steps, int units, NdArray? latents)
    {
        int trials = labels.Length;
        var rates = new double[counts.Length];
        var inputs = new double[trials * steps * 2];
        for (int s = 0; s < trials; s++)
        {
            Rates(labels[s], steps, units).CopyTo(rates, s * steps * units);
            for (int t = 0; t < steps; t++)
            {
                inputs[(((s * steps) + t) * 2) + 0] = Math.Cos(labels[s] * Math.PI / 180);
                inputs[(((s * steps) + t) * 2) + 1] = Math.Sin(labels[s] * Math.PI / 180);
            }
        }

        var arrays = new List<KeyValuePair<string, NdArray>>
        {
            new("samples", NdArray.Create(counts, trials, steps, units)),
            new("rates", NdArray.Create(rates, trials, steps, units)),
            new("inputs", NdArray.Create(inputs, trials, steps, 2)),
            new("condition", NdArray.Create(labels, trials)),
        };
        if (latents is not null)
        {
            arrays.Add(new("latents", latents));
        }

        Npz.Write(path, arrays, DType.Float32);
    }
}
