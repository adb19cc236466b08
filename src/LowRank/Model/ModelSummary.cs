namespace LowRank.Model;

/// <summary>Human-scale facts about a stochastic low-rank RNN, for <c>lowrank inspect</c>.</summary>
/// <param name="Options">The model options.</param>
/// <param name="ParameterCount">Length of θ.</param>
/// <param name="Decay">The decay a.</param>
/// <param name="TransitionNoiseSd">√diag(Σz) [R].</param>
/// <param name="InitialNoiseSd">√diag(Σ0) [R].</param>
/// <param name="InitialMean">μ0 [R].</param>
/// <param name="ObservationSd">σx [X] (empty for Poisson).</param>
/// <param name="ConnectivityNorms">‖m_r‖·‖ñ_r‖ per rank-one term [R].</param>
public sealed record ModelSummary(
    ModelOptions Options,
    int ParameterCount,
    double Decay,
    double[] TransitionNoiseSd,
    double[] InitialNoiseSd,
    double[] InitialMean,
    double[] ObservationSd,
    double[] ConnectivityNorms)
{
    /// <summary>Summarises <paramref name="model"/>.</summary>
    public static ModelSummary Of(LowRankRnn model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int r = model.Rank, n = model.Units;
        ReadOnlySpan<double> m = model.M, nTilde = model.N;
        var norms = new double[r];
        for (int a = 0; a < r; a++)
        {
            double mm = 0, nn = 0;
            for (int i = 0; i < n; i++)
            {
                mm += m[i * r + a] * m[i * r + a];
                nn += nTilde[a * n + i] * nTilde[a * n + i];
            }

            norms[a] = Math.Sqrt(mm * nn);
        }

        return new ModelSummary(
            model.Options,
            model.Theta.Length,
            model.Decay,
            DiagonalSd(model.TransitionCholesky(), r),
            DiagonalSd(model.InitialCholesky(), r),
            model.InitialMean(),
            model.ObservationVariance().Select(Math.Sqrt).ToArray(),
            norms);
    }

    /// <summary>√diag(L Lᵀ) for a lower-triangular factor L [R,R].</summary>
    private static double[] DiagonalSd(double[] cholesky, int r)
    {
        var sd = new double[r];
        for (int i = 0; i < r; i++)
        {
            double sum = 0;
            for (int j = 0; j <= i; j++)
            {
                sum += cholesky[i * r + j] * cholesky[i * r + j];
            }

            sd[i] = Math.Sqrt(sum);
        }

        return sd;
    }
}
