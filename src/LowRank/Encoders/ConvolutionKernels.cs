using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LowRank.Encoders;

/// <summary>
/// The two products a convolution layer of <see cref="ConvEncoder{TReal}"/> is made of, over row-major buffers whose
/// row length n (the output channels, zero-padded) is a multiple of <see cref="ColumnBlock"/>. Dimensions: T rows
/// (steps), C input channels, k taps, n output columns.
/// </summary>
/// <remarks>
/// Both are sums of rank-one updates <c>out[i, :] += a_i · b[p, :]</c>, computed by register tiles of 6 rows × 4
/// SIMD registers (1 row at the bottom edge) that hold the 24 partial sums while streaming a and b. A padded input x
/// has <c>T + k − 1</c> rows of which only <c>[lo, hi)</c> can be non-zero; the terms that meet only the zero
/// rows outside are skipped.
/// </remarks>
internal static class ConvolutionKernels
{
    /// <summary>Rows of a register tile.</summary>
    public const int TileRows = 6;

    /// <summary>Registers of a register tile.</summary>
    public const int TileRegisters = 4;

    /// <summary>Columns one tile covers with registers of <paramref name="lanes"/> lanes.</summary>
    public static int ColumnsPerTile(int lanes) => TileRegisters * lanes;

    /// <summary>The multiple every row length n must be: a tile's columns at the widest registers any kernel uses.</summary>
    public static int ColumnBlock<TReal>()
        where TReal : unmanaged, IFloatingPointIeee754<TReal> =>
        ColumnsPerTile(Math.Max(System.Runtime.Intrinsics.Vector512<TReal>.Count, Vector<TReal>.Count));

    /// <summary>
    /// The convolution <c>z[t, :] = init + Σ_{j &lt; k} Σ_{c &lt; C} x[(t + j)·C + c] · v[(j·C + c)·n + :]</c> for
    /// <c>t &lt; T</c>: the padded input x [T + k − 1, C] against the taps v [k·C, n] (tap j, input c), started from the
    /// row <paramref name="init"/> [n]. Row t reads the window <c>x[t·C … (t + k)·C)</c>, so the product is
    /// <c>z = init + X v</c> with X [T, k·C] the overlapping windows, row stride C.
    /// </summary>
    /// <param name="x">[T + k − 1, C]: the padded input.</param>
    /// <param name="channels">C: the row length of <paramref name="x"/>.</param>
    /// <param name="kernel">k: taps.</param>
    /// <param name="lo">First row of <paramref name="x"/> that may be non-zero.</param>
    /// <param name="hi">One past the last row of <paramref name="x"/> that may be non-zero.</param>
    /// <param name="taps">[k·C, n].</param>
    /// <param name="init">[n]: the bias, or zeros; its length is n, a multiple of <see cref="ColumnBlock"/>.</param>
    /// <param name="z">[T, n], overwritten.</param>
    /// <param name="steps">T: rows of <paramref name="z"/>.</param>
    public static void Convolve<TReal, TVector, TLanes>(
        ReadOnlySpan<TReal> x, int channels, int kernel, int lo, int hi, ReadOnlySpan<TReal> taps, ReadOnlySpan<TReal> init, Span<TReal> z, int steps)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TVector : unmanaged
        where TLanes : struct, ILanes<TReal, TVector>
    {
        int n = init.Length, width = ColumnsPerTile(TLanes.Count);
        CheckShapes(x.Length, (steps + kernel - 1) * channels, taps.Length, kernel * channels * n, z.Length, steps * n, n, width);
        ref TReal x0 = ref MemoryMarshal.GetReference(x);
        ref TReal v0 = ref MemoryMarshal.GetReference(taps);
        ref TReal b0 = ref MemoryMarshal.GetReference(init);
        ref TReal z0 = ref MemoryMarshal.GetReference(z);
        for (int column = 0; column < n; column += width)
        {
            for (int t = 0; t < steps;)
            {
                int rows = steps - t >= TileRows ? TileRows : 1;

                // Taps j that meet a non-zero row t + r + j ∈ [lo, hi) for some r < rows.
                int first = Math.Max(0, lo - (t + rows - 1)), last = Math.Min(kernel, hi - t);
                int depth = Math.Max(0, last - first) * channels;
                ref TReal a = ref Unsafe.Add(ref x0, (nint)(t + first) * channels);
                ref TReal b = ref Unsafe.Add(ref v0, (nint)first * channels * n + column);
                ref TReal c = ref Unsafe.Add(ref z0, (nint)t * n + column);
                ref TReal start = ref Unsafe.Add(ref b0, column);
                if (rows == TileRows)
                {
                    Tile<TReal, TVector, TLanes>(ref a, channels, 1, depth, ref b, n, ref start, 0, ref c, n);
                }
                else
                {
                    Row<TReal, TVector, TLanes>(ref a, 1, depth, ref b, n, ref start, ref c);
                }

                t += rows;
            }
        }
    }

