using System.Diagnostics;

namespace LowRank.Cli.Benchmarks;

/// <summary>Wall and CPU time of repeated iterations.</summary>
/// <param name="MedianMs">Median wall milliseconds per timed iteration.</param>
/// <param name="MeanMs">Mean wall milliseconds per timed iteration.</param>
/// <param name="CpuMs">Process CPU milliseconds per timed iteration, all threads (less sensitive to a busy machine than wall time).</param>
internal readonly record struct IterationTimes(double MedianMs, double MeanMs, double CpuMs);

/// <summary>Times the iterations of a benchmark: untimed warm-up iterations first (JIT, workspaces), then each timed one.</summary>
internal static class IterationTimer
{
    /// <summary>Runs <paramref name="iteration"/> for 0 … warm-up + timed − 1 and times the last <paramref name="timed"/>.</summary>
    public static IterationTimes Run(int warmup, int timed, Action<int> iteration)
    {
        ArgumentNullException.ThrowIfNull(iteration);
        var times = new double[timed];
        TimeSpan cpuStart = TimeSpan.Zero;
        for (int i = 0; i < warmup + timed; i++)
        {
            if (i == warmup)
            {
                cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            }

            long start = Stopwatch.GetTimestamp();
            iteration(i);
            double elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i >= warmup)
            {
                times[i - warmup] = elapsed;
            }
        }

        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds / timed;
        double mean = times.Average();
        Array.Sort(times);
        double median = times.Length % 2 == 1 ? times[times.Length / 2] : 0.5 * (times[times.Length / 2 - 1] + times[times.Length / 2]);
        return new IterationTimes(median, mean, cpu);
    }
}
