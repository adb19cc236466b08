using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LowRank.Model;
using static LowRank.Smc.Lanes;

namespace LowRank.Smc;

/// <summary>The R = 3 kernels, one particle or two per sweep, every per-rank vector in a register.</summary>
internal static partial class FusedUnitKernels
{
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

        // Sum the lanes before the scalar tail, so the JIT keeps the accumulators in registers through the vector loop.
        TReal sum0 = Vector512.Sum(s0), sum1 = Vector512.Sum(s1), sum2 = Vector512.Sum(s2);
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
        f[0] = decay * z[0] + double.CreateTruncating(sum0 + t0);
        f[1] = decay * z[1] + double.CreateTruncating(sum1 + t1);
        f[2] = decay * z[2] + double.CreateTruncating(sum2 + t2);
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

        // Sum the lanes before the scalar tail, so the JIT keeps the accumulators in registers through the vector loop.
        TReal sum0 = Vector512.Sum(s0), sum1 = Vector512.Sum(s1), sum2 = Vector512.Sum(s2);
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

        gz[0] = double.CreateTruncating(sum0 + t0);
        gz[1] = double.CreateTruncating(sum1 + t1);
        gz[2] = double.CreateTruncating(sum2 + t2);
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

        // Sum the lanes before the scalar tail, so the JIT keeps the accumulators in registers through the vector loop.
        TReal sumA0 = Vector512.Sum(sa0), sumA1 = Vector512.Sum(sa1), sumA2 = Vector512.Sum(sa2);
        TReal sumB0 = Vector512.Sum(sb0), sumB1 = Vector512.Sum(sb1), sumB2 = Vector512.Sum(sb2);
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
        fA[0] = decay * zA[0] + double.CreateTruncating(sumA0 + tail[0]);
        fA[1] = decay * zA[1] + double.CreateTruncating(sumA1 + tail[1]);
        fA[2] = decay * zA[2] + double.CreateTruncating(sumA2 + tail[2]);
        fB[0] = decay * zB[0] + double.CreateTruncating(sumB0 + tail[3]);
        fB[1] = decay * zB[1] + double.CreateTruncating(sumB1 + tail[4]);
        fB[2] = decay * zB[2] + double.CreateTruncating(sumB2 + tail[5]);
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

        // Sum the lanes before the scalar tail, so the JIT keeps the accumulators in registers through the vector loop.
        TReal sumA0 = Vector512.Sum(sa0), sumA1 = Vector512.Sum(sa1), sumA2 = Vector512.Sum(sa2);
        TReal sumB0 = Vector512.Sum(sb0), sumB1 = Vector512.Sum(sb1), sumB2 = Vector512.Sum(sb2);
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

        gzA[0] = double.CreateTruncating(sumA0 + tail[0]);
        gzA[1] = double.CreateTruncating(sumA1 + tail[1]);
        gzA[2] = double.CreateTruncating(sumA2 + tail[2]);
        gzB[0] = double.CreateTruncating(sumB0 + tail[3]);
        gzB[1] = double.CreateTruncating(sumB1 + tail[4]);
        gzB[2] = double.CreateTruncating(sumB2 + tail[5]);
    }
}
