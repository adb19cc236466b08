using LowRank.Data;

namespace LowRank.Tests.Data;

/// <summary>A recording from one numeric variable of a MAT file (<c>FILE.mat:NAME</c>), as from an .npy of the same array.</summary>
public sealed class MatRecordingTests
{
    [Fact]
    public void TwoDimensionalVariableIsOneTrial()
    {
        string path = $"{Fixtures.Mat("v5_numeric.mat")}:d";
        Recording recording = RecordingLoader.Load(path);
        Assert.Equal(path, recording.SourcePath);
        Assert.Equal((1, 2, 3), (recording.Data.Count, recording.Data.Steps, recording.Channels));
        Assert.Equal(Fixtures.Sevenths(6), recording.Data.Observations.ToArray());
    }

    [Fact]
    public void ThreeDimensionalVariableIsTrialsStepsChannels()
    {
        Recording recording = RecordingLoader.Load($"{Fixtures.Mat("v73.mat")}:cube");
        Assert.Equal((2, 3, 4), (recording.Data.Count, recording.Data.Steps, recording.Channels));
        Assert.Equal(23, recording.Data.Observations[^1]);
    }

    [Fact]
    public void FieldOfAStruct()
    {
        Recording recording = RecordingLoader.Load($"{Fixtures.Mat("v5_cells_structs.mat")}:s.inner.v");
        Assert.Equal((1, 1, 3), (recording.Data.Count, recording.Data.Steps, recording.Channels));
    }

    [Fact]
    public void FileWithSeveralNumericVariablesNeedsAName()
    {
        string path = Fixtures.Mat("v5_unsupported.mat");
        Recording only = RecordingLoader.Load(path); // z and sp are not numeric arrays lowrank reads: ok is the only one
        Assert.Equal($"{path}:ok", only.SourcePath);

        string numeric = Fixtures.Mat("v5_numeric.mat");
        var error = Assert.Throws<InputException>(() => RecordingLoader.Load(numeric));
        Assert.StartsWith($"recording '{numeric}' is a MAT file with 16 numeric variables (d, s, i8,", error.Message, StringComparison.Ordinal);
        Assert.Equal($"name the variable after a colon: {numeric}:NAME (a field of a struct: {numeric}:NAME.FIELD).", error.Hint);
    }

    [Fact]
    public void SparseVariableIsRefusedWithItsHint()
    {
        var error = Assert.Throws<InputException>(() => RecordingLoader.Load($"{Fixtures.Mat("v5_unsupported.mat")}:sp"));
        Assert.Contains("full(x)", error.Hint, StringComparison.Ordinal);
    }
}
