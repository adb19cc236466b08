using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LowRank.Model;

namespace LowRank.Smc;

/// <summary>
/// Single-pass 512-bit versions of <see cref="UnitKernels.TransitionForward{TReal}"/> and
/// <see cref="UnitKernels.TransitionBackward{TReal}"/> for the piecewise-linear activations: each unit's
/// current, rate and every product over units are formed in one sweep over N, with the R partial sums
/// held in vector accumulators. Same equations as <see cref="UnitKernels"/>; only the loop structure differs.
/// </summary>
internal static class FusedUnitKernels
{
    /// <summary>Maximum rank the fused kernels handle (accumulators live on the stack).</summary>
    public const int MaxRank = 16;

    /// <summary>Whether the fused kernels apply to this activation, rank and hardware.</summary>
    public static bool Supports(Activation kind, int rank) =>
        Vector512.IsHardwareAccelerated && kind != Activation.Tanh && rank <= MaxRank;

    public static void TransitionForward<TReal>(ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> z, Span<double> f)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        switch (model.Options.Activation)
        {
            case Activation.Relu:
                Forward<TReal, Relu<TReal>>(model, offset, z, f);
                break;
            case Activation.ClippedRelu:
                Forward<TReal, ClippedRelu<TReal>>(model, offset, z, f);
                break;
            default:
                Forward<TReal, Identity<TReal>>(model, offset, z, f);
                break;
        }
    }

    public static void TransitionBackward<TReal>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> z, ReadOnlySpan<double> gf,
        GradientBuffer<TReal> gradient, Span<TReal> gOffset, Span<double> gz, ref double gDecay)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        switch (model.Options.Activation)
        {
            case Activation.Relu:
                Backward<TReal, Relu<TReal>>(model, offset, z, gf, gradient, gOffset, gz);
                break;
            case Activation.ClippedRelu:
                Backward<TReal, ClippedRelu<TReal>>(model, offset, z, gf, gradient, gOffset, gz);
                break;
            default:
                Backward<TReal, Identity<TReal>>(model, offset, z, gf, gradient, gOffset, gz);
                break;
        }

        double decay = model.Decay;
        for (int a = 0; a < z.Length; a++)
        {
            gz[a] += decay * gf[a];
            gDecay += gf[a] * z[a];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward<TReal, TActivation>(ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> z, Span<double> f)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        if (z.Length == 3)
        {
            ForwardRank3<TReal, TActivation>(model, offset, z, f);
            return;
        }

        int n = model.Units, r = z.Length;
        int width = Vector512<TReal>.Count;
        Span<TReal> zScalar = stackalloc TReal[r];
        Span<Vector512<TReal>> zVector = stackalloc Vector512<TReal>[r];
        Span<Vector512<TReal>> sums = stackalloc Vector512<TReal>[r];
        for (int a = 0; a < r; a++)
        {
            zScalar[a] = TReal.CreateTruncating(z[a]);
            zVector[a] = Vector512.Create(zScalar[a]);
            sums[a] = Vector512<TReal>.Zero;
        }

        ref TReal mt = ref MemoryMarshal.GetArrayDataReference(model.Mt);
        ref TReal nt = ref MemoryMarshal.GetArrayDataReference(model.Nt);
        ref TReal h = ref MemoryMarshal.GetArrayDataReference(model.H);
        ref TReal w = ref MemoryMarshal.GetReference(offset);
        bool hasOffset = !offset.IsEmpty;
        int i = 0;
        for (; i <= n - width; i += width)
        {
            // x = Σ_a z_a Mᵀ_a + w;  r = φ(x; h);  sums_a += Ñ_a ⊙ r
            Vector512<TReal> x = hasOffset ? Vector512.LoadUnsafe(ref w, (nuint)i) : Vector512<TReal>.Zero;
            for (int a = 0; a < r; a++)
            {
                x = Fma(zVector[a], Vector512.LoadUnsafe(ref mt, (nuint)(a * n + i)), x);
            }

            Vector512<TReal> rate = TActivation.Value(x, Vector512.LoadUnsafe(ref h, (nuint)i));
            for (int a = 0; a < r; a++)
            {
                sums[a] = Fma(Vector512.LoadUnsafe(ref nt, (nuint)(a * n + i)), rate, sums[a]);
            }
        }

        Span<TReal> tail = stackalloc TReal[r];
        tail.Clear();
        for (; i < n; i++)
        {
            TReal x = hasOffset ? offset[i] : TReal.Zero;
            for (int a = 0; a < r; a++)
            {
                x += zScalar[a] * model.Mt[a * n + i];
            }

            TReal rate = TActivation.Value(x, model.H[i]);
            for (int a = 0; a < r; a++)
            {
                tail[a] += model.Nt[a * n + i] * rate;
            }
        }

        double decay = model.Decay;
        for (int a = 0; a < r; a++)
        {
            f[a] = decay * z[a] + double.CreateTruncating(Vector512.Sum(sums[a]) + tail[a]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<TReal, TActivation>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> z, ReadOnlySpan<double> gf,
        GradientBuffer<TReal> gradient, Span<TReal> gOffset, Span<double> gz)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        if (z.Length == 3)
        {
            BackwardRank3<TReal, TActivation>(model, offset, z, gf, gradient, gOffset, gz);
            return;
        }

        int n = model.Units, r = z.Length;
        int width = Vector512<TReal>.Count;
        Span<TReal> zScalar = stackalloc TReal[r];
        Span<TReal> gScalar = stackalloc TReal[r];
        Span<Vector512<TReal>> zVector = stackalloc Vector512<TReal>[r];
        Span<Vector512<TReal>> gVector = stackalloc Vector512<TReal>[r];
        Span<Vector512<TReal>> sums = stackalloc Vector512<TReal>[r];
        for (int a = 0; a < r; a++)
        {
            zScalar[a] = TReal.CreateTruncating(z[a]);
            gScalar[a] = TReal.CreateTruncating(gf[a]);
            zVector[a] = Vector512.Create(zScalar[a]);
            gVector[a] = Vector512.Create(gScalar[a]);
            sums[a] = Vector512<TReal>.Zero;
        }

        ref TReal mt = ref MemoryMarshal.GetArrayDataReference(model.Mt);
        ref TReal nt = ref MemoryMarshal.GetArrayDataReference(model.Nt);
        ref TReal h = ref MemoryMarshal.GetArrayDataReference(model.H);
        ref TReal gMt = ref MemoryMarshal.GetArrayDataReference(gradient.Mt);
        ref TReal gNt = ref MemoryMarshal.GetArrayDataReference(gradient.Nt);
        ref TReal gH = ref MemoryMarshal.GetArrayDataReference(gradient.H);
        ref TReal w = ref MemoryMarshal.GetReference(offset);
        ref TReal gW = ref MemoryMarshal.GetReference(gOffset);
        bool hasOffset = !offset.IsEmpty;
        bool hasGOffset = !gOffset.IsEmpty;
        int i = 0;
        for (; i <= n - width; i += width)
        {
            // x = Σ_a z_a Mᵀ_a + w;  ḡr = Σ_a ḡ_a Ñ_a
            Vector512<TReal> x = hasOffset ? Vector512.LoadUnsafe(ref w, (nuint)i) : Vector512<TReal>.Zero;
            Vector512<TReal> gr = Vector512<TReal>.Zero;
            for (int a = 0; a < r; a++)
            {
                x = Fma(zVector[a], Vector512.LoadUnsafe(ref mt, (nuint)(a * n + i)), x);
                gr = Fma(gVector[a], Vector512.LoadUnsafe(ref nt, (nuint)(a * n + i)), gr);
            }

            Vector512<TReal> threshold = Vector512.LoadUnsafe(ref h, (nuint)i);
            Vector512<TReal> rate = TActivation.Value(x, threshold);
            Vector512<TReal> gx = TActivation.Backward(x, threshold, gr, out Vector512<TReal> gThreshold);
            (Vector512.LoadUnsafe(ref gH, (nuint)i) + gThreshold).StoreUnsafe(ref gH, (nuint)i);
            if (hasGOffset)
            {
                (Vector512.LoadUnsafe(ref gW, (nuint)i) + gx).StoreUnsafe(ref gW, (nuint)i);
            }

            for (int a = 0; a < r; a++)
            {
                // ḡÑ_a += ḡ_a r;  ḡMᵀ_a += z_a ḡx;  sums_a += Mᵀ_a ⊙ ḡx
                nuint at = (nuint)(a * n + i);
                Fma(gVector[a], rate, Vector512.LoadUnsafe(ref gNt, at)).StoreUnsafe(ref gNt, at);
                Fma(zVector[a], gx, Vector512.LoadUnsafe(ref gMt, at)).StoreUnsafe(ref gMt, at);
                sums[a] = Fma(Vector512.LoadUnsafe(ref mt, at), gx, sums[a]);
            }
        }

        Span<TReal> tail = stackalloc TReal[r];
        tail.Clear();
        for (; i < n; i++)
        {
            TReal x = hasOffset ? offset[i] : TReal.Zero;
            TReal gr = TReal.Zero;
            for (int a = 0; a < r; a++)
            {
                x += zScalar[a] * model.Mt[a * n + i];
                gr += gScalar[a] * model.Nt[a * n + i];
            }

            TReal rate = TActivation.Value(x, model.H[i]);
            TReal gx = TActivation.Backward(x, model.H[i], gr, out TReal gThreshold);
            gradient.H[i] += gThreshold;
            if (hasGOffset)
            {
                gOffset[i] += gx;
            }

            for (int a = 0; a < r; a++)
            {
                gradient.Nt[a * n + i] += gScalar[a] * rate;
                gradient.Mt[a * n + i] += zScalar[a] * gx;
                tail[a] += model.Mt[a * n + i] * gx;
            }
        }

        for (int a = 0; a < r; a++)
        {
            gz[a] = double.CreateTruncating(Vector512.Sum(sums[a]) + tail[a]);
        }
    }

    /// <summary><see cref="Forward{TReal, TActivation}"/> with the R = 3 loop unrolled into registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRank3<TReal, TActivation>(ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> z, Span<double> f)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        int n = model.Units;
        int width = Vector512<TReal>.Count;
        TReal z0 = TReal.CreateTruncating(z[0]), z1 = TReal.CreateTruncating(z[1]), z2 = TReal.CreateTruncating(z[2]);
        Vector512<TReal> vz0 = Vector512.Create(z0), vz1 = Vector512.Create(z1), vz2 = Vector512.Create(z2);
        Vector512<TReal> s0 = Vector512<TReal>.Zero, s1 = Vector512<TReal>.Zero, s2 = Vector512<TReal>.Zero;
        ref TReal m0 = ref MemoryMarshal.GetArrayDataReference(model.Mt);
        ref TReal m1 = ref Unsafe.Add(ref m0, n);
        ref TReal m2 = ref Unsafe.Add(ref m0, 2 * n);
        ref TReal n0 = ref MemoryMarshal.GetArrayDataReference(model.Nt);
        ref TReal n1 = ref Unsafe.Add(ref n0, n);
        ref TReal n2 = ref Unsafe.Add(ref n0, 2 * n);
        ref TReal h = ref MemoryMarshal.GetArrayDataReference(model.H);
        ref TReal w = ref MemoryMarshal.GetReference(offset);
        bool hasOffset = !offset.IsEmpty;
        int i = 0;
        for (; i <= n - width; i += width)
        {
            nuint at = (nuint)i;
            Vector512<TReal> x = hasOffset ? Vector512.LoadUnsafe(ref w, at) : Vector512<TReal>.Zero;
            x = Fma(vz0, Vector512.LoadUnsafe(ref m0, at), x);
            x = Fma(vz1, Vector512.LoadUnsafe(ref m1, at), x);
            x = Fma(vz2, Vector512.LoadUnsafe(ref m2, at), x);
            Vector512<TReal> rate = TActivation.Value(x, Vector512.LoadUnsafe(ref h, at));
            s0 = Fma(Vector512.LoadUnsafe(ref n0, at), rate, s0);
            s1 = Fma(Vector512.LoadUnsafe(ref n1, at), rate, s1);
            s2 = Fma(Vector512.LoadUnsafe(ref n2, at), rate, s2);
        }

        TReal t0 = TReal.Zero, t1 = TReal.Zero, t2 = TReal.Zero;
        for (; i < n; i++)
        {
            TReal x = (hasOffset ? offset[i] : TReal.Zero) + z0 * model.Mt[i] + z1 * model.Mt[n + i] + z2 * model.Mt[2 * n + i];
            TReal rate = TActivation.Value(x, model.H[i]);
            t0 += model.Nt[i] * rate;
            t1 += model.Nt[n + i] * rate;
            t2 += model.Nt[2 * n + i] * rate;
        }

        double decay = model.Decay;
        f[0] = decay * z[0] + double.CreateTruncating(Vector512.Sum(s0) + t0);
        f[1] = decay * z[1] + double.CreateTruncating(Vector512.Sum(s1) + t1);
        f[2] = decay * z[2] + double.CreateTruncating(Vector512.Sum(s2) + t2);
    }

    /// <summary><see cref="Backward{TReal, TActivation}"/> with the R = 3 loop unrolled into registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRank3<TReal, TActivation>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> z, ReadOnlySpan<double> gf,
        GradientBuffer<TReal> gradient, Span<TReal> gOffset, Span<double> gz)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        int n = model.Units;
        int width = Vector512<TReal>.Count;
        TReal z0 = TReal.CreateTruncating(z[0]), z1 = TReal.CreateTruncating(z[1]), z2 = TReal.CreateTruncating(z[2]);
        TReal g0 = TReal.CreateTruncating(gf[0]), g1 = TReal.CreateTruncating(gf[1]), g2 = TReal.CreateTruncating(gf[2]);
        Vector512<TReal> vz0 = Vector512.Create(z0), vz1 = Vector512.Create(z1), vz2 = Vector512.Create(z2);
        Vector512<TReal> vg0 = Vector512.Create(g0), vg1 = Vector512.Create(g1), vg2 = Vector512.Create(g2);
        Vector512<TReal> s0 = Vector512<TReal>.Zero, s1 = Vector512<TReal>.Zero, s2 = Vector512<TReal>.Zero;
        ref TReal m0 = ref MemoryMarshal.GetArrayDataReference(model.Mt);
        ref TReal m1 = ref Unsafe.Add(ref m0, n);
        ref TReal m2 = ref Unsafe.Add(ref m0, 2 * n);
        ref TReal n0 = ref MemoryMarshal.GetArrayDataReference(model.Nt);
        ref TReal n1 = ref Unsafe.Add(ref n0, n);
        ref TReal n2 = ref Unsafe.Add(ref n0, 2 * n);
        ref TReal gm0 = ref MemoryMarshal.GetArrayDataReference(gradient.Mt);
        ref TReal gm1 = ref Unsafe.Add(ref gm0, n);
        ref TReal gm2 = ref Unsafe.Add(ref gm0, 2 * n);
        ref TReal gn0 = ref MemoryMarshal.GetArrayDataReference(gradient.Nt);
        ref TReal gn1 = ref Unsafe.Add(ref gn0, n);
        ref TReal gn2 = ref Unsafe.Add(ref gn0, 2 * n);
        ref TReal h = ref MemoryMarshal.GetArrayDataReference(model.H);
        ref TReal gH = ref MemoryMarshal.GetArrayDataReference(gradient.H);
        ref TReal w = ref MemoryMarshal.GetReference(offset);
        ref TReal gW = ref MemoryMarshal.GetReference(gOffset);
        bool hasOffset = !offset.IsEmpty;
        bool hasGOffset = !gOffset.IsEmpty;
        int i = 0;
        for (; i <= n - width; i += width)
        {
            nuint at = (nuint)i;
            Vector512<TReal> mv0 = Vector512.LoadUnsafe(ref m0, at), mv1 = Vector512.LoadUnsafe(ref m1, at), mv2 = Vector512.LoadUnsafe(ref m2, at);
            Vector512<TReal> x = hasOffset ? Vector512.LoadUnsafe(ref w, at) : Vector512<TReal>.Zero;
            x = Fma(vz0, mv0, x);
            x = Fma(vz1, mv1, x);
            x = Fma(vz2, mv2, x);
            Vector512<TReal> gr = vg0 * Vector512.LoadUnsafe(ref n0, at);
            gr = Fma(vg1, Vector512.LoadUnsafe(ref n1, at), gr);
            gr = Fma(vg2, Vector512.LoadUnsafe(ref n2, at), gr);
            Vector512<TReal> threshold = Vector512.LoadUnsafe(ref h, at);
            Vector512<TReal> rate = TActivation.Value(x, threshold);
            Vector512<TReal> gx = TActivation.Backward(x, threshold, gr, out Vector512<TReal> gThreshold);
            (Vector512.LoadUnsafe(ref gH, at) + gThreshold).StoreUnsafe(ref gH, at);
            if (hasGOffset)
            {
                (Vector512.LoadUnsafe(ref gW, at) + gx).StoreUnsafe(ref gW, at);
            }

            Fma(vg0, rate, Vector512.LoadUnsafe(ref gn0, at)).StoreUnsafe(ref gn0, at);
            Fma(vg1, rate, Vector512.LoadUnsafe(ref gn1, at)).StoreUnsafe(ref gn1, at);
            Fma(vg2, rate, Vector512.LoadUnsafe(ref gn2, at)).StoreUnsafe(ref gn2, at);
            Fma(vz0, gx, Vector512.LoadUnsafe(ref gm0, at)).StoreUnsafe(ref gm0, at);
            Fma(vz1, gx, Vector512.LoadUnsafe(ref gm1, at)).StoreUnsafe(ref gm1, at);
            Fma(vz2, gx, Vector512.LoadUnsafe(ref gm2, at)).StoreUnsafe(ref gm2, at);
            s0 = Fma(mv0, gx, s0);
            s1 = Fma(mv1, gx, s1);
            s2 = Fma(mv2, gx, s2);
        }

        TReal t0 = TReal.Zero, t1 = TReal.Zero, t2 = TReal.Zero;
        for (; i < n; i++)
        {
            TReal x = (hasOffset ? offset[i] : TReal.Zero) + z0 * model.Mt[i] + z1 * model.Mt[n + i] + z2 * model.Mt[2 * n + i];
            TReal gr = g0 * model.Nt[i] + g1 * model.Nt[n + i] + g2 * model.Nt[2 * n + i];
            TReal rate = TActivation.Value(x, model.H[i]);
            TReal gx = TActivation.Backward(x, model.H[i], gr, out TReal gThreshold);
            gradient.H[i] += gThreshold;
            if (hasGOffset)
            {
                gOffset[i] += gx;
            }

            gradient.Nt[i] += g0 * rate;
            gradient.Nt[n + i] += g1 * rate;
            gradient.Nt[2 * n + i] += g2 * rate;
            gradient.Mt[i] += z0 * gx;
            gradient.Mt[n + i] += z1 * gx;
            gradient.Mt[2 * n + i] += z2 * gx;
            t0 += model.Mt[i] * gx;
            t1 += model.Mt[n + i] * gx;
            t2 += model.Mt[2 * n + i] * gx;
        }

        gz[0] = double.CreateTruncating(Vector512.Sum(s0) + t0);
        gz[1] = double.CreateTruncating(Vector512.Sum(s1) + t1);
        gz[2] = double.CreateTruncating(Vector512.Sum(s2) + t2);
    }

    /// <summary>Whether <see cref="TransitionForwardPair"/> and <see cref="TransitionBackwardPair"/> apply.</summary>
    public static bool SupportsPair(Activation kind, int rank) => Supports(kind, rank) && rank == 3;

    /// <summary>Two particles' transition means in one sweep (R = 3): the parameter loads are shared.</summary>
    public static void TransitionForwardPair<TReal>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> zA, ReadOnlySpan<double> zB, Span<double> fA, Span<double> fB)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        switch (model.Options.Activation)
        {
            case Activation.Relu:
                ForwardRank3Pair<TReal, Relu<TReal>>(model, offset, zA, zB, fA, fB);
                break;
            case Activation.ClippedRelu:
                ForwardRank3Pair<TReal, ClippedRelu<TReal>>(model, offset, zA, zB, fA, fB);
                break;
            default:
                ForwardRank3Pair<TReal, Identity<TReal>>(model, offset, zA, zB, fA, fB);
                break;
        }
    }

    /// <summary>Two particles' transition reverse passes in one sweep (R = 3): the gradient read-modify-writes are shared.</summary>
    public static void TransitionBackwardPair<TReal>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset,
        ReadOnlySpan<double> zA, ReadOnlySpan<double> gfA, ReadOnlySpan<double> zB, ReadOnlySpan<double> gfB,
        GradientBuffer<TReal> gradient, Span<TReal> gOffset, Span<double> gzA, Span<double> gzB, ref double gDecay)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        switch (model.Options.Activation)
        {
            case Activation.Relu:
                BackwardRank3Pair<TReal, Relu<TReal>>(model, offset, zA, gfA, zB, gfB, gradient, gOffset, gzA, gzB);
                break;
            case Activation.ClippedRelu:
                BackwardRank3Pair<TReal, ClippedRelu<TReal>>(model, offset, zA, gfA, zB, gfB, gradient, gOffset, gzA, gzB);
                break;
            default:
                BackwardRank3Pair<TReal, Identity<TReal>>(model, offset, zA, gfA, zB, gfB, gradient, gOffset, gzA, gzB);
                break;
        }

        double decay = model.Decay;
        for (int a = 0; a < 3; a++)
        {
            gzA[a] += decay * gfA[a];
            gzB[a] += decay * gfB[a];
            gDecay += gfA[a] * zA[a] + gfB[a] * zB[a];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRank3Pair<TReal, TActivation>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> zA, ReadOnlySpan<double> zB, Span<double> fA, Span<double> fB)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        int n = model.Units;
        int width = Vector512<TReal>.Count;
        Vector512<TReal> a0 = Vector512.Create(TReal.CreateTruncating(zA[0])), a1 = Vector512.Create(TReal.CreateTruncating(zA[1])), a2 = Vector512.Create(TReal.CreateTruncating(zA[2]));
        Vector512<TReal> b0 = Vector512.Create(TReal.CreateTruncating(zB[0])), b1 = Vector512.Create(TReal.CreateTruncating(zB[1])), b2 = Vector512.Create(TReal.CreateTruncating(zB[2]));
        Vector512<TReal> sa0 = Vector512<TReal>.Zero, sa1 = Vector512<TReal>.Zero, sa2 = Vector512<TReal>.Zero;
        Vector512<TReal> sb0 = Vector512<TReal>.Zero, sb1 = Vector512<TReal>.Zero, sb2 = Vector512<TReal>.Zero;
        ref TReal m0 = ref MemoryMarshal.GetArrayDataReference(model.Mt);
        ref TReal m1 = ref Unsafe.Add(ref m0, n);
        ref TReal m2 = ref Unsafe.Add(ref m0, 2 * n);
        ref TReal n0 = ref MemoryMarshal.GetArrayDataReference(model.Nt);
        ref TReal n1 = ref Unsafe.Add(ref n0, n);
        ref TReal n2 = ref Unsafe.Add(ref n0, 2 * n);
        ref TReal h = ref MemoryMarshal.GetArrayDataReference(model.H);
        ref TReal w = ref MemoryMarshal.GetReference(offset);
        bool hasOffset = !offset.IsEmpty;
        int i = 0;
        for (; i <= n - width; i += width)
        {
            nuint at = (nuint)i;
            Vector512<TReal> mv0 = Vector512.LoadUnsafe(ref m0, at), mv1 = Vector512.LoadUnsafe(ref m1, at), mv2 = Vector512.LoadUnsafe(ref m2, at);
            Vector512<TReal> start = hasOffset ? Vector512.LoadUnsafe(ref w, at) : Vector512<TReal>.Zero;
            Vector512<TReal> threshold = Vector512.LoadUnsafe(ref h, at);
            Vector512<TReal> rateA = TActivation.Value(Fma(a2, mv2, Fma(a1, mv1, Fma(a0, mv0, start))), threshold);
            Vector512<TReal> rateB = TActivation.Value(Fma(b2, mv2, Fma(b1, mv1, Fma(b0, mv0, start))), threshold);
            Vector512<TReal> nv0 = Vector512.LoadUnsafe(ref n0, at), nv1 = Vector512.LoadUnsafe(ref n1, at), nv2 = Vector512.LoadUnsafe(ref n2, at);
            sa0 = Fma(nv0, rateA, sa0);
            sa1 = Fma(nv1, rateA, sa1);
            sa2 = Fma(nv2, rateA, sa2);
            sb0 = Fma(nv0, rateB, sb0);
            sb1 = Fma(nv1, rateB, sb1);
            sb2 = Fma(nv2, rateB, sb2);
        }

        Span<TReal> tail = stackalloc TReal[6];
        tail.Clear();
        TReal za0 = TReal.CreateTruncating(zA[0]), za1 = TReal.CreateTruncating(zA[1]), za2 = TReal.CreateTruncating(zA[2]);
        TReal zb0 = TReal.CreateTruncating(zB[0]), zb1 = TReal.CreateTruncating(zB[1]), zb2 = TReal.CreateTruncating(zB[2]);
        for (; i < n; i++)
        {
            TReal start = hasOffset ? offset[i] : TReal.Zero;
            TReal rateA = TActivation.Value(start + za0 * model.Mt[i] + za1 * model.Mt[n + i] + za2 * model.Mt[2 * n + i], model.H[i]);
            TReal rateB = TActivation.Value(start + zb0 * model.Mt[i] + zb1 * model.Mt[n + i] + zb2 * model.Mt[2 * n + i], model.H[i]);
            for (int a = 0; a < 3; a++)
            {
                tail[a] += model.Nt[a * n + i] * rateA;
                tail[3 + a] += model.Nt[a * n + i] * rateB;
            }
        }

        double decay = model.Decay;
        fA[0] = decay * zA[0] + double.CreateTruncating(Vector512.Sum(sa0) + tail[0]);
        fA[1] = decay * zA[1] + double.CreateTruncating(Vector512.Sum(sa1) + tail[1]);
        fA[2] = decay * zA[2] + double.CreateTruncating(Vector512.Sum(sa2) + tail[2]);
        fB[0] = decay * zB[0] + double.CreateTruncating(Vector512.Sum(sb0) + tail[3]);
        fB[1] = decay * zB[1] + double.CreateTruncating(Vector512.Sum(sb1) + tail[4]);
        fB[2] = decay * zB[2] + double.CreateTruncating(Vector512.Sum(sb2) + tail[5]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRank3Pair<TReal, TActivation>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset,
        ReadOnlySpan<double> zA, ReadOnlySpan<double> gfA, ReadOnlySpan<double> zB, ReadOnlySpan<double> gfB,
        GradientBuffer<TReal> gradient, Span<TReal> gOffset, Span<double> gzA, Span<double> gzB)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        int n = model.Units;
        int width = Vector512<TReal>.Count;
        TReal za0 = TReal.CreateTruncating(zA[0]), za1 = TReal.CreateTruncating(zA[1]), za2 = TReal.CreateTruncating(zA[2]);
        TReal zb0 = TReal.CreateTruncating(zB[0]), zb1 = TReal.CreateTruncating(zB[1]), zb2 = TReal.CreateTruncating(zB[2]);
        TReal ga0 = TReal.CreateTruncating(gfA[0]), ga1 = TReal.CreateTruncating(gfA[1]), ga2 = TReal.CreateTruncating(gfA[2]);
        TReal gb0 = TReal.CreateTruncating(gfB[0]), gb1 = TReal.CreateTruncating(gfB[1]), gb2 = TReal.CreateTruncating(gfB[2]);
        Vector512<TReal> vza0 = Vector512.Create(za0), vza1 = Vector512.Create(za1), vza2 = Vector512.Create(za2);
        Vector512<TReal> vzb0 = Vector512.Create(zb0), vzb1 = Vector512.Create(zb1), vzb2 = Vector512.Create(zb2);
        Vector512<TReal> vga0 = Vector512.Create(ga0), vga1 = Vector512.Create(ga1), vga2 = Vector512.Create(ga2);
        Vector512<TReal> vgb0 = Vector512.Create(gb0), vgb1 = Vector512.Create(gb1), vgb2 = Vector512.Create(gb2);
        Vector512<TReal> sa0 = Vector512<TReal>.Zero, sa1 = Vector512<TReal>.Zero, sa2 = Vector512<TReal>.Zero;
        Vector512<TReal> sb0 = Vector512<TReal>.Zero, sb1 = Vector512<TReal>.Zero, sb2 = Vector512<TReal>.Zero;
        ref TReal m0 = ref MemoryMarshal.GetArrayDataReference(model.Mt);
        ref TReal m1 = ref Unsafe.Add(ref m0, n);
        ref TReal m2 = ref Unsafe.Add(ref m0, 2 * n);
        ref TReal n0 = ref MemoryMarshal.GetArrayDataReference(model.Nt);
        ref TReal n1 = ref Unsafe.Add(ref n0, n);
        ref TReal n2 = ref Unsafe.Add(ref n0, 2 * n);
        ref TReal gm0 = ref MemoryMarshal.GetArrayDataReference(gradient.Mt);
        ref TReal gm1 = ref Unsafe.Add(ref gm0, n);
        ref TReal gm2 = ref Unsafe.Add(ref gm0, 2 * n);
        ref TReal gn0 = ref MemoryMarshal.GetArrayDataReference(gradient.Nt);
        ref TReal gn1 = ref Unsafe.Add(ref gn0, n);
        ref TReal gn2 = ref Unsafe.Add(ref gn0, 2 * n);
        ref TReal h = ref MemoryMarshal.GetArrayDataReference(model.H);
        ref TReal gH = ref MemoryMarshal.GetArrayDataReference(gradient.H);
        ref TReal w = ref MemoryMarshal.GetReference(offset);
        ref TReal gW = ref MemoryMarshal.GetReference(gOffset);
        bool hasOffset = !offset.IsEmpty;
        bool hasGOffset = !gOffset.IsEmpty;
        int i = 0;
        for (; i <= n - width; i += width)
        {
            nuint at = (nuint)i;
            Vector512<TReal> mv0 = Vector512.LoadUnsafe(ref m0, at), mv1 = Vector512.LoadUnsafe(ref m1, at), mv2 = Vector512.LoadUnsafe(ref m2, at);
            Vector512<TReal> nv0 = Vector512.LoadUnsafe(ref n0, at), nv1 = Vector512.LoadUnsafe(ref n1, at), nv2 = Vector512.LoadUnsafe(ref n2, at);
            Vector512<TReal> start = hasOffset ? Vector512.LoadUnsafe(ref w, at) : Vector512<TReal>.Zero;
            Vector512<TReal> threshold = Vector512.LoadUnsafe(ref h, at);
            Vector512<TReal> xA = Fma(vza2, mv2, Fma(vza1, mv1, Fma(vza0, mv0, start)));
            Vector512<TReal> xB = Fma(vzb2, mv2, Fma(vzb1, mv1, Fma(vzb0, mv0, start)));
            Vector512<TReal> grA = Fma(vga2, nv2, Fma(vga1, nv1, vga0 * nv0));
            Vector512<TReal> grB = Fma(vgb2, nv2, Fma(vgb1, nv1, vgb0 * nv0));
            Vector512<TReal> rateA = TActivation.Value(xA, threshold);
            Vector512<TReal> rateB = TActivation.Value(xB, threshold);
            Vector512<TReal> gxA = TActivation.Backward(xA, threshold, grA, out Vector512<TReal> ghA);
            Vector512<TReal> gxB = TActivation.Backward(xB, threshold, grB, out Vector512<TReal> ghB);
            (Vector512.LoadUnsafe(ref gH, at) + ghA + ghB).StoreUnsafe(ref gH, at);
            if (hasGOffset)
            {
                (Vector512.LoadUnsafe(ref gW, at) + gxA + gxB).StoreUnsafe(ref gW, at);
            }

            Fma(vgb0, rateB, Fma(vga0, rateA, Vector512.LoadUnsafe(ref gn0, at))).StoreUnsafe(ref gn0, at);
            Fma(vgb1, rateB, Fma(vga1, rateA, Vector512.LoadUnsafe(ref gn1, at))).StoreUnsafe(ref gn1, at);
            Fma(vgb2, rateB, Fma(vga2, rateA, Vector512.LoadUnsafe(ref gn2, at))).StoreUnsafe(ref gn2, at);
            Fma(vzb0, gxB, Fma(vza0, gxA, Vector512.LoadUnsafe(ref gm0, at))).StoreUnsafe(ref gm0, at);
            Fma(vzb1, gxB, Fma(vza1, gxA, Vector512.LoadUnsafe(ref gm1, at))).StoreUnsafe(ref gm1, at);
            Fma(vzb2, gxB, Fma(vza2, gxA, Vector512.LoadUnsafe(ref gm2, at))).StoreUnsafe(ref gm2, at);
            sa0 = Fma(mv0, gxA, sa0);
            sa1 = Fma(mv1, gxA, sa1);
            sa2 = Fma(mv2, gxA, sa2);
            sb0 = Fma(mv0, gxB, sb0);
            sb1 = Fma(mv1, gxB, sb1);
            sb2 = Fma(mv2, gxB, sb2);
        }

        Span<TReal> tail = stackalloc TReal[6];
        tail.Clear();
        for (; i < n; i++)
        {
            TReal start = hasOffset ? offset[i] : TReal.Zero;
            TReal mi0 = model.Mt[i], mi1 = model.Mt[n + i], mi2 = model.Mt[2 * n + i];
            TReal ni0 = model.Nt[i], ni1 = model.Nt[n + i], ni2 = model.Nt[2 * n + i];
            TReal xA = start + za0 * mi0 + za1 * mi1 + za2 * mi2;
            TReal xB = start + zb0 * mi0 + zb1 * mi1 + zb2 * mi2;
            TReal rateA = TActivation.Value(xA, model.H[i]);
            TReal rateB = TActivation.Value(xB, model.H[i]);
            TReal gxA = TActivation.Backward(xA, model.H[i], ga0 * ni0 + ga1 * ni1 + ga2 * ni2, out TReal ghA);
            TReal gxB = TActivation.Backward(xB, model.H[i], gb0 * ni0 + gb1 * ni1 + gb2 * ni2, out TReal ghB);
            gradient.H[i] += ghA + ghB;
            if (hasGOffset)
            {
                gOffset[i] += gxA + gxB;
            }

            gradient.Nt[i] += ga0 * rateA + gb0 * rateB;
            gradient.Nt[n + i] += ga1 * rateA + gb1 * rateB;
            gradient.Nt[2 * n + i] += ga2 * rateA + gb2 * rateB;
            gradient.Mt[i] += za0 * gxA + zb0 * gxB;
            gradient.Mt[n + i] += za1 * gxA + zb1 * gxB;
            gradient.Mt[2 * n + i] += za2 * gxA + zb2 * gxB;
            tail[0] += mi0 * gxA;
            tail[1] += mi1 * gxA;
            tail[2] += mi2 * gxA;
            tail[3] += mi0 * gxB;
            tail[4] += mi1 * gxB;
            tail[5] += mi2 * gxB;
        }

        gzA[0] = double.CreateTruncating(Vector512.Sum(sa0) + tail[0]);
        gzA[1] = double.CreateTruncating(Vector512.Sum(sa1) + tail[1]);
        gzA[2] = double.CreateTruncating(Vector512.Sum(sa2) + tail[2]);
        gzB[0] = double.CreateTruncating(Vector512.Sum(sb0) + tail[3]);
        gzB[1] = double.CreateTruncating(Vector512.Sum(sb1) + tail[4]);
        gzB[2] = double.CreateTruncating(Vector512.Sum(sb2) + tail[5]);
    }

    /// <summary><c>a b + c</c> with one rounding (the type test folds away when the JIT specialises).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<TReal> Fma<TReal>(Vector512<TReal> a, Vector512<TReal> b, Vector512<TReal> c)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        if (typeof(TReal) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(a.As<TReal, float>(), b.As<TReal, float>(), c.As<TReal, float>()).As<float, TReal>();
        }

        if (typeof(TReal) == typeof(double))
        {
            return Vector512.FusedMultiplyAdd(a.As<TReal, double>(), b.As<TReal, double>(), c.As<TReal, double>()).As<double, TReal>();
        }

        return a * b + c;
    }

    /// <summary>A piecewise-linear activation in vector and scalar form, with its reverse pass.</summary>
    private interface IVectorActivation<TReal>
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        static abstract Vector512<TReal> Value(Vector512<TReal> x, Vector512<TReal> h);

        /// <summary>Returns ḡx = ḡr ∂φ/∂x and writes ḡh = ḡr ∂φ/∂h.</summary>
        static abstract Vector512<TReal> Backward(Vector512<TReal> x, Vector512<TReal> h, Vector512<TReal> gr, out Vector512<TReal> gh);

        static abstract TReal Value(TReal x, TReal h);

        static abstract TReal Backward(TReal x, TReal h, TReal gr, out TReal gh);
    }

    private readonly struct Relu<TReal> : IVectorActivation<TReal>
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<TReal> Value(Vector512<TReal> x, Vector512<TReal> h) => Vector512.Max(x - h, Vector512<TReal>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<TReal> Backward(Vector512<TReal> x, Vector512<TReal> h, Vector512<TReal> gr, out Vector512<TReal> gh)
        {
            Vector512<TReal> gx = Vector512.ConditionalSelect(Vector512.GreaterThan(x, h), gr, Vector512<TReal>.Zero);
            gh = -gx;
            return gx;
        }

        public static TReal Value(TReal x, TReal h) => TReal.Max(x - h, TReal.Zero);

        public static TReal Backward(TReal x, TReal h, TReal gr, out TReal gh)
        {
            TReal gx = x > h ? gr : TReal.Zero;
            gh = -gx;
            return gx;
        }
    }

    private readonly struct ClippedRelu<TReal> : IVectorActivation<TReal>
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<TReal> Value(Vector512<TReal> x, Vector512<TReal> h) =>
            Vector512.Max(x + h, Vector512<TReal>.Zero) - Vector512.Max(x, Vector512<TReal>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<TReal> Backward(Vector512<TReal> x, Vector512<TReal> h, Vector512<TReal> gr, out Vector512<TReal> gh)
        {
            Vector512<TReal> upper = Vector512.ConditionalSelect(Vector512.GreaterThan(x + h, Vector512<TReal>.Zero), gr, Vector512<TReal>.Zero);
            Vector512<TReal> lower = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<TReal>.Zero), gr, Vector512<TReal>.Zero);
            gh = upper;
            return upper - lower;
        }

        public static TReal Value(TReal x, TReal h) => TReal.Max(x + h, TReal.Zero) - TReal.Max(x, TReal.Zero);

        public static TReal Backward(TReal x, TReal h, TReal gr, out TReal gh)
        {
            TReal upper = x + h > TReal.Zero ? gr : TReal.Zero;
            TReal lower = x > TReal.Zero ? gr : TReal.Zero;
            gh = upper;
            return upper - lower;
        }
    }

    private readonly struct Identity<TReal> : IVectorActivation<TReal>
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<TReal> Value(Vector512<TReal> x, Vector512<TReal> h) => x - h;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<TReal> Backward(Vector512<TReal> x, Vector512<TReal> h, Vector512<TReal> gr, out Vector512<TReal> gh)
        {
            gh = -gr;
            return gr;
        }

        public static TReal Value(TReal x, TReal h) => x - h;

        public static TReal Backward(TReal x, TReal h, TReal gr, out TReal gh)
        {
            gh = -gr;
            return gr;
        }
    }
}
