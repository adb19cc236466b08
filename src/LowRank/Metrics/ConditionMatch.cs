using System.Globalization;

namespace LowRank.Metrics;

/// <summary>
/// The conditions of a true set of trials and, for each, its trials in the true and in the generated set (docs/metrics.md,
/// "Conditions"). Labels match when they differ by at most 1e-6·max(1, |label|).
/// </summary>
public sealed class ConditionMatch
{
    /// <summary>The relative tolerance within which two condition labels are the same condition.</summary>
    public const double Tolerance = 1e-6;

    private ConditionMatch(double[] conditions, int[][] generatedTrials, int[][] trueTrials)
    {
        Conditions = conditions;
        GeneratedTrials = generatedTrials;
        TrueTrials = trueTrials;
    }

    /// <summary>The distinct labels of the true trials, ascending [C].</summary>
    public IReadOnlyList<double> Conditions { get; }

    /// <summary>The generated trials of each condition [C][…], ascending.</summary>
    public IReadOnlyList<int[]> GeneratedTrials { get; }

    /// <summary>The true trials of each condition [C][…], ascending.</summary>
    public IReadOnlyList<int[]> TrueTrials { get; }

    /// <summary>Whether <paramref name="label"/> and <paramref name="condition"/> name the same condition.</summary>
    public static bool Same(double label, double condition) => Math.Abs(label - condition) <= Tolerance * Math.Max(1, Math.Abs(condition));

    /// <summary>The index of the condition <paramref name="label"/> names, or −1.</summary>
    public int IndexOf(double label)
    {
        for (int c = 0; c < Conditions.Count; c++)
        {
            if (Same(label, Conditions[c]))
            {
                return c;
            }
        }

        return -1;
    }

    /// <summary>
    /// Matches the generated trials to the true trials' conditions. An <see cref="InputException"/> when the two sets differ
    /// in steps or units, when a generated label is no true condition, or when a condition has fewer than 2 trials in
    /// either set (none generated included).
    /// </summary>
    public static ConditionMatch Of(ConditionTrials generated, ConditionTrials truth)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(truth);
        if (generated.Units != truth.Units || generated.Steps != truth.Steps)
        {
            throw new InputException(
                $"{generated.Source} has trials of {generated.Steps} steps and {generated.Units} units, but {truth.Source} has {truth.Steps} steps and {truth.Units} units.",
                "generate with the inputs of the true trials (same T) from a model fitted to the same units (same K).");
        }

        double[] conditions = [.. truth.Conditions.Distinct().Order()];
        var match = new ConditionMatch(conditions, Group(generated, conditions, out int stray), Group(truth, conditions, out _));
        if (stray >= 0)
        {
            throw new InputException(
                $"generated trial {stray} has condition {Format(generated.Conditions[stray])}, which no trial of {truth.Source} has (its conditions: {FormatList(conditions)}).",
                "compare generated trials with the true trials of the same conditions: generate with the inputs of the true file.");
        }

        for (int c = 0; c < conditions.Length; c++)
        {
            int generatedCount = match.GeneratedTrials[c].Length, trueCount = match.TrueTrials[c].Length;
            if (generatedCount == 0)
            {
                throw new InputException(
                    $"condition {Format(conditions[c])} of {truth.Source} has no generated trials in {generated.Source}.",
                    "generate trials for every condition of the true file (its inputs give each trial's condition), or compare against a true file of only the generated conditions.");
            }

            if (generatedCount < 2 || trueCount < 2)
            {
                (string where, int count) = generatedCount < 2 ? (generated.Source, generatedCount) : (truth.Source, trueCount);
                throw new InputException(
                    $"condition {Format(conditions[c])} has only {count} trial in {where}; a PSTH and its comparison need at least 2 trials per condition.",
                    "simulate or generate at least 2 trials of every condition.");
            }
        }

        return match;
    }

    private static int[][] Group(ConditionTrials trials, double[] conditions, out int stray)
    {
        stray = -1;
        var groups = new List<int>[conditions.Length];
        for (int c = 0; c < conditions.Length; c++)
        {
            groups[c] = [];
        }

        for (int s = 0; s < trials.Trials; s++)
        {
            int c = Array.FindIndex(conditions, condition => Same(trials.Conditions[s], condition));
            if (c < 0)
            {
                stray = stray < 0 ? s : stray;
                continue;
            }

            groups[c].Add(s);
        }

        return [.. groups.Select(g => g.ToArray())];
    }

    /// <summary>A label as messages show it: <c>45</c>, <c>22.5</c>.</summary>
    public static string Format(double label) => label.ToString("G7", CultureInfo.InvariantCulture);

    private static string FormatList(IEnumerable<double> labels) => string.Join(", ", labels.Select(Format));
}
