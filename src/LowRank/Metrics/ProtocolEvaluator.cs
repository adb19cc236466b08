using LowRank.Data;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Simulation;
using LowRank.Smc;
using static LowRank.InputException;

namespace LowRank.Metrics;

/// <summary>How a fitted model is scored against a recording (docs/metrics.md, the published EEG protocol).</summary>
public sealed record EvaluationRequest
{
    /// <summary>Steps simulated (with zero input) before recording (published 2400).</summary>
    public int BurnIn { get; init; } = 2400;

    /// <summary>Monte-Carlo repetitions of D_stsp averaged (published protocol: several).</summary>
    public int Seeds { get; init; } = 5;

    /// <summary>Score on the last fraction of the recording only (null: all of it, as published).</summary>
    public double? Holdout { get; init; }

    /// <summary>Seed of the generated series and of the D_stsp Monte-Carlo draws.</summary>
    public long Seed { get; init; }

    /// <summary>Worker threads of the metrics (figures do not depend on it).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Checks the settings; throws <see cref="InputException"/> with a fix.</summary>
    public void Validate()
    {
        if (BurnIn < 0)
        {
            throw new InputException($"{Ref(nameof(BurnIn))} must be 0 or more (got {BurnIn}).", $"pass {Ref(nameof(BurnIn))} 2400 (the published protocol) or another non-negative count.") { Setting = nameof(BurnIn) };
        }

        if (BurnIn > SimulationOptions.MaxBurnIn)
        {
            throw new InputException(
                $"{Ref(nameof(BurnIn))} must be at most {SimulationOptions.MaxBurnIn:N0} steps (got {BurnIn:N0}); a network forgets its start within a few thousand.",
                $"pass {Ref(nameof(BurnIn))} 2400 (the published protocol) or another count up to {SimulationOptions.MaxBurnIn:N0}.") { Setting = nameof(BurnIn) };
        }

        if (Seeds < 1)
        {
            throw new InputException($"{Ref(nameof(Seeds))} must be at least 1 (got {Seeds}).", $"pass {Ref(nameof(Seeds))} 5 (the published protocol averages several).") { Setting = nameof(Seeds) };
        }

        if (Threads < 1)
        {
            throw new InputException($"{Ref(nameof(Threads))} must be at least 1 (got {Threads}).", $"pass {Ref(nameof(Threads))} 1 or more.") { Setting = nameof(Threads) };
        }

        if (Holdout is double holdout && !(holdout > 0 && holdout < 1))
        {
            throw new InputException($"the held-out fraction must lie strictly between 0 and 1 (got {holdout}).", $"pass a fraction such as {Ref(nameof(Holdout))} 0.2.") { Setting = nameof(Holdout) };
        }
    }
}

/// <summary>The metrics of a model against a recording, with how they were obtained.</summary>
/// <param name="Metrics">D_stsp (mean and sd over seeds, per seed, dropped draws) and D_H.</param>
/// <param name="FirstStep">First step of the recording that was scored (the held-out boundary, or 0).</param>
/// <param name="Steps">Steps scored (and generated after the burn-in).</param>
/// <param name="BurnIn">Steps simulated before recording.</param>
/// <param name="InitialState">How the generated series started: <c>prior_sample</c> or <c>posterior_sample</c>.</param>
public sealed record EvaluationResult(MetricsReport Metrics, int FirstStep, int Steps, int BurnIn, string InitialState);

/// <summary>
/// Scores a fitted model by the published protocol: generate one long series from the model (initial
/// state, burn-in, then as many steps as the scored data, with latent noise and sampled observations),
/// then D_stsp and D_H of the generated observations against the data.
/// </summary>
public static class ProtocolEvaluator
{
    /// <summary>Stream of the seed that draws the posterior initial state (the simulator uses stream 0 for the trial).</summary>
    private const long InitialStateStream = 3L << 48;

    /// <summary>
    /// Evaluates <paramref name="model"/> on a continuous recording <paramref name="data"/> [T, X]
    /// (inputs [T, U] when the model has inputs). The generated series starts from a draw of the
    /// posterior of z_0 given the first scored observation when the model has a Gaussian likelihood and
    /// a linear readout (the published protocol), and from a prior draw otherwise.
    /// </summary>
    public static EvaluationResult Evaluate(LowRankRnn model, SequenceSet data, EvaluationRequest request)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        if (!data.IsContinuous)
        {
            throw new InputException(
                $"the metrics compare one long series, but the data holds {data.Count} trials.",
                "evaluate on a continuous recording of shape [T, X].");
        }

        if (data.Channels != model.Channels)
        {
            throw new InputException(
                $"the data has {data.Channels} channels but the model reads out {model.Channels}.",
                "evaluate the model on the kind of recording it was fitted to.");
        }

        if (data.Inputs != model.Inputs)
        {
            throw new InputException(
                $"the data has {data.Inputs} inputs but the model expects {model.Inputs}.",
                "evaluate on a recording with the inputs the model was fitted with.");
        }

        SequenceSet scored = data;
        int first = 0;
        if (request.Holdout is double holdout)
        {
            (_, scored, first) = data.Split(holdout);
        }

        int steps = scored.Steps, x = scored.Channels;
        RequireVarying(scored.Observations, steps, x, $"channel {{0}} of the scored recording is constant (every value is {{1}})", "the metrics compare normalised spectra and state-space densities, which a constant channel does not have; drop the channel or score another recording.");
        double[]? z0 = null;
        if (model.Options.Likelihood == Likelihood.Gaussian && model.Options.Readout != Readout.Rates)
        {
            InitialPosterior posterior = ParticleFilter.PosteriorOfInitialState(
                model, scored.Observations.AsSpan(0, x), scored.InputValues.AsSpan(0, scored.Inputs));
            z0 = posterior.Sample(Rng.Create(request.Seed, InitialStateStream));
        }

        var simulation = new SimulationOptions
        {
            Steps = steps,
            Trials = 1,
            BurnIn = request.BurnIn,
            Initial = z0 is null ? InitialStateMode.PriorSample : InitialStateMode.PosteriorSample,
            Seed = request.Seed,
            Threads = 1,
        };
        SimulationResult generated = Simulator.Run(model, simulation, model.Inputs > 0 ? scored.InputValues : null, z0);
        RequireVarying(generated.Samples, steps, x, "channel {0} of the series the model generated is constant (every value is {1})", "the model's readout of that channel does not move (zero readout weights and noise?); check the model with 'lowrank inspect' or refit it.");
        MetricsReport metrics = MetricsEvaluator.Evaluate(
            generated.Samples,
            scored.Observations,
            steps,
            x,
            new MetricsOptions { Seeds = request.Seeds, Seed = request.Seed, MaxThreads = request.Threads });
        return new EvaluationResult(metrics, first, steps, request.BurnIn, z0 is null ? "prior_sample" : "posterior_sample");
    }

    /// <summary>Throws <see cref="InputException"/> for the first channel of <paramref name="series"/> [T, X] whose values are all equal (or not finite).</summary>
    private static void RequireVarying(double[] series, int steps, int channels, string message, string hint)
    {
        for (int c = 0; c < channels; c++)
        {
            double first = series[c];
            bool varies = false;
            for (int t = 1; t < steps && !varies; t++)
            {
                varies = series[t * channels + c] != first;
            }

            if (!varies)
            {
                throw new InputException(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, c, first) + ".", hint);
            }
        }
    }
}
