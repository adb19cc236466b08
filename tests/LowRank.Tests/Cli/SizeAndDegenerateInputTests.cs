using System.IO.Compression;
using System.Security.Cryptography;
using LowRank.Cli;
using LowRank.Formats;
using LowRank.Numerics;

namespace LowRank.Tests.Cli;

/// <summary>
/// Sizes that overflow or exceed memory, models with impossible sizes or NaN parameters, and recordings the
/// metrics cannot score: each is an input error (exit 2, the exact message, no file changed), never a crash.
/// </summary>
public sealed class SizeAndDegenerateInputTests : IDisposable
{
    private readonly TempDir _temp = new();

    public SizeAndDegenerateInputTests()
    {
        Assert.Equal(0, CliHarness.Run("simulate", "--teacher", "random", "--rank", "2", "--units", "16", "--channels", "3", "--steps", "200", "--threads", "1", "--out", PathOf("d.npz"), "--model-out", PathOf("m")).ExitCode);
        Assert.Equal(0, CliHarness.Run("task", "train", "--task", "cdi", "--units", "16", "--rank", "1", "--epochs", "1", "--trials", "8", "--batch", "8", "--eval-trials", "8", "--threads", "1", "--out", PathOf("r")).ExitCode);
    }

    public void Dispose() => _temp.Dispose();

    private string PathOf(string name) => _temp.File(name);

    /// <summary>Runs the command; asserts exit 2, the error line (exactly, or its start when the memory available matters), the hint, and no file changed.</summary>
    private void AssertRefused(string message, string hint, bool exact, params string[] args)
    {
        Dictionary<string, string> before = Snapshot();
        CliResult result = CliHarness.Run(args);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        string[] lines = result.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        if (exact)
        {
            Assert.Equal("error: " + message, lines[0]);
        }
        else
        {
            Assert.StartsWith("error: " + message, lines[0]);
            Assert.Matches(@"but [0-9.]+ [KMGTPE]iB \([0-9,]+ bytes\) is available", lines[0]);
        }

        Assert.Equal("  hint: " + hint, lines[1]);
        Assert.Equal(before, Snapshot());
    }

