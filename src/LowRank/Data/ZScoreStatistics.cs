using System.Globalization;
using static LowRank.InputException;

namespace LowRank.Data;

/// <summary>
/// Per-channel z-scoring: <c>z = (y − mean) / sd</c> with the mean and the population sd (divisor n) of each channel
/// over every step of every sequence of the data they were computed on.
/// </summary>
/// <param name="Mean">Mean per channel, [X].</param>
/// <param name="Sd">Population standard deviation per channel, [X]; every one positive.</param>
/// <param name="Samples">Time points (steps × sequences) the statistics were computed from.</param>
public sealed record ZScoreStatistics(double[] Mean, double[] Sd, long Samples)
{
    /// <summary>The band of channel sds that counts as z-scored (<see cref="LooksZScored"/>): [0.5, 2].</summary>
    public const double LowestZScoredSd = 0.5, HighestZScoredSd = 2;

    /// <summary>Whether a channel sd lies in [<see cref="LowestZScoredSd"/>, <see cref="HighestZScoredSd"/>].</summary>
    public static bool LooksZScored(double sd) => sd >= LowestZScoredSd && sd <= HighestZScoredSd;

    /// <summary>
    /// The statistics of <paramref name="data"/> (two passes: the mean, then the mean squared deviation from it). A
    /// constant channel has no sd to divide by: an <see cref="InputException"/> naming it (<paramref name="names"/> when
    /// given) and <paramref name="source"/>.
    /// </summary>
    public static ZScoreStatistics Of(SequenceSet data, IReadOnlyList<string>? names, string source)
    {
        ArgumentNullException.ThrowIfNull(data);
        (double[] mean, double[] sd, long samples) = Moments(data);
        ReadOnlySpan<double> y = data.Observations; // [S·T, X]
        int x = data.Channels;
        for (int c = 0; c < x; c++)
        {
            if (sd[c] == 0 || IsConstant(y, c, x))
            {
                string channel = Recording.DescribeChannel(c, names);
                throw new InputException(
                    string.Create(CultureInfo.InvariantCulture, $"{channel} of {source} is constant (every one of its {samples} values is {y[c]:G6}), so it cannot be z-scored."),
                    $"leave the channel out with {Ref("Channels")}, or fit without {Ref("ZScore")}.") { Setting = "ZScore" };
            }
        }

        return new ZScoreStatistics(mean, sd, samples);
    }

    /// <summary>How far the channels of <paramref name="data"/> are from z-scored (their population sds).</summary>
    public static ChannelScale ScaleOf(SequenceSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return ScaleOf(Moments(data).Sd);
    }

    /// <summary>How far channels of standard deviations <paramref name="sds"/> are from z-scored.</summary>
    public static ChannelScale ScaleOf(IReadOnlyList<double> sds)
    {
        ArgumentNullException.ThrowIfNull(sds);
        int first = -1, outside = 0;
        for (int c = 0; c < sds.Count; c++)
        {
            if (!LooksZScored(sds[c]))
            {
                first = first < 0 ? c : first;
                outside++;
            }
        }

        return new ChannelScale(first, first < 0 ? double.NaN : sds[first], outside, sds.Count);
    }

    /// <summary>
    /// Mean and population sd per channel over its observed values (two passes: the mean, then the mean squared
    /// deviation from it); missing values (NaN) are skipped, and <c>Samples</c> counts time points.
    /// </summary>
    private static (double[] Mean, double[] Sd, long Samples) Moments(SequenceSet data)
    {
        int x = data.Channels;
        double[] mean = new double[x], sd = new double[x];
        var counts = new long[x];
        ReadOnlySpan<double> y = data.Observations; // [S·T, X]
        long samples = (long)data.Count * data.Steps;
        for (int i = 0; i < y.Length; i += x)
        {
            for (int c = 0; c < x; c++)
            {
                double v = y[i + c];
                if (!double.IsNaN(v))
                {
                    mean[c] += v;
                    counts[c]++;
                }
            }
        }

        for (int c = 0; c < x; c++)
        {
            mean[c] /= counts[c];
        }

        for (int i = 0; i < y.Length; i += x)
        {
            for (int c = 0; c < x; c++)
            {
                double v = y[i + c];
                if (!double.IsNaN(v))
                {
                    double d = v - mean[c];
                    sd[c] += d * d;
                }
            }
        }

        for (int c = 0; c < x; c++)
        {
            sd[c] = Math.Sqrt(sd[c] / counts[c]);
        }

        return (mean, sd, samples);
    }

    /// <summary>Whether channel <paramref name="c"/> of rows of <paramref name="x"/> values holds one value throughout its observed entries.</summary>
    private static bool IsConstant(ReadOnlySpan<double> y, int c, int x)
    {
        double first = double.NaN;
        for (int i = c; i < y.Length; i += x)
        {
            if (double.IsNaN(y[i]))
            {
                continue;
            }

            if (double.IsNaN(first))
            {
                first = y[i];
            }
            else if (y[i] != first)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The data z-scored with these statistics, <c>(y − mean) / sd</c> per channel (new arrays; inputs kept).</summary>
    public SequenceSet Apply(SequenceSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Channels != Mean.Length)
        {
            throw new ArgumentException($"the statistics are of {Mean.Length} channels but the data has {data.Channels}.", nameof(data));
        }

        int x = data.Channels;
        double[] y = data.Observations, z = new double[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            int c = i % x;
            z[i] = (y[i] - Mean[c]) / Sd[c];
        }

        return new SequenceSet(data.Count, data.Steps, x, z, data.Inputs, data.InputValues);
    }
}

/// <summary>Which channels lie outside the z-scored band of sds [<see cref="ZScoreStatistics.LowestZScoredSd"/>, <see cref="ZScoreStatistics.HighestZScoredSd"/>].</summary>
/// <param name="FirstOutside">The first such channel, or −1 when every channel looks z-scored.</param>
/// <param name="FirstSd">Its sd (NaN when there is none).</param>
/// <param name="Outside">How many channels lie outside the band.</param>
/// <param name="Channels">How many channels there are.</param>
public readonly record struct ChannelScale(int FirstOutside, double FirstSd, int Outside, int Channels)
{
    /// <summary>Whether every channel looks z-scored.</summary>
    public bool LooksZScored => Outside == 0;

    /// <summary>"n of X channels have an sd outside [0.5, 2]", for messages.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture, $"{Outside} of {Channels} channels have an sd outside [{ZScoreStatistics.LowestZScoredSd}, {ZScoreStatistics.HighestZScoredSd}]");
}
