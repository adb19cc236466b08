using LowRank.Data;
using LowRank.RateNetworks;
using LowRank.Tasks;
using LowRank.Training;

namespace LowRank.Tests.RateNetworks;

public sealed class RateNetworkTrainingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void OneAndTwoThreadsGiveBitIdenticalParameters(int rank)
    {
        var task = new ContextDependentIntegrationTask();
        var spec = new RateNetworkSpec(17, rank, task.Inputs, 1, CognitiveTask.Alpha, 0.05, ReadoutKind.Tanh);
        RateNetwork network = RateNetwork.CreateRandom(spec, 4);
        Trial[] trials = task.GenerateMany(4, 0, 12);
        Trial[] validation = task.GenerateMany(4, 100, 4);
        double[] Train(int threads)
        {
            var options = new BpttOptions(3, 5, 0.01, 1.0, ParameterGroups.All, 7, threads, 0.5);
            return RateNetworkTraining.Train(network.Layout, network.Theta, trials, [], options, validation, NullProgress.Instance).Theta;
        }

        double[] one = Train(1);
        double[] two = Train(2);
        Assert.Equal(one, two);
        Assert.NotEqual(network.Theta, one);
    }

    [Fact]
    public void KeepBestNeverReturnsWorseThanTheStart()
    {
        var task = new RandomDotDecisionTask();
        var spec = new RateNetworkSpec(8, 1, 1, 1, CognitiveTask.Alpha, 0, ReadoutKind.Tanh);
        RateNetwork network = RateNetwork.CreateRandom(spec, 2);
        Trial[] trials = task.GenerateMany(2, 0, 6);
        // A huge learning rate makes training diverge; keep-best must return the initial parameters' loss or better.
        var options = new BpttOptions(5, 6, 50.0, 0, ParameterGroups.All, 1, 2);
        (double[] theta, TrainingSummary summary, _) = RateNetworkTraining.Train(network.Layout, network.Theta, trials, [], options, null, NullProgress.Instance);
        double final = BpttObjective.Loss(network.Layout, theta, trials, [], options.Seed, BpttObjective.NoiseStreamBase, options.Threads);
        Assert.True(summary.BestLoss <= summary.InitialLoss);
        Assert.Equal(summary.BestLoss, final, 1e-6);
    }

    [Fact]
    public void ValidationScoresTheKeepBestLossAndJudgesTheSameRun()
    {
        var task = new RandomDotDecisionTask();
        var spec = new RateNetworkSpec(9, 1, 1, 1, CognitiveTask.Alpha, 0.05, ReadoutKind.Tanh);
        RateNetwork network = RateNetwork.CreateRandom(spec, 3);
        Trial[] validation = task.GenerateMany(3, 100, 10);
        var options = new BpttOptions(1, 4, 0.01, 1, ParameterGroups.All, 5, 2);
        (double loss, double accuracy) = RateNetworkTraining.Validate(network.Layout, network.Theta, validation, [], options.Seed, 2, CognitiveTask.IsCorrect);
        Assert.Equal(BpttObjective.Loss(network.Layout, network.Theta, validation, [], options.Seed ^ 0x5EED, BpttObjective.NoiseStreamBase, 1), loss);
        // Same noise as the loss: the fraction judged correct is that of a run with this noise seed and stream.
        var correct = 0;
        RateNetworkRunner.Run(network.Layout, network.Theta, validation, [], options.Seed ^ 0x5EED, BpttObjective.NoiseStreamBase, 1, (i, workspace) =>
        {
            if (CognitiveTask.IsCorrect(validation[i], workspace.Outputs))
            {
                Interlocked.Increment(ref correct);
            }
        });
        Assert.Equal(correct / 10.0, accuracy);
        Assert.True(double.IsNaN(RateNetworkTraining.Validate(network.Layout, network.Theta, validation, [], options.Seed, 1, null).Accuracy));
    }

    [Fact]
    public void AccuracyTargetStopsAtTheFirstBestEpochThatReachesIt()
    {
        var task = new RandomDotDecisionTask();
        var spec = new RateNetworkSpec(8, 1, 1, 1, CognitiveTask.Alpha, 0, ReadoutKind.Tanh);
        RateNetwork network = RateNetwork.CreateRandom(spec, 2);
        Trial[] trials = task.GenerateMany(2, 0, 8);
        Trial[] validation = task.GenerateMany(2, 100, 8);
        var options = new BpttOptions(6, 4, 0.01, 1, ParameterGroups.All, 1, 1);
        TrainingResult Run(TrialJudge judge) =>
            RateNetworkTraining.Train(network.Layout, network.Theta, trials, [], options, validation, NullProgress.Instance, new AccuracyTarget(judge, new EarlyStopping(1.0, 0)));

        // Every trial judged correct: the run stops after the first epoch that improves the validation loss.
        TrainingResult always = Run((_, _) => true);
        Assert.True(always.Summary.StoppedEarly);
        Assert.Equal(always.Summary.BestEpoch, always.Summary.Epochs);
        Assert.True(always.Summary.Epochs < 6);
        TrainingResult unstopped = RateNetworkTraining.Train(network.Layout, network.Theta, trials, [], options, validation, NullProgress.Instance);
        Assert.Equal(unstopped.Summary.Objective.Take(always.Summary.Epochs), always.Summary.Objective);

        // Never correct: every epoch runs, exactly as without a target.
        TrainingResult never = Run((_, _) => false);
        Assert.False(never.Summary.StoppedEarly);
        Assert.Equal(6, never.Summary.Epochs);
        Assert.Equal(unstopped.Theta, never.Theta);

        Assert.Throws<ArgumentException>(() => RateNetworkTraining.Train(
            network.Layout, network.Theta, trials, [], options, null, NullProgress.Instance, new AccuracyTarget((_, _) => true, new EarlyStopping(1.0, 0))));
    }

    [Fact]
    public void FrozenGroupsDoNotMove()
    {
        var task = new RandomDotDecisionTask();
        var spec = new RateNetworkSpec(8, 2, 1, 1, CognitiveTask.Alpha, 0, ReadoutKind.Tanh);
        RateNetwork network = RateNetwork.CreateRandom(spec, 2);
        Trial[] trials = task.GenerateMany(2, 0, 4);
        var options = new BpttOptions(3, 4, 0.01, 1, ParameterGroups.M, 1, 1);
        (double[] theta, _, _) = RateNetworkTraining.Train(network.Layout, network.Theta, trials, [], options, null, NullProgress.Instance);
        RateNetworkLayout layout = network.Layout;
        Assert.Equal(layout.NTilde.Of(network.Theta).ToArray(), layout.NTilde.Of(theta).ToArray());
        Assert.Equal(layout.InputWeights.Of(network.Theta).ToArray(), layout.InputWeights.Of(theta).ToArray());
        Assert.NotEqual(layout.M.Of(network.Theta).ToArray(), layout.M.Of(theta).ToArray());
    }

    [Fact]
    public void ModelDirectoryRoundTripsEveryGroup()
    {
        string dir = Path.Combine(Path.GetTempPath(), "lint-roundtrip-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (int rank in new[] { 0, 2 })
            {
                var spec = new RateNetworkSpec(5, rank, 3, 2, 0.2, 0.01, ReadoutKind.Tanh);
                RateNetwork network = RateNetwork.CreateRandom(spec, 8);
                RateNetworkStore.Save(dir, network, "cdi", null);
                (RateNetwork loaded, RateNetworkDocument info) = RateNetworkStore.Load(dir);
                Assert.Equal(network.Theta, loaded.Theta);
                Assert.Equal(rank == 0 ? RateNetworkStore.KindFullRank : RateNetworkStore.KindLowRank, info.Kind);
                Assert.Equal("cdi", info.Task);
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
