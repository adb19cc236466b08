using System.Buffers.Binary;
using System.IO.Compression;
using LowRank.Formats;

namespace LowRank.Tests.Formats;

public sealed class NpzTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("recording_stored.npz", DType.Float64)]
    [InlineData("recording_compressed.npz", DType.Float32)]
    public void ReadsArchivesWrittenByNumPy(string fixture, DType dataType)
    {
        OrderedDictionary<string, NdArray> arrays = Npz.Read(Fixtures.Npz(fixture));
        Assert.Equal(["data", "inputs", "trial_ids"], arrays.Keys);
        NdArray data = arrays["data"];
        Assert.Equal([2, 50, 3], data.Shape);
        Assert.Equal(dataType, data.SourceType);
        for (int k = 0; k < data.Length; k++)
        {
            double expected = Math.Sin(k / 10.0);
            Assert.Equal(dataType == DType.Float32 ? (float)expected : expected, data.Data[k], 1e-15);
        }

        Assert.Equal([2, 50, 1], arrays["inputs"].Shape);
        Assert.Equal(Math.Cos(51 / 5.0), arrays["inputs"][1, 1, 0], 1e-15);
        Assert.Equal([7.0, 9.0], arrays["trial_ids"].Data);
        Assert.Equal(DType.Int64, arrays["trial_ids"].SourceType);
    }

    [Fact]
    public void ReadsScalarsIntegersAndFortranMembers()
    {
        OrderedDictionary<string, NdArray> arrays = Npz.Read(Fixtures.Npz("mixed_stored.npz"));
        Assert.Equal([1.5], arrays["scalar"].Data);
        Assert.Empty(arrays["scalar"].Shape);
        Assert.Equal([0.0, 1, 2, 3], arrays["ints"].Data);
        Assert.Equal([0.0, 1, 2, 3, 4, 5], arrays["fortran"].Data);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RoundTripsNamedArrays(bool compressed)
    {
        string path = _temp.File("params.npz");
        var arrays = new OrderedDictionary<string, NdArray>
        {
            ["m"] = new NdArray([4, 2], Fixtures.Sevenths(8)),
            ["decay"] = NdArray.Scalar(0.9),
            ["encoder/w"] = new NdArray([3], [1.0, -2.0, 0.25]),
        };
        Npz.Write(path, arrays, DType.Float64, compressed);

        using (ZipArchive zip = ZipFile.OpenRead(path))
        {
            Assert.Equal(["m.npy", "decay.npy", "encoder/w.npy"], zip.Entries.Select(e => e.FullName));
            Assert.All(zip.Entries, e => Assert.Equal(compressed, e.CompressedLength < e.Length));
        }

        OrderedDictionary<string, NdArray> back = Npz.Read(path);
        Assert.Equal(arrays.Keys, back.Keys);
        foreach ((string name, NdArray array) in arrays)
        {
            Assert.Equal(array.Shape, back[name].Shape);
            Assert.Equal(array.Data, back[name].Data);
        }
    }

    [Fact]
    public void SameArraysGiveSameBytes()
    {
        var arrays = new[] { KeyValuePair.Create("a", new NdArray([2, 2], [1.0, 2, 3, 4])) };
        string first = _temp.File("a.npz");
        string second = _temp.File("b.npz");
        Npz.Write(first, arrays);
        Npz.Write(second, arrays);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void RequireArrayNamesWhatTheArchiveHas()
    {
        OrderedDictionary<string, NdArray> arrays = Npz.Read(Fixtures.Npz("mixed_stored.npz"));
        Assert.Same(arrays["ints"], Npz.RequireArray(arrays, "ints", "x.npz"));
        var error = Assert.Throws<InputException>(() => Npz.RequireArray(arrays, "data", "x.npz"));
        Assert.Equal("npz 'x.npz' has no array 'data' (it has: scalar, ints, fortran).", error.Message);
        Assert.Equal("save the array under that name, e.g. np.savez(path, data=a).", error.Hint);
    }

    [Fact]
    public void RejectsMembersThatAreNotNpy()
    {
        string path = _temp.File("notes.npz");
        using (ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(zip.CreateEntry("notes.txt").Open());
            writer.Write("hello");
        }

        var error = Assert.Throws<InputException>(() => Npz.Read(path));
        Assert.Equal($"npz '{path}' contains 'notes.txt', which is not an .npy member.", error.Message);
    }

    [Fact]
    public void NamesTheMemberWhoseNpyIsBroken()
    {
        string path = _temp.File("cut.npz");
        using (ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using Stream member = zip.CreateEntry("data.npy").Open();
            member.Write(NpyTests.NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", new byte[8]));
        }

        var error = Assert.Throws<InputException>(() => Npz.Read(path));
        Assert.Equal(
            $"member 'data.npy' of npz '{path}' is truncated: shape [4] of <f8 needs 32 data bytes but only 8 follow the header.",
            error.Message);
    }

    [Fact]
    public void CorruptedDeflateDataIsAnInputError()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Npz("recording_compressed.npz"));
        for (int i = 300; i < 360; i++)
        {
            bytes[i] ^= 0x5A; // inside the deflated data of the first member
        }

        string path = _temp.File("corrupt.npz");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InputException>(() => Npz.Read(path));
        Assert.StartsWith($"member 'data.npy' of npz '{path}' ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EndRecordThatDisagreesWithTheDirectoryIsAnInputError()
    {
        byte[] bytes = Archive(compressed: false);
        int end = bytes.AsSpan().LastIndexOf("PK\u0005\u0006"u8);
        bytes[end + 8] = bytes[end + 10] = 3; // entries (on this disk, in all): the directory holds 2
        var error = Assert.Throws<InputException>(() => Npz.Read(new MemoryStream(bytes), "x.npz"));
        Assert.IsType<InvalidDataException>(error.InnerException);
        Assert.Equal($"npz 'x.npz' is not a valid zip archive ({error.InnerException.Message.TrimEnd('.')}).", error.Message);
        Assert.Equal("the file is damaged or not an npz; save it again with np.savez or np.savez_compressed.", error.Hint);
    }

    [Fact]
    public void MemberShapeBeyondItsRecordedSizeFailsBeforeAllocating()
    {
        byte[] bytes = Archive(compressed: false);
        // A consistent header that claims more than the member holds: the shape grows into the header's padding.
        int shape = bytes.AsSpan().IndexOf("(2, 5, 3)"u8);
        byte[] claim = "(100000000,)"u8.ToArray();
        int newline = bytes.AsSpan(shape).IndexOf((byte)'\n') + shape;
        byte[] edited = [.. bytes.AsSpan(0, shape), .. claim, .. bytes.AsSpan(shape + 9, newline - shape - 9 - (claim.Length - 9)), .. bytes.AsSpan(newline)];
        // Its CRC-32 matches, as if the writer had produced the wrong header.
        int data = 30 + BinaryPrimitives.ReadUInt16LittleEndian(edited.AsSpan(26)) + BinaryPrimitives.ReadUInt16LittleEndian(edited.AsSpan(28));
        uint crc = Crc32.Append(0, edited.AsSpan(data, (int)BinaryPrimitives.ReadUInt32LittleEndian(edited.AsSpan(18))));
        BinaryPrimitives.WriteUInt32LittleEndian(edited.AsSpan(14), crc);
        BinaryPrimitives.WriteUInt32LittleEndian(edited.AsSpan(edited.AsSpan().IndexOf("PK\u0001\u0002"u8) + 16), crc);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InputException>(() => Npz.Read(new MemoryStream(edited), "x.npz"));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16 << 20);
        Assert.Equal(
            "member 'data.npy' of npz 'x.npz' is truncated: shape [100000000] of <f8 needs 800000000 data bytes but only 240 follow the header.",
            error.Message);
    }

    [Fact]
    public void RecordedSizeBeyondWhatTheCompressedBytesHoldIsRefused()
    {
        byte[] bytes = Archive(compressed: true);
        int central = bytes.AsSpan().IndexOf("PK\u0001\u0002"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(central + 24), int.MaxValue); // uncompressed size of data.npy
        uint compressed = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(central + 20));
        var error = Assert.Throws<InputException>(() => Npz.Read(new MemoryStream(bytes), "x.npz"));
        Assert.Equal(
            $"member 'data.npy' of npz 'x.npz' is damaged: the archive records 2147483647 bytes for it, more than its {compressed} compressed bytes can hold.",
            error.Message);
        Assert.Equal("the file was corrupted in storage or transfer; copy or save it again (np.savez).", error.Hint);
    }

    [Fact]
    public void CompressedSizeBeyondTheArchiveIsRefused()
    {
        byte[] bytes = Archive(compressed: true);
        int central = bytes.AsSpan().IndexOf("PK\u0001\u0002"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(central + 20), int.MaxValue); // compressed size of data.npy
        var error = Assert.Throws<InputException>(() => Npz.Read(new MemoryStream(bytes), "x.npz"));
        Assert.Equal(
            $"member 'data.npy' of npz 'x.npz' is damaged: the archive records 2147483647 compressed bytes for it, more than the archive's {bytes.Length}.",
            error.Message);
    }

    /// <summary>An npz of data [2, 5, 3] and inputs [2, 5, 1], float64.</summary>
    private static byte[] Archive(bool compressed)
    {
        using var stream = new MemoryStream();
        Npz.Write(stream, [new("data", new NdArray([2, 5, 3], new double[30])), new("inputs", new NdArray([2, 5, 1], new double[10]))], compressed: compressed);
        return stream.ToArray();
    }

    [Fact]
    public void RejectsFilesThatAreNotZip()
    {
        string path = _temp.File("garbage.npz");
        File.WriteAllBytes(path, new byte[100]);
        var error = Assert.Throws<InputException>(() => Npz.Read(path));
        Assert.StartsWith($"npz '{path}' is not a valid zip archive (", error.Message, StringComparison.Ordinal);
    }
}
