using LowRank.Metrics;

namespace LowRank.Tests.Metrics;

/// <summary>The spiking statistics on tiny count arrays worked out by hand.</summary>
public sealed class SpikingStatisticsTests
{
    [Fact]
    public void MeanRatesSkipMissingBins()
    {
        // [T = 3, X = 2]: unit 0 = 1, 2, NaN → 3 / 2 observed bins = 1.5; unit 1 = 0, 0, 3 → 1.
        double[] counts = [1, 0, 2, 0, double.NaN, 3];
        Assert.Equal([1.5, 1.0], SpikingStatistics.MeanRates(counts, 3, 2));
    }

    [Fact]
    public void IntervalsAtBinResolution()
    {
        // One unit, counts 1 0 2 0 0 1 1: spikes at bins 0, 2, 2, 5, 6 → intervals 2, 0, 3, 1.
        // Mean 1.5; deviations 0.5, −1.5, 1.5, −0.5; population variance (0.25 + 2.25 + 2.25 + 0.25) / 4 = 1.25;
        // CV = √1.25 / 1.5 = 0.745356. Histogram with B = 3: interval 0 → bin 0, 1 → bin 1, 2 and 3 → bin 2 ("2 or more").
        double[] counts = [1, 0, 2, 0, 0, 1, 1];
        Assert.Equal(Math.Sqrt(1.25) / 1.5, SpikingStatistics.IsiCv(counts, 7, 1)[0], 1e-15);
        Assert.Equal([1L, 1, 2], SpikingStatistics.IsiHistogram(counts, 7, 1, 3));

        // The same unit with a missing bin between its spikes: the interval spans it (0 → 2 is still 2).
        double[] missing = [1, double.NaN, 2, 0, 0, 1, 1];
        Assert.Equal(Math.Sqrt(1.25) / 1.5, SpikingStatistics.IsiCv(missing, 7, 1)[0], 1e-15);
    }

    [Fact]
    public void IsiCvNeedsThreeIntervalsAndAPositiveMean()
    {
        // Unit 0: spikes at 0, 3, 4 → intervals 3, 1 (too few). Unit 1: 4 spikes in bin 0 → 3 intervals of 0 (mean 0).
        double[] counts = [1, 4, 0, 0, 0, 0, 1, 0, 1, 0];
        double[] cv = SpikingStatistics.IsiCv(counts, 5, 2);
        Assert.True(double.IsNaN(cv[0]));
        Assert.True(double.IsNaN(cv[1]));
        Assert.Equal([0L, 1, 0, 1, 3, 0, 0, 0], SpikingStatistics.IsiHistogram(counts, 5, 2, 4));
    }

    [Fact]
    public void CountCorrelationsPerBinAndSummedOverWindows()
    {
        // [T = 4, X = 3]: unit 0 = 1 0 2 1, unit 1 = 0 1 2 1, unit 2 = 2 2 2 2 (constant).
        // Per bin: both means 1; deviations (0, −1, 1, 0) and (−1, 0, 1, 0): sxy = 1, sxx = syy = 2 → r = 0.5.
        // k = 2: windows (1, 3) and (1, 3) → r = 1. A constant unit has no correlation (NaN, diagonal too).
        double[] counts = [1, 0, 2, 0, 1, 2, 2, 2, 2, 1, 1, 2];
        double[] perBin = SpikingStatistics.CountCorrelations(counts, 4, 3, 1);
        Assert.Equal(1, perBin[0]);
        Assert.Equal(0.5, perBin[1], 1e-15);
        Assert.Equal(0.5, perBin[3], 1e-15);
        Assert.Equal(1, perBin[4]);
        Assert.All(new[] { perBin[2], perBin[5], perBin[6], perBin[7], perBin[8] }, v => Assert.True(double.IsNaN(v)));

        double[] summed = SpikingStatistics.CountCorrelations(counts, 4, 3, 2);
        Assert.Equal(1, summed[1], 1e-15);

        // k = 3 leaves one window (bin 3 is dropped): no correlation.
        Assert.True(double.IsNaN(SpikingStatistics.CountCorrelations(counts, 4, 3, 3)[1]));
    }

    [Fact]
    public void CountCorrelationsUseTheBinsBothUnitsObserve()
    {
        // Unit 0 = 1 NaN 2 1, unit 1 = 0 1 2 1: bins 0, 2, 3 only. Means 4/3 and 1; deviations (−1/3, 2/3, −1/3)
        // and (−1, 1, 0): sxy = 1, sxx = 2/3, syy = 2 → r = 1 / √(4/3) = 0.866025.
        double[] counts = [1, 0, double.NaN, 1, 2, 2, 1, 1];
        Assert.Equal(1 / Math.Sqrt(4.0 / 3), SpikingStatistics.CountCorrelations(counts, 4, 2, 1)[1], 1e-15);

        // Summed over k = 2 the window holding the missing bin is missing for unit 0, leaving one window: NaN.
        Assert.True(double.IsNaN(SpikingStatistics.CountCorrelations(counts, 4, 2, 2)[1]));
    }

