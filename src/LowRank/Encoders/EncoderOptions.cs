using System.Globalization;
using System.Text;
using static LowRank.InputException;

namespace LowRank.Encoders;

/// <summary>The nonlinearity between the convolution layers of an encoder (none after the last).</summary>
public enum EncoderActivation
{
    /// <summary><c>x Φ(x)</c> with Φ the standard normal CDF (exact, as PyTorch's <c>nn.GELU()</c>).</summary>
    Gelu,

    /// <summary><c>x</c> above 0, <c>0.1 x</c> below (<see cref="EncoderOptions.LeakyReluSlope"/>).</summary>
    LeakyRelu,
}

/// <summary>Which input steps an output step t of a convolution with kernel size k sees; zeros stand in outside the sequence.</summary>
public enum EncoderPadding
{
    /// <summary>Steps <c>t − k + 1 … t</c>: k − 1 zeros before the sequence.</summary>
    Causal,

    /// <summary>Steps <c>t … t + k − 1</c>: k − 1 zeros after the sequence.</summary>
    Acausal,

    /// <summary>⌊(k − 1)/2⌋ zeros before the sequence, the rest after.</summary>
    Centred,
}

/// <summary>
/// Structure of the convolutional encoder of the encoder proposal (DESIGN §3): L one-dimensional convolutions over
/// time with kernel sizes k_l, hidden channel counts C_1 … C_{L−1} and 2R outputs (R means, then R log-variances).
/// Dimensions: T steps, X observed channels, R rank. The defaults are the published hippocampus encoder.
/// </summary>
/// <remarks>
/// The parameters of layer l, in θ order (<see cref="Slices"/>): <c>encoder/conv{l}/weight</c> [C_{l+1}, C_l, k_l]
/// (PyTorch <c>Conv1d</c> order, row-major) and <c>encoder/conv{l}/bias</c> [C_{l+1}], with C_0 the input channels
/// (<see cref="InputChannels"/>) and C_L = 2R. Arrays compare by value.
/// </remarks>
public sealed record EncoderOptions
{
    /// <summary>Slope of <see cref="EncoderActivation.LeakyRelu"/> below 0.</summary>
    public const double LeakyReluSlope = 0.1;

    /// <summary>k_l: kernel size of each layer, first layer first (one entry per layer).</summary>
    public int[] KernelSizes { get; init; } = [25, 11, 1];

    /// <summary>C_1 … C_{L−1}: output channels of every layer but the last (one fewer than <see cref="KernelSizes"/>).</summary>
    public int[] Channels { get; init; } = [128, 64];

    public EncoderActivation Activation { get; init; } = EncoderActivation.Gelu;

    public EncoderPadding Padding { get; init; } = EncoderPadding.Causal;

    /// <summary>Initial bias of the R log-variance outputs (2 ln 0.1: a standard deviation of 0.1).</summary>
    public double LogVarianceBias { get; init; } = 2 * Math.Log(0.1);

    /// <summary>
    /// Whether the network also sees where observations are missing: its input is then the X observations (NaN read as 0)
    /// followed by X mask channels (1 observed, 0 missing). Without the mask NaN is read as 0 alone.
    /// </summary>
    public bool MaskInput { get; init; }

    /// <summary>L: the number of convolution layers.</summary>
    public int Layers => KernelSizes.Length;

    /// <summary>How many steps one output step sees: <c>1 + Σ_l (k_l − 1)</c>.</summary>
    public int ReceptiveField
    {
        get
        {
            int steps = 1;
            foreach (int k in KernelSizes)
            {
                steps += k - 1;
            }

            return steps;
        }
    }

    /// <summary>C_0: the network's input channels for <paramref name="observedChannels"/> observed channels (X, or 2X with the mask).</summary>
    public int InputChannels(int observedChannels) => MaskInput ? 2 * observedChannels : observedChannels;

    /// <summary>Zeros before the sequence for a convolution of kernel size <paramref name="kernelSize"/> (the rest go after).</summary>
    public int LeftPadding(int kernelSize) => Padding switch
    {
        EncoderPadding.Causal => kernelSize - 1,
        EncoderPadding.Acausal => 0,
        EncoderPadding.Centred => (kernelSize - 1) / 2,
        _ => throw new ArgumentOutOfRangeException(nameof(Padding), Padding, "unknown encoder padding."),
    };

    /// <summary>C_{l+1}: output channels of layer <paramref name="layer"/> (2R for the last).</summary>
    public int OutputChannels(int layer, int rank) => layer == Layers - 1 ? 2 * rank : Channels[layer];

