using System.Text.Json;
using LowRank.Sweeps;

namespace LowRank.Tests.Sweeps;

/// <summary>The results of a rank × seed sweep whose runs' figures files are written by hand.</summary>
public sealed class ResultsTableTests : IDisposable
{
    private readonly TempDir _temp = new();
    private readonly OpenedSweep _sweep;

    public ResultsTableTests()
    {
        SweepSpec spec = SweepSpecReader.Parse(
            """{"command": "fit", "axes": {"rank": [1, 2], "seed": [1, 2, 3]}, "follow_up": [{"command": "evaluate"}]}""", "spec.json");
        SweepDirectory.Create(_temp.Path, spec, SweepPoints.Expand(spec));
        _sweep = SweepDirectory.Open(_temp.Path);
        foreach (SweepPoint point in _sweep.Points)
        {
            int rank = int.Parse(point.ValueOf("rank").Text), seed = int.Parse(point.ValueOf("seed").Text);
            RunDirectory run = _sweep.RunOf(point);
            Directory.CreateDirectory(run.Root);
            if (point.Name == "rank-2_seed-3")
            {
                // Failed in evaluate: its fit figures are there, its evaluate figures not.
                run.WriteStatus(new RunStatus { State = RunState.Failed, Reason = "evaluate: error: x", Step = "evaluate", StepsDone = 1 });
                File.WriteAllText(run.FiguresOf("fit"), """{"epochs": 10, "final_objective": -9, "model": "m"}""");
                continue;
            }

            run.WriteStatus(new RunStatus { State = RunState.Done, StepsDone = 2 });
            File.WriteAllText(run.FiguresOf("fit"), $$$"""{"epochs": 10, "final_objective": {{{-rank - seed}}}, "holdout": null, "model": "m", "fine": true}""");
            File.WriteAllText(run.FiguresOf("evaluate"), $$$"""{"d_stsp": {{{rank * 10 + seed}}}, "per_channel": [1, {{{seed}}}], "nested": {"d_h": "NaN"}}""");
        }
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void EveryNumberOfEveryStepIsAColumnUnderItsFlattenedKey()
    {
        ResultsTable table = ResultsTable.Collect(_sweep);

        Assert.Equal(
            ["fit.epochs", "fit.final_objective", "evaluate.d_stsp", "evaluate.per_channel.0", "evaluate.per_channel.1", "evaluate.nested.d_h"],
            table.Figures.Select(f => f.Name));
        Assert.Equal([false, false, false, true, true, false], table.Figures.Select(f => f.InArray));
        Assert.Equal(6, table.Rows.Count);
        ResultRow row = table.Rows[1];
        Assert.Equal("rank-1_seed-2", row.Run);
        Assert.Equal(RunState.Done, row.State);
        Assert.Equal(12, row.Figures["evaluate.d_stsp"]);
        Assert.True(double.IsNaN(row.Figures["evaluate.nested.d_h"]));
        Assert.Equal(RunState.Failed, table.Rows[5].State);
        Assert.False(table.Rows[5].Figures.ContainsKey("evaluate.d_stsp"));
        Assert.Equal(-9, table.Rows[5].Figures["fit.final_objective"]);
    }

    [Fact]
    public void TheCsvHasRunStateAxesAndFiguresWithEmptyCellsForMissingFigures()
    {
        string[] lines = ResultsTable.Collect(_sweep).ToCsv().Split('\n');
        Assert.Equal("run,state,rank,seed,fit.epochs,fit.final_objective,evaluate.d_stsp,evaluate.per_channel.0,evaluate.per_channel.1,evaluate.nested.d_h", lines[0]);
        Assert.Equal("rank-1_seed-1,done,1,1,10,-2,11,1,1,NaN", lines[1]);
        Assert.Equal("rank-2_seed-3,failed,2,3,10,-9,,,,", lines[6]);
        Assert.Equal("", lines[7]);
    }

    [Fact]
    public void TheJsonHasOneObjectPerRunWithTypedAxesAndNumbers()
    {
        string path = _temp.File("results.json");
        ResultsTable.Collect(_sweep).WriteJson(path);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = document.RootElement;
        Assert.Equal(["rank", "seed"], root.GetProperty("axes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(6, root.GetProperty("figures").GetArrayLength());
        JsonElement first = root.GetProperty("runs")[0];
        Assert.Equal("rank-1_seed-1", first.GetProperty("run").GetString());
        Assert.Equal("done", first.GetProperty("state").GetString());
        Assert.Equal(1, first.GetProperty("rank").GetInt32());
        Assert.Equal(11, first.GetProperty("evaluate.d_stsp").GetDouble());
        Assert.Equal("NaN", first.GetProperty("evaluate.nested.d_h").GetString());
        Assert.False(root.GetProperty("runs")[5].TryGetProperty("evaluate.d_stsp", out _));
    }

    [Fact]
    public void TheSpreadIsOverTheSeedsOfDoneRunsPerValueOfTheAxis()
    {
        ResultsTable table = ResultsTable.Collect(_sweep);
        SpreadSeries series = Assert.Single(table.SpreadOf("evaluate.d_stsp", "rank"));
        Assert.Equal("all runs", series.Label);
        Assert.Equal(["1", "2"], series.Points.Select(p => p.X.Text));
        Assert.Equal([11, 12, 13], series.Points[0].Values);
        Assert.Equal(12, series.Points[0].Mean, 12);
        Assert.Equal(1, series.Points[0].StandardDeviation, 12);
        Assert.Equal([21, 22], series.Points[1].Values); // rank-2_seed-3 failed
        Assert.Equal(Math.Sqrt(0.5), series.Points[1].StandardDeviation, 12);

        // Against the seed: one series per rank, one run per point.
        IReadOnlyList<SpreadSeries> bySeed = table.SpreadOf("evaluate.d_stsp", "seed");
        Assert.Equal(["rank=1", "rank=2"], bySeed.Select(s => s.Label));
        Assert.Equal([21, 22], bySeed[1].Points.Select(p => p.Mean));
        Assert.All(bySeed[1].Points, p => Assert.Equal(0, p.StandardDeviation));
    }

    [Fact]
    public void FiguresWorthAPlotVaryAcrossDoneRunsAndAreNoListElements()
    {
        // fit.epochs is 10 everywhere, the per-channel values are list elements, d_h is NaN in every run.
        Assert.Equal(["fit.final_objective", "evaluate.d_stsp"], ResultsTable.Collect(_sweep).VaryingFigures());
    }

    [Fact]
    public void ADamagedFiguresFileIsAnInputError()
    {
        File.WriteAllText(_sweep.RunOf(_sweep.Points[0]).FiguresOf("fit"), "{");
        var error = Assert.Throws<InputException>(() => ResultsTable.Collect(_sweep));
        Assert.Contains("fit.json' is not valid JSON", error.Message, StringComparison.Ordinal);
    }
}
