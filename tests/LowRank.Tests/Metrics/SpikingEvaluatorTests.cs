using LowRank.Data;
using LowRank.Metrics;
using LowRank.Model;
using LowRank.Simulation;

namespace LowRank.Tests.Metrics;

public sealed class SpikingEvaluatorTests
{
    private const int Steps = 600, Units = 8;

    private static readonly LowRankRnn Poisson = Teachers.Create(new TeacherOptions { Units = 64, Channels = Units, Likelihood = Likelihood.Poisson, Seed = 4 });

    private static readonly LowRankRnn Gaussian = Teachers.Create(new TeacherOptions { Units = 64, Channels = Units, Seed = 4 });

    private static readonly SequenceSet Counts = SequenceSet.Continuous(
        Simulator.Run(Poisson, new SimulationOptions { Steps = Steps, BurnIn = 100, Seed = 9, Threads = 1 }).Samples, Steps, Units);

    private static readonly SequenceSet Signals = SequenceSet.Continuous(
        Simulator.Run(Gaussian, new SimulationOptions { Steps = Steps, BurnIn = 100, Seed = 9, Threads = 1 }).Samples, Steps, Units);

    [Fact]
    public void AutoChoosesSpikesForAPoissonModelOrCountData()
    {
        Assert.Equal(EvaluationMetrics.Spikes, SpikingEvaluator.Choose(EvaluationMetrics.Auto, Poisson, Counts, "data"));
        Assert.Equal(EvaluationMetrics.Eeg, SpikingEvaluator.Choose(EvaluationMetrics.Auto, Gaussian, Signals, "data"));
        Assert.Equal(EvaluationMetrics.Eeg, SpikingEvaluator.Choose(EvaluationMetrics.Eeg, Poisson, Counts, "data"));
        Assert.Equal(EvaluationMetrics.Spikes, SpikingEvaluator.Choose(EvaluationMetrics.Spikes, Poisson, Counts, "data"));

        // Count data with a Gaussian model: the spiking statistics are chosen, and the model cannot generate spikes.
        var error = Assert.Throws<InputException>(() => SpikingEvaluator.Choose(EvaluationMetrics.Auto, Gaussian, Counts, "data"));
        Assert.StartsWith("the spiking statistics (chosen by count data) compare spike trains, but the model has a gaussian likelihood", error.Message);

        // A Poisson model on data that are not counts.
        error = Assert.Throws<InputException>(() => SpikingEvaluator.Choose(EvaluationMetrics.Auto, Poisson, Signals, "recording 'x'"));
        Assert.StartsWith("the spiking statistics (chosen by the model's Poisson likelihood) compare spike counts, but recording 'x' holds ", error.Message);
    }

    [Fact]
    public void MissingBinsStillCount()
    {
        double[] observations = (double[])Counts.Observations.Clone();
        observations[5] = double.NaN;
        Assert.Equal(EvaluationMetrics.Spikes, SpikingEvaluator.Choose(EvaluationMetrics.Spikes, Poisson, SequenceSet.Continuous(observations, Steps, Units), "data"));
    }

