using LowRank.Numerics;

namespace LowRank.Populations;

/// <summary>
/// A Gaussian mixture over D-dimensional vectors: <c>p(x) = Σ_p π_p N(x; μ_p, Σ_p)</c>, P components.
/// </summary>
/// <remarks>
/// Dimension legend: P components, D dimensions, N points. Covariances are stored row-major [D, D];
/// their Cholesky factors and log-normalisers are computed once at construction.
/// </remarks>
public sealed class GaussianMixture
{
    private readonly double[][] _cholesky; // [P][D·D] lower
    private readonly double[] _logNormaliser; // [P]: log π_p − D/2 log 2π − log det L_p

    /// <param name="weights">π [P], non-negative, summing to 1 (renormalised if off by rounding).</param>
    /// <param name="means">μ [P][D].</param>
    /// <param name="covariances">Σ [P][D·D], symmetric positive definite.</param>
    public GaussianMixture(double[] weights, double[][] means, double[][] covariances)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(covariances);
        int components = weights.Length;
        if (components < 1 || means.Length != components || covariances.Length != components)
        {
            throw new ArgumentException($"a mixture needs P ≥ 1 weights, means and covariances; got {weights.Length}, {means.Length}, {covariances.Length}.", nameof(weights));
        }

        int dimension = means[0].Length;
        double total = 0;
        foreach (double w in weights)
        {
            if (!(w >= 0))
            {
                throw new ArgumentException($"mixture weights must be non-negative, got {w}.", nameof(weights));
            }

            total += w;
        }

        if (!(Math.Abs(total - 1) < 1e-6))
        {
            throw new ArgumentException($"mixture weights must sum to 1, got {total}.", nameof(weights));
        }

        Weights = weights.Select(w => w / total).ToArray();
        Means = new double[components][];
        Covariances = new double[components][];
        _cholesky = new double[components][];
        _logNormaliser = new double[components];
        for (int p = 0; p < components; p++)
        {
            if (means[p].Length != dimension || covariances[p].Length != dimension * dimension)
            {
                throw new ArgumentException($"component {p}: mean has length {means[p].Length} and covariance {covariances[p].Length}, expected {dimension} and {dimension * dimension}.", nameof(covariances));
            }

            Means[p] = (double[])means[p].Clone();
            Covariances[p] = (double[])covariances[p].Clone();
            _cholesky[p] = SmallMatrix.Cholesky(Covariances[p], dimension);
            double logDet = 0;
            for (int d = 0; d < dimension; d++)
            {
                logDet += Math.Log(_cholesky[p][d * dimension + d]);
            }

            _logNormaliser[p] = Math.Log(Weights[p]) - 0.5 * dimension * Math.Log(2 * Math.PI) - logDet;
        }

