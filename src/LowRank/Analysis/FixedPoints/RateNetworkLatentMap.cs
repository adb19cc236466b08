using System.Numerics;
using LowRank.Numerics;
using LowRank.RateNetworks;
using static LowRank.InputException;

namespace LowRank.Analysis.FixedPoints;

/// <summary>
/// The latent (κ) dynamics of a low-rank tanh rate network at a constant input u, noise off (docs/lint.md,
/// "Fixed points of a rate network").
/// </summary>
/// <remarks>
/// Dimensions: N units, R rank, U inputs. The network (<see cref="RateNetworkSpec"/>) steps
/// <code>x_{t+1} = (1 − α) x_t + α (M Ñᵀ φ(x_t + b) / N + W_inᵀ u),   φ = tanh</code>
/// Write x_t = M κ_t + W_inᵀ v_t + x⊥_t. With u constant, v_{t+1} = (1 − α) v_t + α u → u and the rest x⊥ decays as
/// (1 − α)^t, so the set x = M κ + W_inᵀ u is invariant and attracting, and on it (c = W_inᵀ u + b, [N])
/// <code>
/// κ_{t+1} = G(κ_t) = κ_t + α F(κ_t),    F(κ) = −κ + Ñᵀ φ(M κ + c) / N        [R]
/// </code>
/// the Euler step of τ dκ/dt = F(κ). Every fixed state of the network is x* = M κ* + W_inᵀ u with F(κ*) = 0 (the
/// fixed-state equation x* = M Ñᵀ φ(x* + b)/N + W_inᵀ u puts x* − W_inᵀ u in the span of M). Jacobians, with
/// D = diag(φ'(M κ + c)) = diag(1 − tanh²(M κ + c)):
/// <code>
/// ∂F/∂κ = −I_R + Ñᵀ D M / N,     ∂G/∂κ = I_R + α ∂F/∂κ                      [R, R]
/// </code>
/// The network's own Jacobian at x*, (1 − α) I_N + α M Ñᵀ D / N, has the R eigenvalues of ∂G/∂κ and 1 − α
/// (N − R times, |1 − α| &lt; 1), so ∂G/∂κ decides the stability of the fixed state. The map is discrete (the code
/// simulates the Euler step), so stability is |μ| &lt; 1 for the eigenvalues μ of ∂G/∂κ; the eigenvalues of the
/// continuous flow are λ = (μ − 1)/α (Re λ &lt; 0 is the continuous-time test; the two agree when α|λ|² &lt; −2 Re λ).
/// <para>
/// κ here are the coefficients of M in x − W_inᵀ u. The κ(t) of simulated trials (<see cref="LatentAnalysis.Kappa"/>)
/// are the least-squares projections (MᵀM)⁻¹ Mᵀ x_t; the fixed state projects to κ* + P u with
/// P = (MᵀM)⁻¹ Mᵀ W_inᵀ (<see cref="StateOffset"/>; zero when the input vectors are orthogonal to M or u = 0).
/// </para>
/// </remarks>
public sealed class RateNetworkLatentMap : ILatentMap
{
    private readonly double[] _m;     // [N, R]: row i = m_i
    private readonly double[] _nt;    // [R, N]: row r = ñ_r
    private readonly double[] _c;     // [N]: W_inᵀ u + b
    private readonly double[] _wInU;  // [N]: W_inᵀ u

    private RateNetworkLatentMap(int units, int rank, double alpha, double[] m, double[] nt, double[] c, double[] wInU, double[] input)
    {
        Units = units;
        Rank = rank;
        Alpha = alpha;
        _m = m;
        _nt = nt;
        _c = c;
        _wInU = wInU;
        Input = input;
    }

    /// <summary>N.</summary>
    public int Units { get; }

    /// <summary>R.</summary>
    public int Rank { get; }

    /// <summary>α = Δt/τ, the step of G = κ + α F.</summary>
    public double Alpha { get; }

    /// <summary>The constant input u [U].</summary>
    public double[] Input { get; }

    /// <summary>
    /// The κ dynamics of <paramref name="network"/> (low rank) at constant <paramref name="input"/> [U] (empty: zero
    /// input). Throws <see cref="InputException"/> for a full-rank network or an input of the wrong length.
    /// </summary>
    public static RateNetworkLatentMap Of(RateNetwork network, IReadOnlyList<double> input)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(input);
        LatentAnalysis.RequireLowRank(network);
        RateNetworkSpec spec = network.Spec;
        int n = spec.Units, rank = spec.Rank, inputs = spec.Inputs;
        if (input.Count != 0 && input.Count != inputs)
        {
            throw new InputException(
                $"{Ref("Input")} has {input.Count} values but the network has {inputs} inputs.",
                inputs == 0
                    ? $"this network takes no input: leave out {Ref("Input")}."
                    : $"pass {inputs} comma-separated values, e.g. {Ref("Input")} {string.Join(',', Enumerable.Repeat("0", inputs))}.");
        }

