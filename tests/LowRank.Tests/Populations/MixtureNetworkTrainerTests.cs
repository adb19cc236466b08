using LowRank.Data;
using LowRank.Numerics;
using LowRank.Populations;
using LowRank.RateNetworks;
using LowRank.Tests.RateNetworks;

namespace LowRank.Tests.Populations;

public sealed class MixtureNetworkTrainerTests
{
    public static TheoryData<int, int, int, int, int, double> Cases => new()
    {
        // units, rank, inputs, components, steps, noise (same noise streams on both sides of the difference)
        { 1, 1, 1, 1, 4, 0.0 },
        { 7, 1, 4, 2, 9, 0.0 },
        { 11, 2, 2, 3, 7, 0.05 },
        { 6, 2, 1, 1, 5, 0.0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientMatchesCentralDifferencesForMeansAndFactors(int units, int rank, int inputs, int components, int steps, double noise)
    {
        var spec = new RateNetworkSpec(units, rank, inputs, 1, 0.2, noise, ReadoutKind.Tanh);
        var mixture = new MixtureParameters(components, new RateNetworkLayout(spec));
        Rng rng = Rng.Create(17, units * 10 + components);
        var phi = new double[mixture.Length];
        rng.FillGaussian(phi);
        for (int i = 0; i < phi.Length; i++)
        {
            phi[i] *= 0.5;
        }

        var xi = new double[units * mixture.Dimension];
        rng.FillGaussian(xi);
        Trial[] trials = [RateNetworkGradientTests.RandomTrial(rng, steps, inputs, 1), RateNetworkGradientTests.RandomTrial(rng, steps + 2, inputs, 1)];
        var workspace = new MixtureWorkspace<double>(mixture, trials.Length);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 1 };
        ReadOnlyMemory<int> batch = new[] { 0, 1 };
        var gPhi = new double[mixture.Length];
        SampledMixtureObjective.BatchGradient(mixture, phi, xi, trials, batch, 5, 100, workspace, gPhi, parallel);

        double Loss(double[] at) =>
            SampledMixtureObjective.BatchGradient(mixture, at, xi, trials, batch, 5, 100, workspace, new double[mixture.Length], parallel);

        // Means, off-diagonal factors and log-diagonals each along their own random direction, so a wrong group cannot hide.
        foreach (string name in ParameterGroups)
        {
            double[] direction = GroupDirection(mixture, name, rng);
            double analytic = 0;
            for (int i = 0; i < direction.Length; i++)
            {
                analytic += direction[i] * gPhi[i];
            }

            const double h = 1e-5;
            double[] Shifted(double step) => phi.Select((v, i) => v + step * direction[i]).ToArray();
            double numeric = (Loss(Shifted(h)) - Loss(Shifted(-h))) / (2 * h);
            Assert.True(
                Math.Abs(analytic - numeric) <= 1e-6 * Math.Max(1.0, Math.Abs(numeric)),
                $"{name}: analytic {analytic:R} vs numeric {numeric:R}");
        }
    }

    [Fact]
    public void LoadingsFollowTheFactorAndPopulationsSplitEvenly()
    {
        var spec = new RateNetworkSpec(10, 1, 1, 1, 0.2, 0, ReadoutKind.Tanh);
        var mixture = new MixtureParameters(3, new RateNetworkLayout(spec));
        Assert.Equal([0, 0, 0, 1, 1, 1, 1, 2, 2, 2], mixture.Labels);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 1, 1], new MixtureParameters(2, mixture.Network, [0.8, 0.2]).Labels);
        Assert.Equal(["m1", "n1", "w_in1", "w_out1"], mixture.Names);
        double[] phi = mixture.Initial(1.5, 0.1, Rng.Create(1, 0));
        double[][] covariance = mixture.CovarianceOf(phi, 2);
        Assert.Equal(1.0, covariance[0][0], 12);
        Assert.Equal(1.5, covariance[1][0], 12); // σ_nm = ρ
        Assert.Equal(1.0 + 1.5 * 1.5, covariance[1][1], 12);

