namespace LowRank.Formats;

/// <summary>The element types an <c>.npy</c> file may hold that LowRank reads (always little-endian on disk).</summary>
public enum DType
{
    /// <summary>IEEE single precision, NumPy <c>&lt;f4</c>.</summary>
    Float32,

    /// <summary>IEEE double precision, NumPy <c>&lt;f8</c>.</summary>
    Float64,

    /// <summary>Signed 32-bit integer, NumPy <c>&lt;i4</c>.</summary>
    Int32,

    /// <summary>Signed 64-bit integer, NumPy <c>&lt;i8</c>.</summary>
    Int64,

    /// <summary>Unsigned byte, NumPy <c>|u1</c>.</summary>
    UInt8,

    /// <summary>Boolean stored as one byte (0 or 1), NumPy <c>|b1</c>.</summary>
    Bool,

    /// <summary>Signed byte, NumPy <c>|i1</c>.</summary>
    Int8,

    /// <summary>Signed 16-bit integer, NumPy <c>&lt;i2</c>.</summary>
    Int16,

    /// <summary>Unsigned 16-bit integer, NumPy <c>&lt;u2</c>.</summary>
    UInt16,

    /// <summary>Unsigned 32-bit integer, NumPy <c>&lt;u4</c>.</summary>
    UInt32,

    /// <summary>Unsigned 64-bit integer, NumPy <c>&lt;u8</c> (values above 2⁵³ lose precision as doubles).</summary>
    UInt64,
}

/// <summary>NumPy names and sizes of <see cref="DType"/> values.</summary>
public static class DTypes
{
    /// <summary>The dtypes LowRank reads, in the words error messages use.</summary>
    public const string SupportedList =
        "float32 (<f4), float64 (<f8), every integer type (int8 … int64, uint8 … uint64) and bool (|b1)";

    /// <summary>Bytes per element on disk.</summary>
    public static int ItemSize(this DType type) => type switch
    {
        DType.Float32 or DType.Int32 or DType.UInt32 => 4,
        DType.Float64 or DType.Int64 or DType.UInt64 => 8,
        DType.Int16 or DType.UInt16 => 2,
        DType.UInt8 or DType.Int8 or DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The NumPy type string (<c>descr</c>) as <c>numpy.save</c> writes it, e.g. <c>&lt;f4</c>.</summary>
    public static string Descr(this DType type) => type switch
    {
        DType.Float32 => "<f4",
        DType.Float64 => "<f8",
        DType.Int32 => "<i4",
        DType.Int64 => "<i8",
        DType.UInt8 => "|u1",
        DType.Bool => "|b1",
        DType.Int8 => "|i1",
        DType.Int16 => "<i2",
        DType.UInt16 => "<u2",
        DType.UInt32 => "<u4",
        DType.UInt64 => "<u8",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The NumPy type name, e.g. <c>int16</c>.</summary>
    public static string Name(this DType type) => type switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int32 => "int32",
        DType.Int64 => "int64",
        DType.UInt8 => "uint8",
        DType.Bool => "bool",
        DType.Int8 => "int8",
        DType.Int16 => "int16",
        DType.UInt16 => "uint16",
        DType.UInt32 => "uint32",
        DType.UInt64 => "uint64",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The type whose <see cref="Descr"/> is <paramref name="descr"/>, if there is one.</summary>
    public static DType? FromDescr(string descr) =>
        Enum.GetValues<DType>().Cast<DType?>().FirstOrDefault(t => t!.Value.Descr() == descr);
}
