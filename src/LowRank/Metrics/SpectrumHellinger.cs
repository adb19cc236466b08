namespace LowRank.Metrics;

// Dimension legend: T time steps, X channels. Series are row-major [T, X] arrays (time first).

/// <summary>D_H: the power-spectrum Hellinger distance between two multichannel series.</summary>
public static class SpectrumHellinger
{
    /// <summary>Hellinger distance <c>(1/√2)·‖√p − √q‖₂</c> of two discrete distributions of equal length.</summary>
    public static double Distance(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        if (p.Length != q.Length)
        {
            throw new ArgumentException($"Distributions differ in length: {p.Length} and {q.Length}.", nameof(q));
        }

        double sum = 0;
        for (int k = 0; k < p.Length; k++)
        {
            double d = Math.Sqrt(p[k]) - Math.Sqrt(q[k]);
            sum += d * d;
        }

        return Math.Sqrt(sum) / Math.Sqrt(2.0);
    }

    /// <summary>
    /// D_H per channel between <paramref name="generated"/> and <paramref name="data"/>, both [T, X]
    /// (already preprocessed as the protocol requires; each channel is z-scored here again, which is harmless).
    /// </summary>
    /// <remarks>
    /// Per channel x: p = <see cref="PowerSpectrum.Normalised"/>(generated[:, x]), q = the same of data[:, x],
    /// <c>D_H[x] = (1/√2)·‖√p − √q‖₂</c>. A constant channel (no power) gives NaN for that channel.
    /// </remarks>
    public static double[] PerChannel(ReadOnlySpan<double> generated, ReadOnlySpan<double> data, int steps, int channels, double sigma = PowerSpectrum.PublishedSigma, bool dropLastBin = true)
    {
        Preprocessing.CheckShape(generated, steps, channels, nameof(generated));
        Preprocessing.CheckShape(data, steps, channels, nameof(data));
        int kept = PowerSpectrum.BinCount(steps) - (dropLastBin ? 1 : 0);
        var column = new double[steps];
        var p = new double[kept];
        var q = new double[kept];
        var result = new double[channels];
        for (int x = 0; x < channels; x++)
        {
            CopyColumn(generated, steps, channels, x, column);
            bool hasP = PowerSpectrum.Normalised(column, sigma, dropLastBin, p);
            CopyColumn(data, steps, channels, x, column);
            bool hasQ = PowerSpectrum.Normalised(column, sigma, dropLastBin, q);
            result[x] = hasP && hasQ ? Distance(p, q) : double.NaN;
        }

        return result;
    }

    /// <summary>D_H: the mean over channels of <see cref="PerChannel"/>.</summary>
    public static double Compute(ReadOnlySpan<double> generated, ReadOnlySpan<double> data, int steps, int channels, double sigma = PowerSpectrum.PublishedSigma, bool dropLastBin = true)
    {
        double[] perChannel = PerChannel(generated, data, steps, channels, sigma, dropLastBin);
        if (channels == 0)
        {
            throw new ArgumentException("D_H needs at least one channel.", nameof(channels));
        }

        double sum = 0;
        foreach (double d in perChannel)
        {
            sum += d;
        }

        return sum / channels;
    }

    private static void CopyColumn(ReadOnlySpan<double> series, int steps, int channels, int channel, Span<double> destination)
    {
        for (int t = 0; t < steps; t++)
        {
            destination[t] = series[t * channels + channel];
        }
    }
}
