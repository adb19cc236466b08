using LowRank.Data;
using LowRank.RateNetworks;
using LowRank.Training;

namespace LowRank.Populations;

/// <summary>
/// The task loss of the mean-field (N → ∞) network whose loadings are the Gaussian mixture φ of
/// <see cref="MixtureParameters"/>, and its exact gradient in φ: training through it shapes the populations
/// themselves, not one finite draw of them.
/// </summary>
/// <remarks>
/// Dimension legend: P populations, D loadings (m1…mR, n1…nR, w_in1…w_inU, w_out1…w_outO), R rank, U inputs,
/// O outputs, T steps. The forward pass is <see cref="MeanFieldDynamics.Simulate"/> for networks without bias or
/// initial state (κ_0 = 0, v_0 = 0); input noise is shared by all units, so it stays in the reduced system, while
/// the units' own state noise averages out. With c_t the coefficient vector (c[m_r] = κ_r, c[w_in,k] = v_k, 0 elsewhere),
/// per population p
/// <code>
/// a_p = μ_pᵀ c,   s_p = Σ_p c,   Δ_p = √(cᵀ Σ_p c),   E0_p = ⟨φ⟩(a_p, Δ_p),   E1_p = ⟨φ'⟩(a_p, Δ_p)
/// Q_j(c) = Σ_p π_p (μ_p[j] E0_p + s_p[j] E1_p)                      (Stein: E_p[ℓ_j φ(ℓᵀc)])
/// κ_{t+1} = (1 − α) κ_t + α Q_{n_r}(c_t),   v_{t+1} = (1 − α) v_t + α u_t,   o_t = Q_{w_out}(c_{t+1})
/// L = scale Σ_t mask_t Σ_o (o_t − y_t)²
/// </code>
/// Backward (g_j = ∂L/∂Q_j at one step; G_p = ∂L/∂Σ_p taken entry-wise):
/// <code>
/// ∂μ_p[j] += π_p g_j E0_p,   ∂E0_p = π_p Σ_j g_j μ_p[j],   ∂E1_p = π_p Σ_j g_j s_p[j]
/// s_p[j] = Σ_b Σ_p[j, b] c_b:   G_p[j, b] += π_p g_j E1_p c_b,   ∂c_b += π_p g_j E1_p Σ_p[j, b]
/// ∂a_p = ∂E0_p ∂E0/∂μ + ∂E1_p ∂E1/∂μ:   ∂μ_p += ∂a_p c,   ∂c += ∂a_p μ_p
/// ∂Δ_p = ∂E0_p ∂E0/∂Δ + ∂E1_p ∂E1/∂Δ, Δ = √(cᵀΣc):   G_p += ∂Δ_p c cᵀ / (2Δ),   ∂c += ∂Δ_p s_p / Δ
/// ∂κ_t = (1 − α) ∂κ_{t+1} + ∂c_t[m]  (drive, g = α ∂κ_{t+1}),   ∂κ_{t+1} += ∂c_{t+1}[m]  (readout, g_o = 2 scale mask_t (o_t − y_t))
/// </code>
/// and <see cref="ChainToPhi"/> maps (∂μ_p, G_p) to φ through Σ_p = L_p L_pᵀ: ∂L_p = (G_p + G_pᵀ) L_p, with the
/// diagonal times L_p[a, a] for its log. The moments and their slopes come from <see cref="GaussHermite.TanhMomentsWithSlopes"/>,
/// exact derivatives of the discretised integrals.
/// </remarks>
public sealed class MeanFieldObjective : IDifferentiableObjective<TrialBatch>
{
    private readonly IReadOnlyList<Trial> _trials;
    private readonly ParallelOptions _parallel;
    private readonly double[][] _means;
    private readonly double[][] _covariances;
    private readonly double[][] _factors;
    private readonly int[] _m;
    private readonly int[] _n;
    private readonly int[] _out;
    private readonly int[] _in;

    /// <param name="mixture">The layout of φ.</param>
    /// <param name="rule">Quadrature of the population moments.</param>
    /// <param name="trials">Training trials that <see cref="Evaluate"/> batches index into (none: the objective only scores given trials).</param>
    /// <param name="threads">Worker threads of <see cref="Evaluate"/> (results do not depend on it).</param>
    public MeanFieldObjective(MixtureParameters mixture, GaussHermite rule, IReadOnlyList<Trial>? trials = null, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        ArgumentNullException.ThrowIfNull(rule);
        Mixture = mixture;
        Rule = rule;
        _trials = trials ?? [];
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        RateNetworkSpec spec = mixture.Network.Spec;
        int rank = spec.Rank;
        _m = Enumerable.Range(0, rank).ToArray();
        _n = Enumerable.Range(rank, rank).ToArray();
        _in = Enumerable.Range(2 * rank, spec.Inputs).ToArray();
        _out = Enumerable.Range(2 * rank + spec.Inputs, spec.Outputs).ToArray();
        _means = new double[mixture.Components][];
        _covariances = new double[mixture.Components][];
        _factors = new double[mixture.Components][];
    }

