using MathNet.Numerics.LinearAlgebra;

namespace LowRank.Decoding;

/// <summary>
/// A linear decoder of several outputs from standardised features with an intercept, fitted in closed form with a
/// ridge penalty (docs/decoding.md).
/// </summary>
/// <remarks>
/// Dimensions: T steps (rows), F features, B outputs. On the training rows each feature is standardised,
/// z_tf = (x_tf − μ_f) / s_f with its mean μ_f and population standard deviation s_f (a constant feature, sd below 1e-12·|μ_f|,
/// keeps s_f = 1, so its z is 0 and its weight 0). The decoder minimises
/// <code>(1/T) Σ_t ‖y_t − b − Wᵀ z_t‖² + λ ‖W‖²_F</code>
/// whose solution is b = ȳ and <c>(ZᵀZ + λ T I) W = Zᵀ (Y − ȳ)</c>, solved by Cholesky (the matrix is positive
/// definite for λ &gt; 0). Since every standardised feature has unit variance, λ is the penalty relative to the
/// feature variance: λ = 1e-3 shrinks a well-determined weight by about 0.1 %.
/// </remarks>
public sealed class RidgeDecoder
{
    private readonly double[] _mean;      // [F]
    private readonly double[] _scale;     // [F]
    private readonly double[] _weights;   // [F, B] on the standardised features
    private readonly double[] _intercept; // [B]

    private RidgeDecoder(double[] mean, double[] scale, double[] weights, double[] intercept)
    {
        _mean = mean;
        _scale = scale;
        _weights = weights;
        _intercept = intercept;
    }

    /// <summary>Features F the decoder reads.</summary>
    public int Features => _mean.Length;

    /// <summary>Outputs B the decoder predicts.</summary>
    public int Outputs => _intercept.Length;

    /// <summary>Weights W [F, B] on the standardised features.</summary>
    public IReadOnlyList<double> StandardisedWeights => _weights;

    /// <summary>The intercept b = ȳ [B] (the mean of each output over the training rows).</summary>
    public IReadOnlyList<double> Intercept => _intercept;

    /// <summary>Fits the decoder to <paramref name="features"/> [T, F] and <paramref name="targets"/> [T, B] (row-major).</summary>
    /// <param name="features">Training features [T, F].</param>
    /// <param name="featureCount">F.</param>
    /// <param name="targets">Training targets [T, B].</param>
    /// <param name="outputs">B.</param>
    /// <param name="ridge">λ &gt; 0, relative to the unit variance of the standardised features.</param>
    public static RidgeDecoder Fit(ReadOnlySpan<double> features, int featureCount, ReadOnlySpan<double> targets, int outputs, double ridge)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        if (!(ridge > 0 && double.IsFinite(ridge)))
        {
            throw new ArgumentOutOfRangeException(nameof(ridge), ridge, "the ridge penalty must be positive and finite.");
        }

        int steps = features.Length / featureCount;
        if (steps < 1 || features.Length != steps * featureCount || targets.Length != steps * outputs)
        {
            throw new ArgumentException(
                $"features hold {features.Length} values for {featureCount} features and targets {targets.Length} for {outputs} outputs; expected [T, {featureCount}] and [T, {outputs}] with the same T ≥ 1.",
                nameof(targets));
        }

        // Standardise each feature with its training mean and population sd.
        var mean = new double[featureCount];
        var scale = new double[featureCount];
        ColumnMoments(features, featureCount, mean, scale);
        Matrix<double> z = Matrix<double>.Build.Dense(steps, featureCount);
        for (int t = 0; t < steps; t++)
        {
            for (int f = 0; f < featureCount; f++)
            {
                z[t, f] = (features[(t * featureCount) + f] - mean[f]) / scale[f];
            }
        }

        // b = ȳ; centre the targets.
        var intercept = new double[outputs];
        var unusedScale = new double[outputs];
        ColumnMoments(targets, outputs, intercept, unusedScale);
        Matrix<double> y = Matrix<double>.Build.Dense(steps, outputs);
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < outputs; b++)
            {
                y[t, b] = targets[(t * outputs) + b] - intercept[b];
            }
        }

        // (ZᵀZ + λ T I) W = Zᵀ (Y − ȳ).
        Matrix<double> gram = z.TransposeThisAndMultiply(z);
        for (int f = 0; f < featureCount; f++)
        {
            gram[f, f] += ridge * steps;
        }

        Matrix<double> w = gram.Cholesky().Solve(z.TransposeThisAndMultiply(y)); // [F, B]
        var weights = new double[featureCount * outputs];
        for (int f = 0; f < featureCount; f++)
        {
            for (int b = 0; b < outputs; b++)
            {
                weights[(f * outputs) + b] = w[f, b];
            }
        }

        return new RidgeDecoder(mean, scale, weights, intercept);
    }

    /// <summary>Writes ŷ_t = b + Wᵀ z_t [T, B] for <paramref name="features"/> [T, F] into <paramref name="destination"/>.</summary>
    public void Predict(ReadOnlySpan<double> features, Span<double> destination)
    {
        int featureCount = Features, outputs = Outputs;
        int steps = features.Length / featureCount;
        if (features.Length != steps * featureCount || destination.Length != steps * outputs)
        {
            throw new ArgumentException(
                $"features hold {features.Length} values and the destination {destination.Length}; expected [T, {featureCount}] and [T, {outputs}].",
                nameof(destination));
        }

        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<double> row = features.Slice(t * featureCount, featureCount);
            Span<double> prediction = destination.Slice(t * outputs, outputs);
            _intercept.CopyTo(prediction);
            for (int f = 0; f < featureCount; f++)
            {
                double zf = (row[f] - _mean[f]) / _scale[f];
                ReadOnlySpan<double> weightRow = _weights.AsSpan(f * outputs, outputs);
                for (int b = 0; b < outputs; b++)
                {
                    prediction[b] += zf * weightRow[b];
                }
            }
        }
    }

    /// <summary>Predictions [T, B] for <paramref name="features"/> [T, F].</summary>
    public double[] Predict(ReadOnlySpan<double> features)
    {
        var destination = new double[features.Length / Features * Outputs];
        Predict(features, destination);
        return destination;
    }

    /// <summary>
    /// Column means and population standard deviations of <paramref name="values"/> [T, C]; a constant column (sd 0,
    /// or below 1e-12 of its |mean|) gets sd 1.
    /// </summary>
    internal static void ColumnMoments(ReadOnlySpan<double> values, int columns, Span<double> mean, Span<double> sd)
    {
        int steps = values.Length / columns;
        mean.Clear();
        sd.Clear();
        for (int t = 0; t < steps; t++)
        {
            for (int c = 0; c < columns; c++)
            {
                mean[c] += values[(t * columns) + c];
            }
        }

        for (int c = 0; c < columns; c++)
        {
            mean[c] /= steps;
        }

        for (int t = 0; t < steps; t++)
        {
            for (int c = 0; c < columns; c++)
            {
                double d = values[(t * columns) + c] - mean[c];
                sd[c] += d * d;
            }
        }

        for (int c = 0; c < columns; c++)
        {
            // Rounding leaves a constant column a spread of ~1e-17·|mean|: below 1e-12·|mean| counts as constant.
            double s = Math.Sqrt(sd[c] / steps);
            sd[c] = s > 1e-12 * Math.Abs(mean[c]) && s > 0 ? s : 1.0;
        }
    }
}
