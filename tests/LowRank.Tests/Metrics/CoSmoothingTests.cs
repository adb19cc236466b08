using LowRank.Data;
using LowRank.Inference;
using LowRank.Metrics;
using LowRank.Model;
using LowRank.Simulation;

namespace LowRank.Tests.Metrics;

/// <summary>Co-smoothing bits per spike: Poisson log-likelihoods worked out by hand, the held-out draw, and a model that knows the truth.</summary>
public sealed class CoSmoothingTests
{
    private static readonly double Ln2 = Math.Log(2);

    [Fact]
    public void BitsPerSpikeByHand()
    {
        // [T = 2, X = 2], unit 0 held out: counts y = 1, 3; predicted rates λ̂ = 1, 2; its mean λ̄ = 2.
        //   log L(λ̂) = (1·ln 1 − 1 − ln 1!) + (3·ln 2 − 2 − ln 3!) = 3 ln 2 − 3 − ln 6 = −2.712318
        //   log L(λ̄) = (1·ln 2 − 2 − ln 1!) + (3·ln 2 − 2 − ln 3!) = 4 ln 2 − 4 − ln 6 = −3.019171
        //   co-bps = (1 − ln 2) / (4 spikes · ln 2) = 0.110674
        // Unit 1 is not held out: its counts and rates are not read.
        double[] counts = [1, 5, 3, 7];
        double[] rates = [1, 99, 2, 99];

        CoSmoothingScore score = CoSmoothing.Score(counts, rates, 2, 2, [0]);

        Assert.Equal([0], score.HeldOutUnits);
        Assert.Equal(4, score.Spikes);
        Assert.Equal(3 * Ln2 - 3 - Math.Log(6), score.LogLikelihood, 1e-14);
        Assert.Equal(4 * Ln2 - 4 - Math.Log(6), score.NullLogLikelihood, 1e-14);
        Assert.Equal((1 - Ln2) / (4 * Ln2), score.BitsPerSpike, 1e-14);
        Assert.Equal((1 - Ln2) / (4 * Ln2), score.BitsPerSpikePerUnit[0], 1e-14);
        Assert.Equal(0, score.ZeroRates);
    }

    [Fact]
    public void PooledOverUnitsWithZeroRatesAndMissingBins()
    {
        // [T = 3, X = 2], both held out. Unit 0 as above plus a missing bin (NaN, left out of every sum). Unit 1 has no
        // spikes: y = 0, 0, 0 with λ̂ = 0 (taken as 1e−9), 0.5, 0; its mean is 0 (also taken as 1e−9):
        //   log L(λ̂) = −1e−9 − 0.5 − 1e−9,  log L(λ̄) = −3e−9
        // Pooled: co-bps = [(1 − ln 2) + (−0.5 + 1e−9)] / (4 · ln 2) = −0.069663; unit 1 alone has no spikes (NaN).
        double[] counts = [1, 0, 3, 0, double.NaN, 0];
        double[] rates = [1, 0, 2, 0.5, 7, 0];

        CoSmoothingScore score = CoSmoothing.Score(counts, rates, 3, 2, [1, 0]);

        Assert.Equal([0, 1], score.HeldOutUnits);
        Assert.Equal(4, score.Spikes);
        Assert.Equal(2, score.ZeroRates);
        Assert.Equal((1 - Ln2 - 0.5 + 1e-9) / (4 * Ln2), score.BitsPerSpike, 1e-14);
        Assert.Equal(3 * Ln2 - 3 - Math.Log(6) - 0.5 - 2e-9, score.LogLikelihood, 1e-14);
        Assert.Equal(4 * Ln2 - 4 - Math.Log(6) - 3e-9, score.NullLogLikelihood, 1e-14);
        Assert.Equal((1 - Ln2) / (4 * Ln2), score.BitsPerSpikePerUnit[0], 1e-14);
        Assert.True(double.IsNaN(score.BitsPerSpikePerUnit[1]));
    }

    [Fact]
    public void PredictingTheMeanScoresZero()
    {
        // Predicting each unit's own mean gives exactly 0 bits per spike.
        double[] counts = [0, 2, 1, 0, 3, 1];
        double[] means = [4.0 / 3, 1, 4.0 / 3, 1, 4.0 / 3, 1];
        Assert.Equal(0, CoSmoothing.Score(counts, means, 3, 2, [0, 1]).BitsPerSpike, 1e-14);
    }

    [Fact]
    public void NoHeldOutSpikesIsAnInputError()
    {
        double[] counts = [0, 3, 0, 1];
        var error = Assert.Throws<InputException>(() => CoSmoothing.Score(counts, [1, 1, 1, 1], 2, 2, [0]));
        Assert.Equal("the held-out unit(s) 0 have no spikes on the 2 scored steps, so bits per spike (a gain per held-out spike) is undefined.", error.Message);
        Assert.Equal("hold out other units (another Seed or a larger HeldOutUnits), or score more steps (a larger Holdout, or none).", error.Hint);
    }

