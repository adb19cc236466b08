using LowRank.Metrics;
using LowRank.Numerics;

namespace LowRank.Decoding;

/// <summary>
/// A linear decoder of a direction (a condition label in degrees) from a trial's spike counts (docs/metrics.md, "Conditions").
/// </summary>
/// <remarks>
/// Dimensions: S trials, T steps, K units, W windows. A trial's features [K·W] are each unit's mean count in W equal
/// consecutive windows of the trial, window w covering steps ⌊wT/W⌋ … ⌊(w+1)T/W⌋ − 1; the targets are (cos θ, sin θ) of
/// the trial's label θ. A <see cref="RidgeDecoder"/> maps features to targets; the decoded angle is
/// <c>atan2(ŷ_sin, ŷ_cos)</c> in [0, 360) (<see cref="Angles.OfVector"/>), which does not depend on the length the
/// penalty shrinks ŷ to.
/// </remarks>
public sealed class ReachDirectionDecoder
{
    private readonly RidgeDecoder _decoder;

    private ReachDirectionDecoder(RidgeDecoder decoder, int windows, int steps, int units)
    {
        _decoder = decoder;
        Windows = windows;
        Steps = steps;
        Units = units;
    }

    /// <summary>W.</summary>
    public int Windows { get; }

    /// <summary>T of the trials it reads.</summary>
    public int Steps { get; }

    /// <summary>K of the trials it reads.</summary>
    public int Units { get; }

    /// <summary>Fits the decoder to <paramref name="trialIndices"/> of <paramref name="trials"/> (all trials when null).</summary>
    public static ReachDirectionDecoder Fit(ConditionTrials trials, int windows, double ridge, IReadOnlyList<int>? trialIndices = null)
    {
        ArgumentNullException.ThrowIfNull(trials);
        int[] fitted = trialIndices is null ? [.. Enumerable.Range(0, trials.Trials)] : [.. trialIndices];
        double[] all = WindowFeatures(trials, windows);
        int features = trials.Units * windows;
        var x = new double[fitted.Length * features];
        var y = new double[fitted.Length * 2];
        for (int i = 0; i < fitted.Length; i++)
        {
            all.AsSpan(fitted[i] * features, features).CopyTo(x.AsSpan(i * features, features));
            double radians = trials.Conditions[fitted[i]] * Math.PI / 180;
            y[2 * i] = Math.Cos(radians);
            y[(2 * i) + 1] = Math.Sin(radians);
        }

        return new ReachDirectionDecoder(RidgeDecoder.Fit(x, features, y, 2, ridge), windows, trials.Steps, trials.Units);
    }

    /// <summary>The decoded angle of every trial of <paramref name="trials"/> in degrees, [0, 360) [S].</summary>
    public double[] Decode(ConditionTrials trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        if (trials.Steps != Steps || trials.Units != Units)
        {
            throw new ArgumentException($"trials of [{trials.Steps}, {trials.Units}]; the decoder reads [{Steps}, {Units}].", nameof(trials));
        }

        double[] predicted = _decoder.Predict(WindowFeatures(trials, Windows)); // [S, 2]
        var angles = new double[trials.Trials];
        for (int s = 0; s < angles.Length; s++)
        {
            angles[s] = Angles.OfVector(predicted[2 * s], predicted[(2 * s) + 1]);
        }

        return angles;
    }

    /// <summary>
    /// The decoded angle of every trial of <paramref name="trials"/> by a decoder fitted without it: the trials are shuffled
    /// with <c>Rng.Create(seed)</c> and dealt into min(<paramref name="folds"/>, S) folds (shuffled trial i into fold i mod
    /// folds); each fold is decoded by the decoder fitted to the others [S].
    /// </summary>
    public static double[] CrossValidatedAngles(ConditionTrials trials, int windows, double ridge, int folds, long seed)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials.Trials, 2);
        int count = Math.Min(folds, trials.Trials);
        int[] order = Rng.Create(seed).Permutation(trials.Trials);
        var angles = new double[trials.Trials];
        for (int fold = 0; fold < count; fold++)
        {
            var held = new List<int>();
            var fitted = new List<int>();
            for (int i = 0; i < order.Length; i++)
            {
                (i % count == fold ? held : fitted).Add(order[i]);
            }

            held.Sort();
            fitted.Sort();
            ReachDirectionDecoder decoder = Fit(trials, windows, ridge, fitted);
            double[] decoded = decoder.Decode(Subset(trials, held));
            for (int i = 0; i < held.Count; i++)
            {
                angles[held[i]] = decoded[i];
            }
        }

        return angles;
    }

    /// <summary>The features of every trial [S, K·W]: unit k's mean count in window w at column k·W + w.</summary>
    public static double[] WindowFeatures(ConditionTrials trials, int windows)
    {
        ArgumentNullException.ThrowIfNull(trials);
        int steps = trials.Steps, units = trials.Units;
        ArgumentOutOfRangeException.ThrowIfLessThan(windows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(windows, steps);
        int features = units * windows;
        var result = new double[trials.Trials * features];
        for (int s = 0; s < trials.Trials; s++)
        {
            ReadOnlySpan<double> trial = trials.Trial(s); // [T, K]
            Span<double> row = result.AsSpan(s * features, features);
            for (int w = 0; w < windows; w++)
            {
                int first = (int)((long)w * steps / windows), end = (int)((long)(w + 1) * steps / windows);
                for (int t = first; t < end; t++)
                {
                    for (int k = 0; k < units; k++)
                    {
                        row[(k * windows) + w] += trial[(t * units) + k];
                    }
                }

                for (int k = 0; k < units; k++)
                {
                    row[(k * windows) + w] /= end - first;
                }
            }
        }

        return result;
    }

    private static ConditionTrials Subset(ConditionTrials trials, List<int> indices)
    {
        int size = trials.Steps * trials.Units;
        var counts = new double[indices.Count * size];
        var labels = new double[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            trials.Trial(indices[i]).CopyTo(counts.AsSpan(i * size, size));
            labels[i] = trials.Conditions[indices[i]];
        }

        return new ConditionTrials(counts, trials.Steps, trials.Units, labels, trials.Source);
    }
}
