using LowRank.Decoding;
using LowRank.Formats;
using LowRank.Metrics;
using LowRank.Numerics;

namespace LowRank.Tests.Decoding;

/// <summary>The per-condition evaluation: seen and unseen groups and the settings checked against the data.</summary>
public sealed class ConditionEvaluatorTests
{
    private static readonly double[] Directions = [0, 45, 90, 135, 180, 225, 270, 315];

    [Fact]
    public void GroupsAreMediansOverTheirConditions()
    {
        ConditionTrials truth = ReachFixtures.Trials(Directions, 10, 20, 24, seed: 1);
        ConditionTrials generated = ReachFixtures.Trials(Directions, 8, 20, 24, seed: 2);
        var options = new ConditionEvaluationOptions { SeenConditions = [0, 90, 180, 270, 45, 225] };
        ConditionEvaluation result = ConditionEvaluator.Evaluate(generated, truth, options);

        Assert.Equal(Directions, result.Conditions.Select(c => c.Condition));
        Assert.Equal([135.0, 315], result.Unseen.Conditions);
        Assert.Equal([0.0, 45, 90, 180, 225, 270], result.Seen.Conditions);
        ConditionScore[] unseen = [.. result.Conditions.Where(c => !c.Seen)];
        Assert.Equal((unseen[0].Psth.PopulationR2 + unseen[1].Psth.PopulationR2) / 2, result.Unseen.PsthR2Population!.Value, 12);
        Assert.Equal((unseen[0].AngleErrorDeg + unseen[1].AngleErrorDeg) / 2, result.Unseen.AngleErrorDeg!.Value, 12);
        Assert.Equal(8 * 8, result.GeneratedAngles.Length);
        Assert.Equal(5, result.Folds);

        // The same rates: PSTHs agree up to Poisson noise, the directions decode within a few degrees.
        Assert.All(result.Conditions, c =>
        {
            Assert.InRange(c.Psth.PopulationR2, 0.5, 1);
            Assert.InRange(c.AngleErrorDeg, 0, 15);
            Assert.InRange(Angles.Error(c.DecodedAngleDeg, c.Condition), 0, 15);
        });
        Assert.InRange(result.DecoderTruthAngleErrorDeg, 0, 15);
    }

    [Fact]
    public void WithoutSeenConditionsAllAreSeen()
    {
        ConditionTrials truth = ReachFixtures.Trials([0, 180], 3, 10, 4, seed: 1);
        ConditionEvaluation result = ConditionEvaluator.Evaluate(ReachFixtures.Trials([0, 180], 2, 10, 4, seed: 2), truth, new ConditionEvaluationOptions());
        Assert.All(result.Conditions, c => Assert.True(c.Seen));
        Assert.Empty(result.Unseen.Conditions);
        Assert.Null(result.Unseen.PsthR2Population);
        Assert.Null(result.Unseen.AngleErrorDeg);
        Assert.Equal(5, result.Folds);
    }

    [Fact]
    public void SettingsOutsideTheDataAreInputErrors()
    {
        ConditionTrials truth = ReachFixtures.Trials([0, 180], 3, 4, 4, seed: 1, source: "the true trials");
        ConditionTrials generated = ReachFixtures.Trials([0, 180], 2, 4, 4, seed: 2);
        InputException unknown = Assert.Throws<InputException>(() => ConditionEvaluator.Evaluate(generated, truth, new ConditionEvaluationOptions { SeenConditions = [0, 90] }));
        Assert.Equal("SeenConditions names condition 90, which no trial of the true trials has (its conditions: 0,180).", unknown.Message);
        Assert.Equal("SeenConditions", unknown.Setting);
        InputException windows = Assert.Throws<InputException>(() => ConditionEvaluator.Evaluate(generated, truth, new ConditionEvaluationOptions()));
        Assert.Equal("DecoderWindows", windows.Setting);
        Assert.Equal("PsthSmoothing", Assert.Throws<InputException>(() => new ConditionEvaluationOptions { PsthSmoothing = -1 }.Validate()).Setting);
        Assert.Equal("Ridge", Assert.Throws<InputException>(() => new ConditionEvaluationOptions { Ridge = 0 }.Validate()).Setting);
    }

    [Fact]
    public void LatentsAreConditionMeansReducedToTwoDimensions()
    {
        double[] labels = [0, 0, 90, 90];
        int[][] groups = [[0, 1], [2, 3]];
        double[] three = ReachFixtures.Latents(labels, 6, 3, seed: 4);
        ConditionLatents reduced = ConditionLatents.Of(NdArray.Create(three, 4, 6, 3), 4, 6, groups, "gen");
        Assert.Equal(["PC1", "PC2"], reduced.AxisNames);
        Assert.Equal(2, reduced.Trajectories.Count);
        Assert.Equal(12, reduced.Trajectories[0].Length);
        Assert.InRange(reduced.ExplainedFraction!.Value, 0.9, 1);

        // R = 1: the condition means themselves.
        double[] one = [1, 2, 3, 5, 7, 9];
        ConditionLatents single = ConditionLatents.Of(NdArray.Create(one, 2, 3, 1), 2, 3, [[0, 1]], "gen");
        Assert.Equal(["z1"], single.AxisNames);
        Assert.Equal([3.0, 4.5, 6], single.Trajectories[0]);
        Assert.Null(single.ExplainedFraction);

        Assert.Contains("expected [2, 3, R]", Assert.Throws<InputException>(() => ConditionLatents.Of(NdArray.Create(one, 3, 2, 1), 2, 3, [[0, 1]], "gen")).Message);
    }
}
