using System.Numerics;
using LowRank.Encoders;
using LowRank.Numerics;
using MathNet.Numerics;

namespace LowRank.Tests.Encoders;

/// <summary>
/// The convolutional encoder against a direct triple-loop reference, its reverse pass against central differences,
/// float against double, its initialisation, its option checks and the independence of accumulated gradients from
/// how sequences are spread over workspaces.
/// </summary>
public sealed class ConvEncoderTests
{
    /// <summary>A configuration: options, X observed channels, R rank, T steps.</summary>
    private sealed record Case(EncoderOptions Options, int Observed, int Rank, int Steps);

    /// <summary>Every padding × activation; kernel sizes 1, even and odd; T below the receptive field; odd channel counts; R = 1; with and without the mask.</summary>
    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["causal-gelu-k3.2.1-R1"] = new(new EncoderOptions { KernelSizes = [3, 2, 1], Channels = [5, 3] }, 4, 1, 9),
        ["causal-leaky-k6.4-mask-T3"] = new(
            new EncoderOptions { KernelSizes = [6, 4], Channels = [3], Activation = EncoderActivation.LeakyRelu, MaskInput = true }, 3, 2, 3),
        ["causal-gelu-k1.3-mask-X1-R1"] = new(new EncoderOptions { KernelSizes = [1, 3], Channels = [2], MaskInput = true }, 1, 1, 7),
        ["acausal-leaky-k4.1-mask"] = new(
            new EncoderOptions { KernelSizes = [4, 1], Channels = [7], Activation = EncoderActivation.LeakyRelu, Padding = EncoderPadding.Acausal, MaskInput = true },
            3, 2, 8),
        ["acausal-gelu-k5.2-C33-R1"] = new(new EncoderOptions { KernelSizes = [5, 2], Channels = [33], Padding = EncoderPadding.Acausal }, 7, 1, 13),
        ["centred-gelu-k2.5.3-mask-T5"] = new(
            new EncoderOptions { KernelSizes = [2, 5, 3], Channels = [6, 9], Padding = EncoderPadding.Centred, MaskInput = true }, 5, 3, 5),
        ["centred-gelu-k4.1.2-R2"] = new(new EncoderOptions { KernelSizes = [4, 1, 2], Channels = [5, 4], Padding = EncoderPadding.Centred }, 6, 2, 11),
        ["centred-leaky-k1-one-layer"] = new(
            new EncoderOptions { KernelSizes = [1], Channels = [], Activation = EncoderActivation.LeakyRelu, Padding = EncoderPadding.Centred }, 2, 1, 4),
    };

    /// <summary>The published hippocampus encoder: X = 48, T = 100, kernels 25, 11, 1, channels 128, 64, R = 4.</summary>
    private static readonly Case Hippocampus = new(new EncoderOptions(), 48, 4, 100);

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ForwardMatchesTheDirectConvolution(string name)
    {
        Case c = Cases[name];
        double[] theta = Parameters(c, seed: 11);
        double[] y = Observations(c, seed: 12);
        (double[] mean, double[] logVariance) = Reference(c, theta, y);
        double scale = Math.Max(1, Math.Max(MaxAbs(mean), MaxAbs(logVariance)));
        foreach (bool wide in new[] { true, false })
        {
            (double[] m, double[] l) = Run<double>(c, theta, y, wide);
            AssertClose(mean, m, 1e-12 * scale, $"double mean, wide {wide}");
            AssertClose(logVariance, l, 1e-12 * scale, $"double log-variance, wide {wide}");
            (m, l) = Run<float>(c, theta, y, wide);
            AssertClose(mean, m, 1e-5 * scale, $"float mean, wide {wide}");
            AssertClose(logVariance, l, 1e-5 * scale, $"float log-variance, wide {wide}");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BackwardMatchesCentralDifferences(string name)
    {
        Case c = Cases[name];
        double[] theta = Parameters(c, seed: 21);
        double[] y = Observations(c, seed: 22);
        var rng = Rng.Create(23);
        double[] gMean = Gaussians(rng, c.Steps * c.Rank), gLogVariance = Gaussians(rng, c.Steps * c.Rank);
        double Loss(double[] parameters)
        {
            (double[] m, double[] l) = Run<double>(c, parameters, y, wide: true);
            return Dot(gMean, m) + Dot(gLogVariance, l);
        }

        foreach (bool wide in new[] { true, false })
        {
            double[] gradient = Gradient<double>(c, theta, [(y, gMean, gLogVariance)], workspaces: 1, wide);
            var failures = new List<string>();
            int offset = 0;
            foreach ((string slice, int[] shape) in c.Options.Slices(c.Observed, c.Rank))
            {
                int length = shape.Aggregate(1, (a, b) => a * b);

                // A random direction inside this tensor: L(θ ± h d), against ḡθ · d.
                double[] direction = new double[theta.Length];
                for (int i = offset; i < offset + length; i++)
                {
                    direction[i] = rng.NextGaussian();
                }

                const double step = 1e-5;
                double numeric = (Loss(Shifted(theta, direction, step)) - Loss(Shifted(theta, direction, -step))) / (2 * step);
                double analytic = Dot(gradient, direction);
                double tolerance = 1e-6 * Math.Max(Math.Abs(analytic), Math.Abs(numeric)) + 1e-9;
                if (!(Math.Abs(analytic - numeric) <= tolerance))
                {
                    failures.Add($"{slice} (wide {wide}): analytic {analytic:R}, numeric {numeric:R}");
                }

                offset += length;
            }

            Assert.True(failures.Count == 0, string.Join("; ", failures));
        }
    }

    [Fact]
    public void FloatAgreesWithDoubleOnTheHippocampusEncoder()
    {
        Case c = Hippocampus;
        double[] theta = Parameters(c, seed: 31);
        double[] y = Observations(c, seed: 32);
        var rng = Rng.Create(33);
        double[] gMean = Gaussians(rng, c.Steps * c.Rank), gLogVariance = Gaussians(rng, c.Steps * c.Rank);
        (double[] mean, double[] logVariance) = Run<double>(c, theta, y, wide: true);
        (double[] meanF, double[] logVarianceF) = Run<float>(c, theta, y, wide: true);
        AssertClose(mean, meanF, 1e-4 * MaxAbs(mean), "mean");
        AssertClose(logVariance, logVarianceF, 1e-4 * MaxAbs(logVariance), "log-variance");

        double[] gradient = Gradient<double>(c, theta, [(y, gMean, gLogVariance)], 1, wide: true);
        double[] gradientF = Gradient<float>(c, theta, [(y, gMean, gLogVariance)], 1, wide: true);
        int offset = 0;
        foreach ((string slice, int[] shape) in c.Options.Slices(c.Observed, c.Rank))
        {
            int length = shape.Aggregate(1, (a, b) => a * b);
            double[] g = gradient[offset..(offset + length)], gF = gradientF[offset..(offset + length)];
            Assert.True(MaxAbs(g) > 0, $"{slice}: zero gradient");
            AssertClose(g, gF, 1e-4 * MaxAbs(g), slice);
            offset += length;
        }
    }

    [Fact]
    public void InitialisationIsPyTorchsWithTheLogVarianceBias()
    {
        Case c = Hippocampus;
        EncoderOptions options = c.Options;
        double[] theta = new double[options.ParameterCount(c.Observed, c.Rank)];
        ConvEncoder<float>.Initialize(options, c.Observed, c.Rank, theta, Rng.Create(41));
        int offset = 0, inputs = c.Observed;
        IReadOnlyList<(string Name, int[] Shape)> slices = options.Slices(c.Observed, c.Rank);
        for (int s = 0; s < slices.Count; s++)
        {
            int[] shape = slices[s].Shape;
            int length = shape.Aggregate(1, (a, b) => a * b);
            int layer = s / 2;
            double bound = 1 / Math.Sqrt((double)inputs * options.KernelSizes[layer]);
            double[] values = theta[offset..(offset + length)];
            bool logVarianceBias = s == slices.Count - 1;
            int uniform = logVarianceBias ? c.Rank : length;
            Assert.All(values[..uniform], v => Assert.InRange(v, -bound, bound));
            if (uniform > 20)
            {
                // Spread over the whole interval, not a narrower one.
                Assert.True(values.Max() > 0.9 * bound && values.Min() < -0.9 * bound, $"{slices[s].Name}: [{values.Min()}, {values.Max()}] for ±{bound}");
            }

            if (logVarianceBias)
            {
                Assert.All(values[c.Rank..], v => Assert.Equal(2 * Math.Log(0.1), v));
                Assert.Equal(2 * c.Rank, length);
            }

            if (s % 2 == 1)
            {
                inputs = shape[0];
            }

            offset += length;
        }

        Assert.Equal(theta.Length, offset);
    }

    [Fact]
    public void SlicesFollowPyTorchConv1dShapes()
    {
        var options = new EncoderOptions();
        (string, int[])[] expected =
        [
            ("encoder/conv0/weight", [128, 48, 25]), ("encoder/conv0/bias", [128]),
            ("encoder/conv1/weight", [64, 128, 11]), ("encoder/conv1/bias", [64]),
            ("encoder/conv2/weight", [8, 64, 1]), ("encoder/conv2/bias", [8]),
        ];
        IReadOnlyList<(string Name, int[] Shape)> slices = options.Slices(48, 4);
        Assert.Equal(expected.Select(e => e.Item1), slices.Select(s => s.Name));
        Assert.Equal(expected.Select(e => string.Join(",", e.Item2)), slices.Select(s => string.Join(",", s.Shape)));
        Assert.Equal((128 * 48 * 25) + 128 + (64 * 128 * 11) + 64 + (8 * 64) + 8, options.ParameterCount(48, 4));
        Assert.Equal(35, options.ReceptiveField);
        Assert.Equal(48, options.InputChannels(48));

        EncoderOptions masked = options with { MaskInput = true };
        Assert.Equal(96, masked.InputChannels(48));
        Assert.Equal([128, 96, 25], masked.Slices(48, 4)[0].Shape);
    }

    [Fact]
    public void OptionsCompareArraysByValue()
    {
        var a = new EncoderOptions { KernelSizes = [5, 3], Channels = [7] };
        var b = new EncoderOptions { KernelSizes = [5, 3], Channels = [7] };
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { KernelSizes = [5, 4] });
        Assert.NotEqual(a, b with { Channels = [8] });
        Assert.NotEqual(a, b with { MaskInput = true });
        Assert.NotEqual(a, b with { Padding = EncoderPadding.Centred });
        Assert.Contains("KernelSizes = [5, 3]", a.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadOptions() => new()
    {
        { "no-layers", "EncoderKernels" },
        { "zero-kernel", "EncoderKernels" },
        { "negative-kernel", "EncoderKernels" },
        { "zero-channels", "EncoderChannels" },
        { "too-few-channels", "EncoderChannels" },
        { "too-many-channels", "EncoderChannels" },
        { "nan-bias", "EncoderLogVarianceBias" },
        { "wider-than-the-sequence", "EncoderKernels" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void ValidateRefusesBadOptions(string name, string setting)
    {
        var good = new EncoderOptions();
        good.Validate(48, 4, steps: 35);
        (EncoderOptions options, int? steps) = name switch
        {
            "no-layers" => (good with { KernelSizes = [], Channels = [] }, null),
            "zero-kernel" => (good with { KernelSizes = [25, 0, 1] }, null),
            "negative-kernel" => (good with { KernelSizes = [-3, 11, 1] }, (int?)null),
            "zero-channels" => (good with { Channels = [128, 0] }, null),
            "too-few-channels" => (good with { Channels = [128] }, null),
            "too-many-channels" => (good with { Channels = [128, 64, 8] }, null),
            "nan-bias" => (good with { LogVarianceBias = double.NaN }, null),
            "wider-than-the-sequence" => (good, 34),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        InputException error = Assert.Throws<InputException>(() => options.Validate(48, 4, steps));
        Assert.Equal(setting, error.Setting);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        Assert.Contains(setting, error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateRefusesAnEncoderTooLargeForMemory()
    {
        var options = new EncoderOptions { KernelSizes = [25, 1], Channels = [1 << 28] };
        Assert.Throws<InputException>(() => options.Validate(48, 4));
    }

    [Fact]
    public void GradientDoesNotDependOnHowSequencesShareWorkspaces()
    {
        Case c = Cases["centred-gelu-k2.5.3-mask-T5"] with { Steps = 14 };
        double[] theta = Parameters(c, seed: 51);
        var rng = Rng.Create(52);
        var sequences = new List<(double[], double[], double[])>();
        for (int s = 0; s < 5; s++)
        {
            sequences.Add((Observations(c, seed: 60 + s), Gaussians(rng, c.Steps * c.Rank), Gaussians(rng, c.Steps * c.Rank)));
        }

        foreach (bool batched in new[] { false, true })
        {
            double[] one = Gradient<double>(c, theta, sequences, 1, wide: true, batched);
            double[] oneSingle = Gradient<float>(c, theta, sequences, 1, wide: true, batched);
            Assert.True(MaxAbs(one) > 0);
            foreach (int workspaces in new[] { 2, 3, 5 })
            {
                Assert.Equal(one, Gradient<double>(c, theta, sequences, workspaces, wide: true, batched));
                Assert.Equal(oneSingle, Gradient<float>(c, theta, sequences, workspaces, wide: true, batched));
            }
        }

        // The packed batch sum, converted once, is the sum of the sequences' gradients converted one by one.
        double[] perSequence = Gradient<double>(c, theta, sequences, 2, wide: true, batched: false);
        double[] summed = Gradient<double>(c, theta, sequences, 2, wide: true, batched: true);
        AssertClose(perSequence, summed, 1e-13 * MaxAbs(perSequence), "batched");
    }

    [Fact]
    public void ConcurrentSequencesGiveTheSequentialResult()
    {
        Case c = Hippocampus with { Steps = 40 };
        double[] theta = Parameters(c, seed: 71);
        var encoder = new ConvEncoder<float>(c.Options, c.Observed, c.Rank);
        encoder.Load(theta);
        const int count = 6;
        var outputs = new double[count][];
        var gradients = new double[count][];
        double[][] y = [.. Enumerable.Range(0, count).Select(s => Observations(c, seed: 72 + s))];
        void Sequence(int s)
        {
            ConvEncoderWorkspace<float> workspace = encoder.CreateWorkspace(c.Steps);
            double[] mean = new double[c.Steps * c.Rank], logVariance = new double[c.Steps * c.Rank];
            encoder.Forward(workspace, y[s], mean, logVariance);
            encoder.Backward(workspace, logVariance, mean);
            gradients[s] = new double[encoder.ParameterCount];
            encoder.AddGradient(workspace, gradients[s]);
            outputs[s] = [.. mean, .. logVariance];
        }

        Parallel.For(0, count, Sequence);
        double[][] parallelOutputs = [.. outputs], parallelGradients = [.. gradients];
        for (int s = 0; s < count; s++)
        {
            Sequence(s);
        }

        for (int s = 0; s < count; s++)
        {
            Assert.Equal(outputs[s], parallelOutputs[s]);
            Assert.Equal(gradients[s], parallelGradients[s]);
        }
    }

    [Fact]
    public void BackwardAccumulatesUntilCleared()
    {
        Case c = Cases["acausal-leaky-k4.1-mask"];
        double[] theta = Parameters(c, seed: 81);
        var encoder = new ConvEncoder<double>(c.Options, c.Observed, c.Rank);
        encoder.Load(theta);
        ConvEncoderWorkspace<double> workspace = encoder.CreateWorkspace(c.Steps);
        double[] mean = new double[c.Steps * c.Rank], logVariance = new double[c.Steps * c.Rank];
        encoder.Forward(workspace, Observations(c, seed: 82), mean, logVariance);
        double[] once = new double[encoder.ParameterCount], twice = new double[encoder.ParameterCount], cleared = new double[encoder.ParameterCount];
        encoder.Backward(workspace, mean, logVariance);
        encoder.AddGradient(workspace, once);
        encoder.Backward(workspace, mean, logVariance);
        encoder.AddGradient(workspace, twice);
        workspace.Clear();
        encoder.Backward(workspace, mean, logVariance);
        encoder.AddGradient(workspace, cleared);
        Assert.True(MaxAbs(once) > 0);
        AssertClose([.. once.Select(g => 2 * g)], twice, 1e-13 * MaxAbs(once), "twice");
        Assert.Equal(once, cleared);
    }

    [Fact]
    public void AWarmedSequenceAllocatesNothing()
    {
        Case c = Hippocampus with { Steps = 30 };
        foreach (bool wide in new[] { true, false })
        {
            var encoder = new ConvEncoder<float>(c.Options, c.Observed, c.Rank, wide);
            encoder.Load(Parameters(c, seed: 91));
            ConvEncoderWorkspace<float> workspace = encoder.CreateWorkspace(c.Steps);
            double[] y = Observations(c, seed: 92), mean = new double[c.Steps * c.Rank], logVariance = new double[c.Steps * c.Rank];
            double[] total = new double[encoder.ParameterCount];
            void Sequence()
            {
                workspace.Clear();
                encoder.Forward(workspace, y, mean, logVariance);
                encoder.Backward(workspace, mean, logVariance);
                encoder.AddGradient(workspace, total);
            }

            Sequence();
            Sequence();
            long before = GC.GetAllocatedBytesForCurrentThread();
            Sequence();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void AWorkspaceServesOnlyItsEncoder()
    {
        Case c = Cases["causal-gelu-k3.2.1-R1"];
        var encoder = new ConvEncoder<double>(c.Options, c.Observed, c.Rank);
        var other = new ConvEncoder<double>(c.Options, c.Observed, c.Rank);
        double[] mean = new double[c.Steps * c.Rank], logVariance = new double[c.Steps * c.Rank];
        Assert.Throws<ArgumentException>(() => encoder.Forward(other.CreateWorkspace(c.Steps), new double[c.Steps * c.Observed], mean, logVariance));
        Assert.Throws<ArgumentException>(() => encoder.Forward(encoder.CreateWorkspace(c.Steps), new double[c.Steps * c.Observed + 1], mean, logVariance));
    }

    /// <summary>Φ(x) to 40 digits (mpmath 1.3 <c>ncdf</c>, rounded to double).</summary>
    public static TheoryData<double, double> CertifiedCdf() => new()
    {
        { -37, 5.725571222524577e-300 },
        { -20, 2.7536241186062337e-89 },
        { -8, 6.220960574271784e-16 },
        { -3, 0.0013498980316300946 },
        { -1, 0.15865525393145705 },
        { -0.5, 0.3085375387259869 },
        { -0.001, 0.49960105778608893 },
        { 0, 0.5 },
        { 0.001, 0.500398942213911 },
        { 0.5, 0.6914624612740131 },
        { 1, 0.8413447460685429 },
        { 3, 0.9986501019683699 },
        { 8, 0.9999999999999993 },
    };

    [Theory]
    [MemberData(nameof(CertifiedCdf))]
    public void NormalCdfMatchesCertifiedValues(double x, double expected)
    {
        double scalar = NormalCdf.Value(x, out double density);
        double lanes = NormalCdf.Value(new Vector<double>(x), out Vector<double> densities)[0];
        double tolerance = 2e-15 * expected;
        Assert.InRange(scalar, expected - tolerance, expected + tolerance);
        Assert.InRange(lanes, expected - tolerance, expected + tolerance);
        double phi = Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
        Assert.Equal(phi, density, 1e-13 * phi);
        Assert.Equal(phi, densities[0], 1e-13 * phi);
    }

    [Fact]
    public void NormalCdfAgreesWithMathNetAcrossTheRange()
    {
        // MathNet's erfc is itself accurate to about 2e−13 relative here.
        for (double x = -30; x <= 30; x += 0.0137)
        {
            double expected = 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2));
            Assert.Equal(expected, NormalCdf.Value(x, out _), 5e-13 * expected);
            Assert.Equal(expected, NormalCdf.Value(new Vector<double>(x), out _)[0], 5e-13 * expected);
        }

        Assert.True(double.IsNaN(NormalCdf.Value(double.NaN, out _)));
    }

    [Fact]
    public void ActivationsMatchTheirScalarFormulaAtEveryLength()
    {
        var rng = Rng.Create(101);
        for (int length = 0; length <= 70; length++)
        {
            double[] x = [.. Gaussians(rng, length).Select(v => 3 * v)];
            foreach (EncoderActivation kind in Enum.GetValues<EncoderActivation>())
            {
                double[] values = [.. x], slopes = new double[length];
                float[] valuesF = [.. x.Select(v => (float)v)], slopesF = new float[length];
                ActivationKernels.Apply<double>(kind, values, slopes);
                ActivationKernels.Apply<float>(kind, valuesF, slopesF);
                for (int i = 0; i < length; i++)
                {
                    (double a, double d) = ScalarActivation(kind, x[i]);
                    Assert.Equal(a, values[i], 1e-14 * (1 + Math.Abs(a)));
                    Assert.Equal(d, slopes[i], 1e-14 * (1 + Math.Abs(d)));
                    (double aF, double dF) = ScalarActivation(kind, (float)x[i]);
                    Assert.Equal(aF, valuesF[i], 1e-6 * (1 + Math.Abs(aF)));
                    Assert.Equal(dF, slopesF[i], 1e-6 * (1 + Math.Abs(dF)));
                }
            }
        }
    }

    /// <summary>The activation and its slope from their definitions (GELU through MathNet's erfc, independent of <see cref="NormalCdf"/>).</summary>
    private static (double Value, double Slope) ScalarActivation(EncoderActivation kind, double x)
    {
        if (kind == EncoderActivation.LeakyRelu)
        {
            return x > 0 ? (x, 1) : (0.1 * x, 0.1);
        }

        double cdf = 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2)), density = Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
        return (x * cdf, cdf + x * density);
    }

    /// <summary>
    /// The encoder written as its definition: z_l[t, o] = b[o] + Σ_c Σ_j W[o, c, j] x_l[t + j − p, c] with zeros outside
    /// the sequence, p the left padding (causal k − 1, acausal 0, centred ⌊(k − 1)/2⌋), φ between layers.
    /// </summary>
    private static (double[] Mean, double[] LogVariance) Reference(Case c, double[] theta, double[] y)
    {
        EncoderOptions options = c.Options;
        int steps = c.Steps, x = c.Observed, inputs = options.MaskInput ? 2 * x : x;
        var activity = new double[steps, inputs];
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < x; i++)
            {
                double v = y[t * x + i];
                activity[t, i] = double.IsNaN(v) ? 0 : v;
                if (options.MaskInput)
                {
                    activity[t, x + i] = double.IsNaN(v) ? 0 : 1;
                }
            }
        }

        int offset = 0;
        for (int l = 0; l < options.KernelSizes.Length; l++)
        {
            int k = options.KernelSizes[l];
            int outputs = l == options.KernelSizes.Length - 1 ? 2 * c.Rank : options.Channels[l];
            int pad = options.Padding switch
            {
                EncoderPadding.Causal => k - 1,
                EncoderPadding.Acausal => 0,
                _ => (k - 1) / 2,
            };
            int biasOffset = offset + outputs * inputs * k;
            var z = new double[steps, outputs];
            for (int t = 0; t < steps; t++)
            {
                for (int o = 0; o < outputs; o++)
                {
                    double sum = theta[biasOffset + o];
                    for (int i = 0; i < inputs; i++)
                    {
                        for (int j = 0; j < k; j++)
                        {
                            int s = t + j - pad;
                            if (s >= 0 && s < steps)
                            {
                                sum += theta[offset + (o * inputs + i) * k + j] * activity[s, i];
                            }
                        }
                    }

                    z[t, o] = l == options.KernelSizes.Length - 1 ? sum : ScalarActivation(options.Activation, sum).Value;
                }
            }

            offset = biasOffset + outputs;
            inputs = outputs;
            activity = z;
        }

        double[] mean = new double[steps * c.Rank], logVariance = new double[steps * c.Rank];
        for (int t = 0; t < steps; t++)
        {
            for (int a = 0; a < c.Rank; a++)
            {
                mean[t * c.Rank + a] = activity[t, a];
                logVariance[t * c.Rank + a] = activity[t, c.Rank + a];
            }
        }

        return (mean, logVariance);
    }

    private static (double[] Mean, double[] LogVariance) Run<TReal>(Case c, double[] theta, double[] y, bool wide)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        var encoder = new ConvEncoder<TReal>(c.Options, c.Observed, c.Rank, wide);
        encoder.Load(theta);
        ConvEncoderWorkspace<TReal> workspace = encoder.CreateWorkspace(c.Steps);
        double[] mean = new double[c.Steps * c.Rank], logVariance = new double[c.Steps * c.Rank];
        encoder.Forward(workspace, y, mean, logVariance);
        return (mean, logVariance);
    }

    /// <summary>
    /// ∂/∂θ of Σ_s (ḡe_s · e_s + ḡl_s · l_s), sequence s on workspace s mod <paramref name="workspaces"/>, each cleared
    /// before its sequence and added in sequence order: to θ's layout directly, or when <paramref name="batched"/> to a
    /// packed batch total converted to θ's layout at the end.
    /// </summary>
    private static double[] Gradient<TReal>(
        Case c, double[] theta, IReadOnlyList<(double[] Y, double[] GMean, double[] GLogVariance)> sequences, int workspaces, bool wide, bool batched = false)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        var encoder = new ConvEncoder<TReal>(c.Options, c.Observed, c.Rank, wide);
        encoder.Load(theta);
        ConvEncoderWorkspace<TReal>[] pool = [.. Enumerable.Range(0, workspaces).Select(_ => encoder.CreateWorkspace(c.Steps))];
        ConvEncoderGradient<TReal> batch = encoder.CreateGradient();
        double[] total = new double[encoder.ParameterCount];
        double[] mean = new double[c.Steps * c.Rank], logVariance = new double[c.Steps * c.Rank];
        for (int s = 0; s < sequences.Count; s++)
        {
            ConvEncoderWorkspace<TReal> workspace = pool[s % workspaces];
            workspace.Clear();
            encoder.Forward(workspace, sequences[s].Y, mean, logVariance);
            encoder.Backward(workspace, sequences[s].GMean, sequences[s].GLogVariance);
            if (batched)
            {
                batch.Add(workspace.Gradient);
            }
            else
            {
                encoder.AddGradient(workspace, total);
            }
        }

        if (batched)
        {
            encoder.AddGradient(batch, total);
        }

        return total;
    }

    /// <summary>PyTorch's initialisation, then every entry moved by up to ±0.1 so that no bias or weight is special.</summary>
    private static double[] Parameters(Case c, long seed)
    {
        double[] theta = new double[c.Options.ParameterCount(c.Observed, c.Rank)];
        var rng = Rng.Create(seed);
        ConvEncoder<double>.Initialize(c.Options, c.Observed, c.Rank, theta, rng);
        for (int i = 0; i < theta.Length; i++)
        {
            theta[i] += rng.NextUniform(-0.1, 0.1);
        }

        return theta;
    }

    /// <summary>y [T, X] ~ N(0, 2²) with 20 % of the entries and all of step 1 missing (NaN).</summary>
    private static double[] Observations(Case c, long seed)
    {
        var rng = Rng.Create(seed);
        double[] y = new double[c.Steps * c.Observed];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = rng.NextDouble() < 0.2 || (c.Steps > 1 && i / c.Observed == 1) ? double.NaN : 2 * rng.NextGaussian();
        }

        return y;
    }

    private static double[] Gaussians(Rng rng, int count)
    {
        double[] values = new double[count];
        rng.FillGaussian(values);
        return values;
    }

    private static double[] Shifted(double[] theta, double[] direction, double step) =>
        [.. theta.Select((v, i) => v + step * direction[i])];

    private static double Dot(double[] a, double[] b) => a.Select((v, i) => v * b[i]).Sum();

    private static double MaxAbs(double[] values) => values.Length == 0 ? 0 : values.Max(Math.Abs);

    private static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance:E2})");
        }
    }
}
