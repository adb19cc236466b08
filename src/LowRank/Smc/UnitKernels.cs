using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LowRank.Model;

namespace LowRank.Smc;

/// <summary>
/// SIMD kernels over the N units of one particle: the latent transition and its reverse pass.
/// </summary>
/// <remarks>
/// <code>
/// x = Mᵀᵀ z + w            // [N] currents, w = W v (or 0)
/// r = φ(x; h)              // [N] rates
/// f = a z + Ñ r            // [R] transition mean
/// </code>
/// Reverse, given ḡ = ∂L/∂f [R]:
/// <code>
/// ḡr = Ñᵀ ḡ;  ḡx = ḡr ⊙ φ'(x);  ḡh += ḡr ⊙ ∂φ/∂h
/// ḡÑ += ḡ rᵀ;  ḡMᵀ += z ḡxᵀ;  ḡw += ḡx;  ḡz = a ḡ + Mᵀ ḡx;  ḡa += ḡ·z
/// </code>
/// M is stored transposed ([R,N]) so every product over units is a contiguous vector loop.
/// </remarks>
internal static class UnitKernels
{
    /// <summary><c>currents = Mtᵀ z + offset</c> (offset may be empty).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Currents<TReal>(ReadOnlySpan<TReal> mt, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> z, Span<TReal> currents)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        int n = currents.Length;
        if (offset.IsEmpty)
        {
            TensorPrimitives.Multiply(mt[..n], TReal.CreateTruncating(z[0]), currents);
        }
        else
        {
            TensorPrimitives.MultiplyAdd(mt[..n], TReal.CreateTruncating(z[0]), offset, currents);
        }

