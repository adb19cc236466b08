using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using LowRank.Data;
using LowRank.Model;
using LowRank.Numerics;

namespace LowRank.Smc;

/// <summary>
/// A proposal q_t(z_t | f_t, y_t) and the incremental weight it implies, with its reverse pass. At t = 0
/// the prior is N(m_0, Σ0), at t ≥ 1 it is N(f_t^k, Σz). A learned encoder plugs in as another implementation.
/// </summary>
internal interface IProposal<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    /// <summary>Doubles of intermediate gradient the proposal keeps in <see cref="GradientBuffer{TReal}.Auxiliary"/>.</summary>
    int AuxiliaryLength { get; }

    /// <summary>Doubles of per-sequence state.</summary>
    int StateLength(int steps);

    /// <summary>Per-evaluation constants; false when θ makes them undefined (the objective is then NaN).</summary>
    bool Prepare(ModelView<TReal> model);

    /// <summary>
    /// Draws <c>z^k = μ_q(f^k) + L_q ε^k</c> for prior means f [K,R] and standard-normal ε [K,R], and writes
    /// <c>logW[k] = log p(y_t|z^k) + log N(z^k; f^k, Σ) − log q(z^k)</c>.
    /// </summary>
    void Propose(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> f, ReadOnlySpan<double> eps, Span<double> z, Span<double> logW);

    /// <summary>
    /// Reverse of <see cref="Propose"/>: given ∂L/∂z [K,R] in <paramref name="gz"/> (from later steps; may be
    /// modified) and ∂L/∂log w [K], writes ∂L/∂f [K,R] and accumulates parameter gradients.
    /// </summary>
    void ProposeBackward(
        SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> f, ReadOnlySpan<double> eps, ReadOnlySpan<double> z,
        ReadOnlySpan<double> gLogW, Span<double> gz, Span<double> gf);

    /// <summary>Turns the batch total of the auxiliary gradients into parameter gradients.</summary>
    void Finish(ModelView<TReal> model, GradientBuffer<TReal> total);

    /// <summary>Before the filter runs on a sequence (the encoder proposal encodes it here).</summary>
    void Begin(SequenceWorkspace<TReal> sequence)
    {
    }

    /// <summary>After the reverse pass of a sequence (the encoder proposal runs its own reverse pass here).</summary>
    void End(SequenceWorkspace<TReal> sequence)
    {
    }

    /// <summary><see cref="Finish(ModelView{TReal}, GradientBuffer{TReal})"/> with the batch's sequences, whose proposal-owned gradients it may sum (in order).</summary>
    void Finish(ModelView<TReal> model, GradientBuffer<TReal> total, ReadOnlySpan<SequenceWorkspace<TReal>> sequences) => Finish(model, total);

    /// <summary>Writes the proposal's own parameters' gradient (the encoder's) into θ's gradient, times <paramref name="scale"/>.</summary>
    void WriteGradient(double scale, Span<double> gradient)
    {
    }
}

/// <summary>Bootstrap proposal: <c>z = f + L ε</c>, weight <c>log p(y_t | z)</c>.</summary>
internal sealed class BootstrapProposal<TReal>(IObservationModel<TReal> observation) : IProposal<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    private ModelView<TReal> _model = null!;

    public int AuxiliaryLength => 0;

    public int StateLength(int steps) => 0;

    public bool Prepare(ModelView<TReal> model)
    {
        _model = model;
        observation.Prepare(model);
        return true;
    }

    public void Propose(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> f, ReadOnlySpan<double> eps, Span<double> z, Span<double> logW)
    {
        int r = _model.Rank;
        ReadOnlySpan<double> l = t == 0 ? _model.InitialCholesky : _model.TransitionCholesky;
        for (int k = 0; k < logW.Length; k++)
        {
            for (int a = 0; a < r; a++)
            {
                double sum = f[k * r + a];
                for (int b = 0; b <= a; b++)
                {
                    sum += l[a * r + b] * eps[k * r + b];
                }

                z[k * r + a] = sum;
            }
        }

        observation.LogLikelihood(sequence, t, z, logW);
    }

    public void ProposeBackward(
        SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> f, ReadOnlySpan<double> eps, ReadOnlySpan<double> z,
        ReadOnlySpan<double> gLogW, Span<double> gz, Span<double> gf)
    {
        observation.LogLikelihoodBackward(sequence, t, z, gLogW, gz);
        int r = _model.Rank;
        Span<double> gL = t == 0 ? sequence.Gradient.InitialCholesky : sequence.Gradient.TransitionCholesky;
        for (int k = 0; k < gLogW.Length; k++)
        {
            for (int a = 0; a < r; a++)
            {
                double g = gz[k * r + a];
                gf[k * r + a] = g;
                for (int b = 0; b <= a; b++)
                {
                    gL[a * r + b] += g * eps[k * r + b];
                }
            }
        }
    }

    public void Finish(ModelView<TReal> model, GradientBuffer<TReal> total)
    {
    }
}

