namespace LowRank.Metrics;

/// <summary>Spectral summaries of multichannel time series.</summary>
public static class Spectra
{
    /// <summary>The fewest steps <see cref="DominantFrequencyOrNaN"/> gives a frequency for (one segment of this many).</summary>
    public const int MinimumSteps = 64;

    /// <summary>
    /// <see cref="DominantFrequency"/> with segments of 256 steps, or of the whole series when it is shorter; NaN below
    /// <see cref="MinimumSteps"/> steps (too few for a peak worth naming).
    /// </summary>
    public static double DominantFrequencyOrNaN(ReadOnlySpan<double> series, int steps, int channels) =>
        steps < MinimumSteps ? double.NaN : DominantFrequency(series, steps, channels, Math.Min(256, steps));

    /// <summary>
    /// Frequency (cycles per step) of the largest peak of the Welch power spectrum summed over the D
    /// channels of <paramref name="series"/> [T,D]: Hann-windowed segments of <paramref name="segment"/>
    /// steps overlapping by half; the frequency with the most power per octave (the maximum of f·P(f), so a 1/f
    /// background does not decide it), refined by parabolic interpolation of log f·P.
    /// </summary>
    /// <remarks>Coordinate-free for latents: any invertible linear map of z keeps the peak frequency.</remarks>
    public static double DominantFrequency(ReadOnlySpan<double> series, int steps, int channels, int segment = 256)
    {
        if (steps < segment || segment < 8)
        {
            throw new ArgumentException($"need at least one segment of {segment} ≥ 8 steps, got {steps}.", nameof(steps));
        }

        int bins = segment / 2 + 1;
        var power = new double[bins];
        var window = new double[segment];
        for (int t = 0; t < segment; t++)
        {
            window[t] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * t / segment);
        }

        var cos = new double[segment];
        var sin = new double[segment];
        for (int t = 0; t < segment; t++)
        {
            (sin[t], cos[t]) = Math.SinCos(2 * Math.PI * t / segment);
        }

        var buffer = new double[segment];
        for (int start = 0; start + segment <= steps; start += segment / 2)
        {
            for (int d = 0; d < channels; d++)
            {
                double mean = 0;
                for (int t = 0; t < segment; t++)
                {
                    mean += series[(start + t) * channels + d];
                }

                mean /= segment;
                for (int t = 0; t < segment; t++)
                {
                    buffer[t] = (series[(start + t) * channels + d] - mean) * window[t];
                }

                for (int k = 1; k < bins; k++)
                {
                    double re = 0, im = 0;
                    for (int t = 0; t < segment; t++)
                    {
                        int phase = (int)((long)k * t % segment);
                        re += buffer[t] * cos[phase];
                        im += buffer[t] * sin[phase];
                    }

                    power[k] += re * re + im * im;
                }
            }
        }

        // The most power per octave: the peak of f·P(f), so that a 1/f background (EEG) does not put the answer at the
        // lowest frequency bin while an oscillation above it stands out.
        for (int k = 1; k < bins; k++)
        {
            power[k] *= k;
        }

        int best = 1;
        for (int k = 2; k < bins; k++)
        {
            if (power[k] > power[best])
            {
                best = k;
            }
        }

        double offset = 0;
        if (best > 1 && best < bins - 1)
        {
            double left = Math.Log(power[best - 1]), centre = Math.Log(power[best]), right = Math.Log(power[best + 1]);
            double curvature = left - 2 * centre + right;
            offset = curvature < 0 ? 0.5 * (left - right) / curvature : 0;
        }

        return (best + offset) / segment;
    }
}
