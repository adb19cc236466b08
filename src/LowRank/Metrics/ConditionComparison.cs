using LowRank.Numerics;

namespace LowRank.Metrics;

/// <summary>
/// Generated against true activity of one condition (docs/metrics.md, "Conditions"): the PSTHs [T, K], their population R²,
/// each unit's R² and their median, and the correlation over units of the mean counts.
/// </summary>
/// <param name="Condition">The condition's label.</param>
/// <param name="GeneratedTrials">The condition's generated trials.</param>
/// <param name="TrueTrials">The condition's true trials.</param>
/// <param name="GeneratedPsth">The generated PSTH [T, K].</param>
/// <param name="TruePsth">The true PSTH [T, K].</param>
/// <param name="PopulationR2">R² of the flattened [T, K] PSTHs (<see cref="PsthScores.PopulationR2"/>).</param>
/// <param name="UnitR2">Each unit's R² over time [K] (NaN for a unit with a constant true PSTH).</param>
/// <param name="UnitR2Median">The median of <paramref name="UnitR2"/> over the units that have one (NaN if none).</param>
/// <param name="GeneratedMeanCounts">Each unit's mean generated count over trials and steps [K].</param>
/// <param name="TrueMeanCounts">Each unit's mean true count over trials and steps [K].</param>
/// <param name="MeanRateCorrelation">Pearson's correlation over units of the two mean counts (NaN when either has no spread).</param>
public sealed record ConditionPsthComparison(
    double Condition,
    int[] GeneratedTrials,
    int[] TrueTrials,
    double[] GeneratedPsth,
    double[] TruePsth,
    double PopulationR2,
    double[] UnitR2,
    double UnitR2Median,
    double[] GeneratedMeanCounts,
    double[] TrueMeanCounts,
    double MeanRateCorrelation);

/// <summary>Compares generated with true trials condition by condition (docs/metrics.md, "Conditions").</summary>
public static class ConditionComparison
{
    /// <summary>The comparison of every condition of <paramref name="match"/>, in its order, with PSTHs smoothed by σ = <paramref name="psthSmoothing"/> steps.</summary>
    public static IReadOnlyList<ConditionPsthComparison> Compare(ConditionTrials generated, ConditionTrials truth, ConditionMatch match, double psthSmoothing)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(match);
        var result = new ConditionPsthComparison[match.Conditions.Count];
        for (int c = 0; c < result.Length; c++)
        {
            result[c] = CompareOne(generated, truth, match.Conditions[c], match.GeneratedTrials[c], match.TrueTrials[c], psthSmoothing);
        }

        return result;
    }

    /// <summary>The comparison of one condition: <paramref name="generatedTrials"/> of <paramref name="generated"/> against <paramref name="trueTrials"/> of <paramref name="truth"/>.</summary>
    public static ConditionPsthComparison CompareOne(ConditionTrials generated, ConditionTrials truth, double condition, int[] generatedTrials, int[] trueTrials, double psthSmoothing)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(truth);
        int steps = truth.Steps, units = truth.Units;
        if (generated.Steps != steps || generated.Units != units)
        {
            throw new ArgumentException($"generated trials of [{generated.Steps}, {generated.Units}] against true trials of [{steps}, {units}].", nameof(generated));
        }

        var generatedPsth = new double[steps * units];
        var truePsth = new double[steps * units];
        PsthScores.Psth(generated.Counts, steps, units, generatedTrials, psthSmoothing, generatedPsth);
        PsthScores.Psth(truth.Counts, steps, units, trueTrials, psthSmoothing, truePsth);
        var unitR2 = new double[units];
        PsthScores.UnitR2(generatedPsth, truePsth, units, unitR2);
        double[] generatedMeans = PsthScores.MeanCounts(generated.Counts, steps, units, generatedTrials);
        double[] trueMeans = PsthScores.MeanCounts(truth.Counts, steps, units, trueTrials);
        return new ConditionPsthComparison(
            condition,
            generatedTrials,
            trueTrials,
            generatedPsth,
            truePsth,
            PsthScores.PopulationR2(generatedPsth, truePsth),
            unitR2,
            FiniteMedian(unitR2),
            generatedMeans,
            trueMeans,
            Statistics.Correlation(generatedMeans, trueMeans));
    }

    /// <summary>The median of the finite values (NaN when there are none).</summary>
    public static double FiniteMedian(IEnumerable<double> values) => Statistics.Median([.. values.Where(double.IsFinite)]);
}
