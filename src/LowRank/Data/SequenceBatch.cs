namespace LowRank.Data;

/// <summary>
/// A batch of B equal-length sequences: observations [B,T,X] and optional inputs [B,T,U], row-major.
/// </summary>
public sealed class SequenceBatch
{
    public SequenceBatch(int sequences, int steps, int channels, double[] observations, int inputs = 0, double[]? inputValues = null)
    {
        ArgumentNullException.ThrowIfNull(observations);
        if (sequences < 1 || steps < 1 || channels < 1)
        {
            throw new ArgumentException($"B, T and X must be positive (got {sequences}, {steps}, {channels}).");
        }

        if (observations.Length != sequences * steps * channels)
        {
            throw new ArgumentException($"observations hold {observations.Length} values but [B,T,X] = [{sequences},{steps},{channels}] needs {sequences * steps * channels}.", nameof(observations));
        }

        if (inputs > 0 && (inputValues is null || inputValues.Length != sequences * steps * inputs))
        {
            throw new ArgumentException($"inputs must hold [B,T,U] = [{sequences},{steps},{inputs}] values.", nameof(inputValues));
        }

        Sequences = sequences;
        Steps = steps;
        Channels = channels;
        Observations = observations;
        Inputs = inputs;
        InputValues = inputs > 0 ? inputValues! : [];
    }

    /// <summary>B.</summary>
    public int Sequences { get; }

    /// <summary>T.</summary>
    public int Steps { get; }

    /// <summary>X.</summary>
    public int Channels { get; }

    /// <summary>U (0 without inputs).</summary>
    public int Inputs { get; }

    /// <summary>[B,T,X].</summary>
    public double[] Observations { get; }

    /// <summary>[B,T,U] (empty without inputs).</summary>
    public double[] InputValues { get; }

    /// <summary>Observations of sequence b: [T,X].</summary>
    public ReadOnlySpan<double> ObservationsOf(int b) => Observations.AsSpan(b * Steps * Channels, Steps * Channels);

    /// <summary>Inputs of sequence b: [T,U] (empty without inputs).</summary>
    public ReadOnlySpan<double> InputsOf(int b) => Inputs > 0 ? InputValues.AsSpan(b * Steps * Inputs, Steps * Inputs) : [];
}
