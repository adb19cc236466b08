using System.Globalization;
using System.Text.Json;
using LowRank.Formats;
using LowRank.Metrics;

namespace LowRank.Tests.Cli;

/// <summary><c>lowrank evaluate</c> on spike counts: the spiking statistics, co-smoothing, the figure, and their input errors.</summary>
public sealed class EvaluateSpikesCommandTests : IDisposable
{
    private const int Steps = 800, Units = 6;

    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-evaluate-spikes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private void PoissonTeacher()
    {
        CliResult result = CliHarness.Run(
            "simulate", "--likelihood", "poisson", "--units", "64", "--channels", Units.ToString(CultureInfo.InvariantCulture), "--steps", Steps.ToString(CultureInfo.InvariantCulture),
            "--burn-in", "100", "--seed", "3", "--out", PathOf("spikes.npz"), "--model-out", PathOf("poisson"));
        Assert.Equal(0, result.ExitCode);
    }

    private void GaussianTeacher()
    {
        CliResult result = CliHarness.Run("simulate", "--units", "64", "--channels", Units.ToString(CultureInfo.InvariantCulture), "--steps", "300", "--seed", "3", "--out", PathOf("eeg.npz"), "--model-out", PathOf("gaussian"));
        Assert.Equal(0, result.ExitCode);
    }

    private CliResult Evaluate(params string[] extra) =>
        CliHarness.Run([.. new[] { "evaluate", "--model", PathOf("poisson"), "--data", PathOf("spikes.npz"), "--burn-in", "50", "--threads", "1" }, .. extra]);

