using System.Globalization;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Tests.Formats;

namespace LowRank.Tests.Data;

/// <summary>
/// Spike times into counts (<see cref="SpikeCounter"/>, <see cref="BinGrid"/>): half-open bins decided exactly at their
/// edges, the window's defaults, trials of a trials table cut to the shortest, and each refusal. Every expected count is
/// worked out by hand in the comments.
/// </summary>
public sealed class SpikeCounterTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static SpikeTrains Trains(params double[][] times) => SpikeTrains.FromNwb(new NwbUnits([.. Enumerable.Range(0, times.Length).Select(i => (long)i)], times), "r.nwb");

    private static SpikeBinning Bins(double width, double? start = null, double? stop = null) => new() { BinWidth = width, Start = start, Stop = stop };

    [Fact]
    public void ASpikeOnAnEdgeOpensTheBinThatStartsThere()
    {
        // w = 0.1 over [0, 0.5): bins [0, .1) [.1, .2) [.2, .3) [.3, .4) [.4, .5).
        SpikeTrains spikes = Trains(
        [
            0.0,                 // at the start: bin 0
            0.1,                 // on edge 1: bin 1
            0.29999999999999,    // just below edge 3: bin 2
            0.3,                 // on edge 3 (0.3 / 0.1 = 2.9999999999999996 in double): bin 3
            0.1 * 3,             // 0.30000000000000004, edge 3 as double arithmetic computes it: bin 3
            0.49999,             // bin 4
            0.5,                 // on the stop, which is not included: no bin
        ]);
        BinnedSpikes binned = SpikeCounter.CountWindow(spikes, Bins(0.1, 0, 0.5), "r");
        Assert.Equal([1, 5, 1], binned.Counts.Shape);
        Assert.Equal([1.0, 1, 1, 2, 1], binned.Counts.Data);
        Assert.Equal(6, binned.Report.Spikes);
        Assert.Equal(0.5, binned.Report.Applied.Stop);
    }

    [Fact]
    public void WithoutAStopTheLastBinHoldsTheLatestSpikeEvenOnItsEdge()
    {
        // Spikes at 0 and 0.2 with w = 0.1: the window starts at 0 (the first spike, already a multiple of w); the
        // latest spike sits on edge 2, so it opens bin 2 = [0.2, 0.3), the last: T = 3, the window [0, 0.3).
        BinnedSpikes binned = SpikeCounter.CountWindow(Trains([0.0, 0.2]), Bins(0.1), "r");
        Assert.Equal([1.0, 0, 1], binned.Counts.Data);
        Assert.Equal(0.0, binned.Report.Applied.Start);
        Assert.Equal(0.3, binned.Report.Applied.Stop); // the decimal 3 · 0.1, not 0.30000000000000004
    }

    [Fact]
    public void TheDefaultWindowStartsAtTheBinEdgeBelowTheEarliestSpike()
    {
        // Earliest spike 100.25 with w = 0.5: the window starts at 100.0; bins [100, 100.5) … [101.5, 102).
        BinnedSpikes binned = SpikeCounter.CountWindow(Trains([100.25, 100.75], [101.5]), Bins(0.5), "r");
        Assert.Equal([1, 4, 2], binned.Counts.Shape);
        Assert.Equal([1.0, 0, 1, 0, 0, 0, 0, 1], binned.Counts.Data);
        Assert.Equal(100.0, binned.Report.Applied.Start);
        Assert.Equal(102.0, binned.Report.Applied.Stop);
    }

    [Fact]
    public void AGivenStartDropsEarlierSpikesAndCountsOneOnItInBinZero()
    {
        // Start 1, w 0.25, no stop: 0.99 is before the window; 1.0 opens bin 0; 1.5 is on edge 2; the last bin is 2.
        BinnedSpikes binned = SpikeCounter.CountWindow(Trains([0.99, 1.0, 1.5]), Bins(0.25, start: 1), "r");
        Assert.Equal([1.0, 0, 1], binned.Counts.Data);
        Assert.Equal(1.25 + 0.5, binned.Report.Applied.Stop);
        Assert.Equal(2, binned.Report.Spikes);
    }

    [Theory]
    [InlineData(0.1, 0.3, 2)]       // (0.3 − 0.1) / 0.1 = 1.9999999999999998 in double
    [InlineData(1.1, 1.4, 3)]       // 2.9999999999999982 in double
    [InlineData(1000.0, 1000.3, 3)] // 2.999999999999545 in double: the rounding of 1000.3 itself
    [InlineData(0.7, 1.0, 3)]       // 3.0000000000000004 in double: right either way
    [InlineData(0.0, 0.29999999999999993, 2)] // the double just below 0.3 is not on the edge
    public void EdgesAreExactOnTheDecimalValues(double origin, double t, long bin)
    {
        Assert.Equal(bin, new BinGrid(origin, 0.1).IndexOf(t));
    }

    [Fact]
    public void EveryMillisecondLandsInItsTenMillisecondBin()
    {
        // t = k ms as NumPy would hold it (the double nearest k/1000): bin ⌊k / 10⌋ of 10 ms bins, for every k up to 10⁵.
        var grid = new BinGrid(0, 0.01);
        int wrongInDouble = 0;
        for (int k = 0; k <= 100_000; k++)
        {
            double t = double.Parse((k * 0.001m).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            Assert.Equal(k / 10, grid.IndexOf(t));
            wrongInDouble += Math.Floor(t / 0.01) != k / 10 ? 1 : 0;
        }

        Assert.True(wrongInDouble > 0, "plain floating-point division gets some of these wrong, so the test can fail");
    }

    [Fact]
    public void CountingAllocatesTheCountsAndLittleElse()
    {
        // 100,001 spikes on a 1 ms grid in 10 ms bins: every tenth sits on an edge and takes the exact decimal check.
        double[] times = [.. Enumerable.Range(0, 100_001).Select(k => double.Parse((k * 0.001m).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture))];
        SpikeTrains spikes = Trains(times);
        SpikeCounter.CountWindow(spikes, Bins(0.01), "r"); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        BinnedSpikes binned = SpikeCounter.CountWindow(spikes, Bins(0.01), "r");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10_001, binned.Report.Bins); // the last spike, at 100 s, opens bin 10,000
        Assert.All(binned.Counts.Data[..^1], c => Assert.Equal(10, c));
        Assert.InRange(allocated, 10_001 * sizeof(double), 10_001 * sizeof(double) + 4096);
    }

    [Fact]
    public void EdgesComeBackAsTheDoublesNearestTheirDecimals()
    {
        var grid = new BinGrid(0.1, 0.1);
        Assert.Equal(0.4, grid.Edge(3));
        Assert.Equal(3, grid.IndexOf(grid.Edge(3)));
        Assert.Equal(-1, grid.IndexOf(0.05));
    }

    [Fact]
    public void TrialsAreBinnedFromTheirStartsAndCutToTheShortest()
    {
        // w = 0.5; trials [0, 1), [1, 2.6), [3, 4.5) span 2, 3 and 3 whole bins: all are cut to 2.
        SpikeTrains spikes = Trains([0.0, 0.5, 0.99, 1.0, 1.6, 2.2, 3.0, 3.99, 4.4], [1.5, 2.0, 4.0]);
        BinnedSpikes binned = SpikeCounter.CountTrials(spikes, Bins(0.5) with { AlignTrials = true }, [0, 1, 3], [1, 2.6, 4.5], "r", "/intervals/trials");
        Assert.Equal([3, 2, 2], binned.Counts.Shape);
        double[] expected =
        [
            1, 0,   2, 0, // trial 0: 0.0 | 0.5, 0.99 (1.0 is the next trial's)
            1, 0,   1, 1, // trial 1: 1.0 | 1.6 and unit 1's 1.5 (2.0 and 2.2 are cut off)
            1, 0,   1, 0, // trial 2: 3.0 | 3.99 (unit 1's 4.0 and 4.4 are cut off)
        ];
        Assert.Equal(expected, binned.Counts.Data);
        Assert.Equal([2, 3, 3], binned.Report.TrialBins!);
        Assert.True(binned.Report.TrialsCut);
        Assert.Equal(3, binned.Report.LongestTrialBins);
        Assert.Equal(8, binned.Report.Spikes);
    }

    [Fact]
    public void TrialsOfEqualLengthAreNotCut()
    {
        BinnedSpikes binned = SpikeCounter.CountTrials(Trains([0.1, 1.3]), Bins(0.5) with { AlignTrials = true }, [0, 1.2], [1, 2.2], "r", "t");
        // w = 0.5; trials [0, 1) and [1.2, 2.2) span 2 bins each. 0.1: trial 0, bin 0; 1.3: trial 1, bin 0.
        Assert.Equal([1.0, 0, 1, 0], binned.Counts.Data);
        Assert.False(binned.Report.TrialsCut);
    }

    [Fact]
    public void AnNwbTrialsTableIsBinnedByTheLoader()
    {
        string path = NwbBuilder.Write(
            _temp.File("trials.nwb"),
            [[0.0, 0.5, 0.99, 1.0, 1.6, 2.2, 3.0, 3.99, 4.4], [1.5, 2.0, 4.0]],
            trials: [(0, 1), (1, 2.6), (3, 4.5)],
            ids: [21, 22]);
        Recording recording = RecordingLoader.Load(path, new RecordingOptions { Binning = Bins(0.5) with { AlignTrials = true } });
        Assert.Equal([3, 2, 2], recording.Observations.Shape);
        Assert.Equal([1.0, 0, 2, 0, 1, 0, 1, 1, 1, 0, 1, 0], recording.Observations.Data);
        Assert.Equal(["21", "22"], recording.ChannelNames!);
        Assert.True(recording.Binning!.TrialsCut);
    }

    // ---- Refusals -------------------------------------------------------------------------------

    [Fact]
    public void AWindowShorterThanOneBinIsRefused()
    {
        var error = Assert.Throws<InputException>(() => SpikeCounter.CountWindow(Trains([0.01]), Bins(0.1, 0, 0.05), "recording 'r'"));
        Assert.Equal("recording 'r' lasts 0.05 s (from Start 0 s to Stop 0.05 s), less than one bin of 0.1 s.", error.Message);
        Assert.Equal("choose a BinWidth of at most 0.05 s, or a longer window with Start and Stop.", error.Hint);
    }

    [Fact]
    public void SpikesSpanningLessThanOneBinAreRefused()
    {
        var error = Assert.Throws<InputException>(() => SpikeCounter.CountWindow(Trains([0.2, 0.5], [0.3]), Bins(1), "recording 'r'"));
        Assert.Equal("recording 'r' lasts 0.3 s (from the first spike at 0.2 s to the last spike at 0.5 s), less than one bin of 1 s.", error.Message);

        // A span of exactly one bin is one bin.
        Assert.Equal([1, 2, 2], SpikeCounter.CountWindow(Trains([0.2, 0.5], [0.3]), Bins(0.3), "r").Counts.Shape);
    }

    [Fact]
    public void ATrialShorterThanOneBinIsRefused()
    {
        var error = Assert.Throws<InputException>(() => SpikeCounter.CountTrials(Trains([0.1]), Bins(0.5) with { AlignTrials = true }, [0, 2], [1, 2.25], "recording 'r'", "t"));
        Assert.Equal("trial 1 of recording 'r' lasts 0.25 s (from start_time 2 s to stop_time 2.25 s), less than one bin of 0.5 s.", error.Message);
    }

    [Fact]
    public void ATrialThatEndsBeforeItStartsIsRefused()
    {
        var error = Assert.Throws<InputException>(() => SpikeCounter.CountTrials(Trains([0.1]), Bins(0.5) with { AlignTrials = true }, [0, 3], [1, 2], "recording 'r'", "/intervals/trials"));
        Assert.Equal("recording 'r' has trial 1 from start_time 3 s to stop_time 2 s in /intervals/trials: a trial must end after it starts, at finite times.", error.Message);
    }

    [Fact]
    public void AStartAfterTheLastSpikeIsRefused()
    {
        var error = Assert.Throws<InputException>(() => SpikeCounter.CountWindow(Trains([0.2, 0.5]), Bins(0.1, start: 2), "recording 'r'"));
        Assert.Equal("recording 'r' has no spike at or after Start 2 s (the last is at 0.5 s).", error.Message);
    }

    [Fact]
    public void SilenceNeedsAWindow()
    {
        SpikeTrains silent = Trains([], []);
        var error = Assert.Throws<InputException>(() => SpikeCounter.CountWindow(silent, Bins(0.1), "recording 'r'"));
        Assert.Equal("recording 'r' has no spikes, so it has no duration to bin.", error.Message);
        Assert.Equal(new double[8], SpikeCounter.CountWindow(silent, Bins(0.1, 1, 1.4), "r").Counts.Data);
    }

    [Theory]
    [InlineData(0.0, "BinWidth must be a positive number of seconds, got 0.")]
    [InlineData(-0.5, "BinWidth must be a positive number of seconds, got -0.5.")]
    [InlineData(double.NaN, "BinWidth must be a positive number of seconds, got NaN.")]
    public void ABinWidthMustBePositive(double width, string message)
    {
        var error = Assert.Throws<InputException>(() => Bins(width).Validate());
        Assert.Equal(message, error.Message);
        Assert.Equal("BinWidth", error.Setting);
    }

    [Fact]
    public void AWindowMustEndAfterItStartsAndTrialsTakeNoWindow()
    {
        Assert.Equal("the window [Start 2 s, Stop 1 s) is empty: it must end after it starts.", Assert.Throws<InputException>(() => Bins(0.1, 2, 1).Validate()).Message);
        Assert.Equal(
            "AlignTrials bins each trial from its start_time to its stop_time, so Start has no window to set.",
            Assert.Throws<InputException>(() => (Bins(0.1, start: 0) with { AlignTrials = true }).Validate()).Message);
    }

    [Fact]
    public void ASpikeFarFromTheRestIsRefusedBeforeAllocatingItsBins()
    {
        // One damaged spike time 10⁷ s after the others: about 10¹⁰ bins of 1 ms for 2 units.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InputException>(() => SpikeCounter.CountWindow(Trains([0.5, 1.5], [0.7, 1e7]), Bins(0.001), "recording 'r'"));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.Equal("binning recording 'r' at 0.001 s needs the counts [trials, bins, units]: [1 × 9999999501 × 2] = 19,999,999,002 values in one array, more than an array can hold (2,147,483,591); in all it needs 149.0 GiB (159,999,992,016 bytes).", error.Message);
        Assert.Equal("choose a wider BinWidth, or a shorter window with Start and Stop (a spike far from the rest stretches the recording).", error.Hint);
    }
}
