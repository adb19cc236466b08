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

    /// <summary>
    /// Trajectories of a random rank-2 network of <paramref name="units"/> units (ñ_r = 1.4 m_r + input overlap, so the
    /// latents respond to the inputs and interact) on <paramref name="conditions"/> conditions, each a constant pulse of
    /// two inputs with its own amplitudes on steps 5–24 of 60: states [C, 60, units] and inputs [C, 60, 2].
    /// </summary>
    internal static (double[] States, double[] Inputs, int Steps) RankTwoTrajectories(int units, int conditions, long seed)
    {
        var spec = new RateNetworkSpec(units, 2, 2, 1, CognitiveTask.Alpha, 0.0, ReadoutKind.Identity);
        RateNetwork teacher = RateNetwork.CreateRandom(spec, seed);
        Span<double> m = teacher.Layout.M.Of(teacher.Theta);
        Span<double> n = teacher.Layout.NTilde.Of(teacher.Theta);
        Span<double> w = teacher.Layout.InputWeights.Of(teacher.Theta);
        for (int r = 0; r < 2; r++)
        {
            for (int i = 0; i < units; i++)
            {
                n[r * units + i] = 1.4 * m[r * units + i] + 0.6 * w[r * units + i];
                w[r * units + i] *= 2;
            }
        }

        const int steps = 60;
        LowRank.Numerics.Rng rng = LowRank.Numerics.Rng.Create(seed, 7);
        var trials = new Trial[conditions];
        var inputs = new double[conditions * steps * 2];
        for (int c = 0; c < conditions; c++)
        {
            var u = new float[steps * 2];
            double a = 2 * rng.NextDouble() - 1, b = 2 * rng.NextDouble() - 1;
            for (int t = 5; t < 25; t++)
            {
                u[t * 2] = (float)a;
                u[t * 2 + 1] = (float)b;
            }

            for (int i = 0; i < u.Length; i++)
            {
                inputs[c * steps * 2 + i] = u[i];
            }

            trials[c] = new Trial(steps, 2, 1, u, new float[steps], Enumerable.Repeat(1f, steps).ToArray());
        }

        var states = new double[conditions * steps * units];
        RateNetworkRunner.Run(teacher.Layout, teacher.Theta, trials, [], 0, 0, 1, (i, workspace) =>
        {
            for (int t = 0; t < steps; t++)
            {
                for (int k = 0; k < units; k++)
                {
                    states[(i * steps + t) * units + k] = workspace.States[(t + 1) * units + k];
                }
            }
        });
        return (states, inputs, steps);
    }

    [Fact]
    public void ARankTwoNetworkIsRecoveredWithAThirdOfItsUnitsHiddenAndAFifthOfTheEntriesMissing()
    {
        // 40 units, the first 28 recorded (30 % hidden), 20 % of the recorded entries NaN at random.
        const int units = 40, recorded = 28, conditions = 16;
        (double[] states, double[] inputs, int steps) = RankTwoTrajectories(units, conditions, 4);
        var values = new double[conditions * steps * recorded];
        LowRank.Numerics.Rng rng = LowRank.Numerics.Rng.Create(5, 0);
        int missing = 0;
        for (int c = 0; c < conditions * steps; c++)
        {
            for (int k = 0; k < recorded; k++)
            {
                bool hide = rng.NextDouble() < 0.2;
                missing += hide ? 1 : 0;
                values[c * recorded + k] = hide ? double.NaN : states[c * units + k];
            }
        }

        Assert.InRange(missing / (double)values.Length, 0.18, 0.22);
        var data = new SequenceSet(conditions, steps, recorded, values, 2, inputs);
        var options = new TrajectoryFitOptions(
            Rank: 2, Epochs: 1500, LearningRate: 0.02, Initialization: FitInitialization.Random, Seed: 1, Threads: 2, HiddenUnits: units - recorded);
        TrajectoryFitResult result = TrajectoryFitter.FitRecordings(data, options, NullProgress.Instance);
        Assert.Equal(units, result.Student.Spec.Units);
        Assert.Equal(Enumerable.Range(0, recorded), result.Observed);
        Assert.True(double.IsFinite(result.Summary.BestLoss));
        Assert.True(result.R2 >= 0.95, $"held-out R² {result.R2} (per neuron {result.R2PerNeuron})");
    }

    [Fact]
    public void MissingEntriesAreLeftOutOfTheScore()
    {
        // The same prediction scored with and without a NaN in place of a badly predicted entry: only the NaN-free
        // entries count, so marking the bad one missing gives R² 1.
        RateNetwork teacher = RankOneTeacher(12, 2);
        var task = new RandomDotDecisionTask();
        int[] observed = [0, 3];
        Trial source = task.GenerateMany(1, 0, 1)[0];
        var probe = new Trial(source.Steps, 1, 2, source.InputValues, new float[source.Steps * 2], Enumerable.Repeat(1f, source.Steps).ToArray());
        float[] exact = [];
        RateNetworkRunner.Run(teacher.Layout, teacher.Theta, [probe, probe], observed, 0, 0, 1, (i, workspace) =>
            exact = workspace.Outputs.AsSpan(0, source.Steps * 2).ToArray());
        float[] wrong = [.. exact];
        wrong[7] += 5;
        float[] masked = [.. wrong];
        masked[7] = float.NaN;
        Trial With(float[] targets) => new(source.Steps, 1, 2, source.InputValues, targets, probe.Mask);
        Assert.True(TrajectoryFitter.Score(teacher, [With(wrong), With(exact)], observed, 1).Global < 1);
        (double global, double perNeuron) = TrajectoryFitter.Score(teacher, [With(masked), With(exact)], observed, 1);
        Assert.Equal(1.0, global, 1e-12);
        Assert.Equal(1.0, perNeuron, 1e-12);
    }
}
