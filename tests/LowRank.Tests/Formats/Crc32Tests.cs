using System.IO.Compression;
using LowRank.Formats;

namespace LowRank.Tests.Formats;

public sealed class Crc32Tests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Append(0, "123456789"u8));
        Assert.Equal(0u, Crc32.Append(0, []));
        // Appending in pieces gives the same CRC as one call.
        Assert.Equal(0xCBF43926u, Crc32.Append(Crc32.Append(0, "1234"u8), "56789"u8));
    }

    [Fact]
    public void AFlippedByteInsideAStoredNpzMemberIsAnInputError()
    {
        string path = _temp.File("x.npz");
        Npz.Write(path, [KeyValuePair.Create("data", new NdArray([4, 2], [1, 2, 3, 4, 5, 6, 7, 8]))], DType.Float64, compressed: false);
        byte[] bytes = File.ReadAllBytes(path);

        // The last data byte of the stored member: the high byte of 8.0 (0x40), just before the central directory.
        int offset = LastDataByte(bytes);
        bytes[offset] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        InputException error = Assert.Throws<InputException>(() => Npz.Read(path));
        Assert.StartsWith($"member 'data.npy' of npz '{path}' is damaged: its CRC-32 is ", error.Message);
        Assert.Equal("the file was corrupted in storage or transfer; copy or save it again (np.savez).", error.Hint);
    }

    [Fact]
    public void AnIntactArchiveReads()
    {
        string path = _temp.File("ok.npz");
        Npz.Write(path, [KeyValuePair.Create("data", new NdArray([3], [1, 2, 3]))]);
        Assert.Equal([1.0, 2, 3], Npz.Read(path)["data"].Data);
    }

    /// <summary>Offset of the last byte of the first member's data (the stored npy), found through the zip's local header.</summary>
    private static int LastDataByte(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        long size = archive.Entries[0].CompressedLength;
        int nameLength = BitConverter.ToUInt16(zip, 26), extraLength = BitConverter.ToUInt16(zip, 28);
        return (int)(30 + nameLength + extraLength + size - 1);
    }
}
