namespace LowRank.Numerics;

/// <summary>Small descriptive statistics shared by reports.</summary>
public static class Statistics
{
    /// <summary>The median (mean of the two middle values for an even count); NaN for no values.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. values];
        Array.Sort(sorted);
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : 0.5 * (sorted[middle - 1] + sorted[middle]);
    }

    /// <summary>The mean, summed in order; NaN for no values.</summary>
    public static double Mean(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
        }

        return sum / values.Count;
    }

    /// <summary>The sample standard deviation (divisor n − 1) about <see cref="Mean"/>; 0 for fewer than two values.</summary>
    public static double SampleSd(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < 2)
        {
            return 0;
        }

        double mean = Mean(values), sumSquares = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sumSquares += (values[i] - mean) * (values[i] - mean);
        }

        return Math.Sqrt(sumSquares / (values.Count - 1));
    }
}
