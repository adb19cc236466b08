using LowRank.Data;
using LowRank.Numerics;
using LowRank.RateNetworks;
using LowRank.Tasks;
using LowRank.Training;
using static LowRank.InputException;

namespace LowRank.Populations;

/// <summary>Options of <see cref="MixtureNetworkTrainer.Train"/>.</summary>
/// <param name="Task">cdi, dms, romo or rdm.</param>
/// <param name="Rank">R.</param>
/// <param name="Components">P populations (equal proportions).</param>
/// <param name="Units">N of the network sampled at every step.</param>
/// <param name="Epochs">Most passes over the training trials per attempt (fewer when it reaches <c>TargetAccuracy</c>).</param>
/// <param name="BatchSize">Trials per gradient step (each step draws fresh loadings).</param>
/// <param name="TrainTrials">Distinct training trials.</param>
/// <param name="LearningRate">Adam learning rate (gradient-norm clip 1).</param>
/// <param name="NoiseStd">σ of the state noise during training and evaluation.</param>
/// <param name="Overlap">ρ of the start L_p[n_r, m_r] (σ_{n_r m_r} = ρ).</param>
/// <param name="Spread">Standard deviation of the start's other off-diagonal entries of L_p.</param>
/// <param name="Seed">Seed of the start, trials, loadings draws and noise.</param>
/// <param name="Threads">Worker threads (results do not depend on it).</param>
/// <param name="EvaluationTrials">Trials of the accuracy estimate.</param>
/// <param name="Start">Populations to start from (their P, proportions, means and covariances), or null for the generic start.</param>
/// <param name="Objective">What the gradient steps minimise: the loss of a freshly sampled network of <c>Units</c> units, or that of the mean-field limit.</param>
/// <param name="Source">How the populations were made, recorded as their source model (e.g. the command that trained them).</param>
/// <param name="TargetAccuracy">Validation accuracy (the lowest over the networks of <see cref="MixtureNetworkTrainer.ValidationDraws"/> fixed draws) at which an attempt stops; 0: no target, every epoch runs and no restart.</param>
/// <param name="Restarts">Further attempts while an attempt ends below <c>TargetAccuracy</c>, each with its own randomness (generic start, loadings draws, minibatch order).</param>
/// <param name="Patience">An attempt also ends after this many epochs without a lower validation loss; 0: no limit.</param>
public sealed record MixtureTrainingOptions(
    string Task,
    int Rank,
    int Components,
    int Units,
    int Epochs,
    int BatchSize,
    int TrainTrials,
    double LearningRate,
    double NoiseStd,
    double Overlap,
    double Spread,
    long Seed,
    int Threads,
    int EvaluationTrials,
    PopulationModel? Start = null,
    MixtureObjective Objective = MixtureObjective.Sampled,
    string Source = MixtureNetworkTrainer.SourceKind,
    double TargetAccuracy = 0.0,
    int Restarts = 0,
    int Patience = 0)
{
    /// <summary>Throws <see cref="InputException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        InputException.Require(Units >= 1, nameof(Units), Units, "at least 1");
        InputException.Require(Rank >= 1, nameof(Rank), Rank, "at least 1");
        InputException.Require(Components >= 1 && Components <= Units, nameof(Components), Components, $"between 1 and {Ref(nameof(Units))} ({Units})");
        TaskTrainer.RequireTraining(nameof(MixtureTrainingOptions), Epochs, BatchSize, TrainTrials, LearningRate, NoiseStd);
        InputException.Require(Spread >= 0, nameof(Spread), Spread, "non-negative");
        InputException.Require(Threads >= 1, nameof(Threads), Threads, "at least 1");
        InputException.Require(EvaluationTrials >= 1, nameof(EvaluationTrials), EvaluationTrials, "at least 1");
        InputException.Require(TargetAccuracy >= 0 && TargetAccuracy <= 1, nameof(TargetAccuracy), TargetAccuracy, "between 0 and 1");
        InputException.Require(Restarts >= 0, nameof(Restarts), Restarts, "non-negative");
        InputException.Require(Patience >= 0, nameof(Patience), Patience, "non-negative");
        CognitiveTask task = CognitiveTask.Create(Task);
        RequireDecisionTask(task);
        if (Start is { } start)
        {
            string[] names = MixtureParameters.LoadingNames(Rank, task.Inputs, task.Outputs);
            if (start.Components != Components || !start.LoadingNames.SequenceEqual(names))
            {
                string init = Ref($"{nameof(MixtureTrainingOptions)}.{nameof(Start)}");
                throw new InputException(
                    $"the {init} populations have P = {start.Components} over loadings [{string.Join(", ", start.LoadingNames)}], but {Ref(nameof(Task))} {Task} {Ref(nameof(Rank))} {Rank} {Ref(nameof(Components))} {Components} needs P = {Components} over [{string.Join(", ", names)}].",
                    $"pass {Ref(nameof(Components))} and {Ref(nameof(Rank))} matching the {init} populations, fitted to a network of the same task without bias or initial state.");
            }
        }
    }

    /// <summary>Refuses a task with more than one output: populations, their mean field and their accuracy are built for the decision tasks.</summary>
    internal static void RequireDecisionTask(CognitiveTask task)
    {
        if (task.Outputs != 1)
        {
            throw new InputException(
                $"populations are built for the one-output decision tasks, but task '{task.Name}' has {task.Outputs} outputs.",
                "use cdi, dms, romo or rdm.");
        }
    }
}

