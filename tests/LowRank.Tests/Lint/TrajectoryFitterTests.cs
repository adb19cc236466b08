using LowRank.Data;
using LowRank.Lint;
using LowRank.RateNetworks;
using LowRank.Tasks;

namespace LowRank.Tests.Lint;

public sealed class TrajectoryFitterTests
{
    /// <summary>A random rank-1 teacher with strong recurrence (σ_nm = 1.6 gives bistable latent dynamics).</summary>
    internal static RateNetwork RankOneTeacher(int units, long seed)
    {
        var spec = new RateNetworkSpec(units, 1, 1, 1, CognitiveTask.Alpha, 0.0, ReadoutKind.Tanh);
        RateNetwork teacher = RateNetwork.CreateRandom(spec, seed);
        Span<double> m = teacher.Layout.M.Of(teacher.Theta);
        Span<double> n = teacher.Layout.NTilde.Of(teacher.Theta);
        Span<double> w = teacher.Layout.InputWeights.Of(teacher.Theta);
        // ñ = 1.6 m + noise, so that σ_nm ≈ 1.6; inputs reach the latent through ñ·w_in ≠ 0.
        for (int i = 0; i < units; i++)
        {
            n[i] = 1.6 * m[i] + 0.5 * w[i];
            w[i] *= 2;
        }

        return teacher;
    }

    [Fact]
    public void RankOneTeacherIsRecoveredFromRandomInitialisation()
    {
        RateNetwork teacher = RankOneTeacher(40, 5);
        var task = new RandomDotDecisionTask();
        var options = new TrajectoryFitOptions(
            Rank: 1, Epochs: 300, LearningRate: 0.02, Initialization: FitInitialization.Random, Seed: 3, Threads: 2,
            TrainTrials: 24, HeldOutTrials: 16, EvaluationTrials: 64);
        TrajectoryFitResult result = TrajectoryFitter.FitTeacher(teacher, task, options, NullProgress.Instance);
        Assert.True(result.R2 >= 0.98, $"held-out R² {result.R2}");
        Assert.True(result.R2PerNeuron >= 0.9, $"held-out per-neuron R² {result.R2PerNeuron}");
    }

    [Fact]
    public void SvdInitialisationReproducesALowRankTeacherExactly()
    {
        RateNetwork teacher = RankOneTeacher(24, 9);
        var student = RateNetwork.CreateRandom(teacher.Spec, 1);
        TrajectoryFitter.InitializeFromSvd(student, teacher.RecurrentWeights());
        double[,] a = teacher.RecurrentWeights();
        double[,] b = student.RecurrentWeights();
        for (int i = 0; i < 24; i++)
        {
            for (int k = 0; k < 24; k++)
            {
                Assert.Equal(a[i, k], b[i, k], 1e-10);
            }
        }
    }

    [Theory]
    [InlineData(ReadoutKind.Tanh)]
    [InlineData(ReadoutKind.Identity)]
    public void ObservedUnitsAreFittedByTheirRatesInATaskNetworkAndByTheirStatesOtherwise(ReadoutKind readout)
    {
        RateNetwork teacher = RankOneTeacher(12, 4);
        teacher = teacher.WithSpec(teacher.Spec with { Readout = readout });
        int[] observed = [1, 5, 11];
        Trial[] trials = new RandomDotDecisionTask().GenerateMany(2, 0, 3)
            .Select(t => new Trial(t.Steps, 1, 3, t.InputValues, new float[t.Steps * 3], Enumerable.Repeat(1f, t.Steps).ToArray()))
            .ToArray();
        int checkedValues = 0;
        RateNetworkRunner.Run(teacher.Layout, teacher.Theta, trials, observed, 0, 0, 1, (i, workspace) =>
        {
            for (int t = 0; t < trials[i].Steps; t++)
            {
                for (int k = 0; k < observed.Length; k++)
                {
                    float x = workspace.States[(t + 1) * 12 + observed[k]];
                    float expected = readout == ReadoutKind.Tanh ? MathF.Tanh(x) : x;
                    Assert.Equal(expected, workspace.Outputs[t * observed.Length + k], 1e-6f);
                    Interlocked.Increment(ref checkedValues);
                }
            }
        });
        Assert.Equal(trials.Sum(t => t.Steps) * observed.Length, checkedValues);
    }

