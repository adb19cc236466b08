using System.Diagnostics;
using LowRank.Analysis.FixedPoints;

namespace LowRank.Cli.Benchmarks;

/// <summary>Options of the exact-enumeration benchmark.</summary>
/// <param name="Units">N.</param>
/// <param name="Rank">R.</param>
/// <param name="Activation">relu or clipped relu.</param>
/// <param name="Seed">Seed of the random self-exciting network.</param>
/// <param name="MaxDegreeOfParallelism">Threads (−1: all cores).</param>
public sealed record FixedPointBenchmarkOptions(int Units, int Rank, PiecewiseActivation Activation, long Seed, int MaxDegreeOfParallelism = -1);

/// <summary>What the benchmark measured.</summary>
/// <param name="Seconds">Wall-clock time of the enumeration alone (network construction and a warm-up run on a small network excluded).</param>
/// <param name="Cells">Cells visited.</param>
/// <param name="FixedPoints">Fixed points found.</param>
public sealed record FixedPointBenchmarkResult(double Seconds, long Cells, int FixedPoints);

/// <summary>Times <see cref="FixedPointFinder.Enumerate"/> on <see cref="RandomNetworks.SelfExciting"/>.</summary>
public static class FixedPointBenchmark
{
    public static FixedPointBenchmarkResult Run(FixedPointBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PiecewiseLinearMap map = RandomNetworks.SelfExciting(options.Units, options.Rank, options.Activation, options.Seed);

        // Warm-up on a small network of the same rank and activation, so that JIT compilation is not timed.
        PiecewiseLinearMap small = RandomNetworks.SelfExciting(Math.Min(options.Units, 2 * options.Rank + 4), options.Rank, options.Activation, options.Seed);
        FixedPointFinder.Enumerate(small, new ExactSearchOptions(options.MaxDegreeOfParallelism));

        var clock = Stopwatch.StartNew();
        FixedPointResult result = FixedPointFinder.Enumerate(map, new ExactSearchOptions(options.MaxDegreeOfParallelism));
        double seconds = clock.Elapsed.TotalSeconds;
        return new FixedPointBenchmarkResult(seconds, result.Cells, result.FixedPoints.Count);
    }
}
