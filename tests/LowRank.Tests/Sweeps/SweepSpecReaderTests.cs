using LowRank.Sweeps;

namespace LowRank.Tests.Sweeps;

public sealed class SweepSpecReaderTests
{
    private const string Example = """
        {
          // a rank × seed sweep of fit, then evaluate
          "command": "fit",
          "options": {"data": "eeg.npy", "--out": "{out}/model", "lr": 1e-3, "zscore": true},
          "axes": {"rank": [1, 2, 4], "seed": {"from": 1, "to": 3}},
          "follow_up": [
            {"command": "evaluate", "options": {"model": "{out}/model", "data": "eeg.npy"}},
            {"name": "evaluate-held-out", "command": "evaluate", "options": {"model": "{out}/model", "data": "eeg.npy", "holdout": 0.2}},
          ],
        }
        """;

    [Fact]
    public void ReadsCommandOptionsAxesAndFollowUpSteps()
    {
        SweepSpec spec = SweepSpecReader.Parse(Example, "spec.json");

        Assert.Equal(new SweepStep("fit", "fit", spec.Main.Options), spec.Main);
        Assert.Equal(
            [new SpecOption("data", SpecValue.Of("eeg.npy")), new SpecOption("out", SpecValue.Of("{out}/model")), new SpecOption("lr", SpecValue.Number("1e-3")), new SpecOption("zscore", SpecValue.Of(true))],
            spec.Main.Options);
        Assert.Equal(["rank", "seed"], spec.Axes.Select(a => a.Name));
        Assert.Equal(["1", "2", "4"], spec.Axes[0].Values.Select(v => v.Text));
        Assert.Equal(["1", "2", "3"], spec.Axes[1].Values.Select(v => v.Text));
        Assert.All(spec.Axes.SelectMany(a => a.Values), v => Assert.Equal(SpecValueKind.Number, v.Kind));
        Assert.Equal(["evaluate", "evaluate-held-out"], spec.FollowUp.Select(s => s.Name));
        Assert.Equal(["fit", "evaluate", "evaluate-held-out"], spec.Steps.Select(s => s.Name));
        Assert.Equal(9, spec.PointCount);
    }

    [Fact]
    public void ACommandOfTwoWordsNamesItsStepWithADash()
    {
        SweepSpec spec = SweepSpecReader.Parse("""{"command": "task  train", "axes": {"seed": [1]}}""", "s");
        Assert.Equal("task train", spec.Main.Command);
        Assert.Equal(["task", "train"], spec.Main.CommandWords);
        Assert.Equal("task-train", spec.Main.Name);
    }

    [Theory]
    [InlineData("""{"from": 1, "to": 4}""", "1,2,3,4")]
    [InlineData("""{"from": 1, "to": 10, "step": 4}""", "1,5,9")]
    [InlineData("""{"from": 0.1, "to": 0.5, "step": 0.1}""", "0.1,0.2,0.3,0.4,0.5")]
    [InlineData("""{"from": -2, "to": -2}""", "-2")]
    public void RangesCountUpToAndIncludingTheirEnd(string range, string expected)
    {
        SweepSpec spec = SweepSpecReader.Parse("""{"command": "fit", "axes": {"x": """ + range + "}}", "s");
        Assert.Equal(expected, string.Join(',', spec.Axes[0].Values.Select(v => v.Text)));
    }

    [Fact]
    public void TheCanonicalFormIsTheSameForTheSameSweepAndReadsBack()
    {
        SweepSpec a = SweepSpecReader.Parse(Example, "a");
        SweepSpec b = SweepSpecReader.Parse("""
            {"follow_up": [{"command": "evaluate", "options": {"model": "{out}/model", "data": "eeg.npy"}},
                           {"name": "evaluate-held-out", "command": "evaluate", "options": {"model": "{out}/model", "data": "eeg.npy", "holdout": 0.2}}],
             "axes": {"rank": [1, 2, 4], "seed": [1, 2, 3]},
             "options": {"data": "eeg.npy", "out": "{out}/model", "lr": 1e-3, "zscore": true},
             "command": "fit"}
            """, "b");
        Assert.Equal(a.ToCanonicalJson(), b.ToCanonicalJson());
        Assert.Equal(a.Hash(), b.Hash());
        Assert.Equal(64, a.Hash().Length);

        string canonical = a.ToCanonicalJson();
        Assert.Equal(canonical, SweepSpecReader.Parse(canonical, "canonical").ToCanonicalJson());

        SweepSpec other = SweepSpecReader.Parse(Example.Replace("\"lr\": 1e-3", "\"lr\": 2e-3", StringComparison.Ordinal), "c");
        Assert.NotEqual(a.Hash(), other.Hash());
    }

