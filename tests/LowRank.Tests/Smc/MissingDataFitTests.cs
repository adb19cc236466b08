using LowRank.Analysis;
using LowRank.Data;
using LowRank.Inference;
using LowRank.Metrics;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Simulation;
using LowRank.Smc;

namespace LowRank.Tests.Smc;

/// <summary>A fit to a teacher's data with a fifth of the entries missing (NaN) still recovers the teacher.</summary>
public sealed class MissingDataFitTests
{
    [Fact]
    public void FitWithTwentyPercentMissingRecoversTheTeacher()
    {
        const int steps = 3000, channels = 8;
        LowRankRnn teacher = Teachers.Create(new TeacherOptions { Kind = TeacherKind.Oscillator, Units = 64, Channels = channels, Activation = Activation.ClippedRelu, Seed = 3 });
        SimulationResult data = Simulator.Run(teacher, new SimulationOptions { Steps = steps, BurnIn = 200, Seed = 4, Threads = 1 });
        double[] gappy = (double[])data.Samples.Clone();
        Rng rng = Rng.Create(5);
        for (int i = 0; i < gappy.Length; i++)
        {
            if (rng.NextDouble() < 0.2)
            {
                gappy[i] = double.NaN;
            }
        }

        var recipe = new FitSettings
        {
            Model = new ModelOptions { Rank = 2, Units = 32, Activation = Activation.ClippedRelu },
            Objective = new VsmcOptions { Particles = 10, Proposal = ProposalKind.Optimal, Threads = 1 },
            Trainer = new FitTrainerSettings { Epochs = 250, BatchSize = 10, WindowLength = 50, WindowsPerEpoch = 100, LearningRate = 1e-2, FinalLearningRate = 1e-4, Seed = 2 },
        };
        LowRankRnn student = ModelFitter.Fit(SequenceSet.Continuous(gappy, steps, channels), recipe).Model;

        // The complete data are about as likely under the student as under the teacher (an unfitted student: −6.6 per step against 6.1).
        var complete = SequenceSet.Continuous(data.Samples, steps, channels);
        var inference = new InferenceOptions { Particles = 64, Seed = 1, Threads = 1 };
        double teacherPerStep = PosteriorInference.Infer(teacher, complete, inference).LogLikelihood[0] / steps;
        double studentPerStep = PosteriorInference.Infer(student, complete, inference).LogLikelihood[0] / steps;
        Assert.True(studentPerStep > teacherPerStep - 1.5, $"student {studentPerStep:F3} vs teacher {teacherPerStep:F3} per step");

        // And it oscillates at the teacher's frequency.
        var generation = new SimulationOptions { Steps = 6000, BurnIn = 200, Seed = 6, Threads = 1 };
        double teacherFrequency = Spectra.DominantFrequency(Simulator.Run(teacher, generation).Latents, 6000, 2);
        double studentFrequency = Spectra.DominantFrequency(Simulator.Run(student, generation).Latents, 6000, 2);
        Assert.True(Math.Abs(studentFrequency / teacherFrequency - 1) < 0.1, $"frequency: student {studentFrequency:F4}, teacher {teacherFrequency:F4}");
    }
}