        for (int a = 1; a < z.Length; a++)
        {
            TensorPrimitives.MultiplyAdd(mt.Slice(a * n, n), TReal.CreateTruncating(z[a]), currents, currents);
        }
    }

    /// <summary>Transition mean <c>f = a z + Ñ φ(Mᵀᵀ z + offset; h)</c>; leaves currents and rates in the scratch spans.</summary>
    public static void TransitionForward<TReal>(
        ModelView<TReal> model, ReadOnlySpan<TReal> offset, ReadOnlySpan<double> z, Span<TReal> currents, Span<TReal> rates, Span<double> f)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        if (FusedUnitKernels.Supports(model.Options.Activation, z.Length))
        {
            FusedUnitKernels.TransitionForward(model, offset, z, f);
            return;
        }

        int n = model.Units;
        Currents<TReal>(model.Mt, offset, z, currents);
        Activate(model.Options.Activation, currents, model.H, rates);
        ReadOnlySpan<TReal> nt = model.Nt;
        double decay = model.Decay;
        for (int a = 0; a < z.Length; a++)
        {
            f[a] = decay * z[a] + double.CreateTruncating(TensorPrimitives.Dot(nt.Slice(a * n, n), rates));
        }
    }

    /// <summary>
    /// Reverse pass of <see cref="TransitionForward"/> for upstream gradient <paramref name="gf"/>:
    /// accumulates ∂/∂Ñ, ∂/∂Mᵀ, ∂/∂h (and ∂/∂offset when <paramref name="gOffset"/> is not empty) and
    /// writes ∂/∂z into <paramref name="gz"/> (overwritten) and ∂/∂a into <paramref name="gDecay"/> (added).
    /// </summary>
    public static void TransitionBackward<TReal>(
        ModelView<TReal> model,
        ReadOnlySpan<TReal> offset,
        ReadOnlySpan<double> z,
        ReadOnlySpan<double> gf,
        Span<TReal> currents,
        Span<TReal> rates,
        Span<TReal> gRates,
        Span<TReal> gCurrents,
        GradientBuffer<TReal> gradient,
        Span<TReal> gOffset,
        Span<double> gz,
        ref double gDecay)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        if (FusedUnitKernels.Supports(model.Options.Activation, z.Length))
        {
            FusedUnitKernels.TransitionBackward(model, offset, z, gf, gradient, gOffset, gz, ref gDecay);
            return;
        }

        int n = model.Units, r = z.Length;
        Currents<TReal>(model.Mt, offset, z, currents);
        Activate(model.Options.Activation, currents, model.H, rates);
        ReadOnlySpan<TReal> nt = model.Nt;
        ReadOnlySpan<TReal> mt = model.Mt;

        // ḡr = Ñᵀ ḡ
        TensorPrimitives.Multiply(nt[..n], TReal.CreateTruncating(gf[0]), gRates);
        for (int a = 1; a < r; a++)
        {
            TensorPrimitives.MultiplyAdd(nt.Slice(a * n, n), TReal.CreateTruncating(gf[a]), gRates, gRates);
        }

        // ḡx = ḡr ⊙ φ'(x); ḡh += ḡr ⊙ ∂φ/∂h
        ActivateBackward(model.Options.Activation, currents, model.H, gRates, gCurrents, gradient.H);
        Span<TReal> gNt = gradient.Nt;
        Span<TReal> gMt = gradient.Mt;
        double decay = model.Decay;
        for (int a = 0; a < r; a++)
        {
            // ḡÑ_a += ḡ_a r;  ḡMᵀ_a += z_a ḡx;  ḡz_a = a ḡ_a + M_aᵀ ḡx
            Span<TReal> gNtRow = gNt.Slice(a * n, n);
            TensorPrimitives.MultiplyAdd(rates, TReal.CreateTruncating(gf[a]), gNtRow, gNtRow);
            Span<TReal> gMtRow = gMt.Slice(a * n, n);
            TensorPrimitives.MultiplyAdd(gCurrents, TReal.CreateTruncating(z[a]), gMtRow, gMtRow);
            gz[a] = decay * gf[a] + double.CreateTruncating(TensorPrimitives.Dot(mt.Slice(a * n, n), gCurrents));
            gDecay += gf[a] * z[a];
        }

        if (!gOffset.IsEmpty)
        {
            TensorPrimitives.Add(gOffset, gCurrents, gOffset);
        }
    }

    /// <summary><c>rates[i] = φ(currents[i]; h[i])</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Activate<TReal>(Activation kind, ReadOnlySpan<TReal> currents, ReadOnlySpan<TReal> h, Span<TReal> rates)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        int n = rates.Length;
        int i = 0;
        ref TReal x0 = ref MemoryMarshal.GetReference(currents);
        ref TReal h0 = ref MemoryMarshal.GetReference(h);
        ref TReal r0 = ref MemoryMarshal.GetReference(rates);
        int width = Vector<TReal>.Count;
        switch (kind)
        {
            case Activation.Relu:
                for (; i <= n - width; i += width)
                {
                    var x = Vector.LoadUnsafe(ref x0, (nuint)i);
                    var t = Vector.LoadUnsafe(ref h0, (nuint)i);
                    Vector.Max(x - t, Vector<TReal>.Zero).StoreUnsafe(ref r0, (nuint)i);
                }

                for (; i < n; i++)
                {
                    rates[i] = TReal.Max(currents[i] - h[i], TReal.Zero);
                }

                break;
            case Activation.ClippedRelu:
                for (; i <= n - width; i += width)
                {
                    var x = Vector.LoadUnsafe(ref x0, (nuint)i);
                    var t = Vector.LoadUnsafe(ref h0, (nuint)i);
                    (Vector.Max(x + t, Vector<TReal>.Zero) - Vector.Max(x, Vector<TReal>.Zero)).StoreUnsafe(ref r0, (nuint)i);
                }

                for (; i < n; i++)
                {
                    rates[i] = TReal.Max(currents[i] + h[i], TReal.Zero) - TReal.Max(currents[i], TReal.Zero);
                }

                break;
            case Activation.Tanh:
                TensorPrimitives.Subtract(currents, h, rates);
                TensorPrimitives.Tanh(rates, rates);
                break;
            default:
                TensorPrimitives.Subtract(currents, h, rates);
                break;
        }
    }

    /// <summary><c>gCurrents = gRates ⊙ ∂φ/∂x</c> (overwritten); <c>gH += gRates ⊙ ∂φ/∂h</c>.</summary>
    /// <remarks>At a kink the derivative takes the right-hand value (indicator of x &gt; kink), as <see cref="ActivationFunctions"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ActivateBackward<TReal>(
        Activation kind, ReadOnlySpan<TReal> currents, ReadOnlySpan<TReal> h, ReadOnlySpan<TReal> gRates, Span<TReal> gCurrents, Span<TReal> gH)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        int n = gCurrents.Length;
        int i = 0;
        int width = Vector<TReal>.Count;
        ref TReal x0 = ref MemoryMarshal.GetReference(currents);
        ref TReal h0 = ref MemoryMarshal.GetReference(h);
        ref TReal g0 = ref MemoryMarshal.GetReference(gRates);
        ref TReal gx0 = ref MemoryMarshal.GetReference(gCurrents);
        ref TReal gh0 = ref MemoryMarshal.GetReference(gH);
        switch (kind)
        {
            case Activation.Relu:
                for (; i <= n - width; i += width)
                {
                    var x = Vector.LoadUnsafe(ref x0, (nuint)i);
                    var t = Vector.LoadUnsafe(ref h0, (nuint)i);
                    var g = Vector.LoadUnsafe(ref g0, (nuint)i);
                    var gx = Vector.ConditionalSelect(Vector.GreaterThan(x, t), g, Vector<TReal>.Zero);
                    gx.StoreUnsafe(ref gx0, (nuint)i);
                    (Vector.LoadUnsafe(ref gh0, (nuint)i) - gx).StoreUnsafe(ref gh0, (nuint)i);
                }

                for (; i < n; i++)
                {
                    TReal gx = currents[i] > h[i] ? gRates[i] : TReal.Zero;
                    gCurrents[i] = gx;
                    gH[i] -= gx;
                }

                break;
            case Activation.ClippedRelu:
                for (; i <= n - width; i += width)
                {
                    var x = Vector.LoadUnsafe(ref x0, (nuint)i);
                    var t = Vector.LoadUnsafe(ref h0, (nuint)i);
                    var g = Vector.LoadUnsafe(ref g0, (nuint)i);
                    var upper = Vector.ConditionalSelect(Vector.GreaterThan(x + t, Vector<TReal>.Zero), g, Vector<TReal>.Zero);
                    var lower = Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<TReal>.Zero), g, Vector<TReal>.Zero);
                    (upper - lower).StoreUnsafe(ref gx0, (nuint)i);
                    (Vector.LoadUnsafe(ref gh0, (nuint)i) + upper).StoreUnsafe(ref gh0, (nuint)i);
                }

                for (; i < n; i++)
                {
                    TReal upper = currents[i] + h[i] > TReal.Zero ? gRates[i] : TReal.Zero;
                    TReal lower = currents[i] > TReal.Zero ? gRates[i] : TReal.Zero;
                    gCurrents[i] = upper - lower;
                    gH[i] += upper;
                }

                break;
            case Activation.Tanh:
                for (; i < n; i++)
                {
                    TReal t = TReal.Tanh(currents[i] - h[i]);
                    TReal gx = gRates[i] * (TReal.One - t * t);
                    gCurrents[i] = gx;
                    gH[i] -= gx;
                }

                break;
            default:
                gRates.CopyTo(gCurrents);
                TensorPrimitives.Subtract(gH, gRates, gH);
                break;
        }
    }
}
