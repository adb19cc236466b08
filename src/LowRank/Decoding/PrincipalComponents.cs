using MathNet.Numerics.LinearAlgebra;

namespace LowRank.Decoding;

/// <summary>
/// The leading principal components of a [T, N] series, fitted on some rows and applied to any (docs/decoding.md).
/// </summary>
/// <remarks>
/// Dimensions: T steps, N channels, R components. With the fitting rows' mean μ [N] and covariance
/// <c>C = (1/T) Σ_t (x_t − μ)(x_t − μ)ᵀ</c> (centred, not scaled), the components v_1 … v_R are the eigenvectors of C
/// with the R largest eigenvalues, in decreasing order, each signed so that its entry of largest magnitude is
/// positive; the projection of a step is <c>p_tr = v_rᵀ (x_t − μ)</c>.
/// </remarks>
public sealed class PrincipalComponents
{
    private readonly double[] _mean;       // [N]
    private readonly double[] _components; // [R, N]

    private PrincipalComponents(double[] mean, double[] components, double[] variances, double totalVariance)
    {
        _mean = mean;
        _components = components;
        Variances = variances;
        TotalVariance = totalVariance;
    }

    /// <summary>Channels N.</summary>
    public int Channels => _mean.Length;

    /// <summary>Components R.</summary>
    public int Count => Variances.Count;

    /// <summary>The variance along each component (the eigenvalues of C) [R], decreasing.</summary>
    public IReadOnlyList<double> Variances { get; }

    /// <summary>tr C, the total variance of the fitting rows.</summary>
    public double TotalVariance { get; }

    /// <summary>The fraction of the total variance the R components explain (0 when the rows are constant).</summary>
    public double ExplainedFraction => TotalVariance > 0 ? Variances.Sum() / TotalVariance : 0;

    /// <summary>Component r as a unit vector [N].</summary>
    public ReadOnlySpan<double> Component(int r) => _components.AsSpan(r * Channels, Channels);

    /// <summary>Fits the leading <paramref name="count"/> components to the rows of <paramref name="values"/> [T, N].</summary>
    public static PrincipalComponents Fit(ReadOnlySpan<double> values, int channels, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, channels);
        int steps = values.Length / channels;
        if (steps < 1 || values.Length != steps * channels)
        {
            throw new ArgumentException($"values hold {values.Length} numbers, not [T, {channels}] with T ≥ 1.", nameof(values));
        }

        // μ, then C = (1/T) Σ (x − μ)(x − μ)ᵀ.
        var mean = new double[channels];
        for (int t = 0; t < steps; t++)
        {
            for (int n = 0; n < channels; n++)
            {
                mean[n] += values[(t * channels) + n];
            }
        }

        for (int n = 0; n < channels; n++)
        {
            mean[n] /= steps;
        }

        Matrix<double> centred = Matrix<double>.Build.Dense(steps, channels);
        for (int t = 0; t < steps; t++)
        {
            for (int n = 0; n < channels; n++)
            {
                centred[t, n] = values[(t * channels) + n] - mean[n];
            }
        }

        Matrix<double> covariance = centred.TransposeThisAndMultiply(centred) / steps;

        // Eigenvectors of the symmetric C, largest eigenvalues first, signs fixed.
        var evd = covariance.Evd(Symmetricity.Symmetric);
        double[] eigenvalues = [.. evd.EigenValues.Select(v => v.Real)];
        int[] order = [.. Enumerable.Range(0, channels).OrderByDescending(i => eigenvalues[i]).ThenBy(i => i)];
        var components = new double[count * channels];
        var variances = new double[count];
        for (int r = 0; r < count; r++)
        {
            int source = order[r];
            variances[r] = Math.Max(0, eigenvalues[source]);
            int largest = 0;
            for (int n = 1; n < channels; n++)
            {
                if (Math.Abs(evd.EigenVectors[n, source]) > Math.Abs(evd.EigenVectors[largest, source]))
                {
                    largest = n;
                }
            }

            double sign = evd.EigenVectors[largest, source] < 0 ? -1 : 1;
            for (int n = 0; n < channels; n++)
            {
                components[(r * channels) + n] = sign * evd.EigenVectors[n, source];
            }
        }

        return new PrincipalComponents(mean, components, variances, covariance.Trace());
    }

    /// <summary>Writes the projections p [T, R] of <paramref name="values"/> [T, N] into <paramref name="destination"/>.</summary>
    public void Project(ReadOnlySpan<double> values, Span<double> destination)
    {
        int channels = Channels, count = Count;
        int steps = values.Length / channels;
        if (values.Length != steps * channels || destination.Length != steps * count)
        {
            throw new ArgumentException(
                $"values hold {values.Length} numbers and the destination {destination.Length}; expected [T, {channels}] and [T, {count}].",
                nameof(destination));
        }

        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<double> row = values.Slice(t * channels, channels);
            for (int r = 0; r < count; r++)
            {
                ReadOnlySpan<double> component = Component(r);
                double sum = 0;
                for (int n = 0; n < channels; n++)
                {
                    sum += component[n] * (row[n] - _mean[n]);
                }

                destination[(t * count) + r] = sum;
            }
        }
    }

    /// <summary>The projections [T, R] of <paramref name="values"/> [T, N].</summary>
    public double[] Project(ReadOnlySpan<double> values)
    {
        var destination = new double[values.Length / Channels * Count];
        Project(values, destination);
        return destination;
    }
}
