using System.Text.Json;
using LowRank.Formats;
using LowRank.Tests.Decoding;

namespace LowRank.Tests.Cli;

/// <summary><c>lowrank evaluate --conditions</c>: the report on a small synthetic fixture and every anticipated input error.</summary>
public sealed class EvaluateConditionsCommandTests : IDisposable
{
    private static readonly double[] Directions = [0, 45, 90, 135, 180, 225, 270, 315];

    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-conditions-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string Truth => PathOf("truth.npz");

    private string Generated => PathOf("gen.npz");

    [Fact]
    public void WritesTheTableTheJsonAndTheFigures()
    {
        ReachFixtures.WriteFiles(Truth, Generated, Directions, trueTrials: 6, generatedTrials: 4);
        CliResult result = CliHarness.Run(
            "evaluate", "--conditions", "--generated", Generated, "--data", Truth, "--seen-conditions", "0,45,90,180,225,270", "--json", PathOf("cond.json"));
        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"compared 32 generated trials of '{Generated}' with 48 true trials of '{Truth}': 8 conditions, 12 units, 20 steps (PSTH smoothing 2 bins)", lines[0]);
        Assert.Equal("condition  seen    trials gen/true  psth_r2_pop  psth_r2_unit  rate_corr  angle_err  decoded", lines[1]);
        Assert.Matches(@"^      135  unseen              4/6 ", lines[5]);
        Assert.StartsWith("seen (6):     median psth_r2_pop ", lines[10]);
        Assert.StartsWith("unseen (2):   median psth_r2_pop ", lines[11]);
        Assert.StartsWith("decoder: ridge 1 on 12 units × 5 windows, fitted to all 48 true trials; its 5-fold cross-validated error on them ", lines[12]);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("cond.json")));
        JsonElement root = json.RootElement;
        JsonElement[] conditions = [.. root.GetProperty("conditions").EnumerateArray()];
        Assert.Equal(8, conditions.Length);
        string[] keys = ["condition", "seen", "trials_generated", "trials_true", "psth_r2_population", "psth_r2_unit_median", "mean_rate_correlation", "angle_error_deg", "decoded_angle_deg"];
        Assert.Equal(keys, conditions[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(135, conditions[3].GetProperty("condition").GetDouble());
        Assert.False(conditions[3].GetProperty("seen").GetBoolean());
        Assert.Equal(4, conditions[3].GetProperty("trials_generated").GetInt32());
        Assert.Equal(6, conditions[3].GetProperty("trials_true").GetInt32());
        foreach (string group in new[] { "seen", "unseen" })
        {
            JsonElement g = root.GetProperty(group);
            Assert.Equal(["conditions", "psth_r2_population", "psth_r2_unit_median", "mean_rate_correlation", "angle_error_deg"], g.EnumerateObject().Select(p => p.Name));
            Assert.InRange(g.GetProperty("angle_error_deg").GetDouble(), 0, 30);
        }

        Assert.Equal([135.0, 315], root.GetProperty("unseen").GetProperty("conditions").EnumerateArray().Select(e => e.GetDouble()));
        Assert.InRange(root.GetProperty("decoder_truth_angle_error_deg").GetDouble(), 0, 30);
        foreach (string figure in new[] { "latent-trajectories.png", "psth-unseen.png", "decoded-angles.png" })
        {
            Assert.True(new FileInfo(PathOf(figure)).Length > 1000, figure);
        }
    }

    [Fact]
    public void FiguresGoToThePlotsFolderAndWithoutSeenConditionsAllAreSeen()
    {
        ReachFixtures.WriteFiles(Truth, Generated, [0, 120, 240], rank: 1);
        CliResult result = CliHarness.Run("evaluate", "--conditions", "--generated", Generated, "--data", Truth, "--plots", PathOf("figs"), "--psth-smoothing", "0", "--decoder-windows", "2");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("unseen (0):   none (pass --seen-conditions", result.Output);
        Assert.Equal(3, Directory.GetFiles(PathOf("figs"), "*.png").Length);
    }

    public static TheoryData<string, string[], string> ModeErrors => new()
    {
        { "with --model", ["--model", "m"], "error: --model belongs to scoring a model, but --conditions compares two files of trials." },
        { "with model-only flags", ["--burn-in", "10", "--seeds", "2", "--zscore"], "error: --burn-in, --seeds, --zscore belong to scoring a model, but --conditions compares two files of trials." },
    };

    [Theory]
    [MemberData(nameof(ModeErrors))]
    public void ModelFlagsWithConditionsAreRefused(string why, string[] extra, string message)
    {
        _ = why;
        ReachFixtures.WriteFiles(Truth, Generated, [0, 180]);
        AssertRefused(["evaluate", "--conditions", "--generated", Generated, "--data", Truth, "--json", PathOf("c.json"), .. extra], message);
    }

    [Fact]
    public void ConditionsWithoutGeneratedIsRefused() =>
        AssertRefused(["evaluate", "--conditions", "--data", Truth, "--json", PathOf("c.json")], "error: --conditions needs the generated trials.");

    [Fact]
    public void ConditionFlagsWithoutConditionsAreRefused() =>
        AssertRefused(["evaluate", "--model", "m", "--data", Truth, "--generated", Generated], "error: --generated belongs to --conditions, which was not passed.");

    [Fact]
    public void EvaluateWithoutModelOrConditionsIsRefused() =>
        AssertRefused(["evaluate", "--data", Truth], "error: evaluate needs --model DIR (a fitted model to score), or --conditions to compare generated with true trials.");

    [Fact]
    public void AMissingArrayIsRefused()
    {
        ReachFixtures.WriteFiles(Truth, Generated, [0, 180]);
        var arrays = Npz.Read(Generated);
        arrays.Remove("condition");
        Npz.Write(Generated, arrays, DType.Float32);
        AssertRefused(Args(), $"error: '{Generated}' has no array 'condition' (it has: samples, rates, inputs, latents).");
    }

    [Theory]
    [InlineData(13, 20, "12 units")]
    [InlineData(12, 21, "20 steps")]
    public void MismatchedWidthOrLengthIsRefused(int units, int steps, string expected)
    {
        ReachFixtures.WriteFiles(Truth, Generated, [0, 180]);
        (double[] counts, double[] labels) = ReachFixtures.Counts([0, 180], 3, steps, units, seed: 4);
        ReachFixtures.Write(Generated, counts, labels, steps, units, NdArray.Zeros(labels.Length, steps, 2));
        string error = AssertRefused(Args(), "error: the generated trials");
        Assert.Contains(expected, error);
    }

    [Fact]
    public void AGeneratedConditionTheTruthLacksIsRefused()
    {
        ReachFixtures.WriteFiles(Truth, PathOf("unused.npz"), [0, 180]);
        ReachFixtures.WriteFiles(PathOf("unused2.npz"), Generated, [0, 90, 180]);
        AssertRefused(Args(), $"error: generated trial 3 has condition 90, which no trial of the true trials '{Truth}' has (its conditions: 0, 180).");
    }

    [Fact]
    public void ATrueConditionWithoutGeneratedTrialsIsRefused()
    {
        ReachFixtures.WriteFiles(Truth, PathOf("unused.npz"), [0, 90, 180]);
        ReachFixtures.WriteFiles(PathOf("unused2.npz"), Generated, [0, 180]);
        AssertRefused(Args(), $"error: condition 90 of the true trials '{Truth}' has no generated trials in the generated trials '{Generated}'.");
    }

    [Fact]
    public void AConditionWithOneTrialIsRefused()
    {
        ReachFixtures.WriteFiles(Truth, Generated, [0, 180], trueTrials: 1);
        AssertRefused(Args(), $"error: condition 0 has only 1 trial in the true trials '{Truth}'; a PSTH and its comparison need at least 2 trials per condition.");
    }

    [Fact]
    public void AnUnknownSeenConditionIsRefused()
    {
        ReachFixtures.WriteFiles(Truth, Generated, [0, 180]);
        AssertRefused([.. Args(), "--seen-conditions", "0,90"], $"error: --seen-conditions names condition 90, which no trial of the true trials '{Truth}' has (its conditions: 0,180).");
        AssertRefused([.. Args(), "--seen-conditions", "0,north"], "error: --seen-conditions '0,north' is not a comma-separated list of numbers ('north').");
    }

    private string[] Args() => ["evaluate", "--conditions", "--generated", Generated, "--data", Truth, "--json", PathOf("c.json")];

    /// <summary>Exit code 2, stderr starting with <paramref name="start"/> and a hint line, and no output written.</summary>
    private string AssertRefused(string[] args, string start)
    {
        CliResult result = CliHarness.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(start, result.Error);
        Assert.Contains("\n  hint: ", result.Error);
        Assert.False(File.Exists(PathOf("c.json")));
        Assert.Empty(Directory.GetFiles(_dir, "*.png"));
        return result.Error;
    }
}
