using LowRank.Data;
using LowRank.Tasks;

namespace LowRank.Tests.Tasks;

public sealed class CognitiveTaskTests
{
    [Theory]
    [InlineData("cdi")]
    [InlineData("dms")]
    [InlineData("romo")]
    [InlineData("rdm")]
    public void SameSeedAndIndexGiveTheSameTrial(string name)
    {
        CognitiveTask task = CognitiveTask.Create(name);
        Trial a = task.Generate(3, 41);
        Trial b = task.Generate(3, 41);
        Trial c = task.Generate(3, 42);
        Assert.Equal(a.InputValues, b.InputValues);
        Assert.Equal(a.Targets, b.Targets);
        Assert.NotEqual(a.InputValues, c.InputValues);
    }

    [Theory]
    [InlineData("cdi")]
    [InlineData("dms")]
    [InlineData("romo")]
    [InlineData("rdm")]
    public void MaskCoversOnlyTheFinalResponsePeriodAndTargetsAreZeroElsewhere(string name)
    {
        CognitiveTask task = CognitiveTask.Create(name);
        int expected = name switch { "cdi" => 1, "dms" => 50, "romo" => 5, _ => 15 };
        for (int i = 0; i < 50; i++)
        {
            Trial trial = task.Generate(1, i);
            int first = Array.IndexOf(trial.Mask, 1f);
            Assert.Equal(trial.Steps - expected, first);
            Assert.All(trial.Mask.Skip(first), m => Assert.Equal(1f, m));
            Assert.All(trial.Targets.Take(first), y => Assert.Equal(0f, y));
            Assert.NotEqual(0f, trial.Targets[^1]);
        }
    }

    [Fact]
    public void CdiTargetIsTheSignOfTheCuedCoherenceAndNoiseHasTheStatedSd()
    {
        var task = new ContextDependentIntegrationTask();
        int start = ContextDependentIntegrationTask.FixationSteps + ContextDependentIntegrationTask.ContextSteps;
        int length = ContextDependentIntegrationTask.StimulusSteps;
        double sumSquares = 0;
        long count = 0;
        int contextOne = 0;
        const int trials = 400;
        for (int i = 0; i < trials; i++)
        {
            Trial trial = task.Generate(7, i);
            int cueFrom = ContextDependentIntegrationTask.FixationSteps;
            int context = MeanOver(trial, cueFrom, trial.Steps, 3) > MeanOver(trial, cueFrom, trial.Steps, 2) ? 1 : 0;
            contextOne += context;
            double mean = 0;
            for (int t = start; t < start + length; t++)
            {
                mean += trial.InputValues[t * 4 + context];
            }

            mean /= length;
            // The stimulus mean is within 4 standard errors (0.1/√40) of a coherence of the cued sign.
            double nearest = ContextDependentIntegrationTask.Coherences.MinBy(c => Math.Abs(c - mean));
            Assert.True(Math.Abs(mean - nearest) < 4 * 0.1 / Math.Sqrt(length));
            Assert.Equal(Math.Sign(nearest), Math.Sign(trial.Targets[^1]));

            // Fixation: only noise on the sensory channels.
            for (int t = 0; t < ContextDependentIntegrationTask.FixationSteps; t++)
            {
                for (int c = 0; c < 2; c++)
                {
                    sumSquares += trial.InputValues[t * 4 + c] * trial.InputValues[t * 4 + c];
                    count++;
                }
            }

            // Context channels are noise-free: 0.1 on the cued one from the end of fixation to the start
            // of the response, 0 elsewhere.
            int responseStart = trial.Steps - ContextDependentIntegrationTask.ResponseSteps;
            for (int t = 0; t < trial.Steps; t++)
            {
                for (int c = 0; c < 2; c++)
                {
                    bool on = c == context && t >= cueFrom && t < responseStart;
                    Assert.Equal(on ? 0.1f : 0f, trial.InputValues[t * 4 + 2 + c]);
                }
            }
        }

        double sd = Math.Sqrt(sumSquares / count);
        // sd of an sd estimate ≈ σ/√(2n); 4 standard errors.
        Assert.InRange(sd, 0.1 * (1 - 4 / Math.Sqrt(2.0 * count)), 0.1 * (1 + 4 / Math.Sqrt(2.0 * count)));
        // Context is a fair coin: 4 standard errors of a binomial proportion.
        Assert.InRange(contextOne / (double)trials, 0.5 - 4 * 0.5 / Math.Sqrt(trials), 0.5 + 4 * 0.5 / Math.Sqrt(trials));
    }

