using System.Diagnostics;

namespace LowRank.Cli.Benchmarks;

/// <summary>Wall and CPU time of repeated iterations.</summary>
/// <param name="MedianMs">Median wall milliseconds per timed iteration.</param>
/// <param name="MeanMs">Mean wall milliseconds per timed iteration.</param>
/// <param name="CpuMs">Process CPU milliseconds per timed iteration, all threads (less sensitive to a busy machine than wall time).</param>
internal readonly record struct IterationTimes(double MedianMs, double MeanMs, double CpuMs);

/// <summary>
/// Times the iterations of a benchmark: untimed warm-up iterations first, then each timed one. The warm-up lasts at
/// least <see cref="MinimumWarmup"/> as well as the requested count: .NET first runs each method as quickly compiled
/// code and recompiles the hot ones with full optimisation in the background after some tens of calls and a delay,
/// so a short warm-up timed a mix of the two (the EEG iteration measured 2.4–3.9 ms after 20 warm-up iterations
/// and 1.2–1.4 ms with tiered compilation off, 2026-12-04); a fit runs thousands of iterations in the optimised code.
/// </summary>
internal static class IterationTimer
{
    /// <summary>The shortest warm-up: long enough for tiered compilation to finish recompiling the hot methods.</summary>
    public static readonly TimeSpan MinimumWarmup = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs <paramref name="iteration"/> for 0, 1, 2, …: at least <paramref name="warmup"/> untimed iterations lasting
    /// at least <see cref="MinimumWarmup"/>, then <paramref name="timed"/> timed ones.
    /// </summary>
    public static IterationTimes Run(int warmup, int timed, Action<int> iteration)
    {
        ArgumentNullException.ThrowIfNull(iteration);
        int i = 0;
        long warmupStart = Stopwatch.GetTimestamp();
        for (; i < warmup || Stopwatch.GetElapsedTime(warmupStart) < MinimumWarmup; i++)
        {
            iteration(i);
        }

        warmup = i;
        var times = new double[timed];
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        for (; i < warmup + timed; i++)
        {
            long start = Stopwatch.GetTimestamp();
            iteration(i);
            times[i - warmup] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds / timed;
        double mean = times.Average();
        Array.Sort(times);
        double median = times.Length % 2 == 1 ? times[times.Length / 2] : 0.5 * (times[times.Length / 2 - 1] + times[times.Length / 2]);
        return new IterationTimes(median, mean, cpu);
    }
}
