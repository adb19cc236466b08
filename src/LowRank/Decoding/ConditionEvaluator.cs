using LowRank.Metrics;
using LowRank.Numerics;

namespace LowRank.Decoding;

/// <summary>
/// Compares generated with true activity condition by condition (docs/metrics.md, "Conditions"): PSTH R² over the population
/// and per unit, the correlation of the units' mean counts, and a direction decoder fitted to all true trials applied to every
/// generated trial; medians over the seen and the unseen conditions.
/// </summary>
public static class ConditionEvaluator
{
    /// <summary>Evaluates <paramref name="generated"/> against <paramref name="truth"/> (labels in degrees for the decoder).</summary>
    /// <exception cref="InputException">
    /// The options are out of range, the sets do not match (<see cref="ConditionMatch.Of"/>), a seen condition is none of the
    /// true trials', or the trials are shorter than the decoder's windows.
    /// </exception>
    public static ConditionEvaluation Evaluate(ConditionTrials generated, ConditionTrials truth, ConditionEvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ConditionMatch match = ConditionMatch.Of(generated, truth);
        bool[] seen = SeenFlags(match, options.SeenConditions, truth.Source);
        if (options.DecoderWindows > truth.Steps)
        {
            throw new InputException(
                $"{InputException.Ref(nameof(ConditionEvaluationOptions.DecoderWindows))} is {options.DecoderWindows} but the trials have only {truth.Steps} steps; each window needs at least one.",
                $"pass {InputException.Ref(nameof(ConditionEvaluationOptions.DecoderWindows))} of at most {truth.Steps}.")
            {
                Setting = nameof(ConditionEvaluationOptions.DecoderWindows),
            };
        }

        IReadOnlyList<ConditionPsthComparison> psths = ConditionComparison.Compare(generated, truth, match, options.PsthSmoothing);

        // The decoder of the direction, fitted to all true trials, reads every generated trial.
        double[] generatedAngles = ReachDirectionDecoder.Fit(truth, options.DecoderWindows, options.Ridge).Decode(generated);
        var generatedConditions = new int[generated.Trials];
        for (int s = 0; s < generated.Trials; s++)
        {
            generatedConditions[s] = match.IndexOf(generated.Conditions[s]);
        }

        var scores = new ConditionScore[psths.Count];
        for (int c = 0; c < scores.Length; c++)
        {
            int[] trials = match.GeneratedTrials[c];
            double condition = match.Conditions[c];
            double error = Statistics.Median([.. trials.Select(s => Angles.Error(generatedAngles[s], condition))]);
            scores[c] = new ConditionScore(seen[c], psths[c], error, Angles.CircularMean(trials.Select(s => generatedAngles[s])));
        }

        // The reference: the same decoder's cross-validated error on the true trials.
        int folds = Math.Min(ConditionEvaluationOptions.Folds, truth.Trials);
        double[] truthAngles = ReachDirectionDecoder.CrossValidatedAngles(truth, options.DecoderWindows, options.Ridge, folds, options.Seed);
        double truthError = Statistics.Median([.. truthAngles.Select((angle, s) => Angles.Error(angle, truth.Conditions[s]))]);
        return new ConditionEvaluation(
            scores,
            Group(scores, seen: true),
            Group(scores, seen: false),
            generatedAngles,
            generatedConditions,
            truthAngles,
            truthError,
            folds);
    }

    /// <summary>The medians over the conditions of one group of the finite values of each score (null for an empty group).</summary>
    public static ConditionGroupScore Group(IReadOnlyList<ConditionScore> scores, bool seen)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ConditionScore[] group = [.. scores.Where(s => s.Seen == seen)];
        double? Median(Func<ConditionScore, double> value) => group.Length == 0 ? null : ConditionComparison.FiniteMedian(group.Select(value));
        return new ConditionGroupScore(
            [.. group.Select(s => s.Condition)],
            Median(s => s.Psth.PopulationR2),
            Median(s => s.Psth.UnitR2Median),
            Median(s => s.Psth.MeanRateCorrelation),
            Median(s => s.AngleErrorDeg));
    }

    /// <summary>Whether each condition of <paramref name="match"/> is seen: all when <paramref name="seenConditions"/> is null; each listed label must be a condition.</summary>
    private static bool[] SeenFlags(ConditionMatch match, IReadOnlyList<double>? seenConditions, string truthSource)
    {
        var seen = new bool[match.Conditions.Count];
        if (seenConditions is null)
        {
            Array.Fill(seen, true);
            return seen;
        }

        foreach (double label in seenConditions)
        {
            int c = match.IndexOf(label);
            if (c < 0)
            {
                string known = string.Join(",", match.Conditions.Select(ConditionMatch.Format));
                throw new InputException(
                    $"{InputException.Ref(nameof(ConditionEvaluationOptions.SeenConditions))} names condition {ConditionMatch.Format(label)}, which no trial of {truthSource} has (its conditions: {known}).",
                    $"pass {InputException.Ref(nameof(ConditionEvaluationOptions.SeenConditions))} as some of {known}.")
                {
                    Setting = nameof(ConditionEvaluationOptions.SeenConditions),
                };
            }

            seen[c] = true;
        }

        return seen;
    }
}
