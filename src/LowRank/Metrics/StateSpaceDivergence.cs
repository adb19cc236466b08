using LowRank.Numerics;

namespace LowRank.Metrics;

// Dimension legend: T time steps, X channels, D Monte-Carlo draws. Series are row-major [T, X] (time first).

/// <summary>One Monte-Carlo estimate of D_stsp.</summary>
/// <param name="Value">The estimate of KL(data mixture ‖ generated mixture) over the kept draws; NaN if every draw was dropped.</param>
/// <param name="Dropped">Draws dropped by the float32-underflow emulation.</param>
/// <param name="Draws">Draws taken (kept + dropped).</param>
public readonly record struct StspEstimate(double Value, int Dropped, int Draws);

/// <summary>D_stsp over several Monte-Carlo seeds.</summary>
/// <param name="Mean">Mean of the per-seed estimates.</param>
/// <param name="StandardDeviation">Sample standard deviation (n − 1) of the per-seed estimates; 0 for a single seed.</param>
/// <param name="PerSeed">The estimate of each seed, in seed order.</param>
public sealed record StspSummary(double Mean, double StandardDeviation, IReadOnlyList<StspEstimate> PerSeed);

/// <summary>Settings of the D_stsp Monte-Carlo estimate; the defaults are the published ones.</summary>
public sealed record StspOptions
{
    /// <summary>Monte-Carlo draws per estimate (published: 1000).</summary>
    public int Draws { get; init; } = 1000;

    /// <summary>Only the first min(T, MaxSteps) steps enter the mixtures (published: 10000).</summary>
    public int MaxSteps { get; init; } = 10_000;

    /// <summary>Drop draws whose log-density under either mixture is below <see cref="StateSpaceDivergence.Float32UnderflowLogDensity"/> (published float32 behaviour).</summary>
    public bool EmulateFloat32Underflow { get; init; } = true;

    /// <summary>Most threads to use; −1 uses every core. The result does not depend on it.</summary>
    public int MaxThreads { get; init; } = -1;
}

/// <summary>
/// D_stsp, the state-space divergence: a Monte-Carlo estimate of KL(p_data ‖ p_gen) between two Gaussian
/// mixtures, each with an isotropic unit-variance component on every time point of its series.
/// </summary>
/// <remarks>
/// With S = min(T_data, MaxSteps) and both series cut to their first S steps,
/// <c>p(z) = (1/S) Σ_t exp(−½‖z − y_t‖²)</c> (no (2π)^{−X/2} factor, as published; it cancels in the ratio).
/// Draw d: t_d uniform on 0 … S_data − 1, <c>z_d = y_data[t_d] + ε_d</c>, ε_d ~ N(0, I_X);
/// estimate = mean over kept draws of <c>log p_data(z_d) − log p_gen(z_d)</c>.
/// The published computation ran in float32: a mixture density below the smallest positive float32
/// (2^−149 ≈ 1.4e−45) became 0 and the draw was discarded. With emulation on, a draw is dropped when either
/// log-density is below ln 2^−149 ≈ −103.28; the count is reported.
/// Randomness: the draws of one estimate come, in order (index t_d, then the X normals of ε_d), from
/// <c>Rng.Create(seed, stream)</c>; <see cref="EstimateOverSeeds"/> uses stream k for repetition k.
/// </remarks>
public sealed class StateSpaceDivergence
{
    /// <summary>ln(2^−149): the log of the smallest positive (subnormal) float32, ≈ −103.28.</summary>
    public static readonly double Float32UnderflowLogDensity = -149 * Math.Log(2.0);

    private readonly double[] _data; // [S_data, X]
    private readonly GaussianMixtureLogDensity _dataMixture;
    private readonly GaussianMixtureLogDensity _generatedMixture;
    private readonly StspOptions _options;