/// <summary>What <see cref="MixtureNetworkTrainer"/> minimises.</summary>
public enum MixtureObjective
{
    /// <summary>E_ξ[L] of networks of N units sampled from the mixture, one draw per step (stochastic gradient).</summary>
    Sampled,

    /// <summary>L of the mean-field (N → ∞) network (<see cref="MeanFieldObjective"/>), deterministic.</summary>
    MeanField,
}

/// <summary>The trained mixture, a network of <c>Units</c> units resampled from it (stream 0 of the seed), its accuracy and that of the mean-field limit, and how training reached it.</summary>
/// <param name="Populations">The trained mixture.</param>
/// <param name="Network">A network of <c>Units</c> units resampled from it (stream 0 of the seed).</param>
/// <param name="Summary">The returned attempt's training (its <see cref="TrainingSummary.Epochs"/> are the epochs it ran).</param>
/// <param name="Accuracy">Of <paramref name="Network"/> on the fixed evaluation trials.</param>
/// <param name="MeanFieldAccuracy">Of the mixture's mean-field limit on the same trials.</param>
/// <param name="ValidationAccuracy">Of the returned mixture on the validation trials, as the target was judged (the lowest over the validation draws).</param>
/// <param name="Restarts">Restarts run (attempts − 1).</param>
/// <param name="Attempt">The returned attempt (0: the first): the one that reached the target, or the best when none did.</param>
/// <param name="TotalEpochs">Epochs over all attempts.</param>
/// <param name="ReachedTarget">Whether the returned attempt reached the target accuracy (false without a target).</param>
public sealed record MixtureTrainingResult(
    PopulationModel Populations,
    RateNetwork Network,
    TrainingSummary Summary,
    double Accuracy,
    double MeanFieldAccuracy,
    double ValidationAccuracy = double.NaN,
    int Restarts = 0,
    int Attempt = 0,
    int TotalEpochs = 0,
    bool ReachedTarget = false);

/// <summary>
/// Trains a low-rank network whose loadings are a Gaussian mixture (<see cref="MixtureParameters"/>): the
/// parameters are the populations' means and covariance factors, and every gradient step draws new loadings
/// ξ, so the network cannot rely on one finite realisation.
/// </summary>
/// <remarks>
/// One of two objectives in the one training loop. Sampled (<see cref="SampledMixtureObjective"/>): a stochastic
/// gradient of E_ξ[L] over fresh loadings draws; keep-best criterion: the loss on 128 validation trials of one fixed
/// draw (stream 2⁵¹ + 1). Mean field (<see cref="MeanFieldObjective"/>): the exact gradient of the N → ∞ loss;
/// keep-best on the mean-field loss of the validation trials. The mean field ignores finite-size effects, so a
/// mixture tuned on it alone can be fragile at N = 4096; the sampled objective at the target N trains that out.
/// Both: Adam with gradient-norm clip 1, trials shuffled every epoch (<see cref="TrialSampler"/>); trial streams
/// are those of <see cref="TaskTrainer"/>.
///
/// Attempts: with a target accuracy, an attempt stops after the first epoch whose parameters are the best so far
/// and whose networks of <see cref="ValidationDraws"/> fixed draws (streams 2⁵¹ + 1 + d, the first being the keep-best
/// draw) each answer at least that fraction of the validation trials correctly: one draw alone can pass while most
/// draws of a fragile mixture fail. With a patience, also after that many epochs without a lower validation loss (<see cref="EarlyStopping"/>). Attempt k ≥ 1 (a restart, while the best attempt is below the target) draws its generic start,
/// loadings and minibatch order from seed s_k (<see cref="RestartsUntilTarget.AttemptSeed"/>); a given start
/// (<see cref="MixtureTrainingOptions.Start"/>) stays the same. Trials, the validation draw and the validation noise
/// come from the seed in every attempt. The first attempt that reaches the target is returned, else the one with
/// the highest validation accuracy (then the lowest validation loss).
/// </remarks>
public static class MixtureNetworkTrainer
{
    public const string SourceKind = "trained_mixture";
    private const long InitialStream = 1L << 51;
    private const long ValidationDrawStream = InitialStream + 1;

