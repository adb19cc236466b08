using LowRank.Data;
using LowRank.Numerics;
using LowRank.Tasks;

namespace LowRank.Tests.Tasks;

public sealed class ReachingTaskTests
{
    [Fact]
    public void TrainingTrialsUseTheEightDirectionsAndTheEvaluationTaskAnyAngle()
    {
        var task = new ReachingTask();
        var seen = new HashSet<double>();
        for (int i = 0; i < 200; i++)
        {
            seen.Add(task.Generate(5, i).Condition);
        }

        Assert.Equal(task.DirectionAngles().Order(), seen.Order());
        var any = new HashSet<double>();
        for (int i = 0; i < 50; i++)
        {
            any.Add(task.ForEvaluation().Generate(5, i).Condition);
        }

        Assert.Equal(50, any.Count);
        Assert.All(any, a => Assert.InRange(a, 0, 360));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    [InlineData(-90)]
    [InlineData(400)]
    public void TrialForAnAngleCuesItAndItsTargetVelocityIntegratesToward(double degrees)
    {
        var task = new ReachingTask();
        Trial trial = task.GenerateFor(degrees, 2, 9);
        double expected = Angles.Normalise(degrees);
        Assert.Equal(expected, trial.Condition, 12);
        Assert.Equal(ReachingTask.TotalSteps, trial.Steps);
        Assert.Equal(85, trial.Steps);

        // Cue: mean of channels 0 and 1 during the cue epoch ≈ (cos θ, sin θ); go pulse on channel 2.
        double cos = 0, sin = 0;
        for (int t = ReachingTask.FixationSteps; t < ReachingTask.FixationSteps + ReachingTask.CueSteps; t++)
        {
            cos += trial.InputValues[t * 3];
            sin += trial.InputValues[t * 3 + 1];
        }

        (double s, double c) = Math.SinCos(degrees * Math.PI / 180);
        // noise sd 0.01 per step: the mean of 20 steps has sd 0.0022; 5 sd bound
        Assert.Equal(c, cos / ReachingTask.CueSteps, 0.012);
        Assert.Equal(s, sin / ReachingTask.CueSteps, 0.012);
        Assert.True(trial.InputValues[ReachingTask.GoStep * 3 + 2] > 0.9f);
        Assert.True(Math.Abs(trial.InputValues[(ReachingTask.GoStep - 1) * 3 + 2]) < 0.06f);

        Assert.Equal(expected, ReachingTask.TargetDegrees(trial), 4);
        Assert.All(trial.Targets.Take(ReachingTask.GoStep * 2), v => Assert.Equal(0f, v));
        Assert.All(trial.Targets.Skip((ReachingTask.GoStep + ReachingTask.ReachSteps) * 2), v => Assert.Equal(0f, v));
        Assert.All(trial.Mask, m => Assert.Equal(1f, m));
    }

    [Fact]
    public void SpeedProfileIsBellShapedWithPeakOneAndIntegralEightFifteenths()
    {
        double[] speed = [.. Enumerable.Range(0, ReachingTask.ReachSteps).Select(ReachingTask.Speed)];
        Assert.Equal(1.0, speed.Max(), 2);
        Assert.Equal(8.0 / 15, speed.Sum() / ReachingTask.ReachSteps, 3);
        int peak = Array.IndexOf(speed, speed.Max());
        for (int s = 1; s <= peak; s++)
        {
            Assert.True(speed[s] >= speed[s - 1]);
        }

        for (int s = peak + 1; s < speed.Length; s++)
        {
            Assert.True(speed[s] <= speed[s - 1]);
        }
    }

    [Fact]
    public void ScoresAreExactForTheTargetAndForAScaledRotatedOutput()
    {
        var task = new ReachingTask();
        Trial trial = task.GenerateFor(60, 1, 0);
        Assert.True(task.Succeeds(trial, trial.Targets));
        Assert.Equal(1.0, ReachingTask.VelocityR2(trial, trial.Targets), 12);

        // Rotate the velocity by 20°: end-point error 20°, and R² = 1 − Σ|o − v|² / Σ|v − v̄|² computed by hand.
        var rotated = new float[trial.Targets.Length];
        (double s, double c) = Math.SinCos(20 * Math.PI / 180);
        double residual = 0;
        for (int t = 0; t < trial.Steps; t++)
        {
            double x = trial.Targets[t * 2], y = trial.Targets[t * 2 + 1];
            rotated[t * 2] = (float)(c * x - s * y);
            rotated[t * 2 + 1] = (float)(s * x + c * y);
            residual += Math.Pow(rotated[t * 2] - x, 2) + Math.Pow(rotated[t * 2 + 1] - y, 2);
        }

        double total = 0;
        for (int k = 0; k < 2; k++)
        {
            double mean = Enumerable.Range(0, trial.Steps).Average(t => (double)trial.Targets[t * 2 + k]);
            total += Enumerable.Range(0, trial.Steps).Sum(t => Math.Pow(trial.Targets[t * 2 + k] - mean, 2));
        }

        Assert.Equal(1 - residual / total, ReachingTask.VelocityR2(trial, rotated), 6);
        Assert.Equal(80, ReachingTask.EndPointDegrees(rotated), 3);
        Assert.False(task.Succeeds(trial, rotated));
        ReachScores scores = ReachingTask.Score([trial, trial], [trial.Targets, rotated]);
        Assert.Equal(10, scores.AngleErrorDeg, 3);
    }

    [Theory]
    [InlineData(350, 10, 20)]
    [InlineData(10, 350, 20)]
    [InlineData(0, 180, 180)]
    [InlineData(90, -270, 0)]
    public void AngleDifferenceWrapsAroundTheCircle(double a, double b, double expected) =>
        Assert.Equal(expected, Angles.Error(a, b), 9);

    [Fact]
    public void DirectionsChooseTheTrainingAnglesOfReachOnly()
    {
        var four = (ReachingTask)CognitiveTask.Create("reach", 4);
        Assert.Equal([0.0, 90, 180, 270], four.DirectionAngles());
        Assert.All(Enumerable.Range(0, 40), i => Assert.Contains(four.Generate(1, i).Condition, four.DirectionAngles()));
        var any = (ReachingTask)CognitiveTask.Create("reach", 0);
        Assert.Equal(40, Enumerable.Range(0, 40).Select(i => any.Generate(1, i).Condition).Distinct().Count());
        Assert.Equal(ReachingTask.DefaultDirections, ((ReachingTask)CognitiveTask.Create("reach", null)).TrainingDirections);
        Assert.Throws<InputException>(() => CognitiveTask.Create("rdm", 8));
        Assert.Throws<InputException>(() => CognitiveTask.Create("reach", -1));
    }

    [Fact]
    public void DecisionTasksRefuseConditions()
    {
        InputException error = Assert.Throws<InputException>(() => CognitiveTask.Create("rdm").GenerateFor(1, 0, 0));
        Assert.Contains("no conditions", error.Message, StringComparison.Ordinal);
    }
}
