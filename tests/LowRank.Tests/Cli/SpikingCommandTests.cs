using LowRank.Cli;
using LowRank.Formats;
using LowRank.Numerics;

namespace LowRank.Tests.Cli;

/// <summary>The spiking half of fit, infer and generate: Poisson counts, the encoder proposal, missing entries, and their input errors.</summary>
public sealed class SpikingCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-spikes-").FullName;

    public SpikingCommandTests()
    {
        // Counts of 4 channels whose log-rates follow an oscillation.
        Rng rng = Rng.Create(3);
        var counts = new double[300 * 4];
        for (int t = 0; t < 300; t++)
        {
            for (int c = 0; c < 4; c++)
            {
                counts[t * 4 + c] = rng.NextPoisson(Math.Exp(0.8 * Math.Sin(0.3 * t + c)));
            }
        }

        Npy.Write(PathOf("counts.npy"), NdArray.Create(counts, 300, 4));
        double[] missing = (double[])counts.Clone();
        for (int i = 0; i < missing.Length; i += 5)
        {
            missing[i] = double.NaN;
        }

        Npy.Write(PathOf("missing.npy"), NdArray.Create(missing, 300, 4));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static readonly string[] Small = ["--rank", "2", "--units", "9", "--particles", "4", "--batch", "5", "--window", "30", "--windows", "10", "--epochs", "3", "--seed", "5", "--threads", "1"];

    private CliResult Fit(string data, string output, params string[] extra) =>
        CliHarness.Run([.. new[] { "fit", "--data", PathOf(data), "--out", PathOf(output) }, .. Small, .. extra]);

    [Fact]
    public void PoissonFitTakesSoftplusAndBootstrapByDefaultAndInfersRatesForMissingEntries()
    {
        CliResult fit = Fit("missing.npy", "m", "--likelihood", "poisson");
        Assert.True(fit.ExitCode == 0, fit.Error);
        string model = File.ReadAllText(PathOf("m/model.json"));
        Assert.Contains("\"likelihood\": \"poisson\"", model, StringComparison.Ordinal);
        Assert.Contains("\"link\": \"softplus\"", model, StringComparison.Ordinal);
        Assert.Contains("\"proposal\": \"bootstrap\"", model, StringComparison.Ordinal);

        CliResult infer = CliHarness.Run("infer", "--model", PathOf("m"), "--data", PathOf("missing.npy"), "--particles", "8", "--out", PathOf("post.npz"));
        Assert.True(infer.ExitCode == 0, infer.Error);
        var arrays = Npz.Read(PathOf("post.npz"));
        Assert.Equal([1, 300, 4], arrays["rates"].Shape);
        Assert.All(arrays["rates"].Data, v => Assert.True(v > 0 && double.IsFinite(v), $"rate {v}"));
        Assert.True(double.IsFinite(arrays["log_likelihood"].Data[0]));

        CliResult generate = CliHarness.Run(
            "generate", "--model", PathOf("m"), "--init", "posterior-sample", "--data", PathOf("missing.npy"), "--steps", "40", "--out", PathOf("gen.npz"));
        Assert.True(generate.ExitCode == 0, generate.Error);
        Assert.All(Npz.Read(PathOf("gen.npz"))["samples"].Data, v => Assert.True(v >= 0 && v == Math.Floor(v)));
    }

    [Fact]
    public void EncoderFitStoresTheEncoderInThetaAndInfersWithIt()
    {
        CliResult fit = Fit("counts.npy", "enc", "--likelihood", "poisson", "--link", "exp", "--proposal", "encoder", "--encoder-kernels", "5,3,1", "--encoder-channels", "6,4");
        Assert.True(fit.ExitCode == 0, fit.Error);
        var parameters = Npz.Read(PathOf("enc/params.npz"));
        Assert.Equal([6, 4, 5], parameters["encoder/conv0/weight"].Shape);
        Assert.Equal([4, 6, 3], parameters["encoder/conv1/weight"].Shape);
        Assert.Equal([4, 4, 1], parameters["encoder/conv2/weight"].Shape);
        Assert.Contains("\"kernel_sizes\": [", File.ReadAllText(PathOf("enc/model.json")), StringComparison.Ordinal);

        CliResult infer = CliHarness.Run("infer", "--model", PathOf("enc"), "--data", PathOf("counts.npy"), "--particles", "8", "--smoothing", "marginal", "--out", PathOf("post.npz"));
        Assert.True(infer.ExitCode == 0, infer.Error);
        Assert.Contains("8 particles, encoder proposal", infer.Output, StringComparison.Ordinal);

        CliResult generate = CliHarness.Run("generate", "--model", PathOf("enc"), "--init", "posterior-mean", "--data", PathOf("counts.npy"), "--steps", "30", "--out", PathOf("gen.npz"));
        Assert.True(generate.ExitCode == 0, generate.Error);
        Assert.Equal([1, 30, 4], Npz.Read(PathOf("gen.npz"))["samples"].Shape);
    }

    [SharedDataFact("hippocampus/hc11_buddy.npz")]
    public void HippocampusPresetFitsThePublishedSpikingModel()
    {
        string data = Fixtures.SharedData("hippocampus/hc11_buddy.npz")!;
        CliResult fit = CliHarness.Run("fit", "--data", data, "--preset", "hippocampus", "--epochs", "1", "--seed", "1", "--out", PathOf("hc"), "--json", PathOf("hc.json"));
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("(first 4670 of 6577 steps; the last 1907 held out)", fit.Output, StringComparison.Ordinal);
        string model = File.ReadAllText(PathOf("hc/model.json"));
        Assert.Contains("\"preset\": \"hippocampus\"", model, StringComparison.Ordinal);
        Assert.Contains("\"proposal\": \"encoder\"", model, StringComparison.Ordinal);
        Assert.Contains("\"link\": \"softplus\"", model, StringComparison.Ordinal);
        var parameters = Npz.Read(PathOf("hc/params.npz"));
        Assert.Equal([128, 48, 25], parameters["encoder/conv0/weight"].Shape);
        Assert.Equal([64, 128, 11], parameters["encoder/conv1/weight"].Shape);
        Assert.Equal([8, 64, 1], parameters["encoder/conv2/weight"].Shape);
        Assert.Equal([512, 4], parameters["m"].Shape);
    }

    [Theory]
    [InlineData("softplus")]
    [InlineData("relu")]
    public void SimulatePoissonTeacherWithAChosenLink(string link)
    {
        CliResult result = CliHarness.Run("simulate", "--likelihood", "poisson", "--link", link, "--steps", "200", "--out", PathOf("sim.npz"), "--model-out", PathOf("teacher"));
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"\"link\": \"{link}\"", File.ReadAllText(PathOf("teacher/model.json")), StringComparison.Ordinal);
        double[] samples = Npz.Read(PathOf("sim.npz"))["samples"].Data.ToArray();
        Assert.All(samples, v => Assert.True(v >= 0 && v == Math.Floor(v)));
        Assert.InRange(samples.Average(), 0.05, 2.0);
    }

    [Fact]
    public void SimulateWithALinkForGaussianObservationsIsAnInputError()
    {
        CliResult result = CliHarness.Run("simulate", "--link", "exp", "--steps", "20", "--out", PathOf("sim.npz"));
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: the Gaussian likelihood uses the identity link (got exp).", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("sim.npz")));
    }

    [Fact]
    public void InferWithAPoissonModelRefusesDataThatAreNotCounts()
    {
        Assert.Equal(0, Fit("counts.npy", "pm", "--likelihood", "poisson").ExitCode);
        double[] rates = Npy.Read(PathOf("counts.npy")).Data.Select(v => v + 0.25).ToArray();
        Npy.Write(PathOf("rates.npy"), NdArray.Create(rates, 300, 4));
        CliResult result = CliHarness.Run("infer", "--model", PathOf("pm"), "--data", PathOf("rates.npy"), "--out", PathOf("post.npz"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("which is not a whole number: a Poisson likelihood needs spike counts per bin", result.Error, StringComparison.Ordinal);
        Assert.Contains("hint: ", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("post.npz")));
    }

    public static TheoryData<string, string[], string, string> BadInputs() => new()
    {
        { "negative.npy", ["--likelihood", "poisson"], "holds -1 at step 7, channel 2, which is negative: a Poisson likelihood needs spike counts per bin", "bin spike times into counts" },
        { "fraction.npy", ["--likelihood", "poisson"], "holds 0.5 at step 7, channel 2, which is not a whole number", "--likelihood gaussian" },
        { "empty-channel.npy", ["--likelihood", "poisson"], "channel 1 of recording", "leave such channels out with --channels" },
        { "counts.npy", ["--likelihood", "poisson", "--proposal", "optimal"], "the optimal proposal needs the Gaussian likelihood", "use --proposal bootstrap (or encoder) with --likelihood poisson" },
        { "counts.npy", ["--link", "exp"], "the Gaussian likelihood uses the identity link (got exp).", "--link identity" },
        { "counts.npy", ["--likelihood", "poisson", "--proposal", "encoder", "--encoder-kernels", "40,1", "--encoder-channels", "3"], "the encoder sees 40 steps at once", "use smaller --encoder-kernels" },
        { "counts.npy", ["--likelihood", "poisson", "--encoder-kernels", "5,1"], "--encoder-kernels shapes the encoder of the encoder proposal, but the proposal is bootstrap.", "add --proposal encoder" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadSpikingInputIsAnInputErrorAndWritesNothing(string data, string[] flags, string message, string hint)
    {
        double[] counts = Npy.Read(PathOf("counts.npy")).Data.ToArray();
        counts[7 * 4 + 2] = data == "negative.npy" ? -1 : 0.5;
        Npy.Write(PathOf("negative.npy"), NdArray.Create(counts, 300, 4));
        Npy.Write(PathOf("fraction.npy"), NdArray.Create(counts, 300, 4));
        double[] empty = Npy.Read(PathOf("counts.npy")).Data.ToArray();
        for (int t = 0; t < 300; t++)
        {
            empty[t * 4 + 1] = double.NaN;
        }

        Npy.Write(PathOf("empty-channel.npy"), NdArray.Create(empty, 300, 4));
        CliResult result = Fit(data, "bad", flags);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Contains("hint: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(hint, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(PathOf("bad")));
    }
}
