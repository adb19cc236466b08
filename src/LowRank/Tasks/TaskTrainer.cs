using LowRank.Data;
using LowRank.Numerics;
using LowRank.RateNetworks;
using LowRank.Training;
using static LowRank.InputException;

namespace LowRank.Tasks;

/// <summary>Options of <see cref="TaskTrainer.Train"/>.</summary>
/// <param name="Task">cdi, dms, romo or rdm.</param>
/// <param name="Units">N.</param>
/// <param name="Rank">R, or 0 for a full-rank network.</param>
/// <param name="Epochs">Most passes over the training trials in one attempt (fewer when it reaches <c>TargetAccuracy</c>).</param>
/// <param name="BatchSize">Trials per gradient step.</param>
/// <param name="TrainTrials">Distinct training trials.</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="NoiseStd">σ of the state noise during training and evaluation.</param>
/// <param name="Seed">Seed of initialisation, trials and noise.</param>
/// <param name="Threads">Worker threads (results do not depend on it).</param>
/// <param name="EvaluationTrials">Trials of the accuracy estimate.</param>
/// <param name="Gain">g of the initial full-rank J ~ N(0, g²/N).</param>
/// <param name="Overlap">ρ of the initial low-rank vectors ñ_r = ρ m_r + z_r (σ_nm ≈ ρ I, slow latent dynamics that can hold a memory).</param>
/// <param name="TargetAccuracy">Accuracy on the validation trials at which an attempt stops (its best parameters must reach it); 0: no target, every epoch runs and no restart.</param>
/// <param name="Restarts">Further attempts, each from a fresh initialisation, while an attempt ends below <c>TargetAccuracy</c>.</param>
/// <param name="Patience">An attempt also ends after this many epochs without a lower validation loss (a stalled start); 0: no limit.</param>
/// <param name="Directions">Reach only: training directions (null: the task's 8; 0: any angle).</param>
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
    double Gain = TaskTrainingOptions.DefaultGain,
    double Overlap = TaskTrainingOptions.DefaultOverlap,
    double TargetAccuracy = TaskTrainingOptions.DefaultTargetAccuracy,
    int Restarts = TaskTrainingOptions.DefaultRestarts,
    int Patience = TaskTrainingOptions.DefaultPatience,
    int? Directions = null)
{
    /// <summary>The defaults of <c>task train</c> (docs/benchmarks-lint.md, "Training defaults"), one place for the record and the command.</summary>
    public const double DefaultGain = 1.0, DefaultOverlap = 1.5, DefaultTargetAccuracy = 0.99;

    /// <inheritdoc cref="DefaultGain"/>
    public const int DefaultRestarts = 2, DefaultPatience = 10;

    /// <summary>
    /// The default learning rate: 0.01 at full rank (J moves at lr/√N), 0.02 at low rank (shortens the CDI rank-1
    /// plateau); full-rank DMS stalled at 0.02 for some seeds (docs/benchmarks-lint.md).
    /// </summary>
    public static double DefaultLearningRate(int rank) => rank == 0 ? 0.01 : 0.02;

    /// <summary>Throws <see cref="InputException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        InputException.Require(Units >= 1, nameof(Units), Units, "at least 1");
        InputException.Require(Rank >= 0 && Rank <= Units, nameof(Rank), Rank, $"between 1 and {Ref(nameof(Units))} ({Units})");
        TaskTrainer.RequireTraining(nameof(TaskTrainingOptions), Epochs, BatchSize, TrainTrials, LearningRate, NoiseStd);
        InputException.Require(Gain >= 0, nameof(Gain), Gain, "non-negative");
        InputException.Require(EvaluationTrials >= 1, nameof(EvaluationTrials), EvaluationTrials, "at least 1");
        InputException.Require(TargetAccuracy >= 0 && TargetAccuracy <= 1, nameof(TargetAccuracy), TargetAccuracy, "between 0 and 1");
        InputException.Require(Restarts >= 0, nameof(Restarts), Restarts, "non-negative");
        InputException.Require(Patience >= 0, nameof(Patience), Patience, "non-negative");
        CognitiveTask.Create(Task, Directions);
    }
}