    /// <summary>Networks drawn from the mixture (streams 2⁵¹ + 1 … of the seed) whose lowest accuracy on the validation trials is judged against the target.</summary>
    public const int ValidationDraws = 4;
    private const long ValidationIndex = 1L << 32;

    public static MixtureTrainingResult Train(MixtureTrainingOptions options, IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        options.Validate();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        CognitiveTask task = CognitiveTask.Create(options.Task);
        var spec = new RateNetworkSpec(options.Units, options.Rank, task.Inputs, task.Outputs, CognitiveTask.Alpha, options.NoiseStd, ReadoutKind.Tanh);
        var layout = new RateNetworkLayout(spec);
        var mixture = new MixtureParameters(options.Components, layout, options.Start?.Weights);
        Trial[] train = task.GenerateMany(options.Seed, 0, options.TrainTrials);
        Trial[] validation = task.GenerateMany(options.Seed, ValidationIndex, TaskTrainer.ValidationTrials);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads };
        var validationXi = new double[ValidationDraws][];
        for (int d = 0; d < ValidationDraws; d++)
        {
            validationXi[d] = new double[options.Units * mixture.Dimension];
            Rng.Create(options.Seed, ValidationDrawStream + d).FillGaussian(validationXi[d]);
        }

        MeanFieldObjective? meanField = options.Objective == MixtureObjective.MeanField
            ? new MeanFieldObjective(mixture, GaussHermite.Create(MeanFieldDynamics.DefaultOrder), train, options.Threads)
            : null;

        double target = options.TargetAccuracy;
        var stopping = new EarlyStopping(target, options.Patience);

        // The validation loss of φ (keep-best: the first draw's network, or the mean field) and, when asked, its accuracy:
        // the lowest over the networks of every validation draw (the first from the same run as the loss).
        (double Loss, double Accuracy) Validate(double[] at, bool judge)
        {
            var theta = new double[layout.Length];
            double loss = double.NaN, accuracy = double.PositiveInfinity;
            int draws = judge ? ValidationDraws : meanField is null ? 1 : 0;
            for (int d = 0; d < draws; d++)
            {
                mixture.Loadings<double>(at, validationXi[d], theta);
                (double drawLoss, double drawAccuracy) = RateNetworkTraining.Validate(layout, theta, validation, [], options.Seed, options.Threads, judge ? CognitiveTask.IsCorrect : null);
                loss = d == 0 ? drawLoss : loss;
                accuracy = Math.Min(accuracy, drawAccuracy);
            }

            return (meanField is null ? loss : MeanFieldLoss(meanField, at, validation, parallel), judge ? accuracy : double.NaN);
        }

        RestartsResult attempts = RestartsUntilTarget.Run(
            target,
            options.Restarts,
            attempt =>
            {
                long seed = RestartsUntilTarget.AttemptSeed(options.Seed, attempt);
                var sampler = new TrialSampler(train.Length, options.BatchSize, seed, shuffleFullBatch: true);
                double[] phi = options.Start is null
                    ? mixture.Initial(options.Overlap, options.Spread, Rng.Create(seed, InitialStream))
                    : mixture.From(options.Start.ToMixture());
                IDifferentiableObjective<TrialBatch> objective = meanField is not null
                    ? meanField
                    : new SampledMixtureObjective(mixture, train, sampler.BatchSize, seed, options.Threads);
                double lastAccuracy = double.NaN;

                // The judged validation of the latest parameters, and of the best ones (the trainer marks them): the
                // returned parameters' figures are reused from it rather than validated again (all draws, all trials).
                (double[] Phi, double Loss, double Accuracy)? lastJudged = null, bestJudged = null;
                var trainer = new Trainer<TrialBatch>(
                    objective,
                    sampler,
                    new Adam(mixture.Length),
                    new TrainerOptions
                    {
                        Epochs = options.Epochs,
                        LearningRate = options.LearningRate,
                        ClipNorm = 1.0,
                        Describe = status => DescribeValidation(status) + (target > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  accuracy {lastAccuracy:0.000}") : ""),
                        StopWhen = target > 0 || options.Patience > 0
                            ? status =>
                            {
                                bestJudged = status.BestEpoch == status.Epoch ? lastJudged : bestJudged;
                                return stopping.Holds(status, lastAccuracy);
                            }
                            : null,
                    },
                    KeepBest.OnValidation(at =>
                    {
                        (double loss, lastAccuracy) = Validate(at, target > 0);
                        lastJudged = target > 0 ? ([.. at], loss, lastAccuracy) : null;
                        return loss;
                    }),
                    progress);
                TrainingResult run = trainer.Train(phi);
                (double bestLoss, double bestAccuracy) = bestJudged is { } b && b.Phi.AsSpan().SequenceEqual(run.Theta)
                    ? (b.Loss, b.Accuracy)
                    : Validate(run.Theta, judge: true);
                return new TrainingAttempt(run.Theta, run.Summary, bestAccuracy, bestLoss);
            },
            progress,
            (chosen, attempt) => string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"best validation accuracy so far {chosen.Accuracy:0.000} < {target}: restart {attempt} of {options.Restarts}"));

