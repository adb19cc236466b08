using System.Numerics;
using LowRank.Data;
using LowRank.Lint;
using LowRank.Numerics;
using LowRank.RateNetworks;
using LowRank.Tasks;
using LowRank.Training;
using TrainingSummary = LowRank.RateNetworks.TrainingSummary;

namespace LowRank.Populations;

/// <summary>Options of <see cref="MixtureNetworkTrainer.Train"/>.</summary>
/// <param name="Task">cdi, dms, romo or rdm.</param>
/// <param name="Rank">R.</param>
/// <param name="Components">P populations (equal proportions).</param>
/// <param name="Units">N of the network sampled at every step.</param>
/// <param name="Epochs">Passes over the training trials.</param>
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
    MixtureObjective Objective = MixtureObjective.Sampled);

/// <summary>What <see cref="MixtureNetworkTrainer"/> minimises.</summary>
public enum MixtureObjective
{
    /// <summary>E_ξ[L] of networks of N units sampled from the mixture, one draw per step (stochastic gradient).</summary>
    Sampled,

    /// <summary>L of the mean-field (N → ∞) network (<see cref="MeanFieldObjective"/>), deterministic.</summary>
    MeanField,
}

/// <summary>The trained mixture, a network of <c>Units</c> units resampled from it (stream 0 of the seed), its accuracy and that of the mean-field limit.</summary>
public sealed record MixtureTrainingResult(PopulationModel Populations, RateNetwork Network, TrainingSummary Summary, double Accuracy, double MeanFieldAccuracy);

/// <summary>
/// Trains a low-rank network whose loadings are a Gaussian mixture (<see cref="MixtureParameters"/>): the
/// parameters are the populations' means and covariance factors, and every gradient step draws new loadings
/// ξ, so the network cannot rely on one finite realisation.
/// </summary>
/// <remarks>
/// Sampled objective: step k draws ξ [N, D] from stream 2⁵⁰ + k of the seed, builds θ, runs the LINT BPTT kernel on
/// the batch (<see cref="BpttTrainer.BatchGradient"/>) and chains ∂L/∂θ to ∂L/∂φ (<see cref="MixtureParameters.Backward"/>):
/// a stochastic gradient of E_ξ[L]; keep-best criterion: the loss on 128 validation trials of one fixed draw
/// (stream 2⁵¹ + 1). Mean-field objective: the exact gradient of the N → ∞ loss (<see cref="MeanFieldObjective"/>);
/// keep-best on the mean-field loss of the validation trials. The mean field ignores finite-size effects, so a
/// mixture tuned on it alone can be fragile at N = 4096; the sampled objective at the target N trains that out.
/// Both: Adam with gradient-norm clip 1; trial streams are those of <see cref="TaskTrainer"/>.
/// </remarks>
public static class MixtureNetworkTrainer
{
    public const string SourceKind = "trained_mixture";
    private const long NoiseStreamBase = 1L << 40;
    private const long DrawStreamBase = 1L << 50;
    private const long InitialStream = 1L << 51;
    private const long ValidationDrawStream = InitialStream + 1;
    private const long ValidationIndex = 1L << 32;

    public static MixtureTrainingResult Train(MixtureTrainingOptions options, IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        Validate(options);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        CognitiveTask task = CognitiveTask.Create(options.Task);
        var spec = new RateNetworkSpec(options.Units, options.Rank, task.Inputs, task.Outputs, CognitiveTask.Alpha, options.NoiseStd, ReadoutKind.Tanh);
        var layout = new RateNetworkLayout(spec);
        var mixture = new MixtureParameters(options.Components, layout, options.Start?.Weights);
        Trial[] train = task.GenerateMany(options.Seed, 0, options.TrainTrials);
        Trial[] validation = task.GenerateMany(options.Seed, ValidationIndex, TaskTrainer.ValidationTrials);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads };
        int batch = Math.Min(options.BatchSize, train.Length);
        int stepsPerEpoch = (train.Length + batch - 1) / batch;

        double[] phi = options.Start is null
            ? mixture.Initial(options.Overlap, options.Spread, Rng.Create(options.Seed, InitialStream))
            : mixture.From(options.Start.ToMixture());
        (BatchStep step, Func<double[], double> validationLoss) = options.Objective == MixtureObjective.MeanField
            ? MeanFieldSteps(mixture, train, validation, parallel)
            : SampledSteps(mixture, train, validation, batch, options, parallel);

