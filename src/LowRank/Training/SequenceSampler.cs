using LowRank.Data;
using LowRank.Numerics;
using static LowRank.InputException;

namespace LowRank.Training;

/// <summary>A batch of equal-length sequences with the seed of the objective's randomness on it.</summary>
/// <param name="Sequences">Observations [B, T, X] and inputs [B, T, U] (a buffer the sampler reuses).</param>
/// <param name="Seed">Seed of the objective's draws; sequence b uses stream b of it.</param>
public readonly record struct SeededBatch(SequenceSet Sequences, long Seed);

/// <summary>
/// Cuts an epoch of <see cref="SequenceSet"/>es from <see cref="SequenceSet"/>: random windows of
/// length T from a continuous recording, or the trials in random order; each batch carries a seed.
/// </summary>
/// <remarks>
/// Continuous: an epoch is <c>windowsPerEpoch</c> window starts drawn uniformly from
/// <c>[0, T_total − T]</c>, grouped into batches of B in draw order. Trials: an epoch is one pass over
/// all trials in a uniformly random order (Fisher–Yates), grouped into batches of B. The last batch is
/// smaller when B does not divide the count. As an <see cref="IBatchSampler{TBatch}"/>, epoch e after r
/// rollbacks draws its plan and then, batch by batch, each batch's seed from
/// <c>Rng.Create(seed, 2⁴⁸ + r · 2³² + e)</c> (clear of the low streams used to initialise a model), so an
/// epoch is a function of (seed, epoch, rollbacks) alone.
/// </remarks>
public sealed class SequenceSampler : IBatchSampler<SeededBatch>
{
    private readonly SequenceSet _data;
    private readonly int _batchSize;
    private readonly SequenceSet _full;
    private readonly SequenceSet? _last;

    private readonly long _seed;
    private Rng? _epochRng;
    private int[] _plan = [];

    /// <param name="data">What is sampled.</param>
    /// <param name="batchSize">B.</param>
    /// <param name="windowLength">T of the windows cut from a continuous recording (trials are used whole).</param>
    /// <param name="windowsPerEpoch">Windows per epoch from a continuous recording.</param>
    /// <param name="seed">Seed of the epochs' plans and batch seeds.</param>
    public SequenceSampler(SequenceSet data, int batchSize, int windowLength, int windowsPerEpoch, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
        _seed = seed;
        if (batchSize < 1)
        {
            throw new InputException($"the batch size must be at least 1 (got {batchSize}).", $"pass {Ref("BatchSize")} 1 or more.");
        }

        if (data.IsContinuous)
        {
            if (windowLength < 1 || windowLength > data.Steps)
            {
                throw new InputException(
                    $"the window length {windowLength} does not fit the recording of {data.Steps} steps.",
                    $"pass {Ref("WindowLength")} between 1 and {data.Steps}.");
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
            SequencesPerEpoch = data.Count;
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

    int IBatchSampler<SeededBatch>.ItemsPerEpoch => SequencesPerEpoch;

    /// <summary>The random stream of epoch <paramref name="epoch"/> after <paramref name="rollbacks"/> rollbacks.</summary>
    public static long EpochStream(int epoch, int rollbacks) => (1L << 48) + ((long)rollbacks << 32) + epoch;

    public void BeginEpoch(int epoch, int attempt)
    {
        _epochRng = Rng.Create(_seed, EpochStream(epoch, attempt));
        _plan = DrawEpoch(_epochRng);
    }

    /// <summary>Batch <paramref name="index"/> of the current epoch and its seed, the next draw of the epoch's generator (take the batches in order).</summary>
    public SeededBatch Batch(int index)
    {
        Rng rng = _epochRng ?? throw new InvalidOperationException("call BeginEpoch before taking batches.");
        SequenceSet batch = Batch(_plan, index);
        return new SeededBatch(batch, (long)rng.NextUInt64());
    }

    public int ItemsIn(int index) => Math.Min(_batchSize, SequencesPerEpoch - index * _batchSize);

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

            rng.Shuffle(plan);
        }

        return plan;
    }

    /// <summary>
    /// Batch <paramref name="batchIndex"/> of an epoch's <paramref name="plan"/>. The returned batch is
    /// reused by the next call (its arrays are overwritten).
    /// </summary>
    public SequenceSet Batch(int[] plan, int batchIndex)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (batchIndex < 0 || batchIndex >= BatchesPerEpoch)
        {
            throw new ArgumentOutOfRangeException(nameof(batchIndex), batchIndex, $"an epoch has {BatchesPerEpoch} batches.");
        }

        int first = batchIndex * _batchSize;
        SequenceSet batch = first + _batchSize <= SequencesPerEpoch ? _full : _last!;
        int x = _data.Channels, u = _data.Inputs, t = WindowLength;
        for (int b = 0; b < batch.Count; b++)
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

    private SequenceSet NewBatch(int sequences)
    {
        int t = WindowLength, x = _data.Channels, u = _data.Inputs;
        return new SequenceSet(sequences, t, x, new double[sequences * t * x], u, u > 0 ? new double[sequences * t * u] : null);
    }
}
