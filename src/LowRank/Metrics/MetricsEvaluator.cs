using System.Text.Json.Serialization;

namespace LowRank.Metrics;

// Dimension legend: T time steps, X channels. Series are row-major [T, X] (time first).

/// <summary>
/// Settings of <see cref="MetricsEvaluator.Evaluate"/>. The defaults are the published EEG protocol:
/// the generated series is Hann-smoothed (15 points) and z-scored, the data is used as it is.
/// </summary>
public sealed record MetricsOptions
{
    /// <summary>Preprocessing of the generated series (published: Hann smoothing, then z-scoring).</summary>
    public SeriesPreprocessing GeneratedPreprocessing { get; init; } = SeriesPreprocessing.HannSmoothThenZScore;

    /// <summary>Preprocessing of the data (published: none; the EEG file is already smoothed and z-scored).</summary>
    public SeriesPreprocessing DataPreprocessing { get; init; } = SeriesPreprocessing.None;

    /// <summary>Length of the Hann window (odd; published 15).</summary>
    public int HannLength { get; init; } = Preprocessing.PublishedHannLength;

    /// <summary>Monte-Carlo seed of D_stsp; repetition k draws from <c>Rng.Create(Seed, k)</c>.</summary>
    public long Seed { get; init; }

    /// <summary>Number of Monte-Carlo repetitions of D_stsp that are averaged.</summary>
    public int Seeds { get; init; } = 5;

    /// <summary>Monte-Carlo draws per D_stsp estimate (published 1000).</summary>
    public int Draws { get; init; } = 1000;

    /// <summary>D_stsp uses the first min(T, MaxSteps) steps (published 10000).</summary>
    public int MaxSteps { get; init; } = 10_000;

    /// <summary>Drop draws whose density underflows float32 (published behaviour).</summary>
    public bool EmulateFloat32Underflow { get; init; } = true;

    /// <summary>Width of the Gaussian smoothing of the power spectra, in bins (published 20).</summary>
    public double SpectrumSigma { get; init; } = PowerSpectrum.PublishedSigma;

    /// <summary>Drop the last (Nyquist) bin of the normalised spectra and renormalise (docs/metrics.md).</summary>
    public bool SpectrumDropLastBin { get; init; } = true;

    /// <summary>Most threads to use; −1 uses every core. The figures do not depend on it.</summary>
    public int MaxThreads { get; init; } = -1;
}

/// <summary>The metrics of one generated series against the data.</summary>
public sealed record MetricsReport
{
    /// <summary>D_stsp: mean over the Monte-Carlo seeds.</summary>
    [JsonPropertyName("d_stsp")]
    public required double DStsp { get; init; }

    /// <summary>Sample standard deviation of D_stsp over the seeds (0 for one seed).</summary>
    [JsonPropertyName("d_stsp_sd")]
    public required double DStspSd { get; init; }

    /// <summary>D_stsp of each seed.</summary>
    [JsonPropertyName("d_stsp_per_seed")]
    public required double[] DStspPerSeed { get; init; }

    /// <summary>Draws dropped by the float32-underflow emulation, per seed.</summary>
    [JsonPropertyName("d_stsp_dropped")]
    public required int[] DStspDropped { get; init; }

    /// <summary>Draws per seed.</summary>
    [JsonPropertyName("d_stsp_draws")]
    public required int DStspDraws { get; init; }

    /// <summary>Steps of each series that entered D_stsp.</summary>
    [JsonPropertyName("d_stsp_steps")]
    public required int DStspSteps { get; init; }

    /// <summary>D_H: the power-spectrum Hellinger distance, mean over channels.</summary>
    [JsonPropertyName("d_h")]
    public required double DH { get; init; }

    /// <summary>D_H of each channel.</summary>
    [JsonPropertyName("d_h_per_channel")]
    public required double[] DHPerChannel { get; init; }
}

