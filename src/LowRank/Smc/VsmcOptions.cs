using static LowRank.InputException;

namespace LowRank.Smc;

/// <summary>How particles are proposed at each step (docs/vsmc.md, "Proposals").</summary>
public enum ProposalKind
{
    /// <summary><c>q_t = N(f_t, Σz)</c>; the weight is the observation likelihood.</summary>
    Bootstrap,

    /// <summary>
    /// The locally optimal Gaussian proposal <c>p(z_t | f_t, y_t)</c>; needs the Gaussian likelihood
    /// and a linear readout (latent readout, or unit readout from currents).
    /// </summary>
    Optimal,

    /// <summary>
    /// The learned proposal: the prior N(f_t, Σz) times the per-step Gaussian a convolutional encoder reads from the
    /// observations (<see cref="LowRank.Model.ModelOptions.Encoder"/>), normalised; any likelihood and readout.
    /// </summary>
    Encoder,
}

/// <summary>How ancestors are drawn from the normalised weights.</summary>
public enum ResamplingScheme
{
    /// <summary>One uniform per sequence and step; positions <c>(k + u) / K</c>.</summary>
    Systematic,

    /// <summary>K independent uniforms per sequence and step.</summary>
    Multinomial,
}

/// <summary>Arithmetic of the unit-space kernels (the R×R and per-particle algebra is always double).</summary>
public enum KernelPrecision
{
    /// <summary>float32 SIMD over units: the fast training path.</summary>
    Single,

    /// <summary>float64 throughout: gradient checks and reference runs.</summary>
    Double,
}

/// <summary>Settings of the variational SMC objective.</summary>
public sealed record VsmcOptions
{
    /// <summary>K: particles per sequence.</summary>
    public int Particles { get; init; } = 10;

    public ProposalKind Proposal { get; init; } = ProposalKind.Optimal;

    public ResamplingScheme Resampling { get; init; } = ResamplingScheme.Systematic;

    public KernelPrecision Precision { get; init; } = KernelPrecision.Single;

    /// <summary>Worker threads over the sequences of a batch (results do not depend on it, so it is not part of a fit's settings on file).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Checks the settings against the model; throws <see cref="InputException"/> with a fix.</summary>
    public void Validate(LowRank.Model.ModelOptions model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Particles < 1)
        {
            throw new InputException($"particles must be at least 1 (got {Particles}).", $"pass {Ref(nameof(Particles))} 1 or more (the published EEG fit uses 10).") { Setting = nameof(Particles) };
        }

        if (Threads < 1)
        {
            throw new InputException($"threads must be at least 1 (got {Threads}).", $"pass {Ref(nameof(Threads))} 1 or more.") { Setting = nameof(Threads) };
        }

        if (Proposal == ProposalKind.Encoder && model.Encoder is null)
        {
            throw new InputException(
                "the encoder proposal needs a model with an encoder, but this one has none.",
                $"give the model an encoder (fit {Ref(nameof(Proposal))} encoder adds the published one), or use {Ref(nameof(Proposal))} bootstrap.") { Setting = nameof(Proposal) };
        }

        if (Proposal == ProposalKind.Optimal)
        {
            if (model.Likelihood != LowRank.Model.Likelihood.Gaussian)
            {
                throw new InputException(
                    "the optimal proposal needs the Gaussian likelihood: with Poisson counts p(z_t | f_t, y_t) is not Gaussian.",
                    $"use {Ref(nameof(Proposal))} bootstrap (or encoder) with {Ref(nameof(LowRank.Model.ModelOptions.Likelihood))} poisson.") { Setting = nameof(Proposal) };
            }

            if (model.Readout == LowRank.Model.Readout.Rates)
            {
                throw new InputException(
                    "the optimal proposal needs a linear readout, but the readout is from unit rates.",
                    $"use {Ref(nameof(Proposal))} bootstrap, or read out from currents or the latent state.");
            }
        }
    }
}