    public MixtureParameters Mixture { get; }

    public GaussHermite Rule { get; }

    /// <summary>Length of φ.</summary>
    public int ParameterCount => Mixture.Length;

    /// <summary>Length of the gradient buffers of <see cref="Gradient"/>: P·D means then P·D·D covariance entries.</summary>
    public int GradientLength => Mixture.Components * Mixture.Dimension * (1 + Mixture.Dimension);

    /// <summary>
    /// The masked mean squared error of the batch's training trials at φ, and ∂L/∂φ: trials in parallel, their
    /// (∂μ, ∂Σ) summed in batch order, then chained to φ (<see cref="ChainToPhi"/>).
    /// </summary>
    public double Evaluate(ReadOnlySpan<double> phi, TrialBatch batch, Span<double> gPhi)
    {
        Prepare(phi);
        ReadOnlyMemory<int> trials = batch.Trials;
        int count = trials.Length;
        double scale = BpttObjective.LossScale(_trials, trials.Span);
        var gradients = new double[count][];
        var losses = new double[count];
        Parallel.For(0, count, _parallel, k =>
        {
            gradients[k] = new double[GradientLength];
            losses[k] = Gradient(_trials[trials.Span[k]], scale, gradients[k]);
        });
        var total = new double[GradientLength];
        for (int k = 0; k < count; k++)
        {
            for (int i = 0; i < total.Length; i++)
            {
                total[i] += gradients[k][i];
            }
        }

        ChainToPhi(total, gPhi);
        return losses.Sum();
    }

    /// <summary>Sets μ_p, L_p and Σ_p = L_p L_pᵀ from φ; call before <see cref="Loss"/> and <see cref="Gradient"/>.</summary>
    public void Prepare(ReadOnlySpan<double> phi)
    {
        if (phi.Length != Mixture.Length)
        {
            throw new ArgumentException($"φ has length {phi.Length}, expected {Mixture.Length}.", nameof(phi));
        }

        for (int p = 0; p < Mixture.Components; p++)
        {
            _means[p] = Mixture.MeanOf(phi, p);
            _factors[p] = Mixture.FactorOf(phi, p);
            _covariances[p] = [.. Mixture.CovarianceOf(phi, p).SelectMany(row => row)];
        }
    }

    /// <summary>The trial's loss times <paramref name="scale"/>; fills <paramref name="outputs"/> [T, O] when given.</summary>
    public double Loss(Trial trial, double scale, Span<double> outputs = default)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var path = new Path(this, trial);
        Forward(trial, path);
        if (!outputs.IsEmpty)
        {
            path.Outputs.CopyTo(outputs);
        }

