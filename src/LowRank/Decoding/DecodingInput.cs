namespace LowRank.Decoding;

/// <summary>
/// What a decoding reads, all on one time axis of T steps (S trials of L steps concatenated in order): the latents,
/// the behaviour and, for the baselines, the spike counts.
/// </summary>
/// <param name="Latents">Posterior latent means [T, R].</param>
/// <param name="Rank">R.</param>
/// <param name="Behaviour">The behaviour to decode [T, B].</param>
/// <param name="Outputs">B.</param>
/// <param name="TrialLength">L: smoothing never crosses a multiple of L (T for one continuous recording).</param>
/// <param name="Counts">Spike counts [T, N] for the baselines, or null to skip them.</param>
/// <param name="Channels">N (0 without counts).</param>
/// <param name="BehaviourName">How messages name the behaviour (e.g. its file).</param>
/// <param name="CountsName">How messages name the counts.</param>
public sealed record DecodingInput(
    double[] Latents,
    int Rank,
    double[] Behaviour,
    int Outputs,
    int TrialLength,
    double[]? Counts = null,
    int Channels = 0,
    string BehaviourName = "the behaviour",
    string CountsName = "the spike counts")
{
    /// <summary>T, the steps of the common time axis.</summary>
    public int Steps => Rank > 0 ? Latents.Length / Rank : 0;

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> when the arrays disagree in shape (a programmer error), and an
    /// <see cref="InputException"/> when the latents, behaviour or counts hold a value that is not finite.
    /// </summary>
    public void Check()
    {
        ArgumentNullException.ThrowIfNull(Latents);
        ArgumentNullException.ThrowIfNull(Behaviour);
        ArgumentOutOfRangeException.ThrowIfLessThan(Rank, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Outputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(TrialLength, 1);
        int steps = Steps;
        if (steps < 1 || Latents.Length != steps * Rank || steps % TrialLength != 0)
        {
            throw new ArgumentException($"the latents hold {Latents.Length} values: not [T, {Rank}] with T ≥ 1 a multiple of the trial length {TrialLength}.", nameof(Latents));
        }

        if (Behaviour.Length != steps * Outputs)
        {
            throw new ArgumentException($"the behaviour holds {Behaviour.Length} values, not [{steps}, {Outputs}].", nameof(Behaviour));
        }

        if (Counts is not null && (Channels < 1 || Counts.Length != steps * Channels))
        {
            throw new ArgumentException($"the counts hold {Counts.Length} values, not [{steps}, {Channels}] with {Channels} ≥ 1.", nameof(Counts));
        }

        RequireFinite(Latents, Rank, "the posterior latents", "infer the posterior again; a finite model gives finite latent means.");
        RequireFinite(Behaviour, Outputs, BehaviourName, "drop or interpolate the missing steps of the behaviour, and of the recording with them, before inferring the posterior.");
        if (Counts is not null)
        {
            RequireFinite(Counts, Channels, CountsName, "the smoothed-count baselines need every bin; fill or drop the missing bins.");
        }
    }

    private static void RequireFinite(double[] values, int columns, string name, string hint)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new InputException($"{name} has the value {values[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} at step {i / columns}, column {i % columns}; decoding needs finite values.", hint);
            }
        }
    }
}
