using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;

namespace LowRank.Formats;

/// <summary>
/// Reads the data elements of a MAT v5 file (MATLAB's <c>save -v6</c> and <c>-v7</c>; SciPy's <c>savemat</c>) after
/// its 128-byte header: each variable is a <c>miMATRIX</c> element, or a <c>miCOMPRESSED</c> element whose zlib
/// stream inflates to one.
/// </summary>
/// <remarks>
/// A <c>miMATRIX</c> element holds, in order: the array flags (<c>miUINT32</c> × 2: class in the low byte, complex
/// <c>0x800</c>, global <c>0x400</c>, logical <c>0x200</c>), the dimensions (<c>miINT32</c> × rank), the name
/// (<c>miINT8</c>), then by class: the real (and imaginary) part of a numeric array, whose stored type may be narrower
/// than its class; the characters of a char array; one <c>miMATRIX</c> per cell; or the field-name length, the
/// field names and one <c>miMATRIX</c> per element and field of a struct array. Elements are stored column-major and
/// returned in C order (<see cref="MatValue"/>). Every length is checked against the bytes that hold it before anything
/// is allocated: an element is read only once the file holds all of it, and a compressed element inflates into a
/// buffer no larger than its tag declares, which may be at most deflate's 1032-fold expansion of its compressed bytes.
/// </remarks>
internal static class MatV5Reader
{
    /// <summary>Bytes of the header before the first data element.</summary>
    public const int HeaderBytes = 128;

    private const long MaxDeflateRatio = 1032;
    private const int MaxDepth = 32;

    /// <summary>A struct array without fields takes no bytes per element, so its size is bounded by this instead.</summary>
    private const int MaxFieldlessElements = 1 << 16;
    private const uint ComplexFlag = 0x800;
    private const uint LogicalFlag = 0x200;

    /// <summary>The hint of every error about a damaged file.</summary>
    public const string DamagedHint = "the file is damaged or was not written by MATLAB or a MAT writer; save it again, e.g. save(path, 'x', '-v7') in MATLAB or scipy.io.savemat.";

    /// <summary>Reads every variable of the v5 file in <paramref name="stream"/> (seekable), in file order.</summary>
    public static OrderedDictionary<string, MatValue> Read(Stream stream, bool bigEndian, string source)
    {
        var variables = new OrderedDictionary<string, MatValue>(StringComparer.Ordinal);
        Span<byte> tag = stackalloc byte[8];
        long length = stream.Length;
        long offset = HeaderBytes;
        while (offset < length)
        {
            stream.Position = offset;
            long remaining = length - offset;
            if (DataFile.ReadUpTo(stream, tag) < 8)
            {
                throw Truncated(source, $"it ends {remaining} bytes into the tag of the element at byte {offset}");
            }

            uint type = MatElements.ReadUInt32(tag, bigEndian);
            uint count = MatElements.ReadUInt32(tag[4..], bigEndian);
            if (type is not ((uint)MatDataType.Matrix or (uint)MatDataType.Compressed))
            {
                throw Damaged(source, $"the element at byte {offset} has type {type}; a variable is a matrix (14) or a compressed element (15)");
            }

            if (count > remaining - 8)
            {
                throw Truncated(source, $"the element at byte {offset} needs {count} bytes but only {remaining - 8} follow its tag");
            }

            if (count > Array.MaxLength)
            {
                throw Damaged(source, $"the element at byte {offset} claims {count} bytes, more than lowrank reads in one variable ({Array.MaxLength})");
            }

            var data = new byte[count];
            DataFile.ReadUpTo(stream, data);
            byte[] matrix = type == (uint)MatDataType.Compressed ? Inflate(data, bigEndian, source, offset) : data;
            (string name, MatValue value) = ParseMatrix(matrix, bigEndian, source, null, $"the variable at byte {offset}", depth: 0);
            offset += 8 + (type == (uint)MatDataType.Compressed ? count : (count + 7) / 8 * 8);
            if (name.Length == 0)
            {
                continue; // MATLAB's subsystem data (class definitions of saved objects) has no name
            }

            if (!variables.TryAdd(name, value))
            {
                throw Damaged(source, $"it holds the variable '{name}' twice");
            }
        }

        return variables;
    }