        return scale * path.Loss;
    }

    /// <summary>
    /// The trial's loss times <paramref name="scale"/>, and adds its gradient to <paramref name="gradient"/>
    /// [<see cref="GradientLength"/>]: ∂/∂μ_p then ∂/∂Σ_p (entry-wise, [D, D] per population).
    /// </summary>
    public double Gradient(Trial trial, double scale, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (gradient.Length != GradientLength)
        {
            throw new ArgumentException($"gradient has length {gradient.Length}, expected {GradientLength}.", nameof(gradient));
        }

        var path = new Path(this, trial);
        Forward(trial, path);
        int rank = _m.Length;
        int outputs = _out.Length;
        int dimension = Mixture.Dimension;
        var gKappa = new double[rank];
        var gc = new double[dimension];
        var c = new double[dimension];
        var g = new double[Math.Max(rank, outputs)];
        double alpha = Mixture.Network.Spec.Alpha;
        for (int t = trial.Steps - 1; t >= 0; t--)
        {
            float weight = trial.Mask[t];
            if (weight != 0)
            {
                for (int o = 0; o < outputs; o++)
                {
                    g[o] = 2 * scale * weight * (path.Outputs[t * outputs + o] - trial.Targets[t * outputs + o]);
                }

                path.Coefficients(t + 1, c);
                Array.Clear(gc);
                BackwardReadout(c, _out, g.AsSpan(0, outputs), gradient, gc);
                for (int r = 0; r < rank; r++)
                {
                    gKappa[r] += gc[_m[r]];
                }
            }

            for (int r = 0; r < rank; r++)
            {
                g[r] = alpha * gKappa[r];
            }

            path.Coefficients(t, c);
            Array.Clear(gc);
            BackwardReadout(c, _n, g.AsSpan(0, rank), gradient, gc);
            for (int r = 0; r < rank; r++)
            {
                gKappa[r] = (1 - alpha) * gKappa[r] + gc[_m[r]];
            }
        }

        return scale * path.Loss;
    }

    /// <summary>Maps the accumulated (∂μ_p, ∂Σ_p) of <see cref="Gradient"/> to ∂L/∂φ (overwrites <paramref name="gPhi"/>); needs the φ of <see cref="Prepare"/>.</summary>
    public void ChainToPhi(ReadOnlySpan<double> gradient, Span<double> gPhi)
    {
        if (gradient.Length != GradientLength || gPhi.Length != Mixture.Length)
        {
            throw new ArgumentException($"expected gradient [{GradientLength}] and gPhi [{Mixture.Length}], got {gradient.Length} and {gPhi.Length}.");
        }

        int dimension = Mixture.Dimension;
        int covarianceOffset = Mixture.Components * dimension;
        for (int p = 0; p < Mixture.Components; p++)
        {
            ReadOnlySpan<double> gSigma = gradient.Slice(covarianceOffset + p * dimension * dimension, dimension * dimension);
            double[] factor = _factors[p];
            for (int a = 0; a < dimension; a++)
            {
                gPhi[Mixture.Mean(p, a)] = gradient[p * dimension + a];
                for (int b = 0; b <= a; b++)
                {
                    // ∂L/∂L[a, b] = Σ_k (G[a, k] + G[k, a]) L[k, b]
                    double sum = 0;
                    for (int k = b; k < dimension; k++)
                    {
                        sum += (gSigma[a * dimension + k] + gSigma[k * dimension + a]) * factor[k * dimension + b];
                    }

                    gPhi[Mixture.Factor(p, a, b)] = b == a ? sum * factor[a * dimension + a] : sum;
                }
            }
        }
    }

    /// <summary>Whether the mean-field output answers the trial correctly (sign of the masked mean, as <see cref="Tasks.CognitiveTask.IsCorrect"/>).</summary>
    public bool IsCorrect(Trial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var path = new Path(this, trial);
        Forward(trial, path);
        var outputs = new float[path.Outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
        {
            outputs[i] = (float)path.Outputs[i];
        }

        return Tasks.CognitiveTask.IsCorrect(trial, outputs);
    }

    private void Forward(Trial trial, Path path)
    {
        int rank = _m.Length;
        int inputs = _in.Length;
        int outputs = _out.Length;
        double alpha = Mixture.Network.Spec.Alpha;
        var c = new double[Mixture.Dimension];
        var q = new double[Math.Max(rank, outputs)];
        double loss = 0;
        for (int t = 0; t < trial.Steps; t++)
        {
            path.Coefficients(t, c);
            Readout(c, _n, q);
            for (int r = 0; r < rank; r++)
            {
                path.Kappa[(t + 1) * rank + r] = (1 - alpha) * path.Kappa[t * rank + r] + alpha * q[r];
            }

            for (int k = 0; k < inputs; k++)
            {
                path.Filtered[(t + 1) * inputs + k] = (1 - alpha) * path.Filtered[t * inputs + k] + alpha * trial.InputValues[t * inputs + k];
            }

            path.Coefficients(t + 1, c);
            Readout(c, _out, q);
            for (int o = 0; o < outputs; o++)
            {
                path.Outputs[t * outputs + o] = q[o];
                double error = q[o] - trial.Targets[t * outputs + o];
                loss += trial.Mask[t] * error * error;
            }
        }

        path.Loss = loss;
    }

    /// <summary>q[j] = Q_{indices[j]}(c) = Σ_p π_p (μ_p[j] E0_p + s_p[j] E1_p).</summary>
    private void Readout(ReadOnlySpan<double> c, int[] indices, Span<double> q)
    {
        q[..indices.Length].Clear();
        Span<double> s = stackalloc double[Mixture.Dimension];
        for (int p = 0; p < Mixture.Components; p++)
        {
            TanhMomentSlopes moments = Moments(p, c, s, out _);
            double weight = Mixture.Proportions[p];
            for (int j = 0; j < indices.Length; j++)
            {
                q[j] += weight * (_means[p][indices[j]] * moments.Mean + s[indices[j]] * moments.Gain);
            }
        }
    }

    /// <summary>Adds ∂(Σ_j g_j Q_{indices[j]}(c)) to the (μ, Σ) gradient and to <paramref name="gc"/>.</summary>
    private void BackwardReadout(ReadOnlySpan<double> c, int[] indices, ReadOnlySpan<double> g, Span<double> gradient, Span<double> gc)
    {
        int dimension = Mixture.Dimension;
        int covarianceOffset = Mixture.Components * dimension;
        Span<double> s = stackalloc double[dimension];
        for (int p = 0; p < Mixture.Components; p++)
        {
            TanhMomentSlopes moments = Moments(p, c, s, out double std);
            double weight = Mixture.Proportions[p];
            double[] mean = _means[p];
            double[] covariance = _covariances[p];
            Span<double> gMean = gradient.Slice(p * dimension, dimension);
            Span<double> gSigma = gradient.Slice(covarianceOffset + p * dimension * dimension, dimension * dimension);
            double gE0 = 0;
            double gE1 = 0;
            for (int j = 0; j < indices.Length; j++)
            {
                int row = indices[j];
                double gj = weight * g[j];
                gMean[row] += gj * moments.Mean;
                gE0 += gj * mean[row];
                gE1 += gj * s[row];
                double h = gj * moments.Gain;
                for (int b = 0; b < dimension; b++)
                {
                    gSigma[row * dimension + b] += h * c[b];
                    gc[b] += h * covariance[row * dimension + b];
                }
            }

            double gA = gE0 * moments.MeanByMu + gE1 * moments.GainByMu;
            for (int b = 0; b < dimension; b++)
            {
                gMean[b] += gA * c[b];
                gc[b] += gA * mean[b];
            }

            double gStd = gE0 * moments.MeanByStd + gE1 * moments.GainByStd;
            if (std > 1e-12 && gStd != 0)
            {
                double gVariance = gStd / (2 * std);
                for (int a = 0; a < dimension; a++)
                {
                    if (c[a] == 0)
                    {
                        continue;
                    }

                    for (int b = 0; b < dimension; b++)
                    {
                        gSigma[a * dimension + b] += gVariance * c[a] * c[b];
                    }
                }

                for (int b = 0; b < dimension; b++)
                {
                    gc[b] += 2 * gVariance * s[b];
                }
            }
        }
    }

    /// <summary>s = Σ_p c, Δ = √(cᵀ s) and the moments at (μ_pᵀ c, Δ).</summary>
    private TanhMomentSlopes Moments(int p, ReadOnlySpan<double> c, Span<double> s, out double std)
    {
        double variance = MeanFieldDynamics.QuadraticForm(_covariances[p], c, s);
        double[] mean = _means[p];
        double a = 0;
        for (int i = 0; i < c.Length; i++)
        {
            a += mean[i] * c[i];
        }

        std = Math.Sqrt(Math.Max(variance, 0));
        return Rule.TanhMomentsWithSlopes(a, std);
    }

    /// <summary>κ_0…κ_T [T + 1, R], v_0…v_T [T + 1, U] and o [T, O] of one forward pass.</summary>
    private sealed class Path
    {
        private readonly MeanFieldObjective _owner;

        public Path(MeanFieldObjective owner, Trial trial)
        {
            _owner = owner;
            int rank = owner._m.Length;
            int inputs = owner._in.Length;
            if (trial.Inputs != inputs || trial.Outputs != owner._out.Length)
            {
                throw new ArgumentException($"the trial has {trial.Inputs} inputs and {trial.Outputs} outputs; the mixture's network {inputs} and {owner._out.Length}.", nameof(trial));
            }

            Kappa = new double[(trial.Steps + 1) * rank];
            Filtered = new double[(trial.Steps + 1) * inputs];
            Outputs = new double[trial.Steps * owner._out.Length];
        }

        public double[] Kappa { get; }

        public double[] Filtered { get; }

        public double[] Outputs { get; }

        public double Loss { get; set; }

        public void Coefficients(int t, Span<double> c)
        {
            c.Clear();
            int rank = _owner._m.Length;
            int inputs = _owner._in.Length;
            for (int r = 0; r < rank; r++)
            {
                c[_owner._m[r]] = Kappa[t * rank + r];
            }

            for (int k = 0; k < inputs; k++)
            {
                c[_owner._in[k]] = Filtered[t * inputs + k];
            }
        }
    }
}
