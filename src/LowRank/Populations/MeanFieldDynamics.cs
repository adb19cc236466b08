using LowRank.Data;
using LowRank.Numerics;
using LowRank.RateNetworks;
using static LowRank.InputException;

namespace LowRank.Populations;

/// <summary>A reduced (mean-field) trajectory: κ_0 … κ_T [T + 1, R] and the readout o_0 … o_{T−1} [T, O].</summary>
public sealed record ReducedTrajectory(double[] Kappa, float[] Outputs);

/// <summary>
/// Mean-field reduction of a LINT rate network whose per-unit loadings ℓ_i are drawn from a Gaussian
/// mixture (N → ∞), for φ = tanh.
/// </summary>
/// <remarks>
/// Dimension legend: P populations, D loadings, R rank, U inputs, O outputs, T steps.
/// With x_0 = x0 and no state noise, x_t = M κ_t + W_inᵀ v_t + x0 (1 − α)^t exactly, where
/// <code>
/// κ_{t+1} = (1 − α) κ_t + α κ̃_t,     κ̃_t = Ñᵀ φ(x_t + b) / N
/// v_{t+1} = (1 − α) v_t + α u_t       (low-pass filtered inputs, v_0 = 0)
/// </code>
/// Unit i's pre-activation is linear in its loadings, a_i = ℓ_iᵀ c_t with c_t[m_r] = κ_r, c_t[w_in,c] = v_c,
/// c_t[b] = 1, c_t[x0] = (1 − α)^t and 0 elsewhere. In population p, a ~ N(μ_a, Δ²) with μ_a = μ_pᵀ c and
/// Δ² = cᵀ Σ_p c, and Stein's lemma gives E_p[ñ_r φ(a)] = μ_p[ñ_r] ⟨φ⟩_p + (Σ_p c)[ñ_r] ⟨φ'⟩_p, so as N → ∞
/// <code>
/// κ̃_r = Σ_p π_p ( μ_p[ñ_r] ⟨φ⟩_p + (σ^p_{ñ_r m} κ + σ^p_{ñ_r w} v + σ^p_{ñ_r b} + σ^p_{ñ_r x0} (1 − α)^t) ⟨φ'⟩_p )
/// ⟨φ⟩_p = E[φ(μ_a + Δ ξ)],   ⟨φ'⟩_p = E[φ'(μ_a + Δ ξ)],   ξ ~ N(0, 1)   (Gauss–Hermite quadrature)
/// </code>
/// In continuous time (α → 0, time in units of τ) with zero-mean loadings and no bias this is
/// κ̇ = −κ + Σ_p π_p ⟨φ'⟩_p (σ^p_{nm} κ + σ^p_{nw} v). The readout o_t = ψ(x_{t+1}) W_out / N reduces the same
/// way, with c_{t+1} without the bias entry (ψ reads x, not x + b).
/// </remarks>
public static class MeanFieldDynamics
{
    /// <summary>Quadrature order used by default (exact for polynomials of degree ≤ 199; tanh moments to ~1e-6 for Δ ≤ 3).</summary>
    public const int DefaultOrder = 100;

