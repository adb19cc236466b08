using LowRank.Data;
using LowRank.Numerics;
using LowRank.Training;

namespace LowRank.Tests.Training;

public sealed class SequenceSamplerTests
{
    private static double[] Ramp(int steps, int channels)
    {
        // Value at (t, x) = 1000 t + x, so a window's content reveals where it was cut.
        var values = new double[steps * channels];
        for (int t = 0; t < steps; t++)
        {
            for (int x = 0; x < channels; x++)
            {
                values[t * channels + x] = 1000 * t + x;
            }
        }

        return values;
    }

    [Fact]
    public void WindowsAreContiguousSlicesAtTheDrawnStarts()
    {
        var data = SequenceSet.Continuous(Ramp(200, 3), 200, 3, Ramp(200, 2), 2);
        var sampler = new SequenceSampler(data, batchSize: 4, windowLength: 7, windowsPerEpoch: 10);
        Assert.Equal(3, sampler.BatchesPerEpoch);
        int[] plan = sampler.DrawEpoch(Rng.Create(5, 0));
        Assert.Equal(10, plan.Length);
        Assert.All(plan, start => Assert.InRange(start, 0, 200 - 7));
        for (int b = 0; b < 3; b++)
        {
            SequenceSet batch = sampler.Batch(plan, b);
            Assert.Equal(b < 2 ? 4 : 2, batch.Count);
            for (int s = 0; s < batch.Count; s++)
            {
                int start = plan[b * 4 + s];
                ReadOnlySpan<double> window = batch.ObservationsOf(s);
                ReadOnlySpan<double> inputs = batch.InputsOf(s);
                for (int t = 0; t < 7; t++)
                {
                    Assert.Equal(1000 * (start + t) + 2, window[t * 3 + 2]);
                    Assert.Equal(1000 * (start + t) + 1, inputs[t * 2 + 1]);
                }
            }
        }
    }

    [Fact]
    public void WindowStartsAreUniform()
    {
        // 4 possible starts; 40 000 draws; each count within 5 standard errors of 10 000.
        var data = SequenceSet.Continuous(Ramp(8, 1), 8, 1);
        var sampler = new SequenceSampler(data, batchSize: 10, windowLength: 5, windowsPerEpoch: 40_000);
        int[] plan = sampler.DrawEpoch(Rng.Create(11, 3));
        var counts = new int[4];
        foreach (int start in plan)
        {
            counts[start]++;
        }

        double sd = Math.Sqrt(40_000 * 0.25 * 0.75);
        Assert.All(counts, c => Assert.InRange(c, 10_000 - 5 * sd, 10_000 + 5 * sd));
    }

    [Fact]
    public void TrialsArePermutedAndUsedWhole()
    {
        var data = SequenceSet.FromTrials(Ramp(15, 2), trials: 5, steps: 3, channels: 2);
        var sampler = new SequenceSampler(data, batchSize: 2, windowLength: 50, windowsPerEpoch: 500);
        Assert.Equal(5, sampler.SequencesPerEpoch);
        Assert.Equal(3, sampler.WindowLength);
        int[] plan = sampler.DrawEpoch(Rng.Create(1, 1));
        Assert.Equal([0, 1, 2, 3, 4], plan.Order().ToArray());
        SequenceSet batch = sampler.Batch(plan, 0);
        // Trial k holds global steps 3k..3k+2.
        Assert.Equal(1000 * (3 * plan[1] + 2) + 1, batch.ObservationsOf(1)[5]);
    }

    [Fact]
    public void SameStreamSamePlan()
    {
        var data = SequenceSet.Continuous(Ramp(100, 1), 100, 1);
        var sampler = new SequenceSampler(data, 10, 50, 500);
        Assert.Equal(sampler.DrawEpoch(Rng.Create(3, 7)), sampler.DrawEpoch(Rng.Create(3, 7)));
        Assert.NotEqual(sampler.DrawEpoch(Rng.Create(3, 7)), sampler.DrawEpoch(Rng.Create(3, 8)));
    }

    [Fact]
    public void WindowLongerThanRecordingIsAnInputError()
    {
        var data = SequenceSet.Continuous(Ramp(40, 1), 40, 1);
        InputException error = Assert.Throws<InputException>(() => new SequenceSampler(data, 10, 50, 500));
        Assert.Equal("the window length 50 does not fit the recording of 40 steps.", error.Message);
        Assert.Equal("pass --window between 1 and 40.", LowRank.Cli.SettingFlags.Hint(error));
    }

    [Fact]
    public void SplitKeepsTheFirstPartForTraining()
    {
        var data = SequenceSet.Continuous(Ramp(100, 2), 100, 2);
        (SequenceSet train, SequenceSet heldOut, int split) = data.Split(0.2);
        Assert.Equal(80, split);
        Assert.Equal(80, train.Steps);
        Assert.Equal(20, heldOut.Steps);
        Assert.Equal(1000 * 80, heldOut.Observations[0]);
        Assert.Equal(1000 * 79 + 1, train.Observations[^1]);
    }
}

public sealed class SplitIndexTests
{
    [Theory]
    [InlineData(9640, 0.2, 7712)]
    [InlineData(10, 0.25, 7)]
    [InlineData(5, 0.2, 4)]
    public void HoldsOutTheRoundedFraction(int count, double holdout, int expected) =>
        Assert.Equal(expected, SequenceSet.SplitIndex(count, holdout));

    [Fact]
    public void EmptySideIsAnInputError()
    {
        InputException error = Assert.Throws<InputException>(() => SequenceSet.SplitIndex(3, 0.1));
        Assert.Equal("holding out 0.1 of 3 leaves one side empty.", error.Message);
    }
}
