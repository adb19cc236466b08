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
    /// Per channel x: p = <see cref="PowerSpectrum.Normalised(ReadOnlySpan{double}, double, bool, Span{double})"/>(generated[:, x]), q = the same of data[:, x],
    /// <c>D_H[x] = (1/√2)·‖√p − √q‖₂</c>. A constant channel (no power) gives NaN for that channel.
    /// </remarks>
    public static double[] PerChannel(ReadOnlySpan<double> generated, ReadOnlySpan<double> data, int steps, int channels, double sigma = PowerSpectrum.PublishedSigma, bool dropLastBin = true, int maxThreads = -1)
    {
        Preprocessing.CheckShape(generated, steps, channels, nameof(generated));
        Preprocessing.CheckShape(data, steps, channels, nameof(data));
        int length = PowerSpectrum.EvenLength(steps);
        if (length < 2)
        {
            throw new ArgumentException($"D_H needs at least 2 steps, got {steps}.", nameof(steps));
        }

        int kept = PowerSpectrum.BinCount(steps) - (dropLastBin ? 1 : 0);
        double[] generatedCopy = generated.ToArray(), dataCopy = data.ToArray();
        var result = new double[channels];

        // Channels are independent: each thread has its own buffers, each channel writes its own slot.
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxThreads };
        Parallel.For(
            0,
            channels,
            options,
            () => (Workspace: new SpectrumWorkspace(length), Column: new double[steps], P: new double[kept], Q: new double[kept]),
            (x, _, local) =>
            {
                CopyColumn(generatedCopy, steps, channels, x, local.Column);
                bool hasP = PowerSpectrum.Normalised(local.Column, sigma, dropLastBin, local.P, local.Workspace);
                CopyColumn(dataCopy, steps, channels, x, local.Column);
                bool hasQ = PowerSpectrum.Normalised(local.Column, sigma, dropLastBin, local.Q, local.Workspace);
                result[x] = hasP && hasQ ? Distance(local.P, local.Q) : double.NaN;
                return local;
            },
            _ => { });
        return result;
    }

    /// <summary>D_H: the mean over channels of <see cref="PerChannel"/>.</summary>
    public static double Compute(ReadOnlySpan<double> generated, ReadOnlySpan<double> data, int steps, int channels, double sigma = PowerSpectrum.PublishedSigma, bool dropLastBin = true, int maxThreads = -1)
    {
        double[] perChannel = PerChannel(generated, data, steps, channels, sigma, dropLastBin, maxThreads);
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