    /// <summary>Simulates the reduced system on one trial.</summary>
    public static ReducedTrajectory Simulate(PopulationModel populations, Trial trial, GaussHermite rule)
    {
        ArgumentNullException.ThrowIfNull(populations);
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(rule);
        LintSourceNetwork network = RequireLint(populations);
        if (trial.Inputs != network.Inputs)
        {
            throw new ArgumentException($"the trial has {trial.Inputs} inputs, the populations' network {network.Inputs}.", nameof(trial));
        }

        string[] names = populations.LoadingNames;
        int dimension = names.Length;
        int rank = network.Rank;
        int inputs = network.Inputs;
        int outputs = network.Outputs;
        int[] mIndex = Indices(names, "m", rank);
        int[] nIndex = Indices(names, "n", rank);
        int[] wIndex = Indices(names, "w_in", inputs);
        int[] outIndex = Indices(names, "w_out", outputs);
        int bIndex = Array.IndexOf(names, "b");
        int x0Index = Array.IndexOf(names, "x0");
        GaussianMixture mixture = populations.ToMixture();
        double alpha = network.Alpha;
        int steps = trial.Steps;

        var kappa = new double[(steps + 1) * rank];
        var outputsValues = new float[steps * outputs];
        var state = new double[rank];
        var filtered = new double[inputs];
        var c = new double[dimension];
        var sigmaC = new double[dimension];
        var drive = new double[rank];
        double decay = 1;
        for (int t = 0; t < steps; t++)
        {
            // κ̃_t from c_t (with bias)
            Coefficients(c, mIndex, wIndex, bIndex, x0Index, state, filtered, decay, includeBias: true);
            Array.Clear(drive);
            for (int p = 0; p < mixture.Components; p++)
            {
                (double meanPhi, double gain) = Moments(mixture, p, c, sigmaC, rule);
                for (int r = 0; r < rank; r++)
                {
                    drive[r] += mixture.Weights[p] * (mixture.Means[p][nIndex[r]] * meanPhi + sigmaC[nIndex[r]] * gain);
                }
            }

            // κ_{t+1}, v_{t+1}, (1 − α)^{t+1}
            for (int r = 0; r < rank; r++)
            {
                state[r] = (1 - alpha) * state[r] + alpha * drive[r];
                kappa[(t + 1) * rank + r] = state[r];
            }

            for (int k = 0; k < inputs; k++)
            {
                filtered[k] = (1 - alpha) * filtered[k] + alpha * trial.InputValues[t * inputs + k];
            }

            decay *= 1 - alpha;

            // o_t = E[ψ(x_{t+1}) w_out]
            Coefficients(c, mIndex, wIndex, bIndex, x0Index, state, filtered, decay, includeBias: false);
            for (int o = 0; o < outputs; o++)
            {
                double sum = 0;
                for (int p = 0; p < mixture.Components; p++)
                {
                    if (network.Readout == ReadoutKind.Tanh)
                    {
                        (double meanPsi, double gain) = Moments(mixture, p, c, sigmaC, rule);
                        sum += mixture.Weights[p] * (mixture.Means[p][outIndex[o]] * meanPsi + sigmaC[outIndex[o]] * gain);
                    }
                    else
                    {
                        double meanA = Dot(mixture.Means[p], c);
                        Covariance(mixture, p, c, sigmaC);
                        sum += mixture.Weights[p] * (mixture.Means[p][outIndex[o]] * meanA + sigmaC[outIndex[o]]);
                    }
                }

                outputsValues[t * outputs + o] = (float)sum;
            }
        }

        return new ReducedTrajectory(kappa, outputsValues);
    }

    /// <summary>
    /// κ_0 … κ_T [T + 1, R] of a noise-free run of <paramref name="network"/> on each trial: the least-squares
    /// coefficients of x_t on the columns [M | W_inᵀ | x0] (x0 only when non-zero), first R of them.
    /// </summary>
    public static double[][] NetworkKappa(RateNetwork network, IReadOnlyList<Trial> trials, int threads)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(trials);
        RateNetworkSpec spec = network.Spec;
        if (spec.IsFullRank)
        {
            throw new ArgumentException("κ needs a low-rank network.", nameof(network));
        }

        int n = spec.Units;
        int rank = spec.Rank;
        RateNetworkLayout layout = network.Layout;
        var columns = new List<double[]>();
        for (int r = 0; r < rank; r++)
        {
            columns.Add(layout.M.Of<double>(network.Theta).Slice(r * n, n).ToArray());
        }

        for (int k = 0; k < spec.Inputs; k++)
        {
            columns.Add(layout.InputWeights.Of<double>(network.Theta).Slice(k * n, n).ToArray());
        }

        double[] initial = layout.InitialState.Of<double>(network.Theta).ToArray();
        if (initial.Any(v => v != 0))
        {
            columns.Add(initial);
        }

        int basis = columns.Count;
        var gram = new double[basis * basis];
        for (int a = 0; a < basis; a++)
        {
            for (int b = 0; b < basis; b++)
            {
                gram[a * basis + b] = Dot(columns[a], columns[b]);
            }
        }

