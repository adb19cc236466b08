using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace LowRank.Lint;

/// <summary>One named float64 array of a <c>.npz</c> archive (row-major).</summary>
public sealed record NamedArray(string Name, int[] Shape, double[] Data);

/// <summary>
/// Minimal <c>.npz</c> access for LINT model parameters and trajectory files: writes float64 arrays
/// (stored entries), reads little-endian f4/f8/i4/i8 C-order arrays.
/// </summary>
/// <remarks>
/// Stand-in until the project's general reader (LowRank.Data.Npz) is used here; it covers only what
/// LINT files need and reports every other layout as an <see cref="InputException"/>.
/// </remarks>
internal static class NpzStore
{
    public static void Write(string path, IEnumerable<NamedArray> arrays) =>
        IO.AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach (NamedArray array in arrays)
            {
                ZipArchiveEntry entry = zip.CreateEntry(array.Name + ".npy", CompressionLevel.NoCompression);
                using Stream entryStream = entry.Open();
                WriteNpy(entryStream, array);
            }
        });

    public static Dictionary<string, NamedArray> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"file '{path}' does not exist.", "check the path.");
        }

        var result = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        try
        {
            using ZipArchive zip = ZipFile.OpenRead(path);
            foreach (ZipArchiveEntry entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
                {
                    continue;
                }

                string name = entry.FullName[..^4];
                using Stream entryStream = entry.Open();
                using var buffer = new MemoryStream();
                entryStream.CopyTo(buffer);
                result[name] = ReadNpy(path, name, buffer.ToArray());
            }
        }
        catch (InvalidDataException ex)
        {
            throw new InputException($"'{path}' is not a valid .npz archive ({ex.Message}).", "write it with numpy.savez.", ex);
        }

        return result;
    }

    private static void WriteNpy(Stream stream, NamedArray array)
    {
        string shape = array.Shape.Length switch
        {
            0 => "()",
            1 => $"({array.Shape[0]},)",
            _ => "(" + string.Join(", ", array.Shape) + ")",
        };
        string header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + header.Length + 1;
        int padded = (total + 63) / 64 * 64;
        header = header + new string(' ', padded - total) + "\n";
        var prefix = new byte[10];
        prefix[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY").CopyTo(prefix, 1);
        prefix[6] = 1;
        prefix[7] = 0;
        BitConverter.TryWriteBytes(prefix.AsSpan(8), (ushort)header.Length);
        stream.Write(prefix);
        stream.Write(Encoding.ASCII.GetBytes(header));
        var bytes = new byte[array.Data.Length * 8];
        for (int i = 0; i < array.Data.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), array.Data[i]);
        }

        stream.Write(bytes);
    }

    private static NamedArray ReadNpy(string path, string name, byte[] bytes)
    {
        InputException Bad(string what) =>
            new($"array '{name}' in '{path}' {what}.", "save it with numpy (little-endian float32/float64 or int32/int64, C order).");
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
        {
            throw Bad("is not a .npy array");
        }

        int major = bytes[6];
        int headerLength = major == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int start = major == 1 ? 10 : 12;
        if (start + headerLength > bytes.Length)
        {
            throw Bad("is truncated");
        }

        string header = Encoding.ASCII.GetString(bytes, start, headerLength);
        string descr = Field(header, "descr").Trim('\'', '"', ' ');
        if (Field(header, "fortran_order").Trim() != "False")
        {
            throw Bad("is stored in Fortran order");
        }

        string shapeText = Field(header, "shape").Trim().TrimStart('(').TrimEnd(')');
        int[] shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        long count = 1;
        foreach (int d in shape)
        {
            count *= d;
        }

        int width = descr switch { "<f8" or "<i8" => 8, "<f4" or "<i4" => 4, _ => throw Bad($"has unsupported dtype '{descr}'") };
        int offset = start + headerLength;
        if (offset + count * width > bytes.Length)
        {
            throw Bad($"is truncated (shape [{string.Join(", ", shape)}])");
        }

        var data = new double[count];
        for (long i = 0; i < count; i++)
        {
            int at = (int)(offset + i * width);
            data[i] = descr switch
            {
                "<f8" => BitConverter.ToDouble(bytes, at),
                "<f4" => BitConverter.ToSingle(bytes, at),
                "<i8" => BitConverter.ToInt64(bytes, at),
                _ => BitConverter.ToInt32(bytes, at),
            };
        }

        return new NamedArray(name, shape, data);
    }

    private static string Field(string header, string key)
    {
        int at = header.IndexOf("'" + key + "'", StringComparison.Ordinal);
        if (at < 0)
        {
            return "";
        }

        int colon = header.IndexOf(':', at);
        if (header[(colon + 1)..].TrimStart().StartsWith('('))
        {
            int open = header.IndexOf('(', colon);
            return header[open..(header.IndexOf(')', open) + 1)];
        }

        int end = header.IndexOf(',', colon);
        return header[(colon + 1)..(end < 0 ? header.Length : end)];
    }
}
