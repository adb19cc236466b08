using static LowRank.InputException;

namespace LowRank.Simulation;

/// <summary>Where each simulated trial starts.</summary>
public enum InitialStateMode
{
    /// <summary>z_0 ~ N(μ0 + P W v_0, Σ0).</summary>
    PriorSample,

    /// <summary>z_0 = μ0 + P W v_0.</summary>
    PriorMean,

    /// <summary>z_0 drawn from the posterior given the first observation (supplied by the caller).</summary>
    PosteriorSample,

    /// <summary>z_0 = posterior mean given the first observation (supplied by the caller).</summary>
    PosteriorMean,
}

/// <summary>Options of one simulation run.</summary>
public sealed record SimulationOptions
{
    /// <summary>T: recorded steps per trial.</summary>
    public int Steps { get; init; } = 1000;

    /// <summary>Number of trials, simulated in parallel.</summary>
    public int Trials { get; init; } = 1;

    /// <summary>Steps simulated (with zero input) before recording starts.</summary>
    public int BurnIn { get; init; }

    public InitialStateMode Initial { get; init; } = InitialStateMode.PriorSample;

    /// <summary>Multiplies the latent noise ε_t (0 gives the deterministic flow).</summary>
    public double NoiseScale { get; init; } = 1.0;

    /// <summary>Trial i draws from stream i of this seed, so results do not depend on <see cref="Threads"/>.</summary>
    public long Seed { get; init; }

    /// <summary>Worker threads (≥ 1).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>The longest burn-in accepted: 400 times the published protocol's 2400 steps, seconds of work for typical models.</summary>
    public const int MaxBurnIn = 1_000_000;

    /// <summary>Throws <see cref="InputException"/> for values a user could have passed.</summary>
    public void Validate()
    {
        if (Steps < 1)
        {
            throw new InputException($"steps must be at least 1 (got {Steps}).", $"pass {Ref(nameof(Steps))} 1 or more.") { Setting = nameof(Steps) };
        }

        if (Trials < 1)
        {
            throw new InputException($"trials must be at least 1 (got {Trials}).", $"pass {Ref(nameof(Trials))} 1 or more.") { Setting = nameof(Trials) };
        }

        if (BurnIn < 0)
        {
            throw new InputException($"burn-in must be non-negative (got {BurnIn}).", $"pass {Ref(nameof(BurnIn))} 0 or more.") { Setting = nameof(BurnIn) };
        }

        if (BurnIn > MaxBurnIn)
        {
            throw new InputException(
                $"burn-in must be at most {MaxBurnIn:N0} steps (got {BurnIn:N0}); a network forgets its start within a few thousand.",
                $"pass a shorter {Ref(nameof(BurnIn))}, e.g. 2400 (the published protocol).") { Setting = nameof(BurnIn) };
        }

        if (!(NoiseScale >= 0) || double.IsInfinity(NoiseScale))
        {
            throw new InputException($"noise scale must be a finite non-negative number (got {NoiseScale}).", $"pass {Ref(nameof(NoiseScale))} 1 for the fitted noise, 0 for none.") { Setting = nameof(NoiseScale) };
        }

        if (Threads < 1)
        {
            throw new InputException($"threads must be at least 1 (got {Threads}).", $"pass {Ref(nameof(Threads))} 1 or more.") { Setting = nameof(Threads) };
        }
    }
}

/// <summary>
/// Simulated trials (names of docs/file-formats.md): latents [trials,T,R], rates (observation means) [trials,T,X],
/// samples [trials,T,X], inputs [trials,T,U] when the model has inputs.
/// </summary>
public sealed record SimulationResult(int Trials, int Steps, int Rank, int Channels, int InputCount, double[] Latents, double[] Rates, double[] Samples, double[] Inputs);
