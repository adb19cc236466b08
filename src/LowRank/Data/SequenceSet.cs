namespace LowRank.Data;

/// <summary>
/// Equal-length sequences with their inputs: the data every sequence model trains, filters and scores on. A
/// recording's trials, one continuous recording (a single sequence, from which training cuts windows), a batch
/// of windows, the conditions of trial-averaged trajectories.
/// </summary>
/// <remarks>
/// Dimension legend: S sequences (<see cref="Count"/>), T steps, X channels, U inputs. Observations [S, T, X] and
/// inputs [S, T, U] are row-major doubles; U = 0 means no inputs. The shape checks of the whole trial-data family
/// live in <see cref="CheckShape"/>.
/// </remarks>
public sealed class SequenceSet
{
    /// <param name="count">S, the number of sequences.</param>
    /// <param name="steps">T.</param>
    /// <param name="channels">X.</param>
    /// <param name="observations">[S, T, X].</param>
    /// <param name="inputs">U (0 without inputs).</param>
    /// <param name="inputValues">[S, T, U] (null or empty without inputs).</param>
    public SequenceSet(int count, int steps, int channels, double[] observations, int inputs = 0, double[]? inputValues = null)
    {
        ArgumentNullException.ThrowIfNull(observations);
        inputValues ??= [];
        CheckShape(count, steps, channels, observations.Length, inputs, inputValues.Length);
        Count = count;
        Steps = steps;
        Channels = channels;
        Observations = observations;
        Inputs = inputs;
        InputValues = inputValues;
    }

    /// <summary>One continuous recording [T_total, X] (inputs [T_total, U] or none): training cuts random windows from it.</summary>
    public static SequenceSet Continuous(double[] observations, int steps, int channels, double[]? inputValues = null, int inputs = 0) =>
        new(1, steps, channels, observations, inputs, inputValues);

    /// <summary>Trials of equal length [trials, T, X] (inputs [trials, T, U] or none): training uses whole trials.</summary>
    public static SequenceSet FromTrials(double[] observations, int trials, int steps, int channels, double[]? inputValues = null, int inputs = 0) =>
        new(trials, steps, channels, observations, inputs, inputValues);

    /// <summary>S: trials, windows or conditions (1 for a continuous recording).</summary>
    public int Count { get; }

    /// <summary>T: steps per sequence (T_total for a continuous recording).</summary>
    public int Steps { get; }

    /// <summary>X.</summary>
    public int Channels { get; }

    /// <summary>U (0 without inputs).</summary>
    public int Inputs { get; }

    /// <summary>[S, T, X].</summary>
    public double[] Observations { get; }

    /// <summary>[S, T, U] (empty without inputs).</summary>
    public double[] InputValues { get; }

    /// <summary>Whether training cuts windows from one recording (rather than using whole sequences).</summary>
    public bool IsContinuous => Count == 1;

    /// <summary>SHA-256 (lower-case hex) of the shape and the values, observations then inputs: the data's identity in a checkpoint.</summary>
    public string ContentHash()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        ReadOnlySpan<int> shape = [Count, Steps, Channels, Inputs];
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(shape));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Observations.AsSpan()));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(InputValues.AsSpan()));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Observations of sequence <paramref name="index"/>: [T, X].</summary>
    public ReadOnlySpan<double> ObservationsOf(int index) => Observations.AsSpan(index * Steps * Channels, Steps * Channels);

    /// <summary>Inputs of sequence <paramref name="index"/>: [T, U] (empty without inputs).</summary>
    public ReadOnlySpan<double> InputsOf(int index) => Inputs > 0 ? InputValues.AsSpan(index * Steps * Inputs, Steps * Inputs) : [];

    /// <summary>
    /// The shape checks of trial data: S, T and X positive, U non-negative, and arrays holding S·T·X observations and
    /// S·T·U inputs. A mismatch is an <see cref="ArgumentException"/> (the caller built the arrays).
    /// </summary>
    public static void CheckShape(int count, int steps, int channels, long observations, int inputs, long inputValues)
    {
        if (count < 1 || steps < 1 || channels < 1 || inputs < 0)
        {
            throw new ArgumentException($"S, T and X must be positive and U non-negative (got [{count}, {steps}, {channels}] and U = {inputs}).");
        }

        if (observations != (long)count * steps * channels)
        {
            throw new ArgumentException($"observations hold {observations} values but [S, T, X] = [{count}, {steps}, {channels}] needs {(long)count * steps * channels}.", nameof(observations));
        }

        if (inputValues != (long)count * steps * inputs)
        {
            throw new ArgumentException($"inputs hold {inputValues} values but [S, T, U] = [{count}, {steps}, {inputs}] needs {(long)count * steps * inputs}.", nameof(inputValues));
        }
    }

    /// <summary>
    /// Where a held-out split of <paramref name="holdout"/> (a fraction in (0, 1)) falls in
    /// <paramref name="count"/> steps or trials: the first <c>count − round(count · holdout)</c> (halves rounded up) are for
    /// training, the rest are held out. <c>lowrank fit --holdout</c> and <c>lowrank evaluate --holdout</c>
    /// both use it, so they agree on the boundary.
    /// </summary>
    public static int SplitIndex(int count, double holdout)
    {
        if (!(holdout > 0 && holdout < 1))
        {
            throw new InputException($"the held-out fraction must lie strictly between 0 and 1 (got {holdout}).", $"pass a fraction such as {InputException.Ref("Holdout")} 0.2.");
        }

        int split = count - (int)Math.Round(count * holdout, MidpointRounding.AwayFromZero);
        if (split < 1 || split >= count)
        {
            throw new InputException(
                $"holding out {holdout} of {count} leaves one side empty.",
                $"use a held-out fraction such as {InputException.Ref("Holdout")} 0.2 on longer data.");
        }

        return split;
    }

    /// <summary>
    /// Splits off the last <paramref name="holdout"/> of the data (of the steps of a continuous
    /// recording, of the sequences otherwise): (training part, held-out part, index of the boundary).
    /// </summary>
    public (SequenceSet Train, SequenceSet HeldOut, int SplitIndex) Split(double holdout)
    {
        int split = SplitIndex(IsContinuous ? Steps : Count, holdout);
        if (IsContinuous)
        {
            return (
                Continuous(Observations[..(split * Channels)], split, Channels, InputValues[..(split * Inputs)], Inputs),
                Continuous(Observations[(split * Channels)..], Steps - split, Channels, InputValues[(split * Inputs)..], Inputs),
                split);
        }

        int perTrial = Steps * Channels, perTrialInputs = Steps * Inputs;
        return (
            FromTrials(Observations[..(split * perTrial)], split, Steps, Channels, InputValues[..(split * perTrialInputs)], Inputs),
            FromTrials(Observations[(split * perTrial)..], Count - split, Steps, Channels, InputValues[(split * perTrialInputs)..], Inputs),
            split);
    }
}
