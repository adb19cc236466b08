using LowRank.Formats;
using LowRank.Model;

namespace LowRank.Tests.Cli;

public sealed class SimulateGenerateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void SimulateWritesDocumentedArraysAndModel()
    {
        CliResult result = CliHarness.Run("simulate", "--teacher", "ring", "--units", "40", "--channels", "5", "--steps", "30", "--trials", "3", "--seed", "2", "--out", PathOf("x.npz"), "--model-out", PathOf("teacher"));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        var arrays = Npz.Read(PathOf("x.npz"));
        Assert.Equal([3, 30, 5], arrays["samples"].Shape);
        Assert.Equal([3, 30, 2], arrays["latents"].Shape);
        Assert.Equal([3, 30, 5], arrays["rates"].Shape);
        Assert.Equal([3, 30, 2], arrays["inputs"].Shape);
        Assert.Equal(2, ModelStore.Load(PathOf("teacher")).Model.Inputs);
    }

    [Fact]
    public void GenerateReproducesTheTeachersStationaryStatistics()
    {
        Assert.Equal(0, CliHarness.Run("simulate", "--units", "64", "--channels", "4", "--steps", "3000", "--burn-in", "200", "--seed", "5", "--out", PathOf("teacher.npz"), "--model-out", PathOf("teacher")).ExitCode);
        Assert.Equal(0, CliHarness.Run("generate", "--model", PathOf("teacher"), "--steps", "3000", "--burn-in", "200", "--seed", "77", "--out", PathOf("gen.npz")).ExitCode);
        double[] a = Npz.Read(PathOf("teacher.npz"))["samples"].Data, b = Npz.Read(PathOf("gen.npz"))["samples"].Data;
        Assert.NotEqual(a, b);
        for (int c = 0; c < 4; c++)
        {
            (double meanA, double sdA) = Moments(a, c, 4);
            (double meanB, double sdB) = Moments(b, c, 4);
            // Autocorrelated series: allow 25 % of the standard deviation for the mean and 15 % for the sd.
            Assert.InRange(meanB - meanA, -0.25 * sdA, 0.25 * sdA);
            Assert.InRange(sdB / sdA, 0.85, 1.15);
        }
    }

    private static (double Mean, double Sd) Moments(double[] data, int channel, int channels)
    {
        int n = data.Length / channels;
        double sum = 0, sumSq = 0;
        for (int t = 0; t < n; t++)
        {
            double v = data[t * channels + channel];
            sum += v;
            sumSq += v * v;
        }

        double mean = sum / n;
        return (mean, Math.Sqrt(sumSq / n - mean * mean));
    }

    public static TheoryData<string[], string, string> BadInputs() => new()
    {
        { ["simulate", "--teacher", "pendulum", "--out", "OUT/x.npz"], "error: Argument 'pendulum' not recognized. Must be one of:", "  hint: run 'lowrank simulate --help' for the accepted options and values." },
        { ["simulate", "--activation", "sigmoid", "--out", "OUT/x.npz"], "error: Argument 'sigmoid' not recognized. Must be one of:", "  hint: run 'lowrank simulate --help'" },
        { ["simulate", "--steps", "many", "--out", "OUT/x.npz"], "error: --steps 'many' is not a whole number.", "  hint: run 'lowrank simulate --help'" },
        { ["simulate", "--out", "OUT/x.csv"], "error: --out 'OUT/x.csv' must be a .npz file.", "  hint: pass a path ending in .npz, e.g. --out out.npz." },
        { ["simulate", "--steps", "0", "--out", "OUT/x.npz"], "error: steps must be at least 1 (got 0).", "  hint: pass --steps 1 or more." },
        { ["simulate", "--teacher", "oscillator", "--rank", "3", "--out", "OUT/x.npz"], "error: the oscillator teacher has rank 2, but rank 3 was requested.", "  hint: pass --rank 2, or use --teacher random for other ranks." },
        { ["simulate", "--teacher", "random", "--rank", "5", "--units", "3", "--out", "OUT/x.npz"], "error: rank 5 exceeds the number of units 3.", "  hint: use --rank at most --units." },
        { ["simulate", "--latent-noise", "0", "--out", "OUT/x.npz"], "error: latent noise must be positive (got 0).", "  hint: pass a positive latent noise level." },
        { ["generate", "--model", "OUT/nowhere", "--out", "OUT/g.npz"], "error: model directory 'OUT/nowhere' does not exist.", "  hint: pass the --out directory of a fit or of 'lowrank simulate --model-out'." },
        { ["generate", "--model", "OUT/empty", "--out", "OUT/g.npz"], "error: 'OUT/empty' is not a model directory: it has no model.json.", "  hint: pass the --out directory of a fit" },
        { ["generate", "--out", "OUT/g.npz"], "error: Option '--model' is required.", "  hint: run 'lowrank generate --help'" },
        { ["generate", "--model", "OUT/m", "--init", "posterior", "--out", "OUT/g.npz"], "error: Argument 'posterior' not recognized.", "  hint: run 'lowrank generate --help'" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputExitsTwoWithMessageAndNoOutput(string[] args, string errorLine, string hintLine)
    {
        Directory.CreateDirectory(PathOf("empty"));
        string[] resolved = args.Select(a => a.Replace("OUT", _dir)).ToArray();
        CliResult result = CliHarness.Run(resolved);
        Assert.Equal(2, result.ExitCode);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(errorLine.Replace("OUT", _dir), lines[0]);
        Assert.StartsWith(hintLine, lines[1]);
        Assert.Empty(Directory.GetFiles(_dir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void GenerateRequiresInputsForModelsWithInputs()
    {
        Assert.Equal(0, CliHarness.Run("simulate", "--teacher", "ring", "--units", "20", "--channels", "3", "--steps", "5", "--out", PathOf("r.npz"), "--model-out", PathOf("ring")).ExitCode);
        CliResult result = CliHarness.Run("generate", "--model", PathOf("ring"), "--steps", "10", "--trials", "2", "--out", PathOf("g.npz"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"error: model '{PathOf("ring")}' has 2 inputs but no --inputs file was given.\n  hint: pass --inputs FILE.npy with shape [2, 10, 2] (trials, steps, inputs).\n",
            result.Error);
        Assert.False(File.Exists(PathOf("g.npz")));
    }

    [Fact]
    public void GeneratePosteriorMeanStartsAtThePosteriorOfTheFirstObservation()
    {
        Assert.Equal(0, CliHarness.Run("simulate", "--units", "30", "--channels", "6", "--steps", "20", "--trials", "2", "--seed", "3", "--out", PathOf("d.npz"), "--model-out", PathOf("m")).ExitCode);
        CliResult result = CliHarness.Run("generate", "--model", PathOf("m"), "--steps", "10", "--trials", "3", "--init", "posterior-mean", "--data", PathOf("d.npz"), "--out", PathOf("g.npz"));
        Assert.Equal(0, result.ExitCode);
        LowRankRnn model = ModelStore.Load(PathOf("m")).Model;
        NdArray data = Npz.Read(PathOf("d.npz"))["samples"], latents = Npz.Read(PathOf("g.npz"))["latents"];
        for (int trial = 0; trial < 3; trial++)
        {
            int source = trial % 2;
            double[] mean = LowRank.Smc.ParticleFilter.PosteriorOfInitialState(model, data.Data.AsSpan(source * 20 * 6, 6), []).Mean;
            for (int a = 0; a < 2; a++)
            {
                // Stored as float32.
                Assert.Equal(mean[a], latents[trial, 0, a], 1e-6 * Math.Max(1, Math.Abs(mean[a])));
            }
        }
    }

    [Fact]
    public void GeneratePosteriorNeedsData()
    {
        Assert.Equal(0, CliHarness.Run("simulate", "--units", "10", "--channels", "2", "--steps", "5", "--out", PathOf("a.npz"), "--model-out", PathOf("m")).ExitCode);
        CliResult result = CliHarness.Run("generate", "--model", PathOf("m"), "--init", "posterior-sample", "--out", PathOf("g.npz"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --init posterior-* needs the recording whose first observation conditions the initial state.\n  hint: pass --data FILE (the recording the model was fitted to).\n", result.Error);
        Assert.False(File.Exists(PathOf("g.npz")));
    }

    [Fact]
    public void CorruptModelJsonIsReported()
    {
        Assert.Equal(0, CliHarness.Run("simulate", "--units", "10", "--channels", "2", "--steps", "5", "--out", PathOf("a.npz"), "--model-out", PathOf("m")).ExitCode);
        File.WriteAllText(PathOf("m/model.json"), "{ \"kind\": ");
        CliResult result = CliHarness.Run("generate", "--model", PathOf("m"), "--out", PathOf("g.npz"));
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: {PathOf("m/model.json")} is not valid JSON:", result.Error);
        Assert.False(File.Exists(PathOf("g.npz")));
    }

    [Fact]
    public void MissingParamsFileIsReported()
    {
        Assert.Equal(0, CliHarness.Run("simulate", "--units", "10", "--channels", "2", "--steps", "5", "--out", PathOf("a.npz"), "--model-out", PathOf("m")).ExitCode);
        File.Delete(PathOf("m/params.npz"));
        CliResult result = CliHarness.Run("generate", "--model", PathOf("m"), "--out", PathOf("g.npz"));
        Assert.Equal($"error: model directory '{PathOf("m")}' has no params.npz.\n  hint: restore params.npz from the fit that wrote model.json.\n", result.Error);
        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public void ModelJsonAndParamsDisagreeingIsReported()
    {
        Assert.Equal(0, CliHarness.Run("simulate", "--units", "10", "--channels", "2", "--steps", "5", "--out", PathOf("a.npz"), "--model-out", PathOf("m")).ExitCode);
        string path = PathOf("m/model.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"channels\": 2", "\"channels\": 3"));
        CliResult result = CliHarness.Run("generate", "--model", PathOf("m"), "--out", PathOf("g.npz"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {PathOf("m/params.npz")}: 'c' has shape [2, 2] but model.json implies [3, 2].\n  hint: model.json and params.npz disagree on dimensions; restore both from the same fit.\n", result.Error);
        Assert.False(File.Exists(PathOf("g.npz")));
    }
}

public sealed class InspectModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-inspect-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void InspectSummarisesAModelAndWritesJson()
    {
        string model = Path.Combine(_dir, "m"), json = Path.Combine(_dir, "m.json");
        Assert.Equal(0, CliHarness.Run("simulate", "--units", "12", "--channels", "3", "--steps", "5", "--out", Path.Combine(_dir, "a.npz"), "--model-out", model).ExitCode);
        CliResult result = CliHarness.Run("inspect", model, "--json", json);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("rank R = 2, units N = 12, inputs U = 0 (raw), channels X = 3", result.Output);
        Assert.Contains("latent noise sd (full): [0.05, 0.05]", result.Output);
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(0.9, document.RootElement.GetProperty("summary").GetProperty("decay").GetDouble(), 12);
    }
}
