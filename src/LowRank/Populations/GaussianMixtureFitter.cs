using LowRank.Numerics;
using static LowRank.InputException;

namespace LowRank.Populations;

/// <summary>Options of <see cref="GaussianMixtureFitter.Fit"/>.</summary>
/// <param name="Components">P.</param>
/// <param name="Restarts">Independent k-means++ initialisations; the one with the highest log-likelihood wins.</param>
/// <param name="MaxIterations">EM iterations per restart.</param>
/// <param name="Tolerance">Stop when the mean log-likelihood per point improves by less than this.</param>
/// <param name="Ridge">Added to every covariance diagonal, relative to the data's mean per-dimension variance.</param>
/// <param name="Seed">Restart r draws from <c>Rng.Create(Seed, r)</c>.</param>
/// <param name="Threads">Restarts run in parallel; the result does not depend on it.</param>
public sealed record MixtureFitOptions(
    int Components,
    int Restarts = 8,
    int MaxIterations = 500,
    double Tolerance = 1e-8,
    double Ridge = 1e-6,
    long Seed = 0,
    int Threads = 1);

/// <summary>A fitted mixture: components sorted by decreasing weight.</summary>
/// <param name="Mixture">The fitted mixture.</param>
/// <param name="LogLikelihood">Σ_i log p(x_i).</param>
/// <param name="Bic">−2 log L + k log N with k = <see cref="GaussianMixtureFitter.ParameterCount"/>.</param>
/// <param name="Iterations">EM iterations of the winning restart.</param>
/// <param name="Restart">Index of the winning restart.</param>
/// <param name="Converged">Whether the winning restart met the tolerance before MaxIterations.</param>
public sealed record MixtureFit(GaussianMixture Mixture, double LogLikelihood, double Bic, int Iterations, int Restart, bool Converged);

/// <summary>BIC model selection: one fit per P = 1 … P_max and the chosen one.</summary>
public sealed record MixtureSelection(IReadOnlyList<MixtureFit> Fits, MixtureFit Best);

/// <summary>
/// Maximum-likelihood Gaussian mixtures with full covariances by expectation–maximisation.
/// </summary>
/// <remarks>
/// Dimension legend: N points, D dimensions, P components. Data are row-major [N, D].
/// <code>
/// E:  log r_ip = log π_p + log N(x_i; μ_p, Σ_p) − logsumexp_q(…)        (log space, max-shifted)
/// M:  N_p = Σ_i r_ip;  π_p = N_p / N;  μ_p = Σ_i r_ip x_i / N_p
///     Σ_p = Σ_i r_ip (x_i − μ_p)(x_i − μ_p)ᵀ / N_p + ε s̄ I,   s̄ = mean per-dimension data variance
/// </code>
/// Initialisation: k-means++ seeding on the per-dimension standardised data (first centre uniform, then
/// each next centre with probability ∝ squared distance to the nearest chosen one), hard assignment to
/// the nearest centre, one M step. Restarts are independent and deterministic per stream.
/// </remarks>
public static class GaussianMixtureFitter
{
    /// <summary>Free parameters of a P-component full-covariance mixture in D dimensions.</summary>
    public static int ParameterCount(int components, int dimension) =>
        (components - 1) + components * dimension + components * dimension * (dimension + 1) / 2;

