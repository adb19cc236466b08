using LowRank.Numerics;

namespace LowRank.Metrics;

// Dimension legend: X units.

/// <summary>How closely a generated series' spiking statistics match the data's (docs/metrics.md, "Agreement numbers").</summary>
/// <param name="RateR">Pearson's r of the per-unit mean rates, generated against data, over the units with both defined.</param>
/// <param name="RateUnits">Units that entered <paramref name="RateR"/>.</param>
/// <param name="PairwiseCorrR">Pearson's r of the off-diagonal upper-triangle pairwise correlations (counts per bin) over the pairs defined in both.</param>
/// <param name="Pairs">Pairs that entered <paramref name="PairwiseCorrR"/>.</param>
/// <param name="PairwiseCorrRSummed">The same for the counts summed over k bins, or null when not computed.</param>
/// <param name="IsiCvError">Median over the units with a defined ISI CV in both of |CV_generated − CV_data|.</param>
/// <param name="IsiCvUnits">Units that entered <paramref name="IsiCvError"/>.</param>
public sealed record SpikingAgreement(double RateR, int RateUnits, double PairwiseCorrR, int Pairs, double? PairwiseCorrRSummed, double IsiCvError, int IsiCvUnits)
{
    /// <summary>The agreement numbers of <paramref name="generated"/> against <paramref name="data"/> (same units).</summary>
    /// <remarks>Each number is NaN when fewer than 2 units (pairs) are defined in both, or (r) when either side is constant over them.</remarks>
    public static SpikingAgreement Of(SpikeCountStatistics generated, SpikeCountStatistics data)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(data);
        if (generated.Units != data.Units || generated.CorrelationBins != data.CorrelationBins)
        {
            throw new ArgumentException($"the generated statistics ({generated.Units} units, k = {generated.CorrelationBins}) do not match the data's ({data.Units} units, k = {data.CorrelationBins}).", nameof(generated));
        }

        (double rateR, int rateUnits) = CorrelationOfDefined(generated.MeanRates, data.MeanRates);
        (double pairwise, int pairs) = PairwiseCorrelationAgreement(generated.Correlations, data.Correlations, data.Units);
        double? summed = generated.SummedCorrelations is { } g && data.SummedCorrelations is { } d ? PairwiseCorrelationAgreement(g, d, data.Units).R : null;
        var differences = new List<double>();
        for (int i = 0; i < data.Units; i++)
        {
            double difference = Math.Abs(generated.IsiCv[i] - data.IsiCv[i]);
            if (!double.IsNaN(difference))
            {
                differences.Add(difference);
            }
        }

        return new SpikingAgreement(rateR, rateUnits, pairwise, pairs, summed, SpikingStatistics.MedianDefined(differences), differences.Count);
    }

    /// <summary>
    /// Pearson's r between the entries [i, j], i &lt; j, of two correlation matrices [X, X] over the pairs where both are
    /// defined, and the number of those pairs.
    /// </summary>
    public static (double R, int Pairs) PairwiseCorrelationAgreement(double[] first, double[] second, int units)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Length != units * units || second.Length != units * units)
        {
            throw new ArgumentException($"correlation matrices of {first.Length} and {second.Length} values are not [{units}, {units}].", nameof(first));
        }

        var a = new List<double>();
        var b = new List<double>();
        for (int i = 0; i < units; i++)
        {
            for (int j = i + 1; j < units; j++)
            {
                double x = first[i * units + j], y = second[i * units + j];
                if (!double.IsNaN(x) && !double.IsNaN(y))
                {
                    a.Add(x);
                    b.Add(y);
                }
            }
        }

        return (Statistics.Correlation(a, b), a.Count);
    }

    /// <summary>Pearson's r of paired values over the pairs where both are defined, and the number of those pairs.</summary>
    private static (double R, int Count) CorrelationOfDefined(double[] first, double[] second)
    {
        var a = new List<double>();
        var b = new List<double>();
        for (int i = 0; i < first.Length; i++)
        {
            if (!double.IsNaN(first[i]) && !double.IsNaN(second[i]))
            {
                a.Add(first[i]);
                b.Add(second[i]);
            }
        }

        return (Statistics.Correlation(a, b), a.Count);
    }
}
