namespace LowRank.Formats;

/// <summary>
/// One MATLAB value as a MAT file stores it. <see cref="Shape"/> is MATLAB's size (at least two dimensions,
/// <c>size(x)</c>); elements are held in C (row-major) order of that shape, so MATLAB's <c>x(i, j)</c> is
/// <c>[i − 1, j − 1]</c> here, although MATLAB itself stores columns first.
/// </summary>
/// <param name="Shape">MATLAB's <c>size(x)</c>.</param>
public abstract record MatValue(int[] Shape)
{
    /// <summary>MATLAB's class name (<c>double</c>, <c>logical</c>, <c>char</c>, <c>cell</c>, <c>struct</c>, …).</summary>
    public abstract string ClassName { get; }

    /// <summary>Number of elements (the product of <see cref="Shape"/>).</summary>
    public int Count => (int)NdArray.CountElements(Shape);
}

/// <summary>A numeric or logical array, every class widened to double.</summary>
/// <param name="Shape">MATLAB's size.</param>
/// <param name="ClassName"><c>double</c>, <c>single</c>, <c>int8</c> … <c>uint64</c> or <c>logical</c>.</param>
/// <param name="Array">The values in C order with shape <paramref name="Shape"/>; its <see cref="NdArray.SourceType"/> is the class.</param>
public sealed record MatNumeric(int[] Shape, string ClassName, NdArray Array) : MatValue(Shape)
{
    /// <inheritdoc/>
    public override string ClassName { get; } = ClassName;
}

/// <summary>A char array: one string per row (a <c>1×n</c> char array is one string of n characters).</summary>
/// <param name="Shape">MATLAB's size.</param>
/// <param name="Rows">The rows, each as long as the last dimension; for more than two dimensions the leading ones are flattened in C order.</param>
public sealed record MatChar(int[] Shape, string[] Rows) : MatValue(Shape)
{
    /// <inheritdoc/>
    public override string ClassName => "char";

    /// <summary>The rows joined by newlines.</summary>
    public string Text => string.Join('\n', Rows);
}

/// <summary>A cell array.</summary>
/// <param name="Shape">MATLAB's size.</param>
/// <param name="Elements">The cells in C order of <paramref name="Shape"/>.</param>
public sealed record MatCell(int[] Shape, MatValue[] Elements) : MatValue(Shape)
{
    /// <inheritdoc/>
    public override string ClassName => "cell";
}

/// <summary>A struct array: every element has the same fields.</summary>
/// <param name="Shape">MATLAB's size.</param>
/// <param name="FieldNames">The fields, in the file's order.</param>
/// <param name="Elements">Per element (C order of <paramref name="Shape"/>), the value of each field in <paramref name="FieldNames"/> order.</param>
public sealed record MatStruct(int[] Shape, string[] FieldNames, MatValue[][] Elements) : MatValue(Shape)
{
    /// <inheritdoc/>
    public override string ClassName => "struct";

    /// <summary>The value of field <paramref name="name"/> of element <paramref name="element"/> (C order), or null when there is no such field.</summary>
    public MatValue? Field(int element, string name)
    {
        int index = Array.IndexOf(FieldNames, name);
        return index < 0 ? null : Elements[element][index];
    }
}

/// <summary>
/// A variable lowrank does not read (complex, sparse, objects, function handles): listed with its class and size, and
/// refused with <see cref="Problem"/> and <see cref="Hint"/> when it is asked for.
/// </summary>
/// <param name="Shape">MATLAB's size.</param>
/// <param name="ClassName">What it is, e.g. <c>complex double</c> or <c>sparse double</c>.</param>
/// <param name="Problem">Why it cannot be read, as the end of a sentence.</param>
/// <param name="Hint">How to save it so that it can.</param>
public sealed record MatUnsupported(int[] Shape, string ClassName, string Problem, string Hint) : MatValue(Shape)
{
    /// <inheritdoc/>
    public override string ClassName { get; } = ClassName;
}
