using LowRank.Decoding;
using LowRank.Formats;
using LowRank.Metrics;
using LowRank.Plotting;

namespace LowRank.Tests.Decoding;

/// <summary>The figures of the per-condition comparison render degenerate data: one condition, rank 1, silent units.</summary>
public sealed class ConditionPlotsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-condition-plots-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void OneConditionOfSilentUnitsRenders()
    {
        var trials = new ConditionTrials(new double[2 * 4 * 3], 4, 3, [90, 90], "silent");
        ConditionEvaluation evaluation = ConditionEvaluator.Evaluate(trials, trials, new ConditionEvaluationOptions { DecoderWindows = 2 });
        Assert.True(double.IsNaN(evaluation.Conditions[0].Psth.PopulationR2));
        var latents = ConditionLatents.Of(NdArray.Zeros(2, 4, 1), 2, 4, [[0, 1]], "silent");
        string[] paths = [Path.Combine(_dir, "a.png"), Path.Combine(_dir, "b.png"), Path.Combine(_dir, "c.png")];
        ConditionPlots.SaveLatentTrajectories(paths[0], evaluation, latents);
        ConditionPlots.SavePsths(paths[1], evaluation.Conditions[0], 3);
        ConditionPlots.SaveDecodedAngles(paths[2], evaluation);
        Assert.All(paths, p => Assert.True(new FileInfo(p).Length > 0));
    }

    [Fact]
    public void TheMostModulatedUnitsComeFirst()
    {
        // [T = 2, K = 4]: ranges 1, 3, 0, 3 → units 1 and 3 (ties by index), then 0, then 2.
        double[] psth = [0, 0, 5, 2, 1, 3, 5, 5];
        Assert.Equal([1, 3, 0], ConditionPlots.MostModulatedUnits(psth, 4, 3));
    }

    [Fact]
    public void DirectionColoursMeetAroundTheCircle() =>
        Assert.Equal(ConditionPlots.DirectionColor(0), ConditionPlots.DirectionColor(360));
}
