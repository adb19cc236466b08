namespace LowRank.Model;

/// <summary>
/// Maps raw covariance parameters ρ to a lower-triangular Cholesky factor L (Σ = L Lᵀ) and back.
/// </summary>
/// <remarks>
/// Full: ρ packs the lower triangle row by row (i = 0..R−1, j = 0..i);
/// <c>L_ii = exp(ρ_ii / 2)</c>, <c>L_ij = ρ_ij</c> for j &lt; i.
/// Diagonal: <c>L = diag(exp(ρ / 2))</c>. Scalar: <c>L = exp(ρ / 2) I</c>.
/// Variances are clamped: the log-variance ρ_ii is clamped to [ln 1e−8, ln 100] and its gradient is
/// zero outside that interval.
/// </remarks>
public static class CovarianceParameters
{
    private static readonly double LogMin = Math.Log(ModelOptions.MinVariance);
    private static readonly double LogMax = Math.Log(ModelOptions.MaxVariance);

    /// <summary>Number of raw parameters for <paramref name="shape"/> at rank <paramref name="rank"/>.</summary>
    public static int RawLength(NoiseShape shape, int rank) => shape switch
    {
        NoiseShape.Full => rank * (rank + 1) / 2,
        NoiseShape.Diagonal => rank,
        NoiseShape.Scalar => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
    };

    /// <summary>Writes the dense lower-triangular factor L [R,R] (zeros above the diagonal).</summary>
    public static void ToCholesky(NoiseShape shape, int rank, ReadOnlySpan<double> raw, Span<double> cholesky)
    {
        CheckLengths(shape, rank, raw.Length, cholesky.Length);
        cholesky.Clear();
        int k = 0;
        for (int i = 0; i < rank; i++)
        {
            switch (shape)
            {
                case NoiseShape.Full:
                    for (int j = 0; j < i; j++)
                    {
                        cholesky[i * rank + j] = raw[k++];
                    }

                    cholesky[i * rank + i] = Math.Exp(0.5 * Math.Clamp(raw[k++], LogMin, LogMax));
                    break;
                case NoiseShape.Diagonal:
                    cholesky[i * rank + i] = Math.Exp(0.5 * Math.Clamp(raw[i], LogMin, LogMax));
                    break;
                default:
                    cholesky[i * rank + i] = Math.Exp(0.5 * Math.Clamp(raw[0], LogMin, LogMax));
                    break;
            }
        }
    }

    /// <summary>
    /// Reverse pass of <see cref="ToCholesky"/>: accumulates ∂L/∂ρ into <paramref name="gRaw"/>
    /// given <paramref name="gCholesky"/> = ∂L/∂L (only the lower triangle is read).
    /// </summary>
    /// <remarks>∂L_ii/∂ρ_ii = L_ii / 2 inside the clamp, 0 outside; ∂L_ij/∂ρ_ij = 1 below the diagonal.</remarks>
    public static void ToCholeskyBackward(
        NoiseShape shape, int rank, ReadOnlySpan<double> raw, ReadOnlySpan<double> gCholesky, Span<double> gRaw)
    {
        CheckLengths(shape, rank, raw.Length, gCholesky.Length);
        int k = 0;
        for (int i = 0; i < rank; i++)
        {
            int rawIndex = shape switch
            {
                NoiseShape.Full => k + i,
                NoiseShape.Diagonal => i,
                _ => 0,
            };
            if (shape == NoiseShape.Full)
            {
                for (int j = 0; j < i; j++)
                {
                    gRaw[k + j] += gCholesky[i * rank + j];
                }

                k += i + 1;
            }

            double rho = raw[rawIndex];
            if (rho > LogMin && rho < LogMax)
            {
                gRaw[rawIndex] += gCholesky[i * rank + i] * 0.5 * Math.Exp(0.5 * rho);
            }
        }
    }

    /// <summary>
    /// Raw parameters for a given factor L (the inverse of <see cref="ToCholesky"/>); an L that the
    /// shape cannot represent (not lower-triangular, non-positive diagonal, off-diagonal entries for a
    /// diagonal shape, unequal diagonal for a scalar shape) is an <see cref="InputException"/>.
    /// </summary>
    public static void FromCholesky(NoiseShape shape, int rank, ReadOnlySpan<double> cholesky, Span<double> raw, string what)
    {
        CheckLengths(shape, rank, raw.Length, cholesky.Length);
        int k = 0;
        for (int i = 0; i < rank; i++)
        {
            for (int j = 0; j < rank; j++)
            {
                double v = cholesky[i * rank + j];
                bool offDiagonalAllowed = shape == NoiseShape.Full && j < i;
                if (j != i && !offDiagonalAllowed && v != 0)
                {
                    throw new InputException(
                        $"{what}[{i},{j}] = {v} but a {ModelNames.Of(shape)} covariance factor must be zero there.",
                        "store a lower-triangular factor (diagonal for diagonal/scalar noise), or change the noise shape in model.json.");
                }
            }

            double diagonal = cholesky[i * rank + i];
            if (!(diagonal > 0))
            {
                throw new InputException(
                    $"{what}[{i},{i}] = {diagonal} but a Cholesky factor needs a positive diagonal.",
                    "store a factor with positive diagonal entries.");
            }

            if (shape == NoiseShape.Scalar && diagonal != cholesky[0])
            {
                throw new InputException(
                    $"{what} has unequal diagonal entries ({cholesky[0]} and {diagonal}) but the noise is scalar.",
                    "set the noise shape to diagonal in model.json, or store equal entries.");
            }

            double logVariance = 2 * Math.Log(diagonal);
            switch (shape)
            {
                case NoiseShape.Full:
                    for (int j = 0; j < i; j++)
                    {
                        raw[k++] = cholesky[i * rank + j];
                    }

                    raw[k++] = logVariance;
                    break;
                case NoiseShape.Diagonal:
                    raw[i] = logVariance;
                    break;
                default:
                    raw[0] = logVariance;
                    break;
            }
        }
    }

    /// <summary>Raw parameters for Σ = s² I.</summary>
    public static void FromScale(NoiseShape shape, int rank, double scale, Span<double> raw)
    {
        Span<double> cholesky = stackalloc double[rank * rank];
        for (int i = 0; i < rank; i++)
        {
            cholesky[i * rank + i] = scale;
        }

        FromCholesky(shape, rank, cholesky, raw, "scale");
    }

    private static void CheckLengths(NoiseShape shape, int rank, int rawLength, int choleskyLength)
    {
        if (rawLength != RawLength(shape, rank))
        {
            throw new ArgumentException($"expected {RawLength(shape, rank)} raw parameters for {shape} at rank {rank}, got {rawLength}.", nameof(rawLength));
        }

        if (choleskyLength != rank * rank)
        {
            throw new ArgumentException($"expected an R×R = {rank * rank} factor, got {choleskyLength}.", nameof(choleskyLength));
        }
    }
}