    [Theory]
    [InlineData("""{"command": "fit", "axes": {"seed": [1]""", "is not valid JSON")]
    [InlineData("""[1, 2]""", "the spec is a list, not an object.")]
    [InlineData("""{"axes": {"seed": [1]}}""", "it names no command.")]
    [InlineData("""{"command": "fit", "axis": {"seed": [1]}}""", "the spec has an unknown field 'axis'.")]
    [InlineData("""{"command": "Fit!", "axes": {"seed": [1]}}""", "'Fit!' (the spec) is not a command")]
    [InlineData("""{"command": "fit"}""", "it has no axes, so it would run the command once.")]
    [InlineData("""{"command": "fit", "axes": {"seed": []}}""", "the axis 'seed' is empty.")]
    [InlineData("""{"command": "fit", "axes": {"seed": {"from": 5, "to": 1}}}""", "the axis 'seed' is empty: the range from 5 to 1 has no values")]
    [InlineData("""{"command": "fit", "axes": {"seed": {"from": 1, "to": 5, "step": 0}}}""", "has step 0; a range counts up by a positive step.")]
    [InlineData("""{"command": "fit", "axes": {"seed": {"from": 1}}}""", "the range of the axis 'seed' has no \"to\".")]
    [InlineData("""{"command": "fit", "axes": {"seed": {"from": 1, "to": 3, "by": 1}}}""", "the range of the axis 'seed' has an unknown field 'by'.")]
    [InlineData("""{"command": "fit", "axes": {"seed": {"from": 1, "to": 100000}}}""", "has 100,000 values, more than 10,000.")]
    [InlineData("""{"command": "fit", "axes": {"seed": 3}}""", "the axis 'seed' is the number 3; an axis is a list of values or a range.")]
    [InlineData("""{"command": "fit", "axes": {"seed": [1, null]}}""", "value 2 of the axis 'seed' is null")]
    [InlineData("""{"command": "fit", "axes": {"seed": [1, 2, 1]}}""", "the axis 'seed' lists 1 twice")]
    [InlineData("""{"command": "fit", "axes": {"out": [1, 2]}}""", "an axis may not be named 'out'")]
    [InlineData("""{"command": "fit", "options": {"seed": 1}, "axes": {"seed": [1, 2]}}""", "'seed' is both a fixed option and an axis.")]
    [InlineData("""{"command": "fit", "options": {"rank": [1, 2]}, "axes": {"seed": [1]}}""", "option 'rank' in the options of 'fit' is a list")]
    [InlineData("""{"command": "fit", "options": {"Rank": 1}, "axes": {"seed": [1]}}""", "'Rank' (an option in the options of 'fit') is not an option name.")]
    [InlineData("""{"command": "fit", "options": {"out": "{out}/{rnak}"}, "axes": {"seed": [1]}}""", "uses the placeholder {rnak}, which is neither {out}, {run} nor an axis.")]
    [InlineData("""{"command": "fit", "options": {"out": "{out/model"}, "axes": {"seed": [1]}}""", "opens a placeholder at character 1 that is not closed")]
    [InlineData("""{"command": "fit", "axes": {"seed": [1]}, "follow_up": [{"command": "evaluate"}, {"command": "evaluate"}]}""", "two steps are named 'evaluate'")]
    [InlineData("""{"command": "fit", "axes": {"seed": [1]}, "follow_up": [{"name": "status", "command": "evaluate"}]}""", "a step may not be named 'status'")]
    [InlineData("""{"command": "fit", "axes": {"seed": [1]}, "follow_up": {"command": "evaluate"}}""", "the follow_up steps are an object, not a list.")]
    [InlineData("""{"command": "fit", "axes": {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "b": {"from": 1, "to": 10000}, "c": [1, 2]}}""", "its axes make more than 100,000 runs.")]
    public void RefusesMalformedSpecs(string json, string expected)
    {
        var error = Assert.Throws<InputException>(() => SweepSpecReader.Parse(json, "spec.json"));
        Assert.StartsWith("sweep spec 'spec.json'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(error.Hint);
    }

    [Fact]
    public void AMissingFileIsAnInputError()
    {
        var error = Assert.Throws<InputException>(() => SweepSpecReader.Read(Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "spec.json")));
        Assert.EndsWith("spec.json' does not exist.", error.Message, StringComparison.Ordinal);
    }
}
