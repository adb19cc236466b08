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

    /// <summary>Seed of the generated series and of the D_stsp Monte-Carlo draws (of series 0; series g uses <see cref="ProtocolEvaluator.SeedOfGeneration"/>).</summary>
    public long Seed { get; init; }

    /// <summary>Series generated from independent seeds and scored, each by the published protocol (published: 1).</summary>
    public int Generations { get; init; } = 1;

    /// <summary>Worker threads of the metrics (figures do not depend on it).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// What is done to the recording before scoring (published: none, the EEG evaluation file is smoothed and z-scored
    /// already). A recording as fitted (z-scored, not smoothed) is scored like the generated series with
    /// <see cref="SeriesPreprocessing.HannSmoothThenZScore"/>, as the choice among a fit's starts does.
    /// </summary>
    public SeriesPreprocessing DataPreprocessing { get; init; } = SeriesPreprocessing.None;

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

        if (Generations < 1)
        {
            throw new InputException($"{Ref(nameof(Generations))} must be at least 1 (got {Generations}).", $"pass {Ref(nameof(Generations))} 1 (the published protocol, one series) or more to average over independently generated series.") { Setting = nameof(Generations) };
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

/// <summary>
/// Scores a fitted model by the published protocol: generate one long series from the model (initial
/// state, burn-in, then as many steps as the scored data, with latent noise and sampled observations),
/// then D_stsp and D_H of the generated observations against the data. With
/// <see cref="EvaluationRequest.Generations"/> G &gt; 1 it does so for G series, series g with its own seed
/// <see cref="SeedOfGeneration"/>, and reports their mean and spread.
/// </summary>
public static class ProtocolEvaluator
{
    /// <summary>Stream of the seed that draws the posterior initial state (the simulator uses stream 0 for the trial).</summary>
    internal const long InitialStateStream = 3L << 48;

    /// <summary>Stream of the seed from which series g ≥ 1 takes its seed (stream <c>GenerationSeedStream + g</c>).</summary>
    private const long GenerationSeedStream = 4L << 48;

    /// <summary>
    /// The seed of generated series <paramref name="generation"/>: <paramref name="seed"/> itself for series 0 (so one
    /// series is exactly the published protocol with that seed), and for g ≥ 1 the first 63 bits of
    /// <c>Rng.Create(seed, 2^50 + g)</c>, a non-negative seed unrelated to <paramref name="seed"/> + g.
    /// The series' initial state, its simulation and its D_stsp draws all come from this seed.
    /// </summary>
    public static long SeedOfGeneration(long seed, int generation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(generation);
        return generation == 0 ? seed : (long)(Rng.Create(seed, GenerationSeedStream + generation).NextUInt64() >> 1);
    }

    /// <summary>
    /// Evaluates <paramref name="model"/> on a continuous recording <paramref name="data"/> [T, X]
    /// (inputs [T, U] when the model has inputs). Each generated series starts from a draw of the
    /// posterior of z_0 given the first scored observation when the model has a Gaussian likelihood and
    /// a linear readout (the published protocol), and from a prior draw otherwise. Series are generated and
    /// scored one after another (each with <see cref="EvaluationRequest.Threads"/> threads); the figures do not
    /// depend on the thread count. <paramref name="progress"/> hears of each finished series.
    /// </summary>
    public static EvaluationResult Evaluate(LowRankRnn model, SequenceSet data, EvaluationRequest request, IProgressSink? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        (SequenceSet scored, int first) = ScoredPart(model, data, request);
        int steps = scored.Steps, x = scored.Channels, generations = request.Generations;
        RequireVarying(scored.Observations, steps, x, $"channel {{0}} of the scored recording is constant (every value is {{1}})", "the metrics compare normalised spectra and state-space densities, which a constant channel does not have; drop the channel or score another recording.");

        // Series are scored one at a time; only their figures are kept, G of each.
        new MemoryBudget("the evaluation")
            .Doubles("D_stsp of every seed of every series", generations, request.Seeds)
            .Add("dropped draws of every seed of every series", 1, sizeof(int), generations, request.Seeds)
            .Doubles("D_H of every channel of every series", generations, x)
            .Check($"lower {Ref(nameof(EvaluationRequest.Generations))} or {Ref(nameof(EvaluationRequest.Seeds))}.");

        InitialPosterior? posterior = PosteriorOfInitialState(model, scored);
        var series = new GeneratedSeriesScore[generations];
        for (int g = 0; g < generations; g++)
        {
            long seed = SeedOfGeneration(request.Seed, g);
            string which = generations > 1 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (series {g}, seed {seed})") : "";
            series[g] = ScoreSeries(model, scored, posterior, request, g, seed, which);
            progress?.Report(new ProgressUpdate(
                "generated series",
                g + 1,
                generations,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"d_stsp {series[g].Metrics.DStsp:0.000}  d_h {series[g].Metrics.DH:0.0000}")));
        }

        return new EvaluationResult(series, first, steps, request.BurnIn, posterior is null ? "prior_sample" : "posterior_sample")
        {
            DataDominantFrequency = Spectra.DominantFrequencyOrNaN(scored.Observations, steps, x),
        };
    }

    /// <summary>
    /// Checks that <paramref name="data"/> is a continuous recording with the model's channels and inputs; throws
    /// <see cref="InputException"/> otherwise.
    /// </summary>
    internal static void CheckData(LowRankRnn model, SequenceSet data)
    {
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
    }

    /// <summary>The part of <paramref name="data"/> that is scored (all of it, or the held-out end) and the index of its first step, after <see cref="CheckData"/>.</summary>
    internal static (SequenceSet Scored, int FirstStep) ScoredPart(LowRankRnn model, SequenceSet data, EvaluationRequest request)
    {
        CheckData(model, data);
        if (request.Holdout is double holdout)
        {
            (_, SequenceSet scored, int first) = data.Split(holdout);
            return (scored, first);
        }

        return (data, 0);
    }

    /// <summary>
    /// The posterior of z_0 given the first scored observation when the model allows it (Gaussian likelihood, linear
    /// readout: the published protocol), else null (generated series then start from a prior draw).
    /// </summary>
    internal static InitialPosterior? PosteriorOfInitialState(LowRankRnn model, SequenceSet scored) =>
        ParticleFilter.InferenceProposal(model.Options) == ProposalKind.Optimal
            ? ParticleFilter.PosteriorOfInitialState(model, scored.Observations.AsSpan(0, scored.Channels), scored.InputValues.AsSpan(0, scored.Inputs))
            : null;

    /// <summary>
    /// Generates one series as long as <paramref name="scored"/> with <paramref name="seed"/>: the initial state drawn
    /// from <paramref name="posterior"/> (stream <see cref="InitialStateStream"/>) or the prior, <paramref name="burnIn"/>
    /// steps, then the recorded steps with the scored data's inputs.
    /// </summary>
    internal static SimulationResult Generate(LowRankRnn model, SequenceSet scored, InitialPosterior? posterior, int burnIn, long seed)
    {
        double[]? z0 = posterior?.Sample(Rng.Create(seed, InitialStateStream));
        var simulation = new SimulationOptions
        {
            Steps = scored.Steps,
            Trials = 1,
            BurnIn = burnIn,
            Initial = z0 is null ? InitialStateMode.PriorSample : InitialStateMode.PosteriorSample,
            Seed = seed,
            Threads = 1,
        };
        return Simulator.Run(model, simulation, model.Inputs > 0 ? scored.InputValues : null, z0);
    }

    /// <summary>
    /// Generates series <paramref name="generation"/> with <paramref name="seed"/> (initial state, simulation) and scores
    /// it against <paramref name="scored"/> with Monte-Carlo seed <paramref name="seed"/>: the published protocol; with
    /// the series' dominant frequency.
    /// </summary>
    private static GeneratedSeriesScore ScoreSeries(LowRankRnn model, SequenceSet scored, InitialPosterior? posterior, EvaluationRequest request, int generation, long seed, string which)
    {
        int steps = scored.Steps, x = scored.Channels;
        SimulationResult generated = Generate(model, scored, posterior, request.BurnIn, seed);
        RequireVarying(generated.Samples, steps, x, "channel {0} of the series the model generated" + which + " is constant (every value is {1})", "the model's readout of that channel does not move (zero readout weights and noise?); check the model with 'lowrank inspect' or refit it.");
        MetricsReport metrics = MetricsEvaluator.Evaluate(
            generated.Samples,
            scored.Observations,
            steps,
            x,
            new MetricsOptions { Seeds = request.Seeds, Seed = seed, MaxThreads = request.Threads, DataPreprocessing = request.DataPreprocessing });
        return new GeneratedSeriesScore(generation, seed, metrics, Spectra.DominantFrequencyOrNaN(generated.Samples, steps, x));
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
