using static LowRank.InputException;

namespace LowRank.Data;

/// <summary>
/// What a fit trains on: either one continuous recording [T_total, X] from which random windows are
/// cut, or trials of equal length [trials, T, X] used whole. Optional inputs have the same layout
/// with U channels. Values are row-major doubles.
/// </summary>
public sealed class TrainingData
{
    private TrainingData(int trials, int steps, int channels, double[] observations, int inputs, double[] inputValues)
    {
        if (trials < 1 || steps < 1 || channels < 1)
        {
            throw new ArgumentException($"trials, T and X must be positive (got {trials}, {steps}, {channels}).");
        }

        if (observations.Length != (long)trials * steps * channels)
        {
            throw new ArgumentException($"observations hold {observations.Length} values but [{trials},{steps},{channels}] needs {(long)trials * steps * channels}.", nameof(observations));
        }

        if (inputs < 0 || inputValues.Length != (long)trials * steps * inputs)
        {
            throw new ArgumentException($"inputs must hold [{trials},{steps},{inputs}] values (got {inputValues.Length}).", nameof(inputValues));
        }

        Trials = trials;
        Steps = steps;
        Channels = channels;
        Observations = observations;
        Inputs = inputs;
        InputValues = inputValues;
    }

    /// <summary>One continuous recording [T_total, X] (inputs [T_total, U] or none): training cuts random windows from it.</summary>
    public static TrainingData Continuous(double[] observations, int steps, int channels, double[]? inputs = null, int inputCount = 0)
    {
        ArgumentNullException.ThrowIfNull(observations);
        return new TrainingData(1, steps, channels, observations, inputCount, inputs ?? []);
    }

    /// <summary>Trials of equal length [trials, T, X] (inputs [trials, T, U] or none): training uses whole trials.</summary>
    public static TrainingData FromTrials(double[] observations, int trials, int steps, int channels, double[]? inputs = null, int inputCount = 0)
    {
        ArgumentNullException.ThrowIfNull(observations);
        return new TrainingData(trials, steps, channels, observations, inputCount, inputs ?? []);
    }

    /// <summary>
    /// The samples (and inputs) of a loaded recording: one trial is a continuous recording, several
    /// are trials.
    /// </summary>
    public static TrainingData FromRecording(Recording recording)
    {
        ArgumentNullException.ThrowIfNull(recording);
        return new TrainingData(
            recording.Trials,
            recording.Steps,
            recording.Channels,
            recording.Samples.Data,
            recording.InputCount,
            recording.Inputs?.Data ?? []);
    }

    /// <summary>Number of trials (1 for a continuous recording).</summary>
    public int Trials { get; }

    /// <summary>T: steps per trial (T_total for a continuous recording).</summary>
    public int Steps { get; }

    /// <summary>X.</summary>
    public int Channels { get; }

    /// <summary>U (0 without inputs).</summary>
    public int Inputs { get; }

    /// <summary>[trials, T, X].</summary>
    public double[] Observations { get; }

    /// <summary>[trials, T, U] (empty without inputs).</summary>
    public double[] InputValues { get; }

    /// <summary>Whether training cuts windows from one recording (rather than using whole trials).</summary>
    public bool IsContinuous => Trials == 1;

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
            throw new InputException($"the held-out fraction must lie strictly between 0 and 1 (got {holdout}).", $"pass a fraction such as {Ref("Holdout")} 0.2.");
        }

        int split = count - (int)Math.Round(count * holdout, MidpointRounding.AwayFromZero);
        if (split < 1 || split >= count)
        {
            throw new InputException(
                $"holding out {holdout} of {count} leaves one side empty.",
                $"use a held-out fraction such as {Ref("Holdout")} 0.2 on longer data.");
        }

        return split;
    }

    /// <summary>
    /// Splits off the last <paramref name="holdout"/> of the data (of the steps of a continuous
    /// recording, of the trials otherwise): (training part, held-out part, index of the boundary).
    /// </summary>
    public (TrainingData Train, TrainingData HeldOut, int SplitIndex) Split(double holdout)
    {
        int split = SplitIndex(IsContinuous ? Steps : Trials, holdout);
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
            FromTrials(Observations[(split * perTrial)..], Trials - split, Steps, Channels, InputValues[(split * perTrialInputs)..], Inputs),
            split);
    }
}