/// <summary>
/// The locally optimal proposal for a linear-Gaussian readout <c>y ~ N(C̃ z + d̃, D)</c>, D = diag σx²,
/// and Gaussian prior N(f, Σ) (Σ = Σ0 at t = 0, Σz after).
/// </summary>
/// <remarks>
/// With Λ = C̃ᵀD⁻¹C̃ [R,R], β_t = C̃ᵀD⁻¹ỹ_t [R], γ_t = ỹ_tᵀD⁻¹ỹ_t, ỹ_t = y_t − d̃_t:
/// <code>
/// Σq = (Σ⁻¹ + Λ)⁻¹,  Lq = chol Σq
/// b  = β − Λ f                                   // = C̃ᵀD⁻¹(ỹ − C̃ f)
/// μq = f + Σq b                                  // = f + G(ỹ − C̃ f),  G = Σq C̃ᵀD⁻¹
/// z  = μq + Lq ε
/// log w = c0 − ½ Q,   Q = γ − 2βᵀf + fᵀΛf − bᵀΣq b   // = eᵀ(C̃ΣC̃ᵀ + D)⁻¹e by Woodbury
/// c0 = −½ (X ln 2π + Σ ln σx² + ln det Σ − ln det Σq) // determinant lemma
/// </code>
/// Every per-particle operation is O(R²); X enters only through β_t, γ_t (O(X R) per step) and Λ
/// (O(X R²) per evaluation). No X×X matrix is formed.
/// </remarks>
internal sealed class OptimalProposal<TReal> : IProposal<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    private readonly ILinearGaussianObservation<TReal> _observation;
    private readonly int _rank;
    private readonly int _channels;
    private readonly double[] _lambda;
    private readonly double[] _readoutT;
    private readonly double[] _gReadout;
    private readonly PriorConstants _transition;
    private readonly PriorConstants _initial;
    private ModelView<TReal> _model = null!;

    // Auxiliary layout: [transition: gLq R², gΣq R², gc0 1][initial: same][gΛ R²][gC̃ᵀ R·X][g(1/σ²) X]
    private readonly int _offsetLambda;
    private readonly int _offsetReadout;
    private readonly int _offsetInverseVariance;

    public OptimalProposal(ILinearGaussianObservation<TReal> observation, int rank, int channels)
    {
        _observation = observation;
        _rank = rank;
        _channels = channels;
        _lambda = new double[rank * rank];
        _readoutT = new double[rank * channels];
        _gReadout = new double[channels * rank];
        int block = 2 * rank * rank + 1;
        _transition = new PriorConstants(rank, 0);
        _initial = new PriorConstants(rank, block);
        _offsetLambda = 2 * block;
        _offsetReadout = _offsetLambda + rank * rank;
        _offsetInverseVariance = _offsetReadout + channels * rank;
        AuxiliaryLength = _offsetInverseVariance + channels;
    }

    public int AuxiliaryLength { get; }

    /// <summary>β [T,R], γ [T], ỹ [T,X].</summary>
    public int StateLength(int steps) => steps * (_rank + 1 + _channels);

    /// <summary>Λ = C̃ᵀD⁻¹C̃ [R,R].</summary>
    public ReadOnlySpan<double> Lambda => _lambda;

    public bool Prepare(ModelView<TReal> model)
    {
        _model = model;
        _observation.Prepare(model);
        int r = _rank, x = _channels;
        double[] c = _observation.EffectiveReadout;
        double[] inverseVariance = _observation.InverseVariance;
        for (int i = 0; i < x; i++)
        {
            for (int a = 0; a < r; a++)
            {
                _readoutT[a * x + i] = c[i * r + a];
            }
        }

        // Mirrored, so Λ is exactly symmetric (the reverse pass relies on it).
        Precision(c, inverseVariance, _lambda);

        double logNormaliser = GaussianLatentObservation<TReal>.GaussianLogNormaliser(_observation.Variance);
        return _transition.Set(model.TransitionCholesky, _lambda, logNormaliser)
            && _initial.Set(model.InitialCholesky, _lambda, logNormaliser);
    }

    /// <summary>The posterior of z given prior N(f, Σ0) and observation residual ỹ: mean [R] and factor [R,R].</summary>
    public void InitialPosterior(ReadOnlySpan<double> f, ReadOnlySpan<double> residual, Span<double> mean, Span<double> cholesky)
    {
        Span<double> beta = stackalloc double[_rank];
        Span<double> b = stackalloc double[_rank];
        Beta(residual, _observation.InverseVariance, new double[residual.Length], beta, out _);
        _initial.ProposalMean(f, beta, _lambda, b, mean);
        _initial.Lq.CopyTo(cholesky);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Propose(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> f, ReadOnlySpan<double> eps, Span<double> z, Span<double> logW)
    {
        int r = _rank;
        Span<double> beta = sequence.ProposalState.AsSpan(t * r, r);
        Span<double> residual = sequence.ProposalState.AsSpan(sequence.Steps * (r + 1) + t * _channels, _channels);
        _observation.Residual(sequence, t, residual);
        if (!TryStep(sequence, t, residual, backward: false, out Step step))
        {
            logW.Fill(double.NaN);
            return;
        }

        PriorConstants prior = step.Prior;
        Beta(residual, step.InverseVariance, sequence.UnitScratch.AsSpan(0, _channels), beta, out double gamma);
        sequence.ProposalState[sequence.Steps * r + t] = gamma;

        Span<double> b = stackalloc double[r];
        Span<double> mean = stackalloc double[r];
        for (int k = 0; k < logW.Length; k++)
        {
            ReadOnlySpan<double> fk = f.Slice(k * r, r);
            double q = prior.ProposalMean(fk, beta, step.Lambda, b, mean);
            q += gamma;
            logW[k] = prior.LogNormaliser - 0.5 * q;
            Span<double> zk = z.Slice(k * r, r);
            ReadOnlySpan<double> ek = eps.Slice(k * r, r);
            for (int a = 0; a < r; a++)
            {
                double sum = mean[a];
                for (int c = 0; c <= a; c++)
                {
                    sum += prior.Lq[a * r + c] * ek[c];
                }

                zk[a] = sum;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ProposeBackward(
        SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> f, ReadOnlySpan<double> eps, ReadOnlySpan<double> z,
        ReadOnlySpan<double> gLogW, Span<double> gz, Span<double> gf)
    {
        int r = _rank, x = _channels;
        Span<double> auxiliary = sequence.Gradient.Auxiliary;
        Span<double> residual = sequence.ProposalState.AsSpan(sequence.Steps * (r + 1) + t * x, x);
        TryStep(sequence, t, residual, backward: true, out Step step);
        PriorConstants prior = step.Prior;
        Span<double> gLq = step.PriorGradient[..(r * r)];
        Span<double> gSigmaQ = step.PriorGradient.Slice(r * r, r * r);
        Span<double> gLambda = step.GLambda;
        ReadOnlySpan<double> beta = sequence.ProposalState.AsSpan(t * r, r);
        ReadOnlySpan<double> sigmaQ = prior.SigmaQ;
        ReadOnlySpan<double> lambda = step.Lambda;
        ReadOnlySpan<double> inverseVariance = step.InverseVariance;

        Span<double> gBeta = stackalloc double[r];
        Span<double> b = stackalloc double[r];
        Span<double> u = stackalloc double[r];
        Span<double> gb = stackalloc double[r];
        double gGamma = 0, gC0 = 0;
        gBeta.Clear();

        // Λ is symmetric (C̃ᵀD⁻¹C̃ summed in the same order for (a, c) and (c, a)), so the explicit
        // f-terms of Q, −2β + (Λ + Λᵀ) f, equal −2b, and Λᵀ = Λ below.
        for (int k = 0; k < gLogW.Length; k++)
        {
            ReadOnlySpan<double> fk = f.Slice(k * r, r);
            ReadOnlySpan<double> ek = eps.Slice(k * r, r);
            ReadOnlySpan<double> gμ = gz.Slice(k * r, r);
            Span<double> gfk = gf.Slice(k * r, r);
            double gQ = -0.5 * gLogW[k];
            gC0 += gLogW[k];

            // b = β − Λ f;  ḡb = Σq (ḡμ − 2 ḡQ b)  (μq = f + Σq b and the −bᵀΣq b term of Q)
            for (int a = 0; a < r; a++)
            {
                double sum = beta[a];
                for (int c = 0; c < r; c++)
                {
                    sum -= lambda[a * r + c] * fk[c];
                }

                b[a] = sum;
                u[a] = gμ[a] - 2 * gQ * sum;
            }

            for (int a = 0; a < r; a++)
            {
                double sum = 0;
                for (int c = 0; c < r; c++)
                {
                    sum += sigmaQ[a * r + c] * u[c];
                }

                gb[a] = sum;
            }

            for (int a = 0; a < r; a++)
            {
                // z = μq + Lq ε:  ḡLq += ḡz εᵀ (lower triangle)
                double gμa = gμ[a];
                for (int c = 0; c <= a; c++)
                {
                    gLq[a * r + c] += gμa * ek[c];
                }

                // ḡΣq += (ḡμ − ḡQ b) bᵀ;  ḡΛ += (ḡQ f − ḡb) fᵀ;  ḡβ += ḡb − 2 ḡQ f;  ḡf = ḡμ − Λ ḡb − 2 ḡQ b
                double v = gμa - gQ * b[a];
                double w = gQ * fk[a] - gb[a];
                double lambdaGb = 0;
                for (int c = 0; c < r; c++)
                {
                    gSigmaQ[a * r + c] += v * b[c];
                    gLambda[a * r + c] += w * fk[c];
                    lambdaGb += lambda[a * r + c] * gb[c];
                }

                gBeta[a] += gb[a] - 2 * gQ * fk[a];
                gfk[a] = gμa - lambdaGb - 2 * gQ * b[a];
            }

            gGamma += gQ;
        }

        step.PriorGradient[2 * r * r] += gC0;

        // β = C̃ᵀD⁻¹ỹ, γ = ỹᵀD⁻¹ỹ:  ḡỹ = D⁻¹(C̃ ḡβ + 2 ḡγ ỹ);  ḡC̃ᵀ += ḡβ (D⁻¹ỹ)ᵀ;  ḡ(1/σ²) += ỹ ⊙ C̃ḡβ + ḡγ ỹ²
        // (a missing entry has ỹ_i = 0 and D⁻¹_i = 0 at this step, so it receives nothing)
        Span<double> scaled = sequence.UnitScratch.AsSpan(0, x);
        Span<double> readoutGBeta = sequence.UnitScratch2.AsSpan(0, x);
        Span<double> gReadoutT = auxiliary.Slice(_offsetReadout, x * r);
        Span<double> gInverseVariance = auxiliary.Slice(_offsetInverseVariance, x);
        TensorPrimitives.Multiply(residual, inverseVariance, scaled);
        TensorPrimitives.Multiply(_readoutT.AsSpan(0, x), gBeta[0], readoutGBeta);
        for (int a = 0; a < r; a++)
        {
            if (a > 0)
            {
                TensorPrimitives.MultiplyAdd(_readoutT.AsSpan(a * x, x), gBeta[a], readoutGBeta, readoutGBeta);
            }

            Span<double> row = gReadoutT.Slice(a * x, x);
            TensorPrimitives.MultiplyAdd(scaled, gBeta[a], row, row);
        }

        // ḡ(1/σ²) += ỹ ⊙ (C̃ḡβ + ḡγ ỹ);  then ḡỹ = D⁻¹ C̃ḡβ + 2ḡγ D⁻¹ỹ (into the C̃ḡβ scratch)
        for (int i = 0; i < x; i++)
        {
            double cgb = readoutGBeta[i];
            gInverseVariance[i] += residual[i] * (cgb + gGamma * residual[i]);
            readoutGBeta[i] = inverseVariance[i] * cgb + 2 * gGamma * scaled[i];
        }

        ReadOnlySpan<double> gResidual = readoutGBeta;
        _observation.ResidualBackward(sequence, t, gResidual);
        if (step.Local)
        {
            MissingStepBackward(sequence, t);
        }
    }

    /// <summary>
    /// The constants of step t: shared by every fully observed step (computed once per evaluation), or, when y_t has
    /// missing entries, those of the observed entries alone — D_t⁻¹ = diag(mask_t / σx²), Λ_t = C̃ᵀD_t⁻¹C̃, c0 over the
    /// observed channels — computed per sequence in its scratch (the residual's missing entries are set to 0). For the
    /// reverse pass the local gradient accumulators are cleared.
    /// </summary>
    private bool TryStep(SequenceWorkspace<TReal> sequence, int t, Span<double> residual, bool backward, out Step step)
    {
        int r = _rank;
        ReadOnlySpan<double> y = sequence.ObservationAt(t);
        Span<double> auxiliary = sequence.Gradient.Auxiliary;
        if (!MissingValues.Any(y))
        {
            PriorConstants prior = t == 0 ? _initial : _transition;
            step = new Step(prior, _lambda, _observation.InverseVariance, auxiliary.Slice(prior.Offset, 2 * r * r + 1), auxiliary.Slice(_offsetLambda, r * r), Local: false);
            return true;
        }

        MissingScratch scratch = sequence.ProposalScratch as MissingScratch ?? (MissingScratch)(sequence.ProposalScratch = new MissingScratch(r, _channels));
        double[] inverseVariance = _observation.InverseVariance;
        for (int i = 0; i < _channels; i++)
        {
            bool observed = !double.IsNaN(y[i]);
            scratch.InverseVariance[i] = observed ? inverseVariance[i] : 0;
            if (!observed)
            {
                residual[i] = 0;
            }
        }

        Precision(_observation.EffectiveReadout, scratch.InverseVariance, scratch.Lambda);
        double logNormaliser = GaussianLatentObservation<TReal>.GaussianLogNormaliser(_observation.Variance, y);
        bool valid = scratch.Constants.Set(t == 0 ? _model.InitialCholesky : _model.TransitionCholesky, scratch.Lambda, logNormaliser);
        if (backward)
        {
            Array.Clear(scratch.PriorGradient);
            Array.Clear(scratch.GLambda);
        }

        step = new Step(scratch.Constants, scratch.Lambda, scratch.InverseVariance, scratch.PriorGradient, scratch.GLambda, Local: true);
        return valid;
    }

    /// <summary>
    /// Reverse of the per-step constants of a step with missing entries, into the sequence's gradient: Lq_t, Σq_t, c0_t
    /// → Λ_t and the prior factor; Λ_t = C̃ᵀD_t⁻¹C̃ → ḡC̃ (through the auxiliary ḡC̃ᵀ) and ḡ(1/σ²) of the observed
    /// entries; c0_t ∋ −½ Σ_observed ln σ² → ḡσ².
    /// </summary>
    private void MissingStepBackward(SequenceWorkspace<TReal> sequence, int t)
    {
        int r = _rank, x = _channels;
        var scratch = (MissingScratch)sequence.ProposalScratch!;
        GradientBuffer<TReal> gradient = sequence.Gradient;
        double gC0 = scratch.PriorGradient[2 * r * r];
        scratch.Constants.Backward(scratch.PriorGradient, scratch.GLambda, t == 0 ? gradient.InitialCholesky : gradient.TransitionCholesky);
        Span<double> gReadoutT = gradient.Auxiliary.AsSpan(_offsetReadout, x * r);
        Span<double> gInverseVariance = gradient.Auxiliary.AsSpan(_offsetInverseVariance, x);
        PrecisionBackward(_observation.EffectiveReadout, scratch.InverseVariance, scratch.GLambda, gReadoutT, gInverseVariance);
        for (int i = 0; i < x; i++)
        {
            gradient.Variance[i] += -0.5 * gC0 * scratch.InverseVariance[i];
        }
    }

    /// <summary>
    /// Reverse of Λ = C̃ᵀ diag(d) C̃ for ∂/∂Λ: ḡC̃ᵀ[a, i] += d_i Σ_b (ḡΛ + ḡΛᵀ)_ab C̃_ib (into <paramref name="gReadoutT"/>
    /// [R,X]) and ḡd_i += C̃_iᵀ ḡΛ C̃_i, for the rows with d_i ≠ 0 (a missing entry's row contributes nothing).
    /// </summary>
    private void PrecisionBackward(ReadOnlySpan<double> c, ReadOnlySpan<double> d, ReadOnlySpan<double> gLambda, Span<double> gReadoutT, Span<double> gD)
    {
        int r = _rank, x = _channels;
        for (int i = 0; i < x; i++)
        {
            if (d[i] == 0)
            {
                continue;
            }

            double quadratic = 0;
            for (int a = 0; a < r; a++)
            {
                double sum = 0;
                for (int b = 0; b < r; b++)
                {
                    sum += (gLambda[a * r + b] + gLambda[b * r + a]) * c[i * r + b];
                    quadratic += c[i * r + a] * gLambda[a * r + b] * c[i * r + b];
                }

                gReadoutT[a * x + i] += d[i] * sum;
            }

            gD[i] += quadratic;
        }
    }

    /// <summary>Λ = C̃ᵀ diag(d) C̃ [R,R], mirrored so it is exactly symmetric.</summary>
    private void Precision(ReadOnlySpan<double> c, ReadOnlySpan<double> inverseVariance, Span<double> lambda)
    {
        int r = _rank;
        for (int a = 0; a < r; a++)
        {
            for (int b = 0; b <= a; b++)
            {
                double sum = 0;
                for (int i = 0; i < inverseVariance.Length; i++)
                {
                    sum += c[i * r + a] * inverseVariance[i] * c[i * r + b];
                }

                lambda[a * r + b] = sum;
                lambda[b * r + a] = sum;
            }
        }
    }

    /// <summary>What one step of the proposal uses: its prior constants, Λ and D⁻¹, and where their gradients go.</summary>
    private readonly ref struct Step(PriorConstants prior, ReadOnlySpan<double> lambda, ReadOnlySpan<double> inverseVariance, Span<double> priorGradient, Span<double> gLambda, bool Local)
    {
        public PriorConstants Prior { get; } = prior;

        public ReadOnlySpan<double> Lambda { get; } = lambda;

        public ReadOnlySpan<double> InverseVariance { get; } = inverseVariance;

        /// <summary>[ḡLq R², ḡΣq R², ḡc0 1].</summary>
        public Span<double> PriorGradient { get; } = priorGradient;

        public Span<double> GLambda { get; } = gLambda;

        /// <summary>Whether the constants are this step's own (missing entries) rather than the shared ones.</summary>
        public bool Local { get; } = Local;
    }

    /// <summary>Per-sequence storage of the constants of a step with missing entries (allocated on the first such step).</summary>
    private sealed class MissingScratch(int rank, int channels)
    {
        public PriorConstants Constants { get; } = new(rank, 0);

        public double[] InverseVariance { get; } = new double[channels];

        public double[] Lambda { get; } = new double[rank * rank];

        public double[] PriorGradient { get; } = new double[2 * rank * rank + 1];

        public double[] GLambda { get; } = new double[rank * rank];
    }

    public void Finish(ModelView<TReal> model, GradientBuffer<TReal> total)
    {
        int r = _rank, x = _channels;
        Span<double> auxiliary = total.Auxiliary;
        Span<double> gLambda = auxiliary.Slice(_offsetLambda, r * r);
        double gC0Sum = auxiliary[_transition.Offset + 2 * r * r] + auxiliary[_initial.Offset + 2 * r * r];
        _transition.Backward(auxiliary, gLambda, total.TransitionCholesky);
        _initial.Backward(auxiliary, gLambda, total.InitialCholesky);

        // Λ = C̃ᵀD⁻¹C̃:  ḡC̃ += D⁻¹C̃(ḡΛ + ḡΛᵀ);  ḡ(1/σ²)_i += C̃_iᵀ ḡΛ C̃_i
        double[] inverseVariance = _observation.InverseVariance;
        Span<double> gReadoutT = auxiliary.Slice(_offsetReadout, x * r);
        Span<double> gReadout = _gReadout;
        Span<double> gInverseVariance = auxiliary.Slice(_offsetInverseVariance, x);
        PrecisionBackward(_observation.EffectiveReadout, inverseVariance, gLambda, gReadoutT, gInverseVariance);
        for (int i = 0; i < x; i++)
        {
            for (int a = 0; a < r; a++)
            {
                gReadout[i * r + a] = gReadoutT[a * x + i];
            }

            // 1/σ² → σ²;  c0 holds −½ Σ ln σ² (once per prior)
            total.Variance[i] += -gInverseVariance[i] * inverseVariance[i] * inverseVariance[i] - 0.5 * gC0Sum * inverseVariance[i];
        }

        _observation.EffectiveReadoutBackward(gReadout, total);
    }

    /// <summary>β = C̃ᵀD⁻¹ỹ [R] and γ = ỹᵀD⁻¹ỹ; <paramref name="scaled"/> [X] receives D⁻¹ỹ.</summary>
    private void Beta(ReadOnlySpan<double> residual, ReadOnlySpan<double> inverseVariance, Span<double> scaled, Span<double> beta, out double gamma)
    {
        int x = residual.Length;
        TensorPrimitives.Multiply(residual, inverseVariance, scaled);
        gamma = TensorPrimitives.Dot(scaled, residual);
        for (int a = 0; a < _rank; a++)
        {
            beta[a] = TensorPrimitives.Dot(_readoutT.AsSpan(a * x, x), scaled);
        }
    }

    /// <summary>Constants of the proposal for one prior covariance Σ = Lp Lpᵀ, and their reverse pass.</summary>
    private sealed class PriorConstants
    {
        private readonly int _r;
        private readonly double[] _lp;
        private readonly double[] _priorInverse;
        private readonly double[] _precision;
        private readonly double[] _scratch;
        private readonly double[] _scratch2;

        public PriorConstants(int rank, int offset)
        {
            _r = rank;
            Offset = offset;
            _lp = new double[rank * rank];
            _priorInverse = new double[rank * rank];
            _precision = new double[rank * rank];
            SigmaQ = new double[rank * rank];
            Lq = new double[rank * rank];
            _scratch = new double[rank * rank];
            _scratch2 = new double[rank * rank];
        }

        /// <summary>First index of this prior's block in the auxiliary gradient.</summary>
        public int Offset { get; }

        public double[] SigmaQ { get; }

        public double[] Lq { get; }

        /// <summary>c0.</summary>
        public double LogNormaliser { get; private set; }

        public bool Set(ReadOnlySpan<double> lp, ReadOnlySpan<double> lambda, double observationLogNormaliser)
        {
            int r = _r;
            lp.CopyTo(_lp);

            // Σ⁻¹ = Lp⁻ᵀ Lp⁻¹;  P = Σ⁻¹ + Λ;  Σq = P⁻¹;  Lq = chol Σq
            SmallMatrix.InverseLower(lp, r, _scratch);
            SmallMatrix.TransposeTimesSelf(_scratch, r, _priorInverse);
            for (int i = 0; i < r * r; i++)
            {
                _precision[i] = _priorInverse[i] + lambda[i];
            }

            if (!SmallMatrix.TryCholesky(_precision, r, _scratch))
            {
                return false;
            }

            double logDetPrecision = 2 * SmallMatrix.LogDiagonalSum(_scratch, r);
            SmallMatrix.InverseLower(_scratch, r, _scratch2);
            SmallMatrix.TransposeTimesSelf(_scratch2, r, SigmaQ);
            if (!SmallMatrix.TryCholesky(SigmaQ, r, Lq))
            {
                return false;
            }

            double logDetPrior = 2 * SmallMatrix.LogDiagonalSum(lp, r);
            LogNormaliser = observationLogNormaliser - 0.5 * (logDetPrior + logDetPrecision);
            return true;
        }

        /// <summary>Writes b = β − Λf and μq = f + Σq b; returns −2βᵀf + fᵀΛf − bᵀΣq b (Q without γ).</summary>
        public double ProposalMean(ReadOnlySpan<double> f, ReadOnlySpan<double> beta, ReadOnlySpan<double> lambda, Span<double> b, Span<double> mean)
        {
            int r = _r;
            double q = 0;
            for (int a = 0; a < r; a++)
            {
                double lambdaF = 0;
                for (int c = 0; c < r; c++)
                {
                    lambdaF += lambda[a * r + c] * f[c];
                }

                b[a] = beta[a] - lambdaF;
                q += f[a] * (lambdaF - 2 * beta[a]);
            }

            for (int a = 0; a < r; a++)
            {
                double sum = 0;
                for (int c = 0; c < r; c++)
                {
                    sum += SigmaQ[a * r + c] * b[c];
                }

                mean[a] = f[a] + sum;
                q -= b[a] * sum;
            }

            return q;
        }

        /// <summary>Reverse of <see cref="Set"/>: from ḡLq, ḡΣq, ḡc0 to ḡΛ and ḡLp.</summary>
        public void Backward(Span<double> auxiliary, Span<double> gLambda, Span<double> gLp)
        {
            int r = _r;
            Span<double> gLq = auxiliary.Slice(Offset, r * r);
            Span<double> gSigmaQ = auxiliary.Slice(Offset + r * r, r * r);
            double gC0 = auxiliary[Offset + 2 * r * r];

            // Lq = chol Σq
            SmallMatrix.CholeskyBackward(Lq, gLq, r, gSigmaQ);

            // c0 ∋ +½ ln det Σq:  ḡΣq += ½ ḡc0 Σq⁻¹ (= P)
            for (int i = 0; i < r * r; i++)
            {
                gSigmaQ[i] += 0.5 * gC0 * _precision[i];
            }

            // Σq = P⁻¹:  ḡP = −Σq ḡΣq Σq
            Span<double> gP = stackalloc double[r * r];
            SmallMatrix.Multiply3(SigmaQ, gSigmaQ, SigmaQ, r, _scratch, gP);
            for (int i = 0; i < r * r; i++)
            {
                gP[i] = -gP[i];
                gLambda[i] += gP[i];
            }

            // P = Σ⁻¹ + Λ:  ḡΣ = −Σ⁻¹ ḡP Σ⁻¹;  c0 ∋ −½ ln det Σ:  ḡΣ −= ½ ḡc0 Σ⁻¹
            Span<double> gPrior = stackalloc double[r * r];
            SmallMatrix.Multiply3(_priorInverse, gP, _priorInverse, r, _scratch, gPrior);
            for (int i = 0; i < r * r; i++)
            {
                gPrior[i] = -gPrior[i] - 0.5 * gC0 * _priorInverse[i];
            }

            // Σ = Lp Lpᵀ:  ḡLp += (ḡΣ + ḡΣᵀ) Lp
            for (int i = 0; i < r; i++)
            {
                for (int j = 0; j < r; j++)
                {
                    double sum = 0;
                    for (int k = 0; k < r; k++)
                    {
                        sum += (gPrior[i * r + k] + gPrior[k * r + i]) * _lp[k * r + j];
                    }

                    gLp[i * r + j] += sum;
                }
            }
        }
    }
}
