using System.Buffers;
using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;

namespace LowRank.Formats;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0).
/// </summary>
/// <remarks>
/// Layout: the 6 magic bytes <c>\x93NUMPY</c>, a major and a minor version byte, the header length
/// (uint16 little-endian for 1.0, uint32 for 2.0 and 3.0), the header (a Python dict literal in
/// Latin-1, UTF-8 for 3.0, padded with spaces and ending in a newline), then the elements.
/// Reading accepts little-endian <c>f4 f8 i4 i8 u1 b1</c> in C or Fortran order and returns C order;
/// writing produces exactly the bytes <c>numpy.save</c> writes for a C-ordered <c>&lt;f4</c> or
/// <c>&lt;f8</c> array. Every problem with the file is an <see cref="InputException"/> naming it.
/// </remarks>
public static class Npy
{
    private const int Alignment = 64;
    private const int GrowthAxisMaxDigits = 21;
    private const int ChunkBytes = 1 << 20;
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the array in the <c>.npy</c> file at <paramref name="path"/>.</summary>
    public static NdArray Read(string path)
    {
        using FileStream stream = DataFile.OpenRead(path);
        return ReadFrom(stream, $"npy '{path}'");
    }

    /// <summary>Reads one <c>.npy</c> array from <paramref name="stream"/>; <paramref name="name"/> identifies it in error messages.</summary>
    public static NdArray Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadFrom(stream, $"npy '{name}'");
    }

    /// <summary>Writes <paramref name="array"/> atomically to <paramref name="path"/> as <c>&lt;f8</c> or <c>&lt;f4</c>.</summary>
    public static void Write(string path, NdArray array, DType type = DType.Float64)
    {
        CheckWritable(array, type);
        AtomicFile.Write(path, stream => Write(stream, array, type));
    }

    /// <summary>Writes <paramref name="array"/> to <paramref name="stream"/> in C order as <c>&lt;f8</c> or <c>&lt;f4</c>.</summary>
    /// <remarks>Converting to <see cref="DType.Float32"/> rounds to nearest, as NumPy's <c>astype</c> does.</remarks>
    public static void Write(Stream stream, NdArray array, DType type = DType.Float64)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckWritable(array, type);
        stream.Write(BuildHeader(type, array.Shape));
        ReadOnlySpan<double> data = array.Data;
        if (type == DType.Float64 && BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data));
            return;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int itemSize = type.ItemSize();
            int perChunk = ChunkBytes / itemSize;
            for (int start = 0; start < data.Length; start += perChunk)
            {
                ReadOnlySpan<double> chunk = data.Slice(start, Math.Min(perChunk, data.Length - start));
                Span<byte> bytes = buffer.AsSpan(0, chunk.Length * itemSize);
                if (type == DType.Float32)
                {
                    TensorPrimitives.ConvertTruncating(chunk, MemoryMarshal.Cast<byte, float>(bytes));
                }
                else
                {
                    chunk.CopyTo(MemoryMarshal.Cast<byte, double>(bytes));
                }

                ToLittleEndian(bytes, itemSize);
                stream.Write(bytes);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The header bytes <c>numpy.save</c> writes for a C-ordered array (version 1.0, or 2.0 if it needs more than 64 KiB).</summary>
    internal static byte[] BuildHeader(DType type, ReadOnlySpan<int> shape)
    {
        var dict = new StringBuilder();
        dict.Append("{'descr': '").Append(type.Descr()).Append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.Length; i++)
        {
            dict.Append(i > 0 ? ", " : "").Append(shape[i]);
        }

        dict.Append(shape.Length == 1 ? ",), }" : "), }");
        if (shape.Length > 0)
        {
            // NumPy leaves room to grow the first axis in place.
            dict.Append(' ', GrowthAxisMaxDigits - shape[0].ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        }

        int textLength = dict.Length + 1; // plus the final newline
        int lengthBytes = 2;
        int padding = Alignment - ((Magic.Length + 2 + lengthBytes + textLength) % Alignment);
        if (textLength + padding > ushort.MaxValue)
        {
            lengthBytes = 4;
            padding = Alignment - ((Magic.Length + 2 + lengthBytes + textLength) % Alignment);
        }

        dict.Append(' ', padding).Append('\n');
        var header = new byte[Magic.Length + 2 + lengthBytes + dict.Length];
        Magic.CopyTo(header);
        header[6] = (byte)(lengthBytes == 2 ? 1 : 2);
        header[7] = 0;
        if (lengthBytes == 2)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)dict.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)dict.Length);
        }

        Encoding.Latin1.GetBytes(dict.ToString(), header.AsSpan(8 + lengthBytes));
        return header;
    }

    /// <summary>
    /// Reads one array; <paramref name="source"/> (e.g. <c>npy 'x.npy'</c>) starts every error message. The bytes the
    /// array may take are <paramref name="length"/> (from the stream's start) when given, else what is left of a seekable
    /// stream; a header whose shape needs more is reported as truncated before anything is allocated. Of a stream of
    /// unknown length the elements are read as they arrive, so a damaged shape costs no more memory than the data holds.
    /// </summary>
    internal static NdArray ReadFrom(Stream stream, string source, long? length = null)
    {
        (NpyHeader header, int headerBytes) = ReadHeader(stream, source);
        long count = NdArray.CountElements(header.Shape);
        if (count > Array.MaxLength)
        {
            throw new InputException(
                $"{source} has shape {NdArray.FormatShape(header.Shape)}, {count} elements, more than one array can hold ({Array.MaxLength}).",
                "split the data into smaller files.");
        }

        long? available = length is { } total ? total - headerBytes : stream.CanSeek ? stream.Length - stream.Position : null;
        if (available < count * header.Type.ItemSize())
        {
            // Fail before allocating what a damaged header claims.
            throw TruncatedData(source, header, available.Value);
        }

        double[] data = ReadElements(stream, header, count, growing: available is null, source);
        if (stream.ReadByte() != -1)
        {
            throw new InputException(
                $"{source} has bytes after the {count} elements its header's shape {NdArray.FormatShape(header.Shape)} describes.",
                "the header and the data disagree; export the array again with np.save(path, a).");
        }

        if (header.FortranOrder && header.Shape.Length > 1)
        {
            data = FortranToC(data, header.Shape);
        }

        return new NdArray(header.Shape, data, header.Type);
    }

    /// <summary>The header and the number of bytes it took (magic, version, length field and dict).</summary>
    private static (NpyHeader Header, int Bytes) ReadHeader(Stream stream, string source)
    {
        Span<byte> prefix = stackalloc byte[12];
        int got = DataFile.ReadUpTo(stream, prefix[..8]);
        if (got == 0)
        {
            throw new InputException($"{source} is empty (0 bytes).", "export the array again with np.save(path, a).");
        }

        if (got < Magic.Length || !prefix[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InputException(
                $"{source} is not an npy file: it does not start with the bytes \\x93NUMPY.",
                "lowrank reads .npy files written by numpy.save; check the file's type and extension.");
        }

        if (got < 8)
        {
            throw Truncated(source, "the file ends inside the header");
        }

        byte major = prefix[6];
        byte minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw new InputException(
                $"{source} has npy format version {major}.{minor}; lowrank reads versions 1.0, 2.0 and 3.0.",
                "save it again with np.save(path, a), which writes version 1.0 unless the header is huge.");
        }

        int lengthBytes = major == 1 ? 2 : 4;
        if (DataFile.ReadUpTo(stream, prefix.Slice(8, lengthBytes)) < lengthBytes)
        {
            throw Truncated(source, "the file ends inside the header");
        }

        long headerLength = major == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        const int maxHeaderLength = 1 << 20;
        if (headerLength > maxHeaderLength)
        {
            throw new InputException(
                $"{source} has a malformed header: it claims {headerLength} bytes (at most {maxHeaderLength} are plausible).",
                "the file is damaged or was not written by numpy.save; export it again with np.save(path, a).");
        }

        var headerBytes = new byte[headerLength];
        int headerRead = DataFile.ReadUpTo(stream, headerBytes);
        if (headerRead < headerLength)
        {
            throw Truncated(source, $"the header should have {headerLength} bytes but the file ends after {headerRead}");
        }

        string text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        return (NpyHeaderParser.Parse(text, source), 8 + lengthBytes + (int)headerLength);
    }

    /// <summary>
    /// Reads <paramref name="count"/> elements. When <paramref name="growing"/> (the stream's length is unknown) the
    /// destination starts at one chunk and doubles as elements arrive, instead of being sized by the header.
    /// </summary>
    private static double[] ReadElements(Stream stream, NpyHeader header, long count, bool growing, string source)
    {
        int itemSize = header.Type.ItemSize();
        int perChunk = ChunkBytes / itemSize;
        var destination = new double[growing ? Math.Min(count, perChunk) : count];
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (long start = 0; start < count; start += perChunk)
            {
                int chunk = (int)Math.Min(perChunk, count - start);
                Span<byte> bytes = buffer.AsSpan(0, chunk * itemSize);
                int read = DataFile.ReadUpTo(stream, bytes);
                if (read < bytes.Length)
                {
                    throw TruncatedData(source, header, start * itemSize + read);
                }

                if (start + chunk > destination.Length)
                {
                    Array.Resize(ref destination, (int)Math.Min(count, 2L * destination.Length));
                }

                ToLittleEndian(bytes, itemSize);
                Widen(bytes, header.Type, destination.AsSpan((int)start, chunk));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return destination;
    }

    /// <summary>Converts little-endian elements of <paramref name="type"/> (host order after <see cref="ToLittleEndian"/>) to doubles.</summary>
    private static void Widen(ReadOnlySpan<byte> bytes, DType type, Span<double> destination)
    {
        switch (type)
        {
            case DType.Float32:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, float>(bytes), destination);
                break;
            case DType.Float64:
                MemoryMarshal.Cast<byte, double>(bytes).CopyTo(destination);
                break;
            case DType.Int32:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, int>(bytes), destination);
                break;
            case DType.Int64:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, long>(bytes), destination);
                break;
            case DType.UInt8:
                TensorPrimitives.ConvertTruncating(bytes, destination);
                break;
            case DType.Int8:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, sbyte>(bytes), destination);
                break;
            case DType.Int16:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, short>(bytes), destination);
                break;
            case DType.UInt16:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, ushort>(bytes), destination);
                break;
            case DType.UInt32:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, uint>(bytes), destination);
                break;
            case DType.UInt64:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, ulong>(bytes), destination);
                break;
            case DType.Bool:
                for (int i = 0; i < bytes.Length; i++)
                {
                    destination[i] = bytes[i] != 0 ? 1 : 0;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }

    /// <summary>Swaps byte order in place on a big-endian host; a no-op on little-endian ones.</summary>
    private static void ToLittleEndian(Span<byte> bytes, int itemSize)
    {
        if (BitConverter.IsLittleEndian || itemSize == 1)
        {
            return;
        }

        if (itemSize == 2)
        {
            Span<short> items = MemoryMarshal.Cast<byte, short>(bytes);
            BinaryPrimitives.ReverseEndianness(items, items);
        }
        else if (itemSize == 4)
        {
            Span<int> items = MemoryMarshal.Cast<byte, int>(bytes);
            BinaryPrimitives.ReverseEndianness(items, items);
        }
        else
        {
            Span<long> items = MemoryMarshal.Cast<byte, long>(bytes);
            BinaryPrimitives.ReverseEndianness(items, items);
        }
    }

    /// <summary>Reorders a column-major (first axis fastest) buffer of <paramref name="shape"/> into row-major order.</summary>
    private static double[] FortranToC(double[] fortran, int[] shape)
    {
        var c = new double[fortran.Length];
        if (c.Length == 0)
        {
            return c;
        }

        int rank = shape.Length;
        var fortranStride = new int[rank];
        var index = new int[rank];
        int stride = 1;
        for (int axis = 0; axis < rank; axis++)
        {
            fortranStride[axis] = stride;
            stride *= shape[axis];
        }

        int f = 0; // Fortran offset of the C-order position i
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = fortran[f];
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                f += fortranStride[axis];
                if (++index[axis] < shape[axis])
                {
                    break;
                }

                f -= fortranStride[axis] * shape[axis];
                index[axis] = 0;
            }
        }

        return c;
    }

    private static void CheckWritable(NdArray array, DType type)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (type is not (DType.Float32 or DType.Float64))
        {
            throw new ArgumentException($"npy writing supports float32 and float64, not {type}.", nameof(type));
        }
    }

    private static InputException TruncatedData(string source, NpyHeader header, long present) => Truncated(
        source,
        $"shape {NdArray.FormatShape(header.Shape)} of {header.Type.Descr()} needs {NdArray.CountElements(header.Shape) * header.Type.ItemSize()} data bytes but only {present} follow the header");

    private static InputException Truncated(string source, string detail) => new(
        $"{source} is truncated: {detail}.",
        "the file was cut short (an interrupted copy or save?); copy or export it again.");
}
