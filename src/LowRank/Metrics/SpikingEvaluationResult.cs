using LowRank.Numerics;

namespace LowRank.Metrics;

// Dimension legend: G generated series, X units.

/// <summary>One generated series, its spiking statistics and their agreement with the data's.</summary>
/// <param name="Generation">Index g of the series (0 … G − 1).</param>
/// <param name="Seed">The seed it was generated with (<see cref="ProtocolEvaluator.SeedOfGeneration"/>).</param>
/// <param name="Generated">Its spiking statistics.</param>
/// <param name="Agreement">Their agreement with the data's.</param>
public sealed record SpikingSeries(int Generation, long Seed, SpikeCountStatistics Generated, SpikingAgreement Agreement);

/// <summary>
/// The first <see cref="Steps"/> bins of the scored data and of generated series 0, for a raster of one against the
/// other (the statistics keep no counts).
/// </summary>
/// <param name="Steps">Bins kept (at most <see cref="SpikingEvaluator.RasterSteps"/>).</param>
/// <param name="Units">Units X.</param>
/// <param name="Data">The data's counts [Steps, X] (NaN: missing).</param>
/// <param name="Generated">Series 0's counts [Steps, X].</param>
public sealed record SpikeRaster(int Steps, int Units, double[] Data, double[] Generated);

/// <summary>A spiking model scored against recorded counts (<see cref="SpikingEvaluator.Evaluate"/>).</summary>
/// <remarks>
/// With one series (G = 1) each agreement number is that series'; with G &gt; 1 it is the mean over the series (NaN
/// when any series' is NaN) and the <c>…Sd</c> figures are sample sds (n − 1) over them (0 for G = 1).
/// </remarks>
/// <param name="Data">The spiking statistics of the scored data.</param>
/// <param name="Series">The G series in generation order [G]; at least one.</param>
/// <param name="CoSmoothing">The co-smoothing score, or null when not asked for.</param>
/// <param name="FirstStep">First step of the recording that was scored.</param>
/// <param name="Steps">Steps scored (and generated after the burn-in, per series).</param>
/// <param name="BurnIn">Steps simulated before recording, per series.</param>
/// <param name="InitialState">How each series started: <c>prior_sample</c> or <c>posterior_sample</c>.</param>
public sealed record SpikingEvaluationResult(
    SpikeCountStatistics Data, IReadOnlyList<SpikingSeries> Series, CoSmoothingScore? CoSmoothing, int FirstStep, int Steps, int BurnIn, string InitialState)
{
    /// <summary>The G series in generation order [G]; at least one.</summary>
    public IReadOnlyList<SpikingSeries> Series { get; init; } =
        Series is { Count: > 0 } ? Series : throw new ArgumentException("A spiking evaluation scores at least one generated series.", nameof(Series));

    /// <summary>The first bins of the data and of series 0, for a raster (null when not kept).</summary>
    public SpikeRaster? Raster { get; init; }

    /// <summary>Number of generated series G.</summary>
    public int Generations => Series.Count;

    /// <summary>rate_r, mean over the series.</summary>
    public double RateR => Statistics.Mean(RateRPerGeneration);

    /// <summary>pairwise_corr_r (counts per bin), mean over the series.</summary>
    public double PairwiseCorrR => Statistics.Mean(PairwiseCorrRPerGeneration);

    /// <summary>pairwise_corr_r of the counts summed over k bins, mean over the series; null when not computed.</summary>
    public double? PairwiseCorrRSummed => Data.CorrelationBins is null ? null : Statistics.Mean([.. Series.Select(s => s.Agreement.PairwiseCorrRSummed ?? double.NaN)]);

    /// <summary>isi_cv_error, mean over the series.</summary>
    public double IsiCvError => Statistics.Mean(IsiCvErrorPerGeneration);

    /// <summary>Sample sd (n − 1) over the series of rate_r, pairwise_corr_r and isi_cv_error; 0 for one series.</summary>
    public (double RateR, double PairwiseCorrR, double IsiCvError) SdOverSeries =>
        (Statistics.SampleSd(RateRPerGeneration), Statistics.SampleSd(PairwiseCorrRPerGeneration), Statistics.SampleSd(IsiCvErrorPerGeneration));

    /// <summary>rate_r of each series [G].</summary>
    public double[] RateRPerGeneration => [.. Series.Select(s => s.Agreement.RateR)];

    /// <summary>pairwise_corr_r of each series [G].</summary>
    public double[] PairwiseCorrRPerGeneration => [.. Series.Select(s => s.Agreement.PairwiseCorrR)];

    /// <summary>isi_cv_error of each series [G].</summary>
    public double[] IsiCvErrorPerGeneration => [.. Series.Select(s => s.Agreement.IsiCvError)];

    /// <summary>The seed of each series [G].</summary>
    public long[] GenerationSeeds => [.. Series.Select(s => s.Seed)];
}
