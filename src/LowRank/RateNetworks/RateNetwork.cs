using LowRank.Numerics;
using LowRank.Training;

namespace LowRank.RateNetworks;

/// <summary>
/// A LINT rate network: its shape (<see cref="RateNetworkSpec"/>) and parameters θ laid out by
/// <see cref="RateNetworkLayout"/>. Loadings are exposed per unit in the <c>params.npz</c> orientation.
/// </summary>
public sealed class RateNetwork
{
    public RateNetwork(RateNetworkSpec spec, double[] theta)
    {
        Layout = new RateNetworkLayout(spec);
        if (theta.Length != Layout.Length)
        {
            throw new ArgumentException($"θ has length {theta.Length}, expected {Layout.Length} for {spec}.", nameof(theta));
        }

        Theta = theta;
    }

    public RateNetworkSpec Spec => Layout.Spec;

    public RateNetworkLayout Layout { get; }

    /// <summary>θ (shared, not copied).</summary>
    public double[] Theta { get; }

    /// <summary>
    /// A random network: low rank m, ñ ~ N(0, 1); full rank J ~ N(0, g²/N) with g = <paramref name="gain"/>;
    /// W_in ~ N(0, 1); W_out ~ N(0, 1); b = 0; x0 = 0. Each group draws from its own stream of <paramref name="seed"/>.
    /// </summary>
    public static RateNetwork CreateRandom(RateNetworkSpec spec, long seed, double gain = 0.8)
    {
        var layout = new RateNetworkLayout(spec);
        var theta = new double[layout.Length];
        Fill(layout.M.Of<double>(theta), Rng.Create(seed, 1), 1.0);
        Fill(layout.NTilde.Of<double>(theta), Rng.Create(seed, 2), 1.0);
        Fill(layout.J.Of<double>(theta), Rng.Create(seed, 3), gain / Math.Sqrt(spec.Units));
        Fill(layout.InputWeights.Of<double>(theta), Rng.Create(seed, 4), 1.0);
        Fill(layout.OutputWeights.Of<double>(theta), Rng.Create(seed, 5), 1.0);
        return new RateNetwork(spec, theta);
    }

    /// <summary>A copy with another spec of the same shape-compatible groups (e.g. another noise level).</summary>
    public RateNetwork WithSpec(RateNetworkSpec spec)
    {
        var copy = new RateNetwork(spec, new double[new RateNetworkLayout(spec).Length]);
        if (copy.Layout.Length != Layout.Length)
        {
            throw new ArgumentException("the new spec changes the parameter layout.", nameof(spec));
        }

        Array.Copy(Theta, copy.Theta, Theta.Length);
        return copy;
    }

    /// <summary>M as [N, R] (row i = unit i's loadings m_i).</summary>
    public double[,] LeftVectors() => UnitMajor(Layout.M);

    /// <summary>Ñ as [N, R].</summary>
    public double[,] RightVectors() => UnitMajor(Layout.NTilde);

    /// <summary>W_in as [U, N].</summary>
    public double[,] InputWeights() => Stored(Layout.InputWeights);

    /// <summary>W_out as [N, O].</summary>
    public double[,] OutputWeights() => UnitMajor(Layout.OutputWeights);

    /// <summary>J as [N, N]: the free matrix (full rank) or M Ñᵀ / N (low rank).</summary>
    public double[,] RecurrentWeights()
    {
        int n = Spec.Units;
        if (Spec.IsFullRank)
        {
            return Stored(Layout.J);
        }

        var j = new double[n, n];
        ReadOnlySpan<double> m = Layout.M.Of<double>(Theta);
        ReadOnlySpan<double> nt = Layout.NTilde.Of<double>(Theta);
        for (int s = 0; s < Spec.Rank; s++)
        {
            for (int i = 0; i < n; i++)
            {
                double mi = m[s * n + i] / n;
                for (int k = 0; k < n; k++)
                {
                    j[i, k] += mi * nt[s * n + k];
                }
            }
        }

        return j;
    }

    /// <summary>Sets a group stored [rows, N] from a unit-major [N, rows] array.</summary>
    public void SetUnitMajor(ParameterSlice slice, double[,] values)
    {
        int n = Spec.Units;
        if (values.GetLength(0) != n || values.GetLength(1) != slice.Rows)
        {
            throw new ArgumentException($"{slice.Name} must be [{n}, {slice.Rows}], got [{values.GetLength(0)}, {values.GetLength(1)}].");
        }

        Span<double> target = slice.Of<double>(Theta);
        for (int i = 0; i < n; i++)
        {
            for (int s = 0; s < slice.Rows; s++)
            {
                target[s * n + i] = values[i, s];
            }
        }
    }

    private double[,] UnitMajor(ParameterSlice slice)
    {
        int n = Spec.Units;
        var result = new double[n, slice.Rows];
        ReadOnlySpan<double> source = slice.Of<double>(Theta);
        for (int s = 0; s < slice.Rows; s++)
        {
            for (int i = 0; i < n; i++)
            {
                result[i, s] = source[s * n + i];
            }
        }

        return result;
    }

    private double[,] Stored(ParameterSlice slice)
    {
        var result = new double[slice.Rows, slice.Columns];
        ReadOnlySpan<double> source = slice.Of<double>(Theta);
        for (int r = 0; r < slice.Rows; r++)
        {
            for (int c = 0; c < slice.Columns; c++)
            {
                result[r, c] = source[r * slice.Columns + c];
            }
        }

        return result;
    }

    private static void Fill(Span<double> destination, Rng rng, double scale)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = scale * rng.NextGaussian();
        }
    }
}