        double bestLoss = validationLoss(phi);
        double initialLoss = bestLoss;
        double[] best = (double[])phi.Clone();
        int bestEpoch = 0;
        int order = 0;
        var adam = new Adam(Enumerable.Repeat(1.0, mixture.Length).ToArray(), options.LearningRate, 1.0);
        var gPhi = new double[mixture.Length];
        int[] trialOrder = Enumerable.Range(0, train.Length).ToArray();
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            BpttTrainer.Shuffle(trialOrder, Rng.Create(options.Seed, epoch));
            double epochLoss = 0;
            for (int k = 0; k < stepsPerEpoch; k++, order++)
            {
                int start = k * batch;
                int count = Math.Min(batch, train.Length - start);
                double loss = step(phi, trialOrder.AsMemory(start, count), order, epoch, gPhi);
                adam.Step(phi, gPhi);
                epochLoss += loss * count;
            }

            double value = validationLoss(phi);
            if (value < bestLoss)
            {
                bestLoss = value;
                bestEpoch = epoch;
                Array.Copy(phi, best, phi.Length);
            }

            progress.Report(new ProgressUpdate("epoch", epoch, options.Epochs, $"loss {epochLoss / train.Length:0.#####e+0}  validation {value:0.#####e+0}  best {bestLoss:0.#####e+0}"));
        }

        var summary = new TrainingSummary(options.Epochs, order, initialLoss, bestLoss, bestEpoch, 0);
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
        return new MixtureTrainingResult(populations, network, summary with { Seconds = clock.Elapsed.TotalSeconds }, accuracy, meanFieldAccuracy);
    }

    /// <summary>
    /// Loss of one batch at φ with loadings drawn from ξ [N, D], and ∂L/∂φ into <paramref name="gPhi"/>. The loss is the
    /// masked mean squared error of <see cref="BpttTrainer"/>; trial <c>index</c> draws its state noise from stream
    /// <c>noiseStream + index</c> of <paramref name="seed"/>.
    /// </summary>
    /// <typeparam name="T">float for training, double for gradient checks.</typeparam>
    public static double BatchGradient<T>(
        MixtureParameters mixture,
        double[] phi,
        double[] xi,
        IReadOnlyList<Trial> trials,
        ReadOnlyMemory<int> batch,
        long seed,
        long noiseStream,
        MixtureWorkspace<T> workspace,
        double[] gPhi,
        ParallelOptions parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(mixture);
        ArgumentNullException.ThrowIfNull(workspace);
        RateNetworkLayout layout = mixture.Network;
        mixture.Loadings<T>(phi, xi, workspace.Theta);
        T scale = T.CreateTruncating(BpttTrainer.LossScale(trials, batch.Span, layout.Spec.Outputs));
        double loss = BpttTrainer.BatchGradient(layout, workspace.Theta, trials, batch, [], scale, seed, noiseStream, workspace.Buffers, workspace.GTheta, parallel);
        mixture.Backward(phi, xi, workspace.GTheta, gPhi);
        return loss;
    }

    /// <summary>One gradient step's loss at φ on the batch (trial indices), ∂L/∂φ into the last argument.</summary>
    private delegate double BatchStep(double[] phi, ReadOnlyMemory<int> batch, int order, int epoch, double[] gPhi);

    /// <summary>Sampled objective: step <c>order</c> draws ξ from stream 2⁵⁰ + order; validation uses one fixed draw.</summary>
    private static (BatchStep Step, Func<double[], double> Validation) SampledSteps(
        MixtureParameters mixture, Trial[] train, Trial[] validation, int batch, MixtureTrainingOptions options, ParallelOptions parallel)
    {
        RateNetworkLayout layout = mixture.Network;
        var workspace = new MixtureWorkspace<float>(mixture, batch);
        var xi = new double[options.Units * mixture.Dimension];
        var validationXi = new double[xi.Length];
        Rng.Create(options.Seed, ValidationDrawStream).FillGaussian(validationXi);
        var validationOptions = new BpttOptions(0, 0, 0, 0, ParameterGroups.None, options.Seed ^ 0x5EED, options.Threads);
        double Step(double[] phi, ReadOnlyMemory<int> trials, int order, int epoch, double[] gPhi)
        {
            Rng.Create(options.Seed, DrawStreamBase + order).FillGaussian(xi);
            return BatchGradient(mixture, phi, xi, train, trials, options.Seed, NoiseStreamBase + (long)epoch * train.Length, workspace, gPhi, parallel);
        }

        double Validation(double[] phi)
        {
            var theta = new double[layout.Length];
            mixture.Loadings<double>(phi, validationXi, theta);
            return BpttTrainer.FullLoss(layout, theta, validation, [], validationOptions, 0);
        }

        return (Step, Validation);
    }

    /// <summary>Mean-field objective: exact gradient of the N → ∞ loss, trials in parallel, summed in trial order.</summary>
    private static (BatchStep Step, Func<double[], double> Validation) MeanFieldSteps(
        MixtureParameters mixture, Trial[] train, Trial[] validation, ParallelOptions parallel)
    {
        var objective = new MeanFieldObjective(mixture, GaussHermite.Create(MeanFieldDynamics.DefaultOrder));
        int outputs = mixture.Network.Spec.Outputs;
        double Step(double[] phi, ReadOnlyMemory<int> trials, int order, int epoch, double[] gPhi)
        {
            objective.Prepare(phi);
            int count = trials.Length;
            double scale = BpttTrainer.LossScale(train, trials.Span, outputs);
            var gradients = new double[count][];
            var losses = new double[count];
            Parallel.For(0, count, parallel, k =>
            {
                gradients[k] = new double[objective.GradientLength];
                losses[k] = objective.Gradient(train[trials.Span[k]], scale, gradients[k]);
            });
            var total = new double[objective.GradientLength];
            for (int k = 0; k < count; k++)
            {
                for (int i = 0; i < total.Length; i++)
                {
                    total[i] += gradients[k][i];
                }
            }

            objective.ChainToPhi(total, gPhi);
            return losses.Sum();
        }

        double Validation(double[] phi) => MeanFieldLoss(objective, phi, validation, parallel);

        return (Step, Validation);
    }

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
        double scale = BpttTrainer.LossScale(trials, all, objective.Mixture.Network.Spec.Outputs);
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
            $"populations train --task {task.Name} --rank {options.Rank} --components {components} --seed {options.Seed}",
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

    private static void Validate(MixtureTrainingOptions options)
    {
        InputException.RequireOption(options.Units >= 1, "--units", options.Units, "at least 1");
        InputException.RequireOption(options.Rank >= 1, "--rank", options.Rank, "at least 1");
        InputException.RequireOption(options.Components >= 1 && options.Components <= options.Units, "--components", options.Components, $"between 1 and --units ({options.Units})");
        InputException.RequireOption(options.Epochs >= 1, "--epochs", options.Epochs, "at least 1");
        InputException.RequireOption(options.BatchSize >= 1, "--batch", options.BatchSize, "at least 1");
        InputException.RequireOption(options.TrainTrials >= 1, "--trials", options.TrainTrials, "at least 1");
        InputException.RequireOption(options.LearningRate > 0, "--lr", options.LearningRate, "positive");
        InputException.RequireOption(options.NoiseStd >= 0, "--noise", options.NoiseStd, "non-negative");
        InputException.RequireOption(options.Spread >= 0, "--init-spread", options.Spread, "non-negative");
        InputException.RequireOption(options.Threads >= 1, "--threads", options.Threads, "at least 1");
        InputException.RequireOption(options.EvaluationTrials >= 1, "--eval-trials", options.EvaluationTrials, "at least 1");
        if (options.Start is { } start)
        {
            CognitiveTask task = CognitiveTask.Create(options.Task);
            string[] names = MixtureParameters.LoadingNames(options.Rank, task.Inputs, task.Outputs);
            if (start.Components != options.Components || !start.LoadingNames.SequenceEqual(names))
            {
                throw new InputException(
                    $"the --init populations have P = {start.Components} over loadings [{string.Join(", ", start.LoadingNames)}], but --task {options.Task} --rank {options.Rank} --components {options.Components} needs P = {options.Components} over [{string.Join(", ", names)}].",
                    "pass --components and --rank matching the --init populations, fitted to a network of the same task without bias or initial state.");
            }
        }
    }
}

/// <summary>Buffers of <see cref="MixtureNetworkTrainer.BatchGradient"/>: θ, one gradient buffer per batch trial and ∂L/∂θ.</summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
public sealed class MixtureWorkspace<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public MixtureWorkspace(MixtureParameters mixture, int batch)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        int length = mixture.Network.Length;
        Theta = new T[length];
        Buffers = Enumerable.Range(0, Math.Max(1, batch)).Select(_ => new T[length]).ToArray();
        GTheta = new double[length];
    }

    /// <summary>θ of the current draw (b = x0 = 0).</summary>
    public T[] Theta { get; }

    /// <summary>[batch][θ length].</summary>
    public T[][] Buffers { get; }

    /// <summary>∂L/∂θ of the last batch.</summary>
    public double[] GTheta { get; }
}
