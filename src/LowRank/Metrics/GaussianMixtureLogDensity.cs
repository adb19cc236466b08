using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LowRank.Metrics;

// Dimension legend: T mixture components (time steps of a series), X channels, D points (Monte-Carlo draws).

/// <summary>
/// Log-density of points under an equal-weight mixture of isotropic unit-variance Gaussians centred on the
/// T rows of a series, without the (2π)^{−X/2} factor:
/// <c>log p(z) = log( (1/T) Σ_t exp(−½‖z − μ_t‖²) )</c>.
/// </summary>
/// <remarks>
/// Uses <c>−½‖z − μ‖² = z·μ − ½‖μ‖² − ½‖z‖²</c>: the dot products of a block of 4 points with every centre
/// are a small matrix product, done by a register-blocked SIMD kernel over centres packed in panels of
/// W = 2·<see cref="Vector{T}.Count"/> centres (<c>[panels, X, W]</c>, contiguous for the kernel). The sum
/// over t is a max-shifted log-sum-exp. Each point's value depends only on that point, so the result is
/// the same for any number of threads. Plain multiply-add (no fused multiply-add) keeps the numbers
/// identical on machines with and without FMA.
/// </remarks>
internal sealed class GaussianMixtureLogDensity
{
    private const int PointBlock = 4;
    private static readonly int PanelWidth = 2 * Vector<double>.Count;

    private readonly double[] _packed; // [panels, X, W], zero-padded past T
    private readonly double[] _halfNormSquared; // [T] ½‖μ_t‖²
    private readonly int _panels;

    /// <summary>Packs the <paramref name="components"/> centres, the first rows of <paramref name="series"/> [≥components, X].</summary>
    public GaussianMixtureLogDensity(ReadOnlySpan<double> series, int components, int channels)
    {
        if (components < 1 || channels < 1 || series.Length < (long)components * channels)
        {
            throw new ArgumentException($"Need at least {components}×{channels} values for the mixture centres, got {series.Length}.", nameof(series));
        }

        Components = components;
        Channels = channels;
        _panels = (components + PanelWidth - 1) / PanelWidth;
        _packed = new double[_panels * channels * PanelWidth];
        _halfNormSquared = new double[components];
        for (int t = 0; t < components; t++)
        {
            ReadOnlySpan<double> centre = series.Slice(t * channels, channels);
            _halfNormSquared[t] = 0.5 * Dot(centre, centre);
            int panel = t / PanelWidth, lane = t % PanelWidth;
            int panelStart = panel * channels * PanelWidth;
            for (int x = 0; x < channels; x++)
            {
                _packed[panelStart + x * PanelWidth + lane] = centre[x];
            }
        }
    }

    /// <summary>T: the number of mixture components.</summary>
    public int Components { get; }

    /// <summary>X: the dimension.</summary>
    public int Channels { get; }