    private Dictionary<string, string> Snapshot() =>
        Directory.EnumerateFiles(_temp.Path, "*", SearchOption.AllDirectories)
            .ToDictionary(p => p, p => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))));

    // ---- Sizes -----------------------------------------------------------------------------------

    [Fact]
    public void SimulateWithTwoBillionUnits() =>
        AssertRefused(
            "a model of 2,000,000,000 units, rank 2 needs its parameters θ: [10000000075] = 10,000,000,075 values in one array, more than an array can hold (2,147,483,591); in all it needs 74.5 GiB (80,000,000,600 bytes).",
            "lower --units or --rank.",
            true,
            "simulate", "--units", "2000000000", "--out", PathOf("x.npz"));

    [Fact]
    public void SimulateWithTwoBillionSteps() =>
        AssertRefused(
            "the simulation needs latents: [1 × 2000000000 × 2] = 4,000,000,000 values in one array, more than an array can hold (2,147,483,591); in all it needs 506.6 GiB (544,000,000,000 bytes).",
            "lower --trials or --steps.",
            true,
            "simulate", "--steps", "2000000000", "--out", PathOf("x.npz"));

    [Fact]
    public void SimulateWithTwoBillionTrials() =>
        AssertRefused(
            "the simulation needs latents: [2000000000 × 1000 × 2] = 4,000,000,000,000 values in one array, more than an array can hold (2,147,483,591); in all it needs 494.8 TiB (544,000,000,000,000 bytes).",
            "lower --trials or --steps.",
            true,
            "simulate", "--trials", "2000000000", "--out", PathOf("x.npz"));

    [Fact]
    public void FitWithTwoBillionParticles() =>
        AssertRefused(
            "the fit needs the particle histories z, f and ε of each sequence: 30 arrays of [50 × 2000000000 × 2] = 200,000,000,000 values in one array, more than an array can hold (2,147,483,591); in all it needs 58.2 TiB (64,000,000,007,360 bytes).",
            "lower --particles, --batch or --window (or --units).",
            true,
            "fit", "--data", PathOf("d.npz"), "--rank", "2", "--units", "16", "--window", "50", "--particles", "2000000000", "--out", PathOf("fit"));

    [Fact]
    public void FitWithTwoBillionSequencesPerBatch() =>
        AssertRefused(
            "the fit needs 59.5 TiB (65,472,000,000,000 bytes) of memory, ",
            "lower --particles, --batch or --window (or --units).",
            false,
            "fit", "--data", PathOf("d.npz"), "--rank", "2", "--units", "16", "--window", "50", "--particles", "10", "--batch", "2000000000", "--out", PathOf("fit"));

    [Fact]
    public void TaskTrainWithTwoBillionUnits() =>
        AssertRefused(
            "a network of 2,000,000,000 units needs its parameters θ: [4000000014000000000] = 4,000,000,014,000,000,000 values in one array, more than an array can hold (2,147,483,591); in all it needs 27.8 EiB (32,000,000,112,000,000,000 bytes).",
            "lower --units.",
            true,
            "task", "train", "--task", "cdi", "--units", "2000000000", "--out", PathOf("t"));

    [Fact]
    public void TaskTrainWithTwoBillionTrials() =>
        AssertRefused(
            "generating 2,000,000,000 cdi trials needs 3.0 TiB (3,264,000,000,000 bytes) of memory, ",
            "lower the number of trials.",
            false,
            "task", "train", "--task", "cdi", "--trials", "2000000000", "--out", PathOf("t"));

    [Fact]
    public void PopulationsTrainWithTwoBillionUnits() =>
        AssertRefused(
            "a network of 2,000,000,000 units needs its parameters θ: [18000000000] = 18,000,000,000 values in one array, more than an array can hold (2,147,483,591); in all it needs 134.1 GiB (144,000,000,000 bytes).",
            "lower --units.",
            true,
            "populations", "train", "--task", "cdi", "--rank", "1", "--components", "1", "--units", "2000000000", "--out", PathOf("p"));

    [Fact]
    public void AStochasticModelJsonWithTwoBillionUnits()
    {
        string json = Path.Combine(PathOf("m"), "model.json");
        File.WriteAllText(json, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(json), "\"units\": [0-9]+", "\"units\": 2000000000"));
        AssertRefused(
            $"{json} describes a model that cannot be loaded: a model of 2,000,000,000 units, rank 2 needs its parameters θ: [10000000023] = 10,000,000,023 values in one array, more than an array can hold (2,147,483,591); in all it needs 74.5 GiB (80,000,000,184 bytes).",
            "model.json was edited or damaged: restore it from the fit that wrote params.npz.",
            true,
            "generate", "--model", PathOf("m"), "--out", PathOf("g.npz"));
    }

    [Fact]
    public void ALintModelJsonWithTwoBillionUnits()
    {
        string json = Path.Combine(PathOf("r"), "model.json");
        File.WriteAllText(json, File.ReadAllText(json).Replace("\"units\": 16", "\"units\": 2000000000", StringComparison.Ordinal));
        AssertRefused(
            $"'{json}' describes a network that cannot be loaded: a network of 2,000,000,000 units needs its parameters θ: [18000000000] = 18,000,000,000 values in one array, more than an array can hold (2,147,483,591); in all it needs 134.1 GiB (144,000,000,000 bytes).",
            "model.json was edited or damaged: restore it, or retrain or refit the model.",
            true,
            "task", "eval", "--model", PathOf("r"));
    }

    // ---- NaN parameters ----------------------------------------------------------------------------

    [Theory]
    [InlineData("task", "eval")]
    [InlineData("populations", "fit")]
    public void ALintModelWithNaNParameters(string command, string subcommand)
    {
        string npz = Path.Combine(PathOf("r"), "params.npz");
        OrderedDictionary<string, NdArray> arrays = Npz.Read(npz);
        arrays["m"].Data[3] = double.NaN;
        File.Delete(npz);
        Npz.Write(npz, arrays, DType.Float64, compressed: false);
        string[] args = subcommand == "fit"
            ? [command, subcommand, "--model", PathOf("r"), "--out", PathOf("pop")]
            : [command, subcommand, "--model", PathOf("r")];
        AssertRefused(
            $"array 'm' in '{npz}' holds NaN at flat index 3; a network's parameters must be finite.",
            "the training that wrote it diverged or the file was edited: retrain or refit the model (a lower --lr helps a diverging fit).",
            true,
            args);
    }

    // ---- Recordings the metrics cannot score ---------------------------------------------------------

    [Fact]
    public void EvaluateOnARecordingWithAConstantChannel()
    {
        Rng rng = Rng.Create(4);
        var values = new double[200 * 3];
        for (int t = 0; t < 200; t++)
        {
            values[t * 3] = rng.NextGaussian();
            values[t * 3 + 1] = 2.5;
            values[t * 3 + 2] = rng.NextGaussian();
        }

        Npy.Write(PathOf("flat.npy"), NdArray.Create(values, 200, 3));
        AssertRefused(
            "channel 1 of the scored recording is constant (every value is 2.5).",
            "the metrics compare normalised spectra and state-space densities, which a constant channel does not have; drop the channel or score another recording.",
            true,
            "evaluate", "--model", PathOf("m"), "--data", PathOf("flat.npy"));
    }

    [Fact]
    public void EvaluateWithAnEndlessBurnIn() =>
        AssertRefused(
            "--burn-in must be at most 1,000,000 steps (got 2,000,000,000); a network forgets its start within a few thousand.",
            "pass --burn-in 2400 (the published protocol) or another count up to 1,000,000.",
            true,
            "evaluate", "--model", PathOf("m"), "--data", PathOf("d.npz"), "--burn-in", "2000000000");

    [Fact]
    public void SimulateWithAnEndlessBurnIn() =>
        AssertRefused(
            "burn-in must be at most 1,000,000 steps (got 2,000,000,000); a network forgets its start within a few thousand.",
            "pass a shorter --burn-in, e.g. 2400 (the published protocol).",
            true,
            "simulate", "--burn-in", "2000000000", "--out", PathOf("x.npz"));
}

