using LowRank.Data;
using LowRank.Populations;
using LowRank.RateNetworks;
using LowRank.Tasks;

namespace LowRank.Tests.Populations;

public sealed class DesignedStartsTests
{
    [Fact]
    public void GatedMatchToSampleSolvesDmsInTheMeanFieldOnlyWithBothPopulations()
    {
        PopulationModel design = DesignedStarts.DmsGating();
        CognitiveTask task = CognitiveTask.Create("dms");
        Trial[] trials = task.GenerateMany(11, 0, 48);
        Assert.True(trials.Select(t => t.Targets.Max()).Distinct().Count() == 2, "both match and non-match trials");

        double Accuracy(double[] proportions)
        {
            var spec = new RateNetworkSpec(64, 2, task.Inputs, 1, CognitiveTask.Alpha, 0, ReadoutKind.Tanh);
            var mixture = new MixtureParameters(2, new RateNetworkLayout(spec), proportions);
            var objective = new MeanFieldObjective(mixture, GaussHermite.Create(MeanFieldDynamics.DefaultOrder));
            objective.Prepare(mixture.From(design.ToMixture()));
            return trials.Count(objective.IsCorrect) / (double)trials.Length;
        }

        Assert.Equal(1.0, Accuracy([0.5, 0.5]));
        // one population alone answers at most the trials of one kind
        Assert.True(Accuracy([1.0, 0.0]) < 0.8, $"population 1 alone: {Accuracy([1.0, 0.0])}");
        Assert.True(Accuracy([0.0, 1.0]) < 0.8, $"population 2 alone: {Accuracy([0.0, 1.0])}");
    }

    [Fact]
    public void StartsAreCheckedAgainstTheRun()
    {
        Assert.Null(DesignedStarts.Create(DesignedStarts.Generic, "cdi", 1, 3));
        Assert.NotNull(DesignedStarts.Create(DesignedStarts.DmsGatingName, "dms", 2, 2));
        InputException wrong = Assert.Throws<InputException>(() => DesignedStarts.Create(DesignedStarts.DmsGatingName, "dms", 2, 3));
        Assert.Contains("--components 3", LowRank.Cli.SettingFlags.Message(wrong));
    }
}
