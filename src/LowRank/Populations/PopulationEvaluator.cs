using LowRank.Data;
using LowRank.Numerics;
using LowRank.RateNetworks;
using LowRank.Tasks;
using static LowRank.InputException;

namespace LowRank.Populations;

/// <summary>Options of <see cref="PopulationEvaluator.Evaluate"/>.</summary>
/// <param name="Units">N of each resampled network.</param>
/// <param name="Resamples">Resampled networks (resample k draws from stream k of <paramref name="Seed"/>).</param>
/// <param name="Seed">Resampling seed.</param>
/// <param name="EvaluationTrials">Task trials (the fixed evaluation trials of <see cref="TaskTrainer"/>).</param>
/// <param name="KappaTrials">Trials of the κ(t) comparison (the first ones of the evaluation trials).</param>
/// <param name="KappaUnits">N of the network κ(t) is compared with (resample 0 at this size); finite-size effects are O(1/√N).</param>
/// <param name="Task">Task name, or null for the one recorded with the source network.</param>
/// <param name="Threads">Worker threads (results do not depend on it).</param>
/// <param name="Bootstrap">Also evaluate networks whose units are drawn with replacement from the source model's loadings.</param>
public sealed record PopulationEvaluationOptions(int Units, int Resamples, long Seed, int EvaluationTrials, int KappaTrials, int KappaUnits, string? Task, int Threads, bool Bootstrap = false)
{
    /// <summary>Throws <see cref="InputException"/> naming the first count below 1.</summary>
    public void Validate()
    {
        RequireCount(nameof(Units), Units);
        RequireCount(nameof(Resamples), Resamples);
        RequireCount(nameof(EvaluationTrials), EvaluationTrials);
        RequireCount(nameof(KappaTrials), KappaTrials);
        RequireCount(nameof(KappaUnits), KappaUnits);
    }
}

/// <summary>Accuracy of resampled networks, with each population silenced, and of the mean-field reduction.</summary>
/// <param name="Task">Task name.</param>
/// <param name="Components">P.</param>
/// <param name="Units">N of each resampled network.</param>
/// <param name="Accuracies">Accuracy of each resampled network [resamples].</param>
/// <param name="MedianAccuracy">Median of <paramref name="Accuracies"/>.</param>
/// <param name="SilencedMedianAccuracy">Median accuracy with population p silenced [P].</param>
/// <param name="SilencedAccuracies">[P][resamples].</param>
/// <param name="ReducedAccuracy">Accuracy of the mean-field readout on the evaluation trials.</param>
/// <param name="KappaRelativeRms">RMS relative difference of reduced κ(t) and the projection of a resampled network of KappaUnits units.</param>
/// <param name="KappaUnits">N of that network.</param>
/// <param name="KappaTrials">Trials of the κ comparison.</param>
/// <param name="NetworkKappa">The network's κ(t) on the κ trials [trials][T + 1, R].</param>
/// <param name="ReducedKappa">The reduced κ(t) [trials][T + 1, R].</param>
/// <param name="BootstrapAccuracies">With <c>Bootstrap</c>: accuracy of each bootstrap network [resamples], else null.</param>
/// <param name="BootstrapMedianAccuracy">Their median, else null.</param>
public sealed record PopulationEvaluation(
    string Task,
    int Components,
    int Units,
    double[] Accuracies,
    double MedianAccuracy,
    double[] SilencedMedianAccuracy,
    double[][] SilencedAccuracies,
    double ReducedAccuracy,
    double KappaRelativeRms,
    int KappaUnits,
    int KappaTrials,
    [property: System.Text.Json.Serialization.JsonIgnore] double[][] NetworkKappa,
    [property: System.Text.Json.Serialization.JsonIgnore] double[][] ReducedKappa,
    double[]? BootstrapAccuracies,
    double? BootstrapMedianAccuracy);

