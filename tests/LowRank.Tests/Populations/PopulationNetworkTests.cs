using LowRank.Data;
using LowRank.Populations;
using LowRank.RateNetworks;

namespace LowRank.Tests.Populations;

public sealed class PopulationNetworkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-populations-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Names = ["m1", "n1", "w_in1", "w_out1"];

    /// <summary>Two populations, rank 1, one input: population 1 carries a strong n–m overlap, population 2 reads the input.</summary>
    internal static PopulationModel TwoPopulations(ReadoutKind readout = ReadoutKind.Tanh)
    {
        double[][][] covariances =
        [
            [[1.0, 0.9, 0.0, 0.5], [0.9, 4.0, 0.3, 0.0], [0.0, 0.3, 1.0, 0.0], [0.5, 0.0, 0.0, 1.0]],
            [[1.0, 0.4, 0.8, -0.3], [0.4, 1.0, 0.0, 0.0], [0.8, 0.0, 1.0, 0.0], [-0.3, 0.0, 0.0, 1.0]],
        ];
        return new PopulationModel(
            PopulationModel.CurrentFormatVersion, "synthetic", RateNetworkStore.KindLowRank, 1000, Names, 2,
            [0.6, 0.4], [[0.0, 0.2, 0.0, 0.0], [0.3, 0.0, 0.0, 0.5]], covariances, 0, 0, null, [600, 400], 0, 1, 1e-6,
            new LintSourceNetwork("rdm", 1, 1, 1, 0.2, 0.0, readout));
    }

    internal static Trial StepTrial(int steps, double amplitude)
    {
        var inputs = new float[steps];
        for (int t = steps / 5; t < steps; t++)
        {
            inputs[t] = (float)(amplitude * Math.Sin(0.1 * t));
        }

        var mask = new float[steps];
        mask[^1] = 1;
        var targets = new float[steps];
        targets[^1] = 1;
        return new Trial(steps, 1, 1, inputs, targets, mask);
    }

    [Fact]
    public void MeanFieldMatchesALargeResampledNetwork()
    {
        // The network's κ deviates from the N → ∞ limit by O(1/√N): on this model, 3 seeds each gave relative RMS
        // 0.06–0.14 at N = 2 500, 0.014–0.034 at 40 000 and 0.006–0.011 at 160 000 (C ≈ 3–5 in C/√N).
        // At N = 160 000 the bound 0.03 is ≈ 3 × the largest C/√N seen; a wrong gain or overlap term gives ≥ 0.1.
        PopulationModel populations = TwoPopulations();
        Trial[] trials = [StepTrial(60, 1.5), StepTrial(60, -0.8)];
        (RateNetwork network, _) = NetworkResampler.Resample(populations, 160_000, seed: 4);
        double[][] networkKappa = MeanFieldDynamics.NetworkKappa(network, trials, 2);
        GaussHermite rule = GaussHermite.Create(MeanFieldDynamics.DefaultOrder);
        double[][] reduced = trials.Select(t => MeanFieldDynamics.Simulate(populations, t, rule).Kappa).ToArray();
        double rms = MeanFieldDynamics.RelativeRms(reduced, networkKappa);
        Assert.InRange(rms, 0, 0.03);
        Assert.True(networkKappa[0].Max(Math.Abs) > 0.1, "the test trial must move κ");
    }

    [Fact]
    public void MeanFieldOfAWeakInputIsTheLinearisedRecursion()
    {
        // For |a| ≪ 1, tanh(a) ≈ a: κ_{t+1} = (1 − α) κ + α Σ_p π_p (μ_n μ_a + Σ_p[n, ·] c) exactly to O(a³).
        PopulationModel populations = TwoPopulations();
        Trial trial = StepTrial(40, 1e-4);
        double[] kappa = MeanFieldDynamics.Simulate(populations, trial, GaussHermite.Create(20)).Kappa;
        double k = 0, v = 0;
        for (int t = 0; t < trial.Steps; t++)
        {
            double drive = 0;
            for (int p = 0; p < 2; p++)
            {
                double[] mu = populations.Means[p];
                double[][] s = populations.Covariances[p];
                double meanA = mu[0] * k + mu[2] * v;
                drive += populations.Weights[p] * (mu[1] * meanA + s[1][0] * k + s[1][2] * v);
            }

            k = 0.8 * k + 0.2 * drive;
            v = 0.8 * v + 0.2 * trial.InputValues[t];
            Assert.Equal(k, kappa[t + 1], 1e-11);
        }
    }

    [Fact]
    public void ResampledNetworkRoundTripsThroughTheLintModelDirectory()
    {
        PopulationModel populations = TwoPopulations();
        (RateNetwork network, int[] labels) = NetworkResampler.Resample(populations, 300, seed: 8);
        Assert.Equal(300, labels.Length);
        NetworkResampler.Save(Path.Combine(_dir, "net"), network, populations);
        (RateNetwork loaded, RateNetworkDocument info) = RateNetworkStore.Load(Path.Combine(_dir, "net"));
        Assert.Equal("rdm", info.Task);
        Assert.Equal(network.Theta, loaded.Theta);

        // loadings → network → loadings is the identity
        UnitLoadings loadings = UnitLoadings.FromLint(loaded, "rdm");
        Assert.Equal(Names, loadings.Names);
        RateNetwork rebuilt = UnitLoadings.BuildNetwork(loadings.Lint!, loadings.Names, loadings.Values, 300);
        Assert.Equal(network.Theta, rebuilt.Theta);

        // same seed → same network; another seed → another
        Assert.Equal(network.Theta, NetworkResampler.Resample(populations, 300, seed: 8).Network.Theta);
        Assert.NotEqual(network.Theta, NetworkResampler.Resample(populations, 300, seed: 9).Network.Theta);
    }

    [Fact]
    public void ResampledLoadingsHaveTheMixturesMoments()
    {
        PopulationModel populations = TwoPopulations();
        const int units = 20_000;
        (RateNetwork network, _) = NetworkResampler.Resample(populations, units, seed: 3);
        UnitLoadings loadings = UnitLoadings.FromLint(network, null);
        // mixture mean of m1: Σ π_p μ_p = 0.4·0.3 = 0.12; total variance = Σ π (σ² + μ²) − mean² = 1 + 0.036 − 0.0144
        double mean = 0, square = 0;
        for (int i = 0; i < units; i++)
        {
            double m = loadings.Values[i * 4];
            mean += m;
            square += m * m;
        }

        mean /= units;
        double variance = square / units - mean * mean;
        double trueVariance = 1 + 0.4 * 0.09 - 0.12 * 0.12;
        Assert.InRange(mean - 0.12, -4 * Math.Sqrt(trueVariance / units), 4 * Math.Sqrt(trueVariance / units));
        Assert.InRange(variance - trueVariance, -4 * trueVariance * Math.Sqrt(2.5 / units), 4 * trueVariance * Math.Sqrt(2.5 / units));
    }

    [Fact]
    public void SilencingZeroesOnlyTheChosenPopulationsOutputs()
    {
        PopulationModel populations = TwoPopulations();
        (RateNetwork network, int[] labels) = NetworkResampler.Resample(populations, 200, seed: 1);
        RateNetwork silenced = PopulationInactivation.Silence(network, labels, 1);
        double[,] nBefore = network.RightVectors(), nAfter = silenced.RightVectors();
        double[,] outBefore = network.OutputWeights(), outAfter = silenced.OutputWeights();
        Assert.Equal(network.LeftVectors(), silenced.LeftVectors());
        Assert.Equal(network.InputWeights(), silenced.InputWeights());
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(labels[i] == 1 ? 0 : nBefore[i, 0], nAfter[i, 0]);
            Assert.Equal(labels[i] == 1 ? 0 : outBefore[i, 0], outAfter[i, 0]);
        }

        Assert.Contains(1, labels);
    }

    [Fact]
    public void BootstrapNetworksReuseTheSourcesLoadingVectors()
    {
        PopulationModel populations = TwoPopulations();
        (RateNetwork source, _) = NetworkResampler.Resample(populations, 50, seed: 2);
        UnitLoadings loadings = UnitLoadings.FromLint(source, "rdm");
        RateNetwork boot = NetworkResampler.Bootstrap(loadings, 400, seed: 1);
        UnitLoadings drawn = UnitLoadings.FromLint(boot, "rdm");
        var rows = Enumerable.Range(0, 50).Select(i => string.Join(",", loadings.Values.AsSpan(i * 4, 4).ToArray())).ToHashSet();
        for (int i = 0; i < 400; i++)
        {
            Assert.Contains(string.Join(",", drawn.Values.AsSpan(i * 4, 4).ToArray()), rows);
        }

        Assert.Equal(boot.Theta, NetworkResampler.Bootstrap(loadings, 400, seed: 1).Theta);
    }

    [Fact]
    public void PopulationsFileRoundTrips()
    {
        PopulationModel populations = TwoPopulations();
        populations.Save(Path.Combine(_dir, "pop"));
        PopulationModel loaded = PopulationModel.Load(Path.Combine(_dir, "pop"));
        Assert.Equal(populations.Weights, loaded.Weights);
        Assert.Equal(populations.LoadingNames, loaded.LoadingNames);
        Assert.Equal(populations.Covariances.SelectMany(c => c.SelectMany(r => r)), loaded.Covariances.SelectMany(c => c.SelectMany(r => r)));
        Assert.Equal(populations.Network, loaded.Network);
    }
}
