using System.Text.Json;
using LowRank.Cli;
using LowRank.Formats;

namespace LowRank.Tests.Cli;

public sealed class InferCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-infer-").FullName;

    public InferCommandTests()
    {
        double[] values = TestRecordings.NoisyOscillation();
        Npy.Write(PathOf("data.npy"), NdArray.Create(values, 300, 3));
        Npy.Write(PathOf("trials.npy"), NdArray.Create(values[..(4 * 50 * 3)], 4, 50, 3));
        Npy.Write(PathOf("wide.npy"), NdArray.Create(new double[50 * 5].Select((_, i) => Math.Sin(i)).ToArray(), 50, 5));
        CliResult fit = CliHarness.Run(
            "fit", "--data", PathOf("data.npy"), "--out", PathOf("m"), "--rank", "2", "--units", "9", "--particles", "4", "--batch", "5",
            "--window", "20", "--windows", "10", "--epochs", "3", "--seed", "5", "--threads", "1");
        Assert.Equal(0, fit.ExitCode);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Theory]
    [InlineData("none")]
    [InlineData("marginal")]
    [InlineData("conditional")]
    public void WritesThePosteriorOfEveryTrialAndItsFigures(string smoothing)
    {
        CliResult result = CliHarness.Run(
            "infer", "--model", PathOf("m"), "--data", PathOf("trials.npy"), "--particles", "16", "--smoothing", smoothing,
            "--out", PathOf("post.npz"), "--json", PathOf("post.json"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"inferred the latents of 4 trial(s) of 50 steps: 16 particles, optimal proposal, smoothing {smoothing}", result.Output);
        var arrays = Npz.Read(PathOf("post.npz"));
        Assert.Equal([4, 50, 2], arrays["latents_mean"].Shape);
        Assert.Equal([4, 50, 2], arrays["latents_sd"].Shape);
        Assert.Equal([4, 50, 3], arrays["rates"].Shape);
        Assert.Equal([4, 50], arrays["log_evidence"].Shape);
        Assert.Equal([4], arrays["log_likelihood"].Shape);
        Assert.All(arrays["latents_sd"].Data, v => Assert.True(v >= 0 && double.IsFinite(v)));

        JsonElement report = JsonDocument.Parse(File.ReadAllText(PathOf("post.json"))).RootElement;
        double[] perTrial = [.. report.GetProperty("log_likelihood_per_trial").EnumerateArray().Select(e => e.GetDouble())];
        Assert.Equal(arrays["log_likelihood"].Data, perTrial);
        Assert.Equal(perTrial.Sum(), report.GetProperty("log_likelihood").GetDouble(), 9);
        Assert.Equal(smoothing, report.GetProperty("smoothing").GetString());
        Assert.Equal(16, report.GetProperty("particles").GetInt32());
    }

    [Fact]
    public void ChannelMismatchIsAnInputErrorAndWritesNothing()
    {
        CliResult result = CliHarness.Run("infer", "--model", PathOf("m"), "--data", PathOf("wide.npy"), "--out", PathOf("post.npz"));
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: the data has 5 channels but the model reads out 3.\n  hint: ", result.Error);
        Assert.False(File.Exists(PathOf("post.npz")));
    }

    [Fact]
    public void ZeroParticlesIsAnInputError()
    {
        CliResult result = CliHarness.Run("infer", "--model", PathOf("m"), "--data", PathOf("data.npy"), "--particles", "0", "--out", PathOf("post.npz"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --particles must be at least 1 (got 0).\n  hint: pass --particles 1 or more.\n", result.Error);
        Assert.False(File.Exists(PathOf("post.npz")));
    }
}
