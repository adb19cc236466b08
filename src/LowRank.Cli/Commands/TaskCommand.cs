using System.CommandLine;
using LowRank.Formats;
using LowRank.RateNetworks;
using LowRank.Tasks;
using LowRank.Training;

namespace LowRank.Cli.Commands;

/// <summary><c>lowrank task train|eval</c>: train rate networks on cognitive tasks and measure their accuracy.</summary>
internal static class TaskCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("task", "Train rate networks on cognitive tasks (cdi, dms, romo, rdm, reach) and evaluate them.");
        command.Add(CreateTrain(context));
        command.Add(CreateEval(context));
        return command;
    }

    private static Command CreateTrain(CliContext context)
    {
        var task = new Option<string>("--task") { Description = "Task: cdi, dms, romo, rdm (decisions), or reach (centre-out reaching: 2-D velocity towards a cued target; 8 training directions, any angle at evaluation).", Required = true };
        task.AcceptOnlyFromAmong([.. CognitiveTask.Names]);
        var units = new Option<int>("--units") { Description = "Number of units N.", DefaultValueFactory = _ => 512 };
        var rank = new Option<int>("--rank") { Description = "Rank R of a low-rank network; 0 (default) trains a full-rank network.", DefaultValueFactory = _ => 0 };
        var epochs = new Option<int>("--epochs") { Description = "Most passes over the training trials per attempt; an attempt stops earlier once it reaches --target-accuracy.", DefaultValueFactory = _ => 60 };
        var batch = new Option<int>("--batch") { Description = "Trials per gradient step.", DefaultValueFactory = _ => 32 };
        var trials = new Option<int>("--trials") { Description = "Distinct training trials.", DefaultValueFactory = _ => 512 };
        var lr = new Option<double?>("--lr") { Description = "Adam learning rate (J uses lr/√N); default 0.01 at full rank, 0.02 at low rank." };
        var noise = new Option<double>("--noise") { Description = "State noise standard deviation during training and evaluation.", DefaultValueFactory = _ => 0.05 };
        var evalTrials = new Option<int>("--eval-trials") { Description = "Trials of the accuracy estimate.", DefaultValueFactory = _ => 512 };
        var gain = new Option<double>("--gain") { Description = "Full rank: gain g of the initial J ~ N(0, g²/N) (1, as published, gives the slow dynamics memory tasks need).", DefaultValueFactory = _ => TaskTrainingOptions.DefaultGain };
        var overlap = new Option<double>("--overlap") { Description = "Low rank: initial ñ_r = ρ m_r + noise (σ_nm ≈ ρ: slow latent dynamics that can hold a memory); 0 = independent.", DefaultValueFactory = _ => TaskTrainingOptions.DefaultOverlap };
        var target = new Option<double>("--target-accuracy") { Description = "Stop an attempt after the first epoch whose best parameters (by validation loss) answer this fraction of the 128 validation trials correctly; 0 = no target (every epoch runs, no restart).", DefaultValueFactory = _ => TaskTrainingOptions.DefaultTargetAccuracy };
        var restarts = new Option<int>("--restarts") { Description = "Further attempts, each from a fresh initialisation derived from --seed, while an attempt ends below --target-accuracy; the first attempt that reaches it is kept, else the best.", DefaultValueFactory = _ => TaskTrainingOptions.DefaultRestarts };
        var patience = new Option<int>("--patience") { Description = "An attempt also ends after this many epochs without a lower validation loss (a stalled start; a restart follows); 0 = no limit.", DefaultValueFactory = _ => TaskTrainingOptions.DefaultPatience };
        var seed = new Option<long>("--seed") { Description = "Seed of initialisation, trials and noise.", DefaultValueFactory = _ => 0 };
        var directions = new Option<int?>("--directions") { Description = $"reach only: equally spaced training directions from 0°; 0 = any angle. [default: {ReachingTask.DefaultDirections}]" };
        var threads = CommonOptions.Threads();
        var output = new Option<string>("--out") { Description = "Model directory to write.", Required = true };
        var json = CommonOptions.Json();
        var command = new Command("train", "Train a full-rank (default) or low-rank network on a task until it reaches --target-accuracy on validation trials (at most --epochs per attempt, up to --restarts fresh starts); print its accuracy.")
        {
            task, units, rank, epochs, batch, trials, lr, noise, evalTrials, gain, overlap, target, restarts, patience, directions, seed, threads, output, json,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            var options = new TaskTrainingOptions(
                parse.GetValue(task)!,
                parse.GetValue(units),
                parse.GetValue(rank),
                parse.GetValue(epochs),
                parse.GetValue(batch),
                parse.GetValue(trials),
                parse.GetValue(lr) ?? TaskTrainingOptions.DefaultLearningRate(parse.GetValue(rank)),
                parse.GetValue(noise),
                parse.GetValue(seed),
                CheckThreads(parse.GetValue(threads)),
                parse.GetValue(evalTrials),
                parse.GetValue(gain),
                parse.GetValue(overlap),
                parse.GetValue(target),
                parse.GetValue(restarts),
                parse.GetValue(patience),
                parse.GetValue(directions));
            string outDir = parse.GetValue(output)!;
            new OutputPlan().WritesDirectory(outDir, "--out", RateNetworkStore.OutputKind).WritesFile(parse.GetValue(json), "--json").Check();
            TaskTrainingResult result = TaskTrainer.Train(options, context.CreateProgress());
            TrainingSummary s = result.Summary;
            var record = new RateNetworkTrainingRecord(
                "task", s.Epochs, s.Steps, options.BatchSize, options.LearningRate, s.InitialLoss, s.BestLoss, s.BestEpoch, s.Seconds,
                result.Accuracy, null, null, options.Seed);
            RateNetworkStore.Save(outDir, result.Network, options.Task, record);
            var report = new TaskReport(options.Task, result.Network.Spec.IsFullRank ? RateNetworkStore.KindFullRank : RateNetworkStore.KindLowRank,
                options.Units, options.Rank, result.Accuracy, options.EvaluationTrials, s.InitialLoss, s.BestLoss, s.BestEpoch, s.Seconds, outDir)
            {
                Epochs = s.Epochs, TotalEpochs = result.TotalEpochs, Restarts = result.Restarts, ValidationAccuracy = result.ValidationAccuracy,
                VelocityR2 = result.Reach?.VelocityR2, AngleErrorDeg = result.Reach?.AngleErrorDeg,
            };
            Print(context, report);
            WriteJson(parse.GetValue(json), report);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateEval(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "Model directory (from 'task train', 'lint fit' or a resampled network).", Required = true };
        var evalTrials = new Option<int>("--eval-trials") { Description = "Trials of the accuracy estimate.", DefaultValueFactory = _ => 512 };
        var task = new Option<string?>("--task") { Description = "Task to evaluate on (default: the task recorded in model.json)." };
        task.AcceptOnlyFromAmong([.. CognitiveTask.Names]);
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("eval", "Measure a trained network's task accuracy on the fixed evaluation trials.")
        {
            model, evalTrials, task, threads, json,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            string modelDir = parse.GetValue(model)!;
            int count = parse.GetValue(evalTrials);
            InputException.RequireCount("EvaluationTrials", count);
            new OutputPlan().Reads(modelDir, "--model").WritesFile(parse.GetValue(json), "--json").Check();

            (RateNetwork network, RateNetworkDocument info) = RateNetworkStore.Load(modelDir);
            string? taskName = parse.GetValue(task) ?? info.Task;
            if (taskName is null)
            {
                throw new InputException($"model '{modelDir}' records no task.", "pass --task cdi|dms|romo|rdm|reach.");
            }

            CognitiveTask cognitiveTask = CognitiveTask.Create(taskName);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            TaskEvaluation evaluation = TaskTrainer.Evaluate(network, cognitiveTask, TaskTrainer.EvaluationTrialsOf(cognitiveTask, count), CheckThreads(parse.GetValue(threads)));
            var report = new TaskReport(taskName, info.Kind, info.Units, network.Spec.Rank, evaluation.Accuracy, count, null, null, null, clock.Elapsed.TotalSeconds, modelDir)
            {
                VelocityR2 = evaluation.Reach?.VelocityR2, AngleErrorDeg = evaluation.Reach?.AngleErrorDeg,
            };
            Print(context, report);
            WriteJson(parse.GetValue(json), report);
            return ExitCodes.Success;
        }));
        return command;
    }

    internal static int CheckThreads(int threads)
    {
        InputException.RequireCount("Threads", threads);
        return threads;
    }

    private static void Print(CliContext context, TaskReport report)
    {
        string rank = report.Rank == 0 ? "full rank" : $"rank {report.Rank}";
        context.Output.WriteLine($"task {report.Task}  N={report.Units}  {rank}");
        if (report.BestLoss is double best)
        {
            context.Output.WriteLine($"loss {report.InitialLoss:G4} -> {best:G4} (best epoch {report.BestEpoch})");
        }

        context.Output.WriteLine($"accuracy {report.Accuracy:F4} on {report.EvaluationTrials} trials");
        if (report.VelocityR2 is double r2)
        {
            context.Output.WriteLine($"velocity R² {r2:F4}  end-point angle error {report.AngleErrorDeg:F2}° (median, any angle)");
        }
        context.Output.WriteLine($"time {report.Seconds:F1} s  model {report.Model}");
    }

    private static void WriteJson(string? path, TaskReport report)
    {
        if (path is not null)
        {
            JsonFile.Write(path, report);
        }
    }

    private sealed record TaskReport(
        string Task,
        string Kind,
        int Units,
        int Rank,
        double Accuracy,
        int EvaluationTrials,
        double? InitialLoss,
        double? BestLoss,
        int? BestEpoch,
        double Seconds,
        string Model)
    {
        /// <summary>Epochs the returned attempt ran (task train).</summary>
        public int? Epochs { get; init; }

        /// <summary>Epochs of all attempts (task train).</summary>
        public int? TotalEpochs { get; init; }

        /// <summary>Restarts run (task train).</summary>
        public int? Restarts { get; init; }

        /// <summary>Accuracy on the validation trials the target was judged on (task train).</summary>
        public double? ValidationAccuracy { get; init; }

        /// <summary>Reach: pooled R² of the output velocity on the evaluation trials.</summary>
        public double? VelocityR2 { get; init; }

        /// <summary>Reach: median end-point angle error on the evaluation trials, degrees.</summary>
        public double? AngleErrorDeg { get; init; }
    }
}
