using System.Globalization;
using static LowRank.InputException;

namespace LowRank.Decoding;

/// <summary>How the spike-count baselines are smoothed in time.</summary>
public enum SmoothingWindow
{
    /// <summary>A Gaussian centred on each step (past and future bins), reflected at the ends of each trial.</summary>
    Centred,

    /// <summary>A half-Gaussian over the current and earlier bins only, renormalised at the start of each trial.</summary>
    Causal,
}

/// <summary>
/// The decoding protocol (docs/decoding.md): the split into a training and a test part, the ridge penalty of the
/// linear decoder, and the smoothing of the spike counts the baselines read.
/// </summary>
public sealed record DecodingOptions
{
    /// <summary>
    /// Fraction of the steps the decoder (and the PCA baseline) is fitted on: the first
    /// T − round((1 − f)·T) steps; the decoder is scored on the rest, the same split as a fit holding out 1 − f.
    /// </summary>
    public double TrainFraction { get; init; } = 0.71;

    /// <summary>
    /// Ridge penalty λ on the weights of the standardised features, relative to their (unit) variance: the decoder
    /// minimises mean‖y − b − Wᵀz‖² + λ‖W‖²; must be positive.
    /// </summary>
    public double Ridge { get; init; } = 1e-3;

    /// <summary>Standard deviation, in bins, of the Gaussian that smooths the spike counts of the baselines (0: no smoothing).</summary>
    public double SmoothBins { get; init; } = 5;

    /// <summary>Whether the smoothing kernel is centred or causal.</summary>
    public SmoothingWindow Smoothing { get; init; } = SmoothingWindow.Centred;

    /// <summary>Throws an <see cref="InputException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(TrainFraction > 0 && TrainFraction < 1))
        {
            throw new InputException(
                $"{Ref(nameof(TrainFraction))} must lie strictly between 0 and 1, got {Format(TrainFraction)}.",
                $"pass the fraction of steps to train the decoder on, e.g. {Ref(nameof(TrainFraction))} 0.71 (the published split).")
            {
                Setting = nameof(TrainFraction),
            };
        }

        Require(Ridge > 0 && double.IsFinite(Ridge), nameof(Ridge), Format(Ridge), "a positive number such as 1e-3");
        Require(SmoothBins >= 0 && double.IsFinite(SmoothBins), nameof(SmoothBins), Format(SmoothBins), "0 (no smoothing) or a positive width in bins, such as 5");
    }

    private static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