        Dimension = dimension;
    }

    /// <summary>P.</summary>
    public int Components => Weights.Length;

    /// <summary>D.</summary>
    public int Dimension { get; }

    /// <summary>π [P].</summary>
    public double[] Weights { get; }

    /// <summary>μ [P][D].</summary>
    public double[][] Means { get; }

    /// <summary>Σ [P][D·D] row-major.</summary>
    public double[][] Covariances { get; }

    /// <summary>Lower Cholesky factor of Σ_p, row-major [D·D].</summary>
    public ReadOnlySpan<double> CholeskyOf(int component) => _cholesky[component];

    /// <summary>
    /// Writes <c>log π_p + log N(x; μ_p, Σ_p)</c> for every component into <paramref name="destination"/> [P]
    /// (−∞ for a component of weight 0). <paramref name="scratch"/> holds D values.
    /// </summary>
    public void JointLogDensities(ReadOnlySpan<double> x, Span<double> destination, Span<double> scratch)
    {
        int dimension = Dimension;
        for (int p = 0; p < Components; p++)
        {
            // z = L⁻¹ (x − μ) by forward substitution; log N = const − |z|²/2
            double[] l = _cholesky[p];
            double[] mu = Means[p];
            double squared = 0;
            for (int i = 0; i < dimension; i++)
            {
                double sum = x[i] - mu[i];
                for (int k = 0; k < i; k++)
                {
                    sum -= l[i * dimension + k] * scratch[k];
                }

                scratch[i] = sum / l[i * dimension + i];
                squared += scratch[i] * scratch[i];
            }

            destination[p] = _logNormaliser[p] - 0.5 * squared;
        }
    }

    /// <summary>log p(x).</summary>
    public double LogDensity(ReadOnlySpan<double> x)
    {
        Span<double> joint = stackalloc double[Components];
        Span<double> scratch = stackalloc double[Dimension];
        JointLogDensities(x, joint, scratch);
        return LogSumExp(joint);
    }

    /// <summary>Σ_i log p(x_i) over the rows of <paramref name="data"/> [N, D].</summary>
    public double LogLikelihood(ReadOnlySpan<double> data)
    {
        int count = CheckData(data);
        double sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += LogDensity(data.Slice(i * Dimension, Dimension));
        }

        return sum;
    }

    /// <summary>The most responsible component of each row of <paramref name="data"/> [N, D] (ties: the lower index).</summary>
    public int[] Assign(ReadOnlySpan<double> data)
    {
        int count = CheckData(data);
        var labels = new int[count];
        Span<double> joint = stackalloc double[Components];
        Span<double> scratch = stackalloc double[Dimension];
        for (int i = 0; i < count; i++)
        {
            JointLogDensities(data.Slice(i * Dimension, Dimension), joint, scratch);
            int best = 0;
            for (int p = 1; p < Components; p++)
            {
                if (joint[p] > joint[best])
                {
                    best = p;
                }
            }

            labels[i] = best;
        }

        return labels;
    }

    /// <summary>
    /// Draws <paramref name="count"/> i.i.d. points [count, D] and their component labels from <paramref name="rng"/>:
    /// a component by inverse CDF of π (a component of weight 0 is never drawn), then μ_p + L_p z, z ~ N(0, I).
    /// </summary>
    public (double[] Points, int[] Labels) Sample(Rng rng, int count)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int dimension = Dimension;
        var points = new double[count * dimension];
        var labels = new int[count];
        Span<double> z = stackalloc double[dimension];
        for (int i = 0; i < count; i++)
        {
            int p = DrawComponent(rng.NextDouble());
            labels[i] = p;
            for (int d = 0; d < dimension; d++)
            {
                z[d] = rng.NextGaussian();
            }

            double[] l = _cholesky[p];
            for (int d = 0; d < dimension; d++)
            {
                double sum = Means[p][d];
                for (int k = 0; k <= d; k++)
                {
                    sum += l[d * dimension + k] * z[k];
                }

                points[i * dimension + d] = sum;
            }
        }

        return (points, labels);
    }

    /// <summary>The component whose CDF interval holds <paramref name="uniform"/> ∈ [0, 1); rounding (Σπ &lt; 1) falls to the last non-empty one.</summary>
    internal int DrawComponent(double uniform)
    {
        double cumulative = 0;
        int last = 0;
        for (int p = 0; p < Components; p++)
        {
            if (Weights[p] <= 0)
            {
                continue;
            }

            last = p;
            cumulative += Weights[p];
            if (uniform < cumulative)
            {
                return p;
            }
        }

        return last;
    }

    /// <summary>log Σ exp(values), max-shifted; −∞ when every value is −∞.</summary>
    public static double LogSumExp(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double v in values)
        {
            max = Math.Max(max, v);
        }

        if (double.IsNegativeInfinity(max))
        {
            return double.NegativeInfinity;
        }

        double sum = 0;
        foreach (double v in values)
        {
            sum += Math.Exp(v - max);
        }

        return max + Math.Log(sum);
    }

    private int CheckData(ReadOnlySpan<double> data)
    {
        if (data.Length % Dimension != 0)
        {
            throw new ArgumentException($"data has {data.Length} values, not a multiple of D = {Dimension}.", nameof(data));
        }

        return data.Length / Dimension;
    }
}
