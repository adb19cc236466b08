using System.Numerics;
using System.Numerics.Tensors;
using LowRank.Model;

namespace LowRank.Smc;

/// <summary>
/// The unit signal of a one-to-one readout (currents x = Mᵀᵀ z + W v_t, or rates φ(x; h)) for one particle, and
/// the reverse pass from ∂/∂signal to ∂/∂z and the parameters, shared by every likelihood.
/// </summary>
internal static class UnitReadout
{
    /// <summary>Currents (or rates) of one particle, left in the sequence's unit scratch.</summary>
    public static ReadOnlySpan<TReal> Signal<TReal>(ModelView<TReal> model, SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, bool rates)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        UnitKernels.Currents<TReal>(model.Mt, sequence.WvAt(t), z, sequence.Currents);
        if (!rates)
        {
            return sequence.Currents;
        }

        UnitKernels.Activate<TReal>(model.Options.Activation, sequence.Currents, model.H, sequence.Rates);
        return sequence.Rates;
    }

    /// <summary>
    /// Given ∂/∂signal in the sequence's <see cref="SequenceWorkspace{TReal}.GRates"/> (for the particle whose
    /// currents <see cref="Signal"/> left in the scratch), adds ∂/∂z into <paramref name="gz"/> [R] and ∂/∂h, ∂/∂Mᵀ,
    /// ∂/∂(W v_t) into the sequence's gradient.
    /// </summary>
    /// <remarks>ḡx = ḡs ⊙ φ'(x) (rates) or ḡs (currents); x = Mᵀᵀ z + W v_t: ḡz_a += M_aᵀ ḡx, ḡMᵀ_a += z_a ḡx, ḡ(W v_t) += ḡx.</remarks>
    public static void Backward<TReal>(ModelView<TReal> model, SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, bool rates, Span<double> gz)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        int n = model.Units;
        GradientBuffer<TReal> gradient = sequence.Gradient;
        Span<TReal> gSignal = sequence.GRates;
        Span<TReal> gCurrents = sequence.GCurrents;
        if (rates)
        {
            UnitKernels.ActivateBackward<TReal>(model.Options.Activation, sequence.Currents, model.H, gSignal, gCurrents, gradient.H);
        }
        else
        {
            gSignal.CopyTo(gCurrents);
        }

        for (int a = 0; a < z.Length; a++)
        {
            gz[a] += double.CreateTruncating(TensorPrimitives.Dot(model.Mt.AsSpan(a * n, n), gCurrents));
            Span<TReal> gMtRow = gradient.Mt.AsSpan(a * n, n);
            TensorPrimitives.MultiplyAdd(gCurrents, TReal.CreateTruncating(z[a]), gMtRow, gMtRow);
        }

        Span<TReal> gWv = sequence.GWvAt(t);
        if (!gWv.IsEmpty)
        {
            TensorPrimitives.Add(gWv, gCurrents, gWv);
        }
    }
}
