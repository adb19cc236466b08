using LowRank.Data;
using LowRank.Numerics;
using LowRank.RateNetworks;
using LowRank.Training;

namespace LowRank.Tests.RateNetworks;

public sealed class RateNetworkGradientTests
{
    public static TheoryData<int, int, int, int, int, ReadoutKind, bool> Cases => new()
    {
        // units, rank (0 = full), inputs, outputs (0 = observe units), steps, readout, observe units
        { 1, 1, 1, 1, 1, ReadoutKind.Tanh, false },
        { 7, 1, 2, 1, 9, ReadoutKind.Tanh, false },
        { 13, 3, 3, 2, 6, ReadoutKind.Identity, false },
        { 9, 2, 1, 1, 8, ReadoutKind.Tanh, true },
        { 5, 0, 2, 1, 7, ReadoutKind.Tanh, false },
        { 11, 0, 1, 2, 5, ReadoutKind.Identity, true },
        { 1, 0, 1, 1, 3, ReadoutKind.Tanh, false },
        { 8, 1, 2, 1, 5, ReadoutKind.Tanh, false },     // exactly one register of doubles
        { 19, 5, 2, 2, 6, ReadoutKind.Tanh, false },    // ranks past the four held in registers; an overlapping last chunk
        { 10, 0, 3, 1, 4, ReadoutKind.Identity, false },
    };