/// <summary>Computes D_stsp and D_H of a generated series against the data (docs/metrics.md).</summary>
public static class MetricsEvaluator
{
    /// <summary>
    /// Preprocesses <paramref name="generated"/> and <paramref name="data"/> (both [T, X]) as
    /// <paramref name="options"/> says, then computes D_stsp over the seeds and D_H.
    /// </summary>
    /// <exception cref="InputException">A series holds NaN or ±∞, or an option is out of range.</exception>
    public static MetricsReport Evaluate(double[] generated, double[] data, int steps, int channels, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        Preprocessing.CheckShape(generated, steps, channels, nameof(generated));
        Preprocessing.CheckShape(data, steps, channels, nameof(data));
        Validate(options, steps, channels);
        RequireFinite(generated, channels, "the generated series", "the model diverged; check the fit or generate again with another seed");
        RequireFinite(data, channels, "the data", "remove or interpolate missing samples before evaluating");

        double[] generatedReady = Preprocessing.Apply(generated, steps, channels, options.GeneratedPreprocessing, options.HannLength);
        double[] dataReady = Preprocessing.Apply(data, steps, channels, options.DataPreprocessing, options.HannLength);

        var stspOptions = new StspOptions
        {
            Draws = options.Draws,
            MaxSteps = options.MaxSteps,
            EmulateFloat32Underflow = options.EmulateFloat32Underflow,
            MaxThreads = options.MaxThreads,
        };
        var divergence = new StateSpaceDivergence(generatedReady, steps, dataReady, steps, channels, stspOptions);
        StspSummary stsp = divergence.EstimateOverSeeds(options.Seed, options.Seeds);

        double[] dhPerChannel = SpectrumHellinger.PerChannel(generatedReady, dataReady, steps, channels, options.SpectrumSigma, options.SpectrumDropLastBin, options.MaxThreads);
        double dh = 0;
        foreach (double d in dhPerChannel)
        {
            dh += d;
        }

        dh /= channels;

        var perSeed = new double[stsp.PerSeed.Count];
        var dropped = new int[stsp.PerSeed.Count];
        for (int k = 0; k < perSeed.Length; k++)
        {
            perSeed[k] = stsp.PerSeed[k].Value;
            dropped[k] = stsp.PerSeed[k].Dropped;
        }

        return new MetricsReport
        {
            DStsp = stsp.Mean,
            DStspSd = stsp.StandardDeviation,
            DStspPerSeed = perSeed,
            DStspDropped = dropped,
            DStspDraws = options.Draws,
            DStspSteps = divergence.DataSteps,
            DH = dh,
            DHPerChannel = dhPerChannel,
        };
    }

    private static void Validate(MetricsOptions options, int steps, int channels)
    {
        if (channels < 1 || steps < 2)
        {
            throw new InputException(
                $"the metrics need at least 2 time steps and 1 channel, got [{steps}, {channels}].",
                "evaluate a longer recording.");
        }

        if (options.Seeds < 1)
        {
            throw new InputException($"the number of D_stsp seeds must be at least 1, got {options.Seeds}.", "use 5 seeds, as the published protocol averages several.");
        }

        if (options.Draws < 1)
        {
            throw new InputException($"the number of D_stsp draws must be at least 1, got {options.Draws}.", "use 1000 draws (the published value).");
        }

        if (options.MaxSteps < 1)
        {
            throw new InputException($"the D_stsp step limit must be at least 1, got {options.MaxSteps}.", "use 10000 (the published value).");
        }

        if (options.HannLength < 1 || options.HannLength % 2 == 0)
        {
            throw new InputException($"the Hann window length must be odd and positive, got {options.HannLength}.", "use 15 (the published value).");
        }

        if (!(options.SpectrumSigma >= 0) || double.IsInfinity(options.SpectrumSigma))
        {
            throw new InputException($"the spectrum smoothing width must be finite and non-negative, got {options.SpectrumSigma}.", "use 20 bins (the published value).");
        }

        if (options.MaxThreads == 0 || options.MaxThreads < -1)
        {
            throw new InputException($"the thread count must be positive (or -1 for all cores), got {options.MaxThreads}.", "omit it to use every core.");
        }
    }

    private static void RequireFinite(double[] series, int channels, string what, string hint)
    {
        for (int i = 0; i < series.Length; i++)
        {
            if (!double.IsFinite(series[i]))
            {
                throw new InputException($"{what} holds {series[i]} at step {i / channels}, channel {i % channels}.", hint);
            }
        }
    }
}
