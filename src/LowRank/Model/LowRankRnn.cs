using LowRank.Training;

namespace LowRank.Model;

/// <summary>
/// A stochastic low-rank RNN (docs/model.md): options, the flat parameter vector θ and its layout.
/// </summary>
/// <remarks>
/// <code>
/// x_t     = M z_t + W v_t                        // [N] unit currents
/// r_t     = φ(x_t; h)                            // [N] unit rates
/// z_{t+1} = a z_t + Ñ r_t + ε_t,  ε_t ~ N(0, Σz) // [R]
/// z_0     ~ N(μ0 + P W v_0, Σ0),  P = (MᵀM)⁻¹Mᵀ
/// y_t     ~ p(y | g(C z_t + d))   or  p(y | g(c ⊙ s_t + d)),  s = x or r
/// </code>
/// Dimensions: R rank, N units, U inputs, X channels. Matrices are row-major.
/// </remarks>
public sealed class LowRankRnn
{
    public LowRankRnn(ModelOptions options, double[] theta)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(theta);
        options.Validate();
        Options = options;
        Layout = ModelLayout.Of(options);
        if (theta.Length != Layout.Length)
        {
            throw new ArgumentException($"θ has {theta.Length} entries but the layout needs {Layout.Length}.", nameof(theta));
        }

        Theta = theta;
    }

    public ModelOptions Options { get; }

    public ParameterLayout Layout { get; }

    /// <summary>The flat parameter vector (raw, unconstrained values).</summary>
    public double[] Theta { get; }

    public int Rank => Options.Rank;

    public int Units => Options.Units;

    public int Inputs => Options.Inputs;

    public int Channels => Options.Channels;

    /// <summary>M [N,R].</summary>
    public Span<double> M => Layout[ParameterNames.M].Of(Theta);

    /// <summary>Ñ [R,N].</summary>
    public Span<double> N => Layout[ParameterNames.N].Of(Theta);

    /// <summary>h [N].</summary>
    public Span<double> H => Layout[ParameterNames.H].Of(Theta);

    /// <summary>W [N,U] (empty when U = 0).</summary>
    public Span<double> W => Inputs > 0 ? Layout[ParameterNames.InputWeights].Of(Theta) : Span<double>.Empty;

    /// <summary>C [X,R] (latent readout) or c [X] (unit readout).</summary>
    public Span<double> C => Layout[ParameterNames.ReadoutWeights].Of(Theta);

    /// <summary>d [X].</summary>
    public Span<double> D => Layout[ParameterNames.ReadoutBias].Of(Theta);

    /// <summary>Decay a = exp(−exp α) ∈ (0, 1).</summary>
    public double Decay
    {
        get => DecayFromRaw(Layout[ParameterNames.DecayRaw].Of(Theta)[0]);
        set => Layout[ParameterNames.DecayRaw].Of(Theta)[0] = DecayToRaw(value);
    }

    /// <summary>a, the covariance factors, μ0, σx² and P of the current θ, computed by the model's one routine.</summary>
    public ConstrainedParameters Constrained() => ConstrainedParameters.Of(this);

    /// <summary>μ0 [R] (zeros when not trainable).</summary>
    public double[] InitialMean() => Constrained().InitialMean;

    /// <summary>Lower-triangular factor of Σz [R,R].</summary>
    public double[] TransitionCholesky() => Constrained().TransitionCholesky;

    /// <summary>Lower-triangular factor of Σ0 [R,R].</summary>
    public double[] InitialCholesky() => Constrained().InitialCholesky;

    /// <summary>Observation variances σx² [X], clamped (Gaussian likelihood); empty for Poisson.</summary>
    public double[] ObservationVariance() => Constrained().Variance;

    /// <summary>A deep copy.</summary>
    public LowRankRnn Clone() => new(Options, (double[])Theta.Clone());

    /// <summary>a = exp(−exp α).</summary>
    public static double DecayFromRaw(double raw) => Math.Exp(-Math.Exp(raw));

    /// <summary>α = ln(−ln a).</summary>
    public static double DecayToRaw(double decay)
    {
        if (!(decay > 0 && decay < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "decay must lie in (0, 1).");
        }

        return Math.Log(-Math.Log(decay));
    }
}