public sealed class MemoryBudgetTests
{
    [Fact]
    public void ATotalAboveWhatIsAvailableIsRefusedWithTheBytesNeeded()
    {
        MemoryBudget budget = new MemoryBudget("the job").Doubles("a", 1000).DoublesEach("b", 3, 10, 10);
        Assert.Equal(10_400, budget.Bytes);
        budget.Check("lower it.", available: 10_400);
        InputException error = Assert.Throws<InputException>(() => budget.Check("lower it.", available: 10_399));
        Assert.Equal("the job needs 10.2 KiB (10,400 bytes) of memory, but 10.2 KiB (10,399 bytes) is available (the largest part, a: [1000], takes 7.8 KiB (8,000 bytes)).", error.Message);
        Assert.Equal("lower it.", error.Hint);
    }

    [Fact]
    public void OneArrayLongerThanDotNetAllowsIsRefusedWhateverTheMemory()
    {
        MemoryBudget budget = new MemoryBudget("the job").DoublesEach("b", 2, Array.MaxLength + 1.0);
        InputException error = Assert.Throws<InputException>(() => budget.Check("lower it.", available: long.MaxValue));
        Assert.StartsWith("the job needs b: 2 arrays of [2147483592] = 2,147,483,592 values in one array", error.Message);
    }

    [Theory]
    [InlineData(0, "0 bytes")]
    [InlineData(1023, "1,023 bytes")]
    [InlineData(1024, "1.0 KiB (1,024 bytes)")]
    [InlineData(1.5 * 1024 * 1024 * 1024, "1.5 GiB (1,610,612,736 bytes)")]
    public void BytesAreDescribedInBinaryUnitsWithTheExactCount(double bytes, string text) =>
        Assert.Equal(text, MemoryBudget.Describe(bytes));
}