    [Fact]
    public void SpikeCountsGetTheSpikingStatisticsCoSmoothingAndAFigureNextToTheJson()
    {
        PoissonTeacher();
        CliResult result = Evaluate("--heldout-units", "0.34", "--particles", "32", "--corr-bins", "4", "--seed", "2", "--json", PathOf("ev.json"));
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("", result.Error);

        int[] heldOut = CoSmoothing.PickHeldOutUnits(Units, 0.34, seed: 2);
        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length);
        Assert.Equal($"scored all {Steps} steps of '{PathOf("spikes.npz")}' ({Units} units, spike counts per bin) against a series generated after 50 burn-in steps (prior sample initial state)", lines[0]);
        Assert.Matches(@"^rate_r          -?\d\.\d{3} \(6 units; mean rate data \d\.\d{3}, generated \d\.\d{3} spikes per bin\)$", lines[1]);
        Assert.Matches(@"^pairwise_corr_r -?\d\.\d{3} \(\d+ pairs; counts per bin\)$", lines[2]);
        Assert.Matches(@"^pairwise_corr_r -?\d\.\d{3} \(counts summed over 4 bins\)$", lines[3]);
        Assert.Matches(@"^isi_cv_error    \d\.\d{3} \(median over \d units; median ISI CV data \d\.\d{3}, generated \d\.\d{3}\)$", lines[4]);
        Assert.Matches($@"^co_bps          -?\d\.\d{{4}} \(held-out units {string.Join(", ", heldOut)}: \d+ spikes; marginal smoother, 32 particles\)$", lines[5]);
        Assert.Equal($"wrote {PathOf("ev.png")}", lines[6]);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("ev.json")));
        JsonElement root = json.RootElement;
        Assert.Equal("spikes", root.GetProperty("metrics").GetString());
        foreach (string key in new[] { "rate_r", "pairwise_corr_r", "isi_cv_error", "co_bps", "pairwise_corr_r_summed" })
        {
            Assert.True(double.IsFinite(root.GetProperty(key).GetDouble()), key);
        }

        Assert.Equal(heldOut, root.GetProperty("heldout_units").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(2, heldOut.Length); // round(0.34 · 6) = 2
        Assert.Equal(0.34, root.GetProperty("heldout_fraction").GetDouble());
        Assert.Equal("marginal", root.GetProperty("co_bps_posterior").GetString());
        Assert.Equal(4, root.GetProperty("corr_bins").GetInt32());
        Assert.Equal(Units, root.GetProperty("correlations_data").GetArrayLength());
        Assert.Equal(Units, root.GetProperty("correlations_data")[0].GetArrayLength());
        Assert.Equal(Units, root.GetProperty("isi_histogram_generated").GetArrayLength());
        Assert.Equal(SpikingOptions.DefaultIsiBins, root.GetProperty("isi_histogram_data")[0].GetArrayLength());
        Assert.Equal(Steps, root.GetProperty("steps").GetInt32());
        Assert.Equal(PathOf("ev.png"), root.GetProperty("plot").GetString());

        // The data's statistics are those of the file.
        double[] counts = Npz.Read(PathOf("spikes.npz"))["samples"].Data;
        Assert.Equal(SpikingStatistics.MeanRates(counts, Steps, Units), root.GetProperty("mean_rates_data").EnumerateArray().Select(e => e.GetDouble()));

        byte[] png = File.ReadAllBytes(PathOf("ev.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    [Fact]
    public void HoldoutScoresTheLastPartAndPlotGoesWhereAsked()
    {
        PoissonTeacher();
        CliResult result = Evaluate("--holdout", "0.25", "--metrics", "spikes", "--generations", "2", "--plot", PathOf("fig.png"));
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.StartsWith($"scored held-out steps 600..799 (200 steps) of '{PathOf("spikes.npz")}' ({Units} units, spike counts per bin) against 2 series generated after 50 burn-in steps each", result.Output);
        Assert.Matches(@"\nrate_r          -?\d\.\d{3} ± \d\.\d{3} \(sd over 2 series\) \(series 0: 6 units;", result.Output);
        Assert.Contains("generated series 2/2", result.Error);
        Assert.True(File.Exists(PathOf("fig.png")));
    }

    [Fact]
    public void SpikesOnNonCountDataIsAnInputError()
    {
        GaussianTeacher();
        double first = Npz.Read(PathOf("eeg.npz"))["samples"].Data[0];
        CliResult result = CliHarness.Run("evaluate", "--model", PathOf("gaussian"), "--data", PathOf("eeg.npz"), "--metrics", "spikes", "--json", PathOf("ev.json"), "--plot", PathOf("ev.png"));
        Assert.Equal(2, result.ExitCode);
        string problem = first < 0 ? "is negative" : "is not a whole number";
        Assert.Equal(
            $"error: the spiking statistics (chosen by --metrics spikes) compare spike counts, but recording '{PathOf("eeg.npz")}' holds {first.ToString("G6", CultureInfo.InvariantCulture)} at step 0, channel 0, which {problem}.\n"
            + "  hint: pass --metrics eeg to score continuous signals with D_stsp and D_H, or bin spike times into counts per bin.\n",
            result.Error);
        Assert.Empty(Directory.GetFiles(_dir, "ev.*"));
    }

    [Fact]
    public void AGaussianModelOnCountsIsAnInputError()
    {
        GaussianTeacher();
        Npy.Write(PathOf("counts.npy"), NdArray.Create([.. Enumerable.Range(0, 300 * Units).Select(i => (double)(i % 3))], 300, Units));
        CliResult result = CliHarness.Run("evaluate", "--model", PathOf("gaussian"), "--data", PathOf("counts.npy"), "--json", PathOf("ev.json"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "error: the spiking statistics (chosen by count data) compare spike trains, but the model has a gaussian likelihood: it generates real values, not spike counts.\n"
            + "  hint: pass --metrics eeg to score its series with D_stsp and D_H, or refit with --likelihood poisson.\n",
            result.Error);
        Assert.False(File.Exists(PathOf("ev.json")));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("-0.2")]
    public void HeldOutFractionOutsideZeroToOneIsAnInputError(string fraction)
    {
        CliResult result = CliHarness.Run("evaluate", "--model", PathOf("none"), "--data", PathOf("none.npy"), "--heldout-units", fraction, "--json", PathOf("ev.json"), "--plot", PathOf("ev.png"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"error: --heldout-units must lie strictly between 0 and 1 (got {fraction}): it is the fraction of the units hidden and predicted.\n  hint: pass a fraction such as --heldout-units 0.2.\n",
            result.Error);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void HeldOutUnitsWithoutSpikesOnTheScoredStepsAreAnInputError()
    {
        // Spikes in the first half only; the second half is scored.
        PoissonTeacher();
        double[] counts = Npz.Read(PathOf("spikes.npz"))["samples"].Data;
        Array.Clear(counts, Steps / 2 * Units, Steps / 2 * Units);
        Npy.Write(PathOf("silent.npy"), NdArray.Create(counts, Steps, Units));
        int[] heldOut = CoSmoothing.PickHeldOutUnits(Units, 0.2, seed: 0);

        CliResult result = CliHarness.Run(
            "evaluate", "--model", PathOf("poisson"), "--data", PathOf("silent.npy"), "--holdout", "0.5", "--heldout-units", "0.2", "--json", PathOf("ev.json"), "--plot", PathOf("ev.png"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"error: the held-out unit(s) {string.Join(", ", heldOut)} have no spikes on the {Steps / 2} scored steps, so bits per spike (a gain per held-out spike) is undefined.\n"
            + "  hint: hold out other units (another --seed or a larger --heldout-units), or score more steps (a larger --holdout, or none).\n",
            result.Error);
        Assert.Empty(Directory.GetFiles(_dir, "ev.*"));
    }

    [Fact]
    public void HoldingOutEveryUnitIsAnInputError()
    {
        PoissonTeacher();
        CliResult result = Evaluate("--heldout-units", "0.95", "--plot", PathOf("ev.png"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "error: holding out --heldout-units 0.95 of 6 unit(s) hides 6, leaving no unit to predict them from.\n  hint: pass a smaller fraction, such as --heldout-units 0.17 (one unit).\n",
            result.Error);
        Assert.False(File.Exists(PathOf("ev.png")));
    }

    [Theory]
    [InlineData("--plot", "fig.png")]
    [InlineData("--heldout-units", "0.2")]
    [InlineData("--corr-bins", "5")]
    public void SpikingFlagsWithTheEegMetricsAreInputErrors(string flag, string value)
    {
        GaussianTeacher();
        value = value.EndsWith(".png", StringComparison.Ordinal) ? PathOf(value) : value;
        CliResult result = CliHarness.Run("evaluate", "--model", PathOf("gaussian"), "--data", PathOf("eeg.npz"), flag, value, "--json", PathOf("ev.json"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"error: {flag} belongs to the spiking metrics, but the EEG metrics were chosen (the model's likelihood is gaussian and the data are not spike counts).\n"
            + $"  hint: drop {flag}, or score a Poisson model on spike counts (--metrics spikes).\n",
            result.Error);
        Assert.Empty(Directory.GetFiles(_dir, "ev.*"));
        Assert.False(File.Exists(PathOf("fig.png")));
    }

    [Theory]
    [InlineData(new[] { "--corr-bins", "1" }, "error: --corr-bins must be at least 2 (got 1); the correlations of the data's own bins are always reported.\n  hint: pass --corr-bins 5 to also correlate counts summed over 5 bins, or leave it out.\n")]
    [InlineData(new[] { "--plot", "fig.jpg" }, "error: --plot 'fig.jpg' must be a .png file.\n  hint: pass a path ending in .png, e.g. --plot out.png.\n")]
    [InlineData(new[] { "--metrics", "eeg", "--plot", "fig.png" }, "error: --plot belongs to the spiking metrics, but --metrics eeg was passed.\n  hint: drop --plot, or score a Poisson model on spike counts (--metrics spikes).\n")]
    public void BadSpikingSettingsAreInputErrors(string[] extra, string expected)
    {
        CliResult result = CliHarness.Run([.. new[] { "evaluate", "--model", PathOf("none"), "--data", PathOf("none.npy") }, .. extra]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(expected, result.Error);
    }
}
