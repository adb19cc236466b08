using LowRank.Data;
using LowRank.RateNetworks;
using LowRank.Training;
using static LowRank.InputException;

namespace LowRank.Tasks;

/// <summary>Options of <see cref="TaskTrainer.Train"/>.</summary>
/// <param name="Task">cdi, dms, romo or rdm.</param>
/// <param name="Units">N.</param>
/// <param name="Rank">R, or 0 for a full-rank network.</param>
/// <param name="Epochs">Passes over the training trials.</param>
/// <param name="BatchSize">Trials per gradient step.</param>
/// <param name="TrainTrials">Distinct training trials.</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="NoiseStd">σ of the state noise during training and evaluation.</param>
/// <param name="Seed">Seed of initialisation, trials and noise.</param>
/// <param name="Threads">Worker threads (results do not depend on it).</param>
/// <param name="EvaluationTrials">Trials of the accuracy estimate.</param>
/// <param name="Gain">g of the initial full-rank J ~ N(0, g²/N).</param>
/// <param name="Overlap">ρ of the initial low-rank vectors ñ_r = ρ m_r + z_r (σ_nm ≈ ρ I, slow latent dynamics that can hold a memory).</param>
public sealed record TaskTrainingOptions(
    string Task,
    int Units,
    int Rank,
    int Epochs,
    int BatchSize,
    int TrainTrials,
    double LearningRate,
    double NoiseStd,
    long Seed,
    int Threads,
    int EvaluationTrials,
    double Gain = 0.6,
    double Overlap = 0.0)
{
    /// <summary>Throws <see cref="InputException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        InputException.Require(Units >= 1, nameof(Units), Units, "at least 1");
        InputException.Require(Rank >= 0 && Rank <= Units, nameof(Rank), Rank, $"between 1 and {Ref(nameof(Units))} ({Units})");
        TaskTrainer.RequireTraining(nameof(TaskTrainingOptions), Epochs, BatchSize, TrainTrials, LearningRate, NoiseStd);
        InputException.Require(Gain >= 0, nameof(Gain), Gain, "non-negative");
        InputException.Require(EvaluationTrials >= 1, nameof(EvaluationTrials), EvaluationTrials, "at least 1");
    }
}

/// <summary>A trained network with its training summary and accuracy on the evaluation trials.</summary>
public sealed record TaskTrainingResult(RateNetwork Network, TrainingSummary Summary, double Accuracy);

/// <summary>
/// Trains full-rank or low-rank rate networks on a <see cref="CognitiveTask"/> and measures accuracy.
/// </summary>
/// <remarks>
/// Trial streams never overlap: training trials are indices [0, n) of the seed, validation trials (the
/// keep-best criterion) start at 2³², and evaluation trials are indices from 2³⁶ of the fixed
/// <see cref="EvaluationSeed"/>, the same for every model. Trained groups: J (full rank) or M, Ñ
/// (low rank), W_in, W_out; b = 0 and x0 = 0 stay fixed.
/// </remarks>
public static class TaskTrainer
{
    public const long EvaluationSeed = 20_221_122;
    public const int ValidationTrials = 128;
    private const long ValidationIndex = 1L << 32;
    private const long EvaluationIndex = 1L << 36;

    public static TaskTrainingResult Train(TaskTrainingOptions options, IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CognitiveTask task = CognitiveTask.Create(options.Task);
        var spec = new RateNetworkSpec(options.Units, options.Rank, task.Inputs, task.Outputs, CognitiveTask.Alpha, options.NoiseStd, ReadoutKind.Tanh);
        RateNetwork initial = RateNetwork.CreateRandom(spec, options.Seed, options.Gain);
        if (options.Overlap != 0 && !spec.IsFullRank)
        {
            Span<double> m = initial.Layout.M.Of(initial.Theta);
            Span<double> nTilde = initial.Layout.NTilde.Of(initial.Theta);
            for (int i = 0; i < m.Length; i++)
            {
                nTilde[i] += options.Overlap * m[i];
            }
        }
        Trial[] train = task.GenerateMany(options.Seed, 0, options.TrainTrials);
        Trial[] validation = task.GenerateMany(options.Seed, ValidationIndex, ValidationTrials);
        ParameterGroups trainable = (spec.IsFullRank ? ParameterGroups.J : ParameterGroups.M | ParameterGroups.NTilde)
            | ParameterGroups.InputWeights | ParameterGroups.OutputWeights;
        var bptt = new BpttOptions(options.Epochs, options.BatchSize, options.LearningRate, 1.0, trainable, options.Seed, options.Threads, 1.0 / Math.Sqrt(options.Units));
        (double[] theta, TrainingSummary summary, _) = RateNetworkTraining.Train(initial.Layout, initial.Theta, train, [], bptt, validation, progress);
        var network = new RateNetwork(spec, theta);
        double accuracy = Accuracy(network, task, EvaluationTrialsOf(task, options.EvaluationTrials), options.Threads);
        return new TaskTrainingResult(network, summary, accuracy);
    }

    /// <summary>
    /// The settings every training of a rate network on task trials has, checked in this order: epochs, batch,
    /// training trials (named <c>{record}.TrainTrials</c>), learning rate, noise.
    /// </summary>
    internal static void RequireTraining(string record, int epochs, int batchSize, int trainTrials, double learningRate, double noiseStd)
    {
        InputException.Require(epochs >= 1, "Epochs", epochs, "at least 1");
        InputException.Require(batchSize >= 1, "BatchSize", batchSize, "at least 1");
        InputException.Require(trainTrials >= 1, $"{record}.TrainTrials", trainTrials, "at least 1");
        InputException.Require(learningRate > 0, "LearningRate", learningRate, "positive");
        InputException.Require(noiseStd >= 0, "NoiseStd", noiseStd, "non-negative");
    }

    /// <summary>The fixed evaluation trials of <paramref name="task"/>.</summary>
    public static Trial[] EvaluationTrialsOf(CognitiveTask task, int count) =>
        task.GenerateMany(EvaluationSeed, EvaluationIndex, count);

    /// <summary>Fraction of <paramref name="trials"/> where the network's output has the target's sign.</summary>
    public static double Accuracy(RateNetwork network, CognitiveTask task, IReadOnlyList<Trial> trials, int threads)
    {
        if (network.Spec.Inputs != task.Inputs || network.Spec.Outputs != task.Outputs)
        {
            throw new InputException(
                $"the network has {network.Spec.Inputs} inputs and {network.Spec.Outputs} outputs but task '{task.Name}' needs {task.Inputs} and {task.Outputs}.",
                "evaluate the model on the task it was trained for.");
        }

        var correct = new bool[trials.Count];
        RateNetworkRunner.Run(network.Layout, network.Theta, trials, [], EvaluationSeed, 0, threads, (i, workspace) =>
            correct[i] = CognitiveTask.IsCorrect(trials[i], workspace.Outputs));
        return correct.Count(c => c) / (double)Math.Max(1, trials.Count);
    }
}
