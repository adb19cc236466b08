using LowRank.Data;
using LowRank.Numerics;
using LowRank.RateNetworks;
using LowRank.Training;

namespace LowRank.Tests.RateNetworks;

/// <summary>
/// The float32 SIMD kernel against a straightforward double-precision reference written here from the equations
/// (scalar loops, <see cref="Math.Tanh"/>, J formed as M Ñᵀ / N), whose gradient is taken by central differences: no
/// code is shared with the kernel but the parameter layout and the noise stream.
/// </summary>
public sealed class RateNetworkReferenceTests
{
    public static TheoryData<int, int, int, string, bool, double> Cases => new()
    {
        // units, rank, inputs, observation (all | subset | readout), zero bias, noise σ
        { 40, 1, 4, "all", true, 0.0 },    // the LINT teacher fit: rates reused as outputs, last chunk overlapping
        { 40, 2, 3, "all", false, 0.0 },
        { 37, 5, 2, "all", false, 0.05 },  // ranks past the four held in registers, state noise
        { 16, 1, 1, "all", true, 0.0 },    // exactly one register
        { 11, 3, 2, "all", false, 0.0 },   // less than one register of floats
        { 33, 2, 2, "subset", false, 0.0 },
        { 33, 2, 2, "readout", false, 0.05 },
        { 21, 0, 2, "readout", false, 0.0 }, // full rank
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32KernelMatchesTheDoubleReference(int units, int rank, int inputs, string observation, bool zeroBias, double noiseStd)
    {
        const int steps = 12;
        const double lossScale = 0.21;
        var spec = new RateNetworkSpec(units, rank, inputs, observation == "readout" ? 2 : 0, 0.2, noiseStd, ReadoutKind.Tanh);
        var layout = new RateNetworkLayout(spec);
        Rng rng = Rng.Create(31, (units * 10) + rank);
        var theta = new double[layout.Length];
        rng.FillGaussian(theta);
        foreach ((ParameterGroups _, ParameterSlice slice) in layout.Groups())
        {
            // moderate weights keep tanh off its saturation, where float32 loses the derivative
            for (int i = slice.Offset; i < slice.Offset + slice.Length; i++)
            {
                theta[i] *= 0.5;
            }
        }

        if (zeroBias)
        {
            layout.Bias.Of<double>(theta).Clear();
        }

        int[] observed = observation switch
        {
            "all" => Enumerable.Range(0, units).ToArray(),
            "subset" => [0, 3, units - 1, 7],
            _ => [],
        };
        int o = observed.Length > 0 ? observed.Length : spec.Outputs;
        Trial trial = RateNetworkGradientTests.RandomTrial(rng, steps, inputs, o);
        for (int i = 0; i < trial.Targets.Length; i += 5)
        {
            trial.Targets[i] = float.NaN;
        }

        const long seed = 5, stream = 9;
        var workspace = new RateNetworkWorkspace<float>(spec, observed.Length, steps);
        float[] thetaF = RateNetworkRunner.ToSingle(theta);
        var gradient = new float[layout.Length];
        double loss = RateNetworkKernel<float>.Forward(layout, thetaF, trial, observed, noiseStd > 0 ? Rng.Create(seed, stream) : null, workspace, (float)lossScale);
        RateNetworkKernel<float>.Backward(layout, thetaF, trial, observed, workspace, (float)lossScale, gradient);

        double Reference(double[] at) => ReferenceLoss(spec, layout, at, trial, observed, noiseStd > 0 ? Rng.Create(seed, stream) : null) * lossScale;
        double expected = Reference(theta);
        Assert.True(Math.Abs(loss - expected) <= 1e-5 * Math.Abs(expected), $"loss {loss:R} vs reference {expected:R}");

        // every entry of ∂L/∂θ by central differences of the reference, compared group by group in norm
        var numeric = new double[layout.Length];
        const double h = 1e-5;
        for (int i = 0; i < theta.Length; i++)
        {
            double keep = theta[i];
            theta[i] = keep + h;
            double up = Reference(theta);
            theta[i] = keep - h;
            double down = Reference(theta);
            theta[i] = keep;
            numeric[i] = (up - down) / (2 * h);
        }

        foreach ((ParameterGroups group, ParameterSlice slice) in layout.Groups())
        {
            double difference = 0, norm = 0;
            for (int i = slice.Offset; i < slice.Offset + slice.Length; i++)
            {
                difference += (gradient[i] - numeric[i]) * (gradient[i] - numeric[i]);
                norm += numeric[i] * numeric[i];
            }

            Assert.True(Math.Sqrt(difference) <= 1e-4 * Math.Sqrt(norm) + 1e-7, $"{group}: |float − reference| = {Math.Sqrt(difference):E3}, |reference| = {Math.Sqrt(norm):E3}");
        }
    }

    [Fact]
    public void ObjectiveOfAllUnitsIsBitIdenticalForOneAndThreeThreads()
    {
        var spec = new RateNetworkSpec(40, 1, 3, 0, 0.2, 0.0, ReadoutKind.Tanh);
        var layout = new RateNetworkLayout(spec);
        Rng rng = Rng.Create(8, 1);
        var theta = new double[layout.Length];
        rng.FillGaussian(theta);
        int[] observed = Enumerable.Range(0, 40).ToArray();
        Trial[] trials = [.. Enumerable.Range(0, 7).Select(_ => RateNetworkGradientTests.RandomTrial(rng, 9, 3, 40))];
        var batch = new TrialBatch(Enumerable.Range(0, 7).ToArray(), 0, 0);
        (double Loss, double[] Gradient) Evaluate(int threads)
        {
            var objective = new BpttObjective(layout, trials, observed, ParameterGroups.All, 3, threads);
            var gradient = new double[layout.Length];
            double first = objective.Evaluate(theta, batch, gradient);
            Array.Clear(gradient);
            double second = objective.Evaluate(theta, batch, gradient);
            Assert.Equal(first, second);
            return (second, gradient);
        }

        (double lossOne, double[] gradientOne) = Evaluate(1);
        (double lossThree, double[] gradientThree) = Evaluate(3);
        Assert.Equal(lossOne, lossThree);
        Assert.Equal(gradientOne, gradientThree);
        Assert.Contains(gradientOne, g => g != 0);
    }

    /// <summary>The model of docs/lint.md in double, one scalar at a time.</summary>
    private static double ReferenceLoss(RateNetworkSpec spec, RateNetworkLayout layout, double[] theta, Trial trial, int[] observed, Rng? noise)
    {
        int n = spec.Units, rank = spec.Rank, u = spec.Inputs;
        int o = observed.Length > 0 ? observed.Length : spec.Outputs;
        ReadOnlySpan<double> m = layout.M.Of<double>(theta), nTilde = layout.NTilde.Of<double>(theta), jFree = layout.J.Of<double>(theta);
        ReadOnlySpan<double> wIn = layout.InputWeights.Of<double>(theta), wOut = layout.OutputWeights.Of<double>(theta);
        ReadOnlySpan<double> b = layout.Bias.Of<double>(theta);
        double[] x = layout.InitialState.Of<double>(theta).ToArray();
        double alpha = spec.Alpha;
        double loss = 0;
        for (int t = 0; t < trial.Steps; t++)
        {
            var r = new double[n];
            for (int i = 0; i < n; i++)
            {
                r[i] = Math.Tanh(x[i] + b[i]);
            }

            var next = new double[n];
            for (int i = 0; i < n; i++)
            {
                double recurrent = 0;
                for (int k = 0; k < n; k++)
                {
                    double jik = 0;
                    if (rank == 0)
                    {
                        jik = jFree[(i * n) + k];
                    }
                    else
                    {
                        for (int s = 0; s < rank; s++)
                        {
                            jik += m[(s * n) + i] * nTilde[(s * n) + k] / n;
                        }
                    }

                    recurrent += jik * r[k];
                }

                double input = 0;
                for (int c = 0; c < u; c++)
                {
                    input += wIn[(c * n) + i] * trial.InputValues[(t * u) + c];
                }

                next[i] = ((1 - alpha) * x[i]) + (alpha * recurrent) + (alpha * input);
            }

            if (noise is not null)
            {
                for (int i = 0; i < n; i++)
                {
                    next[i] += spec.NoiseStd * (float)noise.NextGaussian();
                }
            }

            for (int k = 0; k < o; k++)
            {
                double output;
                if (observed.Length > 0)
                {
                    output = Math.Tanh(next[observed[k]]);
                }
                else
                {
                    output = 0;
                    for (int i = 0; i < n; i++)
                    {
                        output += Math.Tanh(next[i]) * wOut[(k * n) + i] / n;
                    }
                }

                float target = trial.Targets[(t * o) + k];
                if (!float.IsNaN(target))
                {
                    loss += trial.Mask[t] * (output - target) * (output - target);
                }
            }

            x = next;
        }

        return loss;
    }
}
