using LowRank.Numerics;

namespace LowRank.Model;

/// <summary>
/// The constrained quantities of a stochastic low-rank RNN, computed from the raw parameter vector θ by one
/// routine (docs/model.md, "Parameters"): the decay, the covariance factors, the initial mean, the observation
/// variances and the input projection. The filter reloads it at every evaluation (allocation-free), the
/// simulator and the model's own accessors compute it once.
/// </summary>
/// <remarks>
/// <code>
/// a    = exp(−exp α)
/// L_z  = chol(ρz),  L_0 = chol(ρ0)          (full, diagonal or scalar; log-variances clamped to [ln 1e−8, ln 100])
/// μ0   = θ[μ0] when trainable, else 0
/// σx²  = clamp(exp ρx, 1e−8, 100)           (Gaussian likelihood)
/// G    = (MᵀM)⁻¹ = L_G⁻ᵀ L_G⁻¹ with L_G = chol(MᵀM),   P = G Mᵀ [R,N]   (only with inputs, U &gt; 0)
/// </code>
/// </remarks>
public sealed class ConstrainedParameters
{
    private readonly ModelOptions _options;
    private readonly Training.ParameterLayout _layout;

    /// <summary>Buffers for a model with <paramref name="options"/>; call <see cref="Load"/> before use.</summary>
    public ConstrainedParameters(ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _layout = ModelLayout.Of(options);
        int r = options.Rank;
        TransitionCholesky = new double[r * r];
        InitialCholesky = new double[r * r];
        InitialMean = new double[r];
        bool gaussian = options.Likelihood == Likelihood.Gaussian;
        Variance = new double[gaussian ? options.Channels : 0];
        InverseVariance = new double[Variance.Length];
        GramInverse = new double[r * r];
        Projection = new double[options.Inputs > 0 ? r * options.Units : 0];
    }

    /// <summary>The constrained parameters of <paramref name="model"/>.</summary>
    public static ConstrainedParameters Of(LowRankRnn model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var parameters = new ConstrainedParameters(model.Options);
        parameters.Load(model.Theta);
        return parameters;
    }

    /// <summary>α, with a = exp(−exp α).</summary>
    public double DecayRaw { get; private set; }

    /// <summary>a ∈ (0, 1).</summary>
    public double Decay { get; private set; }

    /// <summary>L_z [R,R], Σz = L_z L_zᵀ.</summary>
    public double[] TransitionCholesky { get; }

    /// <summary>L_0 [R,R], Σ0 = L_0 L_0ᵀ.</summary>
    public double[] InitialCholesky { get; }

    /// <summary>μ0 [R] (zeros when not trainable).</summary>
    public double[] InitialMean { get; }

    /// <summary>σx² [X], clamped (Gaussian likelihood; empty otherwise).</summary>
    public double[] Variance { get; }

    /// <summary>1/σx² [X].</summary>
    public double[] InverseVariance { get; }

    /// <summary>(MᵀM)⁻¹ [R,R] (only filled when U &gt; 0).</summary>
    public double[] GramInverse { get; }

    /// <summary>P = (MᵀM)⁻¹Mᵀ [R,N] (empty when U = 0).</summary>
    public double[] Projection { get; }

    /// <summary>False when θ gives a non-invertible MᵀM (with inputs), so that P does not exist.</summary>
    public bool IsValid { get; private set; }

    /// <summary>Recomputes every quantity from <paramref name="theta"/> (allocates nothing).</summary>
    public void Load(ReadOnlySpan<double> theta)
    {
        int r = _options.Rank;
        DecayRaw = _layout[ParameterNames.DecayRaw].Of(theta)[0];
        Decay = LowRankRnn.DecayFromRaw(DecayRaw);
        CovarianceParameters.ToCholesky(_options.TransitionNoise, r, _layout[ParameterNames.TransitionNoiseRaw].Of(theta), TransitionCholesky);
        CovarianceParameters.ToCholesky(_options.InitialNoise, r, _layout[ParameterNames.InitialNoiseRaw].Of(theta), InitialCholesky);
        if (_options.TrainInitialMean)
        {
            _layout[ParameterNames.InitialMean].Of(theta).CopyTo(InitialMean);
        }
        else
        {
            Array.Clear(InitialMean);
        }

        if (_options.Likelihood == Likelihood.Gaussian)
        {
            ReadOnlySpan<double> logVariance = _layout[ParameterNames.LogObservationVariance].Of(theta);
            for (int i = 0; i < Variance.Length; i++)
            {
                Variance[i] = Math.Clamp(Math.Exp(logVariance[i]), ModelOptions.MinVariance, ModelOptions.MaxVariance);
                InverseVariance[i] = 1 / Variance[i];
            }
        }

        IsValid = _options.Inputs == 0 || LoadProjection(_layout[ParameterNames.M].Of(theta));
    }

    /// <summary>G = (MᵀM)⁻¹ through the inverse of its Cholesky factor, and P = G Mᵀ; false when MᵀM is not positive definite.</summary>
    private bool LoadProjection(ReadOnlySpan<double> m)
    {
        int r = _options.Rank, n = _options.Units;
        Span<double> gram = stackalloc double[r * r];
        Span<double> factor = stackalloc double[r * r];
        Span<double> inverseFactor = stackalloc double[r * r];
        gram.Clear();
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < r; a++)
            {
                for (int b = 0; b < r; b++)
                {
                    gram[a * r + b] += m[i * r + a] * m[i * r + b];
                }
            }
        }

        if (!SmallMatrix.TryCholesky(gram, r, factor))
        {
            return false;
        }

        SmallMatrix.InverseLower(factor, r, inverseFactor);
        SmallMatrix.TransposeTimesSelf(inverseFactor, r, GramInverse);
        SmallMatrix.MultiplyTransposed(GramInverse, m, r, r, n, Projection);
        return true;
    }
}
