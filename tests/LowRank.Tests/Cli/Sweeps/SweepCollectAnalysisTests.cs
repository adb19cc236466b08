using System.Globalization;
using System.Text.Json;
using LowRank.Sweeps;
using LowRank.Tests.Sweeps;

namespace LowRank.Tests.Cli.Sweeps;

/// <summary><c>lowrank sweep collect</c> on hand-written sweeps: the rank it recommends, the restarts compared, the cut-off runs.</summary>
public sealed class SweepCollectAnalysisTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A sweep whose runs are done with the figures <paramref name="files"/> gives (step → JSON), or left as <paramref name="other"/> when it gives null.</summary>
    private string Sweep(string name, string specJson, Func<SweepPoint, Dictionary<string, string>?> files, RunStatus? other = null) =>
        HandWrittenSweep.Create(_temp.File(name), specJson, files, other).Directory;

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    [Fact]
    public void ARankSweepGetsItsRankTableTheRecommendedRankAPlotAndJson()
    {
        // Held-out objective rank·10 + seed for ranks 1, 2 and 21.2 + seed/10 for rank 3: rank 1 11.5 ± 0.5, rank 2
        // 21.5 ± 0.5 (the best; threshold 21.0), rank 3 21.35 ± 0.05. Rank 1 is not within one se, so the best is recommended.
        string dir = Sweep("ranks", """{"command": "fit", "axes": {"rank": [1, 2, 3], "seed": [1, 2]}, "follow_up": [{"command": "evaluate"}]}""", point =>
        {
            double rank = double.Parse(point.ValueOf("rank").Text, CultureInfo.InvariantCulture), seed = double.Parse(point.ValueOf("seed").Text, CultureInfo.InvariantCulture);
            double objective = rank < 3 ? rank * 10 + seed : 21.2 + seed / 10;
            return new() { ["fit"] = $$"""{"held_out_objective": {{Number(objective)}}}""", ["evaluate"] = $$"""{"d_stsp": {{Number(rank + seed)}}, "d_h": 0.1}""" };
        });
        CliResult result = CliHarness.Run("sweep", "collect", dir, "--json", _temp.File("collect.json"));
        Assert.Equal(0, result.ExitCode);
        string[] lines = result.Output.Split('\n');
        int table = Array.FindIndex(lines, l => l.StartsWith("rank selection by fit.held_out_objective", StringComparison.Ordinal));
        Assert.True(table > 0, result.Output);
        Assert.Equal("rank  runs  fit.held_out_objective  evaluate.d_stsp  evaluate.d_h", lines[table + 1]);
        Assert.Equal("1     2     11.5000 ± 0.5000        2.5000 ± 0.7071  0.1000 ± 0.0000", lines[table + 2]);
        Assert.StartsWith("2 *   2     21.5000 ± 0.5000", lines[table + 3], StringComparison.Ordinal);
        Assert.StartsWith("3     2     21.3500 ± 0.0500", lines[table + 4], StringComparison.Ordinal);
        Assert.Equal("rank 2 recommended: the best mean fit.held_out_objective, 21.5 ± 0.5 (standard error over 2 runs); no smaller rank comes within one standard error of it", lines[table + 5]);
        Assert.True(new FileInfo(Path.Combine(dir, "plots", "rank_selection.png")).Length > 1000);
        Assert.DoesNotContain("seed ensemble", result.Output, StringComparison.Ordinal);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(_temp.File("collect.json")));
        Assert.Equal(2, json.RootElement.GetProperty("rank_selection").GetProperty("recommended_rank").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("rank_selection").GetProperty("levels").GetArrayLength());
        Assert.Equal(6, json.RootElement.GetProperty("done").GetInt32());
        using JsonDocument results = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        Assert.Equal(2, results.RootElement.GetProperty("rank_selection").GetProperty("recommended_rank").GetInt32());
    }

    [Fact]
    public void ASeedSweepComparesTheRestartsStructure()
    {
        int[] fixedPoints = [3, 1, 3];
        string dir = Sweep("seeds", """{"command": "fit", "axes": {"seed": [1, 2, 3]}, "follow_up": [{"command": "evaluate"}, {"command": "fixed-points"}]}""", point => new()
        {
            ["fit"] = """{"final_objective": -3}""",
            ["evaluate"] = $$"""{"d_stsp": {{Number(2 + point.Index / 10.0)}}, "dominant_frequency": {{Number(0.05 + point.Index / 100.0)}}}""",
            ["fixed-points"] = $$"""{"fixed_point_count": {{fixedPoints[point.Index]}}, "stable_fixed_points": 1}""",
        });
        CliResult result = CliHarness.Run("sweep", "collect", dir, "--json", _temp.File("collect.json"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("seed ensemble: 3 done runs over seed (MAD: median absolute deviation from the median)", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"evaluate\.d_stsp\s+2\.1\s+0\.1\s+2\.1\s+0\.1\s+2\s+2\.2", result.Output);
        Assert.Contains("  fixed points: 3 in 2 runs, 1 in 1 run (fixed-points.fixed_point_count)", result.Output, StringComparison.Ordinal);
        Assert.Contains("  stable fixed points: 1 in 3 runs (fixed-points.stable_fixed_points)", result.Output, StringComparison.Ordinal);
        Assert.Contains("  dominant frequency of generated data (cycles/step): median 0.06, MAD 0.01, range 0.05–0.07 (evaluate.dominant_frequency)", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("rank selection", result.Output, StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Combine(dir, "plots", "seed_ensemble.png")).Length > 1000);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(_temp.File("collect.json")));
        JsonElement ensemble = json.RootElement.GetProperty("seed_ensemble");
        Assert.Equal(3, ensemble.GetProperty("runs").GetInt32());
        Assert.Equal("fixed points", ensemble.GetProperty("structure")[0].GetProperty("property").GetString());
    }

    [Fact]
    public void ARankSweepWithoutAHeldOutObjectiveSaysWhyNoRankIsRecommended()
    {
        string dir = Sweep("noholdout", """{"command": "fit", "axes": {"rank": [1, 2]}, "follow_up": [{"command": "evaluate"}]}""", point => new() { ["fit"] = """{"final_objective": -3}""" });
        CliResult result = CliHarness.Run("sweep", "collect", dir);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("rank selection: none: no step reported a held_out_objective (a fit that holds out the end of its recording writes one).", result.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "plots", "rank_selection.png")));
    }

    [Fact]
    public void ARunRecordedAsRunningWhoseSweepRunIsGoneIsCollectedAsFailed()
    {
        string dir = Sweep(
            "cut",
            """{"command": "fit", "axes": {"seed": [1, 2]}, "follow_up": [{"command": "evaluate"}]}""",
            point => point.Index == 0 ? new() { ["fit"] = """{"final_objective": -3}""" } : null,
            new RunStatus { State = RunState.Running, Step = "fit" });
        Assert.Equal(0, CliHarness.Run("sweep", "collect", dir).ExitCode);
        Assert.Equal("seed-2,failed,2,", File.ReadAllLines(Path.Combine(dir, "results.csv"))[2]);
    }
}
