using System.Text.Json;
using LowRank.Decoding;
using LowRank.Formats;
using LowRank.Numerics;

namespace LowRank.Tests.Cli;

/// <summary>
/// <c>lowrank decode</c> on a synthetic posterior: T = 400 steps of a rank-2 rotation with noise, a position that is a
/// linear image of it plus noise (sd 0.05 against a signal sd ≈ 0.41), and 6 Poisson neurons driven by the latents.
/// </summary>
public sealed class DecodeCommandTests : IDisposable
{
    private const int Steps = 400, Rank = 2, Neurons = 6;
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-decode-").FullName;
    private readonly double[] _latents;
    private readonly double[] _position;
    private readonly double[] _counts;

    public DecodeCommandTests()
    {
        Rng rng = Rng.Create(61);
        _latents = new double[Steps * Rank];
        _position = new double[Steps];
        _counts = new double[Steps * Neurons];
        for (int t = 0; t < Steps; t++)
        {
            double z1 = Math.Sin(2 * Math.PI * t / 50) + (0.1 * rng.NextGaussian());
            double z2 = Math.Cos(2 * Math.PI * t / 50) + (0.1 * rng.NextGaussian());
            _latents[t * Rank] = z1;
            _latents[(t * Rank) + 1] = z2;
            _position[t] = 1 + (0.5 * z1) - (0.3 * z2) + (0.05 * rng.NextGaussian());
            for (int n = 0; n < Neurons; n++)
            {
                _counts[(t * Neurons) + n] = rng.NextPoisson(Math.Exp(0.5 + (0.8 * Math.Cos(n) * z1) + (0.8 * Math.Sin(n) * z2)));
            }
        }

        WritePosterior(PathOf("post.npz"), _latents, 1, Steps);
        WritePosterior(PathOf("post-trials.npz"), _latents, 4, Steps / 4);
        Npz.Write(
            PathOf("session.npz"),
            [
                new("data", NdArray.Create(_counts, Steps, Neurons)),
                new("position", NdArray.Create(_position, Steps)),
                new("direction", NdArray.Create([.. Enumerable.Range(0, Steps).Select(t => t % 50 < 25 ? 1.0 : -1.0)], Steps)),
            ],
            DType.Float32);
        Npy.Write(PathOf("position.npy"), NdArray.Create(_position, Steps));
        Npy.Write(PathOf("position-by-trial.npy"), NdArray.Create(_position, 4, Steps / 4));
        Npy.Write(PathOf("short.npy"), NdArray.Create(_position[..300], 300));
        double[] withNaN = [.. _position];
        withNaN[7] = double.NaN;
        Npy.Write(PathOf("nan.npy"), NdArray.Create(withNaN, Steps));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void DecodesThePositionWithBothBaselinesAndWritesTheReportAndThePlot()
    {
        CliResult result = CliHarness.Run(
            "decode", "--posterior", PathOf("post.npz"), "--behaviour", PathOf("session.npz") + ":position", "--data", PathOf("session.npz"),
            "--json", PathOf("decode.json"), "--plot", PathOf("decode.png"));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains(":position (1 output(s)) with ridge 0.001: 284 training steps, 116 test steps (train fraction 0.71)", result.Output);
        Assert.Contains("\n  latents (2)            R²  0.9", result.Output);
        Assert.Contains("\n  smoothed counts (6)    R² ", result.Output);
        Assert.Contains("\n  PCA of counts (2)      R² ", result.Output);
        Assert.Contains("(Gaussian sd 5 bins, centred)\n", result.Output);

        JsonElement report = JsonDocument.Parse(File.ReadAllText(PathOf("decode.json"))).RootElement;
        string[] keys = [.. report.EnumerateObject().Select(p => p.Name)];
        Assert.Subset(keys.ToHashSet(), new HashSet<string>
        {
            "r2", "corr", "baseline_r2_smoothed", "baseline_r2_pca", "baseline_corr_smoothed", "baseline_corr_pca", "r2_per_output",
            "corr_per_output", "baseline_r2_smoothed_per_output", "baseline_r2_pca_per_output", "train_steps", "test_steps", "train_fraction",
            "ridge", "smooth_bins", "smoothing", "pca_components", "pca_explained_variance", "rank", "outputs", "trials", "neurons",
        });

        // The command passes the arrays through unchanged: its figures are the library's on the same data.
        DecodingResult expected = BehaviourDecoding.Decode(
            new DecodingInput(_latents, Rank, [.. _position.Select(v => (double)(float)v)], 1, Steps, _counts, Neurons), new DecodingOptions());
        Assert.Equal(expected.Latents.MeanR2, report.GetProperty("r2").GetDouble(), 12);
        Assert.Equal(expected.Latents.MeanCorrelation, report.GetProperty("corr").GetDouble(), 12);
        Assert.Equal(expected.Smoothed!.MeanR2, report.GetProperty("baseline_r2_smoothed").GetDouble(), 12);
        Assert.Equal(expected.Pca!.MeanR2, report.GetProperty("baseline_r2_pca").GetDouble(), 12);
        Assert.InRange(report.GetProperty("r2").GetDouble(), 0.9, 1.0); // noise is ~1.5 % of the variance
        Assert.Equal(284, report.GetProperty("train_steps").GetInt32());
        Assert.Equal(116, report.GetProperty("test_steps").GetInt32());
        Assert.Equal(0.001, report.GetProperty("ridge").GetDouble());
        Assert.Equal("centred", report.GetProperty("smoothing").GetString());
        Assert.Equal(2, report.GetProperty("pca_components").GetInt32());

        byte[] png = File.ReadAllBytes(PathOf("decode.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    [Fact]
    public void SpikeTimesAreBinnedForTheBaselinesAsTheCountsThemselves()
    {
        // Each count c of bin t as c spikes at the bin's centre, (t + ½)·w: binned again with the same w they are the counts.
        const double width = 0.02;
        var times = new List<double>();
        var units = new List<double>();
        for (int t = 0; t < Steps; t++)
        {
            for (int n = 0; n < Neurons; n++)
            {
                for (int k = 0; k < (int)_counts[(t * Neurons) + n]; k++)
                {
                    times.Add((t + 0.5) * width);
                    units.Add(n);
                }
            }
        }

        Npz.Write(
            PathOf("spikes.npz"),
            [new("spike_times", NdArray.Create([.. times], times.Count)), new("spike_units", NdArray.Create([.. units], units.Count))],
            DType.Float64);
        CliResult counts = CliHarness.Run(
            "decode", "--posterior", PathOf("post.npz"), "--behaviour", PathOf("position.npy"), "--data", PathOf("session.npz"), "--json", PathOf("counts.json"));
        CliResult spikes = CliHarness.Run(
            "decode", "--posterior", PathOf("post.npz"), "--behaviour", PathOf("position.npy"), "--data", PathOf("spikes.npz"),
            "--bin-width", "0.02", "--start", "0", "--stop", "8", "--json", PathOf("spikes.json"));
        Assert.Equal(0, counts.ExitCode);
        Assert.True(spikes.ExitCode == 0, spikes.Error);
        JsonElement a = JsonDocument.Parse(File.ReadAllText(PathOf("counts.json"))).RootElement;
        JsonElement b = JsonDocument.Parse(File.ReadAllText(PathOf("spikes.json"))).RootElement;
        Assert.Equal(Neurons, b.GetProperty("neurons").GetInt32());
        Assert.Equal(a.GetProperty("baseline_r2_smoothed").GetDouble(), b.GetProperty("baseline_r2_smoothed").GetDouble(), 12);
        Assert.Equal(a.GetProperty("baseline_r2_pca").GetDouble(), b.GetProperty("baseline_r2_pca").GetDouble(), 12);

        // Spike times need a bin width; counts refuse one. Neither writes anything.
        CliResult unbinned = CliHarness.Run(
            "decode", "--posterior", PathOf("post.npz"), "--behaviour", PathOf("position.npy"), "--data", PathOf("spikes.npz"), "--json", PathOf("unbinned.json"));
        Assert.Equal(2, unbinned.ExitCode);
        Assert.Contains("holds spike times", unbinned.Error);
        Assert.Contains("hint: pass --bin-width SECONDS", unbinned.Error);
        CliResult binnedCounts = CliHarness.Run(
            "decode", "--posterior", PathOf("post.npz"), "--behaviour", PathOf("position.npy"), "--data", PathOf("session.npz"),
            "--bin-width", "0.02", "--json", PathOf("binned-counts.json"));
        Assert.Equal(2, binnedCounts.ExitCode);
        Assert.Contains("holds samples, not spike times", binnedCounts.Error);
        Assert.False(File.Exists(PathOf("unbinned.json")));
        Assert.False(File.Exists(PathOf("binned-counts.json")));
    }

    [Fact]
    public void WithoutCountsTheBaselinesAreSkippedAndSaidSo()
    {
        CliResult result = CliHarness.Run(
            "decode", "--posterior", PathOf("post.npz"), "--behaviour", PathOf("position.npy"), "--json", PathOf("decode.json"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("baselines skipped: no spike counts given (pass --data FILE[:ARRAY]", result.Output);
        JsonElement report = JsonDocument.Parse(File.ReadAllText(PathOf("decode.json"))).RootElement;
        Assert.Equal(JsonValueKind.Number, report.GetProperty("r2").ValueKind);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("baseline_r2_smoothed").ValueKind);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("baseline_r2_pca").ValueKind);
    }

    [Theory]
    [InlineData("position.npy")]
    [InlineData("position-by-trial.npy")]
    public void TrialsAreConcatenatedInOrder(string behaviour)
    {
        CliResult single = CliHarness.Run("decode", "--posterior", PathOf("post.npz"), "--behaviour", PathOf("position.npy"), "--json", PathOf("one.json"));
        CliResult trials = CliHarness.Run("decode", "--posterior", PathOf("post-trials.npz"), "--behaviour", PathOf(behaviour), "--json", PathOf("four.json"));
        Assert.Equal(0, single.ExitCode);
        Assert.Equal(0, trials.ExitCode);
        JsonElement one = JsonDocument.Parse(File.ReadAllText(PathOf("one.json"))).RootElement;
        JsonElement four = JsonDocument.Parse(File.ReadAllText(PathOf("four.json"))).RootElement;
        Assert.Equal(4, four.GetProperty("trials").GetInt32());
        Assert.Equal(one.GetProperty("r2").GetDouble(), four.GetProperty("r2").GetDouble());
    }

    [Fact]
    public void ABehaviourOfAnotherLengthIsRefused()
    {
        CliResult result = RunBad("--behaviour", PathOf("short.npy"));
        Assert.StartsWith(
            $"error: the behaviour '{PathOf("short.npy")}' has shape [300] (300 steps) but the posterior '{PathOf("post.npz")}' has 400 steps (1 trial(s) of 400).\n  hint: pass the behaviour of the recording the posterior was inferred from",
            result.Error);
    }

    [Fact]
    public void AMissingArrayNameIsRefused()
    {
        CliResult result = RunBad("--behaviour", PathOf("session.npz") + ":speed");
        Assert.Equal(
            $"error: --behaviour '{PathOf("session.npz")}' has no array 'speed' (it has: data, position, direction).\n  hint: name one of its arrays after the colon: --behaviour {PathOf("session.npz")}:ARRAY.\n",
            result.Error);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("0")]
    [InlineData("1")]
    public void ATrainFractionOutsideZeroToOneIsRefused(string fraction)
    {
        CliResult result = RunBad("--behaviour", PathOf("position.npy"), "--train-fraction", fraction);
        Assert.Equal(
            $"error: --train-fraction must lie strictly between 0 and 1, got {fraction}.\n  hint: pass the fraction of steps to train the decoder on, e.g. --train-fraction 0.71 (the published split).\n",
            result.Error);
    }

    [Fact]
    public void ATestPartOfFewerThanTwoStepsIsRefused()
    {
        CliResult result = RunBad("--behaviour", PathOf("position.npy"), "--train-fraction", "0.998");
        Assert.Equal(
            "error: a train fraction of 0.998 splits 400 steps into 399 training and 1 test steps; the test part needs at least 2.\n  hint: pass a smaller --train-fraction, or decode a longer recording.\n",
            result.Error);
    }

    [Fact]
    public void NaNInTheBehaviourIsRefused()
    {
        CliResult result = RunBad("--behaviour", PathOf("nan.npy"));
        Assert.StartsWith($"error: the behaviour '{PathOf("nan.npy")}' has the value NaN at step 7, column 0; decoding needs finite values.\n  hint: ", result.Error);
    }

    [Fact]
    public void APlotThatIsNotAPngIsRefusedBeforeAnyWork()
    {
        CliResult result = RunBad("--behaviour", PathOf("position.npy"), "--plot", PathOf("decode.jpg"));
        Assert.StartsWith($"error: --plot '{PathOf("decode.jpg")}' must be a .png file.\n  hint: ", result.Error);
    }

    /// <summary>Runs decode with <paramref name="args"/> and asks for every output; checks exit 2, one error and one hint line, nothing written.</summary>
    private CliResult RunBad(params string[] args)
    {
        string[] plot = args.Contains("--plot") ? [] : ["--plot", PathOf("bad.png")];
        CliResult result = CliHarness.Run(
            ["decode", "--posterior", PathOf("post.npz"), "--data", PathOf("session.npz"), "--json", PathOf("bad.json"), .. plot, .. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        string[] lines = result.Error.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("error: ", lines[0]);
        Assert.StartsWith("  hint: ", lines[1]);
        Assert.False(File.Exists(PathOf("bad.json")));
        Assert.False(File.Exists(PathOf("bad.png")));
        Assert.False(File.Exists(PathOf("decode.jpg")));
        return result;
    }

    private static void WritePosterior(string path, double[] latents, int trials, int steps) =>
        Npz.Write(
            path,
            [
                new("latents_mean", NdArray.Create(latents, trials, steps, Rank)),
                new("latents_sd", NdArray.Create(new double[latents.Length], trials, steps, Rank)),
                new("rates", NdArray.Create(new double[trials * steps * Neurons], trials, steps, Neurons)),
                new("log_evidence", NdArray.Create(new double[trials * steps], trials, steps)),
                new("log_likelihood", NdArray.Create(new double[trials], trials)),
            ],
            DType.Float64);
}