        RateNetworkLayout layout = network.Layout;
        ReadOnlySpan<double> mStored = layout.M.Of<double>(network.Theta); // [R, N]
        ReadOnlySpan<double> wIn = layout.InputWeights.Of<double>(network.Theta); // [U, N]
        ReadOnlySpan<double> b = layout.Bias.Of<double>(network.Theta); // [N]
        double[] u = input.Count == 0 ? new double[inputs] : [.. input];
        var m = new double[n * rank];
        var c = new double[n];
        var wInU = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int r = 0; r < rank; r++)
            {
                m[i * rank + r] = mStored[r * n + i];
            }

            double current = 0;
            for (int k = 0; k < inputs; k++)
            {
                current += wIn[k * n + i] * u[k];
            }

            wInU[i] = current;
            c[i] = current + b[i];
        }

        return new RateNetworkLatentMap(n, rank, spec.Alpha, m, layout.NTilde.Of<double>(network.Theta).ToArray(), c, wInU, u);
    }

    /// <summary>F(κ) = −κ + Ñᵀ tanh(M κ + c) / N into <paramref name="destination"/> [R] (τ dκ/dt).</summary>
    public void Velocity(ReadOnlySpan<double> kappa, Span<double> destination)
    {
        CheckLengths(kappa.Length, destination.Length, Rank, Rank);
        int n = Units, rank = Rank;
        for (int r = 0; r < rank; r++)
        {
            destination[r] = 0;
        }

        for (int i = 0; i < n; i++)
        {
            // φ_i = tanh(m_iᵀ κ + c_i)
            double rate = Math.Tanh(Current(kappa, i));
            for (int r = 0; r < rank; r++)
            {
                destination[r] += _nt[r * n + i] * rate;
            }
        }

        for (int r = 0; r < rank; r++)
        {
            destination[r] = destination[r] / n - kappa[r];
        }
    }

    /// <summary>One network step on the invariant set: G(κ) = κ + α F(κ).</summary>
    public void Evaluate(ReadOnlySpan<double> z, Span<double> destination)
    {
        Velocity(z, destination);
        for (int r = 0; r < Rank; r++)
        {
            destination[r] = z[r] + Alpha * destination[r];
        }
    }

    /// <summary>∂F/∂κ = −I + Ñᵀ D M / N, D = diag(1 − tanh²(M κ + c)), into <paramref name="destination"/> [R, R] row-major.</summary>
    public void Jacobian(ReadOnlySpan<double> kappa, Span<double> destination)
    {
        CheckLengths(kappa.Length, destination.Length, Rank, Rank * Rank);
        int n = Units, rank = Rank;
        destination.Clear();
        for (int i = 0; i < n; i++)
        {
            double rate = Math.Tanh(Current(kappa, i));
            double slope = (1 - rate * rate) / n;
            for (int r = 0; r < rank; r++)
            {
                // row r: ñ_{r,i} φ'_i m_iᵀ / N
                double weight = _nt[r * n + i] * slope;
                for (int s = 0; s < rank; s++)
                {
                    destination[r * rank + s] += weight * _m[i * rank + s];
                }
            }
        }

        for (int r = 0; r < rank; r++)
        {
            destination[r * rank + r] -= 1;
        }
    }

    /// <summary>
    /// Half-widths B [R] of a box that holds every fixed point: κ* = Ñᵀ tanh(·)/N and |tanh| &lt; 1, so
    /// |κ*_r| &lt; B_r = Σ_i |ñ_{r,i}| / N.
    /// </summary>
    public double[] FixedPointBound()
    {
        var bound = new double[Rank];
        for (int r = 0; r < Rank; r++)
        {
            double sum = 0;
            for (int i = 0; i < Units; i++)
            {
                sum += Math.Abs(_nt[r * Units + i]);
            }

            bound[r] = sum / Units;
        }

        return bound;
    }

    /// <summary>
    /// P u = (MᵀM)⁻¹ Mᵀ W_inᵀ u [R]: a state M κ + W_inᵀ u projects to κ + P u, the coordinates of
    /// <see cref="LatentAnalysis.Kappa"/>. Throws <see cref="InputException"/> when the columns of M are linearly dependent.
    /// </summary>
    public double[] StateOffset()
    {
        int n = Units, rank = Rank;
        var gram = new double[rank * rank]; // MᵀM
        var rhs = new double[rank];          // Mᵀ W_inᵀ u
        for (int i = 0; i < n; i++)
        {
            for (int r = 0; r < rank; r++)
            {
                rhs[r] += _m[i * rank + r] * _wInU[i];
                for (int s = 0; s < rank; s++)
                {
                    gram[r * rank + s] += _m[i * rank + r] * _m[i * rank + s];
                }
            }
        }

        var offset = new double[rank];
        if (!SmallMatrix.Solve(gram, rhs, offset, rank))
        {
            throw new InputException(
                "the network's left connectivity vectors M are linearly dependent, so κ of a state is not defined.",
                "refit the network, or at a lower rank.");
        }

        return offset;
    }

    /// <summary>The eigenvalues λ = (μ − 1)/α of the continuous flow ∂F/∂κ, from those μ of the step ∂G/∂κ.</summary>
    public Complex[] ContinuousEigenvalues(IReadOnlyList<Complex> stepEigenvalues)
    {
        ArgumentNullException.ThrowIfNull(stepEigenvalues);
        var result = new Complex[stepEigenvalues.Count];
        for (int k = 0; k < result.Length; k++)
        {
            result[k] = (stepEigenvalues[k] - 1) / Alpha;
        }

        return result;
    }

    private double Current(ReadOnlySpan<double> kappa, int unit)
    {
        double x = _c[unit];
        for (int r = 0; r < Rank; r++)
        {
            x += _m[unit * Rank + r] * kappa[r];
        }

        return x;
    }

    private static void CheckLengths(int kappaLength, int destinationLength, int rank, int expected)
    {
        if (kappaLength != rank || destinationLength != expected)
        {
            throw new ArgumentException($"κ must have R = {rank} entries and the destination {expected}, got {kappaLength} and {destinationLength}.");
        }
    }
}
