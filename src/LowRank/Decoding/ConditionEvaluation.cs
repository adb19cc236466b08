using LowRank.Metrics;

namespace LowRank.Decoding;

/// <summary>One condition's scores (docs/metrics.md, "Conditions").</summary>
/// <param name="Seen">Whether the student was fitted on this condition.</param>
/// <param name="Psth">The PSTHs and their scores.</param>
/// <param name="AngleErrorDeg">The median over the condition's generated trials of |wrap(decoded − condition)| in degrees.</param>
/// <param name="DecodedAngleDeg">The circular mean of the decoded angles of its generated trials, in [0, 360).</param>
public sealed record ConditionScore(bool Seen, ConditionPsthComparison Psth, double AngleErrorDeg, double DecodedAngleDeg)
{
    /// <summary>The condition's label.</summary>
    public double Condition => Psth.Condition;
}

/// <summary>The medians over a group of conditions (seen or unseen); null figures for an empty group.</summary>
/// <param name="Conditions">The group's conditions.</param>
/// <param name="PsthR2Population">The median of the conditions' population PSTH R².</param>
/// <param name="PsthR2UnitMedian">The median of the conditions' median per-unit PSTH R².</param>
/// <param name="MeanRateCorrelation">The median of the conditions' mean-rate correlations.</param>
/// <param name="AngleErrorDeg">The median of the conditions' angle errors, in degrees.</param>
public sealed record ConditionGroupScore(
    IReadOnlyList<double> Conditions,
    double? PsthR2Population,
    double? PsthR2UnitMedian,
    double? MeanRateCorrelation,
    double? AngleErrorDeg);

/// <summary>
/// Generated against true activity per condition (docs/metrics.md, "Conditions"): each condition's scores, the medians over the
/// seen and the unseen conditions, the decoded angle of every generated trial and the decoder's cross-validated error on the true trials.
/// </summary>
/// <param name="Conditions">Per condition, in ascending label order.</param>
/// <param name="Seen">Medians over the seen conditions.</param>
/// <param name="Unseen">Medians over the unseen conditions.</param>
/// <param name="GeneratedAngles">The decoded angle of every generated trial [S'], in degrees.</param>
/// <param name="GeneratedConditions">The condition index of every generated trial [S'].</param>
/// <param name="TruthAngles">The cross-validated decoded angle of every true trial [S].</param>
/// <param name="DecoderTruthAngleErrorDeg">The median over the true trials of their cross-validated angle errors.</param>
/// <param name="Folds">The folds of that cross-validation.</param>
public sealed record ConditionEvaluation(
    IReadOnlyList<ConditionScore> Conditions,
    ConditionGroupScore Seen,
    ConditionGroupScore Unseen,
    double[] GeneratedAngles,
    int[] GeneratedConditions,
    double[] TruthAngles,
    double DecoderTruthAngleErrorDeg,
    int Folds);
