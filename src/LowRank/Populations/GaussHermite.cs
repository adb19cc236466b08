using MathNet.Numerics.LinearAlgebra;

namespace LowRank.Populations;

/// <summary>
/// Gauss–Hermite quadrature for standard-normal expectations:
/// <c>E[f(ξ)] ≈ Σ_k w_k f(x_k)</c>, ξ ~ N(0, 1), exact for polynomials of degree ≤ 2K − 1.
/// </summary>
/// <remarks>
/// Nodes are the roots of the probabilists' Hermite polynomial He_K (weight e^{−x²/2}/√(2π)).
/// Golub–Welsch: they are the eigenvalues of the symmetric tridiagonal Jacobi matrix with zero
/// diagonal and off-diagonal √k (k = 1 … K − 1). Each node is then polished by Newton's method on the
/// orthonormal recurrence <c>h_{k+1} = (x h_k − √k h_{k−1}) / √(k+1)</c> (h_k = He_k/√k!, h_K' = √K h_{K−1}),
/// and its weight is <c>w = 1 / (K h_{K−1}(x)²)</c>, which sums to 1.
/// </remarks>
public sealed class GaussHermite
{
    private GaussHermite(double[] nodes, double[] weights)
    {
        Nodes = nodes;
        Weights = weights;
    }

    /// <summary>x_k [K], ascending.</summary>
    public double[] Nodes { get; }

    /// <summary>w_k [K], summing to 1.</summary>
    public double[] Weights { get; }

    /// <summary>K.</summary>
    public int Order => Nodes.Length;

    /// <summary>The K-point rule.</summary>
    public static GaussHermite Create(int order)
    {
        if (order < 1 || order > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, "the quadrature order must lie in 1…200.");
        }

        var jacobi = Matrix<double>.Build.Dense(order, order);
        for (int k = 1; k < order; k++)
        {
            jacobi[k - 1, k] = Math.Sqrt(k);
            jacobi[k, k - 1] = Math.Sqrt(k);
        }

        double[] nodes = jacobi.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Select(v => v.Real).ToArray();
        Array.Sort(nodes);
        var weights = new double[order];
        for (int i = 0; i < order; i++)
        {
            double x = nodes[i];
            for (int step = 0; step < 3; step++)
            {
                (double h, double hPrevious) = Orthonormal(order, x);
                x -= h / (Math.Sqrt(order) * hPrevious);
            }

            nodes[i] = x;
            double last = Orthonormal(order, x).Previous;
            weights[i] = 1.0 / (order * last * last);
        }

        return new GaussHermite(nodes, weights);
    }

    /// <summary>E[φ(μ + Δ ξ)] and E[φ'(μ + Δ ξ)] for φ = tanh.</summary>
    public (double Mean, double Gain) TanhMoments(double mean, double std)
    {
        double value = 0;
        double gain = 0;
        for (int k = 0; k < Nodes.Length; k++)
        {
            double t = Math.Tanh(mean + std * Nodes[k]);
            value += Weights[k] * t;
            gain += Weights[k] * (1 - t * t);
        }

        return (value, gain);
    }

    /// <summary>(h_K(x), h_{K−1}(x)) of the orthonormal probabilists' Hermite polynomials.</summary>
    private static (double Value, double Previous) Orthonormal(int order, double x)
    {
        double previous = 0;
        double current = 1;
        for (int k = 0; k < order; k++)
        {
            double next = (x * current - Math.Sqrt(k) * previous) / Math.Sqrt(k + 1);
            previous = current;
            current = next;
        }

        return (current, previous);
    }
}
