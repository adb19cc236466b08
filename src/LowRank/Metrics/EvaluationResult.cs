using LowRank.Numerics;

namespace LowRank.Metrics;

// Dimension legend: G generated series, K Monte-Carlo seeds of D_stsp, X channels.

/// <summary>One generated series and its metrics against the data.</summary>
/// <param name="Generation">Index g of the series (0 … G − 1).</param>
/// <param name="Seed">
/// The seed the series was generated and scored with (<see cref="ProtocolEvaluator.SeedOfGeneration"/>): evaluating
/// with this seed and one generation gives exactly these metrics.
/// </param>
/// <param name="Metrics">D_stsp (mean and sd over the Monte-Carlo seeds, per seed, dropped draws) and D_H of this series.</param>
/// <param name="DominantFrequency">
/// The series' dominant frequency, cycles per step (<see cref="Spectra.DominantFrequency"/> over its channels; NaN when
/// it is shorter than <see cref="Spectra.MinimumSteps"/>).
/// </param>
public sealed record GeneratedSeriesScore(int Generation, long Seed, MetricsReport Metrics, double DominantFrequency);

/// <summary>The metrics of a model against a recording over G generated series, with how they were obtained.</summary>
/// <remarks>
/// With one series (G = 1, the published protocol) every figure is that series' figure: <see cref="DStsp"/> and
/// <see cref="DStspSd"/> are the mean and sd over the Monte-Carlo seeds, <see cref="DH"/> its D_H. With G &gt; 1,
/// <see cref="DStsp"/> and <see cref="DH"/> are means over the series and <see cref="DStspSd"/> and <see cref="DHSd"/>
/// sample standard deviations (n − 1) over the series; the Monte-Carlo spread within a series is
/// <see cref="DStspMonteCarloSd"/> (docs/metrics.md, "Several generated series").
/// </remarks>
/// <param name="Series">The G series in generation order [G].</param>
/// <param name="FirstStep">First step of the recording that was scored (the held-out boundary, or 0).</param>
/// <param name="Steps">Steps scored (and generated after the burn-in, per series).</param>
/// <param name="BurnIn">Steps simulated before recording, per series.</param>
/// <param name="InitialState">How each series started: <c>prior_sample</c> or <c>posterior_sample</c>.</param>
public sealed record EvaluationResult(IReadOnlyList<GeneratedSeriesScore> Series, int FirstStep, int Steps, int BurnIn, string InitialState)
{
    /// <summary>The G series in generation order [G]; at least one.</summary>
    public IReadOnlyList<GeneratedSeriesScore> Series { get; init; } =
        Series is { Count: > 0 } ? Series : throw new ArgumentException("An evaluation scores at least one generated series.", nameof(Series));

    /// <summary>Number of generated series G.</summary>
    public int Generations => Series.Count;

    /// <summary>D_stsp: the mean over the series of each series' D_stsp (itself a mean over the Monte-Carlo seeds).</summary>
    public double DStsp => MeanOver(s => s.Metrics.DStsp);

    /// <summary>
    /// The spread of <see cref="DStsp"/> to report: with G &gt; 1 the sample sd over the series
    /// (<see cref="DStspSdOverSeries"/>); with G = 1 the sample sd over the Monte-Carlo seeds (the published
    /// protocol's only spread). <see cref="DStspSdOver"/> names which.
    /// </summary>
    public double DStspSd => Generations > 1 ? DStspSdOverSeries : Series[0].Metrics.DStspSd;

    /// <summary>What <see cref="DStspSd"/> is taken over: <c>generations</c> (G &gt; 1) or <c>seeds</c> (G = 1).</summary>
    public string DStspSdOver => Generations > 1 ? "generations" : "seeds";

    /// <summary>Sample standard deviation (n − 1) of D_stsp over the series; 0 for one series.</summary>
    public double DStspSdOverSeries => SampleSd(s => s.Metrics.DStsp);

    /// <summary>
    /// The Monte-Carlo spread within a series: the root mean square over the series of each series' sd over the seeds
    /// (the pooled within-series sd; with G = 1 that series' sd).
    /// </summary>
    public double DStspMonteCarloSd
    {
        get
        {
            if (Generations == 1)
            {
                return Series[0].Metrics.DStspSd;
            }

            double sumSquares = 0;
            foreach (GeneratedSeriesScore s in Series)
            {
                sumSquares += s.Metrics.DStspSd * s.Metrics.DStspSd;
            }

            return Math.Sqrt(sumSquares / Generations);
        }
    }

    /// <summary>D_H: the mean over the series of each series' D_H (itself a mean over channels).</summary>
    public double DH => MeanOver(s => s.Metrics.DH);

    /// <summary>The dominant frequency of the generated series, cycles per step: the mean over the series.</summary>
    public double DominantFrequency => MeanOver(s => s.DominantFrequency);

    /// <summary>The dominant frequency of the scored recording, cycles per step (NaN when it is too short to tell).</summary>
    public double DataDominantFrequency { get; init; } = double.NaN;

    /// <summary>The dominant frequency of each series [G].</summary>
    public double[] DominantFrequencyPerGeneration => [.. Series.Select(s => s.DominantFrequency)];

    /// <summary>Sample standard deviation (n − 1) of D_H over the series; 0 for one series.</summary>
    public double DHSd => SampleSd(s => s.Metrics.DH);

    /// <summary>D_stsp of each series [G].</summary>
    public double[] DStspPerGeneration => [.. Series.Select(s => s.Metrics.DStsp)];

    /// <summary>D_H of each series [G].</summary>
    public double[] DHPerGeneration => [.. Series.Select(s => s.Metrics.DH)];

    /// <summary>The seed of each series [G].</summary>
    public long[] GenerationSeeds => [.. Series.Select(s => s.Seed)];

    /// <summary>D_stsp of every Monte-Carlo seed of every series, series after series [G·K]; <see cref="DStsp"/> is their mean.</summary>
    public double[] DStspPerSeed => [.. Series.SelectMany(s => s.Metrics.DStspPerSeed)];

    /// <summary>Draws dropped by the float32-underflow emulation, per seed of every series, series after series [G·K].</summary>
    public int[] DStspDropped => [.. Series.SelectMany(s => s.Metrics.DStspDropped)];

    /// <summary>D_H of each channel, mean over the series [X]; <see cref="DH"/> is their mean.</summary>
    public double[] DHPerChannel
    {
        get
        {
            var mean = new double[Series[0].Metrics.DHPerChannel.Length];
            foreach (GeneratedSeriesScore s in Series)
            {
                for (int c = 0; c < mean.Length; c++)
                {
                    mean[c] += s.Metrics.DHPerChannel[c];
                }
            }

            for (int c = 0; c < mean.Length; c++)
            {
                mean[c] /= Generations;
            }

            return mean;
        }
    }

    /// <summary>The mean of <paramref name="value"/> over the series, summed in generation order.</summary>
    private double MeanOver(Func<GeneratedSeriesScore, double> value) => Statistics.Mean([.. Series.Select(value)]);

    /// <summary>The sample standard deviation (n − 1) of <paramref name="value"/> over the series; 0 for one series.</summary>
    private double SampleSd(Func<GeneratedSeriesScore, double> value) => Statistics.SampleSd([.. Series.Select(value)]);
}
