using System.Globalization;
using LowRank.Data;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Simulation;
using LowRank.Smc;
using static LowRank.InputException;

namespace LowRank.Inference;

/// <summary>Which posterior of the latents <see cref="PosteriorInference"/> reports.</summary>
public enum Smoothing
{
    /// <summary>Filtering: p(z_t | y_{0:t}), the particles' weighted mean and sd at each step.</summary>
    None,

    /// <summary>
    /// Conditional smoothing: K paths drawn backwards through the filtered particles (z̃_{T−1} from the last
    /// weights, then z̃_t among the z_t^k with probabilities ∝ ŵ_t^k p(z̃_{t+1} | z_t^k)); mean and sd over the paths.
    /// </summary>
    Conditional,

    /// <summary>
    /// Marginal forward-filter backward-smoother: the filtered particles reweighted to p(z_t | y_{0:T−1}),
    /// ŵ_{t|T}^k = ŵ_t^k Σ_j ŵ_{t+1|T}^j p(z_{t+1}^j | z_t^k) / Σ_l ŵ_t^l p(z_{t+1}^j | z_t^l).
    /// </summary>
    Marginal,
}

/// <summary>What <see cref="PosteriorInference.Infer"/> does.</summary>
public sealed record InferenceOptions
{
    /// <summary>K: particles of the filter.</summary>
    public int Particles { get; init; } = 128;

    /// <summary>Filtering only, or a smoother.</summary>
    public Smoothing Smoothing { get; init; } = Smoothing.None;

    /// <summary>Seed; trial i filters (and smooths) with its own stream, so results do not depend on threads.</summary>
    public long Seed { get; init; }

    /// <summary>Worker threads over trials.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Throws <see cref="InputException"/> naming a setting out of range.</summary>
    public void Validate()
    {
        InputException.RequireAtLeastOne(nameof(Particles), Particles);
        InputException.RequireAtLeastOne(nameof(Threads), Threads);
    }
}

/// <summary>
/// The posterior of a model's latents given recorded trials. Shapes: LatentsMean, LatentsSd [trials, T, R];
/// Rates [trials, T, X]; LogEvidence [trials, T]; LogLikelihood [trials].
/// </summary>
/// <param name="Trials">Trials.</param>
/// <param name="Steps">T.</param>
/// <param name="Rank">R.</param>
/// <param name="Channels">X.</param>
/// <param name="LatentsMean">Posterior mean of z_t.</param>
/// <param name="LatentsSd">Posterior sd of each latent coordinate.</param>
/// <param name="Rates">E[g(η_t)] under the posterior: the expected observation at each step.</param>
/// <param name="LogEvidence">The filter's estimate of log p(y_t | y_{0:t−1}) at each step.</param>
/// <param name="LogLikelihood">Σ_t of <paramref name="LogEvidence"/>: the estimate of log p(y_{0:T−1}).</param>
/// <param name="Proposal">The proposal the filter used.</param>
public sealed record Posterior(int Trials, int Steps, int Rank, int Channels, double[] LatentsMean, double[] LatentsSd, double[] Rates, double[] LogEvidence, double[] LogLikelihood, ProposalKind Proposal);

/// <summary>
/// Posterior inference for a fitted stochastic low-rank RNN (docs/vsmc.md, "Generation and the posterior"): the
/// particle filter of the fit (double precision, systematic resampling; the optimal proposal where the model allows
/// it, else the bootstrap) on each trial, then, when asked, a backward pass of the transition density
/// p(z_{t+1} | z_t) = N(f(z_t), Σz) over the filtered particles.
/// </summary>
public static class PosteriorInference
{
    /// <summary>The stream of the seed from which trial i takes its filter seed (stream <c>TrialStream + i</c>).</summary>
    private const long TrialStream = 5L << 48;

