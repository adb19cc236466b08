using System.Globalization;
using LowRank.Inference;
using static LowRank.InputException;

namespace LowRank.Metrics;

/// <summary>Which metrics score a model against a recording.</summary>
public enum EvaluationMetrics
{
    /// <summary>The spiking statistics when the data are spike counts (<see cref="SpikingEvaluator.Choose"/>), else the EEG metrics.</summary>
    Auto,

    /// <summary>D_stsp and D_H of generated against recorded series (<see cref="ProtocolEvaluator"/>).</summary>
    Eeg,

    /// <summary>Spiking statistics of generated against recorded spike counts, and co-smoothing (<see cref="SpikingEvaluator"/>).</summary>
    Spikes,
}

/// <summary>What <see cref="SpikingEvaluator"/> computes besides what every spiking evaluation reports.</summary>
public sealed record SpikingOptions
{
    /// <summary>Default <see cref="IsiBins"/>.</summary>
    public const int DefaultIsiBins = 50;

    /// <summary>k: also correlate the counts summed over k consecutive bins (null: the data's bins only).</summary>
    public int? CorrelationBins { get; init; }

    /// <summary>B: bins of the ISI histograms (intervals 0 … B − 2 bins, then B − 1 or more).</summary>
    public int IsiBins { get; init; } = DefaultIsiBins;

    /// <summary>Fraction of the units held out for co-smoothing (null: no co-smoothing).</summary>
    public double? HeldOutUnits { get; init; }

    /// <summary>K: particles of the filter that predicts the held-out units.</summary>
    public int Particles { get; init; } = 128;

    /// <summary>The posterior that predicts the held-out units: filtering, or a smoother (the Neural Latents Benchmark's co-smoothing uses all held-in data: marginal).</summary>
    public Smoothing Smoothing { get; init; } = Smoothing.Marginal;

    /// <summary>Checks the settings; throws <see cref="InputException"/> with a fix.</summary>
    public void Validate()
    {
        if (CorrelationBins is int k && k < 2)
        {
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"{Ref(nameof(CorrelationBins))} must be at least 2 (got {k}); the correlations of the data's own bins are always reported."),
                $"pass {Ref(nameof(CorrelationBins))} 5 to also correlate counts summed over 5 bins, or leave it out.") { Setting = nameof(CorrelationBins) };
        }

        if (HeldOutUnits is double fraction && !(fraction > 0 && fraction < 1))
        {
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"{Ref(nameof(HeldOutUnits))} must lie strictly between 0 and 1 (got {fraction}): it is the fraction of the units hidden and predicted."),
                $"pass a fraction such as {Ref(nameof(HeldOutUnits))} 0.2.") { Setting = nameof(HeldOutUnits) };
        }

        InputException.RequireAtLeastOne(nameof(Particles), Particles);
        if (IsiBins < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(IsiBins), IsiBins, "an ISI histogram needs at least one bin.");
        }
    }
}
