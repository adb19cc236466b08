using LowRank.Numerics;

namespace LowRank.Metrics;

// Dimension legend: T bins (steps), X units (channels), B ISI histogram bins, W windows of k bins.

/// <summary>
/// Summary statistics of binned spike counts [T, X] (one trial, row-major) for comparing generated spike trains with
/// recorded ones: per-unit mean rates, inter-spike intervals (their histogram and coefficient of variation) and
/// pairwise spike-count correlations (docs/metrics.md, "Spiking statistics").
/// </summary>
/// <remarks>
/// Spike times are taken at bin resolution: a bin with c spikes contributes c spikes at its index, so spikes sharing
/// a bin have interval 0. The CV of a unit is sd/mean of its intervals (population sd), defined when it has at least
/// <see cref="MinIntervals"/> intervals and a positive mean interval. Missing entries (NaN) are skipped: they add no
/// spike and no interval, and an interval spans them.
/// </remarks>
public static class SpikingStatistics
{
    /// <summary>Intervals a unit needs for its ISI CV to count.</summary>
    public const int MinIntervals = 3;

    /// <summary>Mean count per bin of each unit [X] over its observed bins (missing entries, NaN, skipped; NaN when none is observed).</summary>
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

    /// <summary>ISI CV of each unit [X]; NaN for a unit with fewer than <see cref="MinIntervals"/> intervals or a zero mean interval.</summary>
    /// <remarks>Effectively <c>cv[i] = sqrt(mean((d − mean(d))²)) / mean(d)</c> over the intervals d of unit i (in bins).</remarks>
    public static double[] IsiCv(ReadOnlySpan<double> counts, int steps, int neurons)
    {
        Require(counts, steps, neurons);
        var cv = new double[neurons];
        var intervals = new List<int>();
        for (int i = 0; i < neurons; i++)
        {
            Intervals(counts, steps, neurons, i, intervals);
            int n = intervals.Count;
            double mean = 0;
            foreach (int d in intervals)
            {
                mean += d;
            }

            mean = n > 0 ? mean / n : 0;
            double m2 = 0;
            foreach (int d in intervals)
            {
                m2 += (d - mean) * (d - mean);
            }

            cv[i] = n >= MinIntervals && mean > 0 ? Math.Sqrt(m2 / n) / mean : double.NaN;
        }

        return cv;
    }

    /// <summary>
    /// Histogram of each unit's inter-spike intervals [X, B] (row i is unit i): entry [i, b] counts the intervals of
    /// exactly b bins for b &lt; B − 1, and entry [i, B − 1] those of B − 1 bins or more.
    /// </summary>
    public static long[] IsiHistogram(ReadOnlySpan<double> counts, int steps, int neurons, int bins)
    {
        Require(counts, steps, neurons);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var histogram = new long[neurons * bins];
        var intervals = new List<int>();
        for (int i = 0; i < neurons; i++)
        {
            Intervals(counts, steps, neurons, i, intervals);
            foreach (int d in intervals)
            {
                histogram[i * bins + Math.Min(d, bins - 1)]++;
            }
        }

        return histogram;
    }

    /// <summary>
    /// Pearson correlation of every pair of units' spike counts summed over consecutive non-overlapping windows of
    /// <paramref name="binsPerWindow"/> bins [X, X] (k = 1: the data's own bins).
    /// </summary>
    /// <remarks>
    /// Windows w = 0 … W − 1, W = ⌊T / k⌋, window w covering bins wk … wk + k − 1 (the last T − Wk bins are left out);
    /// <c>s_i[w]</c> = Σ of unit i's counts in window w, missing when any of them is. Then
    /// <c>r[i, j]</c> = Pearson's r of s_i and s_j over the windows where both are observed, NaN when fewer than two are or
    /// either is constant over them. The diagonal is 1 for a unit whose sums vary, NaN otherwise; the matrix is symmetric.
    /// </remarks>
    public static double[] CountCorrelations(ReadOnlySpan<double> counts, int steps, int neurons, int binsPerWindow)
    {
        Require(counts, steps, neurons);
        ArgumentOutOfRangeException.ThrowIfLessThan(binsPerWindow, 1);
        int windows = steps / binsPerWindow;

        // Window sums per unit [X, W] (unit-major, so each pair reads two contiguous rows).
        var sums = new double[neurons * windows];
        for (int w = 0; w < windows; w++)
        {
            for (int b = 0; b < binsPerWindow; b++)
            {
                int t = w * binsPerWindow + b;
                for (int i = 0; i < neurons; i++)
                {
                    sums[i * windows + w] += counts[t * neurons + i];
                }
            }
        }

        var r = new double[neurons * neurons];
        for (int i = 0; i < neurons; i++)
        {
            ReadOnlySpan<double> si = sums.AsSpan(i * windows, windows);
            for (int j = i; j < neurons; j++)
            {
                double value = Pearson(si, sums.AsSpan(j * windows, windows));
                value = i == j && !double.IsNaN(value) ? 1 : value;
                r[i * neurons + j] = value;
                r[j * neurons + i] = value;
            }
        }

        return r;
    }

    /// <summary>
    /// The index of the first observed value that is not a spike count (a whole number 0, 1, 2, … up to
    /// <see cref="int.MaxValue"/>), or −1 when every observed value is one; missing entries (NaN) are skipped.
    /// </summary>
    public static long FirstNonCount(ReadOnlySpan<double> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            if (!double.IsNaN(v) && !(v >= 0 && v <= int.MaxValue && v == Math.Floor(v)))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The median of the defined (non-NaN) values, NaN when none is.</summary>
    public static double MedianDefined(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] defined = [.. values.Where(v => !double.IsNaN(v))];
        return defined.Length == 0 ? double.NaN : Statistics.Median(defined);
    }

    /// <summary>Pearson's r of <paramref name="x"/> and <paramref name="y"/> over the entries where both are observed (pairwise complete).</summary>
    private static double Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        long n = 0;
        double mx = 0, my = 0;
        for (int w = 0; w < x.Length; w++)
        {
            if (!double.IsNaN(x[w]) && !double.IsNaN(y[w]))
            {
                n++;
                mx += x[w];
                my += y[w];
            }
        }

        if (n < 2)
        {
            return double.NaN;
        }

        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int w = 0; w < x.Length; w++)
        {
            if (!double.IsNaN(x[w]) && !double.IsNaN(y[w]))
            {
                double dx = x[w] - mx, dy = y[w] - my;
                sxy += dx * dy;
                sxx += dx * dx;
                syy += dy * dy;
            }
        }

        return sxx > 0 && syy > 0 ? Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1) : double.NaN;
    }

    /// <summary>Replaces <paramref name="into"/> with unit <paramref name="neuron"/>'s inter-spike intervals in bins, in time order.</summary>
    private static void Intervals(ReadOnlySpan<double> counts, int steps, int neurons, int neuron, List<int> into)
    {
        into.Clear();
        int last = -1;
        for (int t = 0; t < steps; t++)
        {
            double c = counts[t * neurons + neuron];
            if (double.IsNaN(c))
            {
                continue;
            }

            for (int s = 0; s < (int)c; s++)
            {
                if (last >= 0)
                {
                    into.Add(t - last);
                }

                last = t;
            }
        }
    }

    private static void Require(ReadOnlySpan<double> counts, int steps, int neurons)
    {
        if (steps < 1 || neurons < 1 || counts.Length != (long)steps * neurons)
        {
            throw new ArgumentException($"counts hold {counts.Length} values, not {steps} steps × {neurons} neurons.", nameof(counts));
        }
    }
}