    [Fact]
    public void CdiEpochsAreWholeStepsRoundedDownAsPublished()
    {
        // 100, 350, 800, 100, 20 ms at Δt = 20 ms: 5, 17 (350/20 = 17.5 rounded down), 40, 5, 1.
        Assert.Equal(5, ContextDependentIntegrationTask.FixationSteps);
        Assert.Equal(17, ContextDependentIntegrationTask.ContextSteps);
        Assert.Equal(40, ContextDependentIntegrationTask.StimulusSteps);
        Assert.Equal(5, ContextDependentIntegrationTask.DelaySteps);
        Assert.Equal(1, ContextDependentIntegrationTask.ResponseSteps);
        Assert.Equal(68, new ContextDependentIntegrationTask().Generate(1, 0).Steps);
    }

    [Fact]
    public void DmsMatchesHalfTheTimeAndDelaysSpanTheirRange()
    {
        var task = new DelayedMatchToSampleTask();
        int matches = 0;
        int minSteps = int.MaxValue;
        int maxSteps = 0;
        const int trials = 600;
        for (int i = 0; i < trials; i++)
        {
            Trial trial = task.Generate(2, i);
            matches += trial.Targets[^1] > 0 ? 1 : 0;
            minSteps = Math.Min(minSteps, trial.Steps);
            maxSteps = Math.Max(maxSteps, trial.Steps);

            // The target agrees with the two stimuli read from the inputs.
            int first = MeanOver(trial, 5, 30, 0) > MeanOver(trial, 5, 30, 1) ? 0 : 1;
            int secondStart = trial.Steps - 50 - 25;
            int second = MeanOver(trial, secondStart, secondStart + 25, 0) > MeanOver(trial, secondStart, secondStart + 25, 1) ? 0 : 1;
            Assert.Equal(first == second ? 1f : -1f, trial.Targets[^1]);
        }

        Assert.InRange(matches / (double)trials, 0.5 - 4 * 0.5 / Math.Sqrt(trials), 0.5 + 4 * 0.5 / Math.Sqrt(trials));
        int fixedSteps = 5 + 25 + 25 + 50;
        Assert.InRange(minSteps, fixedSteps + 25, fixedSteps + 30);
        Assert.InRange(maxSteps, fixedSteps + 145, fixedSteps + 150);
    }

    [Fact]
    public void RomoFrequenciesStayInRangeAndTargetIsTheScaledDifference()
    {
        var task = new ParametricWorkingMemoryTask();
        for (int i = 0; i < 300; i++)
        {
            Trial trial = task.Generate(5, i);
            double f1 = MeanOver(trial, 5, 10, 0) * 24 + 22;
            int secondStart = trial.Steps - 5 - 5;
            double f2 = MeanOver(trial, secondStart, secondStart + 5, 0) * 24 + 22;
            // Input noise sd 0.01 over 5 steps: 4 standard errors in frequency units.
            double tolerance = 4 * 0.01 / Math.Sqrt(5) * 24;
            Assert.InRange(f1, 10 - tolerance, 34 + tolerance);
            Assert.InRange(f2, 10 - tolerance, 34 + tolerance);
            Assert.Equal((f1 - f2) / 24, trial.Targets[^1], 2 * tolerance / 24);
            double difference = Math.Abs(f1 - f2);
            Assert.Contains(ParametricWorkingMemoryTask.Differences, d => Math.Abs(Math.Abs(d) - difference) < 2 * tolerance);
        }
    }

    [Fact]
    public void RdmCoherencesAreDrawnUniformly()
    {
        var task = new RandomDotDecisionTask();
        var counts = new int[RandomDotDecisionTask.Coherences.Length];
        const int trials = 2000;
        for (int i = 0; i < trials; i++)
        {
            Trial trial = task.Generate(9, i);
            double mean = MeanOver(trial, 5, 45, 0) / RandomDotDecisionTask.CoherenceScale;
            int nearest = Array.IndexOf(RandomDotDecisionTask.Coherences, RandomDotDecisionTask.Coherences.MinBy(c => Math.Abs(c - mean)));
            counts[nearest]++;
            Assert.Equal(Math.Sign(RandomDotDecisionTask.Coherences[nearest]), Math.Sign(trial.Targets[^1]));
        }

        double p = 1.0 / counts.Length;
        double se = Math.Sqrt(p * (1 - p) / trials);
        Assert.All(counts, c => Assert.InRange(c / (double)trials, p - 4 * se, p + 4 * se));
    }

    [Fact]
    public void AccuracyUsesTheSignOfTheMeanOverTheMask()
    {
        var trial = new Trial(4, 0, 1, [], [0f, 0f, 1f, 1f], [0f, 0f, 1f, 1f]);
        Assert.True(CognitiveTask.IsCorrect(trial, [-5f, -5f, -0.1f, 0.3f]));
        Assert.False(CognitiveTask.IsCorrect(trial, [5f, 5f, 0.1f, -0.3f]));
    }

    private static double MeanOver(Trial trial, int from, int to, int channel)
    {
        double sum = 0;
        for (int t = from; t < to; t++)
        {
            sum += trial.InputValues[t * trial.Inputs + channel];
        }

        return sum / (to - from);
    }
}
