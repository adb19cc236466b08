using LowRank.Decoding;
using LowRank.Metrics;
using LowRank.Numerics;

namespace LowRank.Tests.Decoding;

/// <summary>The direction decoder of the per-condition comparison and its angles (docs/metrics.md, "Conditions").</summary>
public sealed class ReachDirectionDecoderTests
{
    [Fact]
    public void AnglesWrap()
    {
        Assert.Equal(20, Angles.Difference(10, 350), 12);
        Assert.Equal(-20, Angles.Difference(350, 10), 12);
        Assert.Equal(180, Angles.Error(0, 180), 12);
        Assert.Equal(0, Angles.CircularMean([350, 10]), 9);
        Assert.Equal(90, Angles.OfVector(0, 2), 12);
        Assert.Equal(315, Angles.OfVector(1, -1), 12);
        Assert.True(double.IsNaN(Angles.CircularMean([0, 180])));
    }

    /// <summary>T = 5, W = 2: windows cover steps 0–1 and 2–4; unit k's window w is feature k·W + w.</summary>
    [Fact]
    public void WindowFeaturesAreMeanCountsPerWindow()
    {
        // One trial [T = 5, K = 2]: unit 0 counts 0..4, unit 1 counts 10..14.
        double[] counts = [0, 10, 1, 11, 2, 12, 3, 13, 4, 14];
        var trials = new ConditionTrials(counts, 5, 2, [0], "one");
        Assert.Equal([0.5, 3, 10.5, 13], ReachDirectionDecoder.WindowFeatures(trials, 2));
    }

    /// <summary>
    /// K = 30 cosine-tuned Poisson units, a decoder fitted to 8 directions × 20 trials, applied to 40 trials of each of 4 directions
    /// between the training ones: the signed errors are unbiased (|mean| below 4 standard errors) and small (sd below 10°).
    /// </summary>
    [Fact]
    public void RecoversDirectionsBetweenTheTrainedOnesFromCosineTunedUnits()
    {
        double[] trained = [0, 45, 90, 135, 180, 225, 270, 315];
        double[] unseen = [22.5, 112.5, 200, 290];
        ConditionTrials truth = ReachFixtures.Trials(trained, 20, 30, 30, seed: 21);
        ConditionTrials test = ReachFixtures.Trials(unseen, 40, 30, 30, seed: 22);
        double[] decoded = ReachDirectionDecoder.Fit(truth, 5, ridge: 1).Decode(test);
        double[] errors = [.. decoded.Select((angle, s) => Angles.Difference(angle, test.Conditions[s]))];
        double mean = Statistics.Mean(errors), sd = Statistics.SampleSd(errors);
        Assert.InRange(mean, -4 * sd / Math.Sqrt(errors.Length), 4 * sd / Math.Sqrt(errors.Length));
        Assert.InRange(sd, 0, 10);
    }

    [Fact]
    public void CrossValidationDecodesEveryTrialWithoutItselfAndRepeatsWithTheSeed()
    {
        ConditionTrials truth = ReachFixtures.Trials([0, 90, 180, 270], 5, 20, 16, seed: 3);
        double[] first = ReachDirectionDecoder.CrossValidatedAngles(truth, 4, 1, 5, seed: 7);
        Assert.Equal(first, ReachDirectionDecoder.CrossValidatedAngles(truth, 4, 1, 5, seed: 7));
        Assert.NotEqual(first, ReachDirectionDecoder.CrossValidatedAngles(truth, 4, 1, 5, seed: 8));
        Assert.True(Statistics.Median([.. first.Select((a, s) => Angles.Error(a, truth.Conditions[s]))]) < 15);

        // Two trials, two folds: each is decoded by a decoder fitted to the other alone, which predicts its own label's
        // direction (the intercept is that label's (cos, sin); the weights see a single row and are 0).
        var two = new ConditionTrials([1, 2, 3, 4], 2, 1, [0, 90], "two");
        Assert.Equal([90, 0], ReachDirectionDecoder.CrossValidatedAngles(two, 1, 1, 5, seed: 0).Select(a => Math.Round(a, 9)));
    }
}
