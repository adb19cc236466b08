using LowRank.Decoding;
using LowRank.Metrics;

namespace LowRank.Tests.Decoding;

public sealed class CountSmoothingTests
{
    [Fact]
    public void CentredSmoothingIsTheReflectedGaussianFilterOfEachChannel()
    {
        // Two channels [40, 2]: an impulse at step 20 on channel 0, a ramp on channel 1.
        var counts = new double[40 * 2];
        counts[20 * 2] = 1;
        for (int t = 0; t < 40; t++)
        {
            counts[(t * 2) + 1] = t;
        }

        double[] smoothed = CountSmoothing.Smooth(counts, 2, 40, 2, SmoothingWindow.Centred);
        double[] kernel = GaussianSmoothing.Kernel(2); // radius ⌊8.5⌋ = 8
        for (int j = -8; j <= 8; j++)
        {
            Assert.Equal(kernel[j + 8], smoothed[(20 + j) * 2], 15);
        }

        Assert.Equal(0, smoothed[11 * 2]);
        Assert.Equal(20, smoothed[(20 * 2) + 1], 12); // a ramp is unchanged away from the ends
    }

    [Fact]
    public void CausalSmoothingReadsNoLaterBinAndRenormalisesAtTheStart()
    {
        var counts = new double[30];
        counts[10] = 1;
        double[] smoothed = CountSmoothing.Smooth(counts, 1, 30, 1.5, SmoothingWindow.Causal);
        double[] half = GaussianSmoothing.Kernel(1.5)[6..]; // k_0 … k_6 (radius ⌊6.5⌋ = 6)
        double total = half.Sum();
        for (int t = 0; t < 10; t++)
        {
            Assert.Equal(0, smoothed[t]);
        }

        for (int j = 0; j <= 6; j++)
        {
            Assert.Equal(half[j] / total, smoothed[10 + j], 15);
        }

        Assert.Equal(0, smoothed[17]);

        // A constant stays constant, also where the window is cut off by the start.
        double[] constant = CountSmoothing.Smooth([.. Enumerable.Repeat(3.0, 12)], 1, 12, 4, SmoothingWindow.Causal);
        Assert.All(constant, v => Assert.Equal(3, v, 14));
    }

    [Theory]
    [InlineData(SmoothingWindow.Centred)]
    [InlineData(SmoothingWindow.Causal)]
    public void NoStepReadsABinOfAnotherTrial(SmoothingWindow window)
    {
        // Three trials of 10 steps, one channel; spikes only at the last step of trial 0 and the first of trial 2.
        var counts = new double[30];
        counts[9] = 5;
        counts[20] = 5;
        double[] smoothed = CountSmoothing.Smooth(counts, 1, 10, 3, window);
        Assert.All(smoothed[10..20], v => Assert.Equal(0, v));
        Assert.True(smoothed[9] > 0 && smoothed[20] > 0);
    }

    [Fact]
    public void ZeroWidthLeavesTheCountsAsTheyAre()
    {
        double[] counts = [1, 0, 3, 2, 0, 0];
        Assert.Equal(counts, CountSmoothing.Smooth(counts, 2, 3, 0, SmoothingWindow.Centred));
        Assert.Equal(counts, CountSmoothing.Smooth(counts, 2, 3, 0, SmoothingWindow.Causal));
    }
}