    [Fact]
    public void CountDataAreWholeNonNegativeNumbersOrMissing()
    {
        Assert.Equal(-1, SpikingStatistics.FirstNonCount([0, 1, double.NaN, 7]));
        Assert.Equal(1, SpikingStatistics.FirstNonCount([0, 1.5, 2]));
        Assert.Equal(0, SpikingStatistics.FirstNonCount([-1, 2]));
        Assert.Equal(2, SpikingStatistics.FirstNonCount([0, 0, double.PositiveInfinity]));
    }

    [Fact]
    public void AgreementNumbersByHand()
    {
        // Rates: data 1, 2, 3; generated 2, 4, 7. Deviations (−1, 0, 1) and (−7/3, −1/3, 8/3): sxy = 5, sxx = 2,
        // syy = 114/9 → r = 5 / √(228/9) = 0.993399.
        // Correlations above the diagonal ([0,1], [0,2], [1,2]): data 0.1, 0.2, 0.3; generated 0.2, 0.1, 0.5. In units of
        // 1/30 the deviations are (−3, 0, 3) and (−2, −5, 7): r = 27 / √(18 · 78) = 0.720577. The diagonal and the
        // lower triangle (filled with other values here) are not read.
        // ISI CV: data 0.5, NaN, 1.0; generated 0.7, 0.9, 0.4 → |differences| 0.2, 0.6 on 2 units → median 0.4.
        var data = Statistics([1, 2, 3], [0.5, double.NaN, 1.0], [1, 0.1, 0.2, 9, 1, 0.3, 9, 9, 1]);
        var generated = Statistics([2, 4, 7], [0.7, 0.9, 0.4], [1, 0.2, 0.1, -9, 1, 0.5, -9, -9, 1]);

        SpikingAgreement agreement = SpikingAgreement.Of(generated, data);

        Assert.Equal(5 / Math.Sqrt(228.0 / 9), agreement.RateR, 1e-14);
        Assert.Equal(3, agreement.RateUnits);
        Assert.Equal(27 / Math.Sqrt(18.0 * 78), agreement.PairwiseCorrR, 1e-14);
        Assert.Equal(3, agreement.Pairs);
        Assert.Null(agreement.PairwiseCorrRSummed);
        Assert.Equal(0.4, agreement.IsiCvError, 1e-15);
        Assert.Equal(2, agreement.IsiCvUnits);
    }

    [Fact]
    public void UndefinedPairsAreLeftOutAndTooFewGiveNaN()
    {
        // Pair [0,2] undefined in the data: only [0,1] and [1,2] count, and two points always correlate ±1.
        var data = Statistics([1, 1, 1], [double.NaN, double.NaN, double.NaN], [1, 0.1, double.NaN, 0, 1, 0.3, 0, 0, 1]);
        var generated = Statistics([1, 2, 3], [1, 1, 1], [1, 0.2, 0.4, 0, 1, 0.6, 0, 0, 1]);

        SpikingAgreement agreement = SpikingAgreement.Of(generated, data);

        Assert.Equal(2, agreement.Pairs);
        Assert.Equal(1, agreement.PairwiseCorrR, 1e-15);
        Assert.True(double.IsNaN(agreement.RateR));      // constant data rates
        Assert.True(double.IsNaN(agreement.IsiCvError)); // no unit with both CVs
        Assert.Equal(0, agreement.IsiCvUnits);
    }

    [Fact]
    public void SummaryOfASeriesCombinesTheStatistics()
    {
        // [T = 4, X = 2] from CountCorrelationsPerBinAndSummedOverWindows, k = 2.
        double[] counts = [1, 0, 0, 1, 2, 2, 1, 1];
        SpikeCountStatistics summary = SpikeCountStatistics.Of(counts, 4, 2, isiBins: 5, correlationBins: 2);
        Assert.Equal([1.0, 1.0], summary.MeanRates);
        Assert.Equal(0.5, summary.Correlations[1], 1e-15);
        Assert.Equal(1, summary.SummedCorrelations![1], 1e-15);
        Assert.Equal(1.0, summary.PopulationRate);
        Assert.Equal(10, summary.IsiHistogram.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => SpikeCountStatistics.Of(counts, 4, 2, 5, correlationBins: 3));
    }

    private static SpikeCountStatistics Statistics(double[] rates, double[] cv, double[] correlations) =>
        new(100, rates.Length, rates, cv, 1, new long[rates.Length], correlations, null, null);
}
