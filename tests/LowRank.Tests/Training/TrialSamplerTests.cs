using LowRank.Training;

namespace LowRank.Tests.Training;

public sealed class TrialSamplerTests
{
    private static int[][] Epoch(TrialSampler sampler, int epoch)
    {
        sampler.BeginEpoch(epoch, 0);
        return [.. Enumerable.Range(0, sampler.BatchesPerEpoch).Select(b => sampler.Batch(b).Trials.ToArray())];
    }

    [Fact]
    public void EveryEpochIsAPermutationSplitIntoBatches()
    {
        var sampler = new TrialSampler(10, 4, seed: 3, shuffleFullBatch: false);
        Assert.Equal(3, sampler.BatchesPerEpoch);
        for (int e = 0; e < 5; e++)
        {
            int[][] batches = Epoch(sampler, e);
            Assert.Equal([4, 4, 2], batches.Select(b => b.Length));
            Assert.Equal(Enumerable.Range(0, 10), batches.SelectMany(b => b).Order());
            Assert.Equal([4, 4, 2], Enumerable.Range(0, 3).Select(sampler.ItemsIn));
        }
    }

    [Fact]
    public void AnEpochAskedOutOfSequenceReplaysTheSameOrder()
    {
        var sequential = new TrialSampler(9, 2, seed: 5, shuffleFullBatch: true);
        int[][][] epochs = [.. Enumerable.Range(0, 6).Select(e => Epoch(sequential, e))];
        Assert.NotEqual(epochs[3], epochs[4]);

        var resumed = new TrialSampler(9, 2, seed: 5, shuffleFullBatch: true);
        Assert.Equal(epochs[4], Epoch(resumed, 4));
        Assert.Equal(epochs[5], Epoch(resumed, 5));
        Assert.Equal(epochs[2], Epoch(resumed, 2));
    }

    [Fact]
    public void OneFullBatchIsNotShuffledUnlessAsked()
    {
        var plain = new TrialSampler(6, 10, seed: 1, shuffleFullBatch: false);
        Assert.Equal(6, plain.BatchSize);
        Assert.Equal(Enumerable.Range(0, 6), Epoch(plain, 3)[0]);

        var shuffled = new TrialSampler(6, 10, seed: 1, shuffleFullBatch: true);
        Assert.NotEqual(Enumerable.Range(0, 6), Epoch(shuffled, 0)[0]);
    }

    [Fact]
    public void BatchesCarryTheEpochFromOneAndTheRunningStep()
    {
        var sampler = new TrialSampler(5, 2, seed: 2, shuffleFullBatch: false);
        sampler.BeginEpoch(2, 0);
        TrialBatch batch = sampler.Batch(1);
        Assert.Equal(3, batch.Epoch);
        Assert.Equal(2 * 3 + 1, batch.Step);
    }
}
