using LowRank.Data;
using LowRank.Formats;
using LowRank.Lint;
using LowRank.Tests.Lint;

namespace LowRank.Tests.Data;

/// <summary>Trial-resolved arrays averaged whole and in halves, inputs per condition, and the split-half fit, against hand-computed values.</summary>
public sealed class TrialTensorTests
{
    // [neuron 2, direction 2, time 3, trial 3]: value = 100·neuron + 10·direction + time + trial/10, with
    // neuron 1's direction-1 trial 2 unused (NaN) and neuron 0's direction 0, trial 1, time 2 missing.
    private static NdArray Small()
    {
        var data = new double[2 * 2 * 3 * 3];
        for (int x = 0; x < 2; x++)
        {
            for (int d = 0; d < 2; d++)
            {
                for (int t = 0; t < 3; t++)
                {
                    for (int k = 0; k < 3; k++)
                    {
                        data[((x * 2 + d) * 3 + t) * 3 + k] = 100 * x + 10 * d + t + k / 10.0;
                    }
                }
            }
        }

        for (int t = 0; t < 3; t++)
        {
            data[((1 * 2 + 1) * 3 + t) * 3 + 2] = double.NaN;
        }

        data[((0 * 2 + 0) * 3 + 2) * 3 + 1] = double.NaN;
        return new NdArray([2, 2, 3, 3], data);
    }

    private static readonly TrialAxes Axes = new(["neuron", "direction", "time", "trial"]);

    [Fact]
    public void AveragingIgnoresUnusedTrialSlotsAndMissingBins()
    {
        TrialAverages averages = TrialTensor.Average(Small(), Axes);
        Assert.Equal((2, 3, 2), (averages.Conditions, averages.Steps, averages.Neurons));
        Assert.Equal([("direction", 2)], averages.ConditionAxes);
        Assert.Equal([[0], [1]], averages.ConditionIndex);

        // [C, T, X]: the mean of trial/10 over trials 0, 1, 2 is 0.1; over 0, 1 it is 0.05; over 0, 2 it is 0.1.
        Assert.Equal(0 + 0.1, averages.Values[(0 * 3 + 0) * 2 + 0], 12);
        Assert.Equal(2 + 0.1, averages.Values[(0 * 3 + 2) * 2 + 0], 12);       // trials 0 and 2 at time 2
        Assert.Equal(100 + 10 + 1 + 0.05, averages.Values[(1 * 3 + 1) * 2 + 1], 12);
        Assert.Equal(100 + 1 + 0.1, averages.Values[(0 * 3 + 1) * 2 + 1], 12);
        Assert.Equal("direction 1", averages.Describe(1));
    }

    [Fact]
    public void TheHalvesSplitEachNeuronsRecordedTrialsAndTogetherGiveTheWholeAverage()
    {
        NdArray array = Small();
        (TrialAverages first, TrialAverages second) = TrialTensor.SplitHalves(array, Axes, seed: 3);
        TrialAverages whole = TrialTensor.Average(array, Axes);

        // Neuron 1, direction 1 has 2 recorded trials: one in each half. Others have 3: 2 and 1.
        for (int t = 0; t < 3; t++)
        {
            double a = first.Values[(1 * 3 + t) * 2 + 1], b = second.Values[(1 * 3 + t) * 2 + 1];
            Assert.Equal(whole.Values[(1 * 3 + t) * 2 + 1], (a + b) / 2, 12);
            Assert.NotEqual(a, b);
        }

        // Neuron 1, direction 0, time 0: trials 0.0, 0.1, 0.2 split 2 : 1, so 2·first + second = 3·whole.
        double f = first.Values[(0 * 3 + 0) * 2 + 1], s = second.Values[(0 * 3 + 0) * 2 + 1];
        Assert.Equal(3 * whole.Values[(0 * 3 + 0) * 2 + 1], 2 * f + s, 12);

        // The same seed gives the same split; another seed may not.
        Assert.Equal(first.Values, TrialTensor.SplitHalves(array, Axes, seed: 3).First.Values);
    }