    /// <summary>Inflates one compressed element into the bytes of the <c>miMATRIX</c> element it holds (after its tag).</summary>
    private static byte[] Inflate(byte[] compressed, bool bigEndian, string source, long offset)
    {
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
            Span<byte> tag = stackalloc byte[8];
            int got = DataFile.ReadUpTo(zlib, tag);
            if (got < 8)
            {
                throw NotInflating(source, offset, $"it inflates to {got} bytes, less than one element tag");
            }

            uint type = MatElements.ReadUInt32(tag, bigEndian);
            uint count = MatElements.ReadUInt32(tag[4..], bigEndian);
            if (type != (uint)MatDataType.Matrix)
            {
                throw Damaged(source, $"the compressed element at byte {offset} holds an element of type {type}, not a matrix (14)");
            }

            if (count > compressed.Length * MaxDeflateRatio || count > Array.MaxLength)
            {
                throw Damaged(source, $"the compressed element at byte {offset} declares {count} bytes, more than its {compressed.Length} compressed bytes can hold");
            }

            var matrix = new byte[count];
            int inflated = DataFile.ReadUpTo(zlib, matrix);
            if (inflated < matrix.Length)
            {
                throw NotInflating(source, offset, $"it inflates to {inflated + 8} bytes but its tag declares {count + 8}");
            }

            return matrix;
        }
        catch (InvalidDataException ex)
        {
            throw NotInflating(source, offset, $"zlib: {ex.Message.TrimEnd('.')}", ex);
        }
    }

    /// <summary>
    /// One <c>miMATRIX</c> element's contents: its name and value. <paramref name="address"/> is how the value is reached
    /// (<c>data.unit(3)</c>), null for a variable, whose name the element holds; <paramref name="where"/> names it before
    /// its name is known.
    /// </summary>
    private static (string Name, MatValue Value) ParseMatrix(ReadOnlySpan<byte> bytes, bool bigEndian, string source, string? address, string where, int depth)
    {
        if (bytes.Length == 0)
        {
            return (string.Empty, new MatNumeric([0, 0], "double", new NdArray([0, 0], [])));
        }

        if (depth > MaxDepth)
        {
            throw Damaged(source, $"{where} nests cells or structs more than {MaxDepth} levels deep");
        }

        var elements = new MatElements(bytes, bigEndian, source);
        MatDataType flagsType = elements.Next($"the array flags of {where}", out ReadOnlySpan<byte> flagsData);
        if (flagsType != MatDataType.UInt32 || flagsData.Length != 8)
        {
            throw Damaged(source, $"the array flags of {where} should be two 32-bit integers but are of type {(int)flagsType} with {flagsData.Length} bytes");
        }

        uint flags = MatElements.ReadUInt32(flagsData, bigEndian);
        int[] dims = elements.NextIntegers($"the dimensions of {where}");
        long count = NdArray.CountElements(dims);
        if (dims.Length == 0 || count > Array.MaxLength)
        {
            throw Damaged(source, $"{where} has dimensions {NdArray.FormatShape(dims)}");
        }

        MatDataType nameType = elements.Next($"the name of {where}", out ReadOnlySpan<byte> nameData);
        if (nameType is not (MatDataType.Int8 or MatDataType.UInt8 or MatDataType.Utf8))
        {
            throw Damaged(source, $"the name of {where} is of type {(int)nameType}, not text");
        }

        string name = Encoding.UTF8.GetString(nameData).TrimEnd('\0');
        string path = address ?? name;
        string label = $"'{path}'";
        int matlabClass = (int)(flags & 0xFF);
        MatValue value = matlabClass switch
        {
            >= 6 and <= 15 when (flags & ComplexFlag) != 0 => new MatUnsupported(
                dims, $"complex {NumericClass(matlabClass)}", "complex numbers are not supported", "save the real part (real(x)) or the magnitude (abs(x)) instead."),
            >= 6 and <= 15 => ReadNumeric(ref elements, dims, count, (flags & LogicalFlag) != 0 ? "logical" : NumericClass(matlabClass), bigEndian, source, label),
            4 => ReadChar(ref elements, dims, count, bigEndian, source, label),
            1 => ReadCell(ref elements, dims, count, bigEndian, source, path, depth),
            2 => ReadStruct(ref elements, dims, count, bigEndian, source, path, depth),
            5 => new MatUnsupported(
                dims, (flags & LogicalFlag) != 0 ? "sparse logical" : "sparse double", "sparse matrices are not supported",
                "convert it to a full matrix in MATLAB before saving: x = full(x); save(path, 'x')."),
            3 => new MatUnsupported(dims, "object", "MATLAB objects are not supported", "save its numeric properties as plain arrays or a struct."),
            16 => new MatUnsupported(dims, "function handle", "function handles are not supported", "save the data the function computes instead."),
            17 => new MatUnsupported(dims, "opaque object", "MATLAB classes such as string, table or datetime are not supported", "convert it to numeric arrays, char or a struct before saving (e.g. table2struct, char)."),
            _ => throw Damaged(source, $"{where} has the unknown class {matlabClass}"),
        };
        return (name, value);
    }

    private static MatNumeric ReadNumeric(ref MatElements elements, int[] dims, long count, string className, bool bigEndian, string source, string label)
    {
        MatDataType type = elements.Next($"the values of {label}", out ReadOnlySpan<byte> data);
        int size = ItemSize(type);
        if (size == 0 || type is MatDataType.Utf8 or MatDataType.Utf16 or MatDataType.Utf32)
        {
            throw Damaged(source, $"the values of {label} are stored as type {(int)type}, which is not a number type");
        }

        if (data.Length != count * size)
        {
            throw Disagree(source, label, dims, count, data.Length, size);
        }

        var stored = new double[count]; // column-major, as the file holds them
        ReadNumbers(data, type, bigEndian, stored);

        var values = new double[count];
        ColumnMajorWalk.ToRowMajor(stored, values, dims);
        return new MatNumeric(dims, className, new NdArray(dims, values, SourceType(className)));
    }

    private static MatChar ReadChar(ref MatElements elements, int[] dims, long count, bool bigEndian, string source, string label)
    {
        MatDataType type = elements.Next($"the characters of {label}", out ReadOnlySpan<byte> data);
        char[] units = type switch
        {
            MatDataType.Utf16 or MatDataType.UInt16 or MatDataType.Int16 when data.Length % 2 == 0 => DecodeUtf16(data, bigEndian),
            MatDataType.Utf8 or MatDataType.UInt8 or MatDataType.Int8 => Encoding.UTF8.GetString(data).ToCharArray(),
            MatDataType.Utf32 or MatDataType.UInt32 or MatDataType.Int32 when data.Length % 4 == 0 => DecodeUtf32(data, bigEndian),
            _ => throw Damaged(source, $"the characters of {label} are stored as type {(int)type} with {data.Length} bytes"),
        };
        if (units.Length != count)
        {
            throw new InputException(
                $"{source} is damaged: {label} has dimensions {NdArray.FormatShape(dims)} ({count} characters) but its data holds {units.Length}.",
                DamagedHint);
        }

        int width = dims[^1];
        var ordered = new char[count];
        var walk = new ColumnMajorWalk(dims);
        for (int i = 0; i < ordered.Length; i++)
        {
            ordered[i] = units[walk.Offset];
            walk.Advance();
        }

        int rows = width == 0 ? 0 : (int)(count / width);
        var text = new string[rows];
        for (int r = 0; r < rows; r++)
        {
            text[r] = new string(ordered, r * width, width);
        }

        return new MatChar(dims, text);
    }

    private static MatCell ReadCell(ref MatElements elements, int[] dims, long count, bool bigEndian, string source, string path, int depth)
    {
        RequireRoomFor(count, elements, source, $"'{path}'", "cells");
        var cells = new MatValue[count];
        var walk = new ColumnMajorWalk(dims);
        for (int i = 0; i < count; i++)
        {
            // Stored column-major; cell i of the file is MATLAB's path{i + 1}.
            string cellPath = $"{path}{{{i + 1}}}";
            MatDataType type = elements.Next($"'{cellPath}'", out ReadOnlySpan<byte> data);
            RequireMatrix(type, source, cellPath);
            cells[walk.CIndex(i)] = ParseMatrix(data, bigEndian, source, cellPath, $"'{cellPath}'", depth + 1).Value;
        }

        return new MatCell(dims, cells);
    }

    private static MatStruct ReadStruct(ref MatElements elements, int[] dims, long count, bool bigEndian, string source, string path, int depth)
    {
        int[] nameLength = elements.NextIntegers($"the field-name length of '{path}'");
        MatDataType namesType = elements.Next($"the field names of '{path}'", out ReadOnlySpan<byte> namesData);
        if (nameLength.Length != 1 || nameLength[0] == 0 || namesType is not (MatDataType.Int8 or MatDataType.UInt8) || namesData.Length % nameLength[0] != 0)
        {
            throw Damaged(source, $"the field names of '{path}' do not fit their declared length");
        }

        int fieldCount = namesData.Length / nameLength[0];
        var fields = new string[fieldCount];
        for (int f = 0; f < fieldCount; f++)
        {
            fields[f] = Encoding.UTF8.GetString(namesData.Slice(f * nameLength[0], nameLength[0])).Split('\0')[0];
        }

        if (fieldCount > 0)
        {
            RequireRoomFor(count * fieldCount, elements, source, $"'{path}'", "fields");
        }
        else if (count > MaxFieldlessElements)
        {
            throw Damaged(source, $"'{path}' claims {count} elements of a struct without fields");
        }

        var values = new MatValue[count][];
        var walk = new ColumnMajorWalk(dims);
        for (int i = 0; i < count; i++)
        {
            var element = new MatValue[fieldCount];
            string elementPath = count == 1 ? path : $"{path}({i + 1})";
            for (int f = 0; f < fieldCount; f++)
            {
                string fieldPath = $"{elementPath}.{fields[f]}";
                MatDataType type = elements.Next($"'{fieldPath}'", out ReadOnlySpan<byte> data);
                RequireMatrix(type, source, fieldPath);
                element[f] = ParseMatrix(data, bigEndian, source, fieldPath, $"'{fieldPath}'", depth + 1).Value;
            }

            values[walk.CIndex(i)] = element;
        }

        return new MatStruct(dims, fields, values);
    }

    /// <summary>Each cell or field needs at least an 8-byte tag: refuses a count the element's bytes cannot hold before allocating for it.</summary>
    private static void RequireRoomFor(long count, MatElements elements, string source, string label, string what)
    {
        if (count > elements.Remaining / 8)
        {
            throw Damaged(source, $"{label} claims {count} {what} but its element has room for at most {elements.Remaining / 8}");
        }
    }

    private static void RequireMatrix(MatDataType type, string source, string path)
    {
        if (type != MatDataType.Matrix)
        {
            throw Damaged(source, $"'{path}' is an element of type {(int)type}, not a matrix (14)");
        }
    }

    private static string NumericClass(int matlabClass) => matlabClass switch
    {
        6 => "double",
        7 => "single",
        8 => "int8",
        9 => "uint8",
        10 => "int16",
        11 => "uint16",
        12 => "int32",
        13 => "uint32",
        14 => "int64",
        _ => "uint64",
    };

    /// <summary>The <see cref="DType"/> recorded as an array's source type for a MATLAB class.</summary>
    public static DType SourceType(string className) => className switch
    {
        "double" => DType.Float64,
        "single" => DType.Float32,
        "int8" => DType.Int8,
        "uint8" => DType.UInt8,
        "int16" => DType.Int16,
        "uint16" => DType.UInt16,
        "int32" => DType.Int32,
        "uint32" => DType.UInt32,
        "int64" => DType.Int64,
        "uint64" => DType.UInt64,
        "logical" => DType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(className), className, null),
    };

    /// <summary>Bytes per value of a number type; 0 for the other types.</summary>
    public static int ItemSize(MatDataType type) => type switch
    {
        MatDataType.Int8 or MatDataType.UInt8 or MatDataType.Utf8 => 1,
        MatDataType.Int16 or MatDataType.UInt16 or MatDataType.Utf16 => 2,
        MatDataType.Int32 or MatDataType.UInt32 or MatDataType.Single or MatDataType.Utf32 => 4,
        MatDataType.Double or MatDataType.Int64 or MatDataType.UInt64 => 8,
        _ => 0,
    };

    /// <summary>Every value of <paramref name="data"/>, stored as the number type <paramref name="type"/>, as doubles.</summary>
    private static void ReadNumbers(ReadOnlySpan<byte> data, MatDataType type, bool bigEndian, Span<double> destination)
    {
        if (bigEndian == BitConverter.IsLittleEndian)
        {
            // Another byte order than the machine's: one value at a time.
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = ReadNumber(data, i, type, bigEndian);
            }

            return;
        }

        switch (type)
        {
            case MatDataType.Double:
                MemoryMarshal.Cast<byte, double>(data).CopyTo(destination);
                break;
            case MatDataType.Single:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, float>(data), destination);
                break;
            case MatDataType.Int8:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, sbyte>(data), destination);
                break;
            case MatDataType.UInt8:
                TensorPrimitives.ConvertTruncating(data, destination);
                break;
            case MatDataType.Int16:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, short>(data), destination);
                break;
            case MatDataType.UInt16:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, ushort>(data), destination);
                break;
            case MatDataType.Int32:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, int>(data), destination);
                break;
            case MatDataType.UInt32:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, uint>(data), destination);
                break;
            case MatDataType.Int64:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, long>(data), destination);
                break;
            case MatDataType.UInt64:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, ulong>(data), destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }

    /// <summary>Value <paramref name="index"/> of <paramref name="data"/>, stored as <paramref name="type"/>, as a double.</summary>
    public static double ReadNumber(ReadOnlySpan<byte> data, int index, MatDataType type, bool bigEndian)
    {
        switch (type)
        {
            case MatDataType.Int8:
                return (sbyte)data[index];
            case MatDataType.UInt8:
                return data[index];
            case MatDataType.Int16:
                ReadOnlySpan<byte> i16 = data.Slice(index * 2, 2);
                return bigEndian ? BinaryPrimitives.ReadInt16BigEndian(i16) : BinaryPrimitives.ReadInt16LittleEndian(i16);
            case MatDataType.UInt16:
                ReadOnlySpan<byte> u16 = data.Slice(index * 2, 2);
                return bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(u16) : BinaryPrimitives.ReadUInt16LittleEndian(u16);
            case MatDataType.Int32:
                ReadOnlySpan<byte> i32 = data.Slice(index * 4, 4);
                return bigEndian ? BinaryPrimitives.ReadInt32BigEndian(i32) : BinaryPrimitives.ReadInt32LittleEndian(i32);
            case MatDataType.UInt32:
                ReadOnlySpan<byte> u32 = data.Slice(index * 4, 4);
                return bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(u32) : BinaryPrimitives.ReadUInt32LittleEndian(u32);
            case MatDataType.Single:
                ReadOnlySpan<byte> f32 = data.Slice(index * 4, 4);
                return bigEndian ? BinaryPrimitives.ReadSingleBigEndian(f32) : BinaryPrimitives.ReadSingleLittleEndian(f32);
            case MatDataType.Double:
                ReadOnlySpan<byte> f64 = data.Slice(index * 8, 8);
                return bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(f64) : BinaryPrimitives.ReadDoubleLittleEndian(f64);
            case MatDataType.Int64:
                ReadOnlySpan<byte> i64 = data.Slice(index * 8, 8);
                return bigEndian ? BinaryPrimitives.ReadInt64BigEndian(i64) : BinaryPrimitives.ReadInt64LittleEndian(i64);
            case MatDataType.UInt64:
                ReadOnlySpan<byte> u64 = data.Slice(index * 8, 8);
                return bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(u64) : BinaryPrimitives.ReadUInt64LittleEndian(u64);
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }

    private static char[] DecodeUtf16(ReadOnlySpan<byte> data, bool bigEndian)
    {
        var units = new char[data.Length / 2];
        for (int i = 0; i < units.Length; i++)
        {
            ReadOnlySpan<byte> unit = data.Slice(i * 2, 2);
            units[i] = (char)(bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(unit) : BinaryPrimitives.ReadUInt16LittleEndian(unit));
        }

        return units;
    }

    private static char[] DecodeUtf32(ReadOnlySpan<byte> data, bool bigEndian)
    {
        var units = new char[data.Length / 4];
        for (int i = 0; i < units.Length; i++)
        {
            uint code = MatElements.ReadUInt32(data[(i * 4)..], bigEndian);
            units[i] = code <= char.MaxValue ? (char)code : '\uFFFD';
        }

        return units;
    }

    public static InputException Damaged(string source, string detail) => new($"{source} is damaged: {detail}.", DamagedHint);

    private static InputException Disagree(string source, string label, int[] dims, long count, int bytes, int size) => new(
        $"{source} is damaged: {label} has dimensions {NdArray.FormatShape(dims)} ({count} values) but its data holds {bytes} bytes, {(double)bytes / size} values of {size} bytes.",
        DamagedHint);

    private static InputException NotInflating(string source, long offset, string detail, Exception? inner = null)
    {
        string message = $"{source} is damaged: the compressed element at byte {offset} does not inflate ({detail}).";
        const string hint = "the file was corrupted in storage or transfer; copy it again, or save it again in MATLAB (save(path, 'x', '-v7')).";
        return inner is null ? new InputException(message, hint) : new InputException(message, hint, inner);
    }

    public static InputException Truncated(string source, string detail) => new(
        $"{source} is truncated: {detail}.",
        "the file was cut short (an interrupted copy or save?); copy or save it again.");
}

