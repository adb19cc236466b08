using LowRank.Training;

namespace LowRank.RateNetworks;

/// <summary>Readout nonlinearity ψ of a rate network: <c>o_t = ψ(x_t) W_out / N</c>.</summary>
public enum ReadoutKind
{
    /// <summary>ψ = tanh (task-trained networks).</summary>
    Tanh,

    /// <summary>ψ = identity (networks fitted to recordings).</summary>
    Identity,
}

/// <summary>
/// Shape and fixed constants of a LINT rate network (docs/lint.md, "The model").
/// </summary>
/// <remarks>
/// Dimension legend: N units, R rank (0 = full rank), U inputs, O outputs, T steps.
/// <code>
/// x_{t+1} = x_t + α(−x_t + J φ(x_t + b) + W_inᵀ u_t) + σ ξ_t,   φ = tanh
/// J = M Ñᵀ / N (low rank, M, Ñ ∈ ℝ^{N×R})  or a free J ∈ ℝ^{N×N} (full rank)
/// o_t = ψ(x_{t+1}) W_out / N                 (output of step t reads the state after input u_t)
/// </code>
/// </remarks>
/// <param name="Units">N.</param>
/// <param name="Rank">R; 0 means a full-rank network with a free J.</param>
/// <param name="Inputs">U.</param>
/// <param name="Outputs">O.</param>
/// <param name="Alpha">α = Δt/τ.</param>
/// <param name="NoiseStd">σ, the standard deviation of the per-step state noise.</param>
/// <param name="Readout">ψ.</param>
public sealed record RateNetworkSpec(int Units, int Rank, int Inputs, int Outputs, double Alpha, double NoiseStd, ReadoutKind Readout)
{
    /// <summary>Whether J is a free N×N matrix.</summary>
    public bool IsFullRank => Rank == 0;

    /// <summary>Throws <see cref="ArgumentException"/> for impossible dimensions, <see cref="InputException"/> for a θ too large for memory.</summary>
    public void Validate()
    {
        if (Units < 1 || Rank < 0 || Inputs < 0 || Outputs < 0)
        {
            throw new ArgumentException($"invalid network shape: N={Units}, R={Rank}, U={Inputs}, O={Outputs}.");
        }

        if (!(Alpha > 0 && Alpha <= 1))
        {
            throw new ArgumentException($"alpha must lie in (0, 1], got {Alpha}.");
        }

        if (!(NoiseStd >= 0))
        {
            throw new ArgumentException($"noise standard deviation must be non-negative, got {NoiseStd}.");
        }

        // θ: J [N,N] (full rank) or M, Ñ [R,N]; W_in [U,N], W_out [O,N], b and x0 [N].
        double n = Units;
        new MemoryBudget(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"a network of {Units:N0} units"))
            .Doubles("its parameters θ", (IsFullRank ? n * n : 2.0 * Rank * n) + n * (Inputs + Outputs + 2.0))
            .Check($"lower {InputException.Ref(nameof(Units))}.");
    }
}

/// <summary>Parameter groups of a rate network; a trainable set is a combination of these flags.</summary>
[Flags]
public enum ParameterGroups
{
    None = 0,
    M = 1,
    NTilde = 2,
    J = 4,
    InputWeights = 8,
    OutputWeights = 16,
    Bias = 32,
    InitialState = 64,
    All = M | NTilde | J | InputWeights | OutputWeights | Bias | InitialState,
}

/// <summary>
/// The layout of θ for a <see cref="RateNetworkSpec"/> (a <see cref="ParameterLayout"/> with the groups named).
/// Storage is chosen so that every per-step
/// product is a contiguous dot product or axpy:
/// <c>M</c> [R, N] and <c>Ñ</c> [R, N] (column vectors m_r, ñ_r contiguous), <c>J</c> [N, N] row-major,
/// <c>W_in</c> [U, N], <c>W_out</c> stored transposed [O, N], <c>b</c> [N], <c>x0</c> [N].
/// A low-rank network has an empty J slice; a full-rank one has empty M and Ñ slices.
/// </summary>
public sealed class RateNetworkLayout
{
    public RateNetworkLayout(RateNetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        int n = spec.Units;
        int r = spec.IsFullRank ? 0 : spec.Rank;
        Parameters = new ParameterLayout(
            ("m", [r, n]),
            ("n", [r, n]),
            ("j", [spec.IsFullRank ? n : 0, n]),
            ("w_in", [spec.Inputs, n]),
            ("w_out", [spec.Outputs, n]),
            ("b", [1, n]),
            ("x0", [1, n]));
        M = Parameters["m"];
        NTilde = Parameters["n"];
        J = Parameters["j"];
        InputWeights = Parameters["w_in"];
        OutputWeights = Parameters["w_out"];
        Bias = Parameters["b"];
        InitialState = Parameters["x0"];
    }

    public RateNetworkSpec Spec { get; }

    /// <summary>The named slices of θ.</summary>
    public ParameterLayout Parameters { get; }

    /// <summary>M stored [R, N].</summary>
    public ParameterSlice M { get; }

    /// <summary>Ñ stored [R, N].</summary>
    public ParameterSlice NTilde { get; }

    /// <summary>J stored [N, N] (full rank only).</summary>
    public ParameterSlice J { get; }

    /// <summary>W_in stored [U, N].</summary>
    public ParameterSlice InputWeights { get; }

    /// <summary>W_out stored transposed, [O, N].</summary>
    public ParameterSlice OutputWeights { get; }

    /// <summary>b [N].</summary>
    public ParameterSlice Bias { get; }

    /// <summary>x0 [N].</summary>
    public ParameterSlice InitialState { get; }

    /// <summary>Length of θ.</summary>
    public int Length => Parameters.Length;

    /// <summary>The slices in θ order with their group flag.</summary>
    public IEnumerable<(ParameterGroups Group, ParameterSlice Slice)> Groups()
    {
        yield return (ParameterGroups.M, M);
        yield return (ParameterGroups.NTilde, NTilde);
        yield return (ParameterGroups.J, J);
        yield return (ParameterGroups.InputWeights, InputWeights);
        yield return (ParameterGroups.OutputWeights, OutputWeights);
        yield return (ParameterGroups.Bias, Bias);
        yield return (ParameterGroups.InitialState, InitialState);
    }

    /// <summary>
    /// Per-parameter learning-rate scales: 0 outside <paramref name="trainable"/>, <paramref name="recurrentScale"/>
    /// on J, 1 elsewhere.
    /// </summary>
    public double[] RateScales(ParameterGroups trainable, double recurrentScale = 1.0)
    {
        var scales = new double[Length];
        foreach ((ParameterGroups group, ParameterSlice slice) in Groups())
        {
            if ((trainable & group) != 0)
            {
                scales.AsSpan(slice.Offset, slice.Length).Fill(group == ParameterGroups.J ? recurrentScale : 1.0);
            }
        }

        return scales;
    }
}
