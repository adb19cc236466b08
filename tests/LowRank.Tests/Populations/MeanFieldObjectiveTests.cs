using LowRank.Data;
using LowRank.Numerics;
using LowRank.Populations;
using LowRank.RateNetworks;
using LowRank.Tasks;
using LowRank.Tests.RateNetworks;

namespace LowRank.Tests.Populations;

public sealed class MeanFieldObjectiveTests
{
    public static TheoryData<int, int, int, double> Cases => new()
    {
        // rank, inputs, components, scale of φ (a large scale drives Δ into the wide x-space regime)
        { 1, 1, 1, 0.5 },
        { 1, 4, 2, 0.7 },
        { 2, 2, 3, 0.5 },
        { 2, 2, 2, 1.6 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientMatchesCentralDifferencesForMeansAndFactors(int rank, int inputs, int components, double size)
    {
        var spec = new RateNetworkSpec(16, rank, inputs, 1, 0.2, 0, ReadoutKind.Tanh);
        var mixture = new MixtureParameters(components, new RateNetworkLayout(spec), components == 3 ? [0.5, 0.3, 0.2] : null);
        var objective = new MeanFieldObjective(mixture, GaussHermite.Create(MeanFieldDynamics.DefaultOrder));
        Rng rng = Rng.Create(23, rank * 100 + inputs * 10 + components);
        var phi = new double[mixture.Length];
        rng.FillGaussian(phi);
        for (int i = 0; i < phi.Length; i++)
        {
            phi[i] *= size;
        }

        Trial[] trials = [RateNetworkGradientTests.RandomTrial(rng, 9, inputs, 1), RateNetworkGradientTests.RandomTrial(rng, 12, inputs, 1)];
        const double scale = 0.37;
        double Loss(double[] at)
        {
            objective.Prepare(at);
            return trials.Sum(trial => objective.Loss(trial, scale));
        }

        objective.Prepare(phi);
        var raw = new double[objective.GradientLength];
        double loss = trials.Sum(trial => objective.Gradient(trial, scale, raw));
        var gPhi = new double[mixture.Length];
        objective.ChainToPhi(raw, gPhi);
        Assert.Equal(Loss(phi), loss, 12);

        foreach (string group in MixtureNetworkTrainerTests.ParameterGroups)
        {
            double[] direction = MixtureNetworkTrainerTests.GroupDirection(mixture, group, rng);
            double analytic = direction.Select((d, i) => d * gPhi[i]).Sum();
            const double h = 1e-5;
            double[] Shifted(double step) => phi.Select((v, i) => v + step * direction[i]).ToArray();
            double numeric = (Loss(Shifted(h)) - Loss(Shifted(-h))) / (2 * h);
            Assert.True(
                Math.Abs(analytic - numeric) <= 1e-6 * Math.Max(1.0, Math.Abs(numeric)),
                $"{group}: analytic {analytic:R} vs numeric {numeric:R}");
        }
    }

    [Fact]
    public void ForwardPassIsTheReducedDynamicsOfThePopulations()
    {
        // The objective's outputs are those of MeanFieldDynamics.Simulate on the same mixture.
        CognitiveTask task = CognitiveTask.Create("dms");
        var spec = new RateNetworkSpec(64, 2, task.Inputs, 1, CognitiveTask.Alpha, 0, ReadoutKind.Tanh);
        var mixture = new MixtureParameters(2, new RateNetworkLayout(spec));
        double[] phi = mixture.Initial(1.2, 0.4, Rng.Create(5, 0));
        for (int i = 0; i < mixture.Dimension; i++)
        {
            phi[mixture.Mean(1, i)] = 0.3 * (i % 3 - 1);
        }

        GaussHermite rule = GaussHermite.Create(MeanFieldDynamics.DefaultOrder);
        var objective = new MeanFieldObjective(mixture, rule);
        objective.Prepare(phi);
        var populations = new PopulationModel(
            PopulationModel.CurrentFormatVersion, "test", "test", 64, mixture.Names, 2, mixture.Proportions,
            [mixture.MeanOf(phi, 0), mixture.MeanOf(phi, 1)], [mixture.CovarianceOf(phi, 0), mixture.CovarianceOf(phi, 1)],
            0, 0, null, [32, 32], 0, 0, 0,
            new LintSourceNetwork("dms", 2, task.Inputs, 1, CognitiveTask.Alpha, 0, ReadoutKind.Tanh));
        Trial trial = task.Generate(3, 0);
        var outputs = new double[trial.Steps];
        objective.Loss(trial, 1, outputs);
        ReducedTrajectory reduced = MeanFieldDynamics.Simulate(populations, trial, rule);
        double largest = 0;
        for (int t = 0; t < trial.Steps; t++)
        {
            largest = Math.Max(largest, Math.Abs(outputs[t] - reduced.Outputs[t]));
        }

        Assert.True(outputs.Max(Math.Abs) > 0.01, "the outputs should not vanish");
        Assert.True(largest < 1e-5, $"largest output difference {largest}");
    }
}
