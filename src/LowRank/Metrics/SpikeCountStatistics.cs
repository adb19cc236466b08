namespace LowRank.Metrics;

// Dimension legend: T bins (steps), X units (channels), B ISI histogram bins.

/// <summary>The spiking statistics of one series of binned counts [T, X] (<see cref="SpikingStatistics"/>).</summary>
/// <param name="Steps">T: bins of the series.</param>
/// <param name="Units">X: units (channels).</param>
/// <param name="MeanRates">Mean count per bin of each unit [X].</param>
/// <param name="IsiCv">ISI CV of each unit [X] (NaN where undefined).</param>
/// <param name="IsiBins">B: bins of <paramref name="IsiHistogram"/> (intervals 0 … B − 2 bins, then B − 1 or more).</param>
/// <param name="IsiHistogram">Each unit's interval histogram [X, B].</param>
/// <param name="Correlations">Pairwise correlations of the counts per bin [X, X].</param>
/// <param name="CorrelationBins">k of <paramref name="SummedCorrelations"/>, or null.</param>
/// <param name="SummedCorrelations">Pairwise correlations of the counts summed over k bins [X, X], or null.</param>
public sealed record SpikeCountStatistics(
    int Steps, int Units, double[] MeanRates, double[] IsiCv, int IsiBins, long[] IsiHistogram, double[] Correlations, int? CorrelationBins, double[]? SummedCorrelations)
{
    /// <summary>The statistics of <paramref name="counts"/> [T, X]: ISI histogram of <paramref name="isiBins"/> bins, correlations per bin and, when given, over <paramref name="correlationBins"/> bins.</summary>
    public static SpikeCountStatistics Of(ReadOnlySpan<double> counts, int steps, int units, int isiBins, int? correlationBins)
    {
        if (correlationBins is int k && (k < 2 || k > steps / 2))
        {
            throw new ArgumentOutOfRangeException(nameof(correlationBins), k, $"summed correlations need 2 ≤ k ≤ T / 2 = {steps / 2}.");
        }

        return new SpikeCountStatistics(
            steps,
            units,
            SpikingStatistics.MeanRates(counts, steps, units),
            SpikingStatistics.IsiCv(counts, steps, units),
            isiBins,
            SpikingStatistics.IsiHistogram(counts, steps, units, isiBins),
            SpikingStatistics.CountCorrelations(counts, steps, units, 1),
            correlationBins,
            correlationBins is int bins ? SpikingStatistics.CountCorrelations(counts, steps, units, bins) : null);
    }

    /// <summary>Mean of <see cref="MeanRates"/> over the units with a defined rate (NaN when none has one).</summary>
    public double PopulationRate
    {
        get
        {
            double sum = 0;
            int n = 0;
            foreach (double rate in MeanRates)
            {
                if (!double.IsNaN(rate))
                {
                    sum += rate;
                    n++;
                }
            }

            return n > 0 ? sum / n : double.NaN;
        }
    }

    /// <summary>Median of <see cref="IsiCv"/> over the units where it is defined (NaN when none).</summary>
    public double MedianIsiCv => SpikingStatistics.MedianDefined(IsiCv);
}
