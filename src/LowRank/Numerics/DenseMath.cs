namespace LowRank.Numerics;

/// <summary>Small dense linear algebra on row-major arrays (R×R with R ≤ ~10); not for hot loops.</summary>
public static class DenseMath
{
    /// <summary>Cholesky factor L (lower, row-major) of a symmetric positive-definite matrix; throws if not SPD.</summary>
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

    /// <summary><c>target += scale · L x</c> for a lower-triangular L [n,n] (e.g. a Gaussian draw mean + L ε).</summary>
    public static void AddLowerTimes(ReadOnlySpan<double> lower, ReadOnlySpan<double> x, double scale, Span<double> target, int n)
    {
        for (int a = 0; a < n; a++)
        {
            double sum = 0;
            for (int b = 0; b <= a; b++)
            {
                sum += lower[a * n + b] * x[b];
            }

            target[a] += scale * sum;
        }
    }

    /// <summary>Inverse of a symmetric positive-definite matrix via its Cholesky factor.</summary>
    public static double[] InverseSymmetricPositiveDefinite(ReadOnlySpan<double> matrix, int size)
    {
        double[] l = Cholesky(matrix, size);
        var inverse = new double[size * size];
        var column = new double[size];
        for (int c = 0; c < size; c++)
        {
            Array.Clear(column);
            column[c] = 1;
            SolveCholesky(l, size, column);
            for (int r = 0; r < size; r++)
            {
                inverse[r * size + c] = column[r];
            }
        }

        return inverse;
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

    /// <summary>Matrix product C [m,p] = A [m,k] · B [k,p].</summary>
    public static double[] Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int m, int k, int p)
    {
        var c = new double[m * p];
        for (int i = 0; i < m; i++)
        {
            for (int t = 0; t < k; t++)
            {
                double v = a[i * k + t];
                for (int j = 0; j < p; j++)
                {
                    c[i * p + j] += v * b[t * p + j];
                }
            }
        }

        return c;
    }

    /// <summary>Solves the discrete Lyapunov equation S = A S Aᵀ + Q by fixed-point iteration (spectral radius of A &lt; 1).</summary>
    public static double[] DiscreteLyapunov(ReadOnlySpan<double> a, ReadOnlySpan<double> q, int size, int maxIterations = 100_000, double tolerance = 1e-14)
    {
        var s = q.ToArray();
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            double[] next = Multiply(Multiply(a, s, size, size, size), Transpose(a, size, size), size, size, size);
            double change = 0, scale = 0;
            for (int i = 0; i < next.Length; i++)
            {
                next[i] += q[i];
                change = Math.Max(change, Math.Abs(next[i] - s[i]));
                scale = Math.Max(scale, Math.Abs(next[i]));
            }

            s = next;
            if (change <= tolerance * Math.Max(1, scale))
            {
                return s;
            }
        }

        throw new ArgumentException("the Lyapunov iteration did not converge: is the spectral radius of A below 1?", nameof(a));
    }

    /// <summary>Transpose of A [m,n].</summary>
    public static double[] Transpose(ReadOnlySpan<double> a, int m, int n)
    {
        var t = new double[n * m];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                t[j * m + i] = a[i * n + j];
            }
        }

        return t;
    }
}
