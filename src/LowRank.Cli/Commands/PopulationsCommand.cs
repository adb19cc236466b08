using System.CommandLine;
using System.Globalization;
using LowRank.Formats;
using LowRank.Model;
using LowRank.Plotting;
using LowRank.Populations;
using LowRank.RateNetworks;
using LowRank.Tasks;
using LowRank.Training;

namespace LowRank.Cli.Commands;

/// <summary><c>lowrank populations fit|resample|eval</c>: Gaussian-mixture populations over connectivity loadings.</summary>
internal static class PopulationsCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("populations", "Fit Gaussian-mixture populations to a low-rank network's loadings, resample networks, reduce to mean field.");
        command.Add(CreateFit(context));
        command.Add(CreateTrain(context));
        command.Add(CreateResample(context));
        command.Add(CreateEval(context));
        return command;
    }

    private static Command CreateFit(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "Low-rank model directory (LINT network or stochastic model).", Required = true };
        var components = new Option<string>("--components") { Description = "Number of populations P, or 'auto' to choose by BIC.", DefaultValueFactory = _ => "auto" };
        var maxComponents = new Option<int>("--max-components") { Description = "Largest P tried with --components auto.", DefaultValueFactory = _ => 5 };
        var restarts = new Option<int>("--restarts") { Description = "EM restarts (k-means++ initialisations) per P.", DefaultValueFactory = _ => 8 };
        var ridge = new Option<double>("--ridge") { Description = "Covariance ridge, relative to the mean loading variance.", DefaultValueFactory = _ => 1e-6 };
        var seed = new Option<long>("--seed") { Description = "Seed of the EM restarts.", DefaultValueFactory = _ => 0 };
        var threads = CommonOptions.Threads();
        var output = new Option<string>("--out") { Description = "Directory to write (populations.json and loadings.png).", Required = true };
        var json = new Option<string?>("--json") { Description = "Also write the summary figures to this JSON file." };
        var command = new Command("fit", "Fit a Gaussian mixture over per-unit loadings (m, n, w_in, w_out); plot loadings by population.")
        {
            model, components, maxComponents, restarts, ridge, seed, threads, output, json,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            var options = new PopulationFitOptions(
                parse.GetValue(model)!,
                ParseComponents(parse.GetValue(components)!),
                parse.GetValue(maxComponents),
                parse.GetValue(restarts),
                parse.GetValue(ridge),
                parse.GetValue(seed),
                parse.GetValue(threads));
            string outDir = parse.GetValue(output)!;
            new OutputPlan().Reads(options.Model, "--model").WritesDirectory(outDir, "--out", PopulationModel.OutputKind).WritesFile(parse.GetValue(json), "--json").Check();
            PopulationFitResult result = PopulationFitter.Fit(options);
            PopulationModel populations = result.Populations;
            populations.Save(outDir, temp => PopulationPlots.SaveLoadingPairs(
                Path.Combine(temp, "loadings.png"), result.Loadings, result.Labels, populations.Components, $"P = {populations.Components}"));
            context.Output.WriteLine($"loadings {string.Join(", ", populations.LoadingNames)} of {populations.Units} units ({populations.SourceKind})");
            if (populations.BicPerComponents is { } table)
            {
                foreach (BicEntry entry in table)
                {
                    context.Output.WriteLine($"P={entry.Components}  log-likelihood {entry.LogLikelihood:F2}  BIC {entry.Bic:F2}");
                }
            }

            context.Output.WriteLine($"populations P={populations.Components}  weights {Join(populations.Weights)}  sizes {string.Join(" ", populations.PopulationSizes)}");
            context.Output.WriteLine($"written {outDir}");
            if (parse.GetValue(json) is string jsonPath)
            {
                JsonFile.Write(jsonPath, new FitReport(populations.Components, populations.Weights, populations.PopulationSizes, populations.LogLikelihood, populations.Bic, populations.BicPerComponents, outDir));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateTrain(CliContext context)
    {
        var task = new Option<string>("--task") { Description = "Task: cdi, dms, romo or rdm.", Required = true };
        task.AcceptOnlyFromAmong([.. CognitiveTask.Names]);
        var rank = new Option<int>("--rank") { Description = "Rank R of the network.", DefaultValueFactory = _ => 1 };
        var components = new Option<int?>("--components") { Description = "Number of populations P (equal proportions); default: that of --init, else per task: 2 for cdi and dms, 1 for romo and rdm." };
        var units = new Option<int?>("--units") { Description = "N of the network drawn from the mixture at every step and of the resampled network; default 16384 for dms at rank 2 (4096 at other ranks), 2048 for cdi, 512 for romo and rdm." };
        var epochs = new Option<int>("--epochs") { Description = "Most passes over the training trials per attempt; an attempt stops earlier at --target-accuracy or --patience.", DefaultValueFactory = _ => 200 };
        var batch = new Option<int>("--batch") { Description = "Trials per gradient step (each step draws new loadings).", DefaultValueFactory = _ => 32 };
        var trials = new Option<int>("--trials") { Description = "Distinct training trials.", DefaultValueFactory = _ => 256 };
        var lr = new Option<double?>("--lr") { Description = "Adam learning rate; default per task: 0.02 for cdi and romo, 0.002 for dms, 0.01 for rdm." };
        var noise = new Option<double>("--noise") { Description = "State noise standard deviation during training and evaluation.", DefaultValueFactory = _ => 0.05 };
        var overlap = new Option<double?>("--overlap") { Description = "Generic start: σ_{n_r m_r} = ρ in every population (slow latent dynamics that can hold a memory); default 1.5 for romo, 0 otherwise." };
        var spread = new Option<double>("--init-spread") { Description = "Standard deviation of the start's other off-diagonal covariance factors.", DefaultValueFactory = _ => 0.1 };
        var objective = CommonOptions.Choice("--objective", "What training minimises: the loss of a network of --units units drawn afresh at every step (sampled), or that of the mean-field limit N → ∞ (mean_field: deterministic, exact gradient, much faster).", MixtureObjective.Sampled);
        var start = new Option<string?>("--start") { Description = "Built-in start when --init is not given: generic (random factors, σ_nm = --overlap) or dms-gating (rank-2, two-population delayed match-to-sample by input-gated populations; see docs/populations.md); default dms-gating for dms at rank 2 with 2 populations, generic otherwise." };
        start.AcceptOnlyFromAmong([.. DesignedStarts.Names]);
        var init = new Option<string?>("--init") { Description = "Start from these populations (a 'populations fit' or 'populations train' directory): their proportions, means and covariances." };
        var evalTrials = new Option<int>("--eval-trials") { Description = "Trials of the accuracy estimate.", DefaultValueFactory = _ => 512 };
        var target = new Option<double>("--target-accuracy") { Description = "Stop an attempt after the first epoch whose best parameters (by validation loss) give networks that answer this fraction of the 128 validation trials correctly, each of 4 fixed draws of --units units; 0 = no target (every epoch runs, no restart).", DefaultValueFactory = _ => 0.99 };
        var restarts = new Option<int>("--restarts") { Description = "Further attempts while an attempt ends below --target-accuracy, each with its own generic start, loadings draws and minibatch order derived from --seed; the first attempt that reaches it is kept, else the best.", DefaultValueFactory = _ => 2 };
        var patience = new Option<int>("--patience") { Description = "An attempt also ends after this many epochs without a lower validation loss (a restart follows); 0 = no limit.", DefaultValueFactory = _ => 30 };
        var seed = new Option<long>("--seed") { Description = "Seed of the start, trials, loadings draws and noise.", DefaultValueFactory = _ => 0 };
        var threads = CommonOptions.Threads();
        var output = new Option<string>("--out") { Description = "Directory to write populations.json to (read by 'populations resample' and 'populations eval').", Required = true };
        var networkOut = new Option<string?>("--network-out") { Description = "Also write the network of --units units resampled from the mixture (seed --seed) as a LINT model directory." };
        var json = CommonOptions.Json();
        var command = new Command("train", "Train a low-rank network whose loadings are a P-population Gaussian mixture (fresh loadings at every step) until its networks reach --target-accuracy (at most --epochs per attempt, up to --restarts more attempts); P, N, lr, ρ and the start default per task.")
        {
            task, rank, components, units, epochs, batch, trials, lr, noise, overlap, spread, objective, start, init, evalTrials, target, restarts, patience, seed, threads, output, networkOut, json,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            string? startGiven = parse.GetValue(start);
            string? initDir = parse.GetValue(init);
            if (initDir is not null && startGiven is not null && startGiven != DesignedStarts.Generic)
            {
                throw new InputException($"--init and --start {startGiven} both choose the start.", "pass one of them.");
            }

            new OutputPlan()
                .Reads(initDir, "--init")
                .WritesDirectory(parse.GetValue(output), "--out", PopulationModel.OutputKind)
                .WritesDirectory(parse.GetValue(networkOut), "--network-out", RateNetworkStore.OutputKind)
                .WritesFile(parse.GetValue(json), "--json")
                .Check();

            var defaults = MixtureTrainingDefaults.For(parse.GetValue(task)!, parse.GetValue(rank));
            PopulationModel? initPopulations = initDir is not null ? PopulationModel.Load(initDir) : null;

            // P: given, else that of the --init populations, else the task's default.
            int componentCount = parse.GetValue(components) ?? initPopulations?.Components ?? defaults.Components;
            PopulationModel? startPopulations = initPopulations
                ?? DesignedStarts.Create(startGiven ?? defaults.StartFor(componentCount), parse.GetValue(task)!, parse.GetValue(rank), componentCount);
            var options = new MixtureTrainingOptions(
                parse.GetValue(task)!,
                parse.GetValue(rank),
                componentCount,
                parse.GetValue(units) ?? defaults.Units,
                parse.GetValue(epochs),
                parse.GetValue(batch),
                parse.GetValue(trials),
                parse.GetValue(lr) ?? defaults.LearningRate,
                parse.GetValue(noise),
                parse.GetValue(overlap) ?? defaults.Overlap,
                parse.GetValue(spread),
                parse.GetValue(seed),
                TaskCommand.CheckThreads(parse.GetValue(threads)),
                parse.GetValue(evalTrials),
                startPopulations,
                ModelNames.Parse<MixtureObjective>(parse.GetValue(objective)!, "objective"),
                $"populations train --task {parse.GetValue(task)} --rank {parse.GetValue(rank)} --components {componentCount} --seed {parse.GetValue(seed)}",
                parse.GetValue(target),
                parse.GetValue(restarts),
                parse.GetValue(patience));
            MixtureTrainingResult result = MixtureNetworkTrainer.Train(options, context.CreateProgress());
            string outDir = parse.GetValue(output)!;
            string? networkDir = parse.GetValue(networkOut);
            PopulationModel populations = networkDir is null ? result.Populations : result.Populations with { SourceModel = networkDir };
            populations.Save(outDir);
            if (networkDir is not null)
            {
                NetworkResampler.Save(networkDir, result.Network, populations);
            }

            TrainingSummary s = result.Summary;
            context.Output.WriteLine($"task {options.Task}  rank {options.Rank}  P={options.Components}  N={options.Units}");
            context.Output.WriteLine($"validation loss {s.InitialLoss:G4} -> {s.BestLoss:G4} (best epoch {s.BestEpoch})");
            context.Output.WriteLine($"resampled network (N={options.Units}, seed {options.Seed}): accuracy {result.Accuracy:F4} on {options.EvaluationTrials} trials; mean field {result.MeanFieldAccuracy:F4}");
            context.Output.WriteLine($"time {s.Seconds:F1} s  written {outDir}" + (networkDir is null ? "" : $" and {networkDir}"));
            if (parse.GetValue(json) is string jsonPath)
            {
                JsonFile.Write(jsonPath, new TrainReport(
                    options.Task, options.Rank, options.Components, options.Units, ModelNames.Of(options.Objective), result.Accuracy, result.MeanFieldAccuracy, options.EvaluationTrials,
                    s.InitialLoss, s.BestLoss, s.BestEpoch, s.Seconds, populations.Means, populations.Covariances, outDir, networkDir,
                    s.Epochs, result.TotalEpochs, result.Restarts, result.ValidationAccuracy));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateResample(CliContext context)
    {
        var populationsDir = new Option<string>("--populations") { Description = "Directory written by 'populations fit'.", Required = true };
        var units = new Option<int>("--units") { Description = "Number of units N of the new network.", Required = true };
        var seed = new Option<long>("--seed") { Description = "Resampling seed.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "LINT model directory to write (for 'task eval').", Required = true };
        var command = new Command("resample", "Draw a LINT network of N units from the fitted populations.")
        {
            populationsDir, units, seed, output,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            string outDir = parse.GetValue(output)!;
            new OutputPlan().Reads(parse.GetValue(populationsDir), "--populations").WritesDirectory(outDir, "--out", RateNetworkStore.OutputKind).Check();
            PopulationModel populations = PopulationModel.Load(parse.GetValue(populationsDir)!);
            (RateNetwork network, int[] labels) = NetworkResampler.Resample(populations, parse.GetValue(units), parse.GetValue(seed));
            NetworkResampler.Save(outDir, network, populations);
            var sizes = new int[populations.Components];
            foreach (int label in labels)
            {
                sizes[label]++;
            }

            context.Output.WriteLine($"network N={network.Spec.Units}  rank {network.Spec.Rank}  population sizes {string.Join(" ", sizes)}");
            context.Output.WriteLine($"written {outDir}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateEval(CliContext context)
    {
        var populationsDir = new Option<string>("--populations") { Description = "Directory written by 'populations fit'.", Required = true };
        var units = new Option<int>("--units") { Description = "N of each resampled network.", DefaultValueFactory = _ => 4096 };
        var resamples = new Option<int>("--resamples") { Description = "Resampled networks (median accuracy is reported).", DefaultValueFactory = _ => 10 };
        var seed = new Option<long>("--seed") { Description = "Resampling seed (resample k uses stream k; resample 0 equals 'populations resample --seed').", DefaultValueFactory = _ => 0 };
        var evalTrials = new Option<int>("--eval-trials") { Description = "Task trials per accuracy estimate.", DefaultValueFactory = _ => 512 };
        var kappaTrials = new Option<int>("--kappa-trials") { Description = "Trials of the mean-field κ(t) comparison.", DefaultValueFactory = _ => 64 };
        var kappaUnits = new Option<int?>("--kappa-units") { Description = "N of the resampled network whose κ(t) the mean field is compared with (default: --units)." };
        var task = new Option<string?>("--task") { Description = "Task (default: the source network's)." };
        task.AcceptOnlyFromAmong([.. CognitiveTask.Names]);
        var threads = CommonOptions.Threads();
        var bootstrap = new Option<bool>("--bootstrap") { Description = "Also evaluate networks whose units are drawn with replacement from the source model's loadings (a reference)." };
        var plot = new Option<string?>("--plot") { Description = "Write the κ(t) comparison (network vs mean field) to this PNG." };
        var json = CommonOptions.Json();
        var command = new Command("eval", "Accuracy of resampled networks, with each population silenced, and of the mean-field reduction (κ RMS).")
        {
            populationsDir, units, resamples, seed, evalTrials, kappaTrials, kappaUnits, task, threads, bootstrap, plot, json,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            new OutputPlan().Reads(parse.GetValue(populationsDir), "--populations").WritesFile(parse.GetValue(plot), "--plot").WritesFile(parse.GetValue(json), "--json").Check();
            PopulationModel populations = PopulationModel.Load(parse.GetValue(populationsDir)!);
            var options = new PopulationEvaluationOptions(
                parse.GetValue(units),
                parse.GetValue(resamples),
                parse.GetValue(seed),
                parse.GetValue(evalTrials),
                parse.GetValue(kappaTrials),
                parse.GetValue(kappaUnits) ?? parse.GetValue(units),
                parse.GetValue(task),
                TaskCommand.CheckThreads(parse.GetValue(threads)),
                parse.GetValue(bootstrap));
            PopulationEvaluation result = PopulationEvaluator.Evaluate(populations, options, context.CreateProgress());
            context.Output.WriteLine($"task {result.Task}  P={result.Components}  N={result.Units}  {result.Accuracies.Length} resamples");
            context.Output.WriteLine($"accuracy median {result.MedianAccuracy:F4}  (each: {Join(result.Accuracies)})");
            for (int p = 0; p < result.Components; p++)
            {
                context.Output.WriteLine($"population {p + 1} silenced: accuracy median {result.SilencedMedianAccuracy[p]:F4}");
            }

            if (result.BootstrapMedianAccuracy is double bootstrapMedian)
            {
                context.Output.WriteLine($"bootstrap of the source's units: accuracy median {bootstrapMedian:F4}  (each: {Join(result.BootstrapAccuracies!)})");
            }

            context.Output.WriteLine($"mean field: accuracy {result.ReducedAccuracy:F4}  κ relative RMS {result.KappaRelativeRms:F4} on {result.KappaTrials} trials (network N={result.KappaUnits})");
            if (parse.GetValue(plot) is string plotPath)
            {
                PopulationPlots.SaveKappaComparison(plotPath, result.NetworkKappa, result.ReducedKappa, populations.Network!.Rank, CognitiveTask.StepMs, 6, $"{result.Task}, P = {result.Components}");
            }

            if (parse.GetValue(json) is string jsonPath)
            {
                // The κ(t) traces are left out of the JSON (see PopulationEvaluation).
                JsonFile.Write(jsonPath, result);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static int? ParseComponents(string value)
    {
        if (value == "auto")
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 1)
        {
            return count;
        }

        throw new InputException($"--components must be a positive count or 'auto', got '{value}'.", "pass --components 1, 2, … or auto.");
    }

    private static string Join(IEnumerable<double> values) => string.Join(" ", values.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)));

    private sealed record TrainReport(
        string Task,
        int Rank,
        int Components,
        int Units,
        string Objective,
        double Accuracy,
        double MeanFieldAccuracy,
        int EvaluationTrials,
        double InitialLoss,
        double BestLoss,
        int BestEpoch,
        double Seconds,
        double[][] Means,
        double[][][] Covariances,
        string Out,
        string? NetworkOut,
        int Epochs,
        int TotalEpochs,
        int Restarts,
        double ValidationAccuracy);

    private sealed record FitReport(int Components, double[] Weights, int[] PopulationSizes, double LogLikelihood, double Bic, IReadOnlyList<BicEntry>? BicPerComponents, string Out);
}
