using System.Globalization;
using System.Text.Json;
using LowRank.Sweeps;

namespace LowRank.Tests.Sweeps;

/// <summary>Rank selection and seed ensembles on sweeps whose runs' figures files are written by hand, against values computed by hand.</summary>
public sealed class SweepAnalysisTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A sweep of <paramref name="specJson"/> in a fresh folder, each run's fit and evaluate figures from <paramref name="figures"/> (null: failed).</summary>
    private ResultsTable Sweep(string specJson, Func<SweepPoint, (string Fit, string Evaluate)?> figures, string name = "s") =>
        ResultsTable.Collect(HandWrittenSweep.Create(_temp.File(name), specJson, point =>
            figures(point) is { } files ? new Dictionary<string, string> { ["fit"] = files.Fit, ["evaluate"] = files.Evaluate } : null));

    private const string RankSpec = """{"command": "fit", "axes": {"rank": [1, 2, 3, 4], "seed": [1, 2, 3, 4]}, "follow_up": [{"command": "evaluate"}]}""";

    // Held-out objective per rank over seeds 1–3 (seed 4 failed): rank 1 −10, −11, −12 (mean −11, se 1/√3);
    // rank 2 −5, −5.5, −6 (mean −5.5); rank 3 −5, −5.2, −5.4 (mean −5.2); rank 4 −4.8, −5, −5.6 (mean −5.1333…,
    // sd √(((1/3)² + (2/15)² + (7/15)²)/2) = √0.17333… = 0.41633, se 0.24037). Best: rank 4; threshold −5.3737;
    // rank 2 (−5.5) is below it, rank 3 (−5.2) above: rank 3 is recommended.
    private static readonly double[][] HeldOut =
    [
        [-10, -11, -12],
        [-5, -5.5, -6],
        [-5, -5.2, -5.4],
        [-4.8, -5, -5.6],
    ];

    private ResultsTable RankSweep() => Sweep(RankSpec, point =>
    {
        int rank = int.Parse(point.ValueOf("rank").Text, CultureInfo.InvariantCulture), seed = int.Parse(point.ValueOf("seed").Text, CultureInfo.InvariantCulture);
        if (seed == 4)
        {
            return null;
        }

        string heldOut = HeldOut[rank - 1][seed - 1].ToString("R", CultureInfo.InvariantCulture);
        string dStsp = (rank + 0.1 * seed).ToString("R", CultureInfo.InvariantCulture);
        return ($$"""{"final_objective": -3, "held_out_objective": {{heldOut}}}""", $$"""{"d_stsp": {{dStsp}}, "d_h": 0.1, "d_h_per_channel": [0.1]}""");
    });

    [Fact]
    public void RankSelectionRecommendsTheSmallestRankWithinOneStandardErrorOfTheBest()
    {
        RankSelectionResult result = RankSelection.Select(RankSweep(), out string? reason)!;
        Assert.Null(reason);
        Assert.Equal("fit.held_out_objective", result.Objective);
        Assert.Equal([1, 2, 3, 4], result.Levels.Select(l => l.Rank));
        Assert.All(result.Levels, l => Assert.Equal(3, l.Objective.Runs));
        Assert.Equal(-11, result.Levels[0].Objective.Mean, 12);
        Assert.Equal(1, result.Levels[0].Objective.StandardDeviation, 12);
        Assert.Equal(1 / Math.Sqrt(3), result.Levels[0].Objective.StandardError, 12);
        double sd4 = Math.Sqrt((Math.Pow(1.0 / 3, 2) + Math.Pow(2.0 / 15, 2) + Math.Pow(7.0 / 15, 2)) / 2);
        Assert.Equal(-15.4 / 3, result.Levels[3].Objective.Mean, 12);
        Assert.Equal(sd4 / Math.Sqrt(3), result.Levels[3].Objective.StandardError, 12);
        Assert.Equal(4, result.BestRank);
        Assert.Equal(-15.4 / 3 - sd4 / Math.Sqrt(3), result.Threshold, 12);
        Assert.Equal(3, result.RecommendedRank);
        Assert.False(result.SomeRankHasOneRun);

        // D_stsp = rank + seed/10 over seeds 1–3: mean rank + 0.2, sd 0.1; D_H is the same everywhere.
        FigureSpread dStsp = result.Levels[1].Companions.Single(c => c.Figure == "evaluate.d_stsp");
        Assert.Equal(2.2, dStsp.Mean, 12);
        Assert.Equal(0.1, dStsp.StandardDeviation, 12);
        Assert.Equal(["evaluate.d_stsp", "evaluate.d_h"], result.Levels[0].Companions.Select(c => c.Figure));
        Assert.StartsWith("rank 3 recommended: the smallest rank whose mean fit.held_out_objective (-5.2) is within one standard error of the best, rank 4 (-5.1333 ± 0.2404 over 3 runs)", RankSelection.Describe(result), StringComparison.Ordinal);
    }

    [Fact]
    public void TheBestRankIsRecommendedWhenNoSmallerRankComesWithinOneStandardError()
    {
        ResultsTable table = Sweep("""{"command": "fit", "axes": {"rank": [2, 1], "seed": [1, 2]}, "follow_up": [{"command": "evaluate"}]}""", point =>
        {
            double rank = double.Parse(point.ValueOf("rank").Text, CultureInfo.InvariantCulture), seed = double.Parse(point.ValueOf("seed").Text, CultureInfo.InvariantCulture);
            return ($$"""{"held_out_objective": {{(rank * 10 + seed).ToString("R", CultureInfo.InvariantCulture)}}}""", "{}");
        });
        RankSelectionResult result = RankSelection.Select(table, out _)!;
        Assert.Equal([1, 2], result.Levels.Select(l => l.Rank));
        Assert.Equal(2, result.BestRank);
        Assert.Equal(2, result.RecommendedRank);
        Assert.Equal(21.5 - 0.5, result.Threshold, 12);
        Assert.Empty(result.Levels[0].Companions);
    }

    [Fact]
    public void OneRunPerRankHasNoStandardErrorAndSaysSo()
    {
        ResultsTable table = Sweep("""{"command": "fit", "axes": {"rank": [1, 2]}, "follow_up": [{"command": "evaluate"}]}""", point =>
            ($$"""{"held_out_objective": {{(point.ValueOf("rank").Text == "1" ? "-2" : "-1")}}}""", "{}"));
        RankSelectionResult result = RankSelection.Select(table, out _)!;
        Assert.True(result.SomeRankHasOneRun);
        Assert.Equal(0, result.Best.Objective.StandardError);
        Assert.Equal(2, result.RecommendedRank);
    }

    [Theory]
    [InlineData("""{"command": "fit", "axes": {"rank": [1, 2], "units": [8, 16]}, "follow_up": [{"command": "evaluate"}]}""", "axis 'units' also varies")]
    [InlineData("""{"command": "fit", "axes": {"rank": [1, 2.5]}, "follow_up": [{"command": "evaluate"}]}""", "not a whole number ≥ 1 ('2.5')")]
    public void RankSelectionSaysWhyItCannotBeMade(string spec, string expected)
    {
        Assert.Null(RankSelection.Select(Sweep(spec, _ => ("""{"held_out_objective": -1}""", "{}")), out string? reason));
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RankSelectionNeedsAHeldOutObjectiveAndNothingIsSaidWithoutARankAxis()
    {
        Assert.Null(RankSelection.Select(Sweep("""{"command": "fit", "axes": {"rank": [1, 2]}, "follow_up": [{"command": "evaluate"}]}""", _ => ("""{"final_objective": -1}""", "{}")), out string? reason));
        Assert.Equal("no step reported a held_out_objective (a fit that holds out the end of its recording writes one).", reason);
        Assert.Null(RankSelection.Select(Sweep("""{"command": "fit", "axes": {"seed": [1, 2]}, "follow_up": [{"command": "evaluate"}]}""", _ => ("""{"held_out_objective": -1}""", "{}"), "b"), out string? none));
        Assert.Null(none);
    }

    private const string SeedSpec = """{"command": "fit", "axes": {"seed": {"from": 1, "to": 6}}, "follow_up": [{"command": "evaluate"}, {"command": "fixed-points"}]}""";

    // Seeds 1–5 done, 6 failed. Fixed points 3, 3, 1, 3, 3; stable 1 in each; dominant frequency 0.10, 0.12, 0.11, 0.20, 0.11
    // (median 0.11; |deviations| 0.01, 0.01, 0, 0.09, 0: MAD 0.01); D_stsp 2.0, 2.2, 1.9, 2.6, 2.1 (median 2.1, MAD 0.1).
    private static readonly int[] FixedPoints = [3, 3, 1, 3, 3];
    private static readonly double[] Frequencies = [0.10, 0.12, 0.11, 0.20, 0.11];
    private static readonly double[] DStsp = [2.0, 2.2, 1.9, 2.6, 2.1];

    private ResultsTable SeedSweep() => ResultsTable.Collect(HandWrittenSweep.Create(_temp.File("seeds"), SeedSpec, point =>
        point.Index == 5 ? null : new Dictionary<string, string>
        {
            ["fit"] = """{"final_objective": -3}""",
            ["evaluate"] = string.Create(CultureInfo.InvariantCulture, $$"""{"d_stsp": {{DStsp[point.Index]}}, "dominant_frequency": {{Frequencies[point.Index]}}, "data_dominant_frequency": 0.1}"""),
            ["fixed-points"] = string.Create(CultureInfo.InvariantCulture, $$"""{"fixed_points": [], "fixed_point_count": {{FixedPoints[point.Index]}}, "stable_fixed_points": 1, "cycle_count": 0, "stable_cycles": 0}"""),
        }));

    [Fact]
    public void ASeedEnsembleComparesEveryFigureAndTheStructureAcrossTheDoneRestarts()
    {
        SeedEnsembleResult result = SeedEnsemble.Analyse(SeedSweep(), out string? reason)!;
        Assert.Null(reason);
        Assert.Equal(["seed"], result.SeedAxes);
        Assert.Equal(5, result.Runs);

        EnsembleFigure frequency = result.Figures.Single(f => f.Figure == "evaluate.dominant_frequency");
        Assert.Equal(5, frequency.Runs);
        Assert.Equal(0.11, frequency.Median, 12);
        Assert.Equal(0.01, frequency.Mad, 12);
        Assert.Equal(0.128, frequency.Mean, 12);
        Assert.Equal(0.10, frequency.Min);
        Assert.Equal(0.20, frequency.Max);
        Assert.Empty(frequency.Counts);

        EnsembleFigure dStsp = result.Figures.Single(f => f.Figure == "evaluate.d_stsp");
        Assert.Equal(2.1, dStsp.Median, 12);
        Assert.Equal(0.1, dStsp.Mad, 12);
        // Mean 2.16; squared deviations 0.0256, 0.0016, 0.0676, 0.1936, 0.0036 sum to 0.292.
        Assert.Equal(2.16, dStsp.Mean, 12);
        Assert.Equal(Math.Sqrt(0.292 / 4), dStsp.StandardDeviation, 12);

        EnsembleFigure points = result.Figures.Single(f => f.Figure == "fixed-points.fixed_point_count");
        Assert.Equal([new ValueCount(3, 4), new ValueCount(1, 1)], points.Counts);
        Assert.Equal(3, points.Median);
        Assert.Equal(0, points.Mad);

        Assert.Equal(
            ["fixed points", "stable fixed points", "cycles", "stable cycles", "dominant frequency of generated data (cycles/step)", "dominant frequency of the data (cycles/step)"],
            result.Structure.Select(s => s.Property));
        Assert.Equal(
            [
                "fixed points: 3 in 4 runs, 1 in 1 run (fixed-points.fixed_point_count)",
                "stable fixed points: 1 in 5 runs (fixed-points.stable_fixed_points)",
                "cycles: 0 in 5 runs (fixed-points.cycle_count)",
                "stable cycles: 0 in 5 runs (fixed-points.stable_cycles)",
                "dominant frequency of generated data (cycles/step): median 0.11, MAD 0.01, range 0.1–0.2 (evaluate.dominant_frequency)",
                "dominant frequency of the data (cycles/step): median 0.1, MAD 0, range 0.1–0.1 (evaluate.data_dominant_frequency)",
            ],
            SeedEnsemble.DescribeStructure(result));
    }

    [Fact]
    public void OnlySeedSweepsWithTwoDoneRunsAreEnsembles()
    {
        Assert.Null(SeedEnsemble.Analyse(RankSweep(), out string? notSeeds));
        Assert.Null(notSeeds);

        ResultsTable one = Sweep("""{"command": "fit", "axes": {"seed": [1, 2]}, "follow_up": [{"command": "evaluate"}]}""", point =>
            point.Index == 0 ? ("""{"final_objective": -1}""", "{}") : null, "one");
        Assert.Null(SeedEnsemble.Analyse(one, out string? reason));
        Assert.Equal("1 run is done; restarts are compared from two on.", reason);
    }

    [Fact]
    public void ResultsJsonCarriesBothAnalyses()
    {
        ResultsTable table = RankSweep();
        string path = _temp.File("results.json");
        table.WriteJson(path, SweepAnalysis.Of(table));
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = document.RootElement;
        JsonElement ranks = root.GetProperty("rank_selection");
        Assert.Equal(3, ranks.GetProperty("recommended_rank").GetInt32());
        Assert.Equal(4, ranks.GetProperty("best_rank").GetInt32());
        Assert.Equal("fit.held_out_objective", ranks.GetProperty("objective").GetString());
        Assert.Equal(-11, ranks.GetProperty("levels")[0].GetProperty("objective").GetProperty("mean").GetDouble(), 12);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("rank_selection_note").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("seed_ensemble").ValueKind);
        Assert.Equal(16, root.GetProperty("runs").GetArrayLength());
    }
}
