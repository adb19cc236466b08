using System.Text.Json;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Tests.Formats;

namespace LowRank.Tests.Cli;

/// <summary><c>--channels</c>, <c>--zscore</c> and <c>--preprocessed</c> on fit, generate and evaluate; the EDF's bad inputs.</summary>
public sealed class PreprocessingCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-prep-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>A small, fast fit of <paramref name="data"/> into <paramref name="outName"/> with <paramref name="extra"/> options.</summary>
    private string[] Fit(string data, string outName, params string[] extra) =>
    [
        "fit", "--data", data, "--out", PathOf(outName), "--rank", "2", "--units", "9", "--particles", "4", "--batch", "5",
        "--window", "20", "--windows", "10", "--epochs", "2", "--evaluate-every", "0", "--seed", "5", "--threads", "1", .. extra,
    ];

    /// <summary>
    /// Three 20 Hz EEG-like signals (microvolts: sd in the tens) and an annotation signal, 12 records of 1 s; the
    /// third has its own samples per record when <paramref name="slowThird"/>, and is flat when <paramref name="flatThird"/>.
    /// </summary>
    private static byte[] Edf(bool slowThird = false, bool flatThird = false)
    {
        var rng = Rng.Create(9);
        short[] Signal(int samples, double scale) => [.. Enumerable.Range(0, samples).Select(i => (short)Math.Round(scale * (Math.Sin(i / 3.0) + rng.NextGaussian())))];
        int third = slowThird ? 10 : 20;
        return EdfBuilder.Build(
            [
                new("Fc5.", "uV", -3276.8, 3276.7, -32768, 32767, 20, Signal(240, 300)),
                new("C3..", "uV", -3276.8, 3276.7, -32768, 32767, 20, Signal(240, 500)),
                new("EDF Annotations", "", -1, 1, -32768, 32767, 8, new short[96]),
                new("Cz..", "uV", -3276.8, 3276.7, -32768, 32767, third, flatThird ? new short[12 * third] : Signal(12 * third, 400)),
            ],
            records: 12,
            recordDuration: 1);
    }

    private static string ModelJson(string dir) => File.ReadAllText(Path.Combine(dir, ModelStore.ModelFile));

    private static Dictionary<string, double[]> Parameters(string dir) =>
        Npz.Read(Path.Combine(dir, ModelStore.ParametersFile)).ToDictionary(p => p.Key, p => p.Value.Data);

    /// <summary>
    /// Fitting the raw EDF with --zscore fits the same numbers as fitting EEG_data_zscored.npy. The EDF is z-scored in
    /// double while the npy holds those values rounded to float32 (relative error ≤ 6e-8; the data test above shows the
    /// rounding is the only difference), so the fitted parameters agree to that rounding carried through the gradient
    /// steps: within 1e-6 of each parameter array's largest magnitude (7e-9 when this was written).
    /// </summary>
    [SharedDataFact("eeg/S001R01.edf")]
    public void FittingTheEdfWithZScoreMatchesFittingThePublishedZScoredFile()
    {
        string edf = Fixtures.SharedData("eeg/S001R01.edf")!, npy = Fixtures.SharedData("eeg/EEG_data_zscored.npy")!;
        CliResult fromEdf = CliHarness.Run(Fit(edf, "edf", "--zscore", "--preset", "eeg"));
        Assert.Equal(0, fromEdf.ExitCode);
        Assert.Contains("z-scored each channel by its mean and sd over 9760 steps (stored in model.json, applied to later data)", fromEdf.Output);
        CliResult fromNpy = CliHarness.Run(Fit(npy, "npy", "--preset", "eeg"));
        Assert.Equal(0, fromNpy.ExitCode);

        Dictionary<string, double[]> a = Parameters(PathOf("edf")), b = Parameters(PathOf("npy"));
        Assert.Equal(b.Keys, a.Keys);
        double worst = 0;
        foreach ((string name, double[] values) in b)
        {
            double scale = values.Max(Math.Abs);
            for (int i = 0; i < values.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(a[name][i] - values[i]) / scale);
            }
        }

        Assert.True(worst <= 1e-6, $"largest difference {worst:G3} of a parameter array's scale");

        JsonElement preprocessing = JsonDocument.Parse(ModelJson(PathOf("edf"))).RootElement.GetProperty("preprocessing");
        Assert.Equal(64, preprocessing.GetProperty("channels").GetArrayLength());
        Assert.Equal("Iz..", preprocessing.GetProperty("channel_names")[63].GetString());
        Assert.Equal(64, preprocessing.GetProperty("zscore").GetProperty("sd").GetArrayLength());
        Assert.Equal(2, JsonDocument.Parse(ModelJson(PathOf("edf"))).RootElement.GetProperty("format_version").GetInt32());
        Assert.Equal(1, JsonDocument.Parse(ModelJson(PathOf("npy"))).RootElement.GetProperty("format_version").GetInt32());
        Assert.DoesNotContain("preprocessing", ModelJson(PathOf("npy")));
    }

    [SharedDataFact("eeg/S001R01.edf")]
    public void PresetEegRefusesTheRawEdfNamingZScore()
    {
        string edf = Fixtures.SharedData("eeg/S001R01.edf")!;
        CliResult result = CliHarness.Run(Fit(edf, "raw", "--preset", "eeg"));
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: --preset eeg fits z-scored channels (sd near 1), but channel 0 ('Fc5.') of '{edf}' has sd ", result.Error);
        Assert.EndsWith("(64 of 64 channels have an sd outside [0.5, 2]).\n  hint: z-score each channel with --zscore (the statistics are stored with the model), or fit data that is z-scored already.\n", result.Error);
        Assert.False(Directory.Exists(PathOf("raw")));
    }

    [Fact]
    public void TheStoredPreprocessingIsAppliedToLaterDataOnce()
    {
        File.WriteAllBytes(PathOf("r.edf"), Edf());
        CliResult fit = CliHarness.Run(Fit(PathOf("r.edf"), "m", "--zscore", "--channels", "cz,Fc5", "--holdout", "0.25"));
        Assert.Equal(0, fit.ExitCode);
        Assert.Contains("z-scored each channel by its mean and sd over 180 steps of the training part", fit.Output);
        var stored = ModelStore.Load(PathOf("m"));
        Assert.Equal([2, 0], stored.Preprocessing!.Channels);
        Assert.Equal(["Cz..", "Fc5."], stored.Preprocessing.ChannelNames!);
        Assert.Equal(180, stored.Preprocessing.ZScore!.Samples);

        // The same data z-scored by hand with the stored statistics, as a nameless npy declared preprocessed.
        Recording raw = RecordingLoader.Load(PathOf("r.edf"), new() { Channels = ChannelSelection.Parse("2,0") });
        Npy.Write(PathOf("z.npy"), NdArray.Create(stored.Preprocessing.ZScore.Apply(raw.Data).Observations, 240, 2));

        string[] generate = ["generate", "--model", PathOf("m"), "--init", "posterior-mean", "--steps", "30", "--seed", "2"];
        Assert.Equal(0, CliHarness.Run([.. generate, "--data", PathOf("r.edf"), "--out", PathOf("a.npz")]).ExitCode);
        Assert.Equal(0, CliHarness.Run([.. generate, "--data", PathOf("r.edf"), "--zscore", "--out", PathOf("b.npz")]).ExitCode);
        Assert.Equal(0, CliHarness.Run([.. generate, "--data", PathOf("z.npy"), "--preprocessed", "--out", PathOf("c.npz")]).ExitCode);
        double[] a = Npz.Read(PathOf("a.npz"))["samples"].Data;
        Assert.Equal(a, Npz.Read(PathOf("b.npz"))["samples"].Data);
        Assert.Equal(a, Npz.Read(PathOf("c.npz"))["samples"].Data);

        string[] evaluate = ["evaluate", "--model", PathOf("m"), "--burn-in", "10", "--seeds", "1", "--holdout", "0.25"];
        CliResult fromEdf = CliHarness.Run([.. evaluate, "--data", PathOf("r.edf")]);
        Assert.Equal(0, fromEdf.ExitCode);
        Assert.Equal(fromEdf.Output.Split('\n')[1..], CliHarness.Run([.. evaluate, "--data", PathOf("z.npy"), "--preprocessed"]).Output.Split('\n')[1..]);

        CliResult twice = CliHarness.Run([.. evaluate, "--data", PathOf("r.edf"), "--channels", "0,1"]);
        Assert.Equal(2, twice.ExitCode);
        Assert.Equal($"error: model '{PathOf("m")}' picks its channels itself (Cz.., Fc5.), so --channels '0,1' would pick them twice.\n", twice.Error.Split("  hint")[0]);
        CliResult contradiction = CliHarness.Run([.. evaluate, "--data", PathOf("z.npy"), "--preprocessed", "--zscore"]);
        Assert.Equal(2, contradiction.ExitCode);
        Assert.StartsWith("error: --zscore and --preprocessed contradict each other", contradiction.Error);
        CliResult selected = CliHarness.Run([.. evaluate, "--data", PathOf("z.npy")]);
        Assert.Equal(2, selected.ExitCode);
        Assert.Equal(
            $"error: recording '{PathOf("z.npy")}' has 2 channels (indices 0-1), so it has no channel 2.\n  hint: pass a recording that has the channels model '{PathOf("m")}' was fitted to, or declare data whose channels are the model's already with --preprocessed.\n",
            selected.Error);
    }

    [Fact]
    public void AModelWithoutPreprocessingKeepsTheFormerModelJson()
    {
        var values = new double[200 * 2];
        Rng.Create(2).FillGaussian(values);
        Npy.Write(PathOf("r.npy"), NdArray.Create(values, 200, 2));
        Assert.Equal(0, CliHarness.Run(Fit(PathOf("r.npy"), "plain")).ExitCode);
        using JsonDocument json = JsonDocument.Parse(ModelJson(PathOf("plain")));
        Assert.Equal(1, json.RootElement.GetProperty("format_version").GetInt32());
        Assert.False(json.RootElement.TryGetProperty("preprocessing", out _));
        Assert.Null(ModelStore.Load(PathOf("plain")).Preprocessing);
    }

    [Fact]
    public void ADamagedPreprocessingSectionIsAnInputError()
    {
        File.WriteAllBytes(PathOf("r.edf"), Edf());
        Assert.Equal(0, CliHarness.Run(Fit(PathOf("r.edf"), "m", "--zscore", "--channels", "0,1")).ExitCode);
        string json = PathOf("m/model.json");
        File.WriteAllText(json, File.ReadAllText(json).Replace("\"channels\": [\n      0,\n      1\n    ]", "\"channels\": [\n      0\n    ]"));
        var error = Assert.Throws<InputException>(() => ModelStore.Load(PathOf("m")));
        Assert.Equal($"{json} has a preprocessing section that does not fit the model's 2 channels (one channel index, name, mean and positive sd per channel).", error.Message);
    }

    [Fact]
    public void AnUnknownChannelNameIsAnInputError()
    {
        File.WriteAllBytes(PathOf("r.edf"), Edf());
        CliResult result = CliHarness.Run(Fit(PathOf("r.edf"), "bad", "--channels", "C3,Oz", "--json", PathOf("fit.json")));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"error: EDF '{PathOf("r.edf")}' has no channel 'Oz' (it has: Fc5., C3.., Cz..).\n  hint: name channels as the file lists them (trailing dots may be left out) or by 0-based index, e.g. 0-31,40.\n",
            result.Error);
        Assert.False(Directory.Exists(PathOf("bad")));
        Assert.False(File.Exists(PathOf("fit.json")));
    }

    [Fact]
    public void ZScoreOnAConstantChannelIsAnInputError()
    {
        File.WriteAllBytes(PathOf("r.edf"), Edf(flatThird: true));
        CliResult result = CliHarness.Run(Fit(PathOf("r.edf"), "bad", "--zscore"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"error: channel 2 ('Cz..') of recording '{PathOf("r.edf")}' is constant (every one of its 240 values is 0), so it cannot be z-scored.\n  hint: leave the channel out with --channels, or fit without --zscore.\n",
            result.Error);
        Assert.False(Directory.Exists(PathOf("bad")));
        Assert.Equal(0, CliHarness.Run(Fit(PathOf("r.edf"), "good", "--zscore", "--channels", "0-1")).ExitCode);
    }

    [Fact]
    public void SignalsWithDifferentSampleRatesAreAnInputErrorUnlessChannelsPicksEqualOnes()
    {
        File.WriteAllBytes(PathOf("r.edf"), Edf(slowThird: true));
        CliResult result = CliHarness.Run(Fit(PathOf("r.edf"), "bad", "--zscore"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"error: EDF '{PathOf("r.edf")}' signals 'Fc5.' (20 Hz) and 'Cz..' (10 Hz) have different sample rates.\n  hint: select signals that share one sample rate, or resample the file first.\n",
            result.Error);
        Assert.False(Directory.Exists(PathOf("bad")));
        Assert.Equal(0, CliHarness.Run(Fit(PathOf("r.edf"), "good", "--zscore", "--channels", "Fc5,C3")).ExitCode);
    }

    [Fact]
    public void ATruncatedRecordIsAnInputError()
    {
        byte[] whole = Edf();
        File.WriteAllBytes(PathOf("r.edf"), whole[..^7]);
        CliResult result = CliHarness.Run(Fit(PathOf("r.edf"), "bad", "--zscore", "--channels", "0"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"error: EDF '{PathOf("r.edf")}' is truncated: its header promises 12 data records of 136 bytes but only {12 * 136 - 7} bytes follow the header.\n  hint: the file was cut short (an interrupted copy or download?); copy or export it again.\n",
            result.Error);
        Assert.False(Directory.Exists(PathOf("bad")));
    }

    [Fact]
    public void ChannelsSelectsFromANpyByIndex()
    {
        var rng = Rng.Create(1);
        var values = new double[200 * 5];
        rng.FillGaussian(values);
        Npy.Write(PathOf("r.npy"), NdArray.Create(values, 200, 5));
        CliResult result = CliHarness.Run(Fit(PathOf("r.npy"), "m", "--channels", "4,0-1"));
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"fitted a rank-2 network of 9 units to 3 channels of '{PathOf("r.npy")}'", result.Output);
        var stored = ModelStore.Load(PathOf("m"));
        Assert.Equal([4, 0, 1], stored.Preprocessing!.Channels);
        Assert.Null(stored.Preprocessing.ZScore);
        CliResult names = CliHarness.Run(Fit(PathOf("r.npy"), "bad", "--channels", "C3"));
        Assert.Equal(2, names.ExitCode);
        Assert.StartsWith($"error: recording '{PathOf("r.npy")}' has no channel names, so channel 'C3' cannot be found in it.", names.Error);
    }

    /// <summary>
    /// A plain fit of the raw EDF (microvolts, sd in the tens) degenerates in its first epoch: RAdam's first, unadapted
    /// steps scale with the gradient, which grows with the data's square, and throw the raw decay α so far that
    /// a = exp(−exp α) is 0, which params.npz cannot hold. The fit says so, naming --zscore, and writes nothing (it used
    /// to save a model that exited 0 and could not be loaded); with --zscore the same fit saves a model that loads.
    /// </summary>
    [Fact]
    public void AFitWhoseDecayUnderflowsIsAnInputErrorNamingZScore()
    {
        File.WriteAllBytes(PathOf("r.edf"), Edf());
        CliResult result = CliHarness.Run(Fit(PathOf("r.edf"), "raw", "--json", PathOf("fit.json")));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "error: the fit degenerated by epoch 1: the decay a = exp(−exp α) reached 0 (α = 16.79), which no model can store (a must lie in (0, 1)); " +
            "the data is far from unit scale (channel 0 has sd 35.13; 3 of 3 channels have an sd outside [0.5, 2]).\n" +
            "  hint: z-score each channel with --zscore (the statistics are stored with the model), or fit data near unit scale.\n",
            result.Error);
        Assert.False(Directory.Exists(PathOf("raw")));
        Assert.False(File.Exists(PathOf("fit.json")));

        Assert.Equal(0, CliHarness.Run(Fit(PathOf("r.edf"), "z", "--zscore")).ExitCode);
        Assert.InRange(ModelStore.Load(PathOf("z")).Model.Decay, 0.5, 1);
    }
}
