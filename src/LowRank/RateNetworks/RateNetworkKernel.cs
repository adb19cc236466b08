using System.Numerics;
using System.Numerics.Tensors;
using LowRank.Data;
using LowRank.Numerics;

namespace LowRank.RateNetworks;

/// <summary>
/// Per-trial buffers of the rate-network kernels, sized once for the longest trial and reused:
/// the time loop allocates nothing.
/// </summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
internal sealed class RateNetworkWorkspace<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _units;
    private readonly int _rank;
    private readonly int _outputs;

    public RateNetworkWorkspace(RateNetworkSpec spec, int observedCount, int steps)
    {
        _units = spec.Units;
        _rank = spec.IsFullRank ? 0 : spec.Rank;
        _outputs = observedCount > 0 ? observedCount : spec.Outputs;
        Gx = new T[_units];
        Gr = new T[_units];
        Scratch = new T[_units];
        States = [];
        Rates = [];
        Kappa = [];
        Outputs = [];
        ScaledGradients = [];
        EnsureSteps(steps);
    }

    /// <summary>[T + 1, N]: x_0 … x_T of the last forward pass.</summary>
    public T[] States { get; private set; }

    /// <summary>[T, N]: φ(x_t + b).</summary>
    public T[] Rates { get; private set; }

    /// <summary>[T, R]: κ_t = Ñᵀ φ(x_t + b) / N (low rank only).</summary>
    public T[] Kappa { get; private set; }

    /// <summary>[T, N]: α ∂L/∂x_{t+1} of the last backward pass (full rank only).</summary>
    internal T[] ScaledGradients { get; private set; }

    /// <summary>[T, O]: outputs (readout, or ψ of the observed units' states).</summary>
    public T[] Outputs { get; private set; }

    internal T[] Gx { get; }

    internal T[] Gr { get; }

    internal T[] Scratch { get; }

    /// <summary>Steps the buffers hold.</summary>
    public int Capacity { get; private set; }

    /// <summary>Grows the buffers (outside any time loop) to hold <paramref name="steps"/> steps.</summary>
    public void EnsureSteps(int steps)
    {
        if (steps <= Capacity)
        {
            return;
        }

        Capacity = steps;
        States = new T[(steps + 1) * _units];
        Rates = new T[steps * _units];
        Kappa = new T[steps * Math.Max(_rank, 1)];
        Outputs = new T[steps * Math.Max(_outputs, 1)];
        ScaledGradients = _rank == 0 ? new T[steps * _units] : [];
    }
}

