using System.Numerics;
using System.Numerics.Tensors;

namespace LowRank.Encoders;

/// <summary>
/// A parameter gradient of a <see cref="ConvEncoder{TReal}"/> in its kernels' packed layouts: per layer ḡv [k·C′, n]
/// (<c>ḡv[(j·C′ + c)·n + o] = ∂L/∂W[o, c, j]</c>) and ḡb [n], zero in the padding (<see cref="ConvLayer"/>). Each
/// workspace accumulates one; a batch's total is another, summed from the sequences' in a fixed order
/// (<see cref="Add"/>) and written to θ's layout once (<see cref="ConvEncoder{TReal}.AddGradient(ConvEncoderGradient{TReal}, Span{double})"/>).
/// </summary>
internal sealed class ConvEncoderGradient<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    internal ConvEncoderGradient(ConvLayer[] layers)
    {
        Layers = layers;
        Taps = new TReal[layers.Length][];
        Biases = new TReal[layers.Length][];
        for (int l = 0; l < layers.Length; l++)
        {
            Taps[l] = new TReal[layers[l].Kernel * layers[l].InputStride * layers[l].OutputStride];
            Biases[l] = new TReal[layers[l].OutputStride];
        }
    }

    /// <summary>The layers of the encoder that made it.</summary>
    internal ConvLayer[] Layers { get; }

    /// <summary>ḡv_l [k·C′, n] per layer.</summary>
    internal TReal[][] Taps { get; }

    /// <summary>ḡb_l [n] per layer.</summary>
    internal TReal[][] Biases { get; }

    /// <summary>Sets every entry to zero.</summary>
    public void Clear()
    {
        for (int l = 0; l < Layers.Length; l++)
        {
            Array.Clear(Taps[l]);
            Array.Clear(Biases[l]);
        }
    }

    /// <summary>this += <paramref name="other"/> (the fixed-order batch reduction).</summary>
    public void Add(ConvEncoderGradient<TReal> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!ReferenceEquals(other.Layers, Layers))
        {
            throw new ArgumentException("the gradient belongs to another encoder.", nameof(other));
        }

        for (int l = 0; l < Layers.Length; l++)
        {
            TensorPrimitives.Add(Taps[l], other.Taps[l], Taps[l]);
            TensorPrimitives.Add(Biases[l], other.Biases[l], Biases[l]);
        }
    }
}
