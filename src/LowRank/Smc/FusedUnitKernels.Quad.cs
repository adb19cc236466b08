using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LowRank.Model;
using static LowRank.Smc.Lanes;

namespace LowRank.Smc;

/// <summary>
/// Four particles per sweep over the units (R = 3 or 4). Same equations as the single-particle kernels; a step with many
/// distinct ancestors then reads the parameters, and in the reverse pass reads and writes the gradient rows ḡÑ, ḡMᵀ,
/// ḡh and ḡw, once per four particles instead of once per particle; the one to three left over at a step go one at a time. The particles' z and ḡf are broadcast
/// from a small array in working precision; the 4R accumulators of Ñ r (forward) or Mᵀ ḡx (reverse) stay in registers.
/// </summary>
internal static partial class FusedUnitKernels
{
    /// <summary>Particles per call of <see cref="TransitionForwardQuad"/> and <see cref="TransitionBackwardQuad"/>.</summary>
    public const int QuadWidth = 4;

    /// <summary>
    /// f_j = a z_j + Ñ φ(Mᵀᵀ z_j + w; h) for the four particles j = <paramref name="particles"/>[q], with z_j and f_j the
    /// rows j of <paramref name="z"/> and <paramref name="f"/> ([K, R], R = 3 or 4, see <see cref="SupportsQuad"/>).
    /// </summary>
    /// <exception cref="ArgumentException">R is not 3 or 4, or <paramref name="particles"/> does not hold four indices.</exception>
    public static void TransitionForwardQuad<TReal>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> z, ReadOnlySpan<int> particles, Span<double> f)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        int r = model.Rank;
        CheckQuad(r, particles);
        Span<TReal> zq = stackalloc TReal[QuadWidth * r];
        Span<TReal> sums = stackalloc TReal[QuadWidth * r];
        Gather(z, particles, r, zq);
        switch (model.Options.Activation)
        {
            case Activation.Relu:
                ForwardQuad<TReal, Relu<TReal>>(model, offset, zq, sums);
                break;
            case Activation.ClippedRelu:
                ForwardQuad<TReal, ClippedRelu<TReal>>(model, offset, zq, sums);
                break;
            default:
                ForwardQuad<TReal, Identity<TReal>>(model, offset, zq, sums);
                break;
        }

        double decay = model.Decay;
        for (int q = 0; q < QuadWidth; q++)
        {
            int j = particles[q];
            for (int a = 0; a < r; a++)
            {
                f[j * r + a] = decay * z[j * r + a] + double.CreateTruncating(sums[q * r + a]);
            }
        }
    }

    /// <summary>
    /// Reverse pass of <see cref="TransitionForwardQuad"/>: adds the four particles' contributions to ḡÑ, ḡMᵀ, ḡh, ḡw and
    /// ḡa, and writes ḡz_j = a ḡf_j + Mᵀ ḡx_j into the rows j of <paramref name="gz"/> ([K, R], like <paramref name="z"/>
    /// and <paramref name="gf"/>).
    /// </summary>
    /// <exception cref="ArgumentException">R is not 3 or 4, or <paramref name="particles"/> does not hold four indices.</exception>
    public static void TransitionBackwardQuad<TReal>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> z, ReadOnlySpan<double> gf, ReadOnlySpan<int> particles,
        GradientBuffer<TReal> gradient, Span<TReal> gOffset, Span<double> gz, ref double gDecay)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        int r = model.Rank;
        CheckQuad(r, particles);
        Span<TReal> zq = stackalloc TReal[QuadWidth * r];
        Span<TReal> gq = stackalloc TReal[QuadWidth * r];
        Span<TReal> gzq = stackalloc TReal[QuadWidth * r];
        Gather(z, particles, r, zq);
        Gather(gf, particles, r, gq);
        switch (model.Options.Activation)
        {
            case Activation.Relu:
                BackwardQuad<TReal, Relu<TReal>>(model, offset, zq, gq, gradient, gOffset, gzq);
                break;
            case Activation.ClippedRelu:
                BackwardQuad<TReal, ClippedRelu<TReal>>(model, offset, zq, gq, gradient, gOffset, gzq);
                break;
            default:
                BackwardQuad<TReal, Identity<TReal>>(model, offset, zq, gq, gradient, gOffset, gzq);
                break;
        }

        for (int q = 0; q < QuadWidth; q++)
        {
            int j = particles[q];
            Span<double> gzj = gz.Slice(j * r, r);
            for (int a = 0; a < r; a++)
            {
                gzj[a] = double.CreateTruncating(gzq[q * r + a]);
            }

            DecayBackward(model.Decay, z.Slice(j * r, r), gf.Slice(j * r, r), gzj, ref gDecay);
        }
    }

    private static void CheckQuad(int rank, ReadOnlySpan<int> particles)
    {
        if (rank is not (3 or 4))
        {
            ThrowQuadUnsupported($"latent states of length R = 3 or 4 (see SupportsQuad), but the model has R = {rank}", "model");
        }

        if (particles.Length != QuadWidth)
        {
            ThrowQuadUnsupported($"{QuadWidth} particle indices, but got {particles.Length}", nameof(particles));
        }
    }

    [DoesNotReturn]
    private static void ThrowQuadUnsupported(string what, string paramName) =>
        throw new ArgumentException($"The four-particle transition kernels take {what}.", paramName);

    /// <summary>rows[q·R + a] = values[particles[q]·R + a] in working precision.</summary>
    private static void Gather<TReal>(ReadOnlySpan<double> values, ReadOnlySpan<int> particles, int rank, Span<TReal> rows)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        for (int q = 0; q < particles.Length; q++)
        {
            for (int a = 0; a < rank; a++)
            {
                rows[q * rank + a] = TReal.CreateTruncating(values[particles[q] * rank + a]);
            }
        }
    }

    /// <summary>All lanes = values[index] (read inside the loop, so the JIT can fold it into the arithmetic as a broadcast operand).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<TReal> Broadcast<TReal>(ref TReal values, int index)
        where TReal : unmanaged, IFloatingPointIeee754<TReal> =>
        Vector512.Create(Unsafe.Add(ref values, index));

    private static void ForwardQuad<TReal, TActivation>(ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<TReal> z, Span<TReal> sums)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        if (model.Rank == 3)
        {
            ForwardRank3Quad<TReal, TActivation>(model, offset, z, sums);
        }
        else
        {
            ForwardRank4Quad<TReal, TActivation>(model, offset, z, sums);
        }
    }

    private static void BackwardQuad<TReal, TActivation>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<TReal> z, ReadOnlySpan<TReal> gf,
        GradientBuffer<TReal> gradient, Span<TReal> gOffset, Span<TReal> gz)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        if (model.Rank == 3)
        {
            BackwardRank3Quad<TReal, TActivation>(model, offset, z, gf, gradient, gOffset, gz);
        }
        else
        {
            BackwardRank4Quad<TReal, TActivation>(model, offset, z, gf, gradient, gOffset, gz);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRank3Quad<TReal, TActivation>(ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<TReal> z, Span<TReal> sums)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        int n = model.Units;
        int width = Vector512<TReal>.Count;
        ref TReal zq = ref MemoryMarshal.GetReference(z);
        Vector512<TReal> s00 = Vector512<TReal>.Zero, s01 = Vector512<TReal>.Zero, s02 = Vector512<TReal>.Zero;
        Vector512<TReal> s10 = Vector512<TReal>.Zero, s11 = Vector512<TReal>.Zero, s12 = Vector512<TReal>.Zero;
        Vector512<TReal> s20 = Vector512<TReal>.Zero, s21 = Vector512<TReal>.Zero, s22 = Vector512<TReal>.Zero;
        Vector512<TReal> s30 = Vector512<TReal>.Zero, s31 = Vector512<TReal>.Zero, s32 = Vector512<TReal>.Zero;
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
            Vector512<TReal> nv0 = Vector512.LoadUnsafe(ref n0, at), nv1 = Vector512.LoadUnsafe(ref n1, at), nv2 = Vector512.LoadUnsafe(ref n2, at);
            Vector512<TReal> start = hasOffset ? Vector512.LoadUnsafe(ref w, at) : Vector512<TReal>.Zero;
            Vector512<TReal> threshold = Vector512.LoadUnsafe(ref h, at);
            Vector512<TReal> rate0 = TActivation.Value(Fma(Broadcast(ref zq, 2), mv2, Fma(Broadcast(ref zq, 1), mv1, Fma(Broadcast(ref zq, 0), mv0, start))), threshold);
            s00 = Fma(nv0, rate0, s00);
            s01 = Fma(nv1, rate0, s01);
            s02 = Fma(nv2, rate0, s02);
            Vector512<TReal> rate1 = TActivation.Value(Fma(Broadcast(ref zq, 5), mv2, Fma(Broadcast(ref zq, 4), mv1, Fma(Broadcast(ref zq, 3), mv0, start))), threshold);
            s10 = Fma(nv0, rate1, s10);
            s11 = Fma(nv1, rate1, s11);
            s12 = Fma(nv2, rate1, s12);
            Vector512<TReal> rate2 = TActivation.Value(Fma(Broadcast(ref zq, 8), mv2, Fma(Broadcast(ref zq, 7), mv1, Fma(Broadcast(ref zq, 6), mv0, start))), threshold);
            s20 = Fma(nv0, rate2, s20);
            s21 = Fma(nv1, rate2, s21);
            s22 = Fma(nv2, rate2, s22);
            Vector512<TReal> rate3 = TActivation.Value(Fma(Broadcast(ref zq, 11), mv2, Fma(Broadcast(ref zq, 10), mv1, Fma(Broadcast(ref zq, 9), mv0, start))), threshold);
            s30 = Fma(nv0, rate3, s30);
            s31 = Fma(nv1, rate3, s31);
            s32 = Fma(nv2, rate3, s32);
        }

        // Sum the lanes before the scalar tail, so the JIT keeps the accumulators in registers through the vector loop.
        sums[0] = Vector512.Sum(s00);
        sums[1] = Vector512.Sum(s01);
        sums[2] = Vector512.Sum(s02);
        sums[3] = Vector512.Sum(s10);
        sums[4] = Vector512.Sum(s11);
        sums[5] = Vector512.Sum(s12);
        sums[6] = Vector512.Sum(s20);
        sums[7] = Vector512.Sum(s21);
        sums[8] = Vector512.Sum(s22);
        sums[9] = Vector512.Sum(s30);
        sums[10] = Vector512.Sum(s31);
        sums[11] = Vector512.Sum(s32);
        for (; i < n; i++)
        {
            for (int q = 0; q < 4; q++)
            {
                TReal x = hasOffset ? offset[i] : TReal.Zero;
                for (int a = 0; a < 3; a++)
                {
                    x += z[q * 3 + a] * model.Mt[a * n + i];
                }

                TReal rate = TActivation.Value(x, model.H[i]);
                for (int a = 0; a < 3; a++)
                {
                    sums[q * 3 + a] += model.Nt[a * n + i] * rate;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRank3Quad<TReal, TActivation>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<TReal> z, ReadOnlySpan<TReal> gf,
        GradientBuffer<TReal> gradient, Span<TReal> gOffset, Span<TReal> gz)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        int n = model.Units;
        int width = Vector512<TReal>.Count;
        ref TReal zq = ref MemoryMarshal.GetReference(z);
        ref TReal gq = ref MemoryMarshal.GetReference(gf);
        Vector512<TReal> s00 = Vector512<TReal>.Zero, s01 = Vector512<TReal>.Zero, s02 = Vector512<TReal>.Zero;
        Vector512<TReal> s10 = Vector512<TReal>.Zero, s11 = Vector512<TReal>.Zero, s12 = Vector512<TReal>.Zero;
        Vector512<TReal> s20 = Vector512<TReal>.Zero, s21 = Vector512<TReal>.Zero, s22 = Vector512<TReal>.Zero;
        Vector512<TReal> s30 = Vector512<TReal>.Zero, s31 = Vector512<TReal>.Zero, s32 = Vector512<TReal>.Zero;
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
            Vector512<TReal> x0 = Fma(Broadcast(ref zq, 2), mv2, Fma(Broadcast(ref zq, 1), mv1, Fma(Broadcast(ref zq, 0), mv0, start)));
            Vector512<TReal> rate0 = TActivation.Value(x0, threshold);
            Vector512<TReal> gx0 = TActivation.Backward(x0, threshold, Fma(Broadcast(ref gq, 2), nv2, Fma(Broadcast(ref gq, 1), nv1, Broadcast(ref gq, 0) * nv0)), out Vector512<TReal> gh0);
            Vector512<TReal> x1 = Fma(Broadcast(ref zq, 5), mv2, Fma(Broadcast(ref zq, 4), mv1, Fma(Broadcast(ref zq, 3), mv0, start)));
            Vector512<TReal> rate1 = TActivation.Value(x1, threshold);
            Vector512<TReal> gx1 = TActivation.Backward(x1, threshold, Fma(Broadcast(ref gq, 5), nv2, Fma(Broadcast(ref gq, 4), nv1, Broadcast(ref gq, 3) * nv0)), out Vector512<TReal> gh1);
            Vector512<TReal> x2 = Fma(Broadcast(ref zq, 8), mv2, Fma(Broadcast(ref zq, 7), mv1, Fma(Broadcast(ref zq, 6), mv0, start)));
            Vector512<TReal> rate2 = TActivation.Value(x2, threshold);
            Vector512<TReal> gx2 = TActivation.Backward(x2, threshold, Fma(Broadcast(ref gq, 8), nv2, Fma(Broadcast(ref gq, 7), nv1, Broadcast(ref gq, 6) * nv0)), out Vector512<TReal> gh2);
            Vector512<TReal> x3 = Fma(Broadcast(ref zq, 11), mv2, Fma(Broadcast(ref zq, 10), mv1, Fma(Broadcast(ref zq, 9), mv0, start)));
            Vector512<TReal> rate3 = TActivation.Value(x3, threshold);
            Vector512<TReal> gx3 = TActivation.Backward(x3, threshold, Fma(Broadcast(ref gq, 11), nv2, Fma(Broadcast(ref gq, 10), nv1, Broadcast(ref gq, 9) * nv0)), out Vector512<TReal> gh3);
            (Vector512.LoadUnsafe(ref gH, at) + gh0 + gh1 + gh2 + gh3).StoreUnsafe(ref gH, at);
            if (hasGOffset)
            {
                (Vector512.LoadUnsafe(ref gW, at) + gx0 + gx1 + gx2 + gx3).StoreUnsafe(ref gW, at);
            }

            Fma(Broadcast(ref gq, 9), rate3, Fma(Broadcast(ref gq, 6), rate2, Fma(Broadcast(ref gq, 3), rate1, Fma(Broadcast(ref gq, 0), rate0, Vector512.LoadUnsafe(ref gn0, at))))).StoreUnsafe(ref gn0, at);
            Fma(Broadcast(ref gq, 10), rate3, Fma(Broadcast(ref gq, 7), rate2, Fma(Broadcast(ref gq, 4), rate1, Fma(Broadcast(ref gq, 1), rate0, Vector512.LoadUnsafe(ref gn1, at))))).StoreUnsafe(ref gn1, at);
            Fma(Broadcast(ref gq, 11), rate3, Fma(Broadcast(ref gq, 8), rate2, Fma(Broadcast(ref gq, 5), rate1, Fma(Broadcast(ref gq, 2), rate0, Vector512.LoadUnsafe(ref gn2, at))))).StoreUnsafe(ref gn2, at);
            Fma(Broadcast(ref zq, 9), gx3, Fma(Broadcast(ref zq, 6), gx2, Fma(Broadcast(ref zq, 3), gx1, Fma(Broadcast(ref zq, 0), gx0, Vector512.LoadUnsafe(ref gm0, at))))).StoreUnsafe(ref gm0, at);
            Fma(Broadcast(ref zq, 10), gx3, Fma(Broadcast(ref zq, 7), gx2, Fma(Broadcast(ref zq, 4), gx1, Fma(Broadcast(ref zq, 1), gx0, Vector512.LoadUnsafe(ref gm1, at))))).StoreUnsafe(ref gm1, at);
            Fma(Broadcast(ref zq, 11), gx3, Fma(Broadcast(ref zq, 8), gx2, Fma(Broadcast(ref zq, 5), gx1, Fma(Broadcast(ref zq, 2), gx0, Vector512.LoadUnsafe(ref gm2, at))))).StoreUnsafe(ref gm2, at);
            s00 = Fma(mv0, gx0, s00);
            s01 = Fma(mv1, gx0, s01);
            s02 = Fma(mv2, gx0, s02);
            s10 = Fma(mv0, gx1, s10);
            s11 = Fma(mv1, gx1, s11);
            s12 = Fma(mv2, gx1, s12);
            s20 = Fma(mv0, gx2, s20);
            s21 = Fma(mv1, gx2, s21);
            s22 = Fma(mv2, gx2, s22);
            s30 = Fma(mv0, gx3, s30);
            s31 = Fma(mv1, gx3, s31);
            s32 = Fma(mv2, gx3, s32);
        }

        // Sum the lanes before the scalar tail, so the JIT keeps the accumulators in registers through the vector loop.
        gz[0] = Vector512.Sum(s00);
        gz[1] = Vector512.Sum(s01);
        gz[2] = Vector512.Sum(s02);
        gz[3] = Vector512.Sum(s10);
        gz[4] = Vector512.Sum(s11);
        gz[5] = Vector512.Sum(s12);
        gz[6] = Vector512.Sum(s20);
        gz[7] = Vector512.Sum(s21);
        gz[8] = Vector512.Sum(s22);
        gz[9] = Vector512.Sum(s30);
        gz[10] = Vector512.Sum(s31);
        gz[11] = Vector512.Sum(s32);
        for (; i < n; i++)
        {
            TReal threshold = model.H[i];
            for (int q = 0; q < 4; q++)
            {
                TReal x = hasOffset ? offset[i] : TReal.Zero;
                TReal gr = TReal.Zero;
                for (int a = 0; a < 3; a++)
                {
                    x += z[q * 3 + a] * model.Mt[a * n + i];
                    gr += gf[q * 3 + a] * model.Nt[a * n + i];
                }

                TReal rate = TActivation.Value(x, threshold);
                TReal gx = TActivation.Backward(x, threshold, gr, out TReal gh);
                gradient.H[i] += gh;
                if (hasGOffset)
                {
                    gOffset[i] += gx;
                }

                for (int a = 0; a < 3; a++)
                {
                    gradient.Nt[a * n + i] += gf[q * 3 + a] * rate;
                    gradient.Mt[a * n + i] += z[q * 3 + a] * gx;
                    gz[q * 3 + a] += model.Mt[a * n + i] * gx;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRank4Quad<TReal, TActivation>(ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<TReal> z, Span<TReal> sums)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        int n = model.Units;
        int width = Vector512<TReal>.Count;
        ref TReal zq = ref MemoryMarshal.GetReference(z);
        Vector512<TReal> s00 = Vector512<TReal>.Zero, s01 = Vector512<TReal>.Zero, s02 = Vector512<TReal>.Zero, s03 = Vector512<TReal>.Zero;
        Vector512<TReal> s10 = Vector512<TReal>.Zero, s11 = Vector512<TReal>.Zero, s12 = Vector512<TReal>.Zero, s13 = Vector512<TReal>.Zero;
        Vector512<TReal> s20 = Vector512<TReal>.Zero, s21 = Vector512<TReal>.Zero, s22 = Vector512<TReal>.Zero, s23 = Vector512<TReal>.Zero;
        Vector512<TReal> s30 = Vector512<TReal>.Zero, s31 = Vector512<TReal>.Zero, s32 = Vector512<TReal>.Zero, s33 = Vector512<TReal>.Zero;
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
            Vector512<TReal> mv0 = Vector512.LoadUnsafe(ref m0, at), mv1 = Vector512.LoadUnsafe(ref m1, at), mv2 = Vector512.LoadUnsafe(ref m2, at), mv3 = Vector512.LoadUnsafe(ref m3, at);
            Vector512<TReal> nv0 = Vector512.LoadUnsafe(ref n0, at), nv1 = Vector512.LoadUnsafe(ref n1, at), nv2 = Vector512.LoadUnsafe(ref n2, at), nv3 = Vector512.LoadUnsafe(ref n3, at);
            Vector512<TReal> start = hasOffset ? Vector512.LoadUnsafe(ref w, at) : Vector512<TReal>.Zero;
            Vector512<TReal> threshold = Vector512.LoadUnsafe(ref h, at);
            Vector512<TReal> rate0 = TActivation.Value(Fma(Broadcast(ref zq, 3), mv3, Fma(Broadcast(ref zq, 2), mv2, Fma(Broadcast(ref zq, 1), mv1, Fma(Broadcast(ref zq, 0), mv0, start)))), threshold);
            s00 = Fma(nv0, rate0, s00);
            s01 = Fma(nv1, rate0, s01);
            s02 = Fma(nv2, rate0, s02);
            s03 = Fma(nv3, rate0, s03);
            Vector512<TReal> rate1 = TActivation.Value(Fma(Broadcast(ref zq, 7), mv3, Fma(Broadcast(ref zq, 6), mv2, Fma(Broadcast(ref zq, 5), mv1, Fma(Broadcast(ref zq, 4), mv0, start)))), threshold);
            s10 = Fma(nv0, rate1, s10);
            s11 = Fma(nv1, rate1, s11);
            s12 = Fma(nv2, rate1, s12);
            s13 = Fma(nv3, rate1, s13);
            Vector512<TReal> rate2 = TActivation.Value(Fma(Broadcast(ref zq, 11), mv3, Fma(Broadcast(ref zq, 10), mv2, Fma(Broadcast(ref zq, 9), mv1, Fma(Broadcast(ref zq, 8), mv0, start)))), threshold);
            s20 = Fma(nv0, rate2, s20);
            s21 = Fma(nv1, rate2, s21);
            s22 = Fma(nv2, rate2, s22);
            s23 = Fma(nv3, rate2, s23);
            Vector512<TReal> rate3 = TActivation.Value(Fma(Broadcast(ref zq, 15), mv3, Fma(Broadcast(ref zq, 14), mv2, Fma(Broadcast(ref zq, 13), mv1, Fma(Broadcast(ref zq, 12), mv0, start)))), threshold);
            s30 = Fma(nv0, rate3, s30);
            s31 = Fma(nv1, rate3, s31);
            s32 = Fma(nv2, rate3, s32);
            s33 = Fma(nv3, rate3, s33);
        }

        // Sum the lanes before the scalar tail, so the JIT keeps the accumulators in registers through the vector loop.
        sums[0] = Vector512.Sum(s00);
        sums[1] = Vector512.Sum(s01);
        sums[2] = Vector512.Sum(s02);
        sums[3] = Vector512.Sum(s03);
        sums[4] = Vector512.Sum(s10);
        sums[5] = Vector512.Sum(s11);
        sums[6] = Vector512.Sum(s12);
        sums[7] = Vector512.Sum(s13);
        sums[8] = Vector512.Sum(s20);
        sums[9] = Vector512.Sum(s21);
        sums[10] = Vector512.Sum(s22);
        sums[11] = Vector512.Sum(s23);
        sums[12] = Vector512.Sum(s30);
        sums[13] = Vector512.Sum(s31);
        sums[14] = Vector512.Sum(s32);
        sums[15] = Vector512.Sum(s33);
        for (; i < n; i++)
        {
            for (int q = 0; q < 4; q++)
            {
                TReal x = hasOffset ? offset[i] : TReal.Zero;
                for (int a = 0; a < 4; a++)
                {
                    x += z[q * 4 + a] * model.Mt[a * n + i];
                }

                TReal rate = TActivation.Value(x, model.H[i]);
                for (int a = 0; a < 4; a++)
                {
                    sums[q * 4 + a] += model.Nt[a * n + i] * rate;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRank4Quad<TReal, TActivation>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<TReal> z, ReadOnlySpan<TReal> gf,
        GradientBuffer<TReal> gradient, Span<TReal> gOffset, Span<TReal> gz)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
        where TActivation : IVectorActivation<TReal>
    {
        int n = model.Units;
        int width = Vector512<TReal>.Count;
        ref TReal zq = ref MemoryMarshal.GetReference(z);
        ref TReal gq = ref MemoryMarshal.GetReference(gf);
        Vector512<TReal> s00 = Vector512<TReal>.Zero, s01 = Vector512<TReal>.Zero, s02 = Vector512<TReal>.Zero, s03 = Vector512<TReal>.Zero;
        Vector512<TReal> s10 = Vector512<TReal>.Zero, s11 = Vector512<TReal>.Zero, s12 = Vector512<TReal>.Zero, s13 = Vector512<TReal>.Zero;
        Vector512<TReal> s20 = Vector512<TReal>.Zero, s21 = Vector512<TReal>.Zero, s22 = Vector512<TReal>.Zero, s23 = Vector512<TReal>.Zero;
        Vector512<TReal> s30 = Vector512<TReal>.Zero, s31 = Vector512<TReal>.Zero, s32 = Vector512<TReal>.Zero, s33 = Vector512<TReal>.Zero;
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
            Vector512<TReal> nv0 = Vector512.LoadUnsafe(ref n0, at), nv1 = Vector512.LoadUnsafe(ref n1, at), nv2 = Vector512.LoadUnsafe(ref n2, at), nv3 = Vector512.LoadUnsafe(ref n3, at);
            Vector512<TReal> start = hasOffset ? Vector512.LoadUnsafe(ref w, at) : Vector512<TReal>.Zero;
            Vector512<TReal> threshold = Vector512.LoadUnsafe(ref h, at);
            Vector512<TReal> x0 = Fma(Broadcast(ref zq, 3), mv3, Fma(Broadcast(ref zq, 2), mv2, Fma(Broadcast(ref zq, 1), mv1, Fma(Broadcast(ref zq, 0), mv0, start))));
            Vector512<TReal> rate0 = TActivation.Value(x0, threshold);
            Vector512<TReal> gx0 = TActivation.Backward(x0, threshold, Fma(Broadcast(ref gq, 3), nv3, Fma(Broadcast(ref gq, 2), nv2, Fma(Broadcast(ref gq, 1), nv1, Broadcast(ref gq, 0) * nv0))), out Vector512<TReal> gh0);
            Vector512<TReal> x1 = Fma(Broadcast(ref zq, 7), mv3, Fma(Broadcast(ref zq, 6), mv2, Fma(Broadcast(ref zq, 5), mv1, Fma(Broadcast(ref zq, 4), mv0, start))));
            Vector512<TReal> rate1 = TActivation.Value(x1, threshold);
            Vector512<TReal> gx1 = TActivation.Backward(x1, threshold, Fma(Broadcast(ref gq, 7), nv3, Fma(Broadcast(ref gq, 6), nv2, Fma(Broadcast(ref gq, 5), nv1, Broadcast(ref gq, 4) * nv0))), out Vector512<TReal> gh1);
            Vector512<TReal> x2 = Fma(Broadcast(ref zq, 11), mv3, Fma(Broadcast(ref zq, 10), mv2, Fma(Broadcast(ref zq, 9), mv1, Fma(Broadcast(ref zq, 8), mv0, start))));
            Vector512<TReal> rate2 = TActivation.Value(x2, threshold);
            Vector512<TReal> gx2 = TActivation.Backward(x2, threshold, Fma(Broadcast(ref gq, 11), nv3, Fma(Broadcast(ref gq, 10), nv2, Fma(Broadcast(ref gq, 9), nv1, Broadcast(ref gq, 8) * nv0))), out Vector512<TReal> gh2);
            Vector512<TReal> x3 = Fma(Broadcast(ref zq, 15), mv3, Fma(Broadcast(ref zq, 14), mv2, Fma(Broadcast(ref zq, 13), mv1, Fma(Broadcast(ref zq, 12), mv0, start))));
            Vector512<TReal> rate3 = TActivation.Value(x3, threshold);
            Vector512<TReal> gx3 = TActivation.Backward(x3, threshold, Fma(Broadcast(ref gq, 15), nv3, Fma(Broadcast(ref gq, 14), nv2, Fma(Broadcast(ref gq, 13), nv1, Broadcast(ref gq, 12) * nv0))), out Vector512<TReal> gh3);
            (Vector512.LoadUnsafe(ref gH, at) + gh0 + gh1 + gh2 + gh3).StoreUnsafe(ref gH, at);
            if (hasGOffset)
            {
                (Vector512.LoadUnsafe(ref gW, at) + gx0 + gx1 + gx2 + gx3).StoreUnsafe(ref gW, at);
            }

            Fma(Broadcast(ref gq, 12), rate3, Fma(Broadcast(ref gq, 8), rate2, Fma(Broadcast(ref gq, 4), rate1, Fma(Broadcast(ref gq, 0), rate0, Vector512.LoadUnsafe(ref gn0, at))))).StoreUnsafe(ref gn0, at);
            Fma(Broadcast(ref gq, 13), rate3, Fma(Broadcast(ref gq, 9), rate2, Fma(Broadcast(ref gq, 5), rate1, Fma(Broadcast(ref gq, 1), rate0, Vector512.LoadUnsafe(ref gn1, at))))).StoreUnsafe(ref gn1, at);
            Fma(Broadcast(ref gq, 14), rate3, Fma(Broadcast(ref gq, 10), rate2, Fma(Broadcast(ref gq, 6), rate1, Fma(Broadcast(ref gq, 2), rate0, Vector512.LoadUnsafe(ref gn2, at))))).StoreUnsafe(ref gn2, at);
            Fma(Broadcast(ref gq, 15), rate3, Fma(Broadcast(ref gq, 11), rate2, Fma(Broadcast(ref gq, 7), rate1, Fma(Broadcast(ref gq, 3), rate0, Vector512.LoadUnsafe(ref gn3, at))))).StoreUnsafe(ref gn3, at);
            Fma(Broadcast(ref zq, 12), gx3, Fma(Broadcast(ref zq, 8), gx2, Fma(Broadcast(ref zq, 4), gx1, Fma(Broadcast(ref zq, 0), gx0, Vector512.LoadUnsafe(ref gm0, at))))).StoreUnsafe(ref gm0, at);
            Fma(Broadcast(ref zq, 13), gx3, Fma(Broadcast(ref zq, 9), gx2, Fma(Broadcast(ref zq, 5), gx1, Fma(Broadcast(ref zq, 1), gx0, Vector512.LoadUnsafe(ref gm1, at))))).StoreUnsafe(ref gm1, at);
            Fma(Broadcast(ref zq, 14), gx3, Fma(Broadcast(ref zq, 10), gx2, Fma(Broadcast(ref zq, 6), gx1, Fma(Broadcast(ref zq, 2), gx0, Vector512.LoadUnsafe(ref gm2, at))))).StoreUnsafe(ref gm2, at);
            Fma(Broadcast(ref zq, 15), gx3, Fma(Broadcast(ref zq, 11), gx2, Fma(Broadcast(ref zq, 7), gx1, Fma(Broadcast(ref zq, 3), gx0, Vector512.LoadUnsafe(ref gm3, at))))).StoreUnsafe(ref gm3, at);
            s00 = Fma(mv0, gx0, s00);
            s01 = Fma(mv1, gx0, s01);
            s02 = Fma(mv2, gx0, s02);
            s03 = Fma(mv3, gx0, s03);
            s10 = Fma(mv0, gx1, s10);
            s11 = Fma(mv1, gx1, s11);
            s12 = Fma(mv2, gx1, s12);
            s13 = Fma(mv3, gx1, s13);
            s20 = Fma(mv0, gx2, s20);
            s21 = Fma(mv1, gx2, s21);
            s22 = Fma(mv2, gx2, s22);
            s23 = Fma(mv3, gx2, s23);
            s30 = Fma(mv0, gx3, s30);
            s31 = Fma(mv1, gx3, s31);
            s32 = Fma(mv2, gx3, s32);
            s33 = Fma(mv3, gx3, s33);
        }

        // Sum the lanes before the scalar tail, so the JIT keeps the accumulators in registers through the vector loop.
        gz[0] = Vector512.Sum(s00);
        gz[1] = Vector512.Sum(s01);
        gz[2] = Vector512.Sum(s02);
        gz[3] = Vector512.Sum(s03);
        gz[4] = Vector512.Sum(s10);
        gz[5] = Vector512.Sum(s11);
        gz[6] = Vector512.Sum(s12);
        gz[7] = Vector512.Sum(s13);
        gz[8] = Vector512.Sum(s20);
        gz[9] = Vector512.Sum(s21);
        gz[10] = Vector512.Sum(s22);
        gz[11] = Vector512.Sum(s23);
        gz[12] = Vector512.Sum(s30);
        gz[13] = Vector512.Sum(s31);
        gz[14] = Vector512.Sum(s32);
        gz[15] = Vector512.Sum(s33);
        for (; i < n; i++)
        {
            TReal threshold = model.H[i];
            for (int q = 0; q < 4; q++)
            {
                TReal x = hasOffset ? offset[i] : TReal.Zero;
                TReal gr = TReal.Zero;
                for (int a = 0; a < 4; a++)
                {
                    x += z[q * 4 + a] * model.Mt[a * n + i];
                    gr += gf[q * 4 + a] * model.Nt[a * n + i];
                }

                TReal rate = TActivation.Value(x, threshold);
                TReal gx = TActivation.Backward(x, threshold, gr, out TReal gh);
                gradient.H[i] += gh;
                if (hasGOffset)
                {
                    gOffset[i] += gx;
                }

                for (int a = 0; a < 4; a++)
                {
                    gradient.Nt[a * n + i] += gf[q * 4 + a] * rate;
                    gradient.Mt[a * n + i] += z[q * 4 + a] * gx;
                    gz[q * 4 + a] += model.Mt[a * n + i] * gx;
                }
            }
        }
    }
}
