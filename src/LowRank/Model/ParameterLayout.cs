using LowRank.RateNetworks;
namespace LowRank.Model;

/// <summary>One named slice of the flat parameter vector θ.</summary>
/// <param name="Name">Slice name (see <see cref="ParameterNames"/>).</param>
/// <param name="Offset">First index in θ.</param>
/// <param name="Shape">Shape of the slice, row-major.</param>
public sealed record ParameterSlice(string Name, int Offset, int[] Shape)
{
    /// <summary>Number of scalars in the slice.</summary>
    public int Length { get; } = Shape.Aggregate(1, (a, b) => a * b);

    /// <summary>This slice of <paramref name="theta"/>.</summary>
    public Span<double> Of(double[] theta) => theta.AsSpan(Offset, Length);

    /// <summary>This slice of <paramref name="theta"/>.</summary>
    public Span<T> Of<T>(Span<T> theta) => theta.Slice(Offset, Length);

    /// <summary>This slice of <paramref name="theta"/>.</summary>
    public ReadOnlySpan<T> Of<T>(ReadOnlySpan<T> theta) => theta.Slice(Offset, Length);
}

/// <summary>Names of the slices of θ for the stochastic low-rank RNN. Raw (unconstrained) parameters carry their transform in the name.</summary>
public static class ParameterNames
{
    /// <summary>M [N,R]: left connectivity vectors.</summary>
    public const string M = "m";

    /// <summary>Ñ [R,N]: right connectivity vectors (scaled).</summary>
    public const string N = "n";

    /// <summary>h [N]: unit thresholds.</summary>
    public const string H = "h";

    /// <summary>W [N,U]: input weights (absent when U = 0).</summary>
    public const string InputWeights = "w_in";

    /// <summary>α [1] with decay a = exp(−exp α).</summary>
    public const string DecayRaw = "log_neg_log_decay";

    /// <summary>ρz: raw parameters of Σz (R(R+1)/2 full, R diagonal, 1 scalar).</summary>
    public const string TransitionNoiseRaw = "chol_z_raw";

    /// <summary>ρ0: raw parameters of Σ0.</summary>
    public const string InitialNoiseRaw = "chol_0_raw";

    /// <summary>μ0 [R] (only when trainable).</summary>
    public const string InitialMean = "mu_0";

    /// <summary>C [X,R] for the latent readout, c [X] for a unit readout.</summary>
    public const string ReadoutWeights = "c";

    /// <summary>d [X]: readout offsets.</summary>
    public const string ReadoutBias = "d";

    /// <summary>ρx [X] with σx² = exp ρx (Gaussian likelihood only).</summary>
    public const string LogObservationVariance = "log_var_x";
}

/// <summary>
/// Layout of the flat parameter vector θ of a stochastic low-rank RNN: the optimiser, checkpoints and
/// gradient checks all see the same vector, and kernels address it through these slices.
/// </summary>
public sealed class ParameterLayout
{
    private readonly Dictionary<string, ParameterSlice> _byName = new(StringComparer.Ordinal);
    private readonly List<ParameterSlice> _slices = [];

    public ParameterLayout(ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int r = options.Rank, n = options.Units, u = options.Inputs, x = options.Channels;
        Add(ParameterNames.M, n, r);
        Add(ParameterNames.N, r, n);
        Add(ParameterNames.H, n);
        if (u > 0)
        {
            Add(ParameterNames.InputWeights, n, u);
        }

        Add(ParameterNames.DecayRaw, 1);
        Add(ParameterNames.TransitionNoiseRaw, CovarianceParameters.RawLength(options.TransitionNoise, r));
        Add(ParameterNames.InitialNoiseRaw, CovarianceParameters.RawLength(options.InitialNoise, r));
        if (options.TrainInitialMean)
        {
            Add(ParameterNames.InitialMean, r);
        }

        if (options.Readout == Readout.Latent)
        {
            Add(ParameterNames.ReadoutWeights, x, r);
        }
        else
        {
            Add(ParameterNames.ReadoutWeights, x);
        }

        Add(ParameterNames.ReadoutBias, x);
        if (options.Likelihood == Likelihood.Gaussian)
        {
            Add(ParameterNames.LogObservationVariance, x);
        }
    }

    /// <summary>Total number of scalars in θ.</summary>
    public int Length { get; private set; }

    /// <summary>Slices in θ order.</summary>
    public IReadOnlyList<ParameterSlice> Slices => _slices;

    /// <summary>The slice called <paramref name="name"/>; throws if the model has none.</summary>
    public ParameterSlice this[string name] =>
        _byName.TryGetValue(name, out ParameterSlice? slice)
            ? slice
            : throw new ArgumentException($"this model has no parameter '{name}'.", nameof(name));

    /// <summary>Whether the model has a slice called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    private void Add(string name, params int[] shape)
    {
        var slice = new ParameterSlice(name, Length, shape);
        _slices.Add(slice);
        _byName.Add(name, slice);
        Length += slice.Length;
    }
}
