using System.Numerics.Tensors;

namespace LowRank.Metrics;

/// <summary>One-dimensional Gaussian smoothing with reflecting boundaries.</summary>
public static class GaussianSmoothing
{
    /// <summary>Kernel half-width in standard deviations, as SciPy's default <c>truncate = 4.0</c>.</summary>
    public const double Truncate = 4.0;

    /// <summary>
    /// The normalised Gaussian kernel of standard deviation <paramref name="sigma"/>, truncated at
    /// <see cref="Truncate"/>·σ: radius r = ⌊4σ + 0.5⌋, weights ∝ exp(−j²/(2σ²)) for j = −r … r, sum 1.
    /// σ = 0 gives the identity kernel <c>[1]</c>.
    /// </summary>
    public static double[] Kernel(double sigma)
    {
        if (!(sigma >= 0) || double.IsInfinity(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be finite and non-negative.");
        }

        int radius = (int)(Truncate * sigma + 0.5);
        var kernel = new double[2 * radius + 1];
        if (radius == 0)
        {
            kernel[0] = 1.0;
            return kernel;
        }

        double sum = 0;
        for (int j = -radius; j <= radius; j++)
        {
            double w = Math.Exp(-0.5 * j * j / (sigma * sigma));
            kernel[j + radius] = w;
            sum += w;
        }

        for (int i = 0; i < kernel.Length; i++)
        {
            kernel[i] /= sum;
        }

        return kernel;
    }

    /// <summary>
    /// Smooths <paramref name="source"/> with a Gaussian of standard deviation <paramref name="sigma"/>
    /// samples into <paramref name="destination"/> (same length).
    /// </summary>
    /// <remarks>
    /// Effectively computes <c>destination[i] = Σ_{j=−r..r} k[j] · source[reflect(i + j)]</c> with the kernel
    /// of <see cref="Kernel"/> and half-sample symmetric extension (<c>… b a | a b … y z | z y …</c>), which is
    /// <c>scipy.ndimage.gaussian_filter1d(source, sigma)</c> with its defaults (mode 'reflect', truncate 4).
    /// </remarks>
    public static void Smooth(ReadOnlySpan<double> source, double sigma, Span<double> destination)
    {
        if (destination.Length != source.Length)
        {
            throw new ArgumentException($"Destination length {destination.Length} differs from source length {source.Length}.", nameof(destination));
        }

        if (source.Overlaps(destination))
        {
            throw new ArgumentException("Source and destination must not overlap.", nameof(destination));
        }

        double[] kernel = Kernel(sigma);
        int radius = kernel.Length / 2;
        int n = source.Length;
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            if (i - radius >= 0 && i + radius < n)
            {
                // Interior: no reflection needed.
                sum = TensorPrimitives.Dot(kernel, source.Slice(i - radius, kernel.Length));
            }
            else
            {
                for (int j = 0; j < kernel.Length; j++)
                {
                    sum += kernel[j] * source[Preprocessing.ReflectIndex(i + j - radius, n)];
                }
            }

            destination[i] = sum;
        }
    }
}
