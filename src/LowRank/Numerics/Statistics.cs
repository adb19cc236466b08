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

    /// <summary>Pearson's correlation of paired values; NaN when either has no spread or the lengths differ.</summary>
    public static double Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count || x.Count < 2)
        {
            return double.NaN;
        }

        double mx = Mean(x), my = Mean(y), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }

        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
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