        double[] inverse = SmallMatrix.InverseSymmetricPositiveDefinite(gram, basis);
        RateNetwork quiet = network.WithSpec(spec with { NoiseStd = 0 });
        var result = new double[trials.Count][];
        RateNetworkRunner.Run(quiet.Layout, quiet.Theta, trials, [], 0, 0, threads, (i, workspace) =>
        {
            int steps = trials[i].Steps + 1;
            var kappa = new double[steps * rank];
            var projections = new double[basis];
            for (int t = 0; t < steps; t++)
            {
                ReadOnlySpan<float> x = workspace.States.AsSpan(t * n, n);
                for (int a = 0; a < basis; a++)
                {
                    double sum = 0;
                    double[] column = columns[a];
                    for (int k = 0; k < n; k++)
                    {
                        sum += column[k] * x[k];
                    }

                    projections[a] = sum;
                }

                for (int r = 0; r < rank; r++)
                {
                    double sum = 0;
                    for (int a = 0; a < basis; a++)
                    {
                        sum += inverse[r * basis + a] * projections[a];
                    }

                    kappa[t * rank + r] = sum;
                }
            }

            result[i] = kappa;
        });
        return result;
    }

    /// <summary>√(Σ (κ_reduced − κ_network)²) / √(Σ κ_network²) over all trials, steps and latent dimensions.</summary>
    public static double RelativeRms(IReadOnlyList<double[]> reduced, IReadOnlyList<double[]> network)
    {
        ArgumentNullException.ThrowIfNull(reduced);
        ArgumentNullException.ThrowIfNull(network);
        if (reduced.Count != network.Count)
        {
            throw new ArgumentException($"{reduced.Count} reduced trajectories but {network.Count} network ones.", nameof(network));
        }

        double difference = 0;
        double scale = 0;
        for (int i = 0; i < reduced.Count; i++)
        {
            if (reduced[i].Length != network[i].Length)
            {
                throw new ArgumentException($"trial {i}: lengths {reduced[i].Length} and {network[i].Length} differ.", nameof(network));
            }

            for (int k = 0; k < reduced[i].Length; k++)
            {
                double d = reduced[i][k] - network[i][k];
                difference += d * d;
                scale += network[i][k] * network[i][k];
            }
        }

        return scale > 0 ? Math.Sqrt(difference / scale) : Math.Sqrt(difference);
    }

    internal static LintSourceNetwork RequireLint(PopulationModel populations) =>
        populations.Network ?? throw new InputException(
            $"the populations in '{populations.SourceModel}' come from a {populations.SourceKind} model, which is not a LINT rate network.",
            $"fit populations to a LINT network ('lowrank task train {Ref("Rank")} R' or 'lowrank lint fit') to build or reduce networks.");

    private static (double Mean, double Gain) Moments(GaussianMixture mixture, int p, double[] c, double[] sigmaC, GaussHermite rule)
    {
        double meanA = Dot(mixture.Means[p], c);
        double variance = Covariance(mixture, p, c, sigmaC);
        return rule.TanhMoments(meanA, Math.Sqrt(Math.Max(variance, 0)));
    }

    /// <summary>σC = Σ_p c; returns cᵀ Σ_p c.</summary>
    private static double Covariance(GaussianMixture mixture, int p, double[] c, double[] sigmaC) =>
        QuadraticForm(mixture.Covariances[p], c, sigmaC);

    /// <summary>σC = Σ c for a row-major [D, D] Σ; returns cᵀ Σ c.</summary>
    internal static double QuadraticForm(ReadOnlySpan<double> covariance, ReadOnlySpan<double> c, Span<double> sigmaC)
    {
        int dimension = c.Length;
        double quadratic = 0;
        for (int a = 0; a < dimension; a++)
        {
            double sum = 0;
            for (int b = 0; b < dimension; b++)
            {
                sum += covariance[a * dimension + b] * c[b];
            }

            sigmaC[a] = sum;
            quadratic += c[a] * sum;
        }

        return quadratic;
    }

    private static void Coefficients(double[] c, int[] mIndex, int[] wIndex, int bIndex, int x0Index, double[] kappa, double[] filtered, double decay, bool includeBias)
    {
        Array.Clear(c);
        for (int r = 0; r < mIndex.Length; r++)
        {
            c[mIndex[r]] = kappa[r];
        }

        for (int k = 0; k < wIndex.Length; k++)
        {
            c[wIndex[k]] = filtered[k];
        }

        if (bIndex >= 0 && includeBias)
        {
            c[bIndex] = 1;
        }

        if (x0Index >= 0)
        {
            c[x0Index] = decay;
        }
    }

    private static int[] Indices(string[] names, string prefix, int count)
    {
        var result = new int[count];
        for (int k = 0; k < count; k++)
        {
            result[k] = Array.IndexOf(names, $"{prefix}{k + 1}");
            if (result[k] < 0)
            {
                throw new InputException(
                    $"the populations have no loading '{prefix}{k + 1}' (loadings: {string.Join(", ", names)}).",
                    "rerun 'lowrank populations fit' on the LINT network.");
            }
        }

        return result;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
