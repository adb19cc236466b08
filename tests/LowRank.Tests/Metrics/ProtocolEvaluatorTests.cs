using LowRank.Data;
using LowRank.Metrics;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Simulation;
using LowRank.Smc;

namespace LowRank.Tests.Metrics;

public sealed class ProtocolEvaluatorTests
{
    private const int Steps = 500, Channels = 4;

    private static readonly LowRankRnn Teacher = Teachers.Create(new TeacherOptions { Units = 64, Channels = Channels, Seed = 3 });

    private static readonly SequenceSet Data = SequenceSet.Continuous(
        Simulator.Run(Teacher, new SimulationOptions { Steps = Steps, BurnIn = 100, Seed = 11 }).Samples, Steps, Channels);

    private static EvaluationResult Evaluate(long seed, int generations, int threads = 2) =>
        ProtocolEvaluator.Evaluate(Teacher, Data, new EvaluationRequest { BurnIn = 50, Seeds = 3, Seed = seed, Generations = generations, Threads = threads });

    [Fact]
    public void OneGenerationIsThePublishedProtocolWithTheSeed()
    {
        // The protocol composed by hand: posterior draw of z_0 from its stream, one simulated trial, the metrics with the same seed.
        InitialPosterior posterior = ParticleFilter.PosteriorOfInitialState(Teacher, Data.Observations.AsSpan(0, Channels), []);
        double[] z0 = posterior.Sample(Rng.Create(5, ProtocolEvaluator.InitialStateStream));
        SimulationResult generated = Simulator.Run(
            Teacher, new SimulationOptions { Steps = Steps, BurnIn = 50, Initial = InitialStateMode.PosteriorSample, Seed = 5 }, null, z0);
        MetricsReport expected = MetricsEvaluator.Evaluate(generated.Samples, Data.Observations, Steps, Channels, new MetricsOptions { Seeds = 3, Seed = 5 });

        EvaluationResult result = Evaluate(seed: 5, generations: 1);

        Assert.Equal(1, result.Generations);
        Assert.Equal(5, result.Series[0].Seed);
        Assert.Equal(expected.DStsp, result.DStsp);
        Assert.Equal(expected.DStspSd, result.DStspSd);
        Assert.Equal(expected.DStspSd, result.DStspMonteCarloSd);
        Assert.Equal("seeds", result.DStspSdOver);
        Assert.Equal(expected.DH, result.DH);
        Assert.Equal(0, result.DHSd);
        Assert.Equal(0, result.DStspSdOverSeries);
        Assert.Equal(expected.DStspPerSeed, result.DStspPerSeed);
        Assert.Equal(expected.DStspDropped, result.DStspDropped);
        Assert.Equal(expected.DHPerChannel, result.DHPerChannel);
        Assert.Equal([expected.DStsp], result.DStspPerGeneration);
        Assert.Equal([expected.DH], result.DHPerGeneration);
        Assert.Equal("posterior_sample", result.InitialState);
    }

    [Fact]
    public void EachSeriesIsTheOneSeriesProtocolWithItsSeed()
    {
        EvaluationResult result = Evaluate(seed: 5, generations: 3);

        Assert.Equal(3, result.Generations);
        Assert.Equal([5, ProtocolEvaluator.SeedOfGeneration(5, 1), ProtocolEvaluator.SeedOfGeneration(5, 2)], result.GenerationSeeds);
        for (int g = 0; g < 3; g++)
        {
            MetricsReport alone = Evaluate(result.Series[g].Seed, generations: 1).Series[0].Metrics;
            MetricsReport inSet = result.Series[g].Metrics;
            Assert.Equal(g, result.Series[g].Generation);
            Assert.Equal(alone.DStsp, inSet.DStsp);
            Assert.Equal(alone.DStspPerSeed, inSet.DStspPerSeed);
            Assert.Equal(alone.DStspDropped, inSet.DStspDropped);
            Assert.Equal(alone.DH, inSet.DH);
            Assert.Equal(alone.DHPerChannel, inSet.DHPerChannel);
        }

        // Independent seeds generate different series.
        Assert.Equal(3, result.DStspPerGeneration.Distinct().Count());
        Assert.Equal(3, result.DHPerGeneration.Distinct().Count());
    }

