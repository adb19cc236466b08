using System.Text.Json;
using LowRank.Formats;
using LowRank.Metrics;

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
        Assert.Matches(@"^dominant frequency 0\.\d{4} cycles/step generated, 0\.\d{4} data$", lines[3]);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("ev.json")));
        JsonElement root = json.RootElement;
        double[] samples = Npz.Read(PathOf("data.npz"))["samples"].Data;
        Assert.Equal(Spectra.DominantFrequency(samples, 1200, 4), root.GetProperty("data_dominant_frequency").GetDouble());
        Assert.Equal([root.GetProperty("dominant_frequency").GetDouble()], Doubles(root, "dominant_frequency_per_generation"));
        Assert.InRange(root.GetProperty("dominant_frequency").GetDouble(), 1.0 / 256, 0.5);
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

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public void SameSeedSameFigures(string generations)
    {
        Teacher(600);
        string[] args = ["evaluate", "--model", PathOf("teacher"), "--data", PathOf("data.npz"), "--burn-in", "50", "--seeds", "2", "--seed", "4", "--generations", generations];
        Assert.Equal(CliHarness.Run([.. args, "--threads", "1"]).Output, CliHarness.Run([.. args, "--threads", "2"]).Output);
    }

    [Fact]
    public void GenerationsReportMeanAndSdOverTheSeriesAndEachSeries()
    {
        Teacher(600);
        CliResult result = CliHarness.Run("evaluate", "--model", PathOf("teacher"), "--data", PathOf("data.npz"), "--burn-in", "50", "--seeds", "2", "--seed", "4", "--generations", "3", "--json", PathOf("ev.json"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("generated series 3/3", result.Error);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("ev.json")));
        JsonElement root = json.RootElement;
        Assert.Equal(3, root.GetProperty("generations").GetInt32());
        double[] dStsp = Doubles(root, "d_stsp_per_generation"), dh = Doubles(root, "d_h_per_generation");
        long[] seeds = [.. root.GetProperty("generation_seeds").EnumerateArray().Select(e => e.GetInt64())];
        Assert.Equal(3, dStsp.Length);
        Assert.Equal(3, dh.Length);
        Assert.Equal(4, seeds[0]);
        Assert.Equal(dStsp.Average(), root.GetProperty("d_stsp").GetDouble(), 1e-12);
        Assert.Equal(SampleSd(dStsp), root.GetProperty("d_stsp_sd").GetDouble(), 1e-12);
        Assert.Equal("generations", root.GetProperty("d_stsp_sd_over").GetString());
        Assert.True(root.GetProperty("d_stsp_mc_sd").GetDouble() > 0);
        Assert.Equal(dh.Average(), root.GetProperty("d_h").GetDouble(), 1e-12);
        Assert.Equal(SampleSd(dh), root.GetProperty("d_h_sd").GetDouble(), 1e-12);
        Assert.Equal(6, Doubles(root, "d_stsp_per_seed").Length);
        Assert.Equal(6, root.GetProperty("d_stsp_dropped").GetArrayLength());
        Assert.Equal(4, root.GetProperty("d_h_per_channel").GetArrayLength());
        Assert.Equal(Doubles(root, "dominant_frequency_per_generation").Average(), root.GetProperty("dominant_frequency").GetDouble(), 1e-12);

        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.Equal($"scored all 600 steps of '{PathOf("data.npz")}' against 3 series generated after 50 burn-in steps each (posterior sample initial state)", lines[0]);
        Assert.Matches(@"^d_stsp -?\d+\.\d{3} ± \d+\.\d{3} \(sd over 3 series; Monte-Carlo sd \d+\.\d{3} over 2 seeds each; \d+ of 6000 draws dropped as float32 underflow\)$", lines[1]);
        Assert.Matches(@"^d_h    \d\.\d{4} ± \d\.\d{4} \(sd over 3 series\)$", lines[2]);
        Assert.Equal("d_stsp per series: " + string.Join(' ', dStsp.Select(v => v.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture))), lines[3]);
        Assert.Equal("d_h    per series: " + string.Join(' ', dh.Select(v => v.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture))), lines[4]);
        Assert.Matches(@"^dominant frequency 0\.\d{4} cycles/step generated \(mean over the series\), 0\.\d{4} data$", lines[5]);

        // Series g is what evaluating with its seed alone gives.
        Assert.Equal(0, CliHarness.Run("evaluate", "--model", PathOf("teacher"), "--data", PathOf("data.npz"), "--burn-in", "50", "--seeds", "2", "--seed", seeds[2].ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", PathOf("alone.json")).ExitCode);
        using JsonDocument alone = JsonDocument.Parse(File.ReadAllText(PathOf("alone.json")));
        Assert.Equal(dStsp[2], alone.RootElement.GetProperty("d_stsp").GetDouble());
        Assert.Equal(dh[2], alone.RootElement.GetProperty("d_h").GetDouble());
    }

    [Fact]
    public void OneGenerationIsTheDefaultAndKeepsTheMonteCarloSd()
    {
        Teacher(600);
        string[] args = ["evaluate", "--model", PathOf("teacher"), "--data", PathOf("data.npz"), "--burn-in", "50", "--seeds", "3", "--seed", "4"];
        CliResult byDefault = CliHarness.Run([.. args, "--json", PathOf("default.json")]);
        CliResult one = CliHarness.Run([.. args, "--generations", "1", "--json", PathOf("one.json")]);
        Assert.Equal(0, one.ExitCode);
        Assert.Equal("", one.Error);
        Assert.Equal(byDefault.Output, one.Output);
        Assert.Equal(4, one.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("(sd over 3 seeds;", one.Output);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("one.json")));
        JsonElement root = json.RootElement;
        double[] perSeed = Doubles(root, "d_stsp_per_seed");
        double sd = root.GetProperty("d_stsp_sd").GetDouble();
        Assert.Equal(SampleSd(perSeed), sd, 1e-12);
        Assert.Equal(sd, root.GetProperty("d_stsp_mc_sd").GetDouble());
        Assert.Equal("seeds", root.GetProperty("d_stsp_sd_over").GetString());
        Assert.Equal(1, root.GetProperty("generations").GetInt32());
        Assert.Equal([root.GetProperty("d_stsp").GetDouble()], Doubles(root, "d_stsp_per_generation"));
        Assert.Equal([root.GetProperty("d_h").GetDouble()], Doubles(root, "d_h_per_generation"));
        Assert.Equal(0, root.GetProperty("d_h_sd").GetDouble());
        Assert.Equal(4, root.GetProperty("generation_seeds")[0].GetInt64());
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
    [InlineData("--generations", "0", "error: --generations must be at least 1 (got 0).\n  hint: pass --generations 1 (the published protocol, one series) or more to average over independently generated series.\n")]
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

    private static double[] Doubles(JsonElement root, string key) => [.. root.GetProperty(key).EnumerateArray().Select(e => e.GetDouble())];

    private static double SampleSd(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }
}
