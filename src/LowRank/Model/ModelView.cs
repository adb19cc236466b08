using System.Numerics;
using LowRank.Training;

namespace LowRank.Model;

/// <summary>
/// The parameters θ of a stochastic low-rank RNN unpacked once per evaluation into the layouts the
/// kernels want: unit-space arrays in <typeparamref name="TReal"/> with M transposed to [R,N] (so that
/// every product over units is a contiguous SIMD loop), the constrained pieces in double
/// (<see cref="ConstrainedParameters"/>).
/// </summary>
internal sealed class ModelView<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    public ModelView(ModelOptions options)
    {
        Options = options;
        Layout = ModelLayout.Of(options);
        Constrained = new ConstrainedParameters(options);
        Rank = options.Rank;
        Units = options.Units;
        Inputs = options.Inputs;
        Channels = options.Channels;
        Mt = new TReal[Rank * Units];
        Nt = new TReal[Rank * Units];
        H = new TReal[Units];
        M = new double[Units * Rank];
        W = new double[Units * Inputs];
        ReadoutWeights = new double[options.Readout == Readout.Latent ? Channels * Rank : Channels];
        ReadoutBias = new double[Channels];
        EncoderParameters = new double[options.Encoder?.ParameterCount(Channels, Rank) ?? 0];
        _encoderOffset = options.Encoder is null ? 0 : Layout[options.Encoder.Slices(Channels, Rank)[0].Name].Offset;
    }

    private readonly int _encoderOffset;

    /// <summary>The encoder's part of θ, in θ order (empty without an encoder).</summary>
    public double[] EncoderParameters { get; }

    /// <summary>Offset of the encoder's part in θ.</summary>
    public int EncoderOffset => _encoderOffset;

    public ModelOptions Options { get; }

    public ParameterLayout Layout { get; }

    /// <summary>a, the covariance factors, μ0, σx² and P of the current θ (the one routine of the model family).</summary>
    public ConstrainedParameters Constrained { get; }

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
    public double DecayRaw => Constrained.DecayRaw;

    /// <summary>a.</summary>
    public double Decay => Constrained.Decay;

    /// <summary>Lz [R,R], Σz = Lz Lzᵀ.</summary>
    public double[] TransitionCholesky => Constrained.TransitionCholesky;

    /// <summary>L0 [R,R], Σ0 = L0 L0ᵀ.</summary>
    public double[] InitialCholesky => Constrained.InitialCholesky;

    /// <summary>μ0 [R] (zeros when fixed).</summary>
    public double[] InitialMean => Constrained.InitialMean;

    /// <summary>C [X,R] (latent readout) or c [X] (unit readout).</summary>
    public double[] ReadoutWeights { get; }

    /// <summary>d [X].</summary>
    public double[] ReadoutBias { get; }

    /// <summary>σx² [X], clamped.</summary>
    public double[] Variance => Constrained.Variance;

    /// <summary>1/σx² [X].</summary>
    public double[] InverseVariance => Constrained.InverseVariance;

    /// <summary>(MᵀM)⁻¹ [R,R] (only filled when U &gt; 0).</summary>
    public double[] GramInverse => Constrained.GramInverse;

    /// <summary>P = (MᵀM)⁻¹Mᵀ [R,N] (empty when U = 0).</summary>
    public double[] Projection => Constrained.Projection;

    /// <summary>False when θ gives a non-invertible MᵀM (the filter then reports NaN).</summary>
    public bool IsValid => Constrained.IsValid;

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

        Layout[ParameterNames.ReadoutWeights].Of(theta).CopyTo(ReadoutWeights);
        Layout[ParameterNames.ReadoutBias].Of(theta).CopyTo(ReadoutBias);
        theta.Slice(_encoderOffset, EncoderParameters.Length).CopyTo(EncoderParameters);
        Constrained.Load(theta);
    }
}