    [Fact]
    public void SummaryIsTheMeanAndSampleSdOverTheSeries()
    {
        EvaluationResult result = Evaluate(seed: 2, generations: 3);
        double[] dStsp = result.DStspPerGeneration, dh = result.DHPerGeneration;

        Assert.Equal(dStsp.Average(), result.DStsp, 1e-12);
        Assert.Equal(SampleSd(dStsp), result.DStspSd, 1e-12);
        Assert.Equal(SampleSd(dStsp), result.DStspSdOverSeries, 1e-12);
        Assert.Equal("generations", result.DStspSdOver);
        Assert.Equal(dh.Average(), result.DH, 1e-12);
        Assert.Equal(SampleSd(dh), result.DHSd, 1e-12);
        Assert.True(result.DStspSd > 0 && result.DHSd > 0);

        // Pooled Monte-Carlo sd: root mean square of the per-series sds over the seeds.
        double pooled = Math.Sqrt(result.Series.Average(s => s.Metrics.DStspSd * s.Metrics.DStspSd));
        Assert.Equal(pooled, result.DStspMonteCarloSd, 1e-12);

        // The flat per-seed list and the per-channel means average to the same figures.
        Assert.Equal(9, result.DStspPerSeed.Length);
        Assert.Equal(9, result.DStspDropped.Length);
        Assert.Equal(result.Series[1].Metrics.DStspPerSeed, result.DStspPerSeed[3..6]);
        Assert.Equal(result.DStsp, result.DStspPerSeed.Average(), 1e-12);
        Assert.Equal(result.DH, result.DHPerChannel.Average(), 1e-12);
        Assert.Equal(result.Series.Average(s => s.Metrics.DHPerChannel[1]), result.DHPerChannel[1], 1e-12);
    }

    [Fact]
    public void FiguresDoNotDependOnTheThreadCount()
    {
        EvaluationResult one = Evaluate(seed: 7, generations: 2, threads: 1);
        EvaluationResult two = Evaluate(seed: 7, generations: 2, threads: 2);

        Assert.Equal(one.DStspPerSeed, two.DStspPerSeed);
        Assert.Equal(one.DHPerChannel, two.DHPerChannel);
        Assert.Equal(one.DStspPerGeneration, two.DStspPerGeneration);
        Assert.Equal(one.DHPerGeneration, two.DHPerGeneration);
        Assert.Equal(one.DStspSd, two.DStspSd);
        Assert.Equal(one.DHSd, two.DHSd);
    }

    [Fact]
    public void ReportsProgressOncePerSeries()
    {
        var progress = new RecordingProgress();
        ProtocolEvaluator.Evaluate(Teacher, Data, new EvaluationRequest { BurnIn = 10, Seeds = 1, Generations = 3, Threads = 1 }, progress);

        Assert.Equal([1L, 2L, 3L], progress.Updates.Select(u => u.Done));
        Assert.All(progress.Updates, u => Assert.Equal(3, u.Total));
        Assert.All(progress.Updates, u => Assert.Equal("generated series", u.Stage));
        Assert.StartsWith("d_stsp ", progress.Updates[0].Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void FewerThanOneGenerationIsAnInputErrorNamingTheSetting(int generations)
    {
        var request = new EvaluationRequest { Generations = generations };

        var error = Assert.Throws<InputException>(request.Validate);
        Assert.Equal(nameof(EvaluationRequest.Generations), error.Setting);
        Assert.Equal($"Generations must be at least 1 (got {generations}).", error.Message);
    }

    [Fact]
    public void TooManyGenerationsAreRefusedBeforeAnySeriesIsGenerated()
    {
        var progress = new RecordingProgress();
        var request = new EvaluationRequest { Generations = 1_000_000_000, Seeds = 10_000 };

        var error = Assert.Throws<InputException>(() => ProtocolEvaluator.Evaluate(Teacher, Data, request, progress));
        Assert.StartsWith("the evaluation needs D_stsp of every seed of every series", error.Message);
        Assert.Equal("lower Generations or Seeds.", error.Hint);
        Assert.Empty(progress.Updates);
    }

    [Fact]
    public void SeedOfGenerationKeepsTheSeedForTheFirstSeriesAndDrawsFreshOnesAfter()
    {
        Assert.Equal(42, ProtocolEvaluator.SeedOfGeneration(42, 0));
        Assert.Equal(-3, ProtocolEvaluator.SeedOfGeneration(-3, 0));
        long[] seeds = [.. Enumerable.Range(0, 200).Select(g => ProtocolEvaluator.SeedOfGeneration(42, g))];
        Assert.Equal(seeds.Length, seeds.Distinct().Count());
        Assert.All(seeds, s => Assert.True(s >= 0));

        // Not seed + g: the second series of seed 0 is not the first of seed 1.
        Assert.NotEqual(1, ProtocolEvaluator.SeedOfGeneration(0, 1));
        Assert.Equal(seeds[7], ProtocolEvaluator.SeedOfGeneration(42, 7));
    }

    private static double SampleSd(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }

    private sealed class RecordingProgress : IProgressSink
    {
        public List<ProgressUpdate> Updates { get; } = [];

        public void Report(in ProgressUpdate update) => Updates.Add(update);
    }
}
