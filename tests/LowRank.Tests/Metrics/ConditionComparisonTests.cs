using LowRank.Metrics;
using LowRank.Numerics;
using LowRank.Tests.Decoding;

namespace LowRank.Tests.Metrics;

/// <summary>PSTHs, their R² and the mean-rate correlation of a per-condition comparison (docs/metrics.md, "Conditions").</summary>
public sealed class ConditionComparisonTests
{
    [Fact]
    public void IdenticalTrialsScoreOne()
    {
        ConditionTrials trials = ReachFixtures.Trials([0, 90], 3, 15, 6, seed: 5);
        ConditionMatch match = ConditionMatch.Of(trials, trials);
        foreach (ConditionPsthComparison c in ConditionComparison.Compare(trials, trials, match, psthSmoothing: 2))
        {
            Assert.Equal(1, c.PopulationR2, 15);
            Assert.All(c.UnitR2, r2 => Assert.Equal(1, r2, 15));
            Assert.Equal(1, c.UnitR2Median, 15);
            Assert.Equal(1, c.MeanRateCorrelation, 12);
            Assert.Equal(c.TruePsth, c.GeneratedPsth);
        }
    }

    /// <summary>
    /// True PSTH [T = 2, K = 2] = [[1, 2], [3, 4]], generated [[1, 3], [3, 3]]. Population: mean 2.5, Σ(true − 2.5)² = 5,
    /// Σ(gen − true)² = 2, R² = 1 − 2/5 = 0.6. Unit 0: true 1, 3 (mean 2, Σ = 2), residual 0 → 1. Unit 1: true 2, 4 (mean 3, Σ = 2),
    /// residual 1 + 1 = 2 → 0.
    /// </summary>
    [Fact]
    public void HandComputedR2()
    {
        double[] truth = [1, 2, 3, 4], generated = [1, 3, 3, 3];
        Assert.Equal(0.6, PsthScores.PopulationR2(generated, truth), 15);
        var unit = new double[2];
        PsthScores.UnitR2(generated, truth, 2, unit);
        Assert.Equal([1.0, 0.0], unit);
    }

    [Fact]
    public void AConstantTrueUnitHasNoR2AndTheMedianSkipsIt()
    {
        // Unit 1 is constant in truth: NaN; the population R² still has a denominator.
        double[] truth = [1, 5, 3, 5], generated = [1, 4, 2, 5];
        var unit = new double[2];
        PsthScores.UnitR2(generated, truth, 2, unit);
        Assert.Equal(0.5, unit[0], 15); // residual 1, total 2
        Assert.True(double.IsNaN(unit[1]));
        Assert.Equal(0.5, ConditionComparison.FiniteMedian(unit));
        Assert.True(double.IsNaN(PsthScores.PopulationR2([1, 2], [3, 3])));
    }

    [Fact]
    public void PsthIsTheTrialMeanThenSmoothed()
    {
        // Three trials [T = 6, K = 2]; the PSTH of trials 0 and 2.
        Rng rng = Rng.Create(8);
        var counts = new double[3 * 6 * 2];
        for (int i = 0; i < counts.Length; i++)
        {
            counts[i] = rng.NextPoisson(2);
        }

        var raw = new double[12];
        PsthScores.Psth(counts, 6, 2, [0, 2], 0, raw);
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal((counts[i] + counts[24 + i]) / 2, raw[i], 15);
        }

        var smoothed = new double[12];
        PsthScores.Psth(counts, 6, 2, [0, 2], 1.5, smoothed);
        for (int k = 0; k < 2; k++)
        {
            double[] column = [.. Enumerable.Range(0, 6).Select(t => raw[(t * 2) + k])];
            var expected = new double[6];
            GaussianSmoothing.Smooth(column, 1.5, expected);
            for (int t = 0; t < 6; t++)
            {
                Assert.Equal(expected[t], smoothed[(t * 2) + k], 14);
            }
        }
    }

    /// <summary>
    /// K = 400 units with log-normal mean counts. Generated from the same rates, the mean counts correlate near 1; generated
    /// from the rates of shuffled units, the correlation is that of independent draws: |r| below 4 standard errors (1/√K).
    /// </summary>
    [Fact]
    public void ShuffledUnitsDoNotCorrelate()
    {
        const int units = 400, steps = 10, trials = 5;
        Rng rng = Rng.Create(12);
        var rates = new double[units];
        for (int k = 0; k < units; k++)
        {
            rates[k] = Math.Exp(rng.NextGaussian());
        }

        int[] shuffled = rng.Permutation(units);
        ConditionTrials truth = Poisson(rng, k => rates[k]);
        ConditionTrials same = Poisson(rng, k => rates[k]);
        ConditionTrials other = Poisson(rng, k => rates[shuffled[k]]);
        int[] all = [.. Enumerable.Range(0, trials)];
        Assert.True(ConditionComparison.CompareOne(same, truth, 0, all, all, 2).MeanRateCorrelation > 0.95);
        Assert.InRange(ConditionComparison.CompareOne(other, truth, 0, all, all, 2).MeanRateCorrelation, -4 / Math.Sqrt(units), 4 / Math.Sqrt(units));

        ConditionTrials Poisson(Rng random, Func<int, double> rate)
        {
            var counts = new double[trials * steps * units];
            for (int i = 0; i < counts.Length; i++)
            {
                counts[i] = random.NextPoisson(rate(i % units));
            }

            return new ConditionTrials(counts, steps, units, new double[trials], "shuffled");
        }
    }

    [Fact]
    public void LabelsMatchWithinTheTolerance()
    {
        // float32 labels of 33.3 against the double 33.3: the same condition.
        ConditionTrials truth = ReachFixtures.Trials([33.3, 90], 2, 5, 3, seed: 1);
        ConditionTrials generated = ReachFixtures.Trials([(float)33.3, 90], 2, 5, 3, seed: 2);
        ConditionMatch match = ConditionMatch.Of(generated, truth);
        Assert.Equal([33.3, 90], match.Conditions);
        Assert.Equal([0, 1], match.GeneratedTrials[0]);
        Assert.Equal([2, 3], match.TrueTrials[1]);
    }

    [Fact]
    public void MismatchedSetsAreInputErrors()
    {
        ConditionTrials truth = ReachFixtures.Trials([0, 90], 2, 5, 3, seed: 1, source: "the true trials");
        Assert.Contains("3 units", Assert.Throws<InputException>(() => ConditionMatch.Of(ReachFixtures.Trials([0, 90], 2, 5, 4, seed: 2), truth)).Message);
        Assert.Contains("5 steps", Assert.Throws<InputException>(() => ConditionMatch.Of(ReachFixtures.Trials([0, 90], 2, 6, 3, seed: 2), truth)).Message);
        Assert.Equal(
            "generated trial 2 has condition 45, which no trial of the true trials has (its conditions: 0, 90).",
            Assert.Throws<InputException>(() => ConditionMatch.Of(ReachFixtures.Trials([0, 45, 90], 2, 5, 3, seed: 2), truth)).Message);
        Assert.StartsWith(
            "condition 90 of the true trials has no generated trials",
            Assert.Throws<InputException>(() => ConditionMatch.Of(ReachFixtures.Trials([0], 2, 5, 3, seed: 2, source: "gen"), truth)).Message);
        Assert.StartsWith(
            "condition 0 has only 1 trial in gen;",
            Assert.Throws<InputException>(() => ConditionMatch.Of(ReachFixtures.Trials([0, 90], 1, 5, 3, seed: 2, source: "gen"), truth)).Message);
    }
}
