using System.IO.Compression;

namespace LowRank.Formats;

/// <summary>
/// Reads and writes NumPy <c>.npz</c> archives: a zip file holding one <c>NAME.npy</c> member per
/// array, stored (<c>np.savez</c>) or deflated (<c>np.savez_compressed</c>).
/// </summary>
public static class Npz
{
    private const string MemberSuffix = ".npy";

    /// <summary>Deflate, the densest method np.savez_compressed uses, expands data at most 1032-fold.</summary>
    private const long MaxDeflateRatio = 1032;

    /// <summary>Fixed member timestamp so the same arrays always give the same bytes.</summary>
    private static readonly DateTimeOffset MemberTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Reads every array of the archive at <paramref name="path"/>, in archive order, keyed by name without <c>.npy</c>.</summary>
    public static OrderedDictionary<string, NdArray> Read(string path)
    {
        using FileStream stream = DataFile.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads every array of the archive in <paramref name="stream"/> (seekable); <paramref name="name"/> identifies it in error messages.</summary>
    public static OrderedDictionary<string, NdArray> Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var arrays = new OrderedDictionary<string, NdArray>(StringComparer.Ordinal);
        using ZipArchive archive = OpenArchive(stream, name);
        long archiveLength = stream.CanSeek ? stream.Length : long.MaxValue;
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            if (entry.FullName.EndsWith('/') && entry.Length == 0)
            {
                continue; // a folder entry
            }

            if (!entry.FullName.EndsWith(MemberSuffix, StringComparison.Ordinal))
            {
                throw new InputException(
                    $"npz '{name}' contains '{entry.FullName}', which is not an .npy member.",
                    "an npz archive holds only NAME.npy members, as np.savez writes them; rebuild it with np.savez.");
            }

            string arrayName = entry.FullName[..^MemberSuffix.Length];
            if (!arrays.TryAdd(arrayName, ReadMember(entry, name, archiveLength)))
            {
                throw new InputException(
                    $"npz '{name}' contains the array '{arrayName}' twice.",
                    "rebuild the archive with np.savez, which writes each name once.");
            }
        }

