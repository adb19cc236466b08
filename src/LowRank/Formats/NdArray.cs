using System.Text;

namespace LowRank.Formats;

/// <summary>
/// An n-dimensional array of doubles in C (row-major) order: the last axis varies fastest, so
/// element <c>[i, j]</c> of a <c>[T, X]</c> array is <c>Data[i * X + j]</c>. Values read from
/// integer or single-precision files are widened to double; <see cref="SourceType"/> remembers
/// what the file held.
/// </summary>
/// <remarks>A 0-d array (shape <c>[]</c>) holds one value. The array shares, never copies, the buffer it is given.</remarks>
public sealed class NdArray
{
    /// <summary>Wraps <paramref name="data"/> (not copied) as an array of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the shape's product differs from <c>data.Length</c>.</exception>
    public NdArray(int[] shape, double[] data, DType sourceType = DType.Float64)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long count = CountElements(shape);
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"shape {FormatShape(shape)} holds {count} elements but data has {data.Length}.", nameof(data));
        }

        Shape = shape;
        Data = data;
        SourceType = sourceType;
    }

    /// <summary>Length of each axis, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>The elements in C order.</summary>
    public double[] Data { get; }

    /// <summary>The element type of the file this array was read from (<see cref="DType.Float64"/> when built in memory).</summary>
    public DType SourceType { get; }

    /// <summary>Number of axes (0 for a scalar).</summary>
    public int Rank => Shape.Length;

    /// <summary>Number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>The element at a full index, e.g. <c>a[t, x]</c>.</summary>
    public double this[params ReadOnlySpan<int> index]
    {
        get => Data[Offset(index)];
        set => Data[Offset(index)] = value;
    }

    /// <summary>A new zero-filled array.</summary>
    public static NdArray Zeros(params int[] shape) => new(shape, new double[CheckedCount(shape)]);

    /// <summary>Wraps <paramref name="data"/> (not copied) with the given shape.</summary>
    public static NdArray Create(double[] data, params int[] shape) => new(shape, data);

    /// <summary>A 0-d array holding <paramref name="value"/>.</summary>
    public static NdArray Scalar(double value) => new([], [value]);

    /// <summary>A 1-d array copied from <paramref name="values"/>.</summary>
    public static NdArray FromVector(ReadOnlySpan<double> values) => new([values.Length], values.ToArray());

    /// <summary>A 2-d array copied from a rectangular C# array (same row-major layout).</summary>
    public static NdArray FromMatrix(double[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int rows = values.GetLength(0);
        int columns = values.GetLength(1);
        var data = new double[rows * columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                data[i * columns + j] = values[i, j];
            }
        }

        return new NdArray([rows, columns], data);
    }

    /// <summary>The same elements viewed with another shape of equal size (shares <see cref="Data"/>).</summary>
    public NdArray Reshape(params int[] shape) => new(shape, Data, SourceType);

    /// <summary>Position in <see cref="Data"/> of a full index (one entry per axis, each in range).</summary>
    public int Offset(params ReadOnlySpan<int> index)
    {
        if (index.Length != Shape.Length)
        {
            throw new ArgumentException($"index has {index.Length} entries but the array has rank {Shape.Length}.", nameof(index));
        }

        int offset = 0;
        for (int axis = 0; axis < index.Length; axis++)
        {
            if ((uint)index[axis] >= (uint)Shape[axis])
            {
                throw new ArgumentOutOfRangeException(
                    nameof(index), $"index {index[axis]} is outside axis {axis} of length {Shape[axis]}.");
            }

            offset = offset * Shape[axis] + index[axis];
        }

        return offset;
    }

    /// <summary>The full index of the element at <paramref name="offset"/> in <see cref="Data"/>.</summary>
    public int[] IndexOf(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, Length);
        var index = new int[Shape.Length];
        for (int axis = Shape.Length - 1; axis >= 0; axis--)
        {
            index[axis] = offset % Shape[axis];
            offset /= Shape[axis];
        }

        return index;
    }

    /// <summary>Product of the dimensions; −1 if a dimension is negative; saturates at <see cref="long.MaxValue"/>.</summary>
    public static long CountElements(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int dimension in shape)
        {
            if (dimension < 0)
            {
                return -1;
            }

            if (dimension != 0 && count > long.MaxValue / dimension)
            {
                return long.MaxValue;
            }

            count *= dimension;
        }

        return count;
    }

    /// <summary>A shape as text, e.g. <c>[9640, 64]</c> (and <c>[]</c> for a scalar).</summary>
    public static string FormatShape(ReadOnlySpan<int> shape)
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            text.Append(shape[i]);
        }

        return text.Append(']').ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => $"NdArray {FormatShape(Shape)} (from {SourceType.Descr()})";

    private static int CheckedCount(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = CountElements(shape);
        if (count < 0 || count > Array.MaxLength)
        {
            throw new ArgumentException($"shape {FormatShape(shape)} is negative or too large for one array.", nameof(shape));
        }

        return (int)count;
    }
}
