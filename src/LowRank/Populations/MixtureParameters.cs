using System.Numerics;
using LowRank.Numerics;
using LowRank.RateNetworks;

namespace LowRank.Populations;

/// <summary>
/// Layout and maps of φ, the trainable parameters of a network whose loadings <i>are</i> a Gaussian mixture:
/// per population p a mean μ_p [D] and a lower-triangular factor L_p [D, D] with a positive diagonal.
/// </summary>
/// <remarks>
/// Dimension legend: P populations, D loadings per unit (D = 2R + U + O: m1…mR, n1…nR, w_in1…w_inU, w_out1…w_outO),
/// N units.
/// <code>
/// ℓ_i = μ_p(i) + L_p(i) ξ_i,   ξ_i ~ N(0, I_D)                       (unit i's loadings)
/// L_p[a, a] = exp(s_p[a])  (diagonal stored as its log);  L_p[a, b] free for b &lt; a;  L_p[a, b] = 0 for b &gt; a
/// Σ_p = L_p L_pᵀ
/// </code>
/// Population p(i) is fixed: the component whose interval of the cumulative proportions α holds (i + ½)/N (with
/// equal proportions α_p = 1/P the sizes differ by at most 1).
/// φ of population p, in order: μ_p [D], then the rows of L_p's lower triangle (a = 0 … D−1, b = 0 … a), with
/// s_p[a] in place of L_p[a, a]. The loadings fill the first D·N entries of the LINT θ, which hold M [R, N],
/// Ñ [R, N], W_in [U, N] and W_out [O, N] back to back: θ[d·N + i] = ℓ_i[d].
/// </remarks>
public sealed class MixtureParameters
{
    /// <param name="components">P.</param>
    /// <param name="network">The LINT network whose loadings φ describes.</param>
    /// <param name="proportions">α [P] (summing to 1), or null for 1/P each.</param>
    public MixtureParameters(int components, RateNetworkLayout network, double[]? proportions = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        RateNetworkSpec spec = network.Spec;
        if (spec.IsFullRank || components < 1 || components > spec.Units)
        {
            throw new ArgumentException($"need a low-rank network and 1 ≤ P ≤ N; got rank {spec.Rank}, P = {components}, N = {spec.Units}.", nameof(components));
        }

        int dimension = 2 * spec.Rank + spec.Inputs + spec.Outputs;
        if (network.M.Offset != 0 || network.OutputWeights.Offset + network.OutputWeights.Length != dimension * spec.Units)
        {
            throw new ArgumentException("the loadings are not the first D·N entries of θ.", nameof(network));
        }

        Network = network;
        Components = components;
        Dimension = dimension;
        Stride = dimension + dimension * (dimension + 1) / 2;
        Proportions = proportions is null ? Enumerable.Repeat(1.0 / components, components).ToArray() : (double[])proportions.Clone();
        if (Proportions.Length != components || Proportions.Any(a => !(a >= 0)) || Math.Abs(Proportions.Sum() - 1) > 1e-6)
        {
            throw new ArgumentException($"need {components} non-negative proportions summing to 1, got [{string.Join(", ", Proportions)}].", nameof(proportions));
        }

        Labels = new int[spec.Units];
        int population = 0;
        double upper = Proportions[0];
        for (int i = 0; i < spec.Units; i++)
        {
            double position = (i + 0.5) / spec.Units;
            while (position >= upper && population < components - 1)
            {
                population++;
                upper += Proportions[population];
            }

            Labels[i] = population;
        }
    }

    /// <summary>α [P].</summary>
    public double[] Proportions { get; }

    /// <summary>The LINT network the loadings parameterise.</summary>
    public RateNetworkLayout Network { get; }

    /// <summary>P.</summary>
    public int Components { get; }

    /// <summary>D.</summary>
    public int Dimension { get; }

    /// <summary>φ entries per population.</summary>
    public int Stride { get; }

    /// <summary>Length of φ.</summary>
    public int Length => Components * Stride;

    /// <summary>Population of each unit [N].</summary>
    public int[] Labels { get; }