    /// <summary>
    /// The gradient of <see cref="Convolve"/>'s taps: <c>gv[m, :] += Σ_{t &lt; T} x[t·C + m] · gz[t, :]</c> for
    /// <c>m = j·C + c &lt; k·C</c>, i.e. <c>gv += Xᵀ gz</c> with X the overlapping windows of x.
    /// </summary>
    /// <param name="x">[T + k − 1, C]: the padded input of the convolution.</param>
    /// <param name="channels">C: the row length of <paramref name="x"/>.</param>
    /// <param name="kernel">k: taps.</param>
    /// <param name="lo">First row of <paramref name="x"/> that may be non-zero.</param>
    /// <param name="hi">One past the last row of <paramref name="x"/> that may be non-zero.</param>
    /// <param name="gz">[T, n]: the gradient of the convolution's output.</param>
    /// <param name="gTaps">[k·C, n], added to.</param>
    /// <param name="steps">T: rows of <paramref name="gz"/>.</param>
    /// <param name="n">Columns of <paramref name="gz"/> and <paramref name="gTaps"/>, a multiple of <see cref="ColumnBlock"/>.</param>
    public static void AccumulateTapGradient<TReal, TVector, TLanes>(
        ReadOnlySpan<TReal> x, int channels, int kernel, int lo, int hi, ReadOnlySpan<TReal> gz, Span<TReal> gTaps, int steps, int n)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TVector : unmanaged
        where TLanes : struct, ILanes<TReal, TVector>
    {
        int width = ColumnsPerTile(TLanes.Count), taps = kernel * channels;
        CheckShapes(x.Length, (steps + kernel - 1) * channels, gTaps.Length, taps * n, gz.Length, steps * n, n, width);
        ref TReal x0 = ref MemoryMarshal.GetReference(x);
        ref TReal g0 = ref MemoryMarshal.GetReference(gz);
        ref TReal v0 = ref MemoryMarshal.GetReference(gTaps);
        for (int column = 0; column < n; column += width)
        {
            for (int m = 0; m < taps;)
            {
                int rows = taps - m >= TileRows ? TileRows : 1;

                // x[t·C + m] lies in row t + j of x, j = ⌊m / C⌋: only steps t with t + j ∈ [lo, hi) for some row of the tile add.
                int firstTap = m / channels, lastTap = (m + rows - 1) / channels;
                int first = Math.Max(0, lo - lastTap), last = Math.Min(steps, hi - firstTap);
                int depth = Math.Max(0, last - first);
                ref TReal a = ref Unsafe.Add(ref x0, (nint)first * channels + m);
                ref TReal b = ref Unsafe.Add(ref g0, (nint)first * n + column);
                ref TReal c = ref Unsafe.Add(ref v0, (nint)m * n + column);
                if (rows == TileRows)
                {
                    Tile<TReal, TVector, TLanes>(ref a, 1, channels, depth, ref b, n, ref c, n, ref c, n);
                }
                else
                {
                    Row<TReal, TVector, TLanes>(ref a, channels, depth, ref b, n, ref c, ref c);
                }

                m += rows;
            }
        }
    }