        return arrays;
    }

    /// <summary>
    /// The names of the arrays of the archive at <paramref name="path"/>, in archive order, from its directory alone
    /// (nothing is decompressed): what the archive holds, before <see cref="Read(string)"/> checks and reads it.
    /// </summary>
    public static IReadOnlyList<string> ReadNames(string path)
    {
        using FileStream stream = DataFile.OpenRead(path);
        using ZipArchive archive = OpenArchive(stream, path);
        return [.. archive.Entries
            .Where(e => e.FullName.EndsWith(MemberSuffix, StringComparison.Ordinal))
            .Select(e => e.FullName[..^MemberSuffix.Length])];
    }

    /// <summary>
    /// The array called <paramref name="name"/>, or an input error that lists the arrays the archive has. The error names
    /// the archive as <paramref name="source"/> (default <c>npz 'PATH'</c>) and gives <paramref name="hint"/> (default: how to
    /// save an array under that name).
    /// </summary>
    public static NdArray RequireArray(IReadOnlyDictionary<string, NdArray> arrays, string name, string path, string? hint = null, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        if (arrays.TryGetValue(name, out NdArray? array))
        {
            return array;
        }

        string present = arrays.Count == 0 ? "none" : string.Join(", ", arrays.Keys);
        throw new InputException(
            $"{source ?? $"npz '{path}'"} has no array '{name}' (it has: {present}).",
            hint ?? $"save the array under that name, e.g. np.savez(path, {name}=a).");
    }

    /// <summary>
    /// Writes <paramref name="arrays"/> atomically to <paramref name="path"/>, each as <c>NAME.npy</c> of
    /// <paramref name="type"/>; deflated like <c>np.savez_compressed</c> or stored like <c>np.savez</c>.
    /// </summary>
    public static void Write(
        string path, IEnumerable<KeyValuePair<string, NdArray>> arrays, DType type = DType.Float64, bool compressed = true)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        KeyValuePair<string, NdArray>[] list = [.. arrays];
        AtomicFile.Write(path, stream => Write(stream, list, type, compressed));
    }

    /// <summary>Writes <paramref name="arrays"/> as an npz archive to <paramref name="stream"/>.</summary>
    public static void Write(
        Stream stream, IEnumerable<KeyValuePair<string, NdArray>> arrays, DType type = DType.Float64, bool compressed = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(arrays);
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach ((string name, NdArray array) in arrays)
        {
            if (string.IsNullOrEmpty(name) || name.StartsWith('/') || name.Contains('\\') || !names.Add(name))
            {
                throw new ArgumentException($"array name '{name}' is empty, absolute, contains '\\' or repeats.", nameof(arrays));
            }

            ZipArchiveEntry entry = archive.CreateEntry(
                name + MemberSuffix, compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            entry.LastWriteTime = MemberTime;
            using Stream member = entry.Open();
            Npy.Write(member, array, type);
        }
    }

    private static ZipArchive OpenArchive(Stream stream, string name)
    {
        ZipArchive? archive = null;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            _ = archive.Entries; // the central directory is read on first use
            return archive;
        }
        catch (InvalidDataException ex)
        {
            archive?.Dispose();
            throw new InputException(
                $"npz '{name}' is not a valid zip archive ({ex.Message.TrimEnd('.')}).",
                "the file is damaged or not an npz; save it again with np.savez or np.savez_compressed.",
                ex);
        }
    }

    /// <summary>Whether a member that failed to parse also fails its checksum (then the damage, not the format, is the error).</summary>
    private static bool CorruptedBeforeError(Crc32Stream member, ZipArchiveEntry entry)
    {
        try
        {
            member.Drain();
        }
        catch (InvalidDataException)
        {
            return true;
        }

        return member.Crc != entry.Crc32;
    }

    private static InputException CrcMismatch(string source, ZipArchiveEntry entry, uint crc) => new(
        $"{source} is damaged: its CRC-32 is {crc:x8} but the archive records {entry.Crc32:x8}.",
        "the file was corrupted in storage or transfer; copy or save it again (np.savez).");

    private static NdArray ReadMember(ZipArchiveEntry entry, string name, long archiveLength)
    {
        string source = $"member '{entry.FullName}' of npz '{name}'";
        if (entry.CompressedLength > archiveLength)
        {
            throw new InputException(
                $"{source} is damaged: the archive records {entry.CompressedLength} compressed bytes for it, more than the archive's {archiveLength}.",
                "the file was corrupted in storage or transfer; copy or save it again (np.savez).");
        }

        if (entry.Length > entry.CompressedLength * MaxDeflateRatio)
        {
            throw new InputException(
                $"{source} is damaged: the archive records {entry.Length} bytes for it, more than its {entry.CompressedLength} compressed bytes can hold.",
                "the file was corrupted in storage or transfer; copy or save it again (np.savez).");
        }

        try
        {
            using var member = new Crc32Stream(entry.Open());
            NdArray array;
            try
            {
                // The member's recorded size bounds the array, so a damaged shape is refused before it is allocated.
                array = Npy.ReadFrom(member, source, entry.Length);
            }
            catch (InputException) when (CorruptedBeforeError(member, entry))
            {
                throw CrcMismatch(source, entry, member.Crc);
            }

            member.Drain();
            if (member.Crc != entry.Crc32)
            {
                throw CrcMismatch(source, entry, member.Crc);
            }

            return array;
        }
        catch (InvalidDataException ex)
        {
            throw new InputException(
                $"{source} cannot be decompressed ({ex.Message.TrimEnd('.')}).",
                "the archive is damaged; save it again with np.savez or np.savez_compressed.",
                ex);
        }
    }
}
