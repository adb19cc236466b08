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
}

/// <summary>NumPy names and sizes of <see cref="DType"/> values.</summary>
public static class DTypes
{
    /// <summary>The dtypes LowRank reads, in the words error messages use.</summary>
    public const string SupportedList =
        "float32 (<f4), float64 (<f8), int32 (<i4), int64 (<i8), uint8 (|u1) and bool (|b1)";

    /// <summary>Bytes per element on disk.</summary>
    public static int ItemSize(this DType type) => type switch
    {
        DType.Float32 or DType.Int32 => 4,
        DType.Float64 or DType.Int64 => 8,
        DType.UInt8 or DType.Bool => 1,
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
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