/// <summary>A trained network with its training summary, how it was reached and its accuracy on the evaluation trials.</summary>
/// <param name="Network">The returned attempt's best parameters.</param>
/// <param name="Summary">The returned attempt's training (its <see cref="TrainingSummary.Epochs"/> are the epochs it ran).</param>
/// <param name="Accuracy">On the fixed evaluation trials.</param>
/// <param name="ValidationAccuracy">On the validation trials, as the target was judged.</param>
/// <param name="Restarts">Restarts run (attempts − 1).</param>
/// <param name="Attempt">The returned attempt (0: the first): the one that reached the target, or the best when none did.</param>
/// <param name="TotalEpochs">Epochs over all attempts.</param>
/// <param name="ReachedTarget">Whether the returned attempt reached the target accuracy (false without a target).</param>
public sealed record TaskTrainingResult(
    RateNetwork Network,
    TrainingSummary Summary,
    double Accuracy,
    double ValidationAccuracy,
    int Restarts,
    int Attempt,
    int TotalEpochs,
    bool ReachedTarget)
{
    /// <summary>The reaching task's velocity R² and end-point angle error on the evaluation trials; null for other tasks.</summary>
    public ReachScores? Reach { get; init; }
}

/// <summary>
/// Trains full-rank or low-rank rate networks on a <see cref="CognitiveTask"/> and measures accuracy.
/// </summary>
/// <remarks>
/// Trial streams never overlap: training trials are indices [0, n) of the seed, validation trials (the
/// keep-best criterion and the target) start at 2³², and evaluation trials are indices from 2³⁶ of the fixed
/// <see cref="EvaluationSeed"/>, the same for every model. Trained groups: J (full rank) or M, Ñ
/// (low rank), W_in, W_out; b = 0 and x0 = 0 stay fixed.
///
/// Attempts: attempt 0 initialises from the seed; attempt k ≥ 1 (a restart) from seed s_k, the first draw of
/// stream 2⁴⁸ + k of the seed. Every attempt trains on the same trials with the same minibatch order and noise,
/// and stops once its best parameters reach <see cref="TaskTrainingOptions.TargetAccuracy"/> on the validation
/// trials, or after <see cref="TaskTrainingOptions.Patience"/> epochs without a lower validation loss
/// (<see cref="EarlyStopping"/>). The first attempt that reaches the target is returned; when none does, the one
/// with the highest validation accuracy (then the lowest validation loss).
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
        ArgumentNullException.ThrowIfNull(progress);
        options.Validate();
        CognitiveTask task = CognitiveTask.Create(options.Task, options.Directions);
        var spec = new RateNetworkSpec(options.Units, options.Rank, task.Inputs, task.Outputs, CognitiveTask.Alpha, options.NoiseStd, ReadoutKind.Tanh);
        Trial[] train = task.GenerateMany(options.Seed, 0, options.TrainTrials);
        Trial[] validation = task.GenerateMany(options.Seed, ValidationIndex, ValidationTrials);
        ParameterGroups trainable = (spec.IsFullRank ? ParameterGroups.J : ParameterGroups.M | ParameterGroups.NTilde)
            | ParameterGroups.InputWeights | ParameterGroups.OutputWeights;
        var bptt = new BpttOptions(options.Epochs, options.BatchSize, options.LearningRate, 1.0, trainable, options.Seed, options.Threads, 1.0 / Math.Sqrt(options.Units));
        var stopping = new EarlyStopping(options.TargetAccuracy, options.Patience);
        AccuracyTarget? target = options.TargetAccuracy > 0 || options.Patience > 0 ? new AccuracyTarget(task.Succeeds, stopping) : null;

        RestartsResult attempts = RestartsUntilTarget.Run(
            options.TargetAccuracy,
            options.Restarts,
            attempt =>
            {
                RateNetwork initial = Initial(spec, options, RestartsUntilTarget.AttemptSeed(options.Seed, attempt));
                (double[] theta, TrainingSummary summary, _) = RateNetworkTraining.Train(initial.Layout, initial.Theta, train, [], bptt, validation, progress, target);
                (double loss, double accuracy) = RateNetworkTraining.Validate(initial.Layout, theta, validation, [], bptt.Seed, bptt.Threads, task.Succeeds);
                return new TrainingAttempt(theta, summary, accuracy, loss);
            },
            progress,
            (best, attempt) => string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"best validation accuracy so far {best.Accuracy:0.000} < {options.TargetAccuracy}: restart {attempt} of {options.Restarts} from a fresh initialisation"));

        (double[] bestTheta, TrainingSummary bestSummary, double validationAccuracy, _) = attempts.Chosen;
        var network = new RateNetwork(spec, bestTheta);
        TaskEvaluation evaluation = Evaluate(network, task, EvaluationTrialsOf(task, options.EvaluationTrials), options.Threads);
        return new TaskTrainingResult(
            network, bestSummary, evaluation.Accuracy, validationAccuracy, attempts.Restarts, attempts.ChosenIndex, attempts.TotalEpochs, attempts.ReachedTarget)
        {
            Reach = evaluation.Reach,
        };
    }

    /// <summary>The initial network of one attempt: <see cref="RateNetwork.CreateRandom"/> with the options' gain, and ñ_r += ρ m_r at low rank.</summary>
    private static RateNetwork Initial(RateNetworkSpec spec, TaskTrainingOptions options, long seed)
    {
        RateNetwork initial = RateNetwork.CreateRandom(spec, seed, options.Gain);
        if (options.Overlap != 0 && !spec.IsFullRank)
        {
            Span<double> m = initial.Layout.M.Of(initial.Theta);
            Span<double> nTilde = initial.Layout.NTilde.Of(initial.Theta);
            for (int i = 0; i < m.Length; i++)
            {
                nTilde[i] += options.Overlap * m[i];
            }
        }

        return initial;
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

    /// <summary>The fixed evaluation trials of <paramref name="task"/> (of its <see cref="CognitiveTask.ForEvaluation"/> task).</summary>
    public static Trial[] EvaluationTrialsOf(CognitiveTask task, int count)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.ForEvaluation().GenerateMany(EvaluationSeed, EvaluationIndex, count);
    }

    /// <summary>Fraction of <paramref name="trials"/> the network answers correctly (<see cref="CognitiveTask.Succeeds"/>).</summary>
    public static double Accuracy(RateNetwork network, CognitiveTask task, IReadOnlyList<Trial> trials, int threads) =>
        Evaluate(network, task, trials, threads).Accuracy;

    /// <summary>The accuracy on <paramref name="trials"/> and, for the reaching task, its velocity R² and end-point angle error.</summary>
    public static TaskEvaluation Evaluate(RateNetwork network, CognitiveTask task, IReadOnlyList<Trial> trials, int threads)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(trials);
        task.RequireNetwork(network.Spec, "evaluate the model on the task it was trained for.");

        var correct = new bool[trials.Count];
        bool reach = task is ReachingTask;
        var outputs = new float[reach ? trials.Count : 0][];
        RateNetworkRunner.Run(network.Layout, network.Theta, trials, [], EvaluationSeed, 0, threads, (i, workspace) =>
        {
            correct[i] = task.Succeeds(trials[i], workspace.Outputs);
            if (reach)
            {
                outputs[i] = workspace.Outputs[..(trials[i].Steps * task.Outputs)];
            }
        });
        double accuracy = correct.Count(c => c) / (double)Math.Max(1, trials.Count);
        return new TaskEvaluation(accuracy, reach ? ReachingTask.Score(trials, outputs) : null);
    }
}

/// <summary>A network's scores on a task's trials.</summary>
/// <param name="Accuracy">Fraction of trials answered correctly.</param>
/// <param name="Reach">The reaching task's velocity R² and end-point angle error; null for other tasks.</param>
public sealed record TaskEvaluation(double Accuracy, ReachScores? Reach);