    public static TheoryData<int, int, int, int, ReadoutKind, bool> AllUnitCases => new()
    {
        // units, rank, inputs, steps, readout, zero bias: every unit observed in order (outputs fused into the sweeps)
        { 1, 1, 1, 4, ReadoutKind.Tanh, false },
        { 6, 2, 2, 5, ReadoutKind.Identity, false },
        { 8, 1, 3, 7, ReadoutKind.Tanh, true },
        { 19, 1, 4, 9, ReadoutKind.Tanh, true },       // b = 0: each step's rates are the last step's outputs
        { 19, 3, 2, 6, ReadoutKind.Tanh, false },
        { 27, 6, 1, 5, ReadoutKind.Identity, false },
        { 13, 0, 2, 5, ReadoutKind.Tanh, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesCentralDifferencesAlongRandomDirections(int units, int rank, int inputs, int outputs, int steps, ReadoutKind readout, bool observeUnits)
    {
        var spec = new RateNetworkSpec(units, rank, inputs, outputs, 0.2, 0.0, readout);
        var layout = new RateNetworkLayout(spec);
        Rng rng = Rng.Create(11, units * 100 + rank * 10 + steps);
        var theta = new double[layout.Length];
        rng.FillGaussian(theta);
        int[] observed = observeUnits ? [0, units - 1] : [];
        if (observeUnits && units == 1)
        {
            observed = [0];
        }

        int o = observeUnits ? observed.Length : outputs;
        Trial trial = RandomTrial(rng, steps, inputs, o);
        var workspace = new RateNetworkWorkspace<double>(spec, observed.Length, steps);
        const double scale = 0.37;

        var gradient = new double[layout.Length];
        RateNetworkKernel<double>.Forward(layout, theta, trial, observed, null, workspace, scale);
        RateNetworkKernel<double>.Backward(layout, theta, trial, observed, workspace, scale, gradient);

        // Check each parameter group separately along a random direction, so a wrong group cannot hide.
        foreach ((ParameterGroups group, ParameterSlice slice) in layout.Groups())
        {
            if (slice.Length == 0)
            {
                continue;
            }

            var direction = new double[layout.Length];
            rng.FillGaussian(direction.AsSpan(slice.Offset, slice.Length));
            AssertDirectionalDerivative(gradient, direction, theta, shifted => RateNetworkKernel<double>.Forward(layout, shifted, trial, observed, null, workspace, scale), group.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(AllUnitCases))]
    public void BackwardMatchesCentralDifferencesWhenEveryUnitIsObserved(int units, int rank, int inputs, int steps, ReadoutKind readout, bool zeroBias)
    {
        var spec = new RateNetworkSpec(units, rank, inputs, 0, 0.2, 0.0, readout);
        var layout = new RateNetworkLayout(spec);
        Rng rng = Rng.Create(13, units * 100 + rank * 10 + steps);
        var theta = new double[layout.Length];
        rng.FillGaussian(theta);
        if (zeroBias)
        {
            layout.Bias.Of<double>(theta).Clear();
        }

        int[] observed = Enumerable.Range(0, units).ToArray();
        Trial trial = RandomTrial(rng, steps, inputs, units);
        trial.Targets[1] = float.NaN;
        var workspace = new RateNetworkWorkspace<double>(spec, units, steps);
        const double scale = 0.61;
        var gradient = new double[layout.Length];
        RateNetworkKernel<double>.Forward(layout, theta, trial, observed, null, workspace, scale);
        RateNetworkKernel<double>.Backward(layout, theta, trial, observed, workspace, scale, gradient);
        foreach ((ParameterGroups group, ParameterSlice slice) in layout.Groups())
        {
            if (slice.Length == 0)
            {
                continue;
            }

            // with b = 0 the shifted runs of the bias direction (b ≠ 0) take the general path: both must agree

            var direction = new double[layout.Length];
            rng.FillGaussian(direction.AsSpan(slice.Offset, slice.Length));
            AssertDirectionalDerivative(gradient, direction, theta, shifted => RateNetworkKernel<double>.Forward(layout, shifted, trial, observed, null, workspace, scale), group.ToString());
        }
    }

    [Theory]
    [InlineData(ReadoutKind.Identity, true)]
    [InlineData(ReadoutKind.Tanh, true)]
    [InlineData(ReadoutKind.Tanh, false)]
    public void MissingTargetsDropOutOfTheLossAndItsGradient(ReadoutKind readout, bool observeUnits)
    {
        // A trial with about 30 % of its targets NaN: the loss is the sum over the others (checked against the same
        // trial with those entries' errors zeroed by copying the prediction in), and the gradient matches central
        // differences in double.
        var spec = new RateNetworkSpec(9, 2, 2, observeUnits ? 0 : 3, 0.2, 0.0, readout);
        var layout = new RateNetworkLayout(spec);
        Rng rng = Rng.Create(12, observeUnits ? 1 : 2);
        var theta = new double[layout.Length];
        rng.FillGaussian(theta);
        int[] observed = observeUnits ? [0, 4, 8] : [];
        const int steps = 7, o = 3;
        Trial trial = RandomTrial(rng, steps, 2, o);
        var missing = new bool[steps * o];
        for (int i = 0; i < missing.Length; i++)
        {
            missing[i] = rng.NextDouble() < 0.3;
            trial.Targets[i] = missing[i] ? float.NaN : trial.Targets[i];
        }

        Assert.True(trial.HasMissingTargets);
        double entries = 0;
        for (int t = 0; t < steps; t++)
        {
            entries += trial.Mask[t] * Enumerable.Range(0, o).Count(k => !missing[t * o + k]);
        }

        Assert.Equal(entries, trial.WeightedEntries(), 12);
        Assert.Equal(1 / entries, BpttObjective.LossScale([trial], [0]), 12);

        var workspace = new RateNetworkWorkspace<double>(spec, observed.Length, steps);
        double loss = RateNetworkKernel<double>.Forward(layout, theta, trial, observed, null, workspace, 1.0);
        Assert.True(double.IsFinite(loss));
        var filled = (float[])trial.Targets.Clone();
        for (int i = 0; i < filled.Length; i++)
        {
            filled[i] = missing[i] ? (float)workspace.Outputs[i] : filled[i];
        }

        Trial complete = new(steps, 2, o, trial.InputValues, filled, trial.Mask);
        Assert.Equal(loss, RateNetworkKernel<double>.Forward(layout, theta, complete, observed, null, workspace, 1.0), 1e-6 * Math.Max(1, loss));

        var gradient = new double[layout.Length];
        RateNetworkKernel<double>.Forward(layout, theta, trial, observed, null, workspace, 1.0);
        RateNetworkKernel<double>.Backward(layout, theta, trial, observed, workspace, 1.0, gradient);
        Assert.All(gradient, g => Assert.True(double.IsFinite(g)));
        var direction = new double[layout.Length];
        rng.FillGaussian(direction);
        AssertDirectionalDerivative(gradient, direction, theta, shifted => RateNetworkKernel<double>.Forward(layout, shifted, trial, observed, null, workspace, 1.0), "all groups");
    }

    /// <summary>
    /// Asserts that <paramref name="gradient"/> · <paramref name="direction"/> matches the central difference of
    /// <paramref name="loss"/> along <paramref name="direction"/> at <paramref name="theta"/> (h = 1e−5, relative tolerance 1e−6).
    /// </summary>
    private static void AssertDirectionalDerivative(double[] gradient, double[] direction, double[] theta, Func<double[], double> loss, string what)
    {
        double analytic = 0;
        for (int i = 0; i < direction.Length; i++)
        {
            analytic += direction[i] * gradient[i];
        }

        const double h = 1e-5;
        double At(double step)
        {
            var shifted = new double[theta.Length];
            for (int i = 0; i < theta.Length; i++)
            {
                shifted[i] = theta[i] + step * direction[i];
            }

            return loss(shifted);
        }

        double numeric = (At(h) - At(-h)) / (2 * h);
        Assert.True(Math.Abs(analytic - numeric) <= 1e-6 * Math.Max(1.0, Math.Abs(numeric)), $"{what}: analytic {analytic:R} vs numeric {numeric:R}");
    }

    [Fact]
    public void WarmForwardBackwardAllocatesNothing()
    {
        var spec = new RateNetworkSpec(16, 2, 2, 1, 0.2, 0.1, ReadoutKind.Tanh);
        var layout = new RateNetworkLayout(spec);
        Rng rng = Rng.Create(3, 0);
        var theta = new float[layout.Length];
        rng.FillGaussian(theta);
        Trial trial = RandomTrial(rng, 20, 2, 1);
        var workspace = new RateNetworkWorkspace<float>(spec, 0, 20);
        var gradient = new float[layout.Length];
        Rng noise = Rng.Create(3, 1);
        RateNetworkKernel<float>.Forward(layout, theta, trial, [], noise, workspace, 1f);
        RateNetworkKernel<float>.Backward(layout, theta, trial, [], workspace, 1f, gradient);
        long before = GC.GetAllocatedBytesForCurrentThread();
        RateNetworkKernel<float>.Forward(layout, theta, trial, [], noise, workspace, 1f);
        RateNetworkKernel<float>.Backward(layout, theta, trial, [], workspace, 1f, gradient);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    internal static Trial RandomTrial(Rng rng, int steps, int inputs, int outputs)
    {
        var u = new float[steps * inputs];
        var y = new float[steps * outputs];
        var mask = new float[steps];
        rng.FillGaussian(u);
        rng.FillGaussian(y);
        for (int t = 0; t < steps; t++)
        {
            mask[t] = (float)rng.NextDouble();
        }

        return new Trial(steps, inputs, outputs, u, y, mask);
    }
}
