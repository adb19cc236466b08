using System.Text.Json;
using LowRank.Analysis.FixedPoints;
using LowRank.Model;

namespace LowRank.Tests.Cli;

public sealed class FixedPointsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-fp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string Teacher(string kind, string activation)
    {
        string model = PathOf(kind + "-" + activation);
        CliResult result = CliHarness.Run("simulate", "--teacher", kind, "--activation", activation, "--units", "40", "--channels", "4", "--steps", "5", "--out", PathOf(kind + activation + ".npz"), "--model-out", model);
        Assert.Equal(0, result.ExitCode);
        return model;
    }

    [Fact]
    public void WritesDocumentedJsonAndPlot()
    {
        string model = Teacher("random", "clipped_relu");
        CliResult result = CliHarness.Run("fixed-points", "--model", model, "--cycles", "2", "--out", PathOf("fp.json"), "--plot", PathOf("fp.png"));
        Assert.Equal(0, result.ExitCode);
        Assert.All(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("fixed points ", line));
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(PathOf("fp.json")));
        JsonElement root = document.RootElement;
        Assert.True(root.GetProperty("cells").GetInt64() > 0);
        Assert.True(root.GetProperty("seconds").GetDouble() >= 0);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("cycles").ValueKind);
        JsonElement points = root.GetProperty("fixed_points");
        Assert.True(points.GetArrayLength() >= 1);
        foreach (JsonElement point in points.EnumerateArray())
        {
            Assert.Equal(2, point.GetProperty("z").GetArrayLength());
            Assert.Equal(2, point.GetProperty("eigenvalues")[0].GetArrayLength());
            Assert.Contains(point.GetProperty("stability").GetString(), ModelNames.All<StabilityKind>());
        }

        string[] stable = ["stable_node", "stable_spiral"];
        JsonElement cycles = root.GetProperty("cycles");
        Assert.Equal(points.GetArrayLength(), root.GetProperty("fixed_point_count").GetInt32());
        Assert.Equal(points.EnumerateArray().Count(p => stable.Contains(p.GetProperty("stability").GetString())), root.GetProperty("stable_fixed_points").GetInt32());
        Assert.Equal(cycles.GetArrayLength(), root.GetProperty("cycle_count").GetInt32());
        Assert.Equal(cycles.EnumerateArray().Count(c => stable.Contains(c.GetProperty("stability").GetString())), root.GetProperty("stable_cycles").GetInt32());
        Assert.True(new FileInfo(PathOf("fp.png")).Length > 1000);
        Assert.StartsWith($"{points.GetArrayLength()} fixed points", result.Output);
    }

    [Fact]
    public void ApproximateMethodFindsASubsetOfExact()
    {
        string model = Teacher("random", "clipped_relu");
        Assert.Equal(0, CliHarness.Run("fixed-points", "--model", model, "--out", PathOf("exact.json")).ExitCode);
        Assert.Equal(0, CliHarness.Run("fixed-points", "--model", model, "--method", "approximate", "--json", PathOf("approx.json")).ExitCode);
        double[][] exact = Points(PathOf("exact.json"));
        Assert.NotEmpty(Points(PathOf("approx.json")));
        foreach (double[] z in Points(PathOf("approx.json")))
        {
            Assert.Contains(exact, e => e.Zip(z, (a, b) => Math.Abs(a - b)).Max() < 1e-9);
        }
    }

    [Fact]
    public void AcceptsAConstantInput()
    {
        string model = Teacher("ring", "relu");
        CliResult result = CliHarness.Run("fixed-points", "--model", model, "--input", "0.5,-0.25", "--out", PathOf("fp.json"));
        Assert.Equal(0, result.ExitCode);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(PathOf("fp.json")));
        Assert.Equal([0.5, -0.25], document.RootElement.GetProperty("input").EnumerateArray().Select(v => v.GetDouble()));
    }

    [Fact]
    public void TanhModelIsAClearError()
    {
        string model = Teacher("random", "tanh");
        CliResult result = CliHarness.Run("fixed-points", "--model", model, "--out", PathOf("fp.json"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "error: fixed points can only be enumerated for piecewise-linear activations (relu, clipped_relu); this model uses tanh.\n"
            + "  hint: fit or simulate a model with --activation relu or clipped_relu.\n",
            result.Error.Replace("\r\n", "\n"));
        Assert.False(File.Exists(PathOf("fp.json")));
    }

    [Fact]
    public void InputOfTheWrongLengthIsAClearError()
    {
        string model = Teacher("ring", "clipped_relu");
        CliResult result = CliHarness.Run("fixed-points", "--model", model, "--input", "1,2,3", "--out", PathOf("fp.json"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "error: --input has 3 values but the model has 2 inputs.\n  hint: pass 2 comma-separated values, e.g. --input 0,0.\n",
            result.Error.Replace("\r\n", "\n"));
        Assert.False(File.Exists(PathOf("fp.json")));
    }

    [Fact]
    public void NonNumericInputIsAClearError()
    {
        string model = Teacher("ring", "relu");
        CliResult result = CliHarness.Run("fixed-points", "--model", model, "--input", "1,x", "--out", PathOf("fp.json"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "error: --input value 'x' (position 2 of '1,x') is not a number.\n  hint: pass comma-separated numbers, e.g. --input 0.5,-1.\n",
            result.Error.Replace("\r\n", "\n"));
    }

    [Fact]
    public void MapMatchesTheModelsNoiseFreeTransition()
    {
        string dir = Teacher("ring", "clipped_relu");
        LowRankRnn model = ModelStore.Load(dir).Model;
        double[] u = [0.3, -0.7];
        PiecewiseLinearMap map = FixedPointAnalysis.FromModel(model, u);
        double[] z = [0.2, -0.1];

        // z' = a z + Ñ φ(M z + W u; h), written out from the model's own activation function.
        int n = model.Units, r = model.Rank;
        var expected = new double[r];
        for (int k = 0; k < r; k++)
        {
            expected[k] = model.Decay * z[k];
        }

        for (int i = 0; i < n; i++)
        {
            double x = model.M[i * r] * z[0] + model.M[i * r + 1] * z[1] + model.W[i * 2] * u[0] + model.W[i * 2 + 1] * u[1];
            double rate = ActivationFunctions.Value(Activation.ClippedRelu, x, model.H[i]);
            for (int k = 0; k < r; k++)
            {
                expected[k] += model.N[k * n + i] * rate;
            }
        }

        var actual = new double[r];
        map.Evaluate(z, actual);
        Assert.Equal(expected[0], actual[0], 12);
        Assert.Equal(expected[1], actual[1], 12);
    }

    [Fact]
    public void BenchPrintsOneJsonLine()
    {
        CliResult result = CliHarness.Run("bench", "fixed-points", "--units", "30", "--rank", "2", "--activation", "clipped_relu", "--seed", "3");
        Assert.Equal(0, result.ExitCode);
        string line = Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using JsonDocument document = JsonDocument.Parse(line);
        Assert.Equal(["seconds", "cells", "fixed_points"], document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.True(document.RootElement.GetProperty("fixed_points").GetInt32() >= 2);
    }

    private static double[][] Points(string path)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("fixed_points").EnumerateArray()
            .Select(p => p.GetProperty("z").EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
    }
}
