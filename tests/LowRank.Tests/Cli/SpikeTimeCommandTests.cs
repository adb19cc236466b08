using System.Text.Json;
using LowRank.Formats;
using LowRank.Numerics;
using LowRank.Tests.Formats;

namespace LowRank.Tests.Cli;

/// <summary>
/// Spike times as a recording on every command (<c>--bin-width</c>, <c>--start</c>, <c>--stop</c>,
/// <c>--align-trials</c>): fit stores the bins, infer, evaluate and generate reuse them, inspect shows the units; and
/// each bad input: exit 2, one <c>error:</c> and one <c>hint:</c> line, nothing written.
/// </summary>
public sealed class SpikeTimeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-spiketimes-").FullName;

    /// <summary>Spikes of 4 units over 20 s (400 bins of 50 ms), their total, and an NWB file with three trials of unequal length.</summary>
    public SpikeTimeCommandTests()
    {
        // Poisson spikes in bins 0 … 398 of 50 ms; unit 0 also fires at 0 and unit 1 at 19.99 s, so the window is [0, 20).
        Rng rng = Rng.Create(11);
        List<double>[] perUnitTimes = [[0.0], [], [], []];
        for (int bin = 0; bin < 399; bin++)
        {
            for (int unit = 0; unit < 4; unit++)
            {
                int count = rng.NextPoisson(Math.Exp(0.7 * Math.Sin(0.2 * bin + unit)));
                perUnitTimes[unit].AddRange(Enumerable.Range(0, count).Select(_ => 0.05 * (bin + rng.NextDouble())).Order());
            }
        }

        perUnitTimes[1].Add(19.99);
        double[] times = [.. perUnitTimes.SelectMany(t => t)];
        double[] units = [.. perUnitTimes.SelectMany((t, unit) => t.Select(_ => (double)unit))];
        Spikes = times.Length;
        Write("spikes.npz", times, units);

        // Trials of 3, 3.5 and 3.2 s at 0.1 s bins: 30, 35 and 32 bins, all cut to 30.
        double[][] perUnit = [.. Enumerable.Range(0, 3).Select(u => Enumerable.Range(0, 110).Select(i => 0.1 * i + 0.01 * (u + 1)).ToArray())];
        NwbBuilder.Write(PathOf("trials.nwb"), perUnit, trials: [(0, 3), (3.5, 7), (7.5, 10.7)], ids: [5, 6, 8]);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private int Spikes { get; }

    private string PathOf(string name) => Path.Combine(_dir, name);

    private void Write(string name, double[] times, double[] units, double? unitCount = null)
    {
        var arrays = new OrderedDictionary<string, NdArray> { ["spike_times"] = NdArray.FromVector(times), ["spike_units"] = NdArray.FromVector(units) };
        if (unitCount is { } n)
        {
            arrays["n_units"] = NdArray.Scalar(n);
        }

        Npz.Write(PathOf(name), arrays);
    }

    private static readonly string[] Small = ["--rank", "2", "--units", "9", "--particles", "4", "--batch", "5", "--window", "20", "--windows", "10", "--epochs", "2", "--evaluate-every", "0", "--seed", "5", "--threads", "1"];

    private CliResult Fit(string data, string output, params string[] extra) =>
        CliHarness.Run([.. new[] { "fit", "--data", PathOf(data), "--out", PathOf(output) }, .. Small, .. extra]);

    [Fact]
    public void AFitStoresItsBinsAndInferEvaluateAndGenerateReuseThem()
    {
        CliResult fit = Fit("spikes.npz", "m", "--bin-width", "0.05", "--likelihood", "poisson");
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains($"binned {Spikes} spikes of 4 units in 0.05 s bins: 400 bins from 0 s to 20 s (stored in model.json, used again for later spike times)", fit.Output);
        using (JsonDocument model = JsonDocument.Parse(File.ReadAllText(PathOf("m/model.json"))))
        {
            JsonElement preprocessing = model.RootElement.GetProperty("preprocessing");
            JsonElement binning = preprocessing.GetProperty("binning");
            Assert.Equal(0.05, binning.GetProperty("bin_width").GetDouble());
            Assert.Equal(0, binning.GetProperty("start").GetDouble());
            Assert.Equal(20, binning.GetProperty("stop").GetDouble());
            Assert.False(binning.GetProperty("align_trials").GetBoolean());
            Assert.Equal(["0", "1", "2", "3"], preprocessing.GetProperty("channel_names").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(JsonValueKind.Null, preprocessing.GetProperty("zscore").ValueKind);
        }

        CliResult inspect = CliHarness.Run("inspect", PathOf("m"));
        Assert.True(inspect.ExitCode == 0, inspect.Error);
        Assert.Contains("\n  fitted to spike times in 0.05 s bins, from 0 s to 20 s (later spike times are binned the same way: --bin-width 0.05)\n", inspect.Output);

        CliResult infer = CliHarness.Run("infer", "--model", PathOf("m"), "--data", PathOf("spikes.npz"), "--particles", "8", "--out", PathOf("post.npz"));
        Assert.True(infer.ExitCode == 0, infer.Error);
        Assert.StartsWith($"binned {Spikes} spikes of 4 units in 0.05 s bins: 400 bins from 0 s to 20 s", infer.Output);
        Assert.Equal([1, 400, 4], Npz.Read(PathOf("post.npz"))["rates"].Shape);

        // Another window of the same file: the bin width again, with --start and --stop.
        CliResult window = CliHarness.Run("infer", "--model", PathOf("m"), "--data", PathOf("spikes.npz"), "--bin-width", "0.05", "--start", "5", "--stop", "10", "--particles", "8", "--out", PathOf("window.npz"));
        Assert.True(window.ExitCode == 0, window.Error);
        Assert.Equal([1, 100, 4], Npz.Read(PathOf("window.npz"))["rates"].Shape);

        CliResult evaluate = CliHarness.Run("evaluate", "--model", PathOf("m"), "--data", PathOf("spikes.npz"), "--burn-in", "10", "--seeds", "1", "--plot", PathOf("ev.png"));
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        Assert.Contains("400 steps", evaluate.Output);
        CliResult evaluateWindow = CliHarness.Run("evaluate", "--model", PathOf("m"), "--data", PathOf("spikes.npz"), "--bin-width", "0.05", "--stop", "10", "--burn-in", "10", "--seeds", "1", "--plot", PathOf("ev-window.png"));
        Assert.True(evaluateWindow.ExitCode == 0, evaluateWindow.Error);
        Assert.Contains("200 steps", evaluateWindow.Output);

        CliResult generate = CliHarness.Run("generate", "--model", PathOf("m"), "--init", "posterior-mean", "--data", PathOf("spikes.npz"), "--steps", "20", "--out", PathOf("gen.npz"));
        Assert.True(generate.ExitCode == 0, generate.Error);
        Assert.StartsWith($"binned {Spikes} spikes of 4 units in 0.05 s bins", generate.Output);

        AssertBadInput(
            ["infer", "--model", PathOf("m"), "--data", PathOf("spikes.npz"), "--bin-width", "0.1", "--out", PathOf("other.npz")],
            $"model '{PathOf("m")}' was fitted to spike counts in bins of 0.05 s, its time step, so --bin-width 0.1 does not fit it.",
            "drop --bin-width to bin as the fit did, or pass --bin-width 0.05.",
            "other.npz");
    }

    [Fact]
    public void NwbTrialsAreBinnedOneByOneAndTheCutIsStated()
    {
        CliResult fit = Fit("trials.nwb", "t", "--bin-width", "0.1", "--align-trials", "--likelihood", "poisson");
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("binned 270 spikes of 3 units in 0.1 s bins: 3 trials of the trials table, 30 bins each (trials cut to the shortest, 30 bins = 3 s; the longest spans 35 bins)", fit.Output);
        Assert.Contains("\"align_trials\": true", File.ReadAllText(PathOf("t/model.json")));

        CliResult infer = CliHarness.Run("infer", "--model", PathOf("t"), "--data", PathOf("trials.nwb"), "--particles", "8", "--out", PathOf("post.npz"));
        Assert.True(infer.ExitCode == 0, infer.Error);
        Assert.Equal([3, 30, 3], Npz.Read(PathOf("post.npz"))["rates"].Shape);
    }

    [Fact]
    public void InspectShowsUnitsSpikesAndRatesWithoutABinWidth()
    {
        Write("few.npz", [0.5, 1.0, 1.5, 2.5], [0, 2, 0, 0], unitCount: 3);
        CliResult result = CliHarness.Run("inspect", PathOf("few.npz"), "--json", PathOf("few.json"));
        Assert.True(result.ExitCode == 0, result.Error);
        string[] lines = result.Output.Split(Environment.NewLine);
        Assert.Contains("spike times: 3 units, 4 spikes over 2 s (from the first spike at 0.5 s to the last at 2.5 s)", lines);
        Assert.Contains("  unit 0: 3 spikes, 1.5 Hz", lines);
        Assert.Contains("  unit 1: 0 spikes, 0 Hz", lines);
        Assert.Contains("  unit 2: 1 spike, 0.5 Hz", lines);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("few.json")));
        JsonElement spikes = json.RootElement.GetProperty("spike_trains");
        Assert.Equal(["0", "1", "2"], spikes.GetProperty("units").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([3L, 0, 1], spikes.GetProperty("spikes").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(2.0, spikes.GetProperty("duration_s").GetDouble());
        Assert.Equal([1.5, 0, 0.5], spikes.GetProperty("rates_hz").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(JsonValueKind.Null, spikes.GetProperty("binning").ValueKind);
    }

    [Fact]
    public void InspectWithABinWidthShowsTheCountsAndTheirRates()
    {
        // units.nwb: unit 10 at 0.0012, 0.0131, 0.0142, 0.0505; unit 11 silent; unit 12 at 0.0205, 0.0995. Bins of 20 ms from 0 to 0.1 s.
        string path = Fixtures.Nwb("units.nwb");
        CliResult result = CliHarness.Run("inspect", path, "--bin-width", "0.02", "--json", PathOf("u.json"));
        Assert.True(result.ExitCode == 0, result.Error);
        string[] lines = result.Output.Split(Environment.NewLine);
        Assert.Contains("counts  shape [1, 5, 3]  dtype float64 (<f8)", lines);
        Assert.Contains("  channel 0 (10): min 0  max 3  mean 0.8  sd 1.16619", lines); // 3, 0, 1, 0, 0
        Assert.Contains("spike times: binned 6 spikes of 3 units in 0.02 s bins: 5 bins from 0 s to 0.1 s", lines);
        Assert.Contains("  unit 10: 4 spikes, 40 Hz", lines);
        Assert.Contains("  unit 12: 2 spikes, 20 Hz", lines);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("u.json")));
        JsonElement spikes = json.RootElement.GetProperty("spike_trains");
        Assert.Equal(0.1, spikes.GetProperty("duration_s").GetDouble(), 12);
        Assert.Equal(0.02, spikes.GetProperty("binning").GetProperty("applied").GetProperty("bin_width").GetDouble());
        Assert.Equal(5, spikes.GetProperty("binning").GetProperty("bins").GetInt32());
    }

    [Fact]
    public void InspectSummarisesManyUnitsAsRanges()
    {
        // Ten units: unit u fires u + 2 times, evenly from 0 to 2 s; 2 … 11 spikes, 1 … 5.5 Hz.
        double[][] perUnit = [.. Enumerable.Range(0, 10).Select(u => Enumerable.Range(0, u + 2).Select(i => 2.0 * i / (u + 1)).ToArray())];
        Write("wide.npz", [.. perUnit.SelectMany(t => t)], [.. perUnit.SelectMany((t, u) => t.Select(_ => (double)u))]);
        CliResult result = CliHarness.Run("inspect", PathOf("wide.npz"));
        Assert.True(result.ExitCode == 0, result.Error);
        string[] lines = result.Output.Split(Environment.NewLine);
        Assert.Contains("spike times: 10 units, 65 spikes over 2 s (from the first spike at 0 s to the last at 2 s)", lines);
        Assert.Contains("  spikes per unit: min 2, median 6.5, max 11", lines);
        Assert.Contains("  mean rate (Hz): min 1, median 3.25, max 5.5", lines);
    }

    [Fact]
    public void AModelFittedToSpikeTimesReadsCountsAsTheyAre()
    {
        CliResult fit = Fit("spikes.npz", "m", "--bin-width", "0.05", "--likelihood", "poisson");
        Assert.True(fit.ExitCode == 0, fit.Error);
        Npy.Write(PathOf("counts.npy"), NdArray.Zeros(50, 4));
        CliResult infer = CliHarness.Run("infer", "--model", PathOf("m"), "--data", PathOf("counts.npy"), "--particles", "8", "--out", PathOf("post.npz"));
        Assert.True(infer.ExitCode == 0, infer.Error);
        Assert.DoesNotContain("binned", infer.Output);
        Assert.Equal([1, 50, 4], Npz.Read(PathOf("post.npz"))["rates"].Shape);
    }

    // ---- Bad input: one case each, exact stderr, exit code 2, nothing written ------------------------

    [Fact]
    public void SpikeTimesOutOfOrderWithinAUnit()
    {
        Write("order.npz", [0.2, 0.1], [0, 0]);
        AssertBadFit(
            "order.npz",
            ["--bin-width", "0.05"],
            $"npz '{PathOf("order.npz")}' unit 0 has its spike 1 at 0.1 s, before its spike 0 at 0.2 s: a unit's spike times must not decrease.",
            "sort the spikes by time (order = np.argsort(t, kind='stable'); save t[order] and u[order]).");
    }

    [Fact]
    public void ANegativeSpikeTime()
    {
        Write("negative.npz", [-0.1, 0.5], [0, 0]);
        AssertBadFit(
            "negative.npz",
            ["--bin-width", "0.05"],
            $"npz '{PathOf("negative.npz")}' unit 0 has a spike at -0.1 s, before the start of the recording (times are seconds from its start, 0).",
            "shift the times so that the recording starts at 0 s, or drop the spikes before its start.");
    }

    [Fact]
    public void AUnitIdOfNUnitsOrMore()
    {
        Write("range.npz", [0.1, 0.2], [0, 2], unitCount: 2);
        AssertBadInput(
            ["inspect", PathOf("range.npz"), "--json", PathOf("range.json")],
            $"npz '{PathOf("range.npz")}' has spike_units[1] = 2, but n_units = 2 (unit ids run from 0 to 1).",
            "give each spike the id of its unit, 0 … n_units − 1, or raise n_units.",
            "range.json");
    }

    [Fact]
    public void ANegativeUnitId()
    {
        Write("minus.npz", [0.1, 0.2], [0, -3]);
        AssertBadFit(
            "minus.npz",
            ["--bin-width", "0.05"],
            $"npz '{PathOf("minus.npz")}' has spike_units[1] = -3, which is not a unit id (a whole number from 0).",
            "number the units 0 … U−1 and give each spike its unit's number in spike_units.");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0.02")]
    public void ABinWidthThatIsNotPositive(string width) =>
        AssertBadFit(
            "spikes.npz",
            ["--bin-width", width],
            $"--bin-width must be a positive number of seconds, got {width}.",
            "pass --bin-width with a value that is a positive number of seconds.");

    [Fact]
    public void ABinWidthLongerThanTheRecording() =>
        AssertBadFit(
            "spikes.npz",
            ["--bin-width", "30"],
            $"recording '{PathOf("spikes.npz")}' lasts 19.99 s (from the first spike at 0 s to the last spike at 19.99 s), less than one bin of 30 s.",
            "choose a --bin-width of at most 19.99 s, or a longer window with --start and --stop.");

    [Fact]
    public void AnNwbFileWithoutAUnitsTable()
    {
        string path = Fixtures.Nwb("no_units.nwb");
        CliResult result = CliHarness.Run([.. new[] { "fit", "--data", path, "--out", PathOf("m") }, .. Small, "--bin-width", "0.02"]);
        AssertRefused(
            result,
            $"NWB '{path}' has no units table with spike times (/units/spike_times and /units/spike_times_index).",
            "lowrank reads sorted spikes from NWB; add the units with pynwb (nwbfile.add_unit(spike_times=...)) or export binned data as .npy.");
        Assert.False(Directory.Exists(PathOf("m")));
    }

    [Fact]
    public void SpikeTimesAndUnitsOfDifferentLengths()
    {
        Write("lengths.npz", [0.1, 0.2, 0.3], [0, 1]);
        AssertBadInput(
            ["inspect", PathOf("lengths.npz"), "--json", PathOf("lengths.json")],
            $"npz '{PathOf("lengths.npz")}' has 3 spike_times but 2 spike_units; each spike needs one unit id.",
            "save one unit id per spike time (len(spike_times) == len(spike_units)).",
            "lengths.json");
    }

    [Fact]
    public void SpikeTimesWithoutABinWidth() =>
        AssertBadFit(
            "spikes.npz",
            [],
            $"recording '{PathOf("spikes.npz")}' holds spike times, which need a bin width to become counts.",
            "give the bin width in seconds with --bin-width, e.g. 0.02 for 20 ms bins.");

    [Fact]
    public void ABinWidthForARecordingOfSamples()
    {
        Npy.Write(PathOf("counts.npy"), NdArray.Zeros(50, 2));
        AssertBadFit(
            "counts.npy",
            ["--bin-width", "0.05"],
            $"recording '{PathOf("counts.npy")}' holds samples, not spike times, so --bin-width has nothing to bin.",
            "drop --bin-width (and --start, --stop, --align-trials) for binned or continuous data; spike times come as .nwb or as an npz of spike_times and spike_units.");
    }

    [Fact]
    public void AWindowWithoutABinWidth() =>
        AssertBadFit(
            "spikes.npz",
            ["--start", "2"],
            "--start says how to bin spike times, but no --bin-width was given.",
            "pass --bin-width SECONDS with it (for a model fitted to spike times, the bin width it stores).");

    [Fact]
    public void AlignedTrialsWithoutATrialsTable()
    {
        string path = Fixtures.Nwb("units.nwb");
        CliResult result = CliHarness.Run([.. new[] { "fit", "--data", path, "--out", PathOf("m") }, .. Small, "--bin-width", "0.02", "--align-trials"]);
        AssertRefused(
            result,
            $"recording '{path}' has no trials table (/intervals/trials) for --align-trials.",
            "drop --align-trials to bin one window (--start, --stop), or add the trials with pynwb (nwbfile.add_trial(start_time=..., stop_time=...)).");
        Assert.False(Directory.Exists(PathOf("m")));
    }

    [Fact]
    public void AlignedTrialsWithAWindow() =>
        AssertBadFit(
            "trials.nwb",
            ["--bin-width", "0.1", "--align-trials", "--stop", "3"],
            "--align-trials bins each trial from its start_time to its stop_time, so --stop has no window to set.",
            "drop --start and --stop to bin the trials, or drop --align-trials to bin one window of the recording.");

    [Fact]
    public void ABinWidthForGenerateWithoutData() =>
        AssertBadInput(
            ["generate", "--model", PathOf("m"), "--bin-width", "0.05", "--out", PathOf("gen.npz")],
            "--bin-width (with --start, --stop, --align-trials) says how to bin the spike times of --data, but no --data was given.",
            "drop them, or pass --data FILE with --init posterior-sample.",
            "gen.npz");

    /// <summary>A small fit of <paramref name="data"/> with <paramref name="extra"/> is refused and writes no model directory.</summary>
    private void AssertBadFit(string data, string[] extra, string message, string hint)
    {
        string[] before = Directory.GetFileSystemEntries(_dir);
        AssertRefused(Fit(data, "m", extra), message, hint);
        Assert.Equal(before, Directory.GetFileSystemEntries(_dir));
    }

    /// <summary><paramref name="args"/> are refused and <paramref name="output"/> (in the test folder) is not written.</summary>
    private void AssertBadInput(string[] args, string message, string hint, string output)
    {
        AssertRefused(CliHarness.Run(args), message, hint);
        Assert.False(File.Exists(PathOf(output)), $"no {output} may be written on bad input");
    }

    private static void AssertRefused(CliResult result, string message, string hint)
    {
        Assert.Equal($"error: {message}{Environment.NewLine}  hint: {hint}{Environment.NewLine}", result.Error);
        Assert.Equal(2, result.ExitCode);
    }
}
