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

    private string Write(string name, byte[] bytes)
    {
        string path = _temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
