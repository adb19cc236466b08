namespace LowRank.Metrics;

// Dimension legend: T time steps, X channels. A series is a row-major [T, X] array (time first).

/// <summary>What is done to a series before the metrics see it.</summary>
public enum SeriesPreprocessing
{
    /// <summary>The series is used as it is.</summary>
    None,

    /// <summary>Each channel is z-scored (mean 0, population standard deviation 1).</summary>
    ZScore,

    /// <summary>
    /// Each channel is convolved with the unnormalised 15-point (by default) Hann window along time,
    /// then z-scored. The published protocol applies this to generated series only.
    /// </summary>
    HannSmoothThenZScore,
}

/// <summary>Preprocessing of [T, X] series: Hann smoothing along time and per-channel z-scoring.</summary>
public static class Preprocessing
{
    /// <summary>Window length of the published protocol.</summary>
    public const int PublishedHannLength = 15;

    /// <summary>
    /// The symmetric Hann window of <paramref name="length"/> points, unnormalised:
    /// <c>w[n] = 0.5 − 0.5 cos(2πn / (length − 1))</c>, n = 0 … length − 1, so both end points are 0 and
    /// the peak is 1. This equals NumPy's <c>hanning(length)</c> and SciPy's
    /// <c>signal.windows.hann(length)</c> (sym=True), the window the published evaluation used.
    /// A window of length 1 is <c>[1]</c>.
    /// </summary>
    public static double[] HannWindow(int length)
    {
        if (length < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The Hann window needs at least one point.");
        }

        var window = new double[length];
        if (length == 1)
        {
            window[0] = 1.0;
            return window;
        }

        for (int n = 0; n < length; n++)
        {
            window[n] = 0.5 - 0.5 * Math.Cos(2.0 * Math.PI * n / (length - 1));
        }

        return window;
    }

    /// <summary>
    /// Index of the sample that a position outside [0, length) reads under half-sample symmetric
    /// ("reflect") extension: <c>… c b a | a b c … x y z | z y x …</c> (SciPy ndimage mode 'reflect',
    /// NumPy pad mode 'symmetric'). Valid for any integer position, also for windows longer than the signal.
    /// </summary>
    public static int ReflectIndex(int position, int length)
    {
        int period = 2 * length;
        int p = position % period;
        if (p < 0)
        {
            p += period;
        }

        return p < length ? p : period - 1 - p;
    }

    /// <summary>
    /// Centred convolution of every channel of <paramref name="series"/> [T, X] with an odd-length
    /// symmetric <paramref name="window"/>, with reflecting boundaries; result in <paramref name="destination"/> [T, X].
    /// </summary>
    /// <remarks>
    /// Effectively computes <c>destination[t, x] = Σ_j window[j] · series[reflect(t + j − h), x]</c> with
    /// h = (window length − 1)/2. This is <c>scipy.ndimage.convolve1d(series, window, axis=0)</c> with its
    /// default mode 'reflect' (for a symmetric window convolution and correlation coincide). The output has
    /// the input's length and alignment (NumPy's 'same'), but the edges see mirrored samples rather than zeros.
    /// </remarks>
    public static void ConvolveReflect(ReadOnlySpan<double> series, int steps, int channels, ReadOnlySpan<double> window, Span<double> destination)
    {
        CheckShape(series, steps, channels, nameof(series));
        CheckShape(destination, steps, channels, nameof(destination));
        if (window.Length % 2 != 1)
        {
            throw new ArgumentException($"The window must have odd length, got {window.Length}.", nameof(window));
        }

        if (series.Overlaps(destination))
        {
            throw new ArgumentException("Source and destination must not overlap.", nameof(destination));
        }

        int half = window.Length / 2;
        destination.Clear();
        for (int t = 0; t < steps; t++)
        {
            Span<double> row = destination.Slice(t * channels, channels);
            for (int j = 0; j < window.Length; j++)
            {
                double weight = window[j];
                if (weight == 0.0)
                {
                    continue;
                }

                // row += weight · series[reflect(t + j − h), :]
                int source = ReflectIndex(t + j - half, steps);
                ReadOnlySpan<double> sourceRow = series.Slice(source * channels, channels);
                for (int x = 0; x < channels; x++)
                {
                    row[x] += weight * sourceRow[x];
                }
            }
        }
    }

    /// <summary>
    /// Z-scores every channel of <paramref name="series"/> [T, X] in place: subtract the channel mean,
    /// divide by the population standard deviation (ddof = 0, as <c>scipy.stats.zscore</c>).
    /// </summary>
    /// <remarks>
    /// A constant channel has no scale; it is centred (all zeros) instead of being divided by zero.
    /// </remarks>
    public static void ZScoreInPlace(Span<double> series, int steps, int channels)
    {
        CheckShape(series, steps, channels, nameof(series));
        if (steps == 0)
        {
            return;
        }

        var mean = new double[channels];
        var sumSquares = new double[channels];
        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<double> row = series.Slice(t * channels, channels);
            for (int x = 0; x < channels; x++)
            {
                mean[x] += row[x];
            }
        }

        for (int x = 0; x < channels; x++)
        {
            mean[x] /= steps;
        }

        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<double> row = series.Slice(t * channels, channels);
            for (int x = 0; x < channels; x++)
            {
                double d = row[x] - mean[x];
                sumSquares[x] += d * d;
            }
        }

        var scale = new double[channels];
        for (int x = 0; x < channels; x++)
        {
            double sd = Math.Sqrt(sumSquares[x] / steps);
            scale[x] = sd > 0 ? 1.0 / sd : 1.0;
        }

        for (int t = 0; t < steps; t++)
        {
            Span<double> row = series.Slice(t * channels, channels);
            for (int x = 0; x < channels; x++)
            {
                row[x] = (row[x] - mean[x]) * scale[x];
            }
        }
    }

    /// <summary>
    /// Returns a preprocessed copy of <paramref name="series"/> [T, X]; the input is not modified.
    /// </summary>
    public static double[] Apply(ReadOnlySpan<double> series, int steps, int channels, SeriesPreprocessing preprocessing, int hannLength = PublishedHannLength)
    {
        CheckShape(series, steps, channels, nameof(series));
        switch (preprocessing)
        {
            case SeriesPreprocessing.None:
                return series.ToArray();
            case SeriesPreprocessing.ZScore:
            {
                double[] result = series.ToArray();
                ZScoreInPlace(result, steps, channels);
                return result;
            }

            case SeriesPreprocessing.HannSmoothThenZScore:
            {
                var result = new double[series.Length];
                ConvolveReflect(series, steps, channels, HannWindow(hannLength), result);
                ZScoreInPlace(result, steps, channels);
                return result;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(preprocessing), preprocessing, "Unknown preprocessing.");
        }
    }

    internal static void CheckShape(ReadOnlySpan<double> series, int steps, int channels, string name)
    {
        if (steps < 0 || channels < 0 || (long)steps * channels != series.Length)
        {
            throw new ArgumentException($"Expected a [T, X] = [{steps}, {channels}] array ({(long)steps * channels} values), got {series.Length} values.", name);
        }
    }
}
