namespace LowRank.Tests.Metrics;

/// <summary>
/// Independent straight-loop references for the metrics: no SIMD, no FFT library, no shared helpers with the
/// code under test. Slow (O(T²) DFT, O(D·T·X) distances), for tiny examples only.
/// </summary>
internal static class NaiveMetrics
{
    /// <summary>Half-sample symmetric extension of x to indices −pad … n + pad − 1, built by concatenating mirrored copies.</summary>
    public static double[] ReflectPad(double[] x, int pad)
    {
        int n = x.Length;
        var reversed = x.Reverse().ToArray();
        int blocks = pad / n + 2;

        // Blocks m = −blocks … blocks: x for even m, reversed x for odd m; block m starts at index m·n.
        var tiled = new List<double>();
        for (int m = -blocks; m <= blocks; m++)
        {
            tiled.AddRange(Math.Abs(m) % 2 == 0 ? x : reversed);
        }

        int zeroAt = blocks * n;
        return tiled.Skip(zeroAt - pad).Take(n + 2 * pad).ToArray();
    }

    public static double[] GaussianFilterReflect(double[] x, double sigma)
    {
        int radius = (int)(4.0 * sigma + 0.5);
        var kernel = new double[2 * radius + 1];
        double total = 0;
        for (int j = -radius; j <= radius; j++)
        {
            kernel[j + radius] = Math.Exp(-(double)j * j / (2 * sigma * sigma));
            total += kernel[j + radius];
        }

        double[] padded = ReflectPad(x, radius);
        var result = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double s = 0;
            for (int j = 0; j < kernel.Length; j++)
            {
                s += kernel[j] / total * padded[i + j];
            }

            result[i] = s;
        }

        return result;
    }

    /// <summary>|F_k|²·2/n with F the orthonormal DFT, k = 0 … n/2, by the O(n²) definition.</summary>
    public static double[] DftPower(double[] x)
    {
        int n = x.Length;
        var power = new double[n / 2 + 1];
        for (int k = 0; k < power.Length; k++)
        {
            double re = 0, im = 0;
            for (int t = 0; t < n; t++)
            {
                double angle = -2 * Math.PI * ((long)k * t % n) / n;
                re += x[t] * Math.Cos(angle);
                im += x[t] * Math.Sin(angle);
            }

            re /= Math.Sqrt(n);
            im /= Math.Sqrt(n);
            power[k] = (re * re + im * im) * 2 / n;
        }

        return power;
    }

    public static double[] ZScore(double[] x)
    {
        double mean = x.Average();
        double sd = Math.Sqrt(x.Select(v => (v - mean) * (v - mean)).Average());
        return x.Select(v => (v - mean) / sd).ToArray();
    }

    /// <summary>D_H by the definition in docs/metrics.md, channel by channel, with the naive DFT.</summary>
    public static double SpectrumHellinger(double[,] generated, double[,] data, double sigma)
    {
        int steps = generated.GetLength(0), channels = generated.GetLength(1);
        double total = 0;
        for (int c = 0; c < channels; c++)
        {
            double[] p = Spectrum(Column(generated, c), sigma);
            double[] q = Spectrum(Column(data, c), sigma);
            double s = 0;
            for (int k = 0; k < p.Length; k++)
            {
                s += Math.Pow(Math.Sqrt(p[k]) - Math.Sqrt(q[k]), 2);
            }

            total += Math.Sqrt(s / 2);
        }

        return total / channels;

        double[] Spectrum(double[] x, double s)
        {
            double[] smoothed = GaussianFilterReflect(DftPower(ZScore(x)), s).Select(v => Math.Max(v, 0)).ToArray();
            double sum = smoothed.Sum();
            double[] normalised = smoothed.Select(v => v / sum).ToArray();
            double[] dropped = normalised[..^1];
            double keptSum = dropped.Sum();
            return dropped.Select(v => v / keptSum).ToArray();
        }
    }

    /// <summary>log((1/T) Σ_t exp(−½‖z − μ_t‖²)) by straight loops with a max shift.</summary>
    public static double MixtureLogDensity(double[] z, double[,] centres)
    {
        int steps = centres.GetLength(0), channels = centres.GetLength(1);
        var exponents = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            double squared = 0;
            for (int x = 0; x < channels; x++)
            {
                double d = z[x] - centres[t, x];
                squared += d * d;
            }

            exponents[t] = -0.5 * squared;
        }

        double max = exponents.Max();
        double sum = 0;
        foreach (double e in exponents)
        {
            sum += Math.Exp(e - max);
        }

        return max + Math.Log(sum) - Math.Log(steps);
    }

    public static double[] Column(double[,] series, int channel)
    {
        var column = new double[series.GetLength(0)];
        for (int t = 0; t < column.Length; t++)
        {
            column[t] = series[t, channel];
        }

        return column;
    }

    public static double[] Flatten(double[,] series)
    {
        int steps = series.GetLength(0), channels = series.GetLength(1);
        var flat = new double[steps * channels];
        for (int t = 0; t < steps; t++)
        {
            for (int x = 0; x < channels; x++)
            {
                flat[t * channels + x] = series[t, x];
            }
        }

        return flat;
    }

    public static double[,] Unflatten(double[] flat, int steps, int channels)
    {
        var series = new double[steps, channels];
        for (int t = 0; t < steps; t++)
        {
            for (int x = 0; x < channels; x++)
            {
                series[t, x] = flat[t * channels + x];
            }
        }

        return series;
    }
}
