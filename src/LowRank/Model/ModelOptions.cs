using LowRank.Encoders;
using static LowRank.InputException;

namespace LowRank.Model;

/// <summary>
/// Structure and initial scales of a stochastic low-rank RNN (docs/model.md). Dimensions: R rank,
/// N units, U inputs, X observed channels.
/// </summary>
public sealed record ModelOptions
{
    /// <summary>R: latent dimension.</summary>
    public int Rank { get; init; } = 3;

    /// <summary>N: number of units.</summary>
    public int Units { get; init; } = 512;

    /// <summary>U: number of external inputs (0 for an autonomous network).</summary>
    public int Inputs { get; init; }

    /// <summary>X: observed channels (equal to N for a unit readout).</summary>
    public int Channels { get; init; } = 1;

    public Activation Activation { get; init; } = Activation.ClippedRelu;

    /// <summary>Shape of the latent noise covariance Σz.</summary>
    public NoiseShape TransitionNoise { get; init; } = NoiseShape.Full;

    /// <summary>Shape of the initial-state covariance Σ0.</summary>
    public NoiseShape InitialNoise { get; init; } = NoiseShape.Full;

    /// <summary>Whether μ0 is a trainable parameter (otherwise fixed at 0).</summary>
    public bool TrainInitialMean { get; init; } = true;

    public InputFilter InputFilter { get; init; } = InputFilter.Raw;

    public Readout Readout { get; init; } = Readout.Latent;

    public Likelihood Likelihood { get; init; } = Likelihood.Gaussian;

    public Link Link { get; init; } = Link.Identity;

    /// <summary>
    /// The convolutional encoder of the learned proposal (docs/vsmc.md, "Encoder proposal"), whose weights are part of
    /// θ (<c>encoder/…</c>); null for a model fitted without one.
    /// </summary>
    public EncoderOptions? Encoder { get; init; }

    /// <summary>Initial standard deviation of the latent noise (Σz = s² I at initialisation).</summary>
    public double InitTransitionNoiseScale { get; init; } = 0.1;

    /// <summary>Initial standard deviation of the initial state (Σ0 = s² I at initialisation).</summary>
    public double InitInitialNoiseScale { get; init; } = 1.0;

    /// <summary>Initial observation standard deviation σx (Gaussian likelihood).</summary>
    public double InitObservationScale { get; init; } = 0.1;

    /// <summary>Initial decay a = 1 − Δt/τ.</summary>
    public double InitDecay { get; init; } = 0.9;

    /// <summary>Variances are clamped to [MinVariance, MaxVariance] (docs/model.md, "Covariance factors").</summary>
    public const double MinVariance = 1e-8;

    /// <summary>Upper clamp of every variance.</summary>
    public const double MaxVariance = 100.0;

    /// <summary>Checks consistency; throws <see cref="InputException"/> with a fix for each problem.</summary>
    public void Validate()
    {
        Check(nameof(Rank), Rank >= 1, $"rank must be at least 1 (got {Rank}).", $"pass {Ref(nameof(Rank))} 1 or more.");
        Check(nameof(Units), Units >= 1, $"units must be at least 1 (got {Units}).", $"pass {Ref(nameof(Units))} 1 or more.");
        Check(nameof(Rank), Rank <= Units, $"rank {Rank} exceeds the number of units {Units}.", $"use {Ref(nameof(Rank))} at most {Ref(nameof(Units))}.");
        Check(nameof(Inputs), Inputs >= 0, $"inputs must be non-negative (got {Inputs}).", "pass a non-negative input count.");
        Check(nameof(Channels), Channels >= 1, $"channels must be at least 1 (got {Channels}).", $"pass {Ref(nameof(Channels))} 1 or more.");
        Check(
            nameof(Readout),
            Readout == Readout.Latent || Channels == Units,
            $"a unit readout ({ModelNames.Of(Readout)}) needs one channel per unit, but channels = {Channels} and units = {Units}.",
            $"set {Ref(nameof(Units))} equal to the number of channels, or use the latent readout.");
        Check(
            nameof(Link),
            Likelihood != Likelihood.Gaussian || Link == Link.Identity,
            $"the Gaussian likelihood uses the identity link (got {ModelNames.Of(Link)}).",
            $"use {Ref(nameof(Link))} identity with {Ref(nameof(Likelihood))} gaussian.");
        Check(
            nameof(Link),
            Likelihood != Likelihood.Poisson || Link != Link.Identity,
            "the Poisson likelihood needs a positive link (exp, softplus or relu), not identity.",
            $"use {Ref(nameof(Link))} exp, softplus or relu with {Ref(nameof(Likelihood))} poisson.");
        Check(
            nameof(InitDecay),
            InitDecay > 0 && InitDecay < 1,
            $"decay must lie in (0, 1) (got {InitDecay}).",
            "pass a decay such as 0.9 (a = 1 − Δt/τ).");
        Check(
            nameof(InitTransitionNoiseScale),
            InitTransitionNoiseScale > 0 && InitInitialNoiseScale > 0 && InitObservationScale > 0,
            "noise scales must be positive.",
            "pass positive noise scales.");

        Encoder?.Validate(Channels, Rank);

        // θ: M and Ñ [N,R], h [N], W [N,U], the R×R noise factors, μ0 [R], C [X,R], d and ρx [X]; and the model's N-sized work vectors.
        double n = Units, r = Rank;
        new MemoryBudget($"a model of {Units:N0} units, rank {Rank}")
            .Doubles("its parameters θ", 2 * n * r + n + n * Inputs + 2 * r * r + r + 1 + (double)Channels * r + 2.0 * Channels)
            .Check($"lower {Ref(nameof(Units))} or {Ref(nameof(Rank))}.");
    }

    private static void Check(string setting, bool condition, string message, string hint)
    {
        if (!condition)
        {
            throw new InputException(message, hint) { Setting = setting };
        }
    }
}
