using LowRank.Numerics;

namespace LowRank.Metrics;

/// <summary>
/// Summary statistics of binned spike counts [T, X] (one trial, row-major) for comparing generated spike trains with
/// recorded ones: per-neuron mean rates and the coefficient of variation of inter-spike intervals.
/// </summary>
/// <remarks>
/// Spike times are taken at bin resolution: a bin with c spikes contributes c spikes at its index, so spikes sharing
/// a bin have interval 0. The CV of a neuron is sd/mean of its intervals (population sd), defined when it has at least
/// <see cref="MinIntervals"/> intervals and a positive mean interval.
/// </remarks>
public static class SpikingStatistics
{
    /// <summary>Intervals a neuron needs for its ISI CV to count.</summary>
    public const int MinIntervals = 3;

    /// <summary>Mean count per bin of each neuron [X] (missing entries, NaN, skipped).</summary>
    public static double[] MeanRates(ReadOnlySpan<double> counts, int steps, int neurons)
    {
        Require(counts, steps, neurons);
        var sums = new double[neurons];
        var observed = new int[neurons];
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < neurons; i++)
            {
                double c = counts[t * neurons + i];
                if (!double.IsNaN(c))
                {
                    sums[i] += c;
                    observed[i]++;
                }
            }
        }

        for (int i = 0; i < neurons; i++)
        {
            sums[i] = observed[i] > 0 ? sums[i] / observed[i] : double.NaN;
        }

        return sums;
    }

    /// <summary>ISI CV of each neuron [X]; NaN for a neuron with fewer than <see cref="MinIntervals"/> intervals.</summary>
    public static double[] IsiCv(ReadOnlySpan<double> counts, int steps, int neurons)
    {
        Require(counts, steps, neurons);
        var cv = new double[neurons];
        for (int i = 0; i < neurons; i++)
        {
            // Welford over the intervals between consecutive spikes.
            long n = 0;
            double mean = 0, m2 = 0, last = double.NaN;
            for (int t = 0; t < steps; t++)
            {
                double c = counts[t * neurons + i];
                if (double.IsNaN(c))
                {
                    continue;
                }

                for (int s = 0; s < (int)c; s++)
                {
                    if (!double.IsNaN(last))
                    {
                        double interval = t - last;
                        n++;
                        double delta = interval - mean;
                        mean += delta / n;
                        m2 += delta * (interval - mean);
                    }

                    last = t;
                }
            }

            cv[i] = n >= MinIntervals && mean > 0 ? Math.Sqrt(m2 / n) / mean : double.NaN;
        }

        return cv;
    }

    /// <summary>The median of the defined (non-NaN) values, NaN when none is.</summary>
    public static double MedianDefined(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] defined = [.. values.Where(v => !double.IsNaN(v))];
        return defined.Length == 0 ? double.NaN : Statistics.Median(defined);
    }

    private static void Require(ReadOnlySpan<double> counts, int steps, int neurons)
    {
        if (steps < 1 || neurons < 1 || counts.Length != (long)steps * neurons)
        {
            throw new ArgumentException($"counts hold {counts.Length} values, not {steps} steps × {neurons} neurons.", nameof(counts));
        }
    }
}
