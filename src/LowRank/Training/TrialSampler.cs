using LowRank.Numerics;

namespace LowRank.Training;

/// <summary>The trials of one gradient step, and where it stands in the run.</summary>
/// <param name="Trials">Indices into the training trials.</param>
/// <param name="Epoch">The epoch it belongs to, from 1.</param>
/// <param name="Step">Gradient steps taken before it in the run.</param>
public readonly record struct TrialBatch(ReadOnlyMemory<int> Trials, int Epoch, long Step);

/// <summary>
/// Splits n trials into batches of B in a shuffled order, epoch after epoch, for objectives that evaluate
/// whole trials (rate networks trained by BPTT, Gaussian-mixture networks).
/// </summary>
/// <remarks>
/// Epoch e (from 1) shuffles the previous epoch's order in place with <c>Rng.Create(seed, e)</c> (Fisher–Yates), so the order
/// depends on every earlier epoch; a sampler asked for an epoch out of sequence (resume, rollback) replays
/// the shuffles from the identity. With <c>shuffleFullBatch</c> false, a single batch holding every trial is
/// never shuffled. The last batch is smaller when B does not divide n.
/// </remarks>
public sealed class TrialSampler : IBatchSampler<TrialBatch>
{
    private readonly int[] _order;
    private readonly int _batchSize;
    private readonly long _seed;
    private readonly bool _shuffles;
    private int _epochsDrawn;
    private int _epoch;

    /// <param name="trials">n.</param>
    /// <param name="batchSize">B (at most n; values below 1 mean 1).</param>
    /// <param name="seed">Seed of the shuffles.</param>
    /// <param name="shuffleFullBatch">Whether to shuffle when one batch holds every trial.</param>
    public TrialSampler(int trials, int batchSize, long seed, bool shuffleFullBatch)
    {
        if (trials < 1)
        {
            throw new ArgumentException("no training trials.", nameof(trials));
        }

        _order = Enumerable.Range(0, trials).ToArray();
        _batchSize = Math.Min(Math.Max(1, batchSize), trials);
        _seed = seed;
        _shuffles = shuffleFullBatch || _batchSize < trials;
        BatchesPerEpoch = (trials + _batchSize - 1) / _batchSize;
    }

    public int BatchesPerEpoch { get; }

    public int ItemsPerEpoch => _order.Length;

    /// <summary>B.</summary>
    public int BatchSize => _batchSize;

    public void BeginEpoch(int epoch, int attempt)
    {
        if (_shuffles)
        {
            if (epoch != _epochsDrawn)
            {
                for (int i = 0; i < _order.Length; i++)
                {
                    _order[i] = i;
                }

                for (int e = 0; e < epoch; e++)
                {
                    Rng.Create(_seed, e + 1).Shuffle(_order);
                }
            }

            Rng.Create(_seed, epoch + 1).Shuffle(_order);
            _epochsDrawn = epoch + 1;
        }

        _epoch = epoch;
    }

    public TrialBatch Batch(int index)
    {
        int start = index * _batchSize;
        return new TrialBatch(_order.AsMemory(start, ItemsIn(index)), _epoch + 1, (long)_epoch * BatchesPerEpoch + index);
    }

    public int ItemsIn(int index) => Math.Min(_batchSize, _order.Length - index * _batchSize);
}