        // From() inverts the map to a mixture: μ_p and L_p L_pᵀ come back
        double[][][] covariances = Enumerable.Range(0, 3).Select(p => mixture.CovarianceOf(phi, p)).ToArray();
        var model = new GaussianMixture([0.3, 0.3, 0.4], [.. Enumerable.Range(0, 3).Select(p => mixture.MeanOf(phi, p))], [.. covariances.Select(c => c.SelectMany(r => r).ToArray())]);
        double[] back = mixture.From(model);
        for (int i = 0; i < phi.Length; i++)
        {
            Assert.Equal(phi[i], back[i], 10);
        }
    }

    [Fact]
    public void TrainingBeatsTheStartAndDoesNotDependOnThreads()
    {
        // A short run on the random-dot task: the trained mixture must clearly improve on its own start, and
        // one and two threads must give the same numbers.
        MixtureTrainingOptions Options(int epochs, int threads) =>
            new("rdm", 1, 2, 96, epochs, 16, 64, 0.05, 0.05, 0.0, 0.1, 3, threads, 128);

        MixtureTrainingResult trained = MixtureNetworkTrainer.Train(Options(8, 1), NullProgress.Instance);
        MixtureTrainingResult start = MixtureNetworkTrainer.Train(Options(1, 1) with { LearningRate = 1e-12 }, NullProgress.Instance);
        Assert.True(trained.Summary.BestLoss < 0.5 * trained.Summary.InitialLoss, $"validation loss {trained.Summary.InitialLoss} -> {trained.Summary.BestLoss}");
        Assert.True(trained.Accuracy >= start.Accuracy + 0.2, $"accuracy {start.Accuracy} (start) vs {trained.Accuracy} (trained)");

        MixtureTrainingResult twoThreads = MixtureNetworkTrainer.Train(Options(8, 2), NullProgress.Instance);
        Assert.Equal(trained.Populations.Means, twoThreads.Populations.Means);
        Assert.Equal(trained.Populations.Covariances, twoThreads.Populations.Covariances);
        Assert.Equal(trained.Accuracy, twoThreads.Accuracy);
    }

    [Fact]
    public void TargetStopsEarlyAndRestartsRepeatExactly()
    {
        MixtureTrainingOptions Options(double target, int restarts, int threads) =>
            new("rdm", 1, 1, 48, 4, 16, 32, 0.05, 0.05, 0.0, 0.1, 3, threads, 64, TargetAccuracy: target, Restarts: restarts);

        // Unreachable target: every attempt runs all its epochs, then the best attempt is returned.
        MixtureTrainingResult all = MixtureNetworkTrainer.Train(Options(1.0, 2, 1), NullProgress.Instance);
        Assert.Equal(2, all.Restarts);
        Assert.Equal(3 * 4, all.TotalEpochs);
        Assert.False(all.ReachedTarget);
        Assert.True(all.ValidationAccuracy < 1.0);
        MixtureTrainingResult again = MixtureNetworkTrainer.Train(Options(1.0, 2, 2), NullProgress.Instance);
        Assert.Equal(all.Attempt, again.Attempt);
        Assert.Equal(all.Populations.Means, again.Populations.Means);
        Assert.Equal(all.Accuracy, again.Accuracy);

        // A target the start already reaches: no epoch runs and the start is returned.
        MixtureTrainingResult early = MixtureNetworkTrainer.Train(Options(1e-9, 2, 1), NullProgress.Instance);
        Assert.True(early.ReachedTarget);
        Assert.Equal(0, early.Restarts);
        Assert.True(early.Summary.StoppedEarly);
        Assert.Equal(0, early.Summary.Epochs);
        Assert.Equal(0, early.Summary.BestEpoch);
    }

    [Fact]
    public void MeanFieldTrainingBeatsTheStartAndDoesNotDependOnThreads()
    {
        // The deterministic mean-field objective on the random-dot task: the loss must fall well below the start,
        // the mean field and a resampled network must both answer most trials, and threads must not matter.
        MixtureTrainingOptions Options(int epochs, int threads) =>
            new("rdm", 1, 2, 256, epochs, 16, 64, 0.05, 0.05, 0.0, 0.1, 3, threads, 128, null, MixtureObjective.MeanField);

        MixtureTrainingResult trained = MixtureNetworkTrainer.Train(Options(8, 1), NullProgress.Instance);
        Assert.True(trained.Summary.BestLoss < 0.5 * trained.Summary.InitialLoss, $"validation loss {trained.Summary.InitialLoss} -> {trained.Summary.BestLoss}");
        Assert.True(trained.MeanFieldAccuracy >= 0.9, $"mean-field accuracy {trained.MeanFieldAccuracy}");
        Assert.True(trained.Accuracy >= 0.8, $"resampled accuracy {trained.Accuracy}");

        MixtureTrainingResult twoThreads = MixtureNetworkTrainer.Train(Options(8, 2), NullProgress.Instance);
        Assert.Equal(trained.Populations.Means, twoThreads.Populations.Means);
        Assert.Equal(trained.Populations.Covariances, twoThreads.Populations.Covariances);
        Assert.Equal(trained.MeanFieldAccuracy, twoThreads.MeanFieldAccuracy);
    }

    /// <summary>The φ groups that gradient checks probe separately, so that a wrong group cannot hide.</summary>
    internal static readonly string[] ParameterGroups = ["means", "off-diagonal L", "log-diagonal L"];

    /// <summary>A random direction in φ that is non-zero only on one group's entries.</summary>
    internal static double[] GroupDirection(MixtureParameters mixture, string group, Rng rng)
    {
        var direction = new double[mixture.Length];
        for (int p = 0; p < mixture.Components; p++)
        {
            for (int a = 0; a < mixture.Dimension; a++)
            {
                if (group == "means")
                {
                    direction[mixture.Mean(p, a)] = rng.NextGaussian();
                }

                for (int b = 0; b <= a; b++)
                {
                    if ((group == "off-diagonal L" && b < a) || (group == "log-diagonal L" && b == a))
                    {
                        direction[mixture.Factor(p, a, b)] = rng.NextGaussian();
                    }
                }
            }
        }

        return direction;
    }
}
