using System.Numerics;
using System.Runtime.CompilerServices;
using LowRank.Encoders;
using LowRank.Model;
using LowRank.Numerics;

namespace LowRank.Smc;

/// <summary>
/// The learned proposal (docs/vsmc.md, "Encoder proposal"): a convolutional encoder maps the sequence's observations to
/// a Gaussian N(e_t, S_t), S_t = diag exp(l_t), per step, and the proposal is its normalised product with the prior
/// N(f, Σ) (Σ = Σ0 at t = 0, Σz after).
/// </summary>
/// <remarks>
/// With A = Σ⁻¹, B_t = S_t⁻¹ = diag exp(−l_t) (l clamped to the variance bounds), P_t = A + B_t:
/// <code>
/// Σq = P⁻¹,  Lq = chol Σq
/// μq = f + Σq B (e − f)                         // = Σq (A f + B e)
/// z  = μq + Lq ε
/// log w = log p(y_t | z) − ½ (z − f)ᵀA(z − f) + ½ εᵀε + c_t,   c_t = ½ ln det A − ½ ln det P_t
/// </code>
/// (the last three terms are log N(z; f, Σ) − log N(z; μq, Σq), since z − μq = Lq ε). Every per-step matrix is R×R;
/// per particle the work is O(R²) plus the likelihood. The encoder runs once per sequence before the filter, and its
/// reverse pass once after the filter's (<see cref="Begin"/>, <see cref="End"/>).
/// </remarks>
internal sealed class EncoderProposal<TReal> : IProposal<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    private readonly IObservationModel<TReal> _observation;
    private readonly EncoderOptions _options;
    private readonly ConvEncoder<TReal> _encoder;
    private readonly int _rank;
    private readonly int _channels;
    private readonly Prior _transition;
    private readonly Prior _initial;
    private readonly double[] _encoderTotal;
    private readonly ConvEncoderGradient<TReal> _batchGradient;
    private static readonly double MinLogVariance = Math.Log(ModelOptions.MinVariance), MaxLogVariance = Math.Log(ModelOptions.MaxVariance);
    private ModelView<TReal> _model = null!;

    public EncoderProposal(IObservationModel<TReal> observation, EncoderOptions options, int channels, int rank)
    {
        _observation = observation;
        _options = options;
        _rank = rank;
        _channels = channels;
        _encoder = new ConvEncoder<TReal>(options, channels, rank);
        _transition = new Prior(rank, 0);
        _initial = new Prior(rank, rank * rank);
        _encoderTotal = new double[_encoder.ParameterCount];
        _batchGradient = _encoder.CreateGradient();
    }

    /// <summary>ḡA of the transition prior, then of the initial prior [R,R] each.</summary>
    public int AuxiliaryLength => 2 * _rank * _rank;

    /// <summary>e, l, ḡe, ḡl [T,R] each, then the step constants B, clamp flags [R], Σq, Lq, work [R,R].</summary>
    public int StateLength(int steps) => 4 * steps * _rank + StepScratch;

    private int StepScratch => 2 * _rank + 3 * _rank * _rank;

    public bool Prepare(ModelView<TReal> model)
    {
        _model = model;
        _observation.Prepare(model);
        _encoder.Load(model.EncoderParameters);
        return _transition.Set(model.TransitionCholesky) && _initial.Set(model.InitialCholesky);
    }

    /// <summary>Runs the encoder over the sequence: e_t and l_t for every step.</summary>
    public void Begin(SequenceWorkspace<TReal> sequence)
    {
        int steps = sequence.Steps, r = _rank;
        ConvEncoderWorkspace<TReal> workspace = Workspace(sequence);
        Span<double> state = sequence.ProposalState;
        _encoder.Forward(workspace, sequence.Observations.Span, state[..(steps * r)], state.Slice(steps * r, steps * r));
        state.Slice(2 * steps * r, 2 * steps * r).Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Propose(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> f, ReadOnlySpan<double> eps, Span<double> z, Span<double> logW)
    {
        int r = _rank;
        Prior prior = t == 0 ? _initial : _transition;
        Step step = StepAt(sequence, t, prior);
        Span<double> v = stackalloc double[r];
        Span<double> delta = stackalloc double[r];
        for (int k = 0; k < logW.Length; k++)
        {
            ReadOnlySpan<double> fk = f.Slice(k * r, r);
            ReadOnlySpan<double> ek = eps.Slice(k * r, r);
            Span<double> zk = z.Slice(k * r, r);

            // μq = f + Σq B (e − f);  z = μq + Lq ε
            for (int a = 0; a < r; a++)
            {
                v[a] = step.Precision[a] * (step.Mean[a] - fk[a]);
            }

            for (int a = 0; a < r; a++)
            {
                double sum = fk[a];
                for (int b = 0; b < r; b++)
                {
                    sum += step.SigmaQ[a * r + b] * v[b];
                }

                for (int b = 0; b <= a; b++)
                {
                    sum += step.Lq[a * r + b] * ek[b];
                }

                zk[a] = sum;
                delta[a] = sum - fk[a];
            }

            double quadratic = 0, noise = 0;
            for (int a = 0; a < r; a++)
            {
                double sum = 0;
                for (int b = 0; b < r; b++)
                {
                    sum += prior.Inverse[a * r + b] * delta[b];
                }

                quadratic += delta[a] * sum;
                noise += ek[a] * ek[a];
            }

            logW[k] = step.LogNormaliser - 0.5 * quadratic + 0.5 * noise;
        }

        // log p(y_t | z), added to the prior and proposal terms.
        Span<double> likelihood = sequence.GLogW.AsSpan(0, logW.Length);
        _observation.LogLikelihood(sequence, t, z, likelihood);
        for (int k = 0; k < logW.Length; k++)
        {
            logW[k] += likelihood[k];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ProposeBackward(
        SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> f, ReadOnlySpan<double> eps, ReadOnlySpan<double> z,
        ReadOnlySpan<double> gLogW, Span<double> gz, Span<double> gf)
    {
        int r = _rank, steps = sequence.Steps;
        _observation.LogLikelihoodBackward(sequence, t, z, gLogW, gz);
        Prior prior = t == 0 ? _initial : _transition;
        Step step = StepAt(sequence, t, prior);
        Span<double> gA = sequence.Gradient.Auxiliary.AsSpan(prior.Offset, r * r);
        Span<double> gE = sequence.ProposalState.AsSpan(2 * steps * r + t * r, r);
        Span<double> gL = sequence.ProposalState.AsSpan(3 * steps * r + t * r, r);
        Span<double> gSigmaQ = stackalloc double[r * r];
        Span<double> gLq = stackalloc double[r * r];
        Span<double> gB = stackalloc double[r];
        Span<double> v = stackalloc double[r];
        Span<double> delta = stackalloc double[r];
        Span<double> u = stackalloc double[r];
        Span<double> g2 = stackalloc double[r];
        gSigmaQ.Clear();
        gLq.Clear();
        gB.Clear();
        double gC = 0;
        for (int k = 0; k < gLogW.Length; k++)
        {
            ReadOnlySpan<double> fk = f.Slice(k * r, r);
            ReadOnlySpan<double> ek = eps.Slice(k * r, r);
            ReadOnlySpan<double> zk = z.Slice(k * r, r);
            Span<double> gzk = gz.Slice(k * r, r);
            Span<double> gfk = gf.Slice(k * r, r);
            double gw = gLogW[k];
            gC += gw;
            for (int a = 0; a < r; a++)
            {
                delta[a] = zk[a] - fk[a];
                v[a] = step.Precision[a] * (step.Mean[a] - fk[a]);
            }

            // −½ δᵀAδ, δ = z − f:  ḡz −= ḡw Aδ;  ḡf += ḡw Aδ;  ḡA −= ½ ḡw δδᵀ
            for (int a = 0; a < r; a++)
            {
                double sum = 0;
                for (int b = 0; b < r; b++)
                {
                    sum += prior.Inverse[a * r + b] * delta[b];
                    gA[a * r + b] -= 0.5 * gw * delta[a] * delta[b];
                }

                u[a] = gw * sum;
            }

            // z = μq + Lq ε:  ḡμ = ḡz (after the prior term);  ḡLq += ḡμ εᵀ
            for (int a = 0; a < r; a++)
            {
                gzk[a] -= u[a];
                for (int b = 0; b <= a; b++)
                {
                    gLq[a * r + b] += gzk[a] * ek[b];
                }
            }

            // μq = f + Σq v, v = B (e − f):  g2 = Σq ḡμ;  ḡΣq += ḡμ vᵀ;  ḡv = g2;  ḡf += ḡμ − B g2;  ḡe += B g2;  ḡB += g2 ⊙ (e − f)
            for (int a = 0; a < r; a++)
            {
                double sum = 0;
                for (int b = 0; b < r; b++)
                {
                    sum += step.SigmaQ[a * r + b] * gzk[b];
                    gSigmaQ[a * r + b] += gzk[a] * v[b];
                }

                g2[a] = sum;
            }

            for (int a = 0; a < r; a++)
            {
                double bg2 = step.Precision[a] * g2[a];
                gfk[a] = u[a] + gzk[a] - bg2;
                gE[a] += bg2;
                gB[a] += g2[a] * (step.Mean[a] - fk[a]);
            }
        }

        // Lq = chol Σq;  c = ½ ln det A − ½ ln det P:  ḡA += ½ ḡc Σ,  ḡP −= ½ ḡc Σq;  Σq = P⁻¹: ḡP −= Σq ḡΣq Σq;  P = A + B
        SmallMatrix.CholeskyBackward(step.Lq, gLq, r, gSigmaQ);
        Span<double> gP = stackalloc double[r * r];
        Span<double> scratch = stackalloc double[r * r];
        SmallMatrix.Multiply3(step.SigmaQ, gSigmaQ, step.SigmaQ, r, scratch, gP);
        for (int i = 0; i < r * r; i++)
        {
            gP[i] = -gP[i] - 0.5 * gC * step.SigmaQ[i];
            gA[i] += gP[i] + 0.5 * gC * prior.Covariance[i];
        }

        // B = exp(−l), l clamped:  ḡl = −ḡB ⊙ B inside the clamp
        for (int a = 0; a < r; a++)
        {
            double gBa = gB[a] + gP[a * r + a];
            gL[a] += step.Clamped[a] ? 0 : -gBa * step.Precision[a];
        }
    }

    /// <summary>The encoder's reverse pass for the ḡe, ḡl the filter's reverse pass left.</summary>
    public void End(SequenceWorkspace<TReal> sequence)
    {
        int steps = sequence.Steps, r = _rank;
        ConvEncoderWorkspace<TReal> workspace = Workspace(sequence);
        workspace.Clear();
        ReadOnlySpan<double> state = sequence.ProposalState;
        _encoder.Backward(workspace, state.Slice(2 * steps * r, steps * r), state.Slice(3 * steps * r, steps * r));
    }

    public void Finish(ModelView<TReal> model, GradientBuffer<TReal> total) => Finish(model, total, []);

    /// <summary>ḡA → ḡLp for both priors (A = Σ⁻¹: ḡΣ = −A ḡA A; Σ = Lp Lpᵀ: ḡLp += (ḡΣ + ḡΣᵀ) Lp); the sequences' encoder gradients, summed in order.</summary>
    public void Finish(ModelView<TReal> model, GradientBuffer<TReal> total, ReadOnlySpan<SequenceWorkspace<TReal>> sequences)
    {
        _transition.Backward(total.Auxiliary, total.TransitionCholesky);
        _initial.Backward(total.Auxiliary, total.InitialCholesky);
        // Summed in sequence order in TReal (as GradientBuffer.Add does), then reordered into θ's layout once.
        Array.Clear(_encoderTotal);
        _batchGradient.Clear();
        foreach (SequenceWorkspace<TReal> sequence in sequences)
        {
            _batchGradient.Add(Workspace(sequence).Gradient);
        }

        _encoder.AddGradient(_batchGradient, _encoderTotal);
    }

    public void WriteGradient(double scale, Span<double> gradient)
    {
        Span<double> target = gradient.Slice(_model.EncoderOffset, _encoderTotal.Length);
        for (int i = 0; i < target.Length; i++)
        {
            target[i] = scale * _encoderTotal[i];
        }
    }

    private ConvEncoderWorkspace<TReal> Workspace(SequenceWorkspace<TReal> sequence) =>
        sequence.ProposalScratch as ConvEncoderWorkspace<TReal>
        ?? (ConvEncoderWorkspace<TReal>)(sequence.ProposalScratch = _encoder.CreateWorkspace(sequence.Steps));

    /// <summary>The constants of step t: the encoder's e_t and B_t, Σq, Lq and c_t (in the sequence's scratch).</summary>
    private Step StepAt(SequenceWorkspace<TReal> sequence, int t, Prior prior)
    {
        int r = _rank, steps = sequence.Steps;
        Span<double> scratch = sequence.ProposalState.AsSpan(4 * steps * r, StepScratch);
        ReadOnlySpan<double> mean = sequence.ProposalState.AsSpan(t * r, r);
        ReadOnlySpan<double> logVariance = sequence.ProposalState.AsSpan(steps * r + t * r, r);
        Span<double> precision = scratch[..r];
        Span<double> clamped = scratch.Slice(r, r);
        Span<double> sigmaQ = scratch.Slice(2 * r, r * r);
        Span<double> lq = scratch.Slice(2 * r + r * r, r * r);
        Span<double> work = scratch.Slice(2 * r + 2 * r * r, r * r);
        Span<double> p = stackalloc double[r * r];
        prior.Inverse.CopyTo(p);
        for (int a = 0; a < r; a++)
        {
            double l = logVariance[a];
            bool outside = !(l > MinLogVariance && l < MaxLogVariance);
            clamped[a] = outside ? 1 : 0;
            precision[a] = Math.Exp(-Math.Clamp(l, MinLogVariance, MaxLogVariance));
            p[a * r + a] += precision[a];
        }

        // Σq = P⁻¹ = L⁻ᵀL⁻¹ (exactly symmetric), Lq = chol Σq;  c = ½ ln det A − ½ ln det P
        bool valid = SmallMatrix.TryCholesky(p, r, work);
        double logDetP = valid ? 2 * SmallMatrix.LogDiagonalSum(work, r) : double.NaN;
        Span<double> inverse = stackalloc double[r * r];
        SmallMatrix.InverseLower(work, r, inverse);
        SmallMatrix.TransposeTimesSelf(inverse, r, sigmaQ);
        if (!SmallMatrix.TryCholesky(sigmaQ, r, lq))
        {
            lq.Fill(double.NaN);
        }

        return new Step(mean, precision, clamped, sigmaQ, lq, 0.5 * (prior.LogDetInverse - logDetP));
    }

    private readonly ref struct Step(ReadOnlySpan<double> mean, ReadOnlySpan<double> precision, ReadOnlySpan<double> clamped, ReadOnlySpan<double> sigmaQ, ReadOnlySpan<double> lq, double logNormaliser)
    {
        /// <summary>e_t [R].</summary>
        public ReadOnlySpan<double> Mean { get; } = mean;

        /// <summary>B_t = exp(−l_t) [R].</summary>
        public ReadOnlySpan<double> Precision { get; } = precision;

        private readonly ReadOnlySpan<double> _clamped = clamped;

        /// <summary>Whether l_t,a lies outside the variance bounds (no gradient).</summary>
        public ClampedView Clamped => new(_clamped);

        public ReadOnlySpan<double> SigmaQ { get; } = sigmaQ;

        public ReadOnlySpan<double> Lq { get; } = lq;

        /// <summary>c_t = ½ ln det A − ½ ln det P_t.</summary>
        public double LogNormaliser { get; } = logNormaliser;
    }

    private readonly ref struct ClampedView(ReadOnlySpan<double> flags)
    {
        private readonly ReadOnlySpan<double> _flags = flags;

        public bool this[int a] => _flags[a] != 0;
    }

    /// <summary>A = Σ⁻¹ of one prior and the reverse of A(Lp).</summary>
    private sealed class Prior(int rank, int offset)
    {
        private readonly double[] _lp = new double[rank * rank];
        private readonly double[] _scratch = new double[rank * rank];

        /// <summary>Offset of ḡA in the auxiliary gradient.</summary>
        public int Offset { get; } = offset;

        /// <summary>A = Σ⁻¹ [R,R].</summary>
        public double[] Inverse { get; } = new double[rank * rank];

        /// <summary>Σ [R,R].</summary>
        public double[] Covariance { get; } = new double[rank * rank];

        /// <summary>ln det A = −ln det Σ.</summary>
        public double LogDetInverse { get; private set; }

        public bool Set(ReadOnlySpan<double> lp)
        {
            int r = rank;
            lp.CopyTo(_lp);
            SmallMatrix.InverseLower(lp, r, _scratch);
            SmallMatrix.TransposeTimesSelf(_scratch, r, Inverse);
            SmallMatrix.MultiplyTransposed(lp, lp, r, r, r, Covariance);
            LogDetInverse = -2 * SmallMatrix.LogDiagonalSum(lp, r);
            return double.IsFinite(LogDetInverse);
        }

        public void Backward(ReadOnlySpan<double> auxiliary, Span<double> gLp)
        {
            int r = rank;
            ReadOnlySpan<double> gA = auxiliary.Slice(Offset, r * r);
            Span<double> gSigma = stackalloc double[r * r];
            Span<double> scratch = stackalloc double[r * r];
            SmallMatrix.Multiply3(Inverse, gA, Inverse, r, scratch, gSigma);
            for (int i = 0; i < r; i++)
            {
                for (int j = 0; j < r; j++)
                {
                    double sum = 0;
                    for (int k = 0; k < r; k++)
                    {
                        sum -= (gSigma[i * r + k] + gSigma[k * r + i]) * _lp[k * r + j];
                    }

                    gLp[i * r + j] += sum;
                }
            }
        }
    }
}
