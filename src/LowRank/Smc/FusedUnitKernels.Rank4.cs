using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LowRank.Model;
using static LowRank.Smc.Lanes;

namespace LowRank.Smc;

/// <summary>The R = 4 kernels, one particle per sweep, every per-rank vector in a register (four per sweep: FusedUnitKernels.Quad.cs).</summary>
internal static partial class FusedUnitKernels
{
    /// <summary><see cref="Forward{TReal, TActivation}"/> with the R = 4 loop unrolled into registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRank4<TReal, TActivation>(ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> z, Span<double> f)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        int n = model.Units;
        int width = Vector512<TReal>.Count;
        TReal z0 = TReal.CreateTruncating(z[0]), z1 = TReal.CreateTruncating(z[1]), z2 = TReal.CreateTruncating(z[2]), z3 = TReal.CreateTruncating(z[3]);
        Vector512<TReal> vz0 = Vector512.Create(z0), vz1 = Vector512.Create(z1), vz2 = Vector512.Create(z2), vz3 = Vector512.Create(z3);
        Vector512<TReal> s0 = Vector512<TReal>.Zero, s1 = Vector512<TReal>.Zero, s2 = Vector512<TReal>.Zero, s3 = Vector512<TReal>.Zero;
        ref TReal m0 = ref MemoryMarshal.GetArrayDataReference(model.Mt);
        ref TReal m1 = ref Unsafe.Add(ref m0, n);
        ref TReal m2 = ref Unsafe.Add(ref m0, 2 * n);
        ref TReal m3 = ref Unsafe.Add(ref m0, 3 * n);
        ref TReal n0 = ref MemoryMarshal.GetArrayDataReference(model.Nt);
        ref TReal n1 = ref Unsafe.Add(ref n0, n);
        ref TReal n2 = ref Unsafe.Add(ref n0, 2 * n);
        ref TReal n3 = ref Unsafe.Add(ref n0, 3 * n);
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
            x = Fma(vz3, Vector512.LoadUnsafe(ref m3, at), x);
            Vector512<TReal> rate = TActivation.Value(x, Vector512.LoadUnsafe(ref h, at));
            s0 = Fma(Vector512.LoadUnsafe(ref n0, at), rate, s0);
            s1 = Fma(Vector512.LoadUnsafe(ref n1, at), rate, s1);
            s2 = Fma(Vector512.LoadUnsafe(ref n2, at), rate, s2);
            s3 = Fma(Vector512.LoadUnsafe(ref n3, at), rate, s3);
        }

        // Sum the lanes before the scalar tail, so the JIT keeps the accumulators in registers through the vector loop.
        TReal sum0 = Vector512.Sum(s0), sum1 = Vector512.Sum(s1), sum2 = Vector512.Sum(s2), sum3 = Vector512.Sum(s3);
        TReal t0 = TReal.Zero, t1 = TReal.Zero, t2 = TReal.Zero, t3 = TReal.Zero;
        for (; i < n; i++)
        {
            TReal x = (hasOffset ? offset[i] : TReal.Zero) + z0 * model.Mt[i] + z1 * model.Mt[n + i] + z2 * model.Mt[2 * n + i] + z3 * model.Mt[3 * n + i];
            TReal rate = TActivation.Value(x, model.H[i]);
            t0 += model.Nt[i] * rate;
            t1 += model.Nt[n + i] * rate;
            t2 += model.Nt[2 * n + i] * rate;
            t3 += model.Nt[3 * n + i] * rate;
        }

        double decay = model.Decay;
        f[0] = decay * z[0] + double.CreateTruncating(sum0 + t0);
        f[1] = decay * z[1] + double.CreateTruncating(sum1 + t1);
        f[2] = decay * z[2] + double.CreateTruncating(sum2 + t2);
        f[3] = decay * z[3] + double.CreateTruncating(sum3 + t3);
    }

    /// <summary><see cref="Backward{TReal, TActivation}"/> with the R = 4 loop unrolled into registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRank4<TReal, TActivation>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> z, ReadOnlySpan<double> gf,
        GradientBuffer<TReal> gradient, Span<TReal> gOffset, Span<double> gz)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        int n = model.Units;
        int width = Vector512<TReal>.Count;
        TReal z0 = TReal.CreateTruncating(z[0]), z1 = TReal.CreateTruncating(z[1]), z2 = TReal.CreateTruncating(z[2]), z3 = TReal.CreateTruncating(z[3]);
        TReal g0 = TReal.CreateTruncating(gf[0]), g1 = TReal.CreateTruncating(gf[1]), g2 = TReal.CreateTruncating(gf[2]), g3 = TReal.CreateTruncating(gf[3]);
        Vector512<TReal> vz0 = Vector512.Create(z0), vz1 = Vector512.Create(z1), vz2 = Vector512.Create(z2), vz3 = Vector512.Create(z3);
        Vector512<TReal> vg0 = Vector512.Create(g0), vg1 = Vector512.Create(g1), vg2 = Vector512.Create(g2), vg3 = Vector512.Create(g3);
        Vector512<TReal> s0 = Vector512<TReal>.Zero, s1 = Vector512<TReal>.Zero, s2 = Vector512<TReal>.Zero, s3 = Vector512<TReal>.Zero;
        ref TReal m0 = ref MemoryMarshal.GetArrayDataReference(model.Mt);
        ref TReal m1 = ref Unsafe.Add(ref m0, n);
        ref TReal m2 = ref Unsafe.Add(ref m0, 2 * n);
        ref TReal m3 = ref Unsafe.Add(ref m0, 3 * n);
        ref TReal n0 = ref MemoryMarshal.GetArrayDataReference(model.Nt);
        ref TReal n1 = ref Unsafe.Add(ref n0, n);
        ref TReal n2 = ref Unsafe.Add(ref n0, 2 * n);
        ref TReal n3 = ref Unsafe.Add(ref n0, 3 * n);
        ref TReal gm0 = ref MemoryMarshal.GetArrayDataReference(gradient.Mt);
        ref TReal gm1 = ref Unsafe.Add(ref gm0, n);
        ref TReal gm2 = ref Unsafe.Add(ref gm0, 2 * n);
        ref TReal gm3 = ref Unsafe.Add(ref gm0, 3 * n);
        ref TReal gn0 = ref MemoryMarshal.GetArrayDataReference(gradient.Nt);
        ref TReal gn1 = ref Unsafe.Add(ref gn0, n);
        ref TReal gn2 = ref Unsafe.Add(ref gn0, 2 * n);
        ref TReal gn3 = ref Unsafe.Add(ref gn0, 3 * n);
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
            Vector512<TReal> mv0 = Vector512.LoadUnsafe(ref m0, at), mv1 = Vector512.LoadUnsafe(ref m1, at), mv2 = Vector512.LoadUnsafe(ref m2, at), mv3 = Vector512.LoadUnsafe(ref m3, at);
            Vector512<TReal> x = hasOffset ? Vector512.LoadUnsafe(ref w, at) : Vector512<TReal>.Zero;
            x = Fma(vz0, mv0, x);
            x = Fma(vz1, mv1, x);
            x = Fma(vz2, mv2, x);
            x = Fma(vz3, mv3, x);
            Vector512<TReal> gr = vg0 * Vector512.LoadUnsafe(ref n0, at);
            gr = Fma(vg1, Vector512.LoadUnsafe(ref n1, at), gr);
            gr = Fma(vg2, Vector512.LoadUnsafe(ref n2, at), gr);
            gr = Fma(vg3, Vector512.LoadUnsafe(ref n3, at), gr);
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
            Fma(vg3, rate, Vector512.LoadUnsafe(ref gn3, at)).StoreUnsafe(ref gn3, at);
            Fma(vz0, gx, Vector512.LoadUnsafe(ref gm0, at)).StoreUnsafe(ref gm0, at);
            Fma(vz1, gx, Vector512.LoadUnsafe(ref gm1, at)).StoreUnsafe(ref gm1, at);
            Fma(vz2, gx, Vector512.LoadUnsafe(ref gm2, at)).StoreUnsafe(ref gm2, at);
            Fma(vz3, gx, Vector512.LoadUnsafe(ref gm3, at)).StoreUnsafe(ref gm3, at);
            s0 = Fma(mv0, gx, s0);
            s1 = Fma(mv1, gx, s1);
            s2 = Fma(mv2, gx, s2);
            s3 = Fma(mv3, gx, s3);
        }

        // Sum the lanes before the scalar tail, so the JIT keeps the accumulators in registers through the vector loop.
        TReal sum0 = Vector512.Sum(s0), sum1 = Vector512.Sum(s1), sum2 = Vector512.Sum(s2), sum3 = Vector512.Sum(s3);
        TReal t0 = TReal.Zero, t1 = TReal.Zero, t2 = TReal.Zero, t3 = TReal.Zero;
        for (; i < n; i++)
        {
            TReal x = (hasOffset ? offset[i] : TReal.Zero) + z0 * model.Mt[i] + z1 * model.Mt[n + i] + z2 * model.Mt[2 * n + i] + z3 * model.Mt[3 * n + i];
            TReal gr = g0 * model.Nt[i] + g1 * model.Nt[n + i] + g2 * model.Nt[2 * n + i] + g3 * model.Nt[3 * n + i];
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
            gradient.Nt[3 * n + i] += g3 * rate;
            gradient.Mt[i] += z0 * gx;
            gradient.Mt[n + i] += z1 * gx;
            gradient.Mt[2 * n + i] += z2 * gx;
            gradient.Mt[3 * n + i] += z3 * gx;
            t0 += model.Mt[i] * gx;
            t1 += model.Mt[n + i] * gx;
            t2 += model.Mt[2 * n + i] * gx;
            t3 += model.Mt[3 * n + i] * gx;
        }

        gz[0] = double.CreateTruncating(sum0 + t0);
        gz[1] = double.CreateTruncating(sum1 + t1);
        gz[2] = double.CreateTruncating(sum2 + t2);
        gz[3] = double.CreateTruncating(sum3 + t3);
    }
}
