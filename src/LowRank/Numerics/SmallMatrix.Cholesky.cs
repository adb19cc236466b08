namespace LowRank.Numerics;

internal static partial class SmallMatrix
{
    /// <summary>Cholesky factor L (lower, row-major) of a symmetric positive-definite matrix, allocated; throws if not SPD.</summary>
    public static double[] Cholesky(ReadOnlySpan<double> matrix, int size)
    {
        var l = new double[size * size];
        if (!TryCholesky(matrix, size, l))
        {
            throw new ArgumentException("matrix is not positive definite.", nameof(matrix));
        }

        return l;
    }

    /// <summary>Writes the lower Cholesky factor of an SPD matrix into <paramref name="l"/>; false if a pivot is not positive.</summary>
    public static bool TryCholesky(ReadOnlySpan<double> a, int n, Span<double> l)
    {
        l.Clear();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i * n + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[i * n + k] * l[j * n + k];
                }

                if (i == j)
                {
                    if (!(sum > 0))
                    {
                        return false;
                    }

                    l[i * n + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i * n + j] = sum / l[j * n + j];
                }
            }
        }

        return true;
    }

    /// <summary>Solves (L Lᵀ) x = b in place.</summary>
    public static void SolveCholesky(ReadOnlySpan<double> l, int size, Span<double> b)
    {
        for (int i = 0; i < size; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++)
            {
                sum -= l[i * size + k] * b[k];
            }

            b[i] = sum / l[i * size + i];
        }

        for (int i = size - 1; i >= 0; i--)
        {
            double sum = b[i];
            for (int k = i + 1; k < size; k++)
            {
                sum -= l[k * size + i] * b[k];
            }

            b[i] = sum / l[i * size + i];
        }
    }

    /// <summary>
    /// <c>inverse = A⁻¹</c> for a symmetric positive-definite A [n,n], column by column through its Cholesky factor
    /// (written into <paramref name="factor"/>); false when A is not positive definite.
    /// </summary>
    public static bool TryInverseSymmetricPositiveDefinite(ReadOnlySpan<double> matrix, int size, Span<double> factor, Span<double> inverse)
    {
        if (!TryCholesky(matrix, size, factor))
        {
            return false;
        }

        Span<double> column = size <= 64 ? stackalloc double[size] : new double[size];
        for (int c = 0; c < size; c++)
        {
            column.Clear();
            column[c] = 1;
            SolveCholesky(factor, size, column);
            for (int r = 0; r < size; r++)
            {
                inverse[r * size + c] = column[r];
            }
        }

        return true;
    }

    /// <summary>A⁻¹ of a symmetric positive-definite A, allocated; throws if A is not positive definite.</summary>
    public static double[] InverseSymmetricPositiveDefinite(ReadOnlySpan<double> matrix, int size)
    {
        var inverse = new double[size * size];
        if (!TryInverseSymmetricPositiveDefinite(matrix, size, new double[size * size], inverse))
        {
            throw new ArgumentException("matrix is not positive definite.", nameof(matrix));
        }

        return inverse;
    }

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
