using System.Text;
using LowRank.Formats;

namespace LowRank.Tests.Formats;

public sealed class NpyTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ReadsFloat32WrittenByNumPy()
    {
        NdArray a = Npy.Read(Fixtures.Npy("f4_2d.npy"));
        Assert.Equal([3, 4], a.Shape);
        Assert.Equal(DType.Float32, a.SourceType);
        for (int k = 0; k < 12; k++)
        {
            Assert.Equal(k / 4.0 - 1, a.Data[k]);
        }
    }

    [Theory]
    [InlineData("f8_2d.npy")]
    [InlineData("v2_f8_2d.npy")]
    [InlineData("v3_f8_2d.npy")]
    public void ReadsFloat64WithEveryHeaderVersion(string name)
    {
        NdArray a = Npy.Read(Fixtures.Npy(name));
        Assert.Equal([3, 4], a.Shape);
        Assert.Equal(DType.Float64, a.SourceType);
        Assert.Equal(Fixtures.Sevenths(12), a.Data);
        Assert.Equal(Fixtures.Sevenths(12)[2 * 4 + 1], a[2, 1]);
    }

    [Fact]
    public void ReadsIntegerAndBooleanTypes()
    {
        NdArray i4 = Npy.Read(Fixtures.Npy("i4_1d.npy"));
        Assert.Equal(DType.Int32, i4.SourceType);
        Assert.Equal([int.MinValue, -1.0, 0, 1, int.MaxValue], i4.Data);

        NdArray i8 = Npy.Read(Fixtures.Npy("i8_2d.npy"));
        Assert.Equal(DType.Int64, i8.SourceType);
        Assert.Equal([2, 3], i8.Shape);
        Assert.Equal([-3e12, -2e12, -1e12, 0, 1e12, 2e12], i8.Data);

        NdArray u1 = Npy.Read(Fixtures.Npy("u1_1d.npy"));
        Assert.Equal(DType.UInt8, u1.SourceType);
        Assert.Equal([0.0, 1, 127, 128, 255], u1.Data);

        NdArray b1 = Npy.Read(Fixtures.Npy("b1_1d.npy"));
        Assert.Equal(DType.Bool, b1.SourceType);
        Assert.Equal([1.0, 0, 1], b1.Data);
    }

    [Fact]
    public void ConvertsFortranOrderToCOrder()
    {
        NdArray c = Npy.Read(Fixtures.Npy("f8_3d.npy"));
        NdArray f = Npy.Read(Fixtures.Npy("fortran_f8_3d.npy"));
        Assert.Equal([2, 3, 4], f.Shape);
        Assert.Equal(c.Data, f.Data);
        Assert.Equal(1 * 12 + 2 * 4 + 3, f[1, 2, 3]);

        NdArray i = Npy.Read(Fixtures.Npy("fortran_i4_2d.npy"));
        Assert.Equal([0.0, 1, 2, 3, 4, 5], i.Data);
    }

    [Fact]
    public void ReadsScalarAndEmptyArrays()
    {
        NdArray scalar = Npy.Read(Fixtures.Npy("f8_0d.npy"));
        Assert.Empty(scalar.Shape);
        Assert.Equal(0, scalar.Rank);
        Assert.Equal([3.25], scalar.Data);
        Assert.Equal(3.25, scalar[ReadOnlySpan<int>.Empty]);

        NdArray empty = Npy.Read(Fixtures.Npy("f8_empty.npy"));
        Assert.Equal([0, 3], empty.Shape);
        Assert.Empty(empty.Data);
    }

    [Theory]
    [InlineData("writer_f8_2d.npy", DType.Float64, new[] { 5, 3 })]
    [InlineData("writer_f4_2d.npy", DType.Float32, new[] { 5, 3 })]
    [InlineData("writer_f8_1d.npy", DType.Float64, new[] { 5 })]
    [InlineData("writer_f4_3d.npy", DType.Float32, new[] { 2, 3, 4 })]
    public void WriterMatchesNumPyByteForByte(string fixture, DType type, int[] shape)
    {
        var array = new NdArray(shape, Fixtures.Sevenths((int)NdArray.CountElements(shape)));
        using var ours = new MemoryStream();
        Npy.Write(ours, array, type);
        Assert.Equal(File.ReadAllBytes(Fixtures.Npy(fixture)), ours.ToArray());
    }

    [Fact]
    public void ScalarWriterMatchesNumPyByteForByte()
    {
        using var ours = new MemoryStream();
        Npy.Write(ours, NdArray.Scalar(2.5));
        Assert.Equal(File.ReadAllBytes(Fixtures.Npy("writer_f8_0d.npy")), ours.ToArray());
    }

    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void RoundTripsThroughAFile(DType type)
    {
        var array = new NdArray([4, 5, 6], Fixtures.Sevenths(120));
        string path = _temp.File("round.npy");
        Npy.Write(path, array, type);
        NdArray back = Npy.Read(path);
        Assert.Equal(array.Shape, back.Shape);
        Assert.Equal(type, back.SourceType);
        for (int k = 0; k < array.Length; k++)
        {
            double expected = type == DType.Float32 ? (float)array.Data[k] : array.Data[k];
            Assert.Equal(expected, back.Data[k]);
        }
    }

    [Fact]
    public void RoundTripsLargeArraysAcrossChunks()
    {
        // 9640 x 64 like the EEG recording: many 64 KiB read chunks, with a partial last one.
        var data = new double[9641 * 7];
        for (int k = 0; k < data.Length; k++)
        {
            data[k] = Math.Sin(k * 0.001) * 1e3;
        }

        var array = new NdArray([9641, 7], data);
        using var stream = new MemoryStream();
        Npy.Write(stream, array, DType.Float32);
        stream.Position = 0;
        NdArray back = Npy.Read(stream, "memory");
        for (int k = 0; k < data.Length; k++)
        {
            Assert.Equal((float)data[k], back.Data[k]);
        }
    }

    [Fact]
    public void HugeHeaderUsesVersionTwo()
    {
        int[] shape = [.. Enumerable.Repeat(1, 22000)];
        byte[] header = Npy.BuildHeader(DType.Float64, shape);
        Assert.Equal(2, header[6]);
        Assert.Equal(0, header.Length % 64);
        using var stream = new MemoryStream();
        Npy.Write(stream, new NdArray(shape, [1.5]));
        stream.Position = 0;
        NdArray back = Npy.Read(stream, "memory");
        Assert.Equal(22000, back.Rank);
        Assert.Equal([1.5], back.Data);
    }

    [SharedDataFact("eeg/EEG_data_smoothed.npy")]
    public void ReadsTheSharedEegRecording()
    {
        string path = Fixtures.SharedData("eeg/EEG_data_smoothed.npy")!;
        NdArray eeg = Npy.Read(path);
        Assert.Equal([9640, 64], eeg.Shape);
        Assert.Equal(DType.Float32, eeg.SourceType);
        Assert.All(eeg.Data, v => Assert.True(double.IsFinite(v)));
    }

    [Theory]
    [InlineData("big_endian_f8.npy", "stores big-endian data (dtype '>f8'); lowrank reads little-endian only.")]
    [InlineData("complex_c16.npy", "has unsupported dtype '<c16' (complex); lowrank reads " + DTypes.SupportedList + ".")]
    [InlineData("text_u5.npy", "has unsupported dtype '<U5' (text); lowrank reads " + DTypes.SupportedList + ".")]
    [InlineData("object.npy", "holds Python objects (dtype '|O'), which cannot be read without pickle.")]
    public void RejectsNumPyDtypesItCannotRead(string fixture, string problem)
    {
        string path = Fixtures.Npy(fixture);
        var error = Assert.Throws<InputException>(() => Npy.Read(path));
        Assert.Equal($"npy '{path}' {problem}", error.Message);
        Assert.Contains("np.save(path, ", error.Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{'descr': '<f8', 'fortran_order': False, }", "key 'shape' is missing")]
    [InlineData("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }", "'fortran_order' must be True or False (position 34)")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", "'shape' must be a tuple of non-negative integers (position 51)")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "unexpected key 'extra'")]
    [InlineData("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", "key 'descr' appears twice")]
    [InlineData("{'descr': '<f8' 'fortran_order': False, 'shape': (2,), }", "expected ',' at position 16")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999,), }", "dimension 99999999999 is too large")]
    public void RejectsMalformedHeaders(string dict, string problem)
    {
        byte[] bytes = NpyBytes(dict, new byte[16]);
        var error = Assert.Throws<InputException>(() => Npy.Read(new MemoryStream(bytes), "bad.npy"));
        Assert.Equal($"npy 'bad.npy' has a malformed header: {problem} (header: {dict}).", error.Message);
    }

    [Fact]
    public void AcceptsDoubleQuotesAndPythonTwoLongs()
    {
        byte[] bytes = NpyBytes("{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2L,)}", new byte[16]);
        NdArray a = Npy.Read(new MemoryStream(bytes), "py2.npy");
        Assert.Equal([2], a.Shape);
    }

    [Fact]
    public void RejectsTruncatedData()
    {
        byte[] bytes = NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", new byte[20]);
        var error = Assert.Throws<InputException>(() => Npy.Read(new MemoryStream(bytes), "cut.npy"));
        Assert.Equal(
            "npy 'cut.npy' is truncated: shape [3, 2] of <f8 needs 48 data bytes but only 20 follow the header.",
            error.Message);
    }

    [Fact]
    public void HugeShapeInASmallFileFailsBeforeAllocating()
    {
        byte[] bytes = NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000, 20), }", new byte[16]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InputException>(() => Npy.Read(new MemoryStream(bytes), "claim.npy"));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.Equal(
            "npy 'claim.npy' is truncated: shape [100000000, 20] of <f8 needs 16000000000 data bytes but only 16 follow the header.",
            error.Message);
    }

    [Fact]
    public void HugeShapeInAStreamOfUnknownLengthCostsOnlyWhatTheDataHolds()
    {
        byte[] bytes = NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000,), }", new byte[24]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InputException>(() => Npy.Read(new ForwardOnlyStream(bytes), "pipe.npy"));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16 << 20);
        Assert.Equal(
            "npy 'pipe.npy' is truncated: shape [100000000] of <f8 needs 800000000 data bytes but only 24 follow the header.",
            error.Message);
    }

    [Fact]
    public void StreamsOfUnknownLengthReadInFull()
    {
        double[] values = [.. Enumerable.Range(0, 300_000).Select(k => k / 7.0)]; // more than one chunk: the array grows
        using var written = new MemoryStream();
        Npy.Write(written, new NdArray([100_000, 3], values));
        NdArray back = Npy.Read(new ForwardOnlyStream(written.ToArray()), "pipe.npy");
        Assert.Equal([100_000, 3], back.Shape);
        Assert.Equal(values, back.Data);
    }

    [Fact]
    public void RejectsTrailingBytes()
    {
        byte[] bytes = NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new byte[9]);
        var error = Assert.Throws<InputException>(() => Npy.Read(new MemoryStream(bytes), "long.npy"));
        Assert.Equal("npy 'long.npy' has bytes after the 2 elements its header's shape [2] describes.", error.Message);
    }

    [Fact]
    public void RejectsUnknownVersionAndBadMagic()
    {
        byte[] bytes = NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", new byte[8]);
        bytes[6] = 4;
        var version = Assert.Throws<InputException>(() => Npy.Read(new MemoryStream(bytes), "v4.npy"));
        Assert.Equal("npy 'v4.npy' has npy format version 4.0; lowrank reads versions 1.0, 2.0 and 3.0.", version.Message);

        var magic = Assert.Throws<InputException>(() => Npy.Read(new MemoryStream("PK\x03\x04 not npy"u8.ToArray()), "zip.npy"));
        Assert.Equal("npy 'zip.npy' is not an npy file: it does not start with the bytes \\x93NUMPY.", magic.Message);
    }

    [Fact]
    public void WriteRejectsIntegerTypes()
    {
        Assert.Throws<ArgumentException>(() => Npy.Write(new MemoryStream(), NdArray.Scalar(1), DType.Int32));
    }

    /// <summary>A version 1.0 npy file with the given header dict (padded as NumPy pads) and data bytes.</summary>
    [Theory]
    [InlineData("|i1", new byte[] { 0xFF, 0x7F }, -1.0, 127.0)]
    [InlineData("<i2", new byte[] { 0xFE, 0xFF, 0x2C, 0x01 }, -2.0, 300.0)]
    [InlineData("<u2", new byte[] { 0xFF, 0xFF, 0x01, 0x00 }, 65535.0, 1.0)]
    [InlineData("<u4", new byte[] { 0x00, 0x28, 0x6B, 0xEE, 0x07, 0x00, 0x00, 0x00 }, 4_000_000_000.0, 7.0)]
    [InlineData("<u8", new byte[] { 0, 0, 0, 0, 0, 0, 0x20, 0, 3, 0, 0, 0, 0, 0, 0, 0 }, 9_007_199_254_740_992.0, 3.0)]
    public void EveryIntegerDtypeReads(string descr, byte[] data, double first, double second)
    {
        string path = _temp.File("ints.npy");
        File.WriteAllBytes(path, NpyBytes($"{{'descr': '{descr}', 'fortran_order': False, 'shape': (2,), }}", data));
        NdArray array = Npy.Read(path);
        Assert.Equal([first, second], array.Data);
        Assert.Equal(descr, array.SourceType.Descr());
    }

    internal static byte[] NpyBytes(string dict, byte[] data, byte major = 1)
    {
        int lengthBytes = major == 1 ? 2 : 4;
        int padding = 63 - ((8 + lengthBytes + dict.Length) % 64);
        string text = dict + new string(' ', padding) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        bytes.AddRange(major == 1 ? BitConverter.GetBytes((ushort)text.Length) : BitConverter.GetBytes(text.Length));
        bytes.AddRange(Encoding.Latin1.GetBytes(text));
        bytes.AddRange(data);
        return [.. bytes];
    }
}