/// <summary>
/// Forward pass and hand-written back-propagation through time of a LINT rate network, for one trial.
/// </summary>
/// <remarks>
/// Dimension legend: N units, R rank, U inputs, O outputs (or observed units), T steps.
/// <code>
/// r_t     = φ(x_t + b)                                                  [N]
/// κ_t     = Ñᵀ r_t / N                                                  [R]  (low rank; J is never formed)
/// x_{t+1} = (1 − α) x_t + α (M κ_t  or  J r_t) + α W_inᵀ u_t + σ ξ_t      [N]
/// o_t     = ψ(x_{t+1}) W_out / N    (readout)   or   ψ(x_{t+1})[observed]  (trajectory fitting)
/// L       = s Σ_t mask_t Σ_k (o_{t,k} − y_{t,k})²                        (s = loss scale)
/// </code>
/// ψ is the spec's readout non-linearity: identity when fitting recordings (states), tanh for a task
/// network, whose observed units are then fitted by their rates φ(x) as in the published teacher fits.
/// Backward, with g = ∂L/∂x_{t+1} (output term added first):
/// <code>
/// gW_in += α u_t gᵀ;  a = α g
/// low rank: gκ = Mᵀ a;  gM += a κ_tᵀ;  gr = Ñ gκ / N;  gÑ += r_t gκᵀ / N
/// full:     gr = Jᵀ a;  gJ += a r_tᵀ (accumulated row by row after the loop)
/// gpre = gr ⊙ (1 − r_t²);  gb += gpre;  ∂L/∂x_t = (1 − α) g + gpre
/// </code>
/// </remarks>
internal static class RateNetworkKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Runs one trial forward, storing states, rates, κ and outputs in <paramref name="workspace"/>,
    /// and returns its scaled masked squared error.
    /// </summary>
    /// <param name="layout">θ layout.</param>
    /// <param name="theta">Parameters [layout.Length].</param>
    /// <param name="trial">Inputs, targets, mask.</param>
    /// <param name="observed">Observed unit indices (trajectory fitting), or empty to use the readout.</param>
    /// <param name="noise">Noise generator for σ &gt; 0, or null for a noise-free run.</param>
    /// <param name="workspace">Buffers; grown to the trial length if needed.</param>
    /// <param name="lossScale">s.</param>
    public static T Forward(
        RateNetworkLayout layout,
        ReadOnlySpan<T> theta,
        Trial trial,
        ReadOnlySpan<int> observed,
        Rng? noise,
        RateNetworkWorkspace<T> workspace,
        T lossScale)
    {
        RateNetworkSpec spec = layout.Spec;
        int n = spec.Units;
        int rank = spec.IsFullRank ? 0 : spec.Rank;
        int u = spec.Inputs;
        int o = observed.Length > 0 ? observed.Length : spec.Outputs;
        int steps = trial.Steps;
        CheckTrial(spec, trial, o);
        workspace.EnsureSteps(steps);

        T alpha = T.CreateTruncating(spec.Alpha);
        T leak = T.One - alpha;
        T invN = T.One / T.CreateTruncating(n);
        T sigma = T.CreateTruncating(spec.NoiseStd);
        bool noisy = noise is not null && spec.NoiseStd > 0;

        ReadOnlySpan<T> m = layout.M.Of(theta);
        ReadOnlySpan<T> nTilde = layout.NTilde.Of(theta);
        ReadOnlySpan<T> j = layout.J.Of(theta);
        ReadOnlySpan<T> wIn = layout.InputWeights.Of(theta);
        ReadOnlySpan<T> wOut = layout.OutputWeights.Of(theta);
        ReadOnlySpan<T> b = layout.Bias.Of(theta);
        Span<T> states = workspace.States;
        Span<T> rates = workspace.Rates;
        Span<T> kappa = workspace.Kappa;
        Span<T> outputs = workspace.Outputs;
        Span<T> psi = workspace.Scratch;

        layout.InitialState.Of(theta).CopyTo(states[..n]);
        T loss = T.Zero;
        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<T> x = states.Slice(t * n, n);
            Span<T> next = states.Slice((t + 1) * n, n);
            Span<T> r = rates.Slice(t * n, n);

            // r_t = tanh(x_t + b)
            TensorPrimitives.Add(x, b, r);
            TensorPrimitives.Tanh(r, r);

            if (rank > 0)
            {
                // κ_t = Ñᵀ r_t / N;  next = (1 − α) x_t + α M κ_t
                TensorPrimitives.Multiply(x, leak, next);
                for (int s = 0; s < rank; s++)
                {
                    T k = TensorPrimitives.Dot(nTilde.Slice(s * n, n), r) * invN;
                    kappa[t * rank + s] = k;
                    TensorPrimitives.MultiplyAdd(m.Slice(s * n, n), alpha * k, next, next);
                }
            }
            else
            {
                // next_i = (1 − α) x_i + α J_i · r_t
                for (int i = 0; i < n; i++)
                {
                    next[i] = leak * x[i] + alpha * TensorPrimitives.Dot(j.Slice(i * n, n), r);
                }
            }

            // next += α W_inᵀ u_t
            for (int c = 0; c < u; c++)
            {
                T input = T.CreateTruncating(trial.InputValues[t * u + c]);
                if (input != T.Zero)
                {
                    TensorPrimitives.MultiplyAdd(wIn.Slice(c * n, n), alpha * input, next, next);
                }
            }

            // next += σ ξ_t
            if (noisy)
            {
                for (int i = 0; i < n; i++)
                {
                    next[i] += sigma * T.CreateTruncating(noise!.NextGaussian());
                }
            }

            // outputs and squared error
            Span<T> output = outputs.Slice(t * o, o);
            if (observed.Length > 0)
            {
                for (int k = 0; k < o; k++)
                {
                    output[k] = next[observed[k]];
                }

                if (spec.Readout == ReadoutKind.Tanh)
                {
                    TensorPrimitives.Tanh(output, output);
                }
            }
            else
            {
                ApplyReadout(spec.Readout, next, psi);
                for (int k = 0; k < o; k++)
                {
                    output[k] = TensorPrimitives.Dot(wOut.Slice(k * n, n), psi) * invN;
                }
            }

            T weight = T.CreateTruncating(trial.Mask[t]);
            if (weight != T.Zero)
            {
                // A NaN target is a missing entry: it adds nothing (masked mean squared error).
                T sum = T.Zero;
                for (int k = 0; k < o; k++)
                {
                    float target = trial.Targets[t * o + k];
                    if (!float.IsNaN(target))
                    {
                        T error = output[k] - T.CreateTruncating(target);
                        sum += error * error;
                    }
                }

                loss += weight * sum;
            }
        }

        return loss * lossScale;
    }

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
        RateNetworkSpec spec = layout.Spec;
        int n = spec.Units;
        int rank = spec.IsFullRank ? 0 : spec.Rank;
        int u = spec.Inputs;
        int o = observed.Length > 0 ? observed.Length : spec.Outputs;
        int steps = trial.Steps;
        CheckTrial(spec, trial, o);
        if (gradient.Length != layout.Length)
        {
            throw new ArgumentException($"gradient has length {gradient.Length}, expected {layout.Length}.", nameof(gradient));
        }

        T alpha = T.CreateTruncating(spec.Alpha);
        T leak = T.One - alpha;
        T invN = T.One / T.CreateTruncating(n);
        T two = T.CreateTruncating(2);

        ReadOnlySpan<T> m = layout.M.Of(theta);
        ReadOnlySpan<T> nTilde = layout.NTilde.Of(theta);
        ReadOnlySpan<T> j = layout.J.Of(theta);
        ReadOnlySpan<T> wIn = layout.InputWeights.Of(theta);
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

        gx.Clear();
        for (int t = steps - 1; t >= 0; t--)
        {
            ReadOnlySpan<T> next = states.Slice((t + 1) * n, n);
            ReadOnlySpan<T> r = rates.Slice(t * n, n);

            // output term: g += ∂L/∂o_t · ∂o_t/∂x_{t+1}
            T weight = T.CreateTruncating(trial.Mask[t]);
            if (weight != T.Zero)
            {
                T factor = two * lossScale * weight;
                if (observed.Length > 0)
                {
                    // o = ψ(x): ∂o/∂x = 1 (identity) or 1 − o² (tanh)
                    bool tanh = spec.Readout == ReadoutKind.Tanh;
                    for (int k = 0; k < o; k++)
                    {
                        float target = trial.Targets[t * o + k];
                        if (float.IsNaN(target))
                        {
                            continue;
                        }

                        T ok = outputs[t * o + k];
                        T slope = tanh ? T.One - ok * ok : T.One;
                        gx[observed[k]] += factor * (ok - T.CreateTruncating(target)) * slope;
                    }
                }
                else
                {
                    // scratch = ψ(x_{t+1}); gW_out_k += go_k ψ / N; gψ = Σ_k go_k W_out_k / N
                    ApplyReadout(spec.Readout, next, scratch);
                    gr.Clear();
                    for (int k = 0; k < o; k++)
                    {
                        float target = trial.Targets[t * o + k];
                        if (float.IsNaN(target))
                        {
                            continue;
                        }

                        T go = factor * (outputs[t * o + k] - T.CreateTruncating(target)) * invN;
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

            // gW_in_c += α u_{t,c} g
            for (int c = 0; c < u; c++)
            {
                T input = T.CreateTruncating(trial.InputValues[t * u + c]);
                if (input != T.Zero)
                {
                    TensorPrimitives.MultiplyAdd(gx, alpha * input, gWIn.Slice(c * n, n), gWIn.Slice(c * n, n));
                }
            }

            // a = α g (kept in scratch)
            TensorPrimitives.Multiply(gx, alpha, scratch);
            if (rank > 0)
            {
                // gκ = Mᵀ a;  gM += a κ_tᵀ;  gr = Ñ gκ / N;  gÑ += r_t gκᵀ / N
                gr.Clear();
                for (int s = 0; s < rank; s++)
                {
                    Span<T> gMs = gM.Slice(s * n, n);
                    Span<T> gNs = gNTilde.Slice(s * n, n);
                    T gks = TensorPrimitives.Dot(m.Slice(s * n, n), scratch) * invN;
                    TensorPrimitives.MultiplyAdd(scratch, kappa[t * rank + s], gMs, gMs);
                    TensorPrimitives.MultiplyAdd(nTilde.Slice(s * n, n), gks, gr, gr);
                    TensorPrimitives.MultiplyAdd(r, gks, gNs, gNs);
                }
            }
            else
            {
                // gr = Jᵀ a;  a_t is kept for gJ += Σ_t a_t r_tᵀ after the loop
                gr.Clear();
                scratch.CopyTo(scaledGradients.Slice(t * n, n));
                for (int i = 0; i < n; i++)
                {
                    T ai = scratch[i];
                    if (ai != T.Zero)
                    {
                        TensorPrimitives.MultiplyAdd(j.Slice(i * n, n), ai, gr, gr);
                    }
                }
            }

            // gpre = gr ⊙ (1 − r²);  gb += gpre;  g ← (1 − α) g + gpre
            for (int i = 0; i < n; i++)
            {
                T gpre = gr[i] * (T.One - r[i] * r[i]);
                gB[i] += gpre;
                gx[i] = leak * gx[i] + gpre;
            }
        }

        TensorPrimitives.Add(gX0, gx, gX0);

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

    private static void ApplyReadout(ReadoutKind readout, ReadOnlySpan<T> x, Span<T> destination)
    {
        if (readout == ReadoutKind.Tanh)
        {
            TensorPrimitives.Tanh(x, destination);
        }
        else
        {
            x.CopyTo(destination);
        }
    }

    private static void CheckTrial(RateNetworkSpec spec, Trial trial, int outputs)
    {
        if (trial.Inputs != spec.Inputs || trial.Outputs != outputs)
        {
            throw new ArgumentException(
                $"trial has U={trial.Inputs}, O={trial.Outputs} but the network expects U={spec.Inputs}, O={outputs}.",
                nameof(trial));
        }
    }
}
