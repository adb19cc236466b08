using System.Numerics;
using System.Runtime.CompilerServices;
using LowRank.Data;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Training;

namespace LowRank.Smc;

/// <summary>
/// The variational SMC filter and its reverse pass in working precision <typeparamref name="TReal"/>
/// (float for training, double for gradient checks): one sequence at a time, parallel over a batch.
/// </summary>
/// <remarks>
/// Forward, per sequence (docs/vsmc.md): z_0^k ~ q_0 around m_0 = μ0 + P W v_0; for t ≥ 1 ancestors A^k by
/// resampling w_{t−1}, f_t^k = a z_{t−1}^{A^k} + Ñ φ(M z_{t−1}^{A^k} + W v_{t−1}; h), z_t^k ~ q_t; objective
/// (1/T) Σ_t [logsumexp_k log w_t^k − log K]. The transition is evaluated once per distinct ancestor.
/// Reverse: ∂/∂log w_t^k = ŵ_t^k / T; the proposal turns ∂/∂z_t into ∂/∂f_t; the gradients of the
/// children of each ancestor are summed and pushed through its transition to ∂/∂z_{t−1}.
/// Randomness per sequence b comes from stream b of the seed: ε_0, then per step the resampling
/// uniforms and ε_t (<see cref="NormalSampler"/>).
/// </remarks>
internal sealed class VsmcEngine<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    private readonly ModelOptions _options;
    private readonly VsmcOptions _vsmc;
    private readonly IProposal<TReal> _proposal;
    private readonly IObservationModel<TReal> _observation;
    private readonly GradientBuffer<TReal> _total;
    private readonly bool _quads;
    private SequenceWorkspace<TReal>[] _sequences = [];

    public VsmcEngine(ModelOptions options, VsmcOptions vsmc)
    {
        _options = options;
        _vsmc = vsmc;
        Model = new ModelView<TReal>(options);
        int r = options.Rank, x = options.Channels;
        _observation = (options.Likelihood, options.Readout) switch
        {
            (Likelihood.Gaussian, Readout.Latent) => new GaussianLatentObservation<TReal>(x, r),
            (Likelihood.Gaussian, Readout.Currents) => new GaussianUnitObservation<TReal>(options.Units, r, rates: false),
            (Likelihood.Gaussian, _) => new GaussianUnitObservation<TReal>(options.Units, r, rates: true),
            (_, Readout.Latent) => new PoissonLatentObservation<TReal>(x, r, options.Link),
            (_, Readout.Currents) => new PoissonUnitObservation<TReal>(options.Units, options.Link, rates: false),
            _ => new PoissonUnitObservation<TReal>(options.Units, options.Link, rates: true),
        };
        _proposal = vsmc.Proposal switch
        {
            ProposalKind.Optimal => new OptimalProposal<TReal>((ILinearGaussianObservation<TReal>)_observation, r, x),
            ProposalKind.Encoder => new EncoderProposal<TReal>(_observation, options.Encoder!, x, r),
            _ => new BootstrapProposal<TReal>(_observation),
        };
        _total = NewGradientBuffer();
        _quads = FusedUnitKernels.SupportsQuad(options.Activation, r);
    }

    public ModelView<TReal> Model { get; }

    internal IProposal<TReal> Proposal => _proposal;

    internal IObservationModel<TReal> Observation => _observation;

    /// <summary>Workspaces of the last evaluation (one per sequence).</summary>
    internal IReadOnlyList<SequenceWorkspace<TReal>> Sequences => _sequences;

    /// <summary>
    /// Objective and gradient for a batch. <paramref name="frozenAncestors"/> ([B][T·K], row 0 unused),
    /// when given, replaces the drawn ancestors (the random stream is consumed identically).
    /// </summary>
    public double Evaluate(ReadOnlySpan<double> theta, SequenceSet batch, long seed, Span<double> gradient, bool computeGradient, int[][]? frozenAncestors)
    {
        Model.Load(theta);
        bool valid = Model.IsValid && _proposal.Prepare(Model);
        EnsureWorkspaces(batch.Count, batch.Steps);
        for (int b = 0; b < batch.Count; b++)
        {
            SequenceWorkspace<TReal> sequence = _sequences[b];
            sequence.Observations = batch.Observations.AsMemory(b * batch.Steps * batch.Channels, batch.Steps * batch.Channels);
            sequence.RawInputs = batch.Inputs > 0 ? batch.InputValues.AsMemory(b * batch.Steps * batch.Inputs, batch.Steps * batch.Inputs) : ReadOnlyMemory<double>.Empty;
        }

        if (!valid)
        {
            gradient.Fill(double.NaN);
            return double.NaN;
        }

        int sequences = batch.Count;
        int threads = Math.Min(_vsmc.Threads, sequences);
        if (threads <= 1)
        {
            for (int b = 0; b < sequences; b++)
            {
                RunSequence(b, seed, computeGradient, frozenAncestors?[b]);
            }
        }
        else
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, worker =>
            {
                for (int b = worker; b < sequences; b += threads)
                {
                    RunSequence(b, seed, computeGradient, frozenAncestors?[b]);
                }
            });
        }

        double objective = 0;
        for (int b = 0; b < sequences; b++)
        {
            objective += _sequences[b].Objective;
        }

        objective /= sequences;
        if (!computeGradient)
        {
            return objective;
        }

        if (!double.IsFinite(objective))
        {
            gradient.Fill(double.NaN);
            return objective;
        }

        _total.Clear();
        for (int b = 0; b < sequences; b++)
        {
            _total.Add(_sequences[b].Gradient);
        }

        _proposal.Finish(Model, _total, _sequences.AsSpan(0, sequences));
        WriteGradient(theta, 1.0 / sequences, gradient);
        _proposal.WriteGradient(1.0 / sequences, gradient);
        return objective;
    }

    private void RunSequence(int b, long seed, bool computeGradient, int[]? frozen)
    {
        SequenceWorkspace<TReal> sequence = _sequences[b];
        Rng rng = Rng.Create(seed, b);
        sequence.Objective = Forward(sequence, rng, frozen);
        if (computeGradient && double.IsFinite(sequence.Objective))
        {
            Backward(sequence);
        }
    }

    /// <summary>Runs the filter on one sequence; returns its objective (NaN or −∞ when a step fails).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal double Forward(SequenceWorkspace<TReal> s, Rng rng, ReadOnlySpan<int> frozen)
    {
        int k = s.Particles, r = s.Rank, steps = s.Steps;
        PrepareInputs(s);
        _proposal.Begin(s);

        // t = 0: m_0 = μ0 + P W v_0
        InitialMean(s, s.InitialMean);
        Span<double> f0 = s.Row(s.F, 0);
        for (int p = 0; p < k; p++)
        {
            s.InitialMean.CopyTo(f0.Slice(p * r, r));
        }

        NormalSampler.Fill(rng, s.Row(s.Eps, 0), s.NormalScratch);
        _proposal.Propose(s, 0, f0, s.Row(s.Eps, 0), s.Row(s.Z, 0), s.LogW.AsSpan(0, k));
        double total = s.LogSumExp[0] = LogWeights.Normalize(s.LogW.AsSpan(0, k), s.Weights.AsSpan(0, k));
        if (!double.IsFinite(total))
        {
            return total is double.NegativeInfinity ? double.NegativeInfinity : double.NaN;
        }

        for (int t = 1; t < steps; t++)
        {
            Span<int> ancestors = s.Ancestors.AsSpan(t * k, k);
            Resampling.Draw(_vsmc.Resampling, s.Weights.AsSpan((t - 1) * k, k), rng, ancestors);
            if (!frozen.IsEmpty)
            {
                frozen.Slice(t * k, k).CopyTo(ancestors);
            }

            // Transition once per distinct ancestor.
            MarkUsed(ancestors, s.Used);
            Span<double> previous = s.Row(s.Z, t - 1);
            ReadOnlySpan<TReal> wv = s.WvAt(t - 1);
            int usedCount = UsedList(s.Used, s.UsedList);
            int first = 0;
            if (_quads)
            {
                for (; first + FusedUnitKernels.QuadWidth <= usedCount; first += FusedUnitKernels.QuadWidth)
                {
                    FusedUnitKernels.TransitionForwardQuad(Model, wv, previous, s.UsedList.AsSpan(first, FusedUnitKernels.QuadWidth), s.Transition);
                }
            }

            for (; first < usedCount; first++)
            {
                int j = s.UsedList[first];
                UnitKernels.TransitionForward(Model, wv, previous.Slice(j * r, r), s.Currents, s.Rates, s.Transition.AsSpan(j * r, r));
            }

            Span<double> f = s.Row(s.F, t);
            for (int p = 0; p < k; p++)
            {
                s.Transition.AsSpan(ancestors[p] * r, r).CopyTo(f.Slice(p * r, r));
            }

            Span<double> eps = s.Row(s.Eps, t);
            NormalSampler.Fill(rng, eps, s.NormalScratch);
            _proposal.Propose(s, t, f, eps, s.Row(s.Z, t), s.LogW.AsSpan(t * k, k));
            double logSumExp = s.LogSumExp[t] = LogWeights.Normalize(s.LogW.AsSpan(t * k, k), s.Weights.AsSpan(t * k, k));
            if (!double.IsFinite(logSumExp))
            {
                return logSumExp is double.NegativeInfinity ? double.NegativeInfinity : double.NaN;
            }

            total += logSumExp;
        }

        return total / steps - Math.Log(k);
    }

    /// <summary>Reverse pass of <see cref="Forward"/> into the sequence's gradient buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Backward(SequenceWorkspace<TReal> s)
    {
        int k = s.Particles, r = s.Rank, steps = s.Steps;
        GradientBuffer<TReal> gradient = s.Gradient;
        gradient.Clear();
        if (s.Inputs > 0)
        {
            Array.Clear(s.GWv);
        }

        Array.Clear(s.Carry);
        double gDecay = 0;
        double scale = 1.0 / steps;
        for (int t = steps - 1; t >= 0; t--)
        {
            ReadOnlySpan<double> weights = s.Weights.AsSpan(t * k, k);
            for (int p = 0; p < k; p++)
            {
                s.GLogW[p] = weights[p] * scale;
            }

            s.Carry.CopyTo(s.GZ, 0);
            _proposal.ProposeBackward(s, t, s.Row(s.F, t), s.Row(s.Eps, t), s.Row(s.Z, t), s.GLogW, s.GZ, s.GF);
            if (t == 0)
            {
                InitialMeanBackward(s);
                break;
            }

            ReadOnlySpan<int> ancestors = s.Ancestors.AsSpan(t * k, k);
            Array.Clear(s.GFByAncestor);
            for (int p = 0; p < k; p++)
            {
                int j = ancestors[p];
                for (int a = 0; a < r; a++)
                {
                    s.GFByAncestor[j * r + a] += s.GF[p * r + a];
                }
            }

            MarkUsed(ancestors, s.Used);
            Array.Clear(s.CarryPrevious);
            Span<double> previous = s.Row(s.Z, t - 1);
            ReadOnlySpan<TReal> wv = s.WvAt(t - 1);
            Span<TReal> gWv = s.GWvAt(t - 1);
            int usedCount = UsedList(s.Used, s.UsedList);
            int first = 0;
            if (_quads)
            {
                for (; first + FusedUnitKernels.QuadWidth <= usedCount; first += FusedUnitKernels.QuadWidth)
                {
                    FusedUnitKernels.TransitionBackwardQuad(
                        Model, wv, previous, s.GFByAncestor, s.UsedList.AsSpan(first, FusedUnitKernels.QuadWidth), gradient, gWv, s.CarryPrevious, ref gDecay);
                }
            }

            for (; first < usedCount; first++)
            {
                int j = s.UsedList[first];
                UnitKernels.TransitionBackward(
                    Model, wv, previous.Slice(j * r, r), s.GFByAncestor.AsSpan(j * r, r),
                    s.Currents, s.Rates, s.GRates, s.GCurrents, gradient, gWv, s.CarryPrevious.AsSpan(j * r, r), ref gDecay);
            }

            s.CarryPrevious.CopyTo(s.Carry, 0);
        }

        gradient.Decay[0] += gDecay;
        if (s.Inputs > 0)
        {
            InputsBackward(s);
        }

        _proposal.End(s);
    }

    /// <summary>v_t (raw or filtered) and W v_t.</summary>
    private void PrepareInputs(SequenceWorkspace<TReal> s)
    {
        int u = s.Inputs, n = s.Units, steps = s.Steps;
        if (u == 0)
        {
            return;
        }

        ReadOnlySpan<double> raw = s.RawInputs.Span;
        if (_options.InputFilter == InputFilter.Raw)
        {
            raw.CopyTo(s.V);
        }
        else
        {
            double a = Model.Decay;
            Array.Clear(s.V, 0, u);
            for (int t = 1; t < steps; t++)
            {
                for (int i = 0; i < u; i++)
                {
                    s.V[t * u + i] = a * s.V[(t - 1) * u + i] + (1 - a) * raw[(t - 1) * u + i];
                }
            }
        }

        double[] w = Model.W;
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int j = 0; j < u; j++)
                {
                    sum += w[i * u + j] * s.V[t * u + j];
                }

                s.Wv[t * n + i] = TReal.CreateTruncating(sum);
            }
        }
    }

    /// <summary>m_0 = μ0 + P W v_0.</summary>
    internal void InitialMean(SequenceWorkspace<TReal> s, Span<double> mean)
    {
        int r = s.Rank, n = s.Units, u = s.Inputs;
        Model.InitialMean.CopyTo(mean);
        if (u == 0)
        {
            return;
        }

        Span<double> w0 = s.UnitScratch.AsSpan(0, n);
        WvZero(s, w0);
        for (int a = 0; a < r; a++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += Model.Projection[a * n + i] * w0[i];
            }

            mean[a] += sum;
        }
    }

    private void WvZero(SequenceWorkspace<TReal> s, Span<double> w0)
    {
        int n = s.Units, u = s.Inputs;
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < u; j++)
            {
                sum += Model.W[i * u + j] * s.V[j];
            }

            w0[i] = sum;
        }
    }

    /// <summary>Reverse of m_0 = μ0 + (MᵀM)⁻¹Mᵀ w_0 for ∂/∂m_0 = Σ_k ∂/∂f_0^k.</summary>
    private void InitialMeanBackward(SequenceWorkspace<TReal> s)
    {
        int k = s.Particles, r = s.Rank, n = s.Units, u = s.Inputs;
        GradientBuffer<TReal> gradient = s.Gradient;
        Span<double> gMean = stackalloc double[r];
        gMean.Clear();
        for (int p = 0; p < k; p++)
        {
            for (int a = 0; a < r; a++)
            {
                gMean[a] += s.GF[p * r + a];
            }
        }

        for (int a = 0; a < r; a++)
        {
            gradient.InitialMean[a] += gMean[a];
        }

        if (u == 0)
        {
            return;
        }

        // p = G⁻¹ Mᵀ w0 (G = MᵀM): ḡs = G⁻¹ ḡp; ḡG = −ḡs pᵀ; ḡM += w0 ḡsᵀ + M(ḡG + ḡGᵀ); ḡw0 = M ḡs
        Span<double> w0 = s.UnitScratch.AsSpan(0, n);
        WvZero(s, w0);
        Span<double> gs = stackalloc double[r];
        Span<double> projected = stackalloc double[r];
        SmallMatrix.MultiplyVector(Model.GramInverse, gMean, r, gs);
        for (int a = 0; a < r; a++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += Model.Projection[a * n + i] * w0[i];
            }

            projected[a] = sum;
        }

        double[] m = Model.M;
        Span<TReal> gWv0 = s.GWvAt(0);
        for (int i = 0; i < n; i++)
        {
            double mGs = 0, mP = 0;
            for (int b = 0; b < r; b++)
            {
                mGs += m[i * r + b] * gs[b];
                mP += m[i * r + b] * projected[b];
            }

            for (int a = 0; a < r; a++)
            {
                gradient.M[i * r + a] += w0[i] * gs[a] - projected[a] * mGs - gs[a] * mP;
            }

            gWv0[i] += TReal.CreateTruncating(mGs);
        }
    }

    /// <summary>ḡW += Σ_t ḡ(Wv_t) v_tᵀ; for filtered inputs the recursion v_{t+1} = a v_t + (1 − a) u_t adds to ḡa.</summary>
    private void InputsBackward(SequenceWorkspace<TReal> s)
    {
        int u = s.Inputs, n = s.Units, steps = s.Steps;
        GradientBuffer<TReal> gradient = s.Gradient;
        double[] w = Model.W;
        Span<double> gv = stackalloc double[u];
        Span<double> gvNext = stackalloc double[u];
        gvNext.Clear();
        ReadOnlySpan<double> raw = s.RawInputs.Span;
        bool filtered = _options.InputFilter == InputFilter.Filtered;
        double a = Model.Decay;
        for (int t = steps - 1; t >= 0; t--)
        {
            gv.Clear();
            for (int i = 0; i < n; i++)
            {
                double g = double.CreateTruncating(s.GWv[t * n + i]);
                for (int j = 0; j < u; j++)
                {
                    gradient.W[i * u + j] += g * s.V[t * u + j];
                    gv[j] += w[i * u + j] * g;
                }
            }

            if (!filtered)
            {
                continue;
            }

            // v_{t+1} = a v_t + (1 − a) u_t
            for (int j = 0; j < u; j++)
            {
                gv[j] += gvNext[j] * a;
                if (t + 1 < steps)
                {
                    gradient.Decay[0] += gvNext[j] * (s.V[t * u + j] - raw[t * u + j]);
                }
            }

            gv.CopyTo(gvNext);
        }
    }

    /// <summary>Writes the indices of the used particles in increasing order; returns their count.</summary>
    private static int UsedList(ReadOnlySpan<bool> used, Span<int> list)
    {
        int count = 0;
        for (int j = 0; j < used.Length; j++)
        {
            if (used[j])
            {
                list[count++] = j;
            }
        }

        return count;
    }

    private static void MarkUsed(ReadOnlySpan<int> ancestors, Span<bool> used)
    {
        used.Clear();
        foreach (int j in ancestors)
        {
            used[j] = true;
        }
    }

    private void WriteGradient(ReadOnlySpan<double> theta, double scale, Span<double> gradient)
    {
        ParameterLayout layout = Model.Layout;
        int r = Model.Rank, n = Model.Units;
        gradient.Clear();
        Span<double> gM = layout[ParameterNames.M].Of(gradient);
        Span<double> gN = layout[ParameterNames.N].Of(gradient);
        Span<double> gH = layout[ParameterNames.H].Of(gradient);
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < r; a++)
            {
                gM[i * r + a] = scale * (_total.M[i * r + a] + double.CreateTruncating(_total.Mt[a * n + i]));
                gN[a * n + i] = scale * double.CreateTruncating(_total.Nt[a * n + i]);
            }

            gH[i] = scale * double.CreateTruncating(_total.H[i]);
        }

        if (Model.Inputs > 0)
        {
            Scaled(_total.W, scale, layout[ParameterNames.InputWeights].Of(gradient));
        }

        // a = exp(−exp α):  da/dα = −exp(α) a
        layout[ParameterNames.DecayRaw].Of(gradient)[0] = scale * _total.Decay[0] * -Math.Exp(Model.DecayRaw) * Model.Decay;
        CovarianceParameters.ToCholeskyBackward(
            _options.TransitionNoise, r, layout[ParameterNames.TransitionNoiseRaw].Of(theta), _total.TransitionCholesky, layout[ParameterNames.TransitionNoiseRaw].Of(gradient));
        CovarianceParameters.ToCholeskyBackward(
            _options.InitialNoise, r, layout[ParameterNames.InitialNoiseRaw].Of(theta), _total.InitialCholesky, layout[ParameterNames.InitialNoiseRaw].Of(gradient));
        Scale(layout[ParameterNames.TransitionNoiseRaw].Of(gradient), scale);
        Scale(layout[ParameterNames.InitialNoiseRaw].Of(gradient), scale);
        if (_options.TrainInitialMean)
        {
            Scaled(_total.InitialMean, scale, layout[ParameterNames.InitialMean].Of(gradient));
        }

        Scaled(_total.ReadoutWeights, scale, layout[ParameterNames.ReadoutWeights].Of(gradient));
        Scaled(_total.ReadoutBias, scale, layout[ParameterNames.ReadoutBias].Of(gradient));
        if (_options.Likelihood == Likelihood.Gaussian)
        {
            // σx² = clamp(exp ρx): ∂σx²/∂ρx = σx² inside the clamp, 0 outside
            ReadOnlySpan<double> logVariance = layout[ParameterNames.LogObservationVariance].Of(theta);
            Span<double> gLogVariance = layout[ParameterNames.LogObservationVariance].Of(gradient);
            for (int i = 0; i < gLogVariance.Length; i++)
            {
                double variance = Math.Exp(logVariance[i]);
                bool inside = variance > ModelOptions.MinVariance && variance < ModelOptions.MaxVariance;
                gLogVariance[i] = inside ? scale * _total.Variance[i] * variance : 0;
            }
        }
    }

    private static void Scaled(ReadOnlySpan<double> source, double scale, Span<double> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = scale * source[i];
        }
    }

    private static void Scale(Span<double> values, double scale)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] *= scale;
        }
    }

    /// <summary>
    /// Workspaces for at least <paramref name="sequences"/> sequences of <paramref name="steps"/> steps: kept
    /// while T is unchanged (a smaller batch uses the first B), extended for a larger batch, rebuilt for a new T.
    /// </summary>
    internal void EnsureWorkspaces(int sequences, int steps)
    {
        bool sameSteps = _sequences.Length > 0 && _sequences[0].Steps == steps;
        if (sameSteps && _sequences.Length >= sequences)
        {
            return;
        }

        int keep = sameSteps ? _sequences.Length : 0;
        var grown = new SequenceWorkspace<TReal>[Math.Max(sequences, keep)];
        Array.Copy(_sequences, grown, keep);
        for (int b = keep; b < grown.Length; b++)
        {
            grown[b] = new SequenceWorkspace<TReal>(
                Model, _vsmc.Particles, steps, NewGradientBuffer(), _proposal.StateLength(steps), _observation.StateLength(steps));
        }

        _sequences = grown;
    }

    private GradientBuffer<TReal> NewGradientBuffer() => new(
        _options.Rank,
        _options.Units,
        _options.Inputs,
        _options.Readout == Readout.Latent ? _options.Channels * _options.Rank : _options.Channels,
        _options.Channels,
        _proposal.AuxiliaryLength);
}
