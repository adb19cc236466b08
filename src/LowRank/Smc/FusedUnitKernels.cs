using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LowRank.Model;
using static LowRank.Smc.Lanes;

namespace LowRank.Smc;

/// <summary>
/// Single-pass 512-bit versions of <see cref="UnitKernels.TransitionForward{TReal}"/> and
/// <see cref="UnitKernels.TransitionBackward{TReal}"/> for the piecewise-linear activations: each unit's
/// current, rate and every product over units are formed in one sweep over N, with the R partial sums
/// held in vector accumulators. Same equations as <see cref="UnitKernels"/>; only the loop structure differs.
/// R = 3 and R = 4 have unrolled versions that keep every per-rank vector in a register, for one particle or for
/// four per sweep (the quad kernels, which share the parameter loads and the gradient read-modify-writes).
/// </summary>
internal static partial class FusedUnitKernels
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

        DecayBackward(model.Decay, z, gf, gz, ref gDecay);
    }

    /// <summary>The decay term of f = a z + Ñ φ(·) for one particle: ḡz += a ḡf, ḡa += ḡf·z.</summary>
    private static void DecayBackward(double decay, ReadOnlySpan<double> z, ReadOnlySpan<double> gf, Span<double> gz, ref double gDecay)
    {
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
        switch (z.Length)
        {
            case 3:
                ForwardRank3<TReal, TActivation>(model, offset, z, f);
                return;
            case 4:
                ForwardRank4<TReal, TActivation>(model, offset, z, f);
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
        switch (z.Length)
        {
            case 3:
                BackwardRank3<TReal, TActivation>(model, offset, z, gf, gradient, gOffset, gz);
                return;
            case 4:
                BackwardRank4<TReal, TActivation>(model, offset, z, gf, gradient, gOffset, gz);
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

    /// <summary>Whether <see cref="TransitionForwardQuad"/> and <see cref="TransitionBackwardQuad"/> apply (R = 3 or 4).</summary>
    public static bool SupportsQuad(Activation kind, int rank) => Supports(kind, rank) && rank is 3 or 4;

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
