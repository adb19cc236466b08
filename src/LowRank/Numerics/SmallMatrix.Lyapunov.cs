namespace LowRank.Numerics;

internal static partial class SmallMatrix
{
    /// <summary>
    /// Solves the discrete Lyapunov equation S = A S Aᵀ + Q into <paramref name="result"/> [n,n] by fixed-point
    /// iteration (spectral radius of A &lt; 1); throws when the iteration does not converge.
    /// </summary>
    public static void DiscreteLyapunov(ReadOnlySpan<double> a, ReadOnlySpan<double> q, int size, Span<double> result, int maxIterations = 100_000, double tolerance = 1e-14)
    {
        int length = size * size;
        var transposed = new double[length];
        var product = new double[length];
        var next = new double[length];
        Transpose(a, size, size, transposed);
        q[..length].CopyTo(result);
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            Multiply(a, result, size, product);
            Multiply(product, transposed, size, next);
            double change = 0, scale = 0;
            for (int i = 0; i < length; i++)
            {
                next[i] += q[i];
                change = Math.Max(change, Math.Abs(next[i] - result[i]));
                scale = Math.Max(scale, Math.Abs(next[i]));
            }

            next.CopyTo(result);
            if (change <= tolerance * Math.Max(1, scale))
            {
                return;
            }
        }

        throw new ArgumentException("the Lyapunov iteration did not converge: is the spectral radius of A below 1?", nameof(a));
    }

    /// <summary>S of <see cref="DiscreteLyapunov(ReadOnlySpan{double}, ReadOnlySpan{double}, int, Span{double}, int, double)"/>, allocated.</summary>
    public static double[] DiscreteLyapunov(ReadOnlySpan<double> a, ReadOnlySpan<double> q, int size)
    {
        var result = new double[size * size];
        DiscreteLyapunov(a, q, size, result);
        return result;
    }
}
