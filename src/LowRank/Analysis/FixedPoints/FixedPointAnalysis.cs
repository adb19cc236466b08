using System.Diagnostics;
using LowRank.Model;
using static LowRank.InputException;

namespace LowRank.Analysis.FixedPoints;

/// <summary>How fixed points are searched for.</summary>
public enum FixedPointMethod
{
    /// <summary>Every cell of the kink arrangement (all isolated fixed points).</summary>
    Exact,

    /// <summary>SCYFI-style cell jumping from random starts (a subset, faster for large R).</summary>
    Approximate,
}

/// <summary>Options of <see cref="FixedPointAnalysis.Run"/>.</summary>
public sealed record FixedPointAnalysisOptions
{
    /// <summary>Constant input u [U] (empty: zero input).</summary>
    public double[] Input { get; init; } = [];

    public FixedPointMethod Method { get; init; } = FixedPointMethod.Exact;

    /// <summary>Also search cycles of every period 2…<see cref="MaxCyclePeriod"/> (0: none).</summary>
    public int MaxCyclePeriod { get; init; }

    /// <summary>Random starts of the approximate and cycle searches.</summary>
    public int Restarts { get; init; } = 200;

    public long Seed { get; init; }

    /// <summary>Worker threads (−1: all cores).</summary>
    public int Threads { get; init; } = -1;

    /// <summary>Progress of the exact enumeration.</summary>
    public IProgressSink Progress { get; init; } = NullProgress.Instance;
}

/// <summary>Fixed points (and optional cycles) of one model at one constant input.</summary>
/// <param name="Map">The latent map that was analysed.</param>
/// <param name="FixedPoints">The search result.</param>
/// <param name="Cycles">Cycles of periods 2…P, by period then position.</param>
/// <param name="Seconds">Wall-clock time of the searches.</param>
public sealed record FixedPointReport(PiecewiseLinearMap Map, FixedPointResult FixedPoints, IReadOnlyList<Cycle> Cycles, double Seconds);

/// <summary>The library entry point of <c>lowrank fixed-points</c>.</summary>
public static class FixedPointAnalysis
{
    /// <summary>Builds the latent map of <paramref name="model"/> at constant input and searches its fixed points and cycles.</summary>
    public static FixedPointReport Run(LowRankRnn model, FixedPointAnalysisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PiecewiseLinearMap map = FromModel(model, options.Input);
        var clock = Stopwatch.StartNew();
        FixedPointResult result = options.Method == FixedPointMethod.Exact
            ? FixedPointFinder.Enumerate(map, new ExactSearchOptions(options.Threads, Progress: options.Progress))
            : FixedPointFinder.SearchApproximate(map, new ApproximateSearchOptions(options.Restarts, Seed: options.Seed, MaxDegreeOfParallelism: options.Threads));
        var cycles = new List<Cycle>();
        for (int period = 2; period <= options.MaxCyclePeriod; period++)
        {
            cycles.AddRange(FixedPointFinder.FindCycles(map, period, new ApproximateSearchOptions(options.Restarts, Seed: options.Seed + period, MaxDegreeOfParallelism: options.Threads)));
        }

        return new FixedPointReport(map, result, cycles, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The deterministic latent map of <paramref name="model"/> at constant input u: <c>c = W u</c>
    /// (a filtered input converges to u, so the same c holds). Throws <see cref="InputException"/> for
    /// activations that are not piecewise linear or a mismatched input length.
    /// </summary>
    public static PiecewiseLinearMap FromModel(LowRankRnn model, IReadOnlyList<double> input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        PiecewiseActivation activation = model.Options.Activation switch
        {
            Activation.Relu => PiecewiseActivation.Relu,
            Activation.ClippedRelu => PiecewiseActivation.ClippedRelu,
            _ => throw new InputException(
                $"fixed points can only be enumerated for piecewise-linear activations (relu, clipped_relu); this model uses {ModelNames.Of(model.Options.Activation)}.",
                $"fit or simulate a model with {Ref("Activation")} relu or clipped_relu."),
        };

        int units = model.Units, rank = model.Rank, inputs = model.Inputs;
        if (input.Count != 0 && input.Count != inputs)
        {
            throw new InputException(
                $"{Ref("Input")} has {input.Count} values but the model has {inputs} inputs.",
                inputs == 0 ? $"this model takes no input: leave out {Ref("Input")}." : $"pass {inputs} comma-separated values, e.g. {Ref("Input")} {string.Join(',', Enumerable.Repeat("0", inputs))}.");
        }

        // c = W u, W [N, U].
        var current = new double[units];
        ReadOnlySpan<double> w = model.W;
        for (int i = 0; i < units && input.Count > 0; i++)
        {
            double sum = 0;
            for (int u = 0; u < inputs; u++)
            {
                sum += w[i * inputs + u] * input[u];
            }

            current[i] = sum;
        }

        return new PiecewiseLinearMap(model.M.ToArray(), model.N.ToArray(), model.H.ToArray(), current, model.Decay, activation, units, rank);
    }
}
