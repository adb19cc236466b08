namespace LowRank.Training;

/// <summary>
/// Splits an epoch into the batches of a <see cref="Trainer{TBatch}"/>: which sequences or trials each
/// gradient step sees, in which order, with which randomness.
/// </summary>
/// <remarks>
/// An epoch is a function of (seed, epoch, attempt) alone, so a resumed or rolled-back run replays exactly
/// what an uninterrupted one would have done. The trainer calls <see cref="BeginEpoch"/> and then takes the
/// batches of that epoch in order, each once.
/// </remarks>
/// <typeparam name="TBatch">What the objective evaluates.</typeparam>
public interface IBatchSampler<out TBatch>
{
    /// <summary>Batches per epoch (the last one may be smaller).</summary>
    int BatchesPerEpoch { get; }

    /// <summary>Sequences or trials per epoch: the weight of the epoch's mean objective.</summary>
    int ItemsPerEpoch { get; }

    /// <summary>Draws the plan of epoch <paramref name="epoch"/> (from 0); <paramref name="attempt"/> counts earlier rollbacks.</summary>
    void BeginEpoch(int epoch, int attempt);

    /// <summary>Batch <paramref name="index"/> of the current epoch.</summary>
    TBatch Batch(int index);

    /// <summary>Sequences or trials in batch <paramref name="index"/>.</summary>
    int ItemsIn(int index);
}