    [Fact]
    public void OneTrialCannotBeSplit()
    {
        var array = new NdArray([2, 3, 1], new double[6]);
        InputException error = Assert.Throws<InputException>(() => TrialTensor.SplitHalves(array, new TrialAxes(["neuron", "time", "trial"]), 1));
        Assert.Contains("at least 2 trials", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("neuron,direction,time", "the axis list 'neuron,direction,time' names 3 axes, but x.mat:r has 4 ([2, 2, 3, 3]).")]
    [InlineData("unit,direction,time,trial", "the axis list 'unit,direction,time,trial' has no 'neuron' axis.")]
    [InlineData("neuron,time,time,trial", "the axis list 'neuron,time,time,trial' names 'time' twice.")]
    [InlineData("neuron,,time,trial", "the axis list 'neuron,,time,trial' has a name that is empty or not made of letters, digits, '_' and '-' ('').")]
    public void AnAxisListThatDoesNotFitTheArrayIsRefused(string text, string message)
    {
        InputException error = Assert.Throws<InputException>(() => TrialAxes.Parse(text, [2, 2, 3, 3], "x.mat:r"));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void InputsPerConditionFollowTheSpec()
    {
        // [neuron 1, direction 2, task 3, time 5]: conditions (d, k) in order (0,0) (0,1) (0,2) (1,0) …
        var array = new NdArray([1, 2, 3, 5], new double[30]);
        TrialAverages averages = TrialTensor.Average(array, new TrialAxes(["neuron", "direction", "task", "time"]));
        IReadOnlyList<ConditionInputWindow> windows = ConditionInputs.Parse("task:0-5, direction:1-3", averages);
        (double[] values, int inputs) = ConditionInputs.Build(windows, averages);
        Assert.Equal(5, inputs);
        // condition 4 = (direction 1, task 1): task input 1 on at every step, direction input 3 + 1 = 4 on at steps 1, 2.
        for (int t = 0; t < 5; t++)
        {
            int start = (4 * 5 + t) * 5;
            double[] row = values[start..(start + 5)];
            double[] expected = [0, 1, 0, 0, t is 1 or 2 ? 1 : 0];
            Assert.Equal(expected, row);
        }
    }

    [Theory]
    [InlineData("task", "the input spec part 'task' is not AXIS:FROM-TO.")]
    [InlineData("trial:0-3", "the input spec names 'trial', which is not a condition axis (the condition axes are: direction, task).")]
    [InlineData("task:3-3", "the input window 3-3 of 'task' is not a non-empty range of the 5 time bins.")]
    [InlineData("task:0-6", "the input window 0-6 of 'task' is not a non-empty range of the 5 time bins.")]
    [InlineData("task:0-2,task:2-4", "the input spec names 'task' twice.")]
    public void ABadInputSpecIsRefused(string spec, string message)
    {
        TrialAverages averages = TrialTensor.Average(new NdArray([1, 2, 3, 5], new double[30]), new TrialAxes(["neuron", "direction", "task", "time"]));
        Assert.Equal(message, Assert.Throws<InputException>(() => ConditionInputs.Parse(spec, averages)).Message);
    }

    [Fact]
    public void ASplitHalfFitComesCloseToTheNoiseCeiling()
    {
        // Rank-2 trajectories on 24 units, 8 conditions; 12 noisy trials per neuron and condition (sd 0.3, a few slots
        // unused); the fit of one half's averages is scored against the other half's.
        const int units = 24, conditions = 8, trials = 12;
        (double[] states, double[] inputs, int steps) = TrajectoryFitterTests.RankTwoTrajectories(units, conditions, 6);
        var data = new double[units * conditions * steps * trials];
        LowRank.Numerics.Rng rng = LowRank.Numerics.Rng.Create(9, 0);
        for (int x = 0; x < units; x++)
        {
            for (int c = 0; c < conditions; c++)
            {
                int used = trials - (x + c) % 3;
                for (int t = 0; t < steps; t++)
                {
                    for (int k = 0; k < trials; k++)
                    {
                        data[((x * conditions + c) * steps + t) * trials + k] = k < used ? states[(c * steps + t) * units + x] + 0.3 * rng.NextGaussian() : double.NaN;
                    }
                }
            }
        }

        var array = new NdArray([units, conditions, steps, trials], data);
        var axes = new TrialAxes(["neuron", "condition", "time", "trial"]);
        (TrialAverages first, TrialAverages second) = TrialTensor.SplitHalves(array, axes, seed: 2);
        var options = new TrajectoryFitOptions(Rank: 2, Epochs: 600, LearningRate: 0.02, Initialization: FitInitialization.Random, Seed: 1, Threads: 2);
        SplitHalfFitResult result = TrajectoryFitter.FitSplitHalf(first.ToSequences(2, inputs), second.ToSequences(2, inputs), options, NullProgress.Instance);

        // The halves average 6 trials each: the noise of their difference has variance 2 · 0.09 / 6 = 0.03.
        Assert.InRange(result.Ceiling, 0.5, 0.999);
        Assert.True(result.Fit.R2 > 0.9 * result.Ceiling, $"R² {result.Fit.R2} against the ceiling {result.Ceiling}");
        Assert.Equal(result.Fit.R2 / result.Ceiling, result.FractionOfCeiling, 12);
        Assert.Equal(conditions, result.Fit.TrainConditions);
        Assert.Equal(conditions, result.Fit.HeldOutConditions);
    }
}