/// <summary>
/// Visits the elements of an array in C order and gives, for each, its offset in column-major (MATLAB) storage; and
/// maps a column-major position to its C-order index.
/// </summary>
internal struct ColumnMajorWalk
{
    private readonly int[] _dims;
    private readonly int[] _strides; // column-major stride of each axis
    private readonly int[] _index;

    public ColumnMajorWalk(int[] dims)
    {
        _dims = dims;
        _strides = new int[dims.Length];
        _index = new int[dims.Length];
        int stride = 1;
        for (int axis = 0; axis < dims.Length; axis++)
        {
            _strides[axis] = stride;
            stride = dims[axis] == 0 ? stride : stride * dims[axis];
        }
    }

    /// <summary>The column-major offset of the current C-order element.</summary>
    public int Offset { get; private set; }

    /// <summary>Moves to the next element in C order (last axis fastest).</summary>
    public void Advance()
    {
        for (int axis = _dims.Length - 1; axis >= 0; axis--)
        {
            Offset += _strides[axis];
            if (++_index[axis] < _dims[axis])
            {
                return;
            }

            Offset -= _strides[axis] * _dims[axis];
            _index[axis] = 0;
        }
    }

    /// <summary>
    /// Copies an array of <paramref name="dims"/> from column-major to row-major (C) order: element
    /// <c>[i0, …, iN]</c> moves from <c>i0 + d0·(i1 + d1·(…))</c> to <c>((i0·d1 + i1)·d2 + …)·dN + iN</c>.
    /// </summary>
    /// <remarks>
    /// For each index of the middle axes this transposes the (first axis × last axis) plane in 32 × 32 tiles, so that
    /// reads and writes each stay within a few cache lines: a plain walk in C order reads with the stride of the whole
    /// array but its last axis, a cache miss per element on a large array.
    /// </remarks>
    public static void ToRowMajor(ReadOnlySpan<double> columnMajor, Span<double> rowMajor, int[] dims)
    {
        const int tile = 32;
        if (dims.Length <= 1 || columnMajor.Length == 0)
        {
            columnMajor.CopyTo(rowMajor);
            return;
        }

        int first = dims[0];
        int last = dims[^1];
        int[] middleDims = dims[1..^1];
        int middle = (int)NdArray.CountElements(middleDims);
        int firstStride = middle * last; // C stride of the first axis
        int lastStride = first * middle; // column-major stride of the last axis
        var walk = new ColumnMajorWalk(middleDims);
        for (int m = 0; m < middle; m++)
        {
            int source = walk.Offset * first; // column-major offset of [0, middle index m, 0]
            int destination = m * last; // C offset of the same element
            for (int i0 = 0; i0 < first; i0 += tile)
            {
                int i0End = Math.Min(first, i0 + tile);
                for (int iN = 0; iN < last; iN += tile)
                {
                    int iNEnd = Math.Min(last, iN + tile);
                    for (int i = i0; i < i0End; i++)
                    {
                        for (int j = iN; j < iNEnd; j++)
                        {
                            rowMajor[destination + i * firstStride + j] = columnMajor[source + i + j * lastStride];
                        }
                    }
                }
            }

            walk.Advance();
        }
    }

    /// <summary>The C-order index of the element at column-major position <paramref name="columnMajor"/>.</summary>
    public readonly int CIndex(int columnMajor)
    {
        int c = 0;
        int cStride = 1;
        for (int axis = _dims.Length - 1; axis >= 0; axis--)
        {
            int subscript = columnMajor / _strides[axis] % _dims[axis];
            c += subscript * cStride;
            cStride *= _dims[axis];
        }

        return c;
    }
}
