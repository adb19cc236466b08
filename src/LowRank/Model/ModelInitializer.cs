using LowRank.Encoders;
using LowRank.Numerics;

namespace LowRank.Model;

/// <summary>Random initialisation of a <see cref="LowRankRnn"/> as the published code does it.</summary>
/// <remarks>
/// M [N,R] uniform in ±1/√R; Ñ [R,N] uniform in ±1/√N; W [N,U] uniform in ±1/√U; thresholds h
/// uniform in ±1/√N for clipped relu and zero otherwise; decay, Σz, Σ0 and σx from the options' scales;
/// μ0 = 0; latent readout C ~ N(0, 2/R), unit readout c = 1; d = 0; the encoder as PyTorch's Conv1d (uniform in
/// ±1/√(C_l k_l)) with the log-variance biases at <see cref="EncoderOptions.LogVarianceBias"/>, from a stream of its own.
/// </remarks>
public static class ModelInitializer
{
    /// <summary>Stream of the seed the encoder's weights are drawn from.</summary>
    private const long EncoderStream = 17;

    /// <summary>A freshly initialised model drawn from stream 0 of <paramref name="seed"/>.</summary>
    public static LowRankRnn Create(ModelOptions options, long seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var layout = ModelLayout.Of(options);
        var model = new LowRankRnn(options, new double[layout.Length]);
        Rng rng = Rng.Create(seed);
        int r = options.Rank, n = options.Units, u = options.Inputs;
        FillUniform(model.M, 1 / Math.Sqrt(r), rng);
        FillUniform(model.N, 1 / Math.Sqrt(n), rng);
        if (options.Activation == Activation.ClippedRelu)
        {
            FillUniform(model.H, 1 / Math.Sqrt(n), rng);
        }

        if (u > 0)
        {
            FillUniform(model.W, 1 / Math.Sqrt(u), rng);
        }

        model.Decay = options.InitDecay;
        CovarianceParameters.FromScale(options.TransitionNoise, r, options.InitTransitionNoiseScale, layout[ParameterNames.TransitionNoiseRaw].Of(model.Theta));
        CovarianceParameters.FromScale(options.InitialNoise, r, options.InitInitialNoiseScale, layout[ParameterNames.InitialNoiseRaw].Of(model.Theta));
        Span<double> c = model.C;
        if (options.Readout == Readout.Latent)
        {
            double sd = Math.Sqrt(2.0 / r);
            for (int i = 0; i < c.Length; i++)
            {
                c[i] = sd * rng.NextGaussian();
            }
        }
        else
        {
            c.Fill(1.0);
        }

        if (options.Likelihood == Likelihood.Gaussian)
        {
            layout[ParameterNames.LogObservationVariance].Of(model.Theta).Fill(2 * Math.Log(options.InitObservationScale));
        }

        if (options.Encoder is { } encoder)
        {
            // From a stream of its own, so a model's other parameters do not depend on whether it has an encoder.
            int offset = layout[encoder.Slices(options.Channels, r)[0].Name].Offset;
            ConvEncoder<double>.Initialize(encoder, options.Channels, r, model.Theta.AsSpan(offset, encoder.ParameterCount(options.Channels, r)), Rng.Create(seed, EncoderStream));
        }

        return model;
    }

    private static void FillUniform(Span<double> values, double bound, Rng rng)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = rng.NextUniform(-bound, bound);
        }
    }
}
