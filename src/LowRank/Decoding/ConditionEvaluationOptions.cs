using System.Globalization;
using static LowRank.InputException;

namespace LowRank.Decoding;

/// <summary>How generated activity is compared with true activity condition by condition (docs/metrics.md, "Conditions").</summary>
public sealed record ConditionEvaluationOptions
{
    /// <summary>Folds of the cross-validated reference error of the direction decoder on the true trials (fewer with fewer trials).</summary>
    public const int Folds = 5;

    /// <summary>Standard deviation, in steps, of the centred Gaussian that smooths each PSTH over time (0: none).</summary>
    public double PsthSmoothing { get; init; } = 2;

    /// <summary>Equal consecutive windows W of a trial whose mean counts per unit the direction decoder reads.</summary>
    public int DecoderWindows { get; init; } = 5;

    /// <summary>
    /// Ridge penalty λ of the direction decoder, relative to the unit variance of its standardised features; it shrinks the
    /// decoded (cos, sin) vector, not its angle, and keeps the many window features (K·W, often more than the trials) well-posed.
    /// </summary>
    public double Ridge { get; init; } = 1;

    /// <summary>The conditions the student was fitted on (labels of the true trials); null: every condition counts as seen.</summary>
    public IReadOnlyList<double>? SeenConditions { get; init; }

    /// <summary>Seed of the folds of the decoder's cross-validated reference error.</summary>
    public long Seed { get; init; }

    /// <summary>Throws an <see cref="InputException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        Require(PsthSmoothing >= 0 && double.IsFinite(PsthSmoothing), nameof(PsthSmoothing), Format(PsthSmoothing), "0 (no smoothing) or a positive width in steps, such as 2");
        Require(DecoderWindows >= 1, nameof(DecoderWindows), DecoderWindows, "at least 1");
        Require(Ridge > 0 && double.IsFinite(Ridge), nameof(Ridge), Format(Ridge), "a positive number such as 1");
        foreach (double label in SeenConditions ?? [])
        {
            if (!double.IsFinite(label))
            {
                throw new InputException($"{Ref(nameof(SeenConditions))} holds {Format(label)}.", $"pass {Ref(nameof(SeenConditions))} as finite condition labels, e.g. 0,45,90.")
                {
                    Setting = nameof(SeenConditions),
                };
            }
        }
    }

    private static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
