using BenchmarkDotNet.Attributes;
using LowRank.Metrics;
using LowRank.Numerics;

namespace LowRank.Benchmarks.Metrics;

/// <summary>
/// The metrics at the published EEG size (T = 9640, X = 64): one D_stsp Monte-Carlo seed (1000 draws, both
/// mixtures), D_H over all channels, and the Hann-smoothing preprocessing. Synthetic AR(1) series stand in for
/// the recording (the cost does not depend on the values).
/// </summary>
[MemoryDiagnoser]
public class MetricsBenchmarks
{
    private const int Steps = 9640, Channels = 64;
    private double[] _data = [];
    private double[] _generated = [];
    private StateSpaceDivergence _divergence = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = Series(1);
        _generated = Preprocessing.Apply(Series(2), Steps, Channels, SeriesPreprocessing.HannSmoothThenZScore);
        _divergence = new StateSpaceDivergence(_generated, Steps, _data, Steps, Channels, new StspOptions { MaxThreads = Threads });
    }

    [Benchmark]
    public StspEstimate StateSpaceDivergenceOneSeed() => _divergence.Estimate(seed: 0);

    [Benchmark]
    public double SpectrumHellingerAllChannels() => SpectrumHellinger.Compute(_generated, _data, Steps, Channels);

    [Benchmark]
    public double[] HannSmoothThenZScore() => Preprocessing.Apply(_data, Steps, Channels, SeriesPreprocessing.HannSmoothThenZScore);

    private static double[] Series(long seed)
    {
        Rng rng = Rng.Create(seed);
        var series = new double[Steps * Channels];
        var state = new double[Channels];
        for (int t = 0; t < Steps; t++)
        {
            for (int x = 0; x < Channels; x++)
            {
                state[x] = 0.95 * state[x] + 0.3 * rng.NextGaussian();
                series[t * Channels + x] = state[x];
            }
        }

        return series;
    }
}
