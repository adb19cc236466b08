namespace LowRank.Numerics;

internal static partial class SmallMatrix
{
    /// <summary>Solves the discrete Lyapunov equation S = A S Aᵀ + Q by fixed-point iteration (spectral radius of A &lt; 1).</summary>
    public static double[] DiscreteLyapunov(ReadOnlySpan<double> a, ReadOnlySpan<double> q, int size, int maxIterations = 100_000, double tolerance = 1e-14)
    {
        var s = q.ToArray();
        double[] transposed = Transpose(a, size, size);
        var product = new double[size * size];
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            Multiply(a, s, size, product);
            var next = new double[size * size];
            Multiply(product, transposed, size, next);
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
}