    /// <summary>
    /// Writes <c>log p(points[d])</c> for every point d of <paramref name="points"/> [D, X] into
    /// <paramref name="destination"/> [D], using up to <paramref name="maxThreads"/> threads (−1: all cores).
    /// </summary>
    public void Evaluate(double[] points, double[] destination, int maxThreads)
    {
        int channels = Channels;
        if (points.Length % channels != 0 || destination.Length != points.Length / channels)
        {
            throw new ArgumentException($"Expected points [D, {channels}] and destination [D]; got {points.Length} and {destination.Length} values.", nameof(points));
        }

        int count = destination.Length;
        int blocks = (count + PointBlock - 1) / PointBlock;
        int padded = _panels * PanelWidth;
        double logComponents = Math.Log(Components);
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxThreads };
        Parallel.For(
            0,
            blocks,
            options,
            () => new Workspace(PointBlock * channels, PointBlock * padded),
            (block, _, workspace) =>
            {
                int first = block * PointBlock;
                int inBlock = Math.Min(PointBlock, count - first);

                // The block's points, zero-padded to 4.
                Span<double> blockPoints = workspace.Points;
                blockPoints.Clear();
                points.AsSpan(first * channels, inBlock * channels).CopyTo(blockPoints);

                // dots[j, t] = z_j · μ_t for the 4 points and every (padded) centre.
                for (int panel = 0; panel < _panels; panel++)
                {
                    DotPanel(panel, blockPoints, workspace.Dots, padded);
                }

                for (int j = 0; j < inBlock; j++)
                {
                    ReadOnlySpan<double> z = blockPoints.Slice(j * channels, channels);
                    Span<double> logTerms = workspace.Dots.AsSpan(j * padded, Components);

                    // logTerms[t] = z·μ_t − ½‖μ_t‖²; then log p = LSE_t(logTerms) − ½‖z‖² − log T.
                    TensorPrimitives.Subtract(logTerms, _halfNormSquared, logTerms);
                    destination[first + j] = LogSumExpInPlace(logTerms) - 0.5 * Dot(z, z) - logComponents;
                }

                return workspace;
            },
            _ => { });
    }

    /// <summary>Max-shifted log-sum-exp; overwrites <paramref name="values"/> with exp(values − max).</summary>
    internal static double LogSumExpInPlace(Span<double> values)
    {
        double max = TensorPrimitives.Max(values);
        if (double.IsNegativeInfinity(max) || double.IsNaN(max))
        {
            return max;
        }

        TensorPrimitives.Subtract(values, max, values);
        TensorPrimitives.Exp(values, values);
        return max + Math.Log(TensorPrimitives.Sum(values));
    }

    /// <summary>
    /// <c>dots[j, panel·W + i] = Σ_x points[j, x] · packed[panel, x, i]</c> for the 4 points j and the W lanes i
    /// of one panel: 8 vector accumulators (4 points × 2 vectors of centres), one pass over x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DotPanel(int panel, ReadOnlySpan<double> points, double[] dots, int padded)
    {
        int channels = Channels;
        ReadOnlySpan<Vector<double>> centres = MemoryMarshal.Cast<double, Vector<double>>(
            _packed.AsSpan(panel * channels * PanelWidth, channels * PanelWidth));
        ReadOnlySpan<double> z0 = points[..channels];
        ReadOnlySpan<double> z1 = points.Slice(channels, channels);
        ReadOnlySpan<double> z2 = points.Slice(2 * channels, channels);
        ReadOnlySpan<double> z3 = points.Slice(3 * channels, channels);
        Vector<double> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector<double> a20 = default, a21 = default, a30 = default, a31 = default;
        for (int x = 0; x < channels; x++)
        {
            Vector<double> c0 = centres[2 * x];
            Vector<double> c1 = centres[2 * x + 1];
            var b = new Vector<double>(z0[x]);
            a00 += b * c0;
            a01 += b * c1;
            b = new Vector<double>(z1[x]);
            a10 += b * c0;
            a11 += b * c1;
            b = new Vector<double>(z2[x]);
            a20 += b * c0;
            a21 += b * c1;
            b = new Vector<double>(z3[x]);
            a30 += b * c0;
            a31 += b * c1;
        }

        int lanes = Vector<double>.Count;
        int offset = panel * PanelWidth;
        Span<double> row = dots.AsSpan(offset, PanelWidth);
        a00.CopyTo(row);
        a01.CopyTo(row[lanes..]);
        row = dots.AsSpan(padded + offset, PanelWidth);
        a10.CopyTo(row);
        a11.CopyTo(row[lanes..]);
        row = dots.AsSpan(2 * padded + offset, PanelWidth);
        a20.CopyTo(row);
        a21.CopyTo(row[lanes..]);
        row = dots.AsSpan(3 * padded + offset, PanelWidth);
        a30.CopyTo(row);
        a31.CopyTo(row[lanes..]);
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private sealed class Workspace(int pointValues, int dotValues)
    {
        public double[] Points { get; } = new double[pointValues];

        public double[] Dots { get; } = new double[dotValues];
    }
}
