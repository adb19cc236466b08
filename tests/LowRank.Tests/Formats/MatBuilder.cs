using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace LowRank.Tests.Formats;

/// <summary>
/// Writes small MAT v5 files in either byte order, element by element as the MAT-file format lays them out (a 128-byte
/// header ending in the version and 'IM'/'MI', then one miMATRIX or miCOMPRESSED element per variable). SciPy, which
/// wrote Fixtures/mat, writes only the machine's byte order; this builds the big-endian files the tests need.
/// </summary>
internal sealed class MatBuilder(bool bigEndian)
{
    private readonly MemoryStream _body = new();

    /// <summary>A double array; <paramref name="columnMajor"/> in MATLAB's order.</summary>
    public MatBuilder Double(string name, int[] dims, double[] columnMajor, bool compress = false)
    {
        var data = new byte[columnMajor.Length * 8];
        for (int i = 0; i < columnMajor.Length; i++)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteDoubleBigEndian(data.AsSpan(i * 8), columnMajor[i]);
            }
            else
            {
                BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(i * 8), columnMajor[i]);
            }
        }

        return Variable(Matrix(6, 0, dims, name, Element(9, data)), compress);
    }

    /// <summary>An int16 array; <paramref name="columnMajor"/> in MATLAB's order.</summary>
    public MatBuilder Int16(string name, int[] dims, short[] columnMajor)
    {
        var data = new byte[columnMajor.Length * 2];
        for (int i = 0; i < columnMajor.Length; i++)
        {
            U16(data.AsSpan(i * 2), (ushort)columnMajor[i]);
        }

        return Variable(Matrix(10, 0, dims, name, Element(3, data)), compress: false);
    }

    /// <summary>A 1×n char array stored as UTF-16.</summary>
    public MatBuilder Char(string name, string text)
    {
        var data = new byte[text.Length * 2];
        for (int i = 0; i < text.Length; i++)
        {
            U16(data.AsSpan(i * 2), text[i]);
        }

        return Variable(Matrix(4, 0, [1, text.Length], name, Element(17, data)), compress: false);
    }

    /// <summary>A 1×1 struct whose fields are doubles (1×1 each).</summary>
    public MatBuilder Struct(string name, params (string Field, double Value)[] fields)
    {
        const int nameLength = 32;
        var names = new byte[nameLength * fields.Length];
        var parts = new List<byte[]> { Element(5, I32(nameLength)) };
        for (int f = 0; f < fields.Length; f++)
        {
            Encoding.ASCII.GetBytes(fields[f].Field).CopyTo(names, f * nameLength);
        }

        parts.Add(Element(1, names));
        foreach ((_, double value) in fields)
        {
            var data = new byte[8];
            if (bigEndian)
            {
                BinaryPrimitives.WriteDoubleBigEndian(data, value);
            }
            else
            {
                BinaryPrimitives.WriteDoubleLittleEndian(data, value);
            }

            parts.Add(Element(14, Matrix(6, 0, [1, 1], string.Empty, Element(9, data))));
        }

        return Variable(Matrix(2, 0, [1, 1], name, [.. parts.SelectMany(p => p)]), compress: false);
    }

    /// <summary>The whole file: header and variables.</summary>
    public byte[] Build()
    {
        var header = new byte[128];
        Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, written by LowRank's MatBuilder".PadRight(116)).CopyTo(header, 0);
        U16(header.AsSpan(124), 0x0100);
        U16(header.AsSpan(126), 'M' << 8 | 'I');
        return [.. header, .. _body.ToArray()];
    }

    /// <summary>The contents of a miMATRIX element (without its tag): flags, dimensions, name, then <paramref name="rest"/>.</summary>
    public byte[] Matrix(int matlabClass, uint flags, int[] dims, string name, byte[] rest)
    {
        var flagBytes = new byte[8];
        U32(flagBytes, (uint)matlabClass | flags);
        var dimBytes = new byte[dims.Length * 4];
        for (int i = 0; i < dims.Length; i++)
        {
            U32(dimBytes.AsSpan(i * 4), (uint)dims[i]);
        }

        byte[] nameBytes = Encoding.ASCII.GetBytes(name);
        byte[] nameElement = nameBytes.Length is > 0 and <= 4 ? Small(1, nameBytes) : Element(1, nameBytes);
        return [.. Element(6, flagBytes), .. Element(5, dimBytes), .. nameElement, .. rest];
    }

    /// <summary>An element: tag, data, padding to a multiple of 8 bytes.</summary>
    public byte[] Element(int type, byte[] data)
    {
        var element = new byte[8 + (data.Length + 7) / 8 * 8];
        U32(element, (uint)type);
        U32(element.AsSpan(4), (uint)data.Length);
        data.CopyTo(element, 8);
        return element;
    }

    private byte[] Small(int type, byte[] data)
    {
        var element = new byte[8];
        U32(element, (uint)(data.Length << 16 | type));
        data.CopyTo(element, 4);
        return element;
    }

    private MatBuilder Variable(byte[] matrix, bool compress)
    {
        byte[] element = Element(14, matrix);
        if (compress)
        {
            var zipped = new MemoryStream();
            using (var zlib = new ZLibStream(zipped, CompressionLevel.Optimal, leaveOpen: true))
            {
                zlib.Write(element);
            }

            byte[] data = zipped.ToArray();
            element = new byte[8 + data.Length]; // a compressed element is not padded
            U32(element, 15);
            U32(element.AsSpan(4), (uint)data.Length);
            data.CopyTo(element, 8);
        }

        _body.Write(element);
        return this;
    }

    private byte[] I32(int value)
    {
        var bytes = new byte[4];
        U32(bytes, (uint)value);
        return bytes;
    }

    private void U32(Span<byte> destination, uint value)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
        }
    }

    private void U16(Span<byte> destination, int value)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)value);
        }
    }
}
