using System.Numerics;

namespace LowRank.Encoders;

/// <summary>
/// One convolution layer of a <see cref="ConvEncoder{TReal}"/>: its place in θ and its shape in the engine's buffers,
/// whose rows are zero-padded to <see cref="InputStride"/> and <see cref="OutputStride"/> entries.
/// </summary>
/// <param name="Kernel">k: taps.</param>
/// <param name="Inputs">C_l: input channels (in θ).</param>
/// <param name="Outputs">C_{l+1}: output channels (in θ).</param>
/// <param name="InputStride">C′: row length of the layer's input buffer (C_0 for the first layer, else the previous layer's <see cref="OutputStride"/>).</param>
/// <param name="OutputStride">n: C_{l+1} rounded up to a whole number of register tiles.</param>
/// <param name="LeftPad">p: zero rows before the sequence in the padded input (k − 1 − p after).</param>
/// <param name="WeightOffset">Where W [C_{l+1}, C_l, k] starts in the encoder's θ.</param>
/// <param name="BiasOffset">Where b [C_{l+1}] starts in the encoder's θ.</param>
internal readonly record struct ConvLayer(
    int Kernel, int Inputs, int Outputs, int InputStride, int OutputStride, int LeftPad, int WeightOffset, int BiasOffset)
{
    /// <summary>Zero rows after the sequence in the padded input: k − 1 − p.</summary>
    public int RightPad => Kernel - 1 - LeftPad;

    /// <summary>The layers of an encoder with <typeparamref name="TReal"/> buffers (options already validated).</summary>
    public static ConvLayer[] Of<TReal>(EncoderOptions options, int observedChannels, int rank)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        int block = ConvolutionKernels.ColumnBlock<TReal>();
        var layers = new ConvLayer[options.Layers];
        int inputs = options.InputChannels(observedChannels), stride = inputs, offset = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            int k = options.KernelSizes[l], outputs = options.OutputChannels(l, rank);
            int padded = (outputs + block - 1) / block * block;
            layers[l] = new ConvLayer(k, inputs, outputs, stride, padded, options.LeftPadding(k), offset, offset + outputs * inputs * k);
            offset += outputs * (inputs * k + 1);
            inputs = outputs;
            stride = padded;
        }

        return layers;
    }
}
