using LowRank.Data;
using LowRank.Formats;
using LowRank.Numerics;
using LowRank.Smc;

namespace LowRank.Tests.Data;

public sealed class RecordingPreprocessingTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly PreprocessingRequest ZScore = new() { ZScore = true };

    /// <summary>
    /// The EDF z-scored per channel (double) and rounded to float32 is, value for value, the published
    /// EEG_data_zscored.npy (make_zscored.py: float64 arithmetic, one rounding to float32 at the end).
    /// </summary>
    [SharedDataFact("eeg/S001R01.edf")]
    public void ZScoredEdfRoundedToFloat32IsThePublishedZScoredFile()
    {
        string edf = Fixtures.SharedData("eeg/S001R01.edf")!;
        NdArray published = Npy.Read(Fixtures.SharedData("eeg/EEG_data_zscored.npy")!);
        (Recording recording, RecordingPreprocessing? preprocessing) = RecordingPreprocessing.LoadForFit(edf, ZScore, holdout: null);
        Assert.Equal([9760, 64], published.Shape);
        Assert.Equal([1, 9760, 64], recording.Observations.Shape);
        Assert.Equal(64, preprocessing!.Channels.Count);
        Assert.Equal("Fc5.", preprocessing.ChannelNames![0]);
        Assert.DoesNotContain(Edf.AnnotationLabel, preprocessing.ChannelNames);
        Assert.Equal(9760, preprocessing.ZScore!.Samples);
        double[] z = recording.Data.Observations;
        int differ = 0;
        for (int i = 0; i < z.Length; i++)
        {
            differ += (double)(float)z[i] == published.Data[i] ? 0 : 1;
        }

        Assert.Equal(0, differ);
    }

    [SharedDataFact("eeg/EEG_data_zscored.npy")]
    public void PresetEegAcceptsThePublishedFilesAndRefusesMicrovolts()
    {
        FitPresets.CheckData(FitPresets.Eeg, RecordingLoader.Load(Fixtures.SharedData("eeg/EEG_data_zscored.npy")!));
        FitPresets.CheckData(FitPresets.Eeg, RecordingLoader.Load(Fixtures.SharedData("eeg/EEG_data_smoothed.npy")!));
        string edf = Fixtures.SharedData("eeg/S001R01.edf")!;
        var error = Assert.Throws<InputException>(() => FitPresets.CheckData(FitPresets.Eeg, RecordingLoader.Load(edf)));
        Assert.StartsWith($"Preset eeg fits z-scored channels (sd near 1), but channel 0 ('Fc5.') of '{edf}' has sd ", error.Message);
        Assert.Contains("ZScore", error.Hint);
        FitPresets.CheckData(FitPresets.Default, RecordingLoader.Load(edf)); // no preset: no check
    }

    [Fact]
    public void WithAHoldoutTheStatisticsComeFromTheTrainingPartOnly()
    {
        // 10 steps, 2 channels; the last 2 steps (held out at 0.2) are far off, so they would move any statistic.
        double[] values = [1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60, 7, 70, 8, 80, 1000, -1000, 2000, -2000];
        string path = _temp.File("r.npy");
        Npy.Write(path, NdArray.Create(values, 10, 2));
        RecordingPreprocessing stored = RecordingPreprocessing.LoadForFit(path, ZScore, holdout: 0.2).Preprocessing!;
        double sd = Math.Sqrt(new[] { 1.0, 2, 3, 4, 5, 6, 7, 8 }.Select(v => (v - 4.5) * (v - 4.5)).Average());
        Assert.Equal([4.5, 45], stored.ZScore!.Mean);
        Assert.Equal(sd, stored.ZScore.Sd[0], 1e-15);
        Assert.Equal(10 * sd, stored.ZScore.Sd[1], 1e-13);
        Assert.Equal(8, stored.ZScore.Samples);
        Assert.Equal([0, 1], stored.Channels);
        Assert.Null(stored.ChannelNames);

        Recording all = RecordingPreprocessing.LoadForFit(path, ZScore, holdout: null).Recording;
        Assert.Equal(0, all.Data.Observations.Take(20).Where((_, i) => i % 2 == 0).Average(), 1e-12);
    }

    [Fact]
    public void AConstantChannelCannotBeZScored()
    {
        string path = _temp.File("r.csv");
        File.WriteAllText(path, "a,flat\n1,0.1\n2,0.1\n3,0.1\n");
        var error = Assert.Throws<InputException>(() => RecordingPreprocessing.LoadForFit(path, ZScore, holdout: null));
        Assert.Equal($"channel 1 ('flat') of recording '{path}' is constant (every one of its 3 values is 0.1), so it cannot be z-scored.", error.Message);
        Assert.Equal("leave the channel out with Channels, or fit without ZScore.", error.Hint);
        Assert.Equal([1, 3, 1], RecordingPreprocessing.LoadForFit(path, ZScore with { Channels = ChannelSelection.Parse("a") }, null).Recording.Observations.Shape);
    }

    [Fact]
    public void LaterDataGetsTheStoredChannelsAndStatistics()
    {
        string fitted = _temp.File("fit.csv"), later = _temp.File("later.csv");
        File.WriteAllText(fitted, "a,b,c\n1,10,100\n2,30,200\n3,20,600\n");
        File.WriteAllText(later, "c,x,a\n100,0,1\n700,0,5\n");
        RecordingPreprocessing stored = RecordingPreprocessing.LoadForFit(fitted, ZScore with { Channels = ChannelSelection.Parse("c,A") }, null).Preprocessing!;
        Assert.Equal([2, 0], stored.Channels);
        Assert.Equal(["c", "a"], stored.ChannelNames!);

        Recording recording = RecordingPreprocessing.LoadForModel(later, stored, new PreprocessingRequest(), "model 'm'");
        ZScoreStatistics z = stored.ZScore!;
        Assert.Equal(["c", "a"], recording.ChannelNames!);
        Assert.Equal([(100 - z.Mean[0]) / z.Sd[0], (1 - z.Mean[1]) / z.Sd[1], (700 - z.Mean[0]) / z.Sd[0], (5 - z.Mean[1]) / z.Sd[1]], recording.Data.Observations);
        Assert.Equal(recording.Data.Observations, RecordingPreprocessing.LoadForModel(later, stored, ZScore, "model 'm'").Data.Observations);

        var picked = Assert.Throws<InputException>(() => RecordingPreprocessing.LoadForModel(later, stored, new() { Channels = ChannelSelection.Parse("a") }, "model 'm'"));
        Assert.Equal("model 'm' picks its channels itself (c, a), so Channels 'a' would pick them twice.", picked.Message);
        var missing = Assert.Throws<InputException>(() => RecordingPreprocessing.LoadForModel(fitted, stored with { ChannelNames = ["c", "z"] }, new(), "model 'm'"));
        Assert.Equal($"recording '{fitted}' has no channel 'z' (it has: a, b, c).", missing.Message);
        Assert.Equal("pass a recording that has the channels model 'm' was fitted to, or declare data whose channels are the model's already with Preprocessed.", missing.Hint);
    }

    [Fact]
    public void DataZScoredAlreadyIsRefusedForAModelWithRawStatisticsUnlessDeclaredPreprocessed()
    {
        string raw = _temp.File("raw.npy"), scored = _temp.File("scored.npy");
        var rng = Rng.Create(3);
        var values = new double[200 * 2];
        rng.FillGaussian(values);
        Npy.Write(scored, NdArray.Create(values, 200, 2));
        Npy.Write(raw, NdArray.Create([.. values.Select(v => 40 * v + 7)], 200, 2));
        RecordingPreprocessing stored = RecordingPreprocessing.LoadForFit(raw, ZScore, null).Preprocessing!;

        var error = Assert.Throws<InputException>(() => RecordingPreprocessing.LoadForModel(scored, stored, new(), "model 'm'"));
        Assert.StartsWith($"recording '{scored}' looks z-scored already (every channel sd lies in [0.5, 2]), but model 'm' z-scores its data with the statistics of its raw training data (channel 0: sd ", error.Message);
        Assert.Equal("pass Preprocessed to use data that is z-scored already (such as EEG_data_smoothed.npy) as it is, or pass the raw recording.", error.Hint);
        Assert.Equal(values, RecordingPreprocessing.LoadForModel(scored, stored, new() { Preprocessed = true }, "model 'm'").Data.Observations);
        var contradiction = Assert.Throws<InputException>(() => RecordingPreprocessing.LoadForModel(scored, stored, new() { Preprocessed = true, ZScore = true }, "model 'm'"));
        Assert.Equal("ZScore and Preprocessed contradict each other: one z-scores the data, the other says it is z-scored already.", contradiction.Message);
    }

    [Fact]
    public void WithoutStoredStatisticsZScoreUsesTheDataItself()
    {
        string path = _temp.File("r.npy");
        Npy.Write(path, NdArray.Create([1.0, 3, 5, 7], 4, 1));
        Assert.Equal([1.0, 3, 5, 7], RecordingPreprocessing.LoadForModel(path, null, new(), "model 'm'").Data.Observations);
        double sd = Math.Sqrt(5);
        Assert.Equal([-3 / sd, -1 / sd, 1 / sd, 3 / sd], RecordingPreprocessing.LoadForModel(path, null, ZScore, "model 'm'").Data.Observations);
    }
}