    /// <summary>
    /// Prepares the two mixtures. <paramref name="generated"/> [T_gen, X] and <paramref name="data"/> [T_data, X]
    /// are used as given (preprocess them first, see <see cref="Preprocessing"/>).
    /// </summary>
    public StateSpaceDivergence(ReadOnlySpan<double> generated, int generatedSteps, ReadOnlySpan<double> data, int dataSteps, int channels, StspOptions? options = null)
    {
        _options = options ?? new StspOptions();
        if (_options.Draws < 1 || _options.MaxSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Draws ({_options.Draws}) and MaxSteps ({_options.MaxSteps}) must be positive.");
        }

        Preprocessing.CheckShape(generated, generatedSteps, channels, nameof(generated));
        Preprocessing.CheckShape(data, dataSteps, channels, nameof(data));
        if (channels < 1 || generatedSteps < 1 || dataSteps < 1)
        {
            throw new ArgumentException($"D_stsp needs at least one step and one channel (generated [{generatedSteps}, {channels}], data [{dataSteps}, {channels}]).", nameof(channels));
        }

        // Both series cut to the first min(T_data, MaxSteps) steps (the generated one may be shorter).
        DataSteps = Math.Min(dataSteps, _options.MaxSteps);
        GeneratedSteps = Math.Min(generatedSteps, DataSteps);
        Channels = channels;
        _data = data[..(DataSteps * channels)].ToArray();
        _dataMixture = new GaussianMixtureLogDensity(_data, DataSteps, channels);
        _generatedMixture = new GaussianMixtureLogDensity(generated, GeneratedSteps, channels);
    }

    /// <summary>Steps of the data that form its mixture.</summary>
    public int DataSteps { get; }

    /// <summary>Steps of the generated series that form its mixture.</summary>
    public int GeneratedSteps { get; }

    /// <summary>X.</summary>
    public int Channels { get; }

    /// <summary>One estimate from the draws of <c>Rng.Create(seed, stream)</c>.</summary>
    public StspEstimate Estimate(long seed, long stream = 0)
    {
        int draws = _options.Draws, channels = Channels;
        double[] points = Draw(seed, stream);
        var logData = new double[draws];
        var logGenerated = new double[draws];
        _dataMixture.Evaluate(points, logData, _options.MaxThreads);
        _generatedMixture.Evaluate(points, logGenerated, _options.MaxThreads);
        return Combine(logData, logGenerated, _options.EmulateFloat32Underflow);
    }

    /// <summary>
    /// <paramref name="seeds"/> estimates, repetition k drawing from <c>Rng.Create(seed, k)</c>; their mean and
    /// sample standard deviation.
    /// </summary>
    public StspSummary EstimateOverSeeds(long seed, int seeds)
    {
        if (seeds < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(seeds), seeds, "At least one seed is needed.");
        }

        var perSeed = new StspEstimate[seeds];
        for (int k = 0; k < seeds; k++)
        {
            perSeed[k] = Estimate(seed, k);
        }

        return Summarise(perSeed);
    }

    /// <summary>Mean and sample standard deviation (n − 1; 0 for one value) of per-seed estimates.</summary>
    public static StspSummary Summarise(IReadOnlyList<StspEstimate> perSeed)
    {
        if (perSeed.Count == 0)
        {
            throw new ArgumentException("No estimates to summarise.", nameof(perSeed));
        }

        double[] values = [.. perSeed.Select(e => e.Value)];
        return new StspSummary(Statistics.Mean(values), Statistics.SampleSd(values), perSeed);
    }

    /// <summary>
    /// The estimate from per-draw log-densities: the mean of <c>logData − logGenerated</c> over the draws kept,
    /// summed in draw order. With <paramref name="emulateUnderflow"/>, a draw with either log-density below
    /// <see cref="Float32UnderflowLogDensity"/> is dropped.
    /// </summary>
    public static StspEstimate Combine(ReadOnlySpan<double> logData, ReadOnlySpan<double> logGenerated, bool emulateUnderflow)
    {
        if (logData.Length != logGenerated.Length)
        {
            throw new ArgumentException($"Per-draw log-densities differ in length: {logData.Length} and {logGenerated.Length}.", nameof(logGenerated));
        }

        double sum = 0;
        int kept = 0;
        for (int d = 0; d < logData.Length; d++)
        {
            if (emulateUnderflow && (logData[d] < Float32UnderflowLogDensity || logGenerated[d] < Float32UnderflowLogDensity))
            {
                continue;
            }

            sum += logData[d] - logGenerated[d];
            kept++;
        }

        double value = kept > 0 ? sum / kept : double.NaN;
        return new StspEstimate(value, logData.Length - kept, logData.Length);
    }

    /// <summary>The draws [D, X] of one estimate: row d = data[t_d] + ε_d.</summary>
    internal double[] Draw(long seed, long stream)
    {
        int draws = _options.Draws, channels = Channels;
        Rng rng = Rng.Create(seed, stream);
        var points = new double[draws * channels];
        for (int d = 0; d < draws; d++)
        {
            int t = rng.NextInt(DataSteps);
            for (int x = 0; x < channels; x++)
            {
                points[d * channels + x] = _data[t * channels + x] + rng.NextGaussian();
            }
        }

        return points;
    }
}
