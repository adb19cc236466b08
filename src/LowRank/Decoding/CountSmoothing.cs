using LowRank.Metrics;

namespace LowRank.Decoding;

/// <summary>Gaussian smoothing in time of spike counts [T, N], trial by trial (docs/decoding.md).</summary>
/// <remarks>
/// With σ = <c>sigma</c> bins and the radius r = ⌊4σ + 0.5⌋ (SciPy's truncation), the weights are
/// k_j ∝ exp(−j² / (2σ²)).
/// <list type="bullet">
/// <item><see cref="SmoothingWindow.Centred"/>: <c>s_t = Σ_{j=−r..r} k_j x_{t+j}</c> with Σ k = 1 and the series reflected at
/// each trial's ends (<see cref="GaussianSmoothing.Smooth"/>, <c>scipy.ndimage.gaussian_filter1d</c>).</item>
/// <item><see cref="SmoothingWindow.Causal"/>: <c>s_t = Σ_{j=0..min(r,t)} k_j x_{t−j} / Σ_{j=0..min(r,t)} k_j</c>, a half-Gaussian over the current
/// and earlier bins of the same trial, renormalised where the trial starts.</item>
/// </list>
/// σ = 0 leaves the counts as they are. No step reads a bin of another trial.
/// </remarks>
public static class CountSmoothing
{
    /// <summary>Smooths <paramref name="counts"/> [S·L, N] (S trials of <paramref name="trialLength"/> L steps) into a new array.</summary>
    public static double[] Smooth(ReadOnlySpan<double> counts, int channels, int trialLength, double sigma, SmoothingWindow window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(trialLength, 1);
        if (counts.Length % (channels * trialLength) != 0)
        {
            throw new ArgumentException($"counts hold {counts.Length} values, not whole trials of [{trialLength}, {channels}].", nameof(counts));
        }

        double[] kernel = GaussianSmoothing.Kernel(sigma); // [2r + 1], centred, sum 1; validates σ
        int radius = kernel.Length / 2;
        int trials = counts.Length / (channels * trialLength);
        var result = new double[counts.Length];
        var column = new double[trialLength];
        var smoothed = new double[trialLength];
        for (int s = 0; s < trials; s++)
        {
            int offset = s * trialLength * channels;
            for (int n = 0; n < channels; n++)
            {
                for (int t = 0; t < trialLength; t++)
                {
                    column[t] = counts[offset + (t * channels) + n];
                }

                if (window == SmoothingWindow.Centred)
                {
                    GaussianSmoothing.Smooth(column, sigma, smoothed);
                }
                else
                {
                    SmoothCausal(column, kernel.AsSpan(radius), smoothed);
                }

                for (int t = 0; t < trialLength; t++)
                {
                    result[offset + (t * channels) + n] = smoothed[t];
                }
            }
        }

        return result;
    }

    /// <summary>s_t = Σ_{j≤min(r,t)} k_j x_{t−j} / Σ_{j≤min(r,t)} k_j with the one-sided weights k_0 … k_r.</summary>
    private static void SmoothCausal(ReadOnlySpan<double> source, ReadOnlySpan<double> halfKernel, Span<double> destination)
    {
        for (int t = 0; t < source.Length; t++)
        {
            int reach = Math.Min(halfKernel.Length - 1, t);
            double sum = 0, weight = 0;
            for (int j = 0; j <= reach; j++)
            {
                sum += halfKernel[j] * source[t - j];
                weight += halfKernel[j];
            }

            destination[t] = sum / weight;
        }
    }
}