    /// <summary>Loading names [D] in θ order (as <see cref="UnitLoadings"/> names them).</summary>
    public string[] Names => LoadingNames(Network.Spec.Rank, Network.Spec.Inputs, Network.Spec.Outputs);

    /// <summary>m1…mR, n1…nR, w_in1…w_inU, w_out1…w_outO.</summary>
    public static string[] LoadingNames(int rank, int inputs, int outputs) =>
        [.. Numbered("m", rank), .. Numbered("n", rank), .. Numbered("w_in", inputs), .. Numbered("w_out", outputs)];

    /// <summary>Index of μ_p[d] in φ.</summary>
    public int Mean(int p, int d) => p * Stride + d;

    /// <summary>Index of L_p[a, b] (b ≤ a; the diagonal holds s_p[a] = log L_p[a, a]) in φ.</summary>
    public int Factor(int p, int a, int b) => p * Stride + Dimension + a * (a + 1) / 2 + b;

    /// <summary>
    /// The starting point: μ_p = 0, L_p = I with off-diagonal entries ~ N(0, <paramref name="spread"/>²) from <paramref name="rng"/>
    /// (they break the symmetry between populations and give the inputs and readout a first hold on the latent variables),
    /// and L_p[n_r, m_r] = <paramref name="overlap"/> (σ_{n_r m_r} = ρ: slow latent dynamics that can hold a memory).
    /// </summary>
    public double[] Initial(double overlap, double spread, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int rank = Network.Spec.Rank;
        var phi = new double[Length];
        for (int p = 0; p < Components; p++)
        {
            for (int a = 1; a < Dimension; a++)
            {
                for (int b = 0; b < a; b++)
                {
                    phi[Factor(p, a, b)] = spread * rng.NextGaussian();
                }
            }

            for (int r = 0; r < rank; r++)
            {
                phi[Factor(p, rank + r, r)] = overlap;
            }
        }

        return phi;
    }

    /// <summary>φ of a given mixture (same P and D): μ_p and the Cholesky factor of Σ_p.</summary>
    public double[] From(GaussianMixture mixture)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        if (mixture.Components != Components || mixture.Dimension != Dimension)
        {
            throw new ArgumentException($"the mixture has P = {mixture.Components}, D = {mixture.Dimension}; expected {Components}, {Dimension}.", nameof(mixture));
        }

        var phi = new double[Length];
        for (int p = 0; p < Components; p++)
        {
            ReadOnlySpan<double> factor = mixture.CholeskyOf(p);
            for (int a = 0; a < Dimension; a++)
            {
                phi[Mean(p, a)] = mixture.Means[p][a];
                for (int b = 0; b < a; b++)
                {
                    phi[Factor(p, a, b)] = factor[a * Dimension + b];
                }

                phi[Factor(p, a, a)] = Math.Log(factor[a * Dimension + a]);
            }
        }