    /// <summary>Infers the posterior of <paramref name="model"/>'s latents for every trial of <paramref name="data"/>.</summary>
    public static Posterior Infer(LowRankRnn model, SequenceSet data, InferenceOptions options, IProgressSink? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (data.Channels != model.Channels)
        {
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"the data has {data.Channels} channels but the model reads out {model.Channels}."),
                "infer on the kind of recording the model was fitted to (the same channels, in the same order).");
        }

        if (data.Inputs != model.Inputs)
        {
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"the data has {data.Inputs} inputs but the model expects {model.Inputs}."),
                "infer on a recording with the inputs the model was fitted with.");
        }

        int trials = data.Count, steps = data.Steps, r = model.Rank, x = model.Channels, k = options.Particles;
        new MemoryBudget("the inference")
            .Doubles("the filtered particles of one trial per thread", options.Threads, steps, k, r + 2)
            .Doubles("the posterior means, sds and rates", trials, steps, 2 * r + x)
            .Check($"lower {Ref(nameof(InferenceOptions.Particles))} or {Ref(nameof(InferenceOptions.Threads))}.");

        ProposalKind proposal = ParticleFilter.InferenceProposal(model.Options);
        var filter = new VsmcOptions { Particles = k, Proposal = proposal, Resampling = ResamplingScheme.Systematic, Precision = KernelPrecision.Double, Threads = 1 };
        var frozen = new FrozenModel(model);
        var posterior = new Posterior(trials, steps, r, x, new double[trials * steps * r], new double[trials * steps * r], new double[trials * steps * x], new double[trials * steps], new double[trials], proposal);
        int done = 0;
        Parallel.For(0, trials, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, trial =>
        {
            long seed = (long)(Rng.Create(options.Seed, TrialStream + trial).NextUInt64() >> 1);
            double[] observations = data.Observations.AsSpan(trial * steps * x, steps * x).ToArray();
            double[]? inputs = data.Inputs > 0 ? data.InputValues.AsSpan(trial * steps * data.Inputs, steps * data.Inputs).ToArray() : null;
            FilterResult filtered = ParticleFilter.Run(model, filter, observations, inputs, seed);
            Summarise(frozen, filtered, options.Smoothing, Rng.Create(seed, 1), posterior, trial);
            int finished = Interlocked.Increment(ref done);
            progress?.Report(new ProgressUpdate("trials", finished, trials, ""));
        });

        return posterior;
    }

    /// <summary>Writes trial <paramref name="trial"/>'s means, sds, rates and evidence from its filter (and smoother).</summary>
    private static void Summarise(FrozenModel f, FilterResult filtered, Smoothing smoothing, Rng rng, Posterior posterior, int trial)
    {
        int steps = filtered.Steps, k = filtered.ParticleCount, r = filtered.Rank, x = f.Channels;

        filtered.LogEvidence.CopyTo(posterior.LogEvidence, trial * steps);
        posterior.LogLikelihood[trial] = filtered.LogLikelihood;

        // Weights over the particles of each step [T,K] (for the conditional smoother: counts of the drawn paths).
        double[] weights = smoothing switch
        {
            Smoothing.None => filtered.Weights,
            Smoothing.Marginal => MarginalWeights(f, filtered),
            Smoothing.Conditional => ConditionalWeights(f, filtered, rng),
            _ => throw new ArgumentOutOfRangeException(nameof(smoothing)),
        };

        Span<double> currents = new double[f.Units], rates = new double[f.Units], eta = new double[x], mean = new double[x];
        for (int t = 0; t < steps; t++)
        {
            Span<double> m = posterior.LatentsMean.AsSpan((trial * steps + t) * r, r);
            Span<double> sd = posterior.LatentsSd.AsSpan((trial * steps + t) * r, r);
            Span<double> expected = posterior.Rates.AsSpan((trial * steps + t) * x, x);
            ReadOnlySpan<double> v = f.Inputs > 0 ? filtered.Inputs.AsSpan(t * f.Inputs, f.Inputs) : [];
            for (int p = 0; p < k; p++)
            {
                double w = weights[t * k + p];
                if (w == 0)
                {
                    continue;
                }

                ReadOnlySpan<double> z = filtered.Particles.AsSpan((t * k + p) * r, r);
                for (int a = 0; a < r; a++)
                {
                    m[a] += w * z[a];
                }

                f.Activity(z, v, currents, rates);
                f.ObservationMean(z, currents, rates, eta, mean);
                for (int c = 0; c < x; c++)
                {
                    expected[c] += w * mean[c];
                }
            }

            for (int p = 0; p < k; p++)
            {
                double w = weights[t * k + p];
                ReadOnlySpan<double> z = filtered.Particles.AsSpan((t * k + p) * r, r);
                for (int a = 0; a < r; a++)
                {
                    double d = z[a] - m[a];
                    sd[a] += w * d * d;
                }
            }

            for (int a = 0; a < r; a++)
            {
                sd[a] = Math.Sqrt(sd[a]);
            }
        }
    }

    /// <summary>
    /// The transition densities between the filtered particles of consecutive steps, for the backward passes of both
    /// smoothers: Lz⁻¹ and the buffers are made once per trial, and <see cref="Fill"/> writes, for step t,
    /// logDensity[p, j] = log p(z_{t+1}^j | z_t^p) up to a constant = −½‖Lz⁻¹(z_{t+1}^j − f(z_t^p))‖² ([K(p), K(j)]).
    /// </summary>
    private sealed class TransitionDensities
    {
        private readonly FrozenModel _f;
        private readonly FilterResult _filtered;
        private readonly double[] _inverse, _currents, _rates, _next, _difference, _whitened;

        public TransitionDensities(FrozenModel f, FilterResult filtered)
        {
            int r = filtered.Rank;
            _f = f;
            _filtered = filtered;
            _inverse = new double[r * r];
            SmallMatrix.InverseLower(f.TransitionCholesky, r, _inverse);
            _currents = new double[f.Units];
            _rates = new double[f.Units];
            _next = new double[r];
            _difference = new double[r];
            _whitened = new double[r];
        }

        public void Fill(int t, double[] logDensity)
        {
            int k = _filtered.ParticleCount, r = _filtered.Rank, u = _f.Inputs;
            ReadOnlySpan<double> v = u > 0 ? _filtered.Inputs.AsSpan(t * u, u) : [];
            for (int p = 0; p < k; p++)
            {
                _f.TransitionMean(_filtered.Particles.AsSpan((t * k + p) * r, r), v, _currents, _rates, _next);
                for (int j = 0; j < k; j++)
                {
                    ReadOnlySpan<double> z = _filtered.Particles.AsSpan(((t + 1) * k + j) * r, r);
                    for (int a = 0; a < r; a++)
                    {
                        _difference[a] = z[a] - _next[a];
                    }

                    SmallMatrix.MultiplyVector(_inverse, _difference, r, _whitened);
                    double q = 0;
                    for (int a = 0; a < r; a++)
                    {
                        q += _whitened[a] * _whitened[a];
                    }

                    logDensity[p * k + j] = -0.5 * q;
                }
            }
        }
    }

    /// <summary>The marginal smoothing weights ŵ_{t|T}^k [T,K] (docs on <see cref="Smoothing.Marginal"/>).</summary>
    private static double[] MarginalWeights(FrozenModel f, FilterResult filtered)
    {
        int steps = filtered.Steps, k = filtered.ParticleCount;
        var smoothed = new double[steps * k];
        filtered.Weights.AsSpan((steps - 1) * k, k).CopyTo(smoothed.AsSpan((steps - 1) * k, k));
        var densities = new TransitionDensities(f, filtered);
        var logDensity = new double[k * k];
        var ratio = new double[k];
        for (int t = steps - 2; t >= 0; t--)
        {
            densities.Fill(t, logDensity);
            ReadOnlySpan<double> w = filtered.Weights.AsSpan(t * k, k);

            // For each z_{t+1}^j: ratio_j = ŵ_{t+1|T}^j / Σ_l ŵ_t^l p(z_{t+1}^j | z_t^l), with densities shifted by their
            // column maximum (the shift cancels in ratio_j · p). The buffer then holds the shifted densities themselves.
            for (int j = 0; j < k; j++)
            {
                double max = ColumnMax(logDensity, k, j);
                double denominator = 0;
                for (int p = 0; p < k; p++)
                {
                    double density = Math.Exp(logDensity[p * k + j] - max);
                    logDensity[p * k + j] = density;
                    denominator += w[p] * density;
                }

                ratio[j] = denominator > 0 ? smoothed[(t + 1) * k + j] / denominator : 0;
            }

            double sum = 0;
            for (int p = 0; p < k; p++)
            {
                double acc = 0;
                for (int j = 0; j < k; j++)
                {
                    acc += logDensity[p * k + j] * ratio[j];
                }

                smoothed[t * k + p] = w[p] * acc;
                sum += smoothed[t * k + p];
            }

            for (int p = 0; p < k; p++)
            {
                smoothed[t * k + p] /= sum;
            }
        }

        return smoothed;
    }

    /// <summary>
    /// K paths drawn backwards (docs on <see cref="Smoothing.Conditional"/>), returned as the fraction of paths through
    /// each particle [T,K]: their mean and sd are the paths' mean and sd.
    /// </summary>
    private static double[] ConditionalWeights(FrozenModel f, FilterResult filtered, Rng rng)
    {
        int steps = filtered.Steps, k = filtered.ParticleCount;
        var counts = new double[steps * k];
        var path = new int[k];
        for (int s = 0; s < k; s++)
        {
            path[s] = Draw(filtered.Weights.AsSpan((steps - 1) * k, k), rng);
            counts[(steps - 1) * k + path[s]] += 1.0 / k;
        }

        var densities = new TransitionDensities(f, filtered);
        var logDensity = new double[k * k];
        var probabilities = new double[k];
        for (int t = steps - 2; t >= 0; t--)
        {
            densities.Fill(t, logDensity);
            ReadOnlySpan<double> w = filtered.Weights.AsSpan(t * k, k);
            for (int s = 0; s < k; s++)
            {
                int j = path[s];
                double max = ColumnMax(logDensity, k, j);

                for (int p = 0; p < k; p++)
                {
                    probabilities[p] = w[p] * Math.Exp(logDensity[p * k + j] - max);
                }

                path[s] = Draw(probabilities, rng);
                counts[t * k + path[s]] += 1.0 / k;
            }
        }

        return counts;
    }

    /// <summary>The largest log-density of column <paramref name="j"/> of [K,K] <paramref name="logDensity"/> (over the particles of step t).</summary>
    private static double ColumnMax(double[] logDensity, int k, int j)
    {
        double max = double.NegativeInfinity;
        for (int p = 0; p < k; p++)
        {
            max = Math.Max(max, logDensity[p * k + j]);
        }

        return max;
    }

    /// <summary>An index drawn with probabilities ∝ <paramref name="weights"/> (not necessarily normalised).</summary>
    private static int Draw(ReadOnlySpan<double> weights, Rng rng)
    {
        double total = 0;
        foreach (double w in weights)
        {
            total += w;
        }

        double u = rng.NextDouble() * total, cumulative = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            cumulative += weights[i];
            if (u < cumulative)
            {
                return i;
            }
        }

        for (int i = weights.Length - 1; i >= 0; i--)
        {
            if (weights[i] > 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }
}
