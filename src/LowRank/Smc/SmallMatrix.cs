namespace LowRank.Smc;

/// <summary>
/// R×R (and R-vector) algebra on row-major spans for the per-iteration and per-particle pieces of the
/// filter, with the reverse passes the objective needs. Sizes are tiny (R ≤ ~10): plain loops.
/// </summary>
internal static class SmallMatrix
{
    /// <summary>Inverse of a lower-triangular matrix (lower-triangular result).</summary>
    public static void InverseLower(ReadOnlySpan<double> l, int n, Span<double> inverse)
    {
        inverse.Clear();
        for (int j = 0; j < n; j++)
        {
            inverse[j * n + j] = 1 / l[j * n + j];
            for (int i = j + 1; i < n; i++)
            {
                double sum = 0;
                for (int k = j; k < i; k++)
                {
                    sum -= l[i * n + k] * inverse[k * n + j];
                }

                inverse[i * n + j] = sum / l[i * n + i];
            }
        }
    }

    /// <summary><c>result = Aᵀ A</c> for A [n,n] (e.g. (L⁻¹)ᵀ L⁻¹ = (L Lᵀ)⁻¹).</summary>
    public static void TransposeTimesSelf(ReadOnlySpan<double> a, int n, Span<double> result)
    {
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++)
                {
                    sum += a[k * n + i] * a[k * n + j];
                }

                result[i * n + j] = sum;
            }
        }
    }

    /// <summary><c>result = A Aᵀ</c>.</summary>
    public static void SelfTimesTranspose(ReadOnlySpan<double> a, int n, Span<double> result)
    {
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++)
                {
                    sum += a[i * n + k] * a[j * n + k];
                }

                result[i * n + j] = sum;
            }
        }
    }

    /// <summary><c>result = A B</c>, all [n,n]; result must not alias.</summary>
    public static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int n, Span<double> result)
    {
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++)
                {
                    sum += a[i * n + k] * b[k * n + j];
                }

                result[i * n + j] = sum;
            }
        }
    }

    /// <summary><c>result = A B C</c>, all [n,n]; uses <paramref name="scratch"/> [n,n].</summary>
    public static void Multiply3(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c, int n, Span<double> scratch, Span<double> result)
    {
        Multiply(a, b, n, scratch);
        Multiply(scratch, c, n, result);
    }

    /// <summary>Sum of log of the diagonal.</summary>
    public static double LogDiagonalSum(ReadOnlySpan<double> l, int n)
    {
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += Math.Log(l[i * n + i]);
        }

        return sum;
    }

    /// <summary><c>y = A x</c> for A [n,n].</summary>
    public static void MultiplyVector(ReadOnlySpan<double> a, ReadOnlySpan<double> x, int n, Span<double> y)
    {
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int k = 0; k < n; k++)
            {
                sum += a[i * n + k] * x[k];
            }

            y[i] = sum;
        }
    }

    /// <summary>
    /// Reverse pass of the Cholesky factorisation <c>L = chol(A)</c>: the symmetric gradient
    /// <c>Ā = sym(L⁻ᵀ Φ(Lᵀ L̄) L⁻¹)</c>, Φ = lower triangle with halved diagonal. Adds into <paramref name="gA"/>.
    /// </summary>
    public static void CholeskyBackward(ReadOnlySpan<double> l, ReadOnlySpan<double> gL, int n, Span<double> gA)
    {
        Span<double> phi = stackalloc double[n * n];
        Span<double> inverse = stackalloc double[n * n];
        Span<double> scratch = stackalloc double[n * n];
        Span<double> result = stackalloc double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                if (j <= i)
                {
                    for (int k = i; k < n; k++)
                    {
                        sum += l[k * n + i] * gL[k * n + j];
                    }
                }

                phi[i * n + j] = i == j ? 0.5 * sum : sum;
            }
        }

        InverseLower(l, n, inverse);

        // result = L⁻ᵀ Φ L⁻¹
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++)
                {
                    sum += inverse[k * n + i] * phi[k * n + j];
                }

                scratch[i * n + j] = sum;
            }
        }

        Multiply(scratch, inverse, n, result);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                gA[i * n + j] += 0.5 * (result[i * n + j] + result[j * n + i]);
            }
        }
    }
}
