namespace LowRank.Metrics;

/// <summary>Peri-stimulus time histograms (PSTHs) of a condition's trials and how well one matches another (docs/metrics.md, "Conditions").</summary>
/// <remarks>Dimensions: S trials, T steps, K units. A PSTH is [T, K] row-major.</remarks>
public static class PsthScores
{
    /// <summary>
    /// The PSTH of <paramref name="trials"/> of <paramref name="counts"/> [S, T, K]: the mean count over the trials at each step and unit,
    /// smoothed over time with a centred Gaussian of <paramref name="sigma"/> steps (<see cref="GaussianSmoothing.Smooth"/>; 0: none).
    /// </summary>
    /// <remarks>Effectively computes <c>psth[t, k] = Σ_j g_j · (1/|trials|) Σ_{s ∈ trials} counts[s, reflect(t + j), k]</c>.</remarks>
    public static void Psth(ReadOnlySpan<double> counts, int steps, int units, ReadOnlySpan<int> trials, double sigma, Span<double> destination)
    {
        int size = steps * units;
        if (destination.Length != size || trials.Length == 0 || counts.Length % size != 0)
        {
            throw new ArgumentException($"{trials.Length} trials of counts [{counts.Length / Math.Max(size, 1)}, {steps}, {units}] into a PSTH of {destination.Length} values; expected [{steps}, {units}] from at least 1 trial.", nameof(destination));
        }

        var mean = new double[size];
        foreach (int s in trials)
        {
            ReadOnlySpan<double> trial = counts.Slice(s * size, size);
            for (int i = 0; i < size; i++)
            {
                mean[i] += trial[i];
            }
        }

        var column = new double[steps];
        var smoothed = new double[steps];
        for (int k = 0; k < units; k++)
        {
            for (int t = 0; t < steps; t++)
            {
                column[t] = mean[(t * units) + k] / trials.Length;
            }

            GaussianSmoothing.Smooth(column, sigma, smoothed);
            for (int t = 0; t < steps; t++)
            {
                destination[(t * units) + k] = smoothed[t];
            }
        }
    }

    /// <summary>
    /// The R² of a generated PSTH against the true one over all their entries:
    /// <c>1 − Σ (gen − true)² / Σ (true − mean(true))²</c>, the mean over all steps and units; NaN when the true PSTH is constant.
    /// </summary>
    public static double PopulationR2(ReadOnlySpan<double> generated, ReadOnlySpan<double> truth)
    {
        RequireSameLength(generated, truth);
        double mean = 0;
        foreach (double v in truth)
        {
            mean += v;
        }

        mean /= truth.Length;
        double residual = 0, total = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            residual += (generated[i] - truth[i]) * (generated[i] - truth[i]);
            total += (truth[i] - mean) * (truth[i] - mean);
        }

        return total > 0 ? 1 - (residual / total) : double.NaN;
    }

    /// <summary>
    /// The R² of each unit's generated PSTH against its true one over time, about the unit's own temporal mean [K]:
    /// <c>1 − Σ_t (gen_tk − true_tk)² / Σ_t (true_tk − mean_t true_tk)²</c>; NaN for a unit whose true PSTH is constant.
    /// </summary>
    public static void UnitR2(ReadOnlySpan<double> generated, ReadOnlySpan<double> truth, int units, Span<double> destination)
    {
        RequireSameLength(generated, truth);
        int steps = truth.Length / units;
        if (destination.Length != units || steps * units != truth.Length)
        {
            throw new ArgumentException($"PSTHs of {truth.Length} values and a destination of {destination.Length}; expected [T, {units}] and [{units}].", nameof(destination));
        }

        for (int k = 0; k < units; k++)
        {
            double mean = 0;
            for (int t = 0; t < steps; t++)
            {
                mean += truth[(t * units) + k];
            }

            mean /= steps;
            double residual = 0, total = 0;
            for (int t = 0; t < steps; t++)
            {
                double g = generated[(t * units) + k], y = truth[(t * units) + k];
                residual += (g - y) * (g - y);
                total += (y - mean) * (y - mean);
            }

            destination[k] = total > 0 ? 1 - (residual / total) : double.NaN;
        }
    }

    /// <summary>Each unit's mean count over <paramref name="trials"/> and all steps of <paramref name="counts"/> [S, T, K] [K].</summary>
    public static double[] MeanCounts(ReadOnlySpan<double> counts, int steps, int units, ReadOnlySpan<int> trials)
    {
        int size = steps * units;
        var mean = new double[units];
        foreach (int s in trials)
        {
            ReadOnlySpan<double> trial = counts.Slice(s * size, size);
            for (int i = 0; i < size; i++)
            {
                mean[i % units] += trial[i];
            }
        }

        for (int k = 0; k < units; k++)
        {
            mean[k] /= (double)trials.Length * steps;
        }

        return mean;
    }

    private static void RequireSameLength(ReadOnlySpan<double> generated, ReadOnlySpan<double> truth)
    {
        if (generated.Length != truth.Length || truth.Length == 0)
        {
            throw new ArgumentException($"the generated PSTH has {generated.Length} values and the true one {truth.Length}; expected the same, at least 1.", nameof(generated));
        }
    }
}
