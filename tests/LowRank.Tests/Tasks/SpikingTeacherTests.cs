using LowRank.Model;
using LowRank.RateNetworks;
using LowRank.Tasks;

namespace LowRank.Tests.Tasks;

public sealed class SpikingTeacherTests
{
    private static RateNetwork ReachNetwork(int units = 48) =>
        RateNetwork.CreateRandom(new RateNetworkSpec(units, 0, 3, 2, CognitiveTask.Alpha, 0.05, ReadoutKind.Tanh), 3, 1.0);

    [Fact]
    public void ResultDoesNotDependOnTheThreadCountAndConditionsCycle()
    {
        RateNetwork network = ReachNetwork();
        var options = new SpikingTeacherOptions { Conditions = [0, 120, 240], Trials = 7, Channels = 10, Seed = 4, Threads = 1 };
        SpikingTeacherResult one = SpikingTeacher.Run(network, new ReachingTask(), options);
        SpikingTeacherResult two = SpikingTeacher.Run(network, new ReachingTask(), options with { Threads = 2 });
        Assert.Equal(one.Counts, two.Counts);
        Assert.Equal(one.Rates, two.Rates);
        Assert.Equal([0.0, 120, 240, 0, 120, 240, 0], one.Conditions);
        Assert.Equal(10, one.Units.Distinct().Count());
        Assert.Equal(one.Units.Order(), one.Units);
        Assert.All(one.Units, u => Assert.InRange(u, 0, 47));
        Assert.Equal(7 * ReachingTask.TotalSteps * 3, one.Inputs.Length);
        Assert.Equal(7 * ReachingTask.TotalSteps * 2, one.Targets.Length);
        SpikingTeacherResult other = SpikingTeacher.Run(network, new ReachingTask(), options with { Seed = 5 });
        Assert.NotEqual(one.Counts, other.Counts);
        Assert.Equal(one.Units, other.Units); // training and evaluation files of different seeds observe the same units
        SpikingTeacherResult more = SpikingTeacher.Run(network, new ReachingTask(), options with { Channels = 14 });
        Assert.Subset(more.Units.ToHashSet(), one.Units.ToHashSet());
    }

    [Fact]
    public void WithoutGainEveryRateIsTheBaselineForEachLink()
    {
        foreach (Link link in new[] { Link.Exp, Link.Softplus, Link.Relu })
        {
            var options = new SpikingTeacherOptions { Trials = 2, Channels = 5, Gain = 0, Baseline = 0.7, Link = link, Seed = 1 };
            SpikingTeacherResult result = SpikingTeacher.Run(ReachNetwork(), new ReachingTask(), options);
            Assert.All(result.Rates, r => Assert.Equal(0.7, r, 5));
        }
    }

    [Fact]
    public void CountsArePoissonWithTheStatedRates()
    {
        var options = new SpikingTeacherOptions { Conditions = [45], Trials = 40, Channels = 30, Gain = 1.5, Baseline = 0.4, Seed = 8 };
        SpikingTeacherResult result = SpikingTeacher.Run(ReachNetwork(), new ReachingTask(), options);

        // Rates follow λ = exp(ln 0.4 + 1.5 φ) with φ ∈ (−1, 1).
        Assert.All(result.Rates, r => Assert.InRange(r, 0.4 * Math.Exp(-1.5) - 1e-6, 0.4 * Math.Exp(1.5) + 1e-6));

        // Σ(counts − λ) has variance Σλ for independent Poisson counts: within 4 standard errors of zero;
        // Σ((counts − λ)² − λ) has variance Σ(λ + 2λ²): the variance matches the mean.
        double residual = 0, lambdaSum = 0, excess = 0, excessVariance = 0;
        for (int i = 0; i < result.Counts.Length; i++)
        {
            double lambda = result.Rates[i], d = result.Counts[i] - lambda;
            residual += d;
            lambdaSum += lambda;
            excess += d * d - lambda;
            excessVariance += lambda + 2 * lambda * lambda;
        }

        Assert.InRange(residual, -4 * Math.Sqrt(lambdaSum), 4 * Math.Sqrt(lambdaSum));
        Assert.InRange(excess, -4 * Math.Sqrt(excessVariance), 4 * Math.Sqrt(excessVariance));
    }

    [Fact]
    public void StateNoiseMakesTrialsOfOneConditionDiffer()
    {
        var quiet = new SpikingTeacherOptions { Conditions = [90], Trials = 2, Channels = 8, StateNoise = 0, Seed = 2 };
        SpikingTeacherResult still = SpikingTeacher.Run(ReachNetwork(), new ReachingTask(), quiet);
        SpikingTeacherResult noisy = SpikingTeacher.Run(ReachNetwork(), new ReachingTask(), quiet with { StateNoise = 0.2 });
        int half = still.Rates.Length / 2;
        // Without state noise only the small input noise separates the two trials' rates; with it they differ far more.
        double Spread(float[] rates) => Enumerable.Range(0, half).Sum(i => Math.Abs(rates[i] - rates[half + i]));
        Assert.True(Spread(noisy.Rates) > 5 * Spread(still.Rates));
    }

    [Fact]
    public void BadSettingsAreInputErrors()
    {
        RateNetwork network = ReachNetwork(16);
        Assert.Throws<InputException>(() => SpikingTeacher.Run(network, new ReachingTask(), new SpikingTeacherOptions { Channels = 17 }));
        Assert.Throws<InputException>(() => SpikingTeacher.Run(network, new ReachingTask(), new SpikingTeacherOptions { Link = Link.Identity, Channels = 4 }));
        Assert.Throws<InputException>(() => SpikingTeacher.Run(network, new ReachingTask(), new SpikingTeacherOptions { Baseline = 0, Channels = 4 }));
        Assert.Throws<InputException>(() => SpikingTeacher.Run(network, CognitiveTask.Create("rdm"), new SpikingTeacherOptions { Channels = 4 }));
        RateNetwork romo = RateNetwork.CreateRandom(new RateNetworkSpec(16, 0, 1, 1, CognitiveTask.Alpha, 0.05, ReadoutKind.Tanh), 1);
        InputException lengths = Assert.Throws<InputException>(() => SpikingTeacher.Run(romo, CognitiveTask.Create("romo"), new SpikingTeacherOptions { Trials = 20, Channels = 4 }));
        Assert.Contains("differ in length", lengths.Message, StringComparison.Ordinal);
    }
}
