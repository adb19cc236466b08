using System.Numerics;

namespace LowRank.Encoders;

/// <summary>
/// What one sequence of T steps needs in <see cref="ConvEncoder{TReal}"/>: every layer's padded input and activation
/// slopes (kept by the forward pass for the reverse pass), the gradients of the layers' outputs, and this workspace's
/// accumulated parameter gradient (<see cref="Gradient"/>). Allocated once for a given T and reused; one workspace per
/// concurrent sequence.
/// </summary>
/// <remarks>
/// Buffers, for layer l with k taps, left padding p, input row length C′ and output row length n
/// (<see cref="ConvLayer"/>); rows outside the sequence stay zero:
/// <code>
/// Inputs[l]        [T + k − 1, C′]   x_l, the sequence in rows p … p + T − 1
/// Slopes[l]        [T, n]            φ′(z_l), l &lt; L − 1
/// Output           [T, n]            z_{L−1}: R means, R log-variances, zeros
/// Gradients[l]     [T + k − 1, n]    ḡz_l, the sequence in rows k − 1 − p … k − 2 − p + T
/// </code>
/// </remarks>
internal sealed class ConvEncoderWorkspace<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    internal ConvEncoderWorkspace(ConvLayer[] layers, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        Layers = layers;
        Steps = steps;
        int count = layers.Length;
        Inputs = new TReal[count][];
        Slopes = new TReal[Math.Max(count - 1, 0)][];
        Gradients = new TReal[count][];
        Gradient = new ConvEncoderGradient<TReal>(layers);
        for (int l = 0; l < count; l++)
        {
            ConvLayer layer = layers[l];
            int rows = steps + layer.Kernel - 1;
            Inputs[l] = new TReal[rows * layer.InputStride];
            Gradients[l] = new TReal[rows * layer.OutputStride];
            if (l < count - 1)
            {
                Slopes[l] = new TReal[steps * layer.OutputStride];
            }
        }

        Output = new TReal[steps * layers[^1].OutputStride];
    }

    /// <summary>T: the steps of a sequence.</summary>
    public int Steps { get; }

    /// <summary>The layers this workspace was made for (the encoder's own array).</summary>
    internal ConvLayer[] Layers { get; }

    internal TReal[][] Inputs { get; }

    internal TReal[][] Slopes { get; }

    internal TReal[] Output { get; }

    internal TReal[][] Gradients { get; }

    /// <summary>The parameter gradient <see cref="ConvEncoder{TReal}.Backward"/> adds to.</summary>
    public ConvEncoderGradient<TReal> Gradient { get; }

    /// <summary>Sets the accumulated parameter gradient to zero.</summary>
    public void Clear() => Gradient.Clear();

    /// <summary>Rows <c>first … first + T − 1</c> of a buffer with rows of <paramref name="stride"/> entries.</summary>
    internal Span<TReal> Sequence(TReal[] buffer, int first, int stride) => buffer.AsSpan(first * stride, Steps * stride);
}