    private static void CheckShapes(int xLength, int xNeeded, int tapsLength, int tapsNeeded, int outLength, int outNeeded, int n, int width)
    {
        if (xLength < xNeeded || tapsLength < tapsNeeded || outLength < outNeeded || n % width != 0)
        {
            throw new ArgumentException(
                $"convolution buffers too short: x {xLength} (needs {xNeeded}), taps {tapsLength} (needs {tapsNeeded}), output {outLength} (needs {outNeeded}), columns {n} (a multiple of {width} needed).");
        }
    }

    /// <summary>A 6-row × 4-register tile: <c>c[r, :] = init[r, :] + Σ_p a[r·rowStride + p·depthStride] · b[p·bStride + :]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TReal, TVector, TLanes>(
        ref TReal a, nint rowStride, nint depthStride, int depth, ref TReal b, nint bStride, ref TReal init, nint initStride, ref TReal c, nint cStride)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TVector : unmanaged
        where TLanes : struct, ILanes<TReal, TVector>
    {
        nint w = TLanes.Count;
        TVector c00 = TLanes.Load(ref init, 0), c01 = TLanes.Load(ref init, w), c02 = TLanes.Load(ref init, 2 * w), c03 = TLanes.Load(ref init, 3 * w);
        TVector c10 = TLanes.Load(ref init, initStride), c11 = TLanes.Load(ref init, initStride + w), c12 = TLanes.Load(ref init, initStride + 2 * w), c13 = TLanes.Load(ref init, initStride + 3 * w);
        TVector c20 = TLanes.Load(ref init, 2 * initStride), c21 = TLanes.Load(ref init, 2 * initStride + w), c22 = TLanes.Load(ref init, 2 * initStride + 2 * w), c23 = TLanes.Load(ref init, 2 * initStride + 3 * w);
        TVector c30 = TLanes.Load(ref init, 3 * initStride), c31 = TLanes.Load(ref init, 3 * initStride + w), c32 = TLanes.Load(ref init, 3 * initStride + 2 * w), c33 = TLanes.Load(ref init, 3 * initStride + 3 * w);
        TVector c40 = TLanes.Load(ref init, 4 * initStride), c41 = TLanes.Load(ref init, 4 * initStride + w), c42 = TLanes.Load(ref init, 4 * initStride + 2 * w), c43 = TLanes.Load(ref init, 4 * initStride + 3 * w);
        TVector c50 = TLanes.Load(ref init, 5 * initStride), c51 = TLanes.Load(ref init, 5 * initStride + w), c52 = TLanes.Load(ref init, 5 * initStride + 2 * w), c53 = TLanes.Load(ref init, 5 * initStride + 3 * w);
        for (int p = 0; p < depth; p++)
        {
            TVector b0 = TLanes.Load(ref b, 0), b1 = TLanes.Load(ref b, w), b2 = TLanes.Load(ref b, 2 * w), b3 = TLanes.Load(ref b, 3 * w);
            TVector a0 = TLanes.Broadcast(a);
            c00 = TLanes.MultiplyAdd(a0, b0, c00); c01 = TLanes.MultiplyAdd(a0, b1, c01); c02 = TLanes.MultiplyAdd(a0, b2, c02); c03 = TLanes.MultiplyAdd(a0, b3, c03);
            TVector a1 = TLanes.Broadcast(Unsafe.Add(ref a, rowStride));
            c10 = TLanes.MultiplyAdd(a1, b0, c10); c11 = TLanes.MultiplyAdd(a1, b1, c11); c12 = TLanes.MultiplyAdd(a1, b2, c12); c13 = TLanes.MultiplyAdd(a1, b3, c13);
            TVector a2 = TLanes.Broadcast(Unsafe.Add(ref a, 2 * rowStride));
            c20 = TLanes.MultiplyAdd(a2, b0, c20); c21 = TLanes.MultiplyAdd(a2, b1, c21); c22 = TLanes.MultiplyAdd(a2, b2, c22); c23 = TLanes.MultiplyAdd(a2, b3, c23);
            TVector a3 = TLanes.Broadcast(Unsafe.Add(ref a, 3 * rowStride));
            c30 = TLanes.MultiplyAdd(a3, b0, c30); c31 = TLanes.MultiplyAdd(a3, b1, c31); c32 = TLanes.MultiplyAdd(a3, b2, c32); c33 = TLanes.MultiplyAdd(a3, b3, c33);
            TVector a4 = TLanes.Broadcast(Unsafe.Add(ref a, 4 * rowStride));
            c40 = TLanes.MultiplyAdd(a4, b0, c40); c41 = TLanes.MultiplyAdd(a4, b1, c41); c42 = TLanes.MultiplyAdd(a4, b2, c42); c43 = TLanes.MultiplyAdd(a4, b3, c43);
            TVector a5 = TLanes.Broadcast(Unsafe.Add(ref a, 5 * rowStride));
            c50 = TLanes.MultiplyAdd(a5, b0, c50); c51 = TLanes.MultiplyAdd(a5, b1, c51); c52 = TLanes.MultiplyAdd(a5, b2, c52); c53 = TLanes.MultiplyAdd(a5, b3, c53);
            a = ref Unsafe.Add(ref a, depthStride);
            b = ref Unsafe.Add(ref b, bStride);
        }

        TLanes.Store(c00, ref c, 0); TLanes.Store(c01, ref c, w); TLanes.Store(c02, ref c, 2 * w); TLanes.Store(c03, ref c, 3 * w);
        TLanes.Store(c10, ref c, cStride); TLanes.Store(c11, ref c, cStride + w); TLanes.Store(c12, ref c, cStride + 2 * w); TLanes.Store(c13, ref c, cStride + 3 * w);
        TLanes.Store(c20, ref c, 2 * cStride); TLanes.Store(c21, ref c, 2 * cStride + w); TLanes.Store(c22, ref c, 2 * cStride + 2 * w); TLanes.Store(c23, ref c, 2 * cStride + 3 * w);
        TLanes.Store(c30, ref c, 3 * cStride); TLanes.Store(c31, ref c, 3 * cStride + w); TLanes.Store(c32, ref c, 3 * cStride + 2 * w); TLanes.Store(c33, ref c, 3 * cStride + 3 * w);
        TLanes.Store(c40, ref c, 4 * cStride); TLanes.Store(c41, ref c, 4 * cStride + w); TLanes.Store(c42, ref c, 4 * cStride + 2 * w); TLanes.Store(c43, ref c, 4 * cStride + 3 * w);
        TLanes.Store(c50, ref c, 5 * cStride); TLanes.Store(c51, ref c, 5 * cStride + w); TLanes.Store(c52, ref c, 5 * cStride + 2 * w); TLanes.Store(c53, ref c, 5 * cStride + 3 * w);
    }

    /// <summary>One row of <see cref="Tile"/>: the rows below a multiple of 6.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row<TReal, TVector, TLanes>(ref TReal a, nint depthStride, int depth, ref TReal b, nint bStride, ref TReal init, ref TReal c)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TVector : unmanaged
        where TLanes : struct, ILanes<TReal, TVector>
    {
        nint w = TLanes.Count;
        TVector c00 = TLanes.Load(ref init, 0), c01 = TLanes.Load(ref init, w), c02 = TLanes.Load(ref init, 2 * w), c03 = TLanes.Load(ref init, 3 * w);
        for (int p = 0; p < depth; p++)
        {
            TVector b0 = TLanes.Load(ref b, 0), b1 = TLanes.Load(ref b, w), b2 = TLanes.Load(ref b, 2 * w), b3 = TLanes.Load(ref b, 3 * w);
            TVector a0 = TLanes.Broadcast(a);
            c00 = TLanes.MultiplyAdd(a0, b0, c00); c01 = TLanes.MultiplyAdd(a0, b1, c01); c02 = TLanes.MultiplyAdd(a0, b2, c02); c03 = TLanes.MultiplyAdd(a0, b3, c03);
            a = ref Unsafe.Add(ref a, depthStride);
            b = ref Unsafe.Add(ref b, bStride);
        }

        TLanes.Store(c00, ref c, 0); TLanes.Store(c01, ref c, w); TLanes.Store(c02, ref c, 2 * w); TLanes.Store(c03, ref c, 3 * w);
    }
}
