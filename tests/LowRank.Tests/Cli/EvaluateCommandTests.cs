using System.Text.Json;
using LowRank.Formats;

namespace LowRank.Tests.Cli;

public sealed class EvaluateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-evaluate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private void Teacher(int steps = 1200, int channels = 4)
    {
        CliResult result = CliHarness.Run("simulate", "--units", "64", "--channels", channels.ToString(), "--steps", steps.ToString(), "--burn-in", "200", "--seed", "3", "--out", PathOf("data.npz"), "--model-out", PathOf("teacher"));
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public void ReportsTheMetricsAndWritesTheDocumentedJsonKeys()
    {
        Teacher();
        CliResult result = CliHarness.Run("evaluate", "--model", PathOf("teacher"), "--data", PathOf("data.npz"), "--burn-in", "300", "--seeds", "3", "--json", PathOf("ev.json"));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"scored all 1200 steps of '{PathOf("data.npz")}' against a series generated after 300 burn-in steps (posterior sample initial state)", lines[0]);
        Assert.StartsWith("d_stsp ", lines[1]);
        Assert.StartsWith("d_h ", lines[2]);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("ev.json")));
        JsonElement root = json.RootElement;
        double dStsp = root.GetProperty("d_stsp").GetDouble();
        double[] perSeed = root.GetProperty("d_stsp_per_seed").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(3, perSeed.Length);
        Assert.Equal(perSeed.Average(), dStsp, 1e-12);
        Assert.True(root.GetProperty("d_stsp_sd").GetDouble() > 0);
        double dh = root.GetProperty("d_h").GetDouble();
        Assert.InRange(dh, 0, 1);
        Assert.Equal(1200, root.GetProperty("steps").GetInt32());
        Assert.Equal(300, root.GetProperty("burn_in").GetInt32());
    }

    [Fact]
    public void HoldoutScoresTheLastPart()
    {
        Teacher();
        CliResult result = CliHarness.Run("evaluate", "--model", PathOf("teacher"), "--data", PathOf("data.npz"), "--burn-in", "100", "--seeds", "2", "--holdout", "0.25", "--json", PathOf("ev.json"));
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"scored held-out steps 900..1199 (300 steps) of '{PathOf("data.npz")}'", result.Output);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("ev.json")));
        Assert.Equal(900, json.RootElement.GetProperty("first_step").GetInt32());
        Assert.Equal(0.25, json.RootElement.GetProperty("holdout").GetDouble());
    }

    [Fact]
    public void SameSeedSameFigures()
    {
        Teacher(600);
        string[] args = ["evaluate", "--model", PathOf("teacher"), "--data", PathOf("data.npz"), "--burn-in", "50", "--seeds", "2", "--seed", "4"];
        Assert.Equal(CliHarness.Run([.. args, "--threads", "1"]).Output, CliHarness.Run([.. args, "--threads", "2"]).Output);
    }

    [Fact]
    public void ChannelMismatchIsAnInputError()
    {
        Teacher(300);
        Npy.Write(PathOf("wide.npy"), NdArray.Zeros(300, 5));
        CliResult result = CliHarness.Run("evaluate", "--model", PathOf("teacher"), "--data", PathOf("wide.npy"), "--json", PathOf("ev.json"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: the data has 5 channels but the model reads out 4.\n  hint: evaluate the model on the kind of recording it was fitted to.\n", result.Error);
        Assert.False(File.Exists(PathOf("ev.json")));
    }

    [Fact]
    public void TrialDataIsAnInputError()
    {
        Teacher(300);
        Npy.Write(PathOf("trials.npy"), NdArray.Zeros(3, 100, 4));
        CliResult result = CliHarness.Run("evaluate", "--model", PathOf("teacher"), "--data", PathOf("trials.npy"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: the metrics compare one long series, but the data holds 3 trials.\n  hint: evaluate on a continuous recording of shape [T, X].\n", result.Error);
    }

    [Theory]
    [InlineData("--holdout", "1", "error: the held-out fraction must lie strictly between 0 and 1 (got 1).\n  hint: pass a fraction such as --holdout 0.2.\n")]
    [InlineData("--seeds", "0", "error: --seeds must be at least 1 (got 0).\n  hint: pass --seeds 5 (the published protocol averages several).\n")]
    [InlineData("--burn-in", "-1", "error: --burn-in must be 0 or more (got -1).\n  hint: pass --burn-in 2400 (the published protocol) or another non-negative count.\n")]
    public void BadSettingsAreInputErrors(string option, string value, string expected)
    {
        CliResult result = CliHarness.Run("evaluate", "--model", PathOf("none"), "--data", PathOf("none.npy"), option, value, "--json", PathOf("ev.json"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(expected, result.Error);
        Assert.False(File.Exists(PathOf("ev.json")));
    }

    [Fact]
    public void MissingModelIsAnInputError()
    {
        CliResult result = CliHarness.Run("evaluate", "--model", PathOf("none"), "--data", PathOf("none.npy"));
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: model directory '{PathOf("none")}' does not exist.", result.Error);
    }
}