    /// <summary>The parameter tensors in θ order: for each layer its weight [C_{l+1}, C_l, k_l] then its bias [C_{l+1}].</summary>
    public IReadOnlyList<(string Name, int[] Shape)> Slices(int observedChannels, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(observedChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        var slices = new List<(string, int[])>(2 * Layers);
        int inputs = InputChannels(observedChannels);
        for (int l = 0; l < Layers; l++)
        {
            int outputs = OutputChannels(l, rank);
            slices.Add(($"encoder/conv{l}/weight", [outputs, inputs, KernelSizes[l]]));
            slices.Add(($"encoder/conv{l}/bias", [outputs]));
            inputs = outputs;
        }

        return slices;
    }

    /// <summary>The length of the encoder's part of θ: Σ_l C_{l+1} (C_l k_l + 1).</summary>
    public int ParameterCount(int observedChannels, int rank)
    {
        int count = 0;
        foreach ((_, int[] shape) in Slices(observedChannels, rank))
        {
            int length = 1;
            foreach (int size in shape)
            {
                length *= size;
            }

            count += length;
        }

        return count;
    }

    /// <summary>
    /// Checks the structure for <paramref name="observedChannels"/> channels and, when given, sequences of
    /// <paramref name="steps"/> steps (which the receptive field must not exceed); throws <see cref="InputException"/>
    /// with a fix for each problem.
    /// </summary>
    public void Validate(int observedChannels, int rank, int? steps = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(observedChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        string kernels = Setting(nameof(KernelSizes)), channels = Setting(nameof(Channels));
        Check(
            kernels,
            KernelSizes is { Length: > 0 },
            $"the encoder needs at least one layer, but {Ref(kernels)} is empty.",
            $"pass {Ref(kernels)} with one kernel size per layer (the published encoder uses 25,11,1).");
        Check(
            kernels,
            Array.TrueForAll(KernelSizes, k => k >= 1),
            $"{Ref(kernels)} must all be at least 1, got {List(KernelSizes)}.",
            $"pass {Ref(kernels)} with positive sizes.");
        Check(
            channels,
            Channels is not null && Channels.Length == KernelSizes.Length - 1,
            $"{Ref(channels)} must hold {KernelSizes.Length - 1} channel counts (one per layer but the last, whose 2R outputs the rank sets), got {List(Channels)}.",
            $"pass {Ref(channels)} with one count fewer than {Ref(kernels)}.");
        Check(
            channels,
            Array.TrueForAll(Channels!, c => c >= 1),
            $"{Ref(channels)} must all be at least 1, got {List(Channels)}.",
            $"pass {Ref(channels)} with positive counts.");
        string bias = Setting(nameof(LogVarianceBias));
        Check(
            bias,
            double.IsFinite(LogVarianceBias),
            $"{Ref(bias)} must be finite, got {LogVarianceBias.ToString(CultureInfo.InvariantCulture)}.",
            $"pass a finite {Ref(bias)} (2 ln 0.1 ≈ −4.61 gives a standard deviation of 0.1).");

        // θ: Σ_l C_{l+1} (C_l k_l + 1) values, counted in double so that no size overflows.
        double parameters = 0, inputs = InputChannels(observedChannels);
        for (int l = 0; l < Layers; l++)
        {
            double outputs = l == Layers - 1 ? 2.0 * rank : Channels![l];
            parameters += outputs * (inputs * KernelSizes[l] + 1);
            inputs = outputs;
        }

        new MemoryBudget($"an encoder with kernel sizes {List(KernelSizes)} and channels {List(Channels)}")
            .Doubles("its parameters", parameters)
            .Check($"lower {Ref(channels)} or {Ref(kernels)}.");

        double receptiveField = 1;
        foreach (int k in KernelSizes)
        {
            receptiveField += k - 1.0;
        }

        if (steps is int length)
        {
            Check(
                kernels,
                receptiveField <= length,
                $"the encoder sees {receptiveField:0} steps at once (1 + Σ(k − 1) for {Ref(kernels)} {List(KernelSizes)}), more than the {length} steps of a sequence.",
                $"use smaller {Ref(kernels)}, or longer sequences.");
        }
    }

    /// <summary>Equal when every setting is, arrays element by element.</summary>
    public bool Equals(EncoderOptions? other) =>
        other is not null
        && SameValues(KernelSizes, other.KernelSizes)
        && SameValues(Channels, other.Channels)
        && Activation == other.Activation
        && Padding == other.Padding
        && LogVarianceBias.Equals(other.LogVarianceBias)
        && MaskInput == other.MaskInput;

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int k in KernelSizes ?? [])
        {
            hash.Add(k);
        }

        hash.Add(-1);
        foreach (int c in Channels ?? [])
        {
            hash.Add(c);
        }

        hash.Add(Activation);
        hash.Add(Padding);
        hash.Add(LogVarianceBias);
        hash.Add(MaskInput);
        return hash.ToHashCode();
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"KernelSizes = {List(KernelSizes)}, Channels = {List(Channels)}, Activation = {Activation}, ");
        builder.Append(CultureInfo.InvariantCulture, $"Padding = {Padding}, LogVarianceBias = {LogVarianceBias}, MaskInput = {MaskInput}");
        return true;
    }

    private static bool SameValues(int[]? a, int[]? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.AsSpan().SequenceEqual(b));

    private static string List(int[]? values) => values is null ? "null" : $"[{string.Join(", ", values)}]";

    /// <summary>The setting name of a property (the command line spells it --encoder-kernels, --encoder-channels, …).</summary>
    private static string Setting(string property) => property switch
    {
        nameof(KernelSizes) => "EncoderKernels",
        nameof(Channels) => "EncoderChannels",
        _ => "Encoder" + property,
    };

    private static void Check(string setting, bool condition, string message, string hint)
    {
        if (!condition)
        {
            throw new InputException(message, hint) { Setting = setting };
        }
    }
}