        (double[] best, TrainingSummary summary, double validationAccuracy, _) = attempts.Chosen;
        PopulationModel populations = ToPopulations(mixture, best, options, task);
        (RateNetwork network, _) = NetworkResampler.Resample(populations, options.Units, options.Seed);
        double logLikelihood = populations.ToMixture().LogLikelihood(UnitLoadings.FromLint(network, task.Name).Values);
        int parameters = GaussianMixtureFitter.ParameterCount(options.Components, mixture.Dimension);
        populations = populations with
        {
            LogLikelihood = logLikelihood,
            Bic = -2 * logLikelihood + parameters * Math.Log(options.Units),
        };
        Trial[] evaluation = TaskTrainer.EvaluationTrialsOf(task, options.EvaluationTrials);
        double accuracy = TaskTrainer.Accuracy(network, task, evaluation, options.Threads);
        double meanFieldAccuracy = MeanFieldAccuracy(new MeanFieldObjective(mixture, GaussHermite.Create(MeanFieldDynamics.DefaultOrder)), best, evaluation, parallel);
        summary.Seconds = clock.Elapsed.TotalSeconds;
        return new MixtureTrainingResult(
            populations, network, summary, accuracy, meanFieldAccuracy, validationAccuracy, attempts.Restarts, attempts.ChosenIndex, attempts.TotalEpochs,
            attempts.ReachedTarget);
    }

    /// <summary>The progress message: the epoch's mean loss, the validation loss after it and the best so far.</summary>
    private static string DescribeValidation(EpochStatus status) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"loss {status.Value:0.#####e+0}  validation {status.Criterion:0.#####e+0}  best {status.BestLoss:0.#####e+0}");

    /// <summary>Fraction of <paramref name="trials"/> the mean-field network of φ answers correctly.</summary>
    public static double MeanFieldAccuracy(MeanFieldObjective objective, double[] phi, IReadOnlyList<Trial> trials, ParallelOptions parallel)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(trials);
        objective.Prepare(phi);
        var correct = new bool[trials.Count];
        Parallel.For(0, trials.Count, parallel, i => correct[i] = objective.IsCorrect(trials[i]));
        return trials.Count == 0 ? 0 : correct.Count(c => c) / (double)trials.Count;
    }

    /// <summary>Masked mean squared error of the mean-field network of φ on <paramref name="trials"/>.</summary>
    public static double MeanFieldLoss(MeanFieldObjective objective, double[] phi, IReadOnlyList<Trial> trials, ParallelOptions parallel)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(trials);
        objective.Prepare(phi);
        int[] all = Enumerable.Range(0, trials.Count).ToArray();
        double scale = BpttObjective.LossScale(trials, all);
        var losses = new double[trials.Count];
        Parallel.For(0, trials.Count, parallel, i => losses[i] = objective.Loss(trials[i], scale));
        return losses.Sum();
    }

    private static PopulationModel ToPopulations(MixtureParameters mixture, double[] phi, MixtureTrainingOptions options, CognitiveTask task)
    {
        int components = mixture.Components;
        var sizes = new int[components];
        foreach (int label in mixture.Labels)
        {
            sizes[label]++;
        }

        RateNetworkSpec spec = mixture.Network.Spec;
        return new PopulationModel(
            PopulationModel.CurrentFormatVersion,
            options.Source,
            SourceKind,
            options.Units,
            mixture.Names,
            components,
            mixture.Proportions,
            Enumerable.Range(0, components).Select(p => mixture.MeanOf(phi, p)).ToArray(),
            Enumerable.Range(0, components).Select(p => mixture.CovarianceOf(phi, p)).ToArray(),
            0,
            0,
            null,
            sizes,
            options.Seed,
            0,
            0,
            new LintSourceNetwork(task.Name, spec.Rank, spec.Inputs, spec.Outputs, spec.Alpha, spec.NoiseStd, spec.Readout));
    }
}
