using LowRank.Formats;

namespace LowRank.Tests.Formats;

public sealed class EdfTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ReadsHeaderAndScalesToPhysicalUnits()
    {
        string path = Write("two.edf", EdfBuilder.TwoChannels());
        EdfFile edf = Edf.Read(path);
        Assert.Equal(3, edf.RecordCount);
        Assert.Equal(0.5, edf.RecordDuration);
        Assert.Equal("22.11.26", edf.StartDate);
        Assert.Equal(["Fz", "Cz", "EDF Annotations"], edf.Signals.Select(s => s.Label));
        Assert.True(edf.Signals[2].IsAnnotation);
        Assert.Empty(edf.Signals[2].Values);

        EdfSignal fz = edf.Signals[0];
        Assert.Equal("uV", fz.PhysicalDimension);
        Assert.Equal(8.0, fz.SampleRate);
        var spec = new EdfTestSignal("Fz", "uV", -100, 100, -2048, 2047, 4, []);
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(EdfBuilder.Physical(spec, i * 100 - 600), fz.Values[i], 1e-12);
        }

        var cz = new EdfTestSignal("Cz", "uV", -50, 150, 0, 1000, 4, []);
        Assert.Equal(EdfBuilder.Physical(cz, 110), edf.Signals[1].Values[11], 1e-12);
    }

    [Fact]
    public void DecodesOnlySelectedSignals()
    {
        string path = Write("two.edf", EdfBuilder.TwoChannels());
        EdfFile edf = Edf.Read(path, label => label == "Cz");
        Assert.Empty(edf.Signals[0].Values);
        Assert.Equal(12, edf.Signals[1].Values.Length);
    }

    [Fact]
    public void InfersRecordCountWhenHeaderSaysMinusOne()
    {
        byte[] bytes = EdfBuilder.Build(
            [new("A", "mV", 0, 1, 0, 1, 2, [0, 1, 1, 0])], records: 2, recordDuration: 1, recordField: -1);
        EdfFile edf = Edf.Read(Write("open.edf", bytes));
        Assert.Equal(2, edf.RecordCount);
        Assert.Equal([0.0, 1, 1, 0], edf.Signals[0].Values);
    }

    [Fact]
    public void RejectsTruncatedRecords()
    {
        byte[] bytes = EdfBuilder.TwoChannels();
        string path = Write("cut.edf", bytes[..^10]);
        var error = Assert.Throws<InputException>(() => Edf.Read(path));
        Assert.Equal(
            $"EDF '{path}' is truncated: its header promises 3 data records of 32 bytes but only 86 bytes follow the header.",
            error.Message);
    }

    [Fact]
    public void RejectsDiscontinuousAndNonEdfFiles()
    {
        string discontinuous = Write("d.edf", EdfBuilder.TwoChannels("EDF+D"));
        var d = Assert.Throws<InputException>(() => Edf.Read(discontinuous));
        Assert.Equal($"EDF '{discontinuous}' is a discontinuous EDF+ file (EDF+D); lowrank reads continuous recordings only.", d.Message);

        byte[] bdf = EdfBuilder.Build([new("A", "mV", 0, 1, 0, 1, 1, [0])], 1, 1, version: "BIOSEMI");
        string bdfPath = Write("b.edf", bdf);
        var b = Assert.Throws<InputException>(() => Edf.Read(bdfPath));
        Assert.Equal($"EDF '{bdfPath}' is not an EDF file: its version field is 'BIOSEMI', not '0'.", b.Message);

        string shortPath = Write("short.edf", new byte[100]);
        var s = Assert.Throws<InputException>(() => Edf.Read(shortPath));
        Assert.Equal($"EDF '{shortPath}' is too short for an EDF header: it needs 256 bytes but only 100 remain.", s.Message);
    }

    [Fact]
    public void RejectsNonNumericHeaderFields()
    {
        byte[] bytes = EdfBuilder.TwoChannels();
        "abc     "u8.CopyTo(bytes.AsSpan(236)); // number of data records
        string path = Write("field.edf", bytes);
        var error = Assert.Throws<InputException>(() => Edf.Read(path));
        Assert.Equal($"EDF '{path}' header field 'number of data records' is 'abc', not a number.", error.Message);
    }

    [Fact]
    public void ReadsFromAStream()
    {
        EdfFile fromFile = Edf.Read(Write("two.edf", EdfBuilder.TwoChannels()));
        EdfFile fromStream = Edf.Read(new MemoryStream(EdfBuilder.TwoChannels()), "two.edf");
        Assert.Equal(fromFile.Signals.Select(s => s.Values), fromStream.Signals.Select(s => s.Values));
        Assert.Throws<ArgumentException>(() => Edf.Read(new ForwardOnlyStream(EdfBuilder.TwoChannels()), "pipe.edf"));
    }

    [Fact]
    public void RejectsASignalWhosePhysicalRangeIsEmpty()
    {
        byte[] bytes = EdfBuilder.Build(
            [new("Fz", "uV", -100, 100, -2048, 2047, 2, [1, 2]), new("Cz", "uV", 5, 5, -2048, 2047, 2, [3, 4])], records: 1, recordDuration: 1);
        string path = Write("flat.edf", bytes);
        var error = Assert.Throws<InputException>(() => Edf.Read(path));
        Assert.Equal($"EDF '{path}' signal 'Cz' has physical minimum and maximum both 5 uV, so every sample would read as 5 uV.", error.Message);
        Assert.Equal(
            "give the signal the physical values its digital minimum and maximum stand for (e.g. in EDFbrowser's header editor), or export the file again.",
            error.Hint);
    }

    [Fact]
    public void RecordSizesOfManyLongSignalsDoNotOverflow()
    {
        // 11 signals of 99999999 samples: records of 2199999978 bytes, more than an int holds.
        EdfTestSignal[] signals = [.. Enumerable.Range(0, 11).Select(s => new EdfTestSignal($"S{s}", "uV", -1, 1, -1, 1, 99999999, []))];
        string path = Write("long.edf", EdfBuilder.Build(signals, records: 0, recordDuration: 1, recordField: 1));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InputException>(() => Edf.Read(path));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.Equal($"EDF '{path}' is truncated: its header promises 1 data records of 2199999978 bytes but only 0 bytes follow the header.", error.Message);
    }

    [Fact]
    public void UnknownRecordCountAllocatesNoRecordLargerThanTheFile()
    {
        byte[] bytes = EdfBuilder.Build([new("A", "mV", -1, 1, -1, 1, 99999999, [])], records: 0, recordDuration: 1, recordField: -1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        EdfFile edf = Edf.Read(Write("open.edf", bytes));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.Equal(0, edf.RecordCount);
        Assert.Empty(edf.Signals[0].Values);
    }

    [Fact]
    public void RejectsARecordCountBelowMinusOne()
    {
        byte[] bytes = EdfBuilder.Build([new("A", "mV", 0, 1, 0, 1, 2, [0, 1])], records: 1, recordDuration: 1, recordField: -2);
        string path = Write("minus.edf", bytes);
        var error = Assert.Throws<InputException>(() => Edf.Read(path));
        Assert.Equal($"EDF '{path}' header field 'number of data records' is -2; it must be a count, or -1 while recording.", error.Message);
        Assert.Equal("the file is damaged or not EDF; export it again.", error.Hint);
    }

    private string Write(string name, byte[] bytes)
    {
        string path = _temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
