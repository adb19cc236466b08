using LowRank.Formats;

namespace LowRank.Metrics;

/// <summary>
/// Spike counts of S trials with a condition label per trial (a reach direction in degrees, say): what
/// <see cref="ConditionComparison"/> compares (docs/metrics.md, "Conditions").
/// </summary>
/// <remarks>Dimensions: S trials, T steps per trial, K units. <see cref="Counts"/> is [S, T, K] row-major.</remarks>
public sealed class ConditionTrials
{
    /// <summary>Trials from their counts [S, T, K] and labels [S]; a programmer error when the sizes disagree.</summary>
    /// <param name="counts">Spike counts [S, T, K].</param>
    /// <param name="steps">T ≥ 1.</param>
    /// <param name="units">K ≥ 1.</param>
    /// <param name="conditions">The condition label of each trial [S].</param>
    /// <param name="source">How messages name the trials, e.g. <c>the generated trials 'gen.npz'</c>.</param>
    public ConditionTrials(double[] counts, int steps, int units, double[] conditions, string source)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(conditions);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        if (counts.Length != (long)conditions.Length * steps * units)
        {
            throw new ArgumentException(
                $"counts hold {counts.Length} values; expected [S, T, K] = [{conditions.Length}, {steps}, {units}].", nameof(counts));
        }

        Counts = counts;
        Steps = steps;
        Units = units;
        Conditions = conditions;
        Source = source;
    }

    /// <summary>Spike counts [S, T, K].</summary>
    public double[] Counts { get; }

    /// <summary>S.</summary>
    public int Trials => Conditions.Count;

    /// <summary>T.</summary>
    public int Steps { get; }

    /// <summary>K.</summary>
    public int Units { get; }

    /// <summary>The label of each trial [S].</summary>
    public IReadOnlyList<double> Conditions { get; }

    /// <summary>How messages name these trials.</summary>
    public string Source { get; }

    /// <summary>The counts of trial <paramref name="trial"/> [T, K].</summary>
    public ReadOnlySpan<double> Trial(int trial) => Counts.AsSpan(trial * Steps * Units, Steps * Units);

    /// <summary>
    /// Trials from the arrays of a file: <paramref name="samples"/> [S, T, K] and <paramref name="condition"/> [S], every
    /// value finite; anything else is an <see cref="InputException"/> naming <paramref name="source"/>.
    /// </summary>
    public static ConditionTrials FromArrays(NdArray samples, NdArray condition, string source)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(condition);
        int[] shape = samples.Shape;
        if (shape.Length != 3 || shape.Any(d => d < 1))
        {
            throw new InputException(
                $"samples of {source} has shape {NdArray.FormatShape(shape)}; expected [trials, T, units].",
                "write the spike counts of equal-length trials as one array samples [trials, T, units].");
        }

        if (condition.Rank != 1 || condition.Shape[0] != shape[0])
        {
            throw new InputException(
                $"condition of {source} has shape {NdArray.FormatShape(condition.Shape)} but samples has {shape[0]} trials ({NdArray.FormatShape(shape)}).",
                $"write one condition label per trial: condition [{shape[0]}].");
        }

        int bad = Array.FindIndex(condition.Data, v => !double.IsFinite(v));
        if (bad >= 0)
        {
            throw new InputException($"condition of {source} is {condition.Data[bad]} at trial {bad}.", "label every trial with a finite condition value.");
        }

        bad = Array.FindIndex(samples.Data, v => !double.IsFinite(v));
        if (bad >= 0)
        {
            int[] at = samples.IndexOf(bad);
            throw new InputException(
                $"samples of {source} is {samples.Data[bad]} at trial {at[0]}, step {at[1]}, unit {at[2]}; the per-condition comparison needs every bin observed.",
                "drop the trials with missing bins, or fill them, before comparing.");
        }

        return new ConditionTrials(samples.Data, shape[1], shape[2], condition.Data, source);
    }
}
