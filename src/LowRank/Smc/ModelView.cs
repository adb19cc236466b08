using System.Numerics;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Training;

namespace LowRank.Smc;

/// <summary>
/// The parameters θ of a stochastic low-rank RNN unpacked once per evaluation into the layouts the
/// kernels want: unit-space arrays in <typeparamref name="TReal"/> with M transposed to [R,N] (so that
/// every product over units is a contiguous SIMD loop), small pieces in double.
/// </summary>
internal sealed class ModelView<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    public ModelView(ModelOptions options)
    {
        Options = options;
        Layout = ModelLayout.Of(options);
        Rank = options.Rank;
        Units = options.Units;
        Inputs = options.Inputs;
        Channels = options.Channels;
        Mt = new TReal[Rank * Units];
        Nt = new TReal[Rank * Units];
        H = new TReal[Units];
        M = new double[Units * Rank];
        W = new double[Units * Inputs];
        TransitionCholesky = new double[Rank * Rank];
        InitialCholesky = new double[Rank * Rank];
        InitialMean = new double[Rank];
        ReadoutWeights = new double[options.Readout == Readout.Latent ? Channels * Rank : Channels];
        ReadoutBias = new double[Channels];
        Variance = new double[Channels];
        InverseVariance = new double[Channels];
        GramInverse = new double[Rank * Rank];
        Projection = new double[Inputs > 0 ? Rank * Units : 0];
    }

    public ModelOptions Options { get; }

    public ParameterLayout Layout { get; }

    public int Rank { get; }

    public int Units { get; }

    public int Inputs { get; }

    public int Channels { get; }

    /// <summary>Mᵀ [R,N].</summary>
    public TReal[] Mt { get; }

    /// <summary>Ñ [R,N].</summary>
    public TReal[] Nt { get; }

    /// <summary>h [N].</summary>
    public TReal[] H { get; }

    /// <summary>M [N,R] in double.</summary>
    public double[] M { get; }

    /// <summary>W [N,U].</summary>
    public double[] W { get; }

    /// <summary>α, with a = exp(−exp α).</summary>
    public double DecayRaw { get; private set; }

    /// <summary>a.</summary>
    public double Decay { get; private set; }

    /// <summary>Lz [R,R], Σz = Lz Lzᵀ.</summary>
    public double[] TransitionCholesky { get; }

    /// <summary>L0 [R,R], Σ0 = L0 L0ᵀ.</summary>
    public double[] InitialCholesky { get; }

    /// <summary>μ0 [R] (zeros when fixed).</summary>
    public double[] InitialMean { get; }

    /// <summary>C [X,R] (latent readout) or c [X] (unit readout).</summary>
    public double[] ReadoutWeights { get; }

    /// <summary>d [X].</summary>
    public double[] ReadoutBias { get; }

    /// <summary>σx² [X], clamped.</summary>
    public double[] Variance { get; }

    /// <summary>1/σx² [X].</summary>
    public double[] InverseVariance { get; }

    /// <summary>(MᵀM)⁻¹ [R,R] (only filled when U &gt; 0).</summary>
    public double[] GramInverse { get; }

    /// <summary>P = (MᵀM)⁻¹Mᵀ [R,N] (empty when U = 0).</summary>
    public double[] Projection { get; }

    /// <summary>False when θ gives a non-invertible MᵀM (the filter then reports NaN).</summary>
    public bool IsValid { get; private set; }

    public void Load(ReadOnlySpan<double> theta)
    {
        int r = Rank, n = Units;
        ReadOnlySpan<double> m = Layout[ParameterNames.M].Of(theta);
        ReadOnlySpan<double> nTilde = Layout[ParameterNames.N].Of(theta);
        ReadOnlySpan<double> h = Layout[ParameterNames.H].Of(theta);
        m.CopyTo(M);
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < r; a++)
            {
                Mt[a * n + i] = TReal.CreateTruncating(m[i * r + a]);
                Nt[a * n + i] = TReal.CreateTruncating(nTilde[a * n + i]);
            }

            H[i] = TReal.CreateTruncating(h[i]);
        }

        if (Inputs > 0)
        {
            Layout[ParameterNames.InputWeights].Of(theta).CopyTo(W);
        }

        DecayRaw = Layout[ParameterNames.DecayRaw].Of(theta)[0];
        Decay = LowRankRnn.DecayFromRaw(DecayRaw);
        CovarianceParameters.ToCholesky(Options.TransitionNoise, r, Layout[ParameterNames.TransitionNoiseRaw].Of(theta), TransitionCholesky);
        CovarianceParameters.ToCholesky(Options.InitialNoise, r, Layout[ParameterNames.InitialNoiseRaw].Of(theta), InitialCholesky);
        if (Options.TrainInitialMean)
        {
            Layout[ParameterNames.InitialMean].Of(theta).CopyTo(InitialMean);
        }
        else
        {
            Array.Clear(InitialMean);
        }

        Layout[ParameterNames.ReadoutWeights].Of(theta).CopyTo(ReadoutWeights);
        Layout[ParameterNames.ReadoutBias].Of(theta).CopyTo(ReadoutBias);
        if (Options.Likelihood == Likelihood.Gaussian)
        {
            ReadOnlySpan<double> logVariance = Layout[ParameterNames.LogObservationVariance].Of(theta);
            for (int i = 0; i < Channels; i++)
            {
                Variance[i] = Math.Clamp(Math.Exp(logVariance[i]), ModelOptions.MinVariance, ModelOptions.MaxVariance);
                InverseVariance[i] = 1 / Variance[i];
            }
        }

        IsValid = true;
        if (Inputs > 0)
        {
            IsValid = LoadProjection();
        }
    }

    private bool LoadProjection()
    {
        int r = Rank, n = Units;
        Span<double> gram = stackalloc double[r * r];
        Span<double> factor = stackalloc double[r * r];
        Span<double> inverseFactor = stackalloc double[r * r];
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < r; a++)
            {
                for (int b = 0; b < r; b++)
                {
                    gram[a * r + b] += M[i * r + a] * M[i * r + b];
                }
            }
        }

        if (!DenseMath.TryCholesky(gram, r, factor))
        {
            return false;
        }

        SmallMatrix.InverseLower(factor, r, inverseFactor);
        SmallMatrix.TransposeTimesSelf(inverseFactor, r, GramInverse);
        for (int a = 0; a < r; a++)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int b = 0; b < r; b++)
                {
                    sum += GramInverse[a * r + b] * M[i * r + b];
                }

                Projection[a * n + i] = sum;
            }
        }

        return true;
    }
}
