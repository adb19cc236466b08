using LowRank.Data;
using LowRank.Formats;
using LowRank.Tests.Formats;

namespace LowRank.Tests.Data;

public sealed class RecordingLoaderTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TwoDimensionalNpyIsOneTrial()
    {
        string path = _temp.File("r.npy");
        Npy.Write(path, new NdArray([5, 3], Fixtures.Sevenths(15)), DType.Float32);
        Recording recording = RecordingLoader.Load(path);
        Assert.Equal([1, 5, 3], recording.Observations.Shape);
        Assert.Equal((1, 5, 3, 0), (recording.Trials, recording.Steps, recording.Channels, recording.Inputs));
        Assert.Null(recording.InputValues);
        Assert.Equal(path, recording.SourcePath);
    }

    [Fact]
    public void ThreeDimensionalNpyKeepsTrials()
    {
        Recording recording = RecordingLoader.Load(Fixtures.Npy("f8_3d.npy"));
        Assert.Equal([2, 3, 4], recording.Observations.Shape);
        Assert.Equal(23.0, recording.Observations[1, 2, 3]);
    }

    [Theory]
    [InlineData("recording_stored.npz")]
    [InlineData("recording_compressed.npz")]
    public void NpzWithInputsAndTrialIds(string fixture)
    {
        Recording recording = RecordingLoader.Load(Fixtures.Npz(fixture));
        Assert.Equal([2, 50, 3], recording.Observations.Shape);
        Assert.Equal([2, 50, 1], recording.InputValues!.Shape);
        Assert.Equal([7L, 9L], recording.TrialIds!);
    }

    [Fact]
    public void NpzWithSamplesAsWrittenBySimulate()
    {
        string path = _temp.File("sim.npz");
        Npz.Write(path, [KeyValuePair.Create("samples", new NdArray([2, 4, 1], Fixtures.Sevenths(8))), KeyValuePair.Create("latents", NdArray.Zeros(2, 4, 2))]);
        Assert.Equal([2, 4, 1], RecordingLoader.Load(path).Observations.Shape);
    }

    [Fact]
    public void TwoDimensionalInputsFollowTwoDimensionalData()
    {
        string path = _temp.File("in.npz");
        Npz.Write(path, [KeyValuePair.Create("data", NdArray.Zeros(6, 2)), KeyValuePair.Create("inputs", NdArray.Zeros(6, 3))]);
        Recording recording = RecordingLoader.Load(path);
        Assert.Equal([1, 6, 3], recording.InputValues!.Shape);
    }

    [Fact]
    public void CsvKeepsChannelNames()
    {
        string path = _temp.File("r.csv");
        File.WriteAllText(path, "a,b\n1,2\n3,4\n5,6\n");
        Recording recording = RecordingLoader.Load(path);
        Assert.Equal([1, 3, 2], recording.Observations.Shape);
        Assert.Equal(["a", "b"], recording.ChannelNames!);
        Assert.Equal(6.0, recording.Observations[0, 2, 1]);
    }

    [Fact]
    public void EdfInterleavesSelectedSignals()
    {
        string path = _temp.File("r.edf");
        File.WriteAllBytes(path, EdfBuilder.TwoChannels());
        Recording all = RecordingLoader.Load(path);
        Assert.Equal([1, 12, 2], all.Observations.Shape);
        Assert.Equal(["Fz", "Cz"], all.ChannelNames!);
        Assert.Equal(8.0, all.SampleRate);

        Recording cz = RecordingLoader.Load(path, new RecordingOptions { Signals = ["Cz"] });
        Assert.Equal([1, 12, 1], cz.Observations.Shape);
        Assert.Equal(all.Observations[0, 5, 1], cz.Observations[0, 5, 0]);

        var missing = Assert.Throws<InputException>(() => RecordingLoader.Load(path, new RecordingOptions { Signals = ["Oz"] }));
        Assert.Equal($"EDF '{path}' has no signal 'Oz' (it has: Fz, Cz).", missing.Message);
    }

    [Fact]
    public void EdfSignalsWithDifferentRatesNeedASelection()
    {
        string path = _temp.File("rates.edf");
        File.WriteAllBytes(path, EdfBuilder.Build(
            [new("A", "uV", 0, 1, 0, 1, 2, new short[4]), new("B", "uV", 0, 1, 0, 1, 1, new short[2])], records: 2, recordDuration: 1));
        var error = Assert.Throws<InputException>(() => RecordingLoader.Load(path));
        Assert.Equal($"EDF '{path}' signals 'A' (2 Hz) and 'B' (1 Hz) have different sample rates.", error.Message);
        Assert.Equal([1, 2, 1], RecordingLoader.Load(path, new RecordingOptions { Signals = ["B"] }).Observations.Shape);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void RejectsNonFiniteValuesNamingTheFirstIndex(double bad, string shown)
    {
        string path = _temp.File("nan.npy");
        double[] data = Fixtures.Sevenths(12);
        data[7] = bad;
        data[10] = double.NaN;
        Npy.Write(path, new NdArray([4, 3], data));
        var error = Assert.Throws<InputException>(() => RecordingLoader.Load(path));
        Assert.Equal($"recording '{path}' has {shown} at index [2, 1].", error.Message);
        Assert.Equal(
            double.IsNaN(bad)
                ? "this command needs every value observed: remove or interpolate missing values (fit and infer read NaN as a missing entry)."
                : "an infinite value is never a measurement: remove it, or write NaN to mark the entry as missing.",
            error.Hint);
    }

    [Fact]
    public void MissingValuesAreReadWhenAllowedButInfinityAndEmptyChannelsAreNot()
    {
        string path = _temp.File("missing.npy");
        double[] data = Fixtures.Sevenths(12);
        data[7] = double.NaN;
        Npy.Write(path, new NdArray([4, 3], data));
        Recording recording = RecordingLoader.Load(path, new RecordingOptions { AllowMissing = true });
        Assert.True(double.IsNaN(recording.Data.Observations[7]));

        data[8] = double.PositiveInfinity;
        Npy.Write(path, new NdArray([4, 3], data));
        var infinite = Assert.Throws<InputException>(() => RecordingLoader.Load(path, new RecordingOptions { AllowMissing = true }));
        Assert.Equal($"recording '{path}' has +Inf at index [2, 2].", infinite.Message);

        for (int t = 0; t < 4; t++)
        {
            data[t * 3 + 1] = double.NaN;
        }

        data[8] = 0;
        Npy.Write(path, new NdArray([4, 3], data));
        var empty = Assert.Throws<InputException>(() => RecordingLoader.Load(path, new RecordingOptions { AllowMissing = true }));
        Assert.Equal($"channel 1 of recording '{path}' holds only missing values (NaN).", empty.Message);
        Assert.Contains("leave such channels out", empty.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsNonFiniteInputs()
    {
        string path = _temp.File("nan-inputs.npz");
        var inputs = NdArray.Zeros(1, 3, 1);
        inputs[0, 2, 0] = double.NaN;
        Npz.Write(path, [KeyValuePair.Create("data", NdArray.Zeros(1, 3, 2)), KeyValuePair.Create("inputs", inputs)]);
        var error = Assert.Throws<InputException>(() => RecordingLoader.Load(path));
        Assert.Equal($"array 'inputs' of npz '{path}' has NaN at index [0, 2, 0].", error.Message);
    }

    [Fact]
    public void RejectsInputsOfAnotherLength()
    {
        string path = _temp.File("short-inputs.npz");
        Npz.Write(path, [KeyValuePair.Create("data", NdArray.Zeros(2, 50, 3)), KeyValuePair.Create("inputs", NdArray.Zeros(2, 40, 1))]);
        var error = Assert.Throws<InputException>(() => RecordingLoader.Load(path));
        Assert.Equal(
            $"npz '{path}' has 'inputs' of shape [2, 40, 1] but 'data' has shape [2, 50, 3]; inputs must be [2, 50, U].",
            error.Message);
    }

    [Fact]
    public void RejectsTrialIdsOfAnotherLengthOrNotIntegers()
    {
        string path = _temp.File("ids.npz");
        Npz.Write(path, [KeyValuePair.Create("data", NdArray.Zeros(2, 5, 3)), KeyValuePair.Create("trial_ids", NdArray.FromVector([1.0, 2, 3]))]);
        var length = Assert.Throws<InputException>(() => RecordingLoader.Load(path));
        Assert.Equal($"npz '{path}' has 'trial_ids' of shape [3] but the data has 2 trials.", length.Message);

        Npz.Write(path, [KeyValuePair.Create("data", NdArray.Zeros(2, 5, 3)), KeyValuePair.Create("trial_ids", NdArray.FromVector([1.0, 2.5]))]);
        var fraction = Assert.Throws<InputException>(() => RecordingLoader.Load(path));
        Assert.Equal($"npz '{path}' has trial_ids[1] = 2.5, which is not an integer.", fraction.Message);
    }

    [Fact]
    public void RejectsNpzWithoutData()
    {
        string path = _temp.File("nodata.npz");
        Npz.Write(path, [KeyValuePair.Create("x", NdArray.Zeros(2, 2)), KeyValuePair.Create("y", NdArray.Zeros(2))]);
        var error = Assert.Throws<InputException>(() => RecordingLoader.Load(path));
        Assert.Equal($"npz '{path}' has no array 'data' (it has: x, y).", error.Message);
    }

    [Theory]
    [InlineData(new[] { 10 }, "has shape [10] but must be [T, X] or [trials, T, X].", "for a single channel save a 2-d column, e.g. np.save(path, a[:, None]).")]
    [InlineData(new[] { 2, 2, 2, 2 }, "has shape [2, 2, 2, 2] but must be [T, X] or [trials, T, X].", "reshape the array so time is the second-to-last axis and channels the last.")]
    [InlineData(new[] { 0, 4 }, "has shape [0, 4], which holds no values.", "a recording needs at least one time step and one channel.")]
    public void RejectsShapesThatAreNotRecordings(int[] shape, string problem, string hint)
    {
        string path = _temp.File("shape.npy");
        Npy.Write(path, NdArray.Zeros(shape));
        var error = Assert.Throws<InputException>(() => RecordingLoader.Load(path));
        Assert.Equal($"recording '{path}' {problem}", error.Message);
        Assert.Equal(hint, error.Hint);
    }

    [Fact]
    public void RejectsUnknownExtensionsAndMissingFiles()
    {
        var extension = Assert.Throws<InputException>(() => RecordingLoader.Load("data.h5"));
        Assert.Equal("recording 'data.h5' has extension '.h5', which lowrank does not read.", extension.Message);
        Assert.StartsWith("supported recordings: .npy, .npz, .csv, .edf, .nwb, .mat;", extension.Hint, StringComparison.Ordinal);

        string missing = _temp.File("absent.npy");
        var error = Assert.Throws<InputException>(() => RecordingLoader.Load(missing));
        Assert.Equal($"file '{missing}' does not exist.", error.Message);
        Assert.StartsWith("check the path;", error.Hint, StringComparison.Ordinal);
    }
}