    [Theory]
    [InlineData(10, 0.2, 2)]
    [InlineData(10, 0.25, 3)] // 2.5 rounds away from zero
    [InlineData(10, 0.01, 1)] // at least one
    [InlineData(30, 0.2, 6)]
    public void HeldOutCountIsRoundedAndAtLeastOne(int units, double fraction, int expected)
    {
        Assert.Equal(expected, CoSmoothing.HeldOutCount(units, fraction));
        int[] chosen = CoSmoothing.PickHeldOutUnits(units, fraction, seed: 7);
        Assert.Equal(expected, chosen.Length);
        Assert.Equal(chosen.Order().Distinct(), chosen);
        Assert.All(chosen, u => Assert.InRange(u, 0, units - 1));
        Assert.Equal(chosen, CoSmoothing.PickHeldOutUnits(units, fraction, seed: 7));
    }

    [Fact]
    public void DifferentSeedsHoldOutDifferentUnits()
    {
        var draws = Enumerable.Range(0, 10).Select(s => string.Join(",", CoSmoothing.PickHeldOutUnits(30, 0.2, s))).Distinct().Count();
        Assert.True(draws > 5, $"{draws} distinct draws of 10");
    }

    [Fact]
    public void HoldingOutEveryUnitIsAnInputError()
    {
        var error = Assert.Throws<InputException>(() => CoSmoothing.HeldOutCount(4, 0.9));
        Assert.Equal("holding out HeldOutUnits 0.9 of 4 unit(s) hides 4, leaving no unit to predict them from.", error.Message);
        Assert.Equal("pass a smaller fraction, such as HeldOutUnits 0.25 (one unit).", error.Hint);
    }

    [Fact]
    public void AModelThatKnowsTheTruthPredictsHeldOutUnits()
    {
        // A Poisson teacher scored on its own spikes: its posterior given the held-in units must beat the held-out
        // units' constant mean rates (co-bps > 0), with the smoother and with the filter. Seeds 1–5 of this set-up give
        // 0.06–0.18 bits per spike (20 units, 5 held out, the last 750 steps scored).
        LowRankRnn teacher = Teachers.Create(new TeacherOptions { Units = 64, Channels = 20, Likelihood = Likelihood.Poisson, Seed = 2 });
        SimulationResult simulated = Simulator.Run(teacher, new SimulationOptions { Steps = 1500, BurnIn = 200, Seed = 2, Threads = 1 });
        var data = SequenceSet.Continuous(simulated.Samples, 1500, 20);
        int[] heldOut = CoSmoothing.PickHeldOutUnits(20, 0.25, seed: 2);

        foreach (Smoothing smoothing in new[] { Smoothing.Marginal, Smoothing.None })
        {
            CoSmoothingScore score = CoSmoothing.Evaluate(teacher, data, 750, heldOut, new InferenceOptions { Particles = 64, Smoothing = smoothing, Seed = 2, Threads = 1 });
            Assert.True(score.BitsPerSpike > 0.02, $"{smoothing}: co-bps {score.BitsPerSpike}");
            Assert.Equal(5, score.HeldOutUnits.Length);
        }

        // The true rates themselves score higher than the null as well (a check of the sign convention).
        double[] scoredCounts = simulated.Samples[(750 * 20)..], trueRates = simulated.Rates[(750 * 20)..];
        Assert.True(CoSmoothing.Score(scoredCounts, trueRates, 750, 20, heldOut).BitsPerSpike > 0);
    }

    [Fact]
    public void TheHeldOutUnitsAreHiddenOnTheScoredStepsOnly()
    {
        // If the filter saw the held-out counts on the scored steps, its rates there would follow them: the score of the
        // posterior that sees unit 3 everywhere differs from the co-smoothing score, which hides it from step 200 on.
        LowRankRnn teacher = Teachers.Create(new TeacherOptions { Units = 64, Channels = 8, Likelihood = Likelihood.Poisson, Seed = 5 });
        SimulationResult simulated = Simulator.Run(teacher, new SimulationOptions { Steps = 400, BurnIn = 100, Seed = 5, Threads = 1 });
        var data = SequenceSet.Continuous(simulated.Samples, 400, 8);
        var options = new InferenceOptions { Particles = 32, Seed = 1, Threads = 1 };
        Posterior seen = PosteriorInference.Infer(teacher, data, options);
        CoSmoothingScore hidden = CoSmoothing.Evaluate(teacher, data, 200, [3], options);
        CoSmoothingScore visible = CoSmoothing.Score(simulated.Samples[(200 * 8)..], seen.Rates[(200 * 8)..], 200, 8, [3]);
        Assert.NotEqual(visible.BitsPerSpike, hidden.BitsPerSpike);
    }
}
