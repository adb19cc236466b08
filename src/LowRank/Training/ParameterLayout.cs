namespace LowRank.Training;

/// <summary>One named slice of the flat parameter vector θ, with its stored shape (row-major).</summary>
/// <param name="Name">The slice name (also its name in <c>params.npz</c> where the family stores it as is).</param>
/// <param name="Offset">First index in θ.</param>
/// <param name="Shape">Stored shape, row-major.</param>
public sealed record ParameterSlice(string Name, int Offset, int[] Shape)
{
    /// <summary>Number of scalars in the slice.</summary>
    public int Length { get; } = Shape.Aggregate(1, (a, b) => a * b);

    /// <summary>Rows of the stored matrix (the first dimension; 1 for a scalar).</summary>
    public int Rows => Shape.Length == 0 ? 1 : Shape[0];

    /// <summary>Columns of the stored matrix (the product of the other dimensions).</summary>
    public int Columns => Shape.Skip(1).Aggregate(1, (a, b) => a * b);

    /// <summary>This slice of <paramref name="theta"/>.</summary>
    public Span<T> Of<T>(T[] theta) => theta.AsSpan(Offset, Length);

    /// <summary>This slice of <paramref name="theta"/>.</summary>
    public Span<T> Of<T>(Span<T> theta) => theta.Slice(Offset, Length);

    /// <summary>This slice of <paramref name="theta"/>.</summary>
    public ReadOnlySpan<T> Of<T>(ReadOnlySpan<T> theta) => theta.Slice(Offset, Length);
}

/// <summary>
/// Layout of a flat parameter vector θ: named slices in order. The optimiser, checkpoints and gradient
/// checks all see the one vector; kernels address it through the slices. Each model family builds its
/// layout from its options (the stochastic low-rank RNN, rate networks, Gaussian-mixture populations).
/// </summary>
public sealed class ParameterLayout
{
    private readonly Dictionary<string, ParameterSlice> _byName = new(StringComparer.Ordinal);
    private readonly List<ParameterSlice> _slices = [];

    /// <summary>θ made of <paramref name="slices"/>, in this order.</summary>
    public ParameterLayout(params IEnumerable<(string Name, int[] Shape)> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        foreach ((string name, int[] shape) in slices)
        {
            if (shape.Any(d => d < 0))
            {
                throw new ArgumentException($"slice '{name}' has a negative dimension in [{string.Join(", ", shape)}].", nameof(slices));
            }

            var slice = new ParameterSlice(name, Length, shape);
            _slices.Add(slice);
            _byName.Add(name, slice);
            Length += slice.Length;
        }
    }

    /// <summary>Total number of scalars in θ.</summary>
    public int Length { get; }

    /// <summary>Slices in θ order.</summary>
    public IReadOnlyList<ParameterSlice> Slices => _slices;

    /// <summary>The slice called <paramref name="name"/>; throws if the layout has none.</summary>
    public ParameterSlice this[string name] =>
        _byName.TryGetValue(name, out ParameterSlice? slice)
            ? slice
            : throw new ArgumentException($"this model has no parameter '{name}'.", nameof(name));

    /// <summary>Whether the layout has a slice called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);
}
