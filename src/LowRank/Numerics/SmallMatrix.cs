namespace LowRank.Numerics;

/// <summary>
/// The one home of small dense linear algebra (R×R with R ≤ ~10, and the occasional [m,k]·[k,p]): row-major
/// spans in, a caller-owned destination out, plain loops in a fixed order (so results do not depend on the
/// machine). The few allocating helpers are thin wrappers for code outside hot loops.
/// </summary>
/// <remarks>
/// Files: products and transposes (this file), Cholesky factors, their inverses, solves and reverse pass
/// (<c>SmallMatrix.Cholesky.cs</c>), general solves and determinants (<c>SmallMatrix.Solve.cs</c>), the
/// discrete Lyapunov equation (<c>SmallMatrix.Lyapunov.cs</c>).
/// </remarks>
internal static partial class SmallMatrix
{
    /// <summary><c>result = A B</c> for A [m,k], B [k,p], result [m,p] (no aliasing); each entry sums over k in order.</summary>
    public static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int m, int k, int p, Span<double> result)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < p; j++)
            {
                double sum = 0;
                for (int t = 0; t < k; t++)
                {
                    sum += a[i * k + t] * b[t * p + j];
                }

                result[i * p + j] = sum;
            }
        }
    }

    /// <summary><c>result = A Bᵀ</c> for A [m,k], B [p,k], result [m,p] (no aliasing): row-by-row dot products, each over k in order.</summary>
    public static void MultiplyTransposed(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int m, int k, int p, Span<double> result)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < p; j++)
            {
                double sum = 0;
                for (int t = 0; t < k; t++)
                {
                    sum += a[i * k + t] * b[j * k + t];
                }

                result[i * p + j] = sum;
            }
        }
    }

    /// <summary><c>result = A B</c>, all [n,n]; result must not alias.</summary>
    public static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int n, Span<double> result) =>
        Multiply(a, b, n, n, n, result);

    /// <summary>C [m,p] = A [m,k] · B [k,p], allocated.</summary>
    public static double[] Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int m, int k, int p)
    {
        var c = new double[m * p];
        Multiply(a, b, m, k, p, c);
        return c;
    }

    /// <summary><c>result = A B C</c>, all [n,n]; uses <paramref name="scratch"/> [n,n].</summary>
    public static void Multiply3(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c, int n, Span<double> scratch, Span<double> result)
    {
        Multiply(a, b, n, scratch);
        Multiply(scratch, c, n, result);
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

    /// <summary><c>result = Aᵀ</c> for A [m,n], result [n,m].</summary>
    public static void Transpose(ReadOnlySpan<double> a, int m, int n, Span<double> result)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                result[j * m + i] = a[i * n + j];
            }
        }
    }

    /// <summary>Aᵀ for A [m,n], allocated.</summary>
    public static double[] Transpose(ReadOnlySpan<double> a, int m, int n)
    {
        var t = new double[n * m];
        Transpose(a, m, n, t);
        return t;
    }
}
