using System.Buffers.Binary;

namespace LowRank.Formats;

/// <summary>The data types of MAT v5 data elements (the first word of an element's tag).</summary>
internal enum MatDataType
{
    Int8 = 1,
    UInt8 = 2,
    Int16 = 3,
    UInt16 = 4,
    Int32 = 5,
    UInt32 = 6,
    Single = 7,
    Double = 9,
    Int64 = 12,
    UInt64 = 13,
    Matrix = 14,
    Compressed = 15,
    Utf8 = 16,
    Utf16 = 17,
    Utf32 = 18,
}

/// <summary>
/// Walks the data elements of a MAT v5 byte range. An element is an 8-byte tag (data type, byte count) and its data,
/// padded to a multiple of 8 bytes; in the small-element form the tag's first word holds the byte count (≤ 4) in its
/// upper and the type in its lower two bytes, and the data fills the tag's second word. Every length is checked against
/// the bytes that remain before anything is read.
/// </summary>
internal ref struct MatElements(ReadOnlySpan<byte> bytes, bool bigEndian, string source)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    /// <summary>Whether every element has been read.</summary>
    public readonly bool AtEnd => _position >= _bytes.Length;

    /// <summary>Bytes not yet read.</summary>
    public readonly int Remaining => _bytes.Length - _position;

    /// <summary>The next element's type and data (without padding); <paramref name="what"/> names it in errors.</summary>
    public MatDataType Next(string what, out ReadOnlySpan<byte> data)
    {
        int remaining = _bytes.Length - _position;
        if (remaining < 8)
        {
            throw MatV5Reader.Damaged(source, $"{what} should start with an 8-byte tag but only {remaining} bytes are left");
        }

        uint first = ReadUInt32(_bytes[_position..], bigEndian);
        if (first >> 16 != 0)
        {
            // Small-element form: the byte count in the upper 16 bits, the data in the tag's second word.
            int smallCount = (int)(first >> 16);
            if (smallCount > 4)
            {
                throw MatV5Reader.Damaged(source, $"{what} is a small element of {smallCount} bytes (at most 4 fit)");
            }

            data = _bytes.Slice(_position + 4, smallCount);
            _position += 8;
            return (MatDataType)(first & 0xFFFF);
        }

        uint count = ReadUInt32(_bytes[(_position + 4)..], bigEndian);
        if (count > (uint)(remaining - 8))
        {
            throw MatV5Reader.Damaged(source, $"{what} claims {count} bytes but only {remaining - 8} are left");
        }

        data = _bytes.Slice(_position + 8, (int)count);
        int padded = (int)Math.Min(((long)count + 7) / 8 * 8, remaining - 8);
        _position += 8 + padded;
        return (MatDataType)first;
    }

    /// <summary>The next element, which must have one of the given integer types; its values.</summary>
    public int[] NextIntegers(string what)
    {
        MatDataType type = Next(what, out ReadOnlySpan<byte> data);
        int size = MatV5Reader.ItemSize(type);
        if (type is not (MatDataType.Int32 or MatDataType.UInt32 or MatDataType.Int16 or MatDataType.UInt16 or MatDataType.Int8 or MatDataType.UInt8)
            || data.Length % size != 0)
        {
            throw MatV5Reader.Damaged(source, $"{what} should be 32-bit integers but is of type {(int)type} with {data.Length} bytes");
        }

        var values = new int[data.Length / size];
        for (int i = 0; i < values.Length; i++)
        {
            double value = MatV5Reader.ReadNumber(data, i, type, bigEndian);
            if (value is < 0 or > int.MaxValue)
            {
                throw MatV5Reader.Damaged(source, $"{what} holds the value {value}, outside 0 … {int.MaxValue}");
            }

            values[i] = (int)value;
        }

        return values;
    }

    public static uint ReadUInt32(ReadOnlySpan<byte> bytes, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
}
