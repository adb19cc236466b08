namespace LowRank.Model;

/// <summary>Unit nonlinearity φ(x; h), elementwise (docs/model.md, "Activations").</summary>
public enum Activation
{
    /// <summary><c>max(0, x − h)</c>.</summary>
    Relu,

    /// <summary><c>max(0, x + h) − max(0, x)</c>: zero below −h, linear on (−h, 0), equal to h above 0.</summary>
    ClippedRelu,

    /// <summary><c>tanh(x − h)</c>.</summary>
    Tanh,

    /// <summary><c>x − h</c>: makes the model linear-Gaussian.</summary>
    Identity,
}

/// <summary>How a covariance (Σz or Σ0) is parameterised.</summary>
public enum NoiseShape
{
    /// <summary>Lower-triangular L with <c>L_ii = exp(ρ_ii/2)</c>, <c>L_ij = ρ_ij</c>; Σ = L Lᵀ.</summary>
    Full,

    /// <summary><c>Σ = diag(exp ρ)</c>.</summary>
    Diagonal,

    /// <summary><c>Σ = exp(ρ) I</c>.</summary>
    Scalar,
}

/// <summary>What the observations read out.</summary>
public enum Readout
{
    /// <summary>Mean <c>g(C z + d)</c>, C [X,R].</summary>
    Latent,

    /// <summary>One-to-one from unit currents: mean <c>g(c ⊙ x + d)</c>, X = N.</summary>
    Currents,

    /// <summary>One-to-one from unit rates: mean <c>g(c ⊙ r + d)</c>, X = N.</summary>
    Rates,
}

/// <summary>Observation likelihood.</summary>
public enum Likelihood
{
    /// <summary>Gaussian with diagonal variance <c>exp(ρx)</c>.</summary>
    Gaussian,

    /// <summary>Poisson counts per bin.</summary>
    Poisson,
}

/// <summary>Observation link g from the linear predictor to the mean.</summary>
public enum Link
{
    Identity,

    /// <summary><c>exp(η)</c>.</summary>
    Exp,

    /// <summary><c>log(1 + exp η) + 1e−6</c>.</summary>
    Softplus,

    /// <summary><c>max(0, η) + 1e−10</c>.</summary>
    Relu,
}

/// <summary>How external inputs reach the units.</summary>
public enum InputFilter
{
    /// <summary><c>v_t = u_t</c>.</summary>
    Raw,

    /// <summary><c>v_{t+1} = a v_t + (1 − a) u_t</c>, <c>v_0 = 0</c> (filtered by the units' time constant).</summary>
    Filtered,
}

/// <summary>Command-line and file spellings of the model enums: snake_case (<c>ClippedRelu</c> ↔ <c>clipped_relu</c>).</summary>
public static class ModelNames
{
    /// <summary>The snake_case spelling of an enum value.</summary>
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>All spellings of an enum, in declaration order.</summary>
    public static IReadOnlyList<string> All<TEnum>()
        where TEnum : struct, Enum =>
        Enum.GetValues<TEnum>().Select(Of).ToArray();

    /// <summary>Parses a snake_case spelling; an unknown one is an <see cref="InputException"/> naming <paramref name="what"/>.</summary>
    public static TEnum Parse<TEnum>(string text, string what)
        where TEnum : struct, Enum
    {
        foreach (TEnum value in Enum.GetValues<TEnum>())
        {
            if (Of(value) == text)
            {
                return value;
            }
        }

        throw new InputException(
            $"unknown {what} '{text}'.",
            $"use one of: {string.Join(", ", All<TEnum>())}.");
    }
}
