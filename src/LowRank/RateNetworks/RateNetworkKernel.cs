using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using LowRank.Data;
using LowRank.Numerics;

namespace LowRank.RateNetworks;

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
/// Each step is two fused sweeps over the units in SIMD registers (<see cref="Lanes{T}"/>), forward and backward:
/// forward, r_t with the partial sums of κ_t, then x_{t+1} with (when every unit is observed in order) its output and
/// squared error; backward, the output term, gW_in, gM and the partial sums of gκ, then gr, gpre, gb, gÑ and the next
/// g. Rank R costs O(N R) per step. tanh is <see cref="VectorTanh"/> (a float32 approximation within 3·10⁻⁷; exact in
/// double, the precision of the gradient checks).
/// </remarks>
internal static partial class RateNetworkKernel<T>
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
        T lossScale) =>
        layout.Spec.Units >= Lanes<T>.Width
            ? Forward<OverlappingChunks<T>>(layout, theta, trial, observed, noise, workspace, lossScale)
            : Forward<MaskedChunks<T>>(layout, theta, trial, observed, noise, workspace, lossScale);

    private static T Forward<TChunks>(
        RateNetworkLayout layout,
        ReadOnlySpan<T> theta,
        Trial trial,
        ReadOnlySpan<int> observed,
        Rng? noise,
        RateNetworkWorkspace<T> workspace,
        T lossScale)
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
        workspace.EnsureSteps(steps);

        T alpha = T.CreateTruncating(spec.Alpha);
        T leak = T.One - alpha;
        T invN = T.One / T.CreateTruncating(n);
        T sigma = T.CreateTruncating(spec.NoiseStd);
        bool noisy = noise is not null && spec.NoiseStd > 0;
        bool tanhReadout = spec.Readout == ReadoutKind.Tanh;
        bool allObserved = ObservesEveryUnitInOrder(observed, n);

        // With b = 0 and every unit observed through tanh, r_{t+1} = tanh(x_{t+1}) = o_t: sweep 2 of step t writes it.
        bool ratesFromOutputs = allObserved && tanhReadout && IsZero(layout.Bias.Of(theta));

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
        Span<T> recurrent = workspace.Gr;
        Span<T> stepNoise = workspace.Noise;
        Span<T> scaledKappa = workspace.RankCoefficients;
        Span<T> scaledInputs = workspace.ScaledInputs;

        int registerRanks = Math.Min(rank, 4);
        ReadOnlySpan<T> n0 = RankRow(nTilde, 0, registerRanks, n);
        ReadOnlySpan<T> n1 = RankRow(nTilde, 1, registerRanks, n);
        ReadOnlySpan<T> n2 = RankRow(nTilde, 2, registerRanks, n);
        ReadOnlySpan<T> n3 = RankRow(nTilde, 3, registerRanks, n);

        layout.InitialState.Of(theta).CopyTo(states[..n]);
        T loss = T.Zero;
        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<T> x = states.Slice(t * n, n);
            Span<T> next = states.Slice((t + 1) * n, n);
            Span<T> r = rates.Slice(t * n, n);
            Span<T> output = outputs.Slice(t * o, o);
            ReadOnlySpan<float> target = trial.Targets.AsSpan(t * o, o);
            T weight = T.CreateTruncating(trial.Mask[t]);

            // sweep 1: r_t = tanh(x_t + b) (already there when sweep 2 of step t − 1 wrote it), with the partial sums
            // of ñ_sᵀ r_t for s < 4 in registers
            bool ratesReady = ratesFromOutputs && t > 0;
            Vector512<T> sum0 = Vector512<T>.Zero, sum1 = Vector512<T>.Zero, sum2 = Vector512<T>.Zero, sum3 = Vector512<T>.Zero;
            for (int chunk = 0; chunk < n; chunk += width)
            {
                int i = TChunks.Start(chunk, n);
                int c = TChunks.Count(chunk, n);
                Vector512<T> ri;
                if (ratesReady)
                {
                    ri = TChunks.Load(r, i, c);
                }
                else
                {
                    ri = VectorTanh.Of(TChunks.Load(x, i, c) + TChunks.Load(b, i, c));
                    TChunks.Store(ri, r, i, c);
                }

                if (registerRanks > 0)
                {
                    ri &= Lanes<T>.Fresh(chunk - i);
                    sum0 = Lanes<T>.Fma(TChunks.Load(n0, i, c), ri, sum0);
                    if (registerRanks > 1)
                    {
                        sum1 = Lanes<T>.Fma(TChunks.Load(n1, i, c), ri, sum1);
                        if (registerRanks > 2)
                        {
                            sum2 = Lanes<T>.Fma(TChunks.Load(n2, i, c), ri, sum2);
                            if (registerRanks > 3)
                            {
                                sum3 = Lanes<T>.Fma(TChunks.Load(n3, i, c), ri, sum3);
                            }
                        }
                    }
                }
            }

            // κ_t = Ñᵀ r_t / N (ranks from 4 on by a dot product over the stored r_t), kept as α κ_t for sweep 2
            for (int s = 0; s < rank; s++)
            {
                T dot = s switch
                {
                    0 => Vector512.Sum(sum0),
                    1 => Vector512.Sum(sum1),
                    2 => Vector512.Sum(sum2),
                    3 => Vector512.Sum(sum3),
                    _ => TensorPrimitives.Dot(nTilde.Slice(s * n, n), r),
                };
                T k = dot * invN;
                kappa[t * rank + s] = k;
                scaledKappa[s] = alpha * k;
            }

            if (rank == 0)
            {
                for (int i = 0; i < n; i++)
                {
                    recurrent[i] = TensorPrimitives.Dot(j.Slice(i * n, n), r);
                }
            }

            // α u_t and σ ξ_t (drawn unit by unit, in the order of the noise stream)
            for (int c = 0; c < u; c++)
            {
                scaledInputs[c] = alpha * T.CreateTruncating(trial.InputValues[t * u + c]);
            }

            if (noisy)
            {
                for (int i = 0; i < n; i++)
                {
                    stepNoise[i] = sigma * T.CreateTruncating(noise!.NextGaussian());
                }
            }

            // sweep 2: x_{t+1} = (1 − α) x_t + α (M κ_t or J r_t) + α W_inᵀ u_t + σ ξ_t; every unit observed in
            // order: o_t = ψ(x_{t+1}) (its masked squared error after the sweep, over o_t while it is in L1)
            bool fusedOutput = allObserved;
            Span<T> nextRates = ratesFromOutputs && t + 1 < steps ? rates.Slice((t + 1) * n, n) : default;
            bool scored = weight != T.Zero;
            for (int chunk = 0; chunk < n; chunk += width)
            {
                int i = TChunks.Start(chunk, n);
                int c = TChunks.Count(chunk, n);
                Vector512<T> xi = TChunks.Load(x, i, c) * leak;
                if (rank > 0)
                {
                    for (int s = 0; s < rank; s++)
                    {
                        xi = Lanes<T>.Fma(TChunks.Load(m.Slice(s * n, n), i, c), Vector512.Create(scaledKappa[s]), xi);
                    }
                }
                else
                {
                    xi += TChunks.Load(recurrent, i, c) * alpha;
                }

                for (int k = 0; k < u; k++)
                {
                    T input = scaledInputs[k];
                    if (input != T.Zero)
                    {
                        xi = Lanes<T>.Fma(TChunks.Load(wIn.Slice(k * n, n), i, c), Vector512.Create(input), xi);
                    }
                }

                if (noisy)
                {
                    xi += TChunks.Load(stepNoise, i, c);
                }

                TChunks.Store(xi, next, i, c);
                if (fusedOutput)
                {
                    Vector512<T> oi = tanhReadout ? VectorTanh.Of(xi) : xi;
                    TChunks.Store(oi, output, i, c);
                    if (!nextRates.IsEmpty)
                    {
                        TChunks.Store(oi, nextRates, i, c);
                    }
                }
            }

            if (fusedOutput)
            {
                if (scored)
                {
                    loss += weight * SquaredError<TChunks>(output, target);
                }

                continue;
            }

            // outputs of a readout or of a subset of units, and their squared error
            if (observed.Length > 0)
            {
                for (int k = 0; k < o; k++)
                {
                    output[k] = next[observed[k]];
                }

                if (tanhReadout)
                {
                    VectorTanh.Apply<T>(output, output);
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

            if (scored)
            {
                T sum = T.Zero;
                for (int k = 0; k < o; k++)
                {
                    if (!float.IsNaN(target[k]))
                    {
                        T error = output[k] - T.CreateTruncating(target[k]);
                        sum += error * error;
                    }
                }

                loss += weight * sum;
            }
        }

        return loss * lossScale;
    }

    /// <summary>Whether <paramref name="observed"/> is 0, 1, …, N − 1: outputs are then ψ(x) itself, fused into the sweeps.</summary>
    internal static bool ObservesEveryUnitInOrder(ReadOnlySpan<int> observed, int units)
    {
        if (observed.Length != units)
        {
            return false;
        }

        for (int k = 0; k < units; k++)
        {
            if (observed[k] != k)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Σ_k (o_k − y_k)² over the targets that are not NaN (a NaN target is a missing entry).</summary>
    private static T SquaredError<TChunks>(ReadOnlySpan<T> output, ReadOnlySpan<float> target)
        where TChunks : IChunks<T>
    {
        int n = output.Length;
        Vector512<T> squares = Vector512<T>.Zero;
        for (int chunk = 0; chunk < n; chunk += Lanes<T>.Width)
        {
            int i = TChunks.Start(chunk, n);
            int c = TChunks.Count(chunk, n);
            Vector512<T> y = TChunks.LoadTargets(target, i, c);
            Vector512<T> fresh = Vector512.Equals(y, y) & Lanes<T>.Fresh(chunk - i);
            Vector512<T> error = Vector512.ConditionalSelect(fresh, TChunks.Load(output, i, c) - y, Vector512<T>.Zero);
            squares = Lanes<T>.Fma(error, error, squares);
        }

        return Vector512.Sum(squares);
    }

    private static bool IsZero(ReadOnlySpan<T> values)
    {
        foreach (T value in values)
        {
            if (value != T.Zero)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Row s [N] of a rank-major [R, N] slice, or empty when s is not below <paramref name="count"/>.</summary>
    private static ReadOnlySpan<T> RankRow(ReadOnlySpan<T> rows, int s, int count, int n) =>
        s < count ? rows.Slice(s * n, n) : default;

    private static void ApplyReadout(ReadoutKind readout, ReadOnlySpan<T> x, Span<T> destination)
    {
        if (readout == ReadoutKind.Tanh)
        {
            VectorTanh.Apply(x, destination);
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