    /// <summary>Fits a P-component mixture to <paramref name="data"/> [N, D].</summary>
    public static MixtureFit Fit(double[] data, int dimension, MixtureFitOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        int count = CheckShape(data, dimension);
        if (options.Components < 1 || options.Components > count)
        {
            throw new InputException(
                $"cannot fit {options.Components} components to {count} points.",
                $"pass {Ref("Components")} between 1 and the number of units.");
        }

        if (options.Restarts < 1 || options.MaxIterations < 1 || !(options.Tolerance >= 0) || !(options.Ridge > 0))
        {
            throw new ArgumentException($"invalid mixture options {options}.", nameof(options));
        }

        double ridge = options.Ridge * MeanVariance(data, count, dimension);
        var fits = new MixtureFit[options.Restarts];
        Parallel.For(
            0,
            options.Restarts,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads) },
            r => fits[r] = FitOnce(data, count, dimension, options, ridge, r));
        MixtureFit best = fits[0];
        foreach (MixtureFit fit in fits)
        {
            if (fit.LogLikelihood > best.LogLikelihood)
            {
                best = fit;
            }
        }

        return best;
    }

    /// <summary>Fits P = 1 … <paramref name="maxComponents"/> and keeps the lowest BIC (ties: fewer components).</summary>
    public static MixtureSelection FitAuto(double[] data, int dimension, int maxComponents, MixtureFitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int count = CheckShape(data, dimension);
        int limit = Math.Min(maxComponents, count);
        if (limit < 1)
        {
            throw new InputException($"cannot choose among 1…{maxComponents} components for {count} points.", $"pass {Ref("MaxComponents")} of at least 1.");
        }

        var fits = new List<MixtureFit>();
        MixtureFit? best = null;
        for (int p = 1; p <= limit; p++)
        {
            MixtureFit fit = Fit(data, dimension, options with { Components = p });
            fits.Add(fit);
            if (best is null || fit.Bic < best.Bic)
            {
                best = fit;
            }
        }

        return new MixtureSelection(fits, best!);
    }

    private static MixtureFit FitOnce(double[] data, int count, int dimension, MixtureFitOptions options, double ridge, int restart)
    {
        int components = options.Components;
        Rng rng = Rng.Create(options.Seed, restart);
        var responsibilities = new double[count * components]; // [N, P]
        int[] nearest = KMeansPlusPlus(data, count, dimension, components, rng);
        for (int i = 0; i < count; i++)
        {
            responsibilities[i * components + nearest[i]] = 1;
        }

        GaussianMixture mixture = MaximisationStep(data, count, dimension, components, responsibilities, ridge);
        double previous = double.NegativeInfinity;
        double logLikelihood = double.NegativeInfinity;
        int iteration = 0;
        bool converged = false;
        while (iteration < options.MaxIterations)
        {
            iteration++;
            logLikelihood = ExpectationStep(mixture, data, count, responsibilities);
            if (logLikelihood - previous < options.Tolerance * count && iteration > 1)
            {
                converged = true;
                break;
            }

            previous = logLikelihood;
            mixture = MaximisationStep(data, count, dimension, components, responsibilities, ridge);
        }

        if (!converged)
        {
            logLikelihood = mixture.LogLikelihood(data);
        }

        mixture = Sorted(mixture);
        double bic = -2 * logLikelihood + ParameterCount(components, dimension) * Math.Log(count);
        return new MixtureFit(mixture, logLikelihood, bic, iteration, restart, converged);
    }

    /// <summary>Writes normalised responsibilities [N, P] and returns Σ_i log p(x_i).</summary>
    internal static double ExpectationStep(GaussianMixture mixture, double[] data, int count, double[] responsibilities)
    {
        int components = mixture.Components;
        int dimension = mixture.Dimension;
        Span<double> scratch = stackalloc double[dimension];
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            Span<double> row = responsibilities.AsSpan(i * components, components);
            mixture.JointLogDensities(data.AsSpan(i * dimension, dimension), row, scratch);
            double logNormaliser = GaussianMixture.LogSumExp(row);
            total += logNormaliser;
            for (int p = 0; p < components; p++)
            {
                row[p] = Math.Exp(row[p] - logNormaliser);
            }
        }

        return total;
    }

    internal static GaussianMixture MaximisationStep(double[] data, int count, int dimension, int components, double[] responsibilities, double ridge)
    {
        var weights = new double[components];
        var means = new double[components][];
        var covariances = new double[components][];
        for (int p = 0; p < components; p++)
        {
            double mass = 0;
            var mean = new double[dimension];
            for (int i = 0; i < count; i++)
            {
                double r = responsibilities[i * components + p];
                mass += r;
                for (int d = 0; d < dimension; d++)
                {
                    mean[d] += r * data[i * dimension + d];
                }
            }

            // an empty component keeps a tiny mass so its mean and covariance stay defined
            double safeMass = Math.Max(mass, 1e-300);
            for (int d = 0; d < dimension; d++)
            {
                mean[d] /= safeMass;
            }

            var covariance = new double[dimension * dimension];
            for (int i = 0; i < count; i++)
            {
                double r = responsibilities[i * components + p];
                if (r == 0)
                {
                    continue;
                }

                for (int a = 0; a < dimension; a++)
                {
                    double da = data[i * dimension + a] - mean[a];
                    for (int b = 0; b <= a; b++)
                    {
                        covariance[a * dimension + b] += r * da * (data[i * dimension + b] - mean[b]);
                    }
                }
            }

            for (int a = 0; a < dimension; a++)
            {
                for (int b = 0; b <= a; b++)
                {
                    double value = covariance[a * dimension + b] / safeMass;
                    covariance[a * dimension + b] = value;
                    covariance[b * dimension + a] = value;
                }

                covariance[a * dimension + a] += ridge;
            }

            weights[p] = mass / count;
            means[p] = mean;
            covariances[p] = covariance;
        }

        return new GaussianMixture(weights, means, covariances);
    }

    /// <summary>k-means++ seeding on standardised data, then the nearest centre of every point.</summary>
    internal static int[] KMeansPlusPlus(double[] data, int count, int dimension, int components, Rng rng)
    {
        double[] variances = ColumnVariances(data, count, dimension);
        var scale = new double[dimension];
        for (int d = 0; d < dimension; d++)
        {
            scale[d] = variances[d] > 0 ? 1 / Math.Sqrt(variances[d]) : 1;
        }

        double Distance(int i, int j)
        {
            double sum = 0;
            for (int d = 0; d < dimension; d++)
            {
                double v = (data[i * dimension + d] - data[j * dimension + d]) * scale[d];
                sum += v * v;
            }

            return sum;
        }

        var centres = new int[components];
        var nearest = new int[count];
        var distance = new double[count];
        centres[0] = rng.NextInt(count);
        for (int i = 0; i < count; i++)
        {
            distance[i] = Distance(i, centres[0]);
        }

        for (int c = 1; c < components; c++)
        {
            double total = 0;
            foreach (double v in distance)
            {
                total += v;
            }

            int chosen;
            if (total > 0)
            {
                double target = rng.NextDouble() * total;
                chosen = count - 1;
                double cumulative = 0;
                for (int i = 0; i < count; i++)
                {
                    cumulative += distance[i];
                    if (target < cumulative && distance[i] > 0)
                    {
                        chosen = i;
                        break;
                    }
                }
            }
            else
            {
                chosen = rng.NextInt(count); // every point coincides with a centre
            }

            centres[c] = chosen;
            for (int i = 0; i < count; i++)
            {
                double v = Distance(i, chosen);
                if (v < distance[i])
                {
                    distance[i] = v;
                    nearest[i] = c;
                }
            }
        }

        return nearest;
    }

    /// <summary>The same mixture with components sorted by decreasing weight (ties: lexicographic means).</summary>
    internal static GaussianMixture Sorted(GaussianMixture mixture)
    {
        int[] order = Enumerable.Range(0, mixture.Components).ToArray();
        Array.Sort(order, (a, b) =>
        {
            int byWeight = mixture.Weights[b].CompareTo(mixture.Weights[a]);
            if (byWeight != 0)
            {
                return byWeight;
            }

            for (int d = 0; d < mixture.Dimension; d++)
            {
                int byMean = mixture.Means[a][d].CompareTo(mixture.Means[b][d]);
                if (byMean != 0)
                {
                    return byMean;
                }
            }

            return a.CompareTo(b);
        });
        return new GaussianMixture(
            order.Select(p => mixture.Weights[p]).ToArray(),
            order.Select(p => mixture.Means[p]).ToArray(),
            order.Select(p => mixture.Covariances[p]).ToArray());
    }

    private static double MeanVariance(double[] data, int count, int dimension)
    {
        double result = ColumnVariances(data, count, dimension).Average();
        return result > 0 ? result : 1.0;
    }

    /// <summary>Population variance of each of the D columns of <paramref name="data"/> [count, D].</summary>
    private static double[] ColumnVariances(double[] data, int count, int dimension)
    {
        var variances = new double[dimension];
        for (int d = 0; d < dimension; d++)
        {
            double mean = 0;
            for (int i = 0; i < count; i++)
            {
                mean += data[i * dimension + d];
            }

            mean /= count;
            double variance = 0;
            for (int i = 0; i < count; i++)
            {
                double v = data[i * dimension + d] - mean;
                variance += v * v;
            }

            variances[d] = variance / count;
        }

        return variances;
    }

    private static int CheckShape(double[] data, int dimension)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (dimension < 1 || data.Length % dimension != 0 || data.Length == 0)
        {
            throw new ArgumentException($"data has {data.Length} values, not a positive multiple of D = {dimension}.", nameof(data));
        }

        return data.Length / dimension;
    }
}
