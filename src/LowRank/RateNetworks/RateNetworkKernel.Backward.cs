using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using LowRank.Data;
using LowRank.Numerics;

namespace LowRank.RateNetworks;

/// <summary>The reverse pass of <see cref="RateNetworkKernel{T}"/> (equations in the class remarks).</summary>
internal static partial class RateNetworkKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Back-propagates the loss of the last <see cref="Forward"/> on the same trial and accumulates
    /// ∂L/∂θ into <paramref name="gradient"/> (every group, trainable or not).
    /// </summary>
    public static void Backward(
        RateNetworkLayout layout,
        ReadOnlySpan<T> theta,
        Trial trial,
        ReadOnlySpan<int> observed,
        RateNetworkWorkspace<T> workspace,
        T lossScale,
        Span<T> gradient)
    {
        if (layout.Spec.Units >= Lanes<T>.Width)
        {
            Backward<OverlappingChunks<T>>(layout, theta, trial, observed, workspace, lossScale, gradient);
        }
        else
        {
            Backward<MaskedChunks<T>>(layout, theta, trial, observed, workspace, lossScale, gradient);
        }
    }

    private static void Backward<TChunks>(
        RateNetworkLayout layout,
        ReadOnlySpan<T> theta,
        Trial trial,
        ReadOnlySpan<int> observed,
        RateNetworkWorkspace<T> workspace,
        T lossScale,
        Span<T> gradient)
        where TChunks : IChunks<T>
    {
        RateNetworkSpec spec = layout.Spec;
        int n = spec.Units;
        int rank = spec.IsFullRank ? 0 : spec.Rank;
        int u = spec.Inputs;
        int o = observed.Length > 0 ? observed.Length : spec.Outputs;
        int steps = trial.Steps;
        int width = Lanes<T>.Width;
        CheckTrial(spec, trial, o);
        if (gradient.Length != layout.Length)
        {
            throw new ArgumentException($"gradient has length {gradient.Length}, expected {layout.Length}.", nameof(gradient));
        }

        T alpha = T.CreateTruncating(spec.Alpha);
        T leak = T.One - alpha;
        T invN = T.One / T.CreateTruncating(n);
        T two = T.CreateTruncating(2);
        bool tanhReadout = spec.Readout == ReadoutKind.Tanh;
        bool allObserved = ObservesEveryUnitInOrder(observed, n);

        ReadOnlySpan<T> m = layout.M.Of(theta);
        ReadOnlySpan<T> nTilde = layout.NTilde.Of(theta);
        ReadOnlySpan<T> j = layout.J.Of(theta);
        ReadOnlySpan<T> wOut = layout.OutputWeights.Of(theta);
        Span<T> gM = layout.M.Of(gradient);
        Span<T> gNTilde = layout.NTilde.Of(gradient);
        Span<T> gJ = layout.J.Of(gradient);
        Span<T> gWIn = layout.InputWeights.Of(gradient);
        Span<T> gWOut = layout.OutputWeights.Of(gradient);
        Span<T> gB = layout.Bias.Of(gradient);
        Span<T> gX0 = layout.InitialState.Of(gradient);

        ReadOnlySpan<T> states = workspace.States;
        ReadOnlySpan<T> rates = workspace.Rates;
        ReadOnlySpan<T> kappa = workspace.Kappa;
        ReadOnlySpan<T> outputs = workspace.Outputs;
        Span<T> gx = workspace.Gx;
        Span<T> gr = workspace.Gr;
        Span<T> scratch = workspace.Scratch;
        Span<T> scaledGradients = workspace.ScaledGradients;
        Span<T> stateGradients = workspace.StateGradients;
        Span<T> preGradients = workspace.PreActivationGradients;
        Span<T> kappaGradients = workspace.KappaGradients;
        Span<T> inputs = workspace.StepInputs;

        int registerRanks = Math.Min(rank, 4);
        ReadOnlySpan<T> m0 = RankRow(m, 0, registerRanks, n);
        ReadOnlySpan<T> m1 = RankRow(m, 1, registerRanks, n);
        ReadOnlySpan<T> m2 = RankRow(m, 2, registerRanks, n);
        ReadOnlySpan<T> m3 = RankRow(m, 3, registerRanks, n);

        gx.Clear();
        for (int t = steps - 1; t >= 0; t--)
        {
            ReadOnlySpan<T> next = states.Slice((t + 1) * n, n);
            ReadOnlySpan<T> r = rates.Slice(t * n, n);
            ReadOnlySpan<T> output = outputs.Slice(t * o, o);
            ReadOnlySpan<float> target = trial.Targets.AsSpan(t * o, o);
            Span<T> g = stateGradients.Slice(t * n, n);
            Span<T> gpre = preGradients.Slice(t * n, n);
            T weight = T.CreateTruncating(trial.Mask[t]);
            T factor = two * lossScale * weight;
            bool fusedOutput = allObserved && weight != T.Zero;
            if (!allObserved && weight != T.Zero)
            {
                AddOutputTerm(spec, observed, wOut, gWOut, next, output, target, factor, invN, gx, gr, scratch);
            }

            // sweep 1: g_t = ∂L/∂x_{t+1} with the output term (fused when every unit is observed in order), kept for the
            // outer products after the loop; the partial sums of m_sᵀ g_t for s < 4 in registers (full rank: α g_t kept for gJ)
            Vector512<T> sum0 = Vector512<T>.Zero, sum1 = Vector512<T>.Zero, sum2 = Vector512<T>.Zero, sum3 = Vector512<T>.Zero;
            for (int chunk = 0; chunk < n; chunk += width)
            {
                int i = TChunks.Start(chunk, n);
                int c = TChunks.Count(chunk, n);
                Vector512<T> gi = TChunks.Load(gx, i, c);
                if (fusedOutput)
                {
                    // ∂o/∂x = 1 − o² (tanh) or 1; a NaN target adds nothing
                    Vector512<T> oi = TChunks.Load(output, i, c);
                    Vector512<T> y = TChunks.LoadTargets(target, i, c);
                    Vector512<T> error = Vector512.ConditionalSelect(Vector512.Equals(y, y), oi - y, Vector512<T>.Zero);
                    Vector512<T> slope = tanhReadout ? Vector512<T>.One - (oi * oi) : Vector512<T>.One;
                    gi = Lanes<T>.Fma(error * slope, Vector512.Create(factor), gi);
                }

                TChunks.Store(gi, g, i, c);
                if (rank == 0)
                {
                    TChunks.Store(gi * alpha, scaledGradients.Slice(t * n, n), i, c);
                }
                else if (registerRanks > 0)
                {
                    gi &= Lanes<T>.Fresh(chunk - i);
                    sum0 = Lanes<T>.Fma(TChunks.Load(m0, i, c), gi, sum0);
                    if (registerRanks > 1)
                    {
                        sum1 = Lanes<T>.Fma(TChunks.Load(m1, i, c), gi, sum1);
                        if (registerRanks > 2)
                        {
                            sum2 = Lanes<T>.Fma(TChunks.Load(m2, i, c), gi, sum2);
                            if (registerRanks > 3)
                            {
                                sum3 = Lanes<T>.Fma(TChunks.Load(m3, i, c), gi, sum3);
                            }
                        }
                    }
                }
            }

            Span<T> gKappa = kappaGradients.Slice(t * Math.Max(rank, 1), Math.Max(rank, 1));
            if (rank > 0)
            {
                // gκ_t / N = α Mᵀ g_t / N (ranks from 4 on by a dot product over the stored g_t)
                for (int s = 0; s < rank; s++)
                {
                    T dot = s switch
                    {
                        0 => Vector512.Sum(sum0),
                        1 => Vector512.Sum(sum1),
                        2 => Vector512.Sum(sum2),
                        3 => Vector512.Sum(sum3),
                        _ => TensorPrimitives.Dot(m.Slice(s * n, n), g),
                    };
                    gKappa[s] = alpha * dot * invN;
                }
            }
            else
            {
                // gr = Jᵀ a
                ReadOnlySpan<T> a = scaledGradients.Slice(t * n, n);
                gr.Clear();
                for (int i = 0; i < n; i++)
                {
                    T ai = a[i];
                    if (ai != T.Zero)
                    {
                        TensorPrimitives.MultiplyAdd(j.Slice(i * n, n), ai, gr, gr);
                    }
                }
            }

            // sweep 2: gr = Ñ gκ / N (low rank); gpre_t = gr ⊙ (1 − r²), kept; ∂L/∂x_t = (1 − α) g_t + gpre_t
            for (int chunk = 0; chunk < n; chunk += width)
            {
                int i = TChunks.Start(chunk, n);
                int c = TChunks.Count(chunk, n);
                Vector512<T> ri = TChunks.Load(r, i, c);
                Vector512<T> gri;
                if (rank > 0)
                {
                    gri = Vector512<T>.Zero;
                    for (int s = 0; s < rank; s++)
                    {
                        gri = Lanes<T>.Fma(TChunks.Load(nTilde.Slice(s * n, n), i, c), Vector512.Create(gKappa[s]), gri);
                    }
                }
                else
                {
                    gri = TChunks.Load(gr, i, c);
                }

                Vector512<T> gprei = gri * (Vector512<T>.One - (ri * ri));
                TChunks.Store(gprei, gpre, i, c);
                TChunks.Store((TChunks.Load(g, i, c) * leak) + gprei, gx, i, c);
            }
        }

        TensorPrimitives.Add(gX0, gx, gX0);

        // the outer products over time, each row of the gradient read and written once:
        // gW_in += α Σ_t u_t g_tᵀ;  gM += α Σ_t g_t κ_tᵀ;  gÑ += Σ_t r_t (gκ_t / N)ᵀ;  gb += Σ_t gpre_t
        for (int t = 0; t < steps; t++)
        {
            for (int c = 0; c < u; c++)
            {
                inputs[t * Math.Max(u, 1) + c] = T.CreateTruncating(trial.InputValues[t * u + c]);
            }
        }

        AddOuterProducts<TChunks>(stateGradients, inputs, u, alpha, gWIn, n, steps);
        AddOuterProducts<TChunks>(stateGradients, kappa, rank, alpha, gM, n, steps);
        AddOuterProducts<TChunks>(rates, kappaGradients, rank, T.One, gNTilde, n, steps);
        AddOuterProducts<TChunks>(preGradients, OneEach, 1, T.One, gB, n, steps, coefficientStride: 0);

        if (rank == 0)
        {
            // gJ_i += Σ_t a_{t,i} r_t, row by row so that each row of gJ stays in cache over all steps.
            for (int i = 0; i < n; i++)
            {
                Span<T> gJi = gJ.Slice(i * n, n);
                for (int t = 0; t < steps; t++)
                {
                    T ai = scaledGradients[t * n + i];
                    if (ai != T.Zero)
                    {
                        TensorPrimitives.MultiplyAdd(rates.Slice(t * n, n), ai, gJi, gJi);
                    }
                }
            }
        }
    }

    /// <summary>A coefficient of one, for the plain sum over time of <see cref="AddOuterProducts"/>.</summary>
    private static readonly T[] OneEach = [T.One];

    /// <summary>
    /// <c>rows[k] += scale Σ_t coefficients[t, k] vectors[t]</c> for k &lt; <paramref name="count"/>: rows [K, N],
    /// vectors [T, N], coefficients [T, K] (row stride <paramref name="coefficientStride"/>, K by default; 0 repeats
    /// row 0). Four rows at a time, their sums over t held in registers, so each row is read and written once.
    /// </summary>
    private static void AddOuterProducts<TChunks>(
        ReadOnlySpan<T> vectors,
        ReadOnlySpan<T> coefficients,
        int count,
        T scale,
        Span<T> rows,
        int n,
        int steps,
        int coefficientStride = -1)
        where TChunks : IChunks<T>
    {
        int width = Lanes<T>.Width;
        int stride = coefficientStride < 0 ? count : coefficientStride;
        for (int k = 0; k < count; k += 4)
        {
            int group = Math.Min(4, count - k);
            for (int chunk = 0; chunk < n; chunk += width)
            {
                int i = TChunks.Start(chunk, n);
                int c = TChunks.Count(chunk, n);
                Vector512<T> sum0 = Vector512<T>.Zero, sum1 = Vector512<T>.Zero, sum2 = Vector512<T>.Zero, sum3 = Vector512<T>.Zero;
                for (int t = 0; t < steps; t++)
                {
                    Vector512<T> v = TChunks.Load(vectors, (t * n) + i, c);
                    int at = (t * stride) + k;
                    sum0 = Lanes<T>.Fma(v, Vector512.Create(coefficients[at]), sum0);
                    if (group > 1)
                    {
                        sum1 = Lanes<T>.Fma(v, Vector512.Create(coefficients[at + 1]), sum1);
                        if (group > 2)
                        {
                            sum2 = Lanes<T>.Fma(v, Vector512.Create(coefficients[at + 2]), sum2);
                            if (group > 3)
                            {
                                sum3 = Lanes<T>.Fma(v, Vector512.Create(coefficients[at + 3]), sum3);
                            }
                        }
                    }
                }

                // lanes an earlier chunk already added get zero
                Vector512<T> fresh = Lanes<T>.Fresh(chunk - i);
                Vector512<T> factor = Vector512.Create(scale);
                AddRow<TChunks>(rows.Slice(k * n, n), i, c, sum0 & fresh, factor);
                if (group > 1)
                {
                    AddRow<TChunks>(rows.Slice((k + 1) * n, n), i, c, sum1 & fresh, factor);
                }

                if (group > 2)
                {
                    AddRow<TChunks>(rows.Slice((k + 2) * n, n), i, c, sum2 & fresh, factor);
                }

                if (group > 3)
                {
                    AddRow<TChunks>(rows.Slice((k + 3) * n, n), i, c, sum3 & fresh, factor);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow<TChunks>(Span<T> row, int i, int c, Vector512<T> sum, Vector512<T> scale)
        where TChunks : IChunks<T> =>
        TChunks.Store(Lanes<T>.Fma(sum, scale, TChunks.Load(row, i, c)), row, i, c);

    /// <summary>
    /// g += ∂L/∂o_t · ∂o_t/∂x_{t+1} for a readout (and gW_out += ∂L/∂o_t ψᵀ / N) or for a subset of observed units.
    /// </summary>
    private static void AddOutputTerm(
        RateNetworkSpec spec,
        ReadOnlySpan<int> observed,
        ReadOnlySpan<T> wOut,
        Span<T> gWOut,
        ReadOnlySpan<T> next,
        ReadOnlySpan<T> output,
        ReadOnlySpan<float> target,
        T factor,
        T invN,
        Span<T> gx,
        Span<T> gr,
        Span<T> scratch)
    {
        int n = next.Length;
        if (observed.Length > 0)
        {
            // o = ψ(x): ∂o/∂x = 1 (identity) or 1 − o² (tanh)
            bool tanh = spec.Readout == ReadoutKind.Tanh;
            for (int k = 0; k < observed.Length; k++)
            {
                if (float.IsNaN(target[k]))
                {
                    continue;
                }

                T ok = output[k];
                T slope = tanh ? T.One - ok * ok : T.One;
                gx[observed[k]] += factor * (ok - T.CreateTruncating(target[k])) * slope;
            }

            return;
        }

        // scratch = ψ(x_{t+1}); gW_out_k += go_k ψ / N; gψ = Σ_k go_k W_out_k / N
        ApplyReadout(spec.Readout, next, scratch);
        gr.Clear();
        for (int k = 0; k < output.Length; k++)
        {
            if (float.IsNaN(target[k]))
            {
                continue;
            }

            T go = factor * (output[k] - T.CreateTruncating(target[k])) * invN;
            TensorPrimitives.MultiplyAdd(scratch, go, gWOut.Slice(k * n, n), gWOut.Slice(k * n, n));
            TensorPrimitives.MultiplyAdd(wOut.Slice(k * n, n), go, gr, gr);
        }

        if (spec.Readout == ReadoutKind.Tanh)
        {
            // gψ ⊙ (1 − ψ²)
            for (int i = 0; i < n; i++)
            {
                gx[i] += gr[i] * (T.One - scratch[i] * scratch[i]);
            }
        }
        else
        {
            TensorPrimitives.Add(gx, gr, gx);
        }
    }
}