        return phi;
    }

    /// <summary>Writes ℓ_i = μ_p(i) + L_p(i) ξ_i into θ[d·N + i] for every unit i and loading d (other entries untouched).</summary>
    /// <param name="phi">φ [Length].</param>
    /// <param name="xi">ξ [N, D].</param>
    /// <param name="theta">LINT θ [layout.Length].</param>
    public void Loadings<T>(ReadOnlySpan<double> phi, ReadOnlySpan<double> xi, Span<T> theta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShapes(phi, xi, theta.Length);
        int n = Network.Spec.Units;
        int dimension = Dimension;
        for (int i = 0; i < n; i++)
        {
            int p = Labels[i];
            ReadOnlySpan<double> z = xi.Slice(i * dimension, dimension);
            for (int a = 0; a < dimension; a++)
            {
                double value = phi[Mean(p, a)];
                for (int b = 0; b < a; b++)
                {
                    value += phi[Factor(p, a, b)] * z[b];
                }

                value += Math.Exp(phi[Factor(p, a, a)]) * z[a];
                theta[a * n + i] = T.CreateTruncating(value);
            }
        }
    }

    /// <summary>Chains ∂L/∂θ back to ∂L/∂φ (overwrites <paramref name="gPhi"/>).</summary>
    /// <remarks>
    /// With g_i[a] = ∂L/∂ℓ_i[a] = ∂L/∂θ[a·N + i] and ℓ_i[a] = μ_p[a] + Σ_{b&lt;a} L_p[a, b] ξ_i[b] + exp(s_p[a]) ξ_i[a]:
    /// <code>
    /// ∂L/∂μ_p[a]    = Σ_{i∈p} g_i[a]
    /// ∂L/∂L_p[a, b] = Σ_{i∈p} g_i[a] ξ_i[b]                  (b &lt; a: the lower triangle of Σ_{i∈p} g_i ξ_iᵀ)
    /// ∂L/∂s_p[a]    = exp(s_p[a]) Σ_{i∈p} g_i[a] ξ_i[a]      (the diagonal, times d exp(s)/ds)
    /// </code>
    /// </remarks>
    public void Backward(ReadOnlySpan<double> phi, ReadOnlySpan<double> xi, ReadOnlySpan<double> gTheta, Span<double> gPhi)
    {
        CheckShapes(phi, xi, gTheta.Length);
        if (gPhi.Length != Length)
        {
            throw new ArgumentException($"gPhi has length {gPhi.Length}, expected {Length}.", nameof(gPhi));
        }

        int n = Network.Spec.Units;
        int dimension = Dimension;
        gPhi.Clear();
        for (int i = 0; i < n; i++)
        {
            int p = Labels[i];
            ReadOnlySpan<double> z = xi.Slice(i * dimension, dimension);
            for (int a = 0; a < dimension; a++)
            {
                double g = gTheta[a * n + i];
                gPhi[Mean(p, a)] += g;
                for (int b = 0; b <= a; b++)
                {
                    gPhi[Factor(p, a, b)] += g * z[b];
                }
            }
        }

        for (int p = 0; p < Components; p++)
        {
            for (int a = 0; a < dimension; a++)
            {
                gPhi[Factor(p, a, a)] *= Math.Exp(phi[Factor(p, a, a)]);
            }
        }
    }

    /// <summary>μ_p [D].</summary>
    public double[] MeanOf(ReadOnlySpan<double> phi, int p) => phi.Slice(Mean(p, 0), Dimension).ToArray();

    /// <summary>L_p as a row-major [D, D] lower-triangular matrix (diagonal exp(s_p)).</summary>
    public double[] FactorOf(ReadOnlySpan<double> phi, int p)
    {
        int dimension = Dimension;
        var factor = new double[dimension * dimension];
        for (int a = 0; a < dimension; a++)
        {
            for (int b = 0; b < a; b++)
            {
                factor[a * dimension + b] = phi[Factor(p, a, b)];
            }

            factor[a * dimension + a] = Math.Exp(phi[Factor(p, a, a)]);
        }

        return factor;
    }

    /// <summary>Σ_p = L_p L_pᵀ as [D][D].</summary>
    public double[][] CovarianceOf(ReadOnlySpan<double> phi, int p)
    {
        int dimension = Dimension;
        double[] factor = FactorOf(phi, p);
        var covariance = new double[dimension][];
        for (int a = 0; a < dimension; a++)
        {
            covariance[a] = new double[dimension];
            for (int b = 0; b < dimension; b++)
            {
                double sum = 0;
                for (int k = 0; k <= Math.Min(a, b); k++)
                {
                    sum += factor[a * dimension + k] * factor[b * dimension + k];
                }

                covariance[a][b] = sum;
            }
        }

        return covariance;
    }

    private void CheckShapes(ReadOnlySpan<double> phi, ReadOnlySpan<double> xi, int thetaLength)
    {
        if (phi.Length != Length || xi.Length != Network.Spec.Units * Dimension || thetaLength != Network.Length)
        {
            throw new ArgumentException(
                $"expected φ [{Length}], ξ [{Network.Spec.Units}·{Dimension}] and θ [{Network.Length}]; got {phi.Length}, {xi.Length} and {thetaLength}.");
        }
    }

    private static IEnumerable<string> Numbered(string prefix, int count) =>
        Enumerable.Range(1, count).Select(k => $"{prefix}{k}");
}