/// <summary>
/// Checks that populations capture a network's computation: resampled networks' task accuracy, accuracy with
/// each population silenced (<see cref="PopulationInactivation"/>), and the mean-field reduction against the
/// first resampled network's κ(t) (<see cref="MeanFieldDynamics"/>).
/// </summary>
public static class PopulationEvaluator
{
    public static PopulationEvaluation Evaluate(PopulationModel populations, PopulationEvaluationOptions options, IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(populations);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        LintSourceNetwork source = MeanFieldDynamics.RequireLint(populations);
        options.Validate();
        string taskName = options.Task ?? source.Task ?? throw new InputException(
            $"the network of '{populations.SourceModel}' records no task.", $"pass {Ref(nameof(options.Task))} cdi|dms|romo|rdm.");
        CognitiveTask task = CognitiveTask.Create(taskName);
        MixtureTrainingOptions.RequireDecisionTask(task);
        Trial[] trials = TaskTrainer.EvaluationTrialsOf(task, options.EvaluationTrials);
        int components = populations.Components;
        var accuracies = new double[options.Resamples];
        var silenced = new double[components][];
        for (int p = 0; p < components; p++)
        {
            silenced[p] = new double[options.Resamples];
        }

        RateNetwork? first = null;
        int total = options.Resamples * (components + 1) + 1;
        int done = 0;
        for (int k = 0; k < options.Resamples; k++)
        {
            (RateNetwork network, int[] labels) = NetworkResampler.Resample(populations, options.Units, options.Seed, k);
            first ??= network;
            accuracies[k] = TaskTrainer.Accuracy(network, task, trials, options.Threads);
            progress.Report(new ProgressUpdate("resampled networks", ++done, total, ""));
            for (int p = 0; p < components; p++)
            {
                silenced[p][k] = TaskTrainer.Accuracy(PopulationInactivation.Silence(network, labels, p), task, trials, options.Threads);
                progress.Report(new ProgressUpdate("resampled networks", ++done, total, ""));
            }
        }

        double[]? bootstrap = null;
        if (options.Bootstrap)
        {
            UnitLoadings loadings = UnitLoadings.Load(populations.SourceModel);
            bootstrap = new double[options.Resamples];
            for (int k = 0; k < options.Resamples; k++)
            {
                // stream offset 2³² keeps bootstrap draws apart from the mixture resamples
                RateNetwork network = NetworkResampler.Bootstrap(loadings, options.Units, options.Seed, (1L << 32) + k);
                bootstrap[k] = TaskTrainer.Accuracy(network, task, trials, options.Threads);
            }
        }

        GaussHermite rule = GaussHermite.Create(MeanFieldDynamics.DefaultOrder);
        int correct = 0;
        var reducedKappa = new List<double[]>();
        int kappaTrials = Math.Min(options.KappaTrials, trials.Length);
        for (int i = 0; i < trials.Length; i++)
        {
            ReducedTrajectory reduced = MeanFieldDynamics.Simulate(populations, trials[i], rule);
            correct += CognitiveTask.IsCorrect(trials[i], reduced.Outputs) ? 1 : 0;
            if (i < kappaTrials)
            {
                reducedKappa.Add(reduced.Kappa);
            }
        }

        RateNetwork kappaNetwork = options.KappaUnits == options.Units
            ? first!
            : NetworkResampler.Resample(populations, options.KappaUnits, options.Seed, 0).Network;
        double[][] networkKappa = MeanFieldDynamics.NetworkKappa(kappaNetwork, trials[..kappaTrials], options.Threads);
        progress.Report(new ProgressUpdate("resampled networks", ++done, total, ""));
        return new PopulationEvaluation(
            taskName,
            components,
            options.Units,
            accuracies,
            Statistics.Median(accuracies),
            silenced.Select(Statistics.Median).ToArray(),
            silenced,
            correct / (double)trials.Length,
            MeanFieldDynamics.RelativeRms(reducedKappa, networkKappa),
            options.KappaUnits,
            kappaTrials,
            networkKappa,
            [.. reducedKappa],
            bootstrap,
            bootstrap is null ? null : Statistics.Median(bootstrap));
    }
}