    [Fact]
    public void SvdStudentOfAnExactlyRankOneTeacherScoresOne()
    {
        // A student initialised from the SVD of an exactly rank-1 teacher reproduces it: its observed outputs
        // and the targets are the same quantity (rates), so one step of a tiny learning rate keeps R² ≈ 1.
        RateNetwork teacher = RankOneTeacher(30, 6);
        var options = new TrajectoryFitOptions(
            Rank: 1, Epochs: 1, LearningRate: 1e-9, Initialization: FitInitialization.Svd, Seed: 2, Threads: 1,
            TrainTrials: 4, HeldOutTrials: 4, EvaluationTrials: 8);
        TrajectoryFitResult result = TrajectoryFitter.FitTeacher(teacher, new RandomDotDecisionTask(), options, NullProgress.Instance);
        Assert.True(result.R2 > 0.999999, $"R² {result.R2}");
    }

    [Fact]
    public void SubsampledStudentHasOneUnitPerObservedUnitAndTheRestrictedTeacherReadout()
    {
        RateNetwork teacher = RankOneTeacher(20, 8);
        var options = new TrajectoryFitOptions(
            Rank: 1, Epochs: 1, LearningRate: 1e-9, Initialization: FitInitialization.Random, Seed: 4, Threads: 1,
            Subsample: 0.25, TrainTrials: 4, HeldOutTrials: 4, EvaluationTrials: 8);
        TrajectoryFitResult result = TrajectoryFitter.FitTeacher(teacher, new RandomDotDecisionTask(), options, NullProgress.Instance);
        RateNetwork student = result.Student;
        int[] observed = result.Observed;
        Assert.Equal(5, observed.Length);
        Assert.Equal(5, student.Spec.Units);
        Assert.Equal(observed.Distinct().Order(), observed);
        Assert.All(observed, i => Assert.InRange(i, 0, 19));
        ReadOnlySpan<double> teacherOut = teacher.Layout.OutputWeights.Of<double>(teacher.Theta);
        ReadOnlySpan<double> studentOut = student.Layout.OutputWeights.Of<double>(student.Theta);
        ReadOnlySpan<double> teacherIn = teacher.Layout.InputWeights.Of<double>(teacher.Theta);
        ReadOnlySpan<double> studentIn = student.Layout.InputWeights.Of<double>(student.Theta);
        for (int a = 0; a < 5; a++)
        {
            // Readout: the teacher's weights of the observed units, times k/N, so that the student's
            // Σ ψ(x) W_out / k equals the teacher's readout sum over those units.
            Assert.Equal(teacherOut[observed[a]] * 5 / 20.0, studentOut[a], 1e-12);
            // W_in starts from the teacher's and moves by at most about one Adam step of 1e-9.
            Assert.Equal(teacherIn[observed[a]], studentIn[a], 1e-6);
        }
    }

    [Fact]
    public void PerfectPredictionScoresOne()
    {
        RateNetwork teacher = RankOneTeacher(12, 2);
        var task = new RandomDotDecisionTask();
        int[] observed = [0, 3, 7];
        Trial[] trials = task.GenerateMany(1, 0, 6)
            .Select(t => new Trial(t.Steps, 1, 3, t.InputValues, new float[t.Steps * 3], Enumerable.Repeat(1f, t.Steps).ToArray()))
            .ToArray();
        var targets = new Trial[trials.Length];
        RateNetworkRunner.Run(teacher.Layout, teacher.Theta, trials, observed, 0, 0, 1, (i, workspace) =>
            targets[i] = new Trial(trials[i].Steps, 1, 3, trials[i].InputValues, workspace.Outputs.AsSpan(0, trials[i].Steps * 3).ToArray(), trials[i].Mask));
        (double global, double perNeuron) = TrajectoryFitter.Score(teacher, targets, observed, 2);
        Assert.Equal(1.0, global, 1e-12);
        Assert.Equal(1.0, perNeuron, 1e-12);
    }
}
