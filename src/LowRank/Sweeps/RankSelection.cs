using System.Globalization;
using LowRank.Numerics;

namespace LowRank.Sweeps;

/// <summary>A figure's mean and spread over the done runs at one rank.</summary>
/// <param name="Figure">The figure's flattened key (<c>evaluate.d_stsp</c>).</param>
/// <param name="Runs">Done runs at this rank that reported it.</param>
/// <param name="Mean">Their mean.</param>
/// <param name="StandardDeviation">Sample standard deviation (n − 1); 0 for one run.</param>
/// <param name="StandardError">Standard error of the mean, sd / √n; 0 for one run.</param>
public sealed record FigureSpread(string Figure, int Runs, double Mean, double StandardDeviation, double StandardError)
{
    /// <summary>The spread of <paramref name="values"/>.</summary>
    public static FigureSpread Of(string figure, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double sd = values.Count > 1 ? Statistics.SampleSd(values) : 0;
        return new FigureSpread(figure, values.Count, Statistics.Mean(values), sd, values.Count > 1 ? sd / Math.Sqrt(values.Count) : 0);
    }
}

/// <summary>One rank of a rank sweep: its held-out objective and the other figures compared, over the seeds.</summary>
/// <param name="Rank">The rank.</param>
/// <param name="Objective">The held-out objective (higher is better) over the done runs at this rank.</param>
/// <param name="Companions">The model-quality figures reported beside it (D_stsp, D_H), in the order found.</param>
public sealed record RankLevel(int Rank, FigureSpread Objective, IReadOnlyList<FigureSpread> Companions);

/// <summary>
/// The rank a rank × seed sweep recommends by the one-standard-error rule: the smallest rank whose mean held-out
/// objective is within one standard error (of the best rank's mean) of the best mean.
/// </summary>
/// <param name="Objective">The held-out objective's flattened key (<c>fit.held_out_objective</c>).</param>
/// <param name="Levels">Every rank with a done run, ascending.</param>
/// <param name="BestRank">The rank with the highest mean held-out objective.</param>
/// <param name="Threshold">That mean minus its standard error.</param>
/// <param name="RecommendedRank">The smallest rank whose mean reaches <see cref="Threshold"/>.</param>
public sealed record RankSelectionResult(string Objective, IReadOnlyList<RankLevel> Levels, int BestRank, double Threshold, int RecommendedRank)
{
    /// <summary>The best rank's level.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public RankLevel Best => Levels.First(l => l.Rank == BestRank);

    /// <summary>Whether some rank was fitted by a single done run, so its standard error is unknown (taken as 0).</summary>
    public bool SomeRankHasOneRun => Levels.Any(l => l.Objective.Runs < 2);
}

/// <summary>
/// Rank selection on a sweep's results (docs/sweeps.md, "Rank selection"): applies when the sweep has an axis named
/// <c>rank</c> with whole-number values, every other axis that is not a seed axis has one value, and the runs report a
/// held-out objective (<c>fit --holdout</c> writes <c>held_out_objective</c>).
/// </summary>
public static class RankSelection
{
    /// <summary>The axis that holds the rank.</summary>
    public const string Axis = "rank";

    /// <summary>The last part of the key of the figure ranks are chosen by (higher is better).</summary>
    public const string ObjectiveKey = "held_out_objective";

    /// <summary>The last parts of the keys of the figures compared beside it.</summary>
    public static IReadOnlyList<string> CompanionKeys { get; } = ["d_stsp", "d_h"];

    /// <summary>
    /// The rank selection of <paramref name="table"/>, or null with <paramref name="reason"/> saying why none can be made
    /// (null reason: the sweep has no rank axis, so there is nothing to say).
    /// </summary>
    public static RankSelectionResult? Select(ResultsTable table, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(table);
        reason = null;
        SweepAxis? axis = table.Axes.FirstOrDefault(a => a.Name == Axis);
        if (axis is null)
        {
            return null;
        }

        var ranks = new Dictionary<SpecValue, int>();
        foreach (SpecValue value in axis.Values)
        {
            if (!value.TryGetNumber(out double number) || number != Math.Round(number) || number < 1 || number > int.MaxValue)
            {
                reason = $"the rank axis has a value that is not a whole number ≥ 1 ('{value.Text}').";
                return null;
            }

            ranks[value] = (int)number;
        }

        if (table.Axes.FirstOrDefault(a => a.Name != Axis && !ResultsTable.IsSeedAxis(a.Name) && a.Values.Count > 1) is { } other)
        {
            reason = $"axis '{other.Name}' also varies; rank selection compares ranks with everything else fixed but the seed (sweep each value of '{other.Name}' separately).";
            return null;
        }

        string? objective = FigureEndingWith(table, ObjectiveKey);
        if (objective is null)
        {
            reason = $"no step reported a {ObjectiveKey} (a fit that holds out the end of its recording writes one).";
            return null;
        }

        string[] companions = [.. CompanionKeys.Select(k => FigureEndingWith(table, k)).OfType<string>()];
        var levels = new List<RankLevel>();
        foreach (IGrouping<int, ResultRow> group in table.Rows
            .Where(r => r.State == RunState.Done && r.Figures.ContainsKey(objective) && double.IsFinite(r.Figures[objective]))
            .GroupBy(r => ranks[r.Axes.First(v => v.Name == Axis).Value])
            .OrderBy(g => g.Key))
        {
            levels.Add(new RankLevel(
                group.Key,
                FigureSpread.Of(objective, [.. group.Select(r => r.Figures[objective])]),
                [.. companions.Select(c => FigureSpread.Of(c, [.. group.Where(r => r.Figures.ContainsKey(c)).Select(r => r.Figures[c])])).Where(s => s.Runs > 0)]));
        }

        if (levels.Count == 0)
        {
            reason = $"no done run has a finite {objective} yet.";
            return null;
        }

        RankLevel best = levels.MaxBy(l => l.Objective.Mean)!;
        double threshold = best.Objective.Mean - best.Objective.StandardError;
        RankLevel recommended = levels.First(l => l.Objective.Mean >= threshold);
        return new RankSelectionResult(objective, levels, best.Rank, threshold, recommended.Rank);
    }

    /// <summary>One line: <c>rank 3 recommended: the smallest rank within one standard error (0.41) of the best, rank 4 (-12.30 ± 0.41)</c>.</summary>
    public static string Describe(RankSelectionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        FigureSpread best = result.Best.Objective;
        string rule = result.RecommendedRank == result.BestRank
            ? FormattableString.Invariant($"the best mean {result.Objective}, {best.Mean:0.####} ± {best.StandardError:0.####} (standard error over {best.Runs} runs); no smaller rank comes within one standard error of it")
            : FormattableString.Invariant($"the smallest rank whose mean {result.Objective} ({result.Levels.First(l => l.Rank == result.RecommendedRank).Objective.Mean:0.####}) is within one standard error of the best, rank {result.BestRank} ({best.Mean:0.####} ± {best.StandardError:0.####} over {best.Runs} runs)");
        return string.Create(CultureInfo.InvariantCulture, $"rank {result.RecommendedRank} recommended: {rule}");
    }

    /// <summary>The first non-list figure whose key is <c>STEP.KEY</c> for <paramref name="key"/>, or null.</summary>
    internal static string? FigureEndingWith(ResultsTable table, string key) =>
        table.Figures.FirstOrDefault(f => !f.InArray && f.Name.EndsWith("." + key, StringComparison.Ordinal) && f.Name.IndexOf('.', StringComparison.Ordinal) == f.Name.Length - key.Length - 1)?.Name;
}