    [Fact]
    public void EachSeriesIsTheProtocolsGeneratedSeriesScoredAgainstTheData()
    {
        // Composed by hand: series g is generated from a prior draw (a Poisson model has no posterior initial state)
        // with seed_g after the burn-in, and compared with the last 200 steps.
        var request = new EvaluationRequest { BurnIn = 30, Seed = 6, Generations = 2, Holdout = 1.0 / 3, Threads = 1 };
        var options = new SpikingOptions { CorrelationBins = 5 };
        SpikingEvaluationResult result = SpikingEvaluator.Evaluate(Poisson, Counts, request, options);

        Assert.Equal(400, result.FirstStep);
        Assert.Equal(200, result.Steps);
        Assert.Equal("prior_sample", result.InitialState);
        Assert.Null(result.CoSmoothing);
        double[] scored = Counts.Observations[(400 * Units)..];
        SpikeCountStatistics data = SpikeCountStatistics.Of(scored, 200, Units, SpikingOptions.DefaultIsiBins, 5);
        Assert.Equal(data.MeanRates, result.Data.MeanRates);
        Assert.Equal(data.Correlations, result.Data.Correlations);
        for (int g = 0; g < 2; g++)
        {
            long seed = ProtocolEvaluator.SeedOfGeneration(6, g);
            SimulationResult generated = Simulator.Run(Poisson, new SimulationOptions { Steps = 200, BurnIn = 30, Initial = InitialStateMode.PriorSample, Seed = seed, Threads = 1 });
            SpikingAgreement expected = SpikingAgreement.Of(SpikeCountStatistics.Of(generated.Samples, 200, Units, SpikingOptions.DefaultIsiBins, 5), data);
            Assert.Equal(seed, result.Series[g].Seed);
            Assert.Equal(expected, result.Series[g].Agreement);
        }

        Assert.Equal((result.Series[0].Agreement.RateR + result.Series[1].Agreement.RateR) / 2, result.RateR, 1e-15);
        Assert.Equal(Math.Abs(result.Series[0].Agreement.IsiCvError - result.Series[1].Agreement.IsiCvError) / Math.Sqrt(2), result.SdOverSeries.IsiCvError, 1e-15);
        Assert.NotNull(result.PairwiseCorrRSummed);

        // The raster keeps the scored data's first bins and series 0's (all 200 here: fewer than RasterSteps).
        SpikeRaster raster = Assert.IsType<SpikeRaster>(result.Raster);
        Assert.Equal(200, raster.Steps);
        Assert.Equal(Units, raster.Units);
        Assert.Equal(scored, raster.Data);
        SimulationResult first = Simulator.Run(Poisson, new SimulationOptions { Steps = 200, BurnIn = 30, Initial = InitialStateMode.PriorSample, Seed = ProtocolEvaluator.SeedOfGeneration(6, 0), Threads = 1 });
        Assert.Equal(first.Samples, raster.Generated);
    }

    [Fact]
    public void TheRasterKeepsAtMostItsBins()
    {
        var request = new EvaluationRequest { BurnIn = 10, Seed = 1, Threads = 1 };
        SpikingEvaluationResult result = SpikingEvaluator.Evaluate(Poisson, Counts, request, new SpikingOptions());
        SpikeRaster raster = Assert.IsType<SpikeRaster>(result.Raster);
        Assert.Equal(SpikingEvaluator.RasterSteps, raster.Steps);
        Assert.Equal(Counts.Observations[..(SpikingEvaluator.RasterSteps * Units)], raster.Data);
        Assert.Equal(SpikingEvaluator.RasterSteps * Units, raster.Generated.Length);
    }

    [Fact]
    public void CoSmoothingUsesTheSeedsHeldOutUnits()
    {
        var request = new EvaluationRequest { BurnIn = 10, Seed = 3, Threads = 1 };
        SpikingEvaluationResult result = SpikingEvaluator.Evaluate(Poisson, Counts, request, new SpikingOptions { HeldOutUnits = 0.25, Particles = 16 });
        Assert.NotNull(result.CoSmoothing);
        Assert.Equal(CoSmoothing.PickHeldOutUnits(Units, 0.25, 3), result.CoSmoothing.HeldOutUnits);
        Assert.True(double.IsFinite(result.CoSmoothing.BitsPerSpike));
    }

    [Fact]
    public void SnippetFromMetricsRuns()
    {
        // docs/metrics.md, "Library API", with the recording's data in Counts.
        EvaluationMetrics chosen = SpikingEvaluator.Choose(EvaluationMetrics.Auto, Poisson, Counts, "recording 'spikes.npz'");
        SpikingEvaluationResult spikes = SpikingEvaluator.Evaluate(Poisson, Counts,
            new EvaluationRequest { BurnIn = 500, Holdout = 0.2, Seed = 1 },
            new SpikingOptions { CorrelationBins = 5, HeldOutUnits = 0.2 });
        double rateR = spikes.RateR, corrR = spikes.PairwiseCorrR, cvError = spikes.IsiCvError;
        double? coBps = spikes.CoSmoothing?.BitsPerSpike;

        Assert.Equal(EvaluationMetrics.Spikes, chosen);
        Assert.All(new[] { rateR, corrR, cvError, coBps!.Value }, v => Assert.True(double.IsFinite(v)));
    }
}
