using System.Text.Json;
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
}
