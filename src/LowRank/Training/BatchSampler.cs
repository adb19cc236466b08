using LowRank.Data;
using LowRank.Numerics;

namespace LowRank.Training;

/// <summary>
/// Cuts an epoch of <see cref="SequenceBatch"/>es from <see cref="TrainingData"/>: random windows of
/// length T from a continuous recording, or the trials in random order.
/// </summary>
/// <remarks>
/// Continuous: an epoch is <c>windowsPerEpoch</c> window starts drawn uniformly from
/// <c>[0, T_total − T]</c>, grouped into batches of B in draw order. Trials: an epoch is one pass over
/// all trials in a uniformly random order (Fisher–Yates), grouped into batches of B. The last batch is
/// smaller when B does not divide the count. All draws come from the epoch's generator, so an epoch
/// is a function of (seed, epoch) alone.
/// </remarks>
public sealed class BatchSampler
{
    private readonly TrainingData _data;
    private readonly int _batchSize;
    private readonly SequenceBatch _full;
    private readonly SequenceBatch? _last;

    public BatchSampler(TrainingData data, int batchSize, int windowLength, int windowsPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
        if (batchSize < 1)
        {
            throw new InputException($"the batch size must be at least 1 (got {batchSize}).", "pass --batch 1 or more.");
        }

        if (data.IsContinuous)
        {
            if (windowLength < 1 || windowLength > data.Steps)
            {
                throw new InputException(
                    $"the window length {windowLength} does not fit the recording of {data.Steps} steps.",
                    $"pass --window between 1 and {data.Steps}.");
            }

            if (windowsPerEpoch < 1)
            {
                throw new InputException($"the number of windows per epoch must be at least 1 (got {windowsPerEpoch}).", "pass 1 or more windows per epoch.");
            }

            WindowLength = windowLength;
            SequencesPerEpoch = windowsPerEpoch;
        }
        else
        {
            WindowLength = data.Steps;
            SequencesPerEpoch = data.Trials;
        }

        _batchSize = Math.Min(batchSize, SequencesPerEpoch);
        BatchesPerEpoch = (SequencesPerEpoch + _batchSize - 1) / _batchSize;
        _full = NewBatch(_batchSize);
        int remainder = SequencesPerEpoch % _batchSize;
        _last = remainder > 0 ? NewBatch(remainder) : null;
    }

    /// <summary>T of every sequence.</summary>
    public int WindowLength { get; }

    /// <summary>Windows (or trials) per epoch.</summary>
    public int SequencesPerEpoch { get; }

    /// <summary>Batches per epoch (the last one may be smaller).</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>The epoch's plan: window starts, or the trial order, one entry per sequence.</summary>
    public int[] DrawEpoch(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var plan = new int[SequencesPerEpoch];
        if (_data.IsContinuous)
        {
            int starts = _data.Steps - WindowLength + 1;
            for (int i = 0; i < plan.Length; i++)
            {
                plan[i] = rng.NextInt(starts);
            }
        }
        else
        {
            for (int i = 0; i < plan.Length; i++)
            {
                plan[i] = i;
            }

            for (int i = plan.Length - 1; i > 0; i--)
            {
                int j = rng.NextInt(i + 1);
                (plan[i], plan[j]) = (plan[j], plan[i]);
            }
        }

        return plan;
    }

    /// <summary>
    /// Batch <paramref name="batchIndex"/> of an epoch's <paramref name="plan"/>. The returned batch is
    /// reused by the next call (its arrays are overwritten).
    /// </summary>
    public SequenceBatch Batch(int[] plan, int batchIndex)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (batchIndex < 0 || batchIndex >= BatchesPerEpoch)
        {
            throw new ArgumentOutOfRangeException(nameof(batchIndex), batchIndex, $"an epoch has {BatchesPerEpoch} batches.");
        }

        int first = batchIndex * _batchSize;
        SequenceBatch batch = first + _batchSize <= SequencesPerEpoch ? _full : _last!;
        int x = _data.Channels, u = _data.Inputs, t = WindowLength;
        for (int b = 0; b < batch.Sequences; b++)
        {
            int entry = plan[first + b];
            // Continuous: steps [entry, entry + T) of the one recording; trials: all of trial `entry`.
            long step = _data.IsContinuous ? entry : (long)entry * _data.Steps;
            _data.Observations.AsSpan((int)(step * x), t * x).CopyTo(batch.Observations.AsSpan(b * t * x, t * x));
            if (u > 0)
            {
                _data.InputValues.AsSpan((int)(step * u), t * u).CopyTo(batch.InputValues.AsSpan(b * t * u, t * u));
            }
        }

        return batch;
    }

    private SequenceBatch NewBatch(int sequences)
    {
        int t = WindowLength, x = _data.Channels, u = _data.Inputs;
        return new SequenceBatch(sequences, t, x, new double[sequences * t * x], u, u > 0 ? new double[sequences * t * u] : null);
    }
}
