using System.Text.Json;
using LowRank.Formats;
using LowRank.RateNetworks;
using LowRank.Tests.Analysis.FixedPoints;
using LowRank.Tests.Cli;

namespace LowRank.Tests.Lint;

/// <summary><c>lowrank lint analyze</c> reports the fixed points of the κ dynamics and draws them; bad settings exit 2.</summary>
public sealed class LintAnalyzeFixedPointTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lint-analyze-fp-" + Guid.NewGuid().ToString("N"));

    public LintAnalyzeFixedPointTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out => Path.Combine(_dir, "out");

    /// <summary>
    /// A rank-2 DMS network (2 inputs, W_in = 0) with F(κ) = −κ + diag(2, 0.5) tanh(κ): fixed points (±κ*, 0), stable,
    /// with κ* = 2 tanh κ*, and the origin, a saddle (∂F/∂κ = diag(1, −0.5)).
    /// </summary>
    private string BistableModel()
    {
        const int units = 8;
        var m = new double[2 * units];
        var nTilde = new double[2 * units];
        for (int i = 0; i < units; i++)
        {
            double sign = i % 2 == 0 ? 1 : -1;
            bool first = i < units / 2;
            m[(first ? 0 : 1) * units + i] = sign;
            nTilde[(first ? 0 : 1) * units + i] = 2 * sign * (first ? 2.0 : 0.5);
        }

        string dir = Path.Combine(_dir, "model");
        RateNetworkStore.Save(dir, RateNetworkFixedPointTests.Network(units, 2, 2, m, nTilde), "dms", null);
        return dir;
    }

    private void AssertInputError(CliResult result, string message, string hint)
    {
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {message}\n  hint: {hint}\n", result.Error.Replace("\r\n", "\n"));
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void AnalyzeReportsTheFixedPointsInJsonAndDrawsThem()
    {
        string model = BistableModel();
        string json = Path.Combine(_dir, "analysis.json");
        CliResult result = CliHarness.Run(
            "lint", "analyze", "--model", model, "--trials", "2", "--input", "0.5,-0.5", "--starts", "50", "--seed", "4", "--out", Out, "--json", json);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("3 fixed points (2 stable) at input (0.5, -0.5)", result.Output);
        Assert.True(new FileInfo(Path.Combine(Out, "flow_field.png")).Length > 0);
        Assert.Equal(File.ReadAllText(json), File.ReadAllText(Path.Combine(Out, "analysis.json")));

        double root = 2.0;
        for (int k = 0; k < 100; k++)
        {
            root = 2 * Math.Tanh(root); // a contraction near κ* (slope 2(1 − tanh²κ*) ≈ 0.17)
        }

        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement rootElement = document.RootElement;
        Assert.Equal(3, rootElement.GetProperty("fixed_point_count").GetInt32());
        Assert.Equal(2, rootElement.GetProperty("stable_fixed_points").GetInt32());
        Assert.Equal(50, rootElement.GetProperty("starts").GetInt32());
        Assert.Equal([0.5, -0.5], rootElement.GetProperty("input").EnumerateArray().Select(v => v.GetDouble()));
        JsonElement[] points = [.. rootElement.GetProperty("fixed_points").EnumerateArray()];
        Assert.Equal(["stable_node", "saddle", "stable_node"], points.Select(p => p.GetProperty("stability").GetString()));
        for (int k = 0; k < 3; k++)
        {
            double[] kappa = [.. points[k].GetProperty("kappa").EnumerateArray().Select(v => v.GetDouble())];
            Assert.Equal((k - 1) * root, kappa[0], 10);
            Assert.Equal(0, kappa[1], 10);
            Assert.Equal(kappa, points[k].GetProperty("projected_kappa").EnumerateArray().Select(v => v.GetDouble()));
            Assert.True(points[k].GetProperty("residual").GetDouble() <= 1e-10);
            Assert.Equal(2, points[k].GetProperty("eigenvalues").GetArrayLength());
            Assert.Equal(2, points[k].GetProperty("eigenvalues_continuous")[0].GetArrayLength());
        }

        // The saddle: λ = 1 and −0.5 (continuous), μ = 1 + 0.2 λ.
        double[] lambda = [.. points[1].GetProperty("eigenvalues_continuous").EnumerateArray().Select(pair => pair[0].GetDouble())];
        Assert.Equal(1.0, lambda[0], 10);
        Assert.Equal(-0.5, lambda[1], 10);
        Assert.Equal(1.2, points[1].GetProperty("eigenvalues")[0][0].GetDouble(), 10);
    }

    [Fact]
    public void AnalyzeDrawsProjectionsForRankThree()
    {
        var spec = new RateNetworkSpec(10, 3, 2, 1, 0.2, 0.0, ReadoutKind.Tanh);
        string model = Path.Combine(_dir, "model3");
        RateNetworkStore.Save(model, RateNetwork.CreateRandom(spec, 2), "dms", null);
        CliResult result = CliHarness.Run("lint", "analyze", "--model", model, "--trials", "2", "--starts", "20", "--out", Out);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.True(new FileInfo(Path.Combine(Out, "flow_field.png")).Length > 0);
        Assert.Contains("\"fixed_point_count\"", File.ReadAllText(Path.Combine(Out, "analysis.json")));
    }

    [Fact]
    public void AnalyzeRejectsAnInputOfTheWrongLength() =>
        AssertInputError(
            CliHarness.Run("lint", "analyze", "--model", BistableModel(), "--input", "1", "--out", Out),
            "--input has 1 values but the network has 2 inputs.", "pass 2 comma-separated values, e.g. --input 0,0.");

    [Fact]
    public void AnalyzeRejectsAnInputThatIsNotANumber() =>
        AssertInputError(
            CliHarness.Run("lint", "analyze", "--model", BistableModel(), "--input", "0,x", "--out", Out),
            "--input value 'x' (position 2 of '0,x') is not a number.", "pass comma-separated numbers, e.g. --input 0.5,-1.");

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public void AnalyzeRejectsNonPositiveStarts(string starts) =>
        AssertInputError(
            CliHarness.Run("lint", "analyze", "--model", BistableModel(), "--starts", starts, "--out", Out),
            $"--starts must be at least 1, got {starts}.", "pass --starts with a positive count.");

    /// <summary>A rank-2 network fitted to a recording (no task, no readout, 2 inputs), and an npz of 3 conditions × 10 steps.</summary>
    private (string Model, string Data) RecordingModel()
    {
        var spec = new RateNetworkSpec(8, 2, 2, 0, 0.2, 0.0, ReadoutKind.Identity);
        string model = Path.Combine(_dir, "recording-model");
        RateNetworkStore.Save(model, RateNetwork.CreateRandom(spec, 6), null, null);
        var inputs = new double[3 * 10 * 2];
        inputs[(1 * 10 + 4) * 2] = 0.25;
        inputs[(1 * 10 + 4) * 2 + 1] = -0.75;
        string data = Path.Combine(_dir, "recording.npz");
        Npz.Write(data, [KeyValuePair.Create("trajectories", new NdArray([3, 10, 8], new double[3 * 10 * 8])), KeyValuePair.Create("inputs", new NdArray([3, 10, 2], inputs))]);
        return (model, data);
    }

    [Fact]
    public void AnalyzeSimulatesARecordingsConditionsAndTakesTheInputOfOneStep()
    {
        (string model, string data) = RecordingModel();
        CliResult result = CliHarness.Run("lint", "analyze", "--model", model, "--data", data, "--input-at", "4", "--input-trial", "1", "--starts", "30", "--out", Out);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("at input (0.25, -0.75)", result.Output);
        Assert.Equal([3, 11, 2], Npz.Read(Path.Combine(Out, "kappa.npz"))["kappa"].Shape);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out, "analysis.json")));
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("task").ValueKind);
        Assert.Equal(data, document.RootElement.GetProperty("data").GetString());
        Assert.Equal([0.25, -0.75], document.RootElement.GetProperty("input").EnumerateArray().Select(v => v.GetDouble()));
        Assert.True(document.RootElement.GetProperty("fixed_point_count").GetInt32() >= 1);
    }

    [Fact]
    public void AnalyzeOfAModelWithoutATaskNeedsTaskOrData()
    {
        (string model, _) = RecordingModel();
        AssertInputError(
            CliHarness.Run("lint", "analyze", "--model", model, "--out", Out),
            $"model '{model}' records no task.", "pass --task cdi|dms|romo|rdm, or --data FILE.npz with the inputs of the recording it was fitted to.");
    }

    [Fact]
    public void AnalyzeRejectsInputTogetherWithInputAt() =>
        AssertInputError(
            CliHarness.Run("lint", "analyze", "--model", BistableModel(), "--input", "0,0", "--input-at", "3", "--out", Out),
            "give at most one of --input and --input-at.", "pass the input's values with --input, or take them from a trial with --input-at STEP.");

    [Fact]
    public void AnalyzeRejectsAnInputStepOutsideTheTrial()
    {
        (string model, string data) = RecordingModel();
        AssertInputError(
            CliHarness.Run("lint", "analyze", "--model", model, "--data", data, "--input-at", "10", "--out", Out),
            "--input-at 10 is not a step of trial 0, which has 10.", "pass a step from 0 to 9.");
    }

    [Fact]
    public void AnalyzeRejectsAnInputTrialOutsideTheTrials()
    {
        (string model, string data) = RecordingModel();
        AssertInputError(
            CliHarness.Run("lint", "analyze", "--model", model, "--data", data, "--input-at", "2", "--input-trial", "3", "--out", Out),
            "--input-trial 3 is not one of the 3 simulated trials.", "pass a trial from 0 to 2.");
    }
}
