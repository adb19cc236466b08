using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using LowRank.Numerics;

namespace LowRank.Encoders;

/// <summary>
/// The convolutional encoder of the encoder proposal (DESIGN §3) in <typeparamref name="TReal"/> arithmetic: from the
/// observations y [T, X] of one sequence, per step t a Gaussian mean e_t [R] and log-variance l_t [R]. Dimensions:
/// T steps, X observed channels, R rank, L layers, k_l taps, C_l channels (C_0 = X, or 2X with the missing-data mask;
/// C_L = 2R). Read-only after <see cref="Load"/>: concurrent sequences share it, each with its own
/// <see cref="ConvEncoderWorkspace{TReal}"/>.
/// </summary>
/// <remarks>
/// <code>
/// x_0[t, :]   = (y_t with NaN read as 0 [, 1 where observed, 0 where missing])
/// z_l[t, o]   = b_l[o] + Σ_{j &lt; k_l} Σ_c W_l[o, c, j] x_l[t + j − p_l, c]     (x_l = 0 outside 0 … T − 1)
/// x_{l+1}     = φ(z_l)  for l &lt; L − 1                                          (GELU or LeakyReLU)
/// (e_t, l_t)  = (z_{L−1}[t, 0:R], z_{L−1}[t, R:2R])
/// </code>
/// with p_l the left padding (<see cref="EncoderOptions.LeftPadding"/>). With the taps packed as
/// <c>v_l[j·C + c, o] = W_l[o, c, j]</c> and x_l stored padded (p_l zero rows before, k_l − 1 − p_l after), row t of
/// z_l is the window <c>x_l[t … t + k_l − 1]</c> (contiguous, k_l·C values) times v_l:
/// <see cref="ConvolutionKernels.Convolve"/>. The reverse pass is two more such products per layer.
/// </remarks>
internal sealed class ConvEncoder<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    private readonly ConvLayer[] _layers;
    private readonly bool _wide;

    /// <summary>v_l [k·C′, n]: <c>v[(j·C′ + c)·n + o] = W_l[o, c, j]</c>, zero in the padding.</summary>
    private readonly TReal[][] _taps;

    /// <summary>u_l [k·n, C′] for l ≥ 1: <c>u[(i·n + o)·C′ + c] = W_l[o, c, k − 1 − i]</c> (the taps reversed, for ḡx_l).</summary>
    private readonly TReal[][] _reversedTaps;

    /// <summary>b_l [n], zero in the padding.</summary>
    private readonly TReal[][] _biases;

    /// <summary>A zero row to start products from.</summary>
    private readonly TReal[] _zeros;

    /// <summary>An encoder of <paramref name="options"/> for X = <paramref name="observedChannels"/> and R = <paramref name="rank"/>, with 512-bit registers where accelerated.</summary>
    public ConvEncoder(EncoderOptions options, int observedChannels, int rank)
        : this(options, observedChannels, rank, Vector512.IsHardwareAccelerated)
    {
    }

    /// <summary>As the public constructor, choosing the register width: 512-bit, or <see cref="Vector{T}"/>'s.</summary>
    internal ConvEncoder(EncoderOptions options, int observedChannels, int rank, bool wideRegisters)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(observedChannels, rank);
        Options = options with { KernelSizes = [.. options.KernelSizes], Channels = [.. options.Channels] };
        ObservedChannels = observedChannels;
        Rank = rank;
        ParameterCount = options.ParameterCount(observedChannels, rank);
        _wide = wideRegisters;
        _layers = ConvLayer.Of<TReal>(Options, observedChannels, rank);
        _taps = new TReal[_layers.Length][];
        _reversedTaps = new TReal[_layers.Length][];
        _biases = new TReal[_layers.Length][];
        int widest = 0;
        for (int l = 0; l < _layers.Length; l++)
        {
            ConvLayer layer = _layers[l];
            _taps[l] = new TReal[layer.Kernel * layer.InputStride * layer.OutputStride];
            _reversedTaps[l] = l == 0 ? [] : new TReal[layer.Kernel * layer.OutputStride * layer.InputStride];
            _biases[l] = new TReal[layer.OutputStride];
            widest = Math.Max(widest, layer.OutputStride);
        }

        _zeros = new TReal[widest];
    }

    public EncoderOptions Options { get; }

    /// <summary>X: observed channels.</summary>
    public int ObservedChannels { get; }

    /// <summary>R: the dimension of each step's mean and log-variance.</summary>
    public int Rank { get; }

    /// <summary>The length of the encoder's part of θ (<see cref="EncoderOptions.Slices"/>).</summary>
    public int ParameterCount { get; }

    /// <summary>A workspace for sequences of <paramref name="steps"/> steps.</summary>
    public ConvEncoderWorkspace<TReal> CreateWorkspace(int steps) => new(_layers, steps);

    /// <summary>A zero gradient, e.g. for a batch's total (<see cref="ConvEncoderGradient{TReal}.Add"/>).</summary>
    public ConvEncoderGradient<TReal> CreateGradient() => new(_layers);

    /// <summary>
    /// PyTorch's <c>Conv1d</c> initialisation: every weight and bias of layer l uniform on ±1/√(C_l k_l), drawn in θ
    /// order from <paramref name="rng"/>; then the R log-variance biases of the last layer set to
    /// <see cref="EncoderOptions.LogVarianceBias"/>.
    /// </summary>
    public static void Initialize(EncoderOptions options, int observedChannels, int rank, Span<double> parameters, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        int count = options.ParameterCount(observedChannels, rank);
        if (parameters.Length != count)
        {
            throw new ArgumentException($"the encoder has {count} parameters, got a span of {parameters.Length}.", nameof(parameters));
        }

        int offset = 0, inputs = options.InputChannels(observedChannels);
        for (int l = 0; l < options.Layers; l++)
        {
            int k = options.KernelSizes[l], outputs = options.OutputChannels(l, rank);
            double bound = 1 / Math.Sqrt((double)inputs * k);
            int length = outputs * (inputs * k + 1);
            foreach (ref double value in parameters.Slice(offset, length))
            {
                value = rng.NextUniform(-bound, bound);
            }

            offset += length;
            inputs = outputs;
        }

        parameters.Slice(count - rank, rank).Fill(options.LogVarianceBias);
    }

    /// <summary>Packs the encoder's θ (<see cref="EncoderOptions.Slices"/> order) into the layouts the kernels use.</summary>
    public void Load(ReadOnlySpan<double> parameters)
    {
        if (parameters.Length != ParameterCount)
        {
            throw new ArgumentException($"the encoder has {ParameterCount} parameters, got a span of {parameters.Length}.", nameof(parameters));
        }

        for (int l = 0; l < _layers.Length; l++)
        {
            ConvLayer layer = _layers[l];
            int k = layer.Kernel, stride = layer.InputStride, n = layer.OutputStride;
            TReal[] taps = _taps[l], reversed = _reversedTaps[l];
            for (int o = 0; o < layer.Outputs; o++)
            {
                for (int c = 0; c < layer.Inputs; c++)
                {
                    ReadOnlySpan<double> w = parameters.Slice(layer.WeightOffset + (o * layer.Inputs + c) * k, k);
                    for (int j = 0; j < k; j++)
                    {
                        TReal value = TReal.CreateTruncating(w[j]);
                        taps[(j * stride + c) * n + o] = value;
                        if (l > 0)
                        {
                            reversed[((k - 1 - j) * n + o) * stride + c] = value;
                        }
                    }
                }

                _biases[l][o] = TReal.CreateTruncating(parameters[layer.BiasOffset + o]);
            }
        }
    }

    /// <summary>
    /// The means e [T, R] and log-variances l [T, R] for the observations y [T, X] (row-major, NaN where missing); keeps
    /// in <paramref name="workspace"/> what <see cref="Backward"/> needs. Allocates nothing.
    /// </summary>
    public void Forward(ConvEncoderWorkspace<TReal> workspace, ReadOnlySpan<double> observations, Span<double> mean, Span<double> logVariance)
    {
        int steps = CheckWorkspace(workspace);
        int x = ObservedChannels, r = Rank;
        CheckLength(nameof(observations), observations.Length, steps, x);
        CheckLength(nameof(mean), mean.Length, steps, r);
        CheckLength(nameof(logVariance), logVariance.Length, steps, r);

        // x_0[t, :] = (y_t with NaN → 0 [, 1 observed / 0 missing])
        ConvLayer first = _layers[0];
        Span<TReal> input = workspace.Sequence(workspace.Inputs[0], first.LeftPad, first.InputStride);
        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<double> y = observations.Slice(t * x, x);
            Span<TReal> row = input.Slice(t * first.InputStride, first.InputStride);
            for (int c = 0; c < x; c++)
            {
                bool observed = !double.IsNaN(y[c]);
                row[c] = observed ? TReal.CreateTruncating(y[c]) : TReal.Zero;
                if (Options.MaskInput)
                {
                    row[x + c] = observed ? TReal.One : TReal.Zero;
                }
            }
        }

        int last = _layers.Length - 1;
        for (int l = 0; l <= last; l++)
        {
            ConvLayer layer = _layers[l];
            Span<TReal> z = l < last
                ? workspace.Sequence(workspace.Inputs[l + 1], _layers[l + 1].LeftPad, layer.OutputStride)
                : workspace.Output;

            // z_l = b_l + X_l v_l, with X_l the windows of x_l (its sequence in rows p … p + T − 1)
            Convolve(workspace.Inputs[l], layer.InputStride, layer.Kernel, layer.LeftPad, steps, _taps[l], _biases[l], z);
            if (l < last)
            {
                // x_{l+1} = φ(z_l), in place; φ′(z_l) kept for the reverse pass
                ActivationKernels.Apply<TReal>(Options.Activation, z, workspace.Slopes[l]);
            }
        }

        // e_t = z_{L−1}[t, 0:R];  l_t = z_{L−1}[t, R:2R]
        int n = _layers[last].OutputStride;
        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<TReal> row = workspace.Output.AsSpan(t * n, 2 * r);
            for (int a = 0; a < r; a++)
            {
                mean[t * r + a] = double.CreateTruncating(row[a]);
                logVariance[t * r + a] = double.CreateTruncating(row[r + a]);
            }
        }
    }

    /// <summary>
    /// The reverse pass of the last <see cref="Forward"/> on <paramref name="workspace"/>: adds ∂L/∂θ for the
    /// gradients ḡe = ∂L/∂e [T, R] and ḡl = ∂L/∂l [T, R] to the workspace's accumulated gradient. Allocates nothing.
    /// </summary>
    public void Backward(ConvEncoderWorkspace<TReal> workspace, ReadOnlySpan<double> gMean, ReadOnlySpan<double> gLogVariance)
    {
        int steps = CheckWorkspace(workspace);
        int r = Rank, last = _layers.Length - 1;
        CheckLength(nameof(gMean), gMean.Length, steps, r);
        CheckLength(nameof(gLogVariance), gLogVariance.Length, steps, r);

        // ḡz_{L−1}[t, :] = (ḡe_t, ḡl_t, 0 …): the last layer's outputs are the means and log-variances.
        ConvLayer top = _layers[last];
        Span<TReal> gz = workspace.Sequence(workspace.Gradients[last], top.RightPad, top.OutputStride);
        for (int t = 0; t < steps; t++)
        {
            Span<TReal> row = gz.Slice(t * top.OutputStride, 2 * r);
            for (int a = 0; a < r; a++)
            {
                row[a] = TReal.CreateTruncating(gMean[t * r + a]);
                row[r + a] = TReal.CreateTruncating(gLogVariance[t * r + a]);
            }
        }

        for (int l = last; l >= 0; l--)
        {
            ConvLayer layer = _layers[l];
            int n = layer.OutputStride;
            gz = workspace.Sequence(workspace.Gradients[l], layer.RightPad, n);

            // z[t, o] = b[o] + Σ_m X[t, m] v[m, o]:  ḡb[o] += Σ_t ḡz[t, o]
            Span<TReal> gBias = workspace.Gradient.Biases[l];
            for (int t = 0; t < steps; t++)
            {
                TensorPrimitives.Add(gBias, gz.Slice(t * n, n), gBias);
            }

            // ḡv[m, o] += Σ_t X[t, m] ḡz[t, o]:  ḡv += Xᵀ ḡz
            AccumulateTapGradient(workspace.Inputs[l], layer.InputStride, layer.Kernel, layer.LeftPad, steps, gz, workspace.Gradient.Taps[l], n);
            if (l == 0)
            {
                break;
            }

            // x_l[s] enters z[t] through tap j = s + p − t:  ḡx_l[s, c] = Σ_j Σ_o ḡz[s + p − j, o] W[o, c, j].
            // With ḡz stored padded (k − 1 − p zero rows before), that is Σ_i ḡz_padded[s + i] u[i] with i = k − 1 − j.
            ConvLayer below = _layers[l - 1];
            Span<TReal> gBelow = workspace.Sequence(workspace.Gradients[l - 1], below.RightPad, below.OutputStride);
            Convolve(workspace.Gradients[l], n, layer.Kernel, layer.RightPad, steps, _reversedTaps[l], _zeros.AsSpan(0, layer.InputStride), gBelow);

            // x_l = φ(z_{l−1}):  ḡz_{l−1} = ḡx_l ⊙ φ′(z_{l−1})
            TensorPrimitives.Multiply(gBelow, workspace.Slopes[l - 1], gBelow);
        }
    }

    /// <summary>Adds <paramref name="workspace"/>'s accumulated gradient to <paramref name="total"/>, laid out as θ.</summary>
    public void AddGradient(ConvEncoderWorkspace<TReal> workspace, Span<double> total)
    {
        CheckWorkspace(workspace);
        AddGradient(workspace.Gradient, total);
    }

    /// <summary>
    /// Adds <paramref name="gradient"/> to <paramref name="total"/>, laid out as θ (<see cref="EncoderOptions.Slices"/>).
    /// A batch sums its sequences' gradients first, in a fixed order (<see cref="ConvEncoderGradient{TReal}.Add"/>),
    /// and converts the sum once: the conversion is a transpose, as costly as a few sequences' additions.
    /// </summary>
    public void AddGradient(ConvEncoderGradient<TReal> gradient, Span<double> total)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        if (!ReferenceEquals(gradient.Layers, _layers))
        {
            throw new ArgumentException("the gradient belongs to another encoder.", nameof(gradient));
        }

        if (total.Length != ParameterCount)
        {
            throw new ArgumentException($"the encoder has {ParameterCount} parameters, got a gradient of {total.Length}.", nameof(total));
        }

        for (int l = 0; l < _layers.Length; l++)
        {
            // ∂L/∂W[o, c, j] = ḡv[(j·C′ + c)·n + o];  ∂L/∂b[o] = ḡb[o]
            ConvLayer layer = _layers[l];
            int k = layer.Kernel, stride = layer.InputStride, n = layer.OutputStride;
            ReadOnlySpan<TReal> gTaps = gradient.Taps[l];
            for (int c = 0; c < layer.Inputs; c++)
            {
                for (int o = 0; o < layer.Outputs; o++)
                {
                    Span<double> gW = total.Slice(layer.WeightOffset + (o * layer.Inputs + c) * k, k);
                    for (int j = 0; j < k; j++)
                    {
                        gW[j] += double.CreateTruncating(gTaps[(j * stride + c) * n + o]);
                    }
                }
            }

            ReadOnlySpan<TReal> gBias = gradient.Biases[l];
            for (int o = 0; o < layer.Outputs; o++)
            {
                total[layer.BiasOffset + o] += double.CreateTruncating(gBias[o]);
            }
        }
    }

    /// <summary><c>z = init + X taps</c> over the windows of the padded buffer <paramref name="x"/> whose sequence starts at row <paramref name="lo"/>.</summary>
    private void Convolve(ReadOnlySpan<TReal> x, int channels, int kernel, int lo, int steps, ReadOnlySpan<TReal> taps, ReadOnlySpan<TReal> init, Span<TReal> z)
    {
        if (_wide)
        {
            ConvolutionKernels.Convolve<TReal, Vector512<TReal>, Lanes512<TReal>>(x, channels, kernel, lo, lo + steps, taps, init, z, steps);
        }
        else
        {
            ConvolutionKernels.Convolve<TReal, Vector<TReal>, LanesNative<TReal>>(x, channels, kernel, lo, lo + steps, taps, init, z, steps);
        }
    }

    private void AccumulateTapGradient(ReadOnlySpan<TReal> x, int channels, int kernel, int lo, int steps, ReadOnlySpan<TReal> gz, Span<TReal> gTaps, int n)
    {
        if (_wide)
        {
            ConvolutionKernels.AccumulateTapGradient<TReal, Vector512<TReal>, Lanes512<TReal>>(x, channels, kernel, lo, lo + steps, gz, gTaps, steps, n);
        }
        else
        {
            ConvolutionKernels.AccumulateTapGradient<TReal, Vector<TReal>, LanesNative<TReal>>(x, channels, kernel, lo, lo + steps, gz, gTaps, steps, n);
        }
    }

    private int CheckWorkspace(ConvEncoderWorkspace<TReal> workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (!ReferenceEquals(workspace.Layers, _layers))
        {
            throw new ArgumentException("the workspace was made by another encoder.", nameof(workspace));
        }

        return workspace.Steps;
    }

    private static void CheckLength(string name, int length, int steps, int width)
    {
        if (length != steps * width)
        {
            throw new ArgumentException($"{name} must hold [{steps}, {width}] = {steps * width} values, got {length}.", name);
        }
    }
}
