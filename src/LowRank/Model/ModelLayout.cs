using LowRank.Training;

namespace LowRank.Model;

/// <summary>Names of the slices of θ for the stochastic low-rank RNN. Raw (unconstrained) parameters carry their transform in the name.</summary>
public static class ParameterNames
{
    /// <summary>M [N,R]: left connectivity vectors.</summary>
    public const string M = "m";

    /// <summary>Ñ [R,N]: right connectivity vectors (scaled).</summary>
    public const string N = "n";

    /// <summary>h [N]: unit thresholds.</summary>
    public const string H = "h";

    /// <summary>W [N,U]: input weights (absent when U = 0).</summary>
    public const string InputWeights = "w_in";

    /// <summary>α [1] with decay a = exp(−exp α).</summary>
    public const string DecayRaw = "log_neg_log_decay";

    /// <summary>ρz: raw parameters of Σz (R(R+1)/2 full, R diagonal, 1 scalar).</summary>
    public const string TransitionNoiseRaw = "chol_z_raw";

    /// <summary>ρ0: raw parameters of Σ0.</summary>
    public const string InitialNoiseRaw = "chol_0_raw";

    /// <summary>μ0 [R] (only when trainable).</summary>
    public const string InitialMean = "mu_0";

    /// <summary>C [X,R] for the latent readout, c [X] for a unit readout.</summary>
    public const string ReadoutWeights = "c";

    /// <summary>d [X]: readout offsets.</summary>
    public const string ReadoutBias = "d";

    /// <summary>ρx [X] with σx² = exp ρx (Gaussian likelihood only).</summary>
    public const string LogObservationVariance = "log_var_x";
}

/// <summary>
/// The layout of θ of a stochastic low-rank RNN (<see cref="ParameterNames"/>, docs/model.md "Parameters"):
/// M [N,R], Ñ [R,N], h [N], W [N,U] (U &gt; 0), α [1], ρz, ρ0, μ0 [R] (trainable), C [X,R] or c [X], d [X],
/// ρx [X] (Gaussian), then the encoder's weights and biases (<c>encoder/conv{l}/weight</c> [C_{l+1}, C_l, k_l] and
/// <c>encoder/conv{l}/bias</c>) when the model has one.
/// </summary>
public static class ModelLayout
{
    /// <summary>The slices of θ for <paramref name="options"/>, in θ order.</summary>
    public static ParameterLayout Of(ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int r = options.Rank, n = options.Units, u = options.Inputs, x = options.Channels;
        var slices = new List<(string, int[])>
        {
            (ParameterNames.M, [n, r]),
            (ParameterNames.N, [r, n]),
            (ParameterNames.H, [n]),
        };
        if (u > 0)
        {
            slices.Add((ParameterNames.InputWeights, [n, u]));
        }

        slices.Add((ParameterNames.DecayRaw, [1]));
        slices.Add((ParameterNames.TransitionNoiseRaw, [CovarianceParameters.RawLength(options.TransitionNoise, r)]));
        slices.Add((ParameterNames.InitialNoiseRaw, [CovarianceParameters.RawLength(options.InitialNoise, r)]));
        if (options.TrainInitialMean)
        {
            slices.Add((ParameterNames.InitialMean, [r]));
        }

        slices.Add((ParameterNames.ReadoutWeights, options.Readout == Readout.Latent ? [x, r] : [x]));
        slices.Add((ParameterNames.ReadoutBias, [x]));
        if (options.Likelihood == Likelihood.Gaussian)
        {
            slices.Add((ParameterNames.LogObservationVariance, [x]));
        }

        if (options.Encoder is { } encoder)
        {
            slices.AddRange(encoder.Slices(x, r));
        }

        return new ParameterLayout(slices);
    }
}
