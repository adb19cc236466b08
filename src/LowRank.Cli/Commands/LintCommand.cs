using System.CommandLine;
using System.Globalization;
using System.Numerics;
using LowRank.Analysis;
using LowRank.Analysis.FixedPoints;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Lint;
using LowRank.Model;
using LowRank.Plotting;
using LowRank.RateNetworks;
using LowRank.Tasks;
using LowRank.Training;

namespace LowRank.Cli.Commands;

/// <summary><c>lowrank lint fit|analyze</c>: fit low-rank rate networks to trajectories and analyse their latent dynamics.</summary>
internal static class LintCommand
{
    /// <summary>An earlier rank sweep's directory (<c>lint fit --ranks</c>), which a new sweep may replace.</summary>
    private static readonly DirectoryKind SweepKind = DirectoryKind.WithFile("LINT rank-sweep directory", "sweep.json");

    /// <summary>An earlier <c>lint analyze</c> directory, which a new analysis may replace.</summary>
    private static readonly DirectoryKind AnalysisKind = DirectoryKind.WithFile("LINT analysis directory", "analysis.json");

    public static Command Create(CliContext context)
    {
        var command = new Command("lint", "LINT: fit low-rank rate networks to neural trajectories or to a trained teacher network, and analyse them.");
        command.Add(CreateFit(context));
        command.Add(CreateAnalyze(context));
        return command;
    }

    private static Command CreateFit(CliContext context)
    {
        var data = new Option<string?>("--data") { Description = "npz with 'trajectories' [conditions, T, neurons] (NaN: a missing value, left out of the loss and R²) and optional 'inputs' [conditions, T, U]." };
        var axes = new Option<string?>("--axes") { Description = "Trial data: the axes of the array --data names (FILE.mat:VARIABLE, FILE.npz:ARRAY or FILE.npy), e.g. neuron,direction,task,time,trial; trials are averaged (NaN ignored), the other axes but neuron and time are conditions." };
        var conditionInputs = new Option<string?>("--inputs") { Description = "Trial data: inputs per condition, AXIS:FROM-TO,… (one input per value of each condition axis, on during time bins FROM…TO-1), e.g. direction:10-20,task:0-34." };
        var splitHalf = new Option<bool>("--split-half") { Description = "Trial data: fit every condition on the average of a random half of each neuron's trials and score R² against the other half's, with the half-vs-half R² as the noise ceiling (r2_ceiling)." };
        var hidden = new Option<int>("--hidden-units") { Description = "Unrecorded units added to a fit of recordings (--data): the network has the recorded neurons first, then these.", DefaultValueFactory = _ => 0 };
        var teacher = new Option<string?>("--teacher") { Description = "Model directory of a trained teacher network (from 'lowrank task train')." };
        var rank = new Option<int?>("--rank") { Description = "Rank R of the fitted network." };
        var ranks = new Option<string?>("--ranks") { Description = "Sweep ranks, e.g. 1..5 or 1,2,4; writes one model per rank and an R²-vs-rank PNG." };
        var subsample = new Option<double>("--subsample") { Description = "Fraction of the teacher's units that are observed (teacher only).", DefaultValueFactory = _ => 1.0 };
        var init = new Option<string>("--init") { Description = "Initialisation: svd (of the teacher's J, default with --teacher) or random.", DefaultValueFactory = _ => "svd" };
        init.AcceptOnlyFromAmong("svd", "random");
        var epochs = new Option<int>("--epochs") { Description = "Full-batch gradient steps.", DefaultValueFactory = _ => 1000 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => 1e-2 };
        var trainTrials = new Option<int>("--train-trials") { Description = "Teacher trials fitted.", DefaultValueFactory = _ => 64 };
        var heldOutTrials = new Option<int>("--held-out-trials") { Description = "Teacher trials held out for R².", DefaultValueFactory = _ => 64 };
        var heldOutFraction = new Option<double>("--held-out") { Description = "Fraction of the recorded conditions held out for R².", DefaultValueFactory = _ => 0.25 };
        var evalTrials = new Option<int>("--eval-trials") { Description = "Trials of the accuracy estimate (teacher only).", DefaultValueFactory = _ => 512 };
        var seed = new Option<long>("--seed") { Description = "Seed of the split, unit subset, initialisation and trials.", DefaultValueFactory = _ => 0 };
        var threads = CommonOptions.Threads();
        var output = new Option<string>("--out") { Description = "Output directory (a model directory; with --ranks one per rank).", Required = true };
        var json = CommonOptions.Json();
        var command = new Command("fit", "Fit a low-rank network to recorded trajectories or to a teacher network's units; report held-out R².")
        {
            data, axes, conditionInputs, splitHalf, teacher, rank, ranks, subsample, hidden, init, epochs, lr, trainTrials, heldOutTrials, heldOutFraction, evalTrials, seed, threads, output, json,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            string? dataPath = parse.GetValue(data);
            string? teacherDir = parse.GetValue(teacher);
            if ((dataPath is null) == (teacherDir is null))
            {
                throw new InputException("give exactly one of --data FILE.npz or --teacher DIR.", "fit recordings with --data, or a trained network with --teacher.");
            }

            int[] rankList = ParseRanks(parse.GetValue(rank), parse.GetValue(ranks));
            bool sweep = parse.GetValue(ranks) is not null;
            FitInitialization initialization = parse.GetValue(init) == "random" ? FitInitialization.Random : FitInitialization.Svd;
            double p = parse.GetValue(subsample);
            if (dataPath is not null && parse.GetResult(subsample) is { Implicit: false })
            {
                throw new InputException("--subsample applies to --teacher fits only.", "with --data every recorded neuron is fitted; drop --subsample.");
            }

            string? axesText = parse.GetValue(axes);
            if (axesText is null && (parse.GetValue(conditionInputs) is not null || parse.GetValue(splitHalf)))
            {
                throw new InputException(
                    $"{(parse.GetValue(splitHalf) ? "--split-half" : "--inputs")} applies to trial data, which --axes describes.",
                    "name the axes of the trial array with --axes (e.g. --data rates.mat:firingRates --axes neuron,direction,task,time,trial), or drop the option.");
            }

            if (axesText is not null && dataPath is null)
            {
                throw new InputException("--axes describes trial data given with --data, but this fit has no --data.", "pass --data FILE.mat:VARIABLE with --axes, or drop --axes.");
            }

            if (teacherDir is not null && parse.GetResult(hidden) is { Implicit: false })
            {
                throw new InputException("--hidden-units applies to fits of recordings (--data) only.", "a teacher's unobserved units are its own; choose the observed fraction with --subsample, or drop --hidden-units.");
            }

            if (dataPath is not null && parse.GetResult(init) is { Implicit: false } && initialization == FitInitialization.Svd)
            {
                throw new InputException("--init svd needs a teacher's connectivity (--teacher).", "use --init random with --data.");
            }

            var baseOptions = new TrajectoryFitOptions(
                rankList[0], parse.GetValue(epochs), parse.GetValue(lr), initialization, parse.GetValue(seed), parse.GetValue(threads),
                parse.GetValue(heldOutFraction), p, parse.GetValue(trainTrials), parse.GetValue(heldOutTrials), parse.GetValue(evalTrials), parse.GetValue(hidden));
            baseOptions.Validate();
            string outDir = parse.GetValue(output)!;
            DirectoryKind outKind = sweep ? SweepKind : RateNetworkStore.OutputKind;
            new OutputPlan().Reads(dataPath is null ? null : axesText is null ? dataPath : RecordingLoader.FileOfTrialArray(dataPath), "--data").Reads(teacherDir, "--teacher").WritesDirectory(outDir, "--out", outKind).WritesFile(parse.GetValue(json), "--json").Check();

            // Load inputs before any work so that bad files fail fast and leave no output.
            Func<TrajectoryFitOptions, TrajectoryFitResult> fit;
            var ceilings = new Dictionary<int, SplitHalfFitResult>();
            string? taskName = null;
            string source;
            if (teacherDir is not null)
            {
                (RateNetwork teacherNetwork, RateNetworkDocument info) = RateNetworkStore.Load(teacherDir);
                taskName = info.Task ?? throw new InputException($"teacher '{teacherDir}' records no task.", "pass a model trained with 'lowrank task train'.");
                CognitiveTask task = CognitiveTask.Create(taskName);
                foreach (int r in rankList)
                {
                    if (r > teacherNetwork.Spec.Units)
                    {
                        throw new InputException($"rank {r} exceeds the teacher's {teacherNetwork.Spec.Units} units.", "pass a smaller --rank or --ranks.");
                    }
                }

                fit = o => TrajectoryFitter.FitTeacher(teacherNetwork, task, o, context.CreateProgress());
                source = "teacher:" + teacherDir;
            }
            else if (axesText is not null)
            {
                (NdArray array, TrialAxes trialAxes, TrialAverages shape, double[]? inputValues, int inputCount, string arraySource) =
                    LoadTrialData(dataPath!, axesText, parse.GetValue(conditionInputs));
                context.Output.WriteLine(
                    $"trial data {arraySource}: {shape.Neurons} neurons × {shape.Conditions} conditions ({(shape.ConditionAxes.Count == 0 ? "none" : string.Join(" × ", shape.ConditionAxes.Select(a => $"{a.Name} {a.Size}")))}) × {shape.Steps} time bins, {inputCount} inputs"
                    + (parse.GetValue(splitHalf) ? "; split-half protocol" : ""));
                if (parse.GetValue(splitHalf))
                {
                    (TrialAverages first, TrialAverages second) = TrialTensor.SplitHalves(array, trialAxes, baseOptions.Seed);
                    fit = o =>
                    {
                        SplitHalfFitResult split = TrajectoryFitter.FitSplitHalf(
                            first.ToSequences(inputCount, inputValues), second.ToSequences(inputCount, inputValues), o with { Initialization = FitInitialization.Random }, context.CreateProgress());
                        ceilings[o.Rank] = split;
                        return split.Fit;
                    };
                }
                else
                {
                    SequenceSet averaged = shape.ToSequences(inputCount, inputValues);
                    fit = o => TrajectoryFitter.FitRecordings(averaged, o with { Initialization = FitInitialization.Random }, context.CreateProgress());
                }

                source = "data:" + dataPath;
            }
            else
            {
                Recording recorded = RecordingLoader.LoadTrajectories(dataPath!);
                fit = o => TrajectoryFitter.FitRecordings(recorded.Data, o with { Initialization = FitInitialization.Random }, context.CreateProgress());
                source = "data:" + dataPath;
            }

            var reports = new List<FitReport>();
            var models = new List<(int Rank, TrajectoryFitResult Result)>();
            foreach (int r in rankList)
            {
                TrajectoryFitResult result = fit(baseOptions with { Rank = r });
                SplitHalfFitResult? split = ceilings.GetValueOrDefault(r);
                models.Add((r, result));
                reports.Add(FitReport.From(r, result, split));
                context.Output.WriteLine(
                    (split is null
                        ? $"rank {r}: held-out R² {result.R2:F4} (per neuron {result.R2PerNeuron:F4})"
                        : $"rank {r}: R² against the other half {result.R2:F4} (per neuron {result.R2PerNeuron:F4}); ceiling {split.Ceiling:F4} (per neuron {split.CeilingPerNeuron:F4}); fraction of ceiling {split.FractionOfCeiling:F4}")
                    + (result.Accuracy is double a ? $"  accuracy {a:F4}" : "")
                    + $"  [{result.Observed.Length} units{(result.Student.Spec.Units > result.Observed.Length ? $" + {result.Student.Spec.Units - result.Observed.Length} hidden" : "")}, {result.TrainConditions} fitted / {result.HeldOutConditions} {(split is null ? "held-out" : "scored")} conditions, {result.Summary.Seconds:F1} s]");
            }

            AtomicFile.WriteDirectory(outDir, outKind, temp =>
            {
                foreach ((int r, TrajectoryFitResult result) in models)
                {
                    string modelDir = sweep ? Path.Combine(temp, $"rank_{r}") : temp;
                    SaveFit(modelDir, result, taskName, source, baseOptions);
                }

                if (sweep)
                {
                    LintPlots.SaveR2VsRank(
                        Path.Combine(temp, "r2_vs_rank.png"), rankList, reports.Select(x => x.R2).ToArray(), reports.Select(x => x.R2PerNeuron).ToArray(),
                        $"LINT fit of {source}: held-out R² vs rank");
                    JsonFile.Write(Path.Combine(temp, "sweep.json"), SweepReport.From(reports));
                }
            });
            context.Output.WriteLine($"wrote {outDir}");
            string? jsonPath = parse.GetValue(json);
            if (jsonPath is not null)
            {
                if (sweep)
                {
                    JsonFile.Write(jsonPath, SweepReport.From(reports));
                }
                else
                {
                    JsonFile.Write(jsonPath, reports[0]);
                }
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateAnalyze(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "Low-rank model directory (from 'lint fit' or 'task train --rank R').", Required = true };
        var task = new Option<string?>("--task") { Description = "Task whose trials are simulated (default: the model's task)." };
        task.AcceptOnlyFromAmong([.. CognitiveTask.Names]);
        var trials = new Option<int>("--trials") { Description = "Task trials whose κ(t) is computed and plotted.", DefaultValueFactory = _ => 8 };
        var data = new Option<string?>("--data") { Description = "npz of recordings ('inputs' [conditions, T, U], as for 'lint fit'): simulate its conditions instead of task trials." };
        var axes = new Option<string?>("--axes") { Description = "Trial data (as for 'lint fit'): the axes of the array --data names (FILE.mat:VARIABLE, FILE.npz:ARRAY or FILE.npy); its conditions are simulated." };
        var conditionInputs = new Option<string?>("--inputs") { Description = "Trial data: the inputs per condition the network was fitted with, AXIS:FROM-TO,… (as for 'lint fit')." };
        var stepMs = new Option<double?>("--step-ms") { Description = "Duration of one time step in ms, for the κ(t) plot's time axis (default: the tasks' 20 ms; e.g. 50 for 50 ms bins)." };
        var input = new Option<string?>("--input") { Description = "Constant input u1,u2,… of the flow field and fixed points, e.g. the delay period's (default: zero input)." };
        var inputAt = new Option<int?>("--input-at") { Description = "Take the constant input from a simulated trial at this step (0-based), e.g. a step of the delay." };
        var inputTrial = new Option<int>("--input-trial") { Description = "The trial (task trial or recorded condition, 0-based) whose input --input-at takes.", DefaultValueFactory = _ => 0 };
        var starts = new Option<int>("--starts") { Description = "Newton starts of the fixed-point search.", DefaultValueFactory = _ => 200 };
        var seed = CommonOptions.Seed();
        var extent = new Option<double?>("--extent") { Description = "Half-width of the κ view of the flow field (default: 1.2 × the largest |κ| of the trials and fixed points)." };
        var threads = CommonOptions.Threads();
        var output = new Option<string>("--out") { Description = "Output directory: kappa.npz, kappa.png, flow_field.png, analysis.json.", Required = true };
        var json = new Option<string?>("--json") { Description = "Also write the overlaps and fixed points to this JSON file." };
        var command = new Command("analyze", "Latent analysis of a low-rank network: κ(t), connectivity overlaps σ_nm, σ_nI, the fixed points of the κ dynamics at a constant input and their flow field.")
        {
            model, task, trials, data, axes, conditionInputs, stepMs, input, inputAt, inputTrial, starts, seed, extent, threads, output, json,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            string modelDir = parse.GetValue(model)!;
            string? dataPath = parse.GetValue(data);
            int count = parse.GetValue(trials);
            InputException.RequireCount("Trials", count);
            if (dataPath is not null && parse.GetValue(task) is not null)
            {
                throw new InputException("give at most one of --task or --data.", "simulate a task's trials with --task, or a recording's conditions with --data.");
            }

            if (dataPath is not null && parse.GetResult(trials) is { Implicit: false })
            {
                throw new InputException("--trials applies to task trials; with --data every recorded condition is simulated.", "drop --trials.");
            }

            int? inputStep = parse.GetValue(inputAt);
            if (inputStep is not null && parse.GetValue(input) is not null)
            {
                throw new InputException("give at most one of --input and --input-at.", "pass the input's values with --input, or take them from a trial with --input-at STEP.");
            }

            if (inputStep is null && parse.GetResult(inputTrial) is { Implicit: false })
            {
                throw new InputException("--input-trial needs --input-at.", "pass the step whose input is taken, e.g. --input-at 20 --input-trial 1.");
            }

            string? axesText = parse.GetValue(axes);
            if (axesText is null && parse.GetValue(conditionInputs) is not null)
            {
                throw new InputException("--inputs applies to trial data, which --axes describes.", "name the axes of the trial array with --axes, or drop --inputs.");
            }

            if (axesText is not null && dataPath is null)
            {
                throw new InputException("--axes describes trial data given with --data, but this analysis has no --data.", "pass --data FILE.mat:VARIABLE with --axes, or drop --axes.");
            }

            double step = parse.GetValue(stepMs) ?? CognitiveTask.StepMs;
            if (!(step > 0) || !double.IsFinite(step))
            {
                throw new InputException(
                    string.Create(CultureInfo.InvariantCulture, $"--step-ms must be a positive duration, got {step}."),
                    "pass the duration of one time step (bin) in ms, e.g. --step-ms 50.");
            }

            double[] constantInput = FixedPointsCommand.ParseInput(parse.GetValue(input));
            int threadCount = TaskCommand.CheckThreads(parse.GetValue(threads));
            var searchOptions = new RateNetworkFixedPointOptions { Starts = parse.GetValue(starts), Seed = parse.GetValue(seed), Threads = threadCount };
            searchOptions.Validate();
            string outDir = parse.GetValue(output)!;
            new OutputPlan().Reads(modelDir, "--model").Reads(dataPath is null ? null : axesText is null ? dataPath : RecordingLoader.FileOfTrialArray(dataPath), "--data").WritesDirectory(outDir, "--out", AnalysisKind).WritesFile(parse.GetValue(json), "--json").Check();
            (RateNetwork network, RateNetworkDocument info) = RateNetworkStore.Load(modelDir);
            string? taskName = dataPath is null ? parse.GetValue(task) ?? info.Task : null;
            Trial[] analysed;
            if (dataPath is null)
            {
                analysed = TaskTrials(network, modelDir, taskName, count);
            }
            else if (axesText is not null)
            {
                (_, _, TrialAverages averages, double[]? inputValues, int inputCount, _) = LoadTrialData(dataPath, axesText, parse.GetValue(conditionInputs));
                analysed = RecordedTrials(network, averages.ToSequences(inputCount, inputValues), dataPath);
            }
            else
            {
                analysed = RecordedTrials(network, RecordingLoader.LoadTrajectories(dataPath).Data, dataPath);
            }

            if (inputStep is int at)
            {
                constantInput = InputAt(analysed, network.Spec.Inputs, at, parse.GetValue(inputTrial));
            }

            ConnectivityOverlaps overlaps = LatentAnalysis.Overlaps(network);
            RateNetworkLatentMap map = RateNetworkLatentMap.Of(network, constantInput);
            double[] offset = map.StateOffset();
            double[][] kappa = LatentAnalysis.Kappa(network, analysed, threadCount);
            count = analysed.Length;
            RateNetworkFixedPointResult fixedPoints = RateNetworkFixedPoints.Find(map, searchOptions);
            int rankValue = network.Spec.Rank;
            var report = AnalysisReport.From(taskName, dataPath, overlaps, map, offset, fixedPoints, searchOptions);
            string inputText = string.Join(", ", map.Input.Select(v => v.ToString("G4", CultureInfo.InvariantCulture)));
            string label = taskName ?? Path.GetFileName(dataPath!);
            AtomicFile.WriteDirectory(outDir, AnalysisKind, temp =>
            {
                int maxSteps = kappa.Max(k => k.Length / rankValue);
                var padded = new double[count * maxSteps * rankValue];
                Array.Fill(padded, double.NaN);
                for (int i = 0; i < count; i++)
                {
                    kappa[i].CopyTo(padded, i * maxSteps * rankValue);
                }

                Npz.Write(Path.Combine(temp, "kappa.npz"), [KeyValuePair.Create("kappa", new NdArray([count, maxSteps, rankValue], padded))]);
                LintPlots.SaveKappa(Path.Combine(temp, "kappa.png"), kappa, rankValue, step, $"{label}, rank {rankValue}");

                // Drawn in the coordinates of kappa.npz, (MᵀM)⁻¹Mᵀx: the κ dynamics translated by P u.
                var shown = new TranslatedLatentMap(map, offset);
                FixedPoint[] points = [.. fixedPoints.FixedPoints.Select(shown.Translate)];
                double largest = kappa.SelectMany(k => k).Concat(points.SelectMany(p => p.Z)).Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(1).Max();
                double half = parse.GetValue(extent) ?? Math.Max(1e-3, 1.2 * largest);
                FixedPointPlots.SaveFlowField(
                    Path.Combine(temp, "flow_field.png"), shown, points, [], $"{label} at input ({inputText})", searchOptions.Seed,
                    new FlowFieldView(kappa, new double[rankValue], half, "κ"));
                JsonFile.Write(Path.Combine(temp, "analysis.json"), report);
            });
            context.Output.WriteLine($"σ_nm = {FormatMatrix(overlaps.NM)}");
            context.Output.WriteLine($"σ_nI = {FormatMatrix(overlaps.NI)}");
            context.Output.WriteLine(
                $"{fixedPoints.FixedPoints.Count} fixed points ({fixedPoints.StableCount} stable) at input ({inputText}), "
                + $"{fixedPoints.Converged} of {fixedPoints.Starts} starts converged, {fixedPoints.Seconds:F3} s");
            foreach (LintFixedPointEntry point in report.FixedPoints)
            {
                context.Output.WriteLine($"  κ = [{string.Join(", ", point.Kappa.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))}]  {point.Stability}");
            }

            context.Output.WriteLine($"wrote {parse.GetValue(output)}");
            string? jsonPath = parse.GetValue(json);
            if (jsonPath is not null)
            {
                JsonFile.Write(jsonPath, report);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The evaluation trials of <paramref name="taskName"/> (the model's task or --task).</summary>
    private static Trial[] TaskTrials(RateNetwork network, string modelDir, string? taskName, int count)
    {
        if (taskName is null)
        {
            throw new InputException($"model '{modelDir}' records no task.", "pass --task cdi|dms|romo|rdm, or --data FILE.npz with the inputs of the recording it was fitted to.");
        }

        CognitiveTask cognitiveTask = CognitiveTask.Create(taskName);
        if (network.Spec.Inputs != cognitiveTask.Inputs)
        {
            throw new InputException($"model '{modelDir}' has {network.Spec.Inputs} inputs but task '{taskName}' has {cognitiveTask.Inputs}.", "pass the task the model was trained or fitted on.");
        }

        return TaskTrainer.EvaluationTrialsOf(cognitiveTask, count);
    }

    /// <summary>
    /// Trial data for <c>lint fit</c> and <c>lint analyze</c>: the array <paramref name="dataPath"/> names, its axes, its
    /// trial averages [C, T, X] and the inputs per condition of <paramref name="inputSpec"/> (none when null).
    /// </summary>
    private static (NdArray Array, TrialAxes Axes, TrialAverages Averages, double[]? Inputs, int InputCount, string Source) LoadTrialData(string dataPath, string axesText, string? inputSpec)
    {
        (NdArray array, string source) = RecordingLoader.LoadTrialArray(dataPath);
        TrialAxes axes = TrialAxes.Parse(axesText, array.Shape, source);
        TrialAverages averages = TrialTensor.Average(array, axes);
        (double[]? inputs, int count) = inputSpec is null ? (null, 0) : ConditionInputs.Build(ConditionInputs.Parse(inputSpec, averages), averages);
        return (array, axes, averages, inputs, count, source);
    }

    /// <summary>One noise-free trial per recorded condition, driven by the recording's inputs [conditions, T, U].</summary>
    private static Trial[] RecordedTrials(RateNetwork network, SequenceSet recorded, string dataPath)
    {
        // A network without readout is run with one unit as its output (LatentAnalysis.Kappa); targets are unused.
        int inputs = network.Spec.Inputs, outputs = Math.Max(1, network.Spec.Outputs), steps = recorded.Steps;
        if (recorded.Inputs != inputs)
        {
            throw new InputException(
                $"'{dataPath}' has {recorded.Inputs} inputs per step but the network has {inputs}.",
                "pass the recording the network was fitted to.");
        }

        var result = new Trial[recorded.Count];
        for (int c = 0; c < result.Length; c++)
        {
            var u = new float[steps * inputs];
            for (int i = 0; i < u.Length; i++)
            {
                u[i] = (float)recorded.InputValues[(long)c * steps * inputs + i];
            }

            result[c] = new Trial(steps, inputs, outputs, u, new float[steps * outputs], new float[steps]);
        }

        return result;
    }

    /// <summary>u [U] of trial <paramref name="trial"/> at step <paramref name="step"/>, as the network receives it.</summary>
    private static double[] InputAt(Trial[] trials, int inputs, int step, int trial)
    {
        if (trial < 0 || trial >= trials.Length)
        {
            throw new InputException($"--input-trial {trial} is not one of the {trials.Length} simulated trials.", $"pass a trial from 0 to {trials.Length - 1}.");
        }

        if (step < 0 || step >= trials[trial].Steps)
        {
            throw new InputException($"--input-at {step} is not a step of trial {trial}, which has {trials[trial].Steps}.", $"pass a step from 0 to {trials[trial].Steps - 1}.");
        }

        var u = new double[inputs];
        for (int k = 0; k < inputs; k++)
        {
            u[k] = trials[trial].InputValues[step * inputs + k];
        }

        return u;
    }

    internal static int[] ParseRanks(int? rank, string? ranks)
    {
        if ((rank is null) == (ranks is null))
        {
            throw new InputException("give exactly one of --rank R or --ranks LIST.", "e.g. --rank 1, or --ranks 1..5 for a sweep.");
        }

        if (rank is int single)
        {
            if (single < 1)
            {
                throw new InputException($"--rank must be at least 1, got {single}.", "pass a positive rank, e.g. --rank 1.");
            }

            return [single];
        }

        string text = ranks!.Trim();
        var list = new List<int>();
        string hint = "write a range like 1..5 or a list like 1,2,4 of positive ranks.";
        string[] range = text.Split("..");
        if (range.Length == 2)
        {
            if (!int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out int lo)
                || !int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out int hi) || lo < 1 || hi < lo)
            {
                throw new InputException($"--ranks '{text}' is not a range of positive ranks.", hint);
            }

            for (int r = lo; r <= hi; r++)
            {
                list.Add(r);
            }
        }
        else
        {
            foreach (string part in text.Split(','))
            {
                if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int r) || r < 1)
                {
                    throw new InputException($"--ranks '{text}' is not a list of positive ranks.", hint);
                }

                list.Add(r);
            }
        }

        return [.. list.Distinct().Order()];
    }

    private static void SaveFit(string directory, TrajectoryFitResult result, string? task, string source, TrajectoryFitOptions options)
    {
        TrainingSummary s = result.Summary;
        var record = new RateNetworkTrainingRecord(
            source, s.Epochs, s.Steps, result.TrainConditions, options.LearningRate, s.InitialLoss, s.BestLoss, s.BestEpoch, s.Seconds,
            result.Accuracy, result.R2, result.R2PerNeuron, options.Seed);
        RateNetworkStore.Save(directory, result.Student, task, record, result.Observed);
    }

    private static string FormatMatrix(double[][] matrix) =>
        "[" + string.Join("; ", matrix.Select(row => string.Join(", ", row.Select(v => v.ToString("F3", CultureInfo.InvariantCulture))))) + "]";

    private sealed record FitReport(
        int Rank, double R2, double R2PerNeuron, double? R2Ceiling, double? R2CeilingPerNeuron, double? R2FractionOfCeiling, double? Accuracy,
        int ObservedUnits, int HiddenUnits, int TrainConditions, int HeldOutConditions,
        double InitialLoss, double BestLoss, int BestEpoch, double Seconds)
    {
        public static FitReport From(int rank, TrajectoryFitResult r, SplitHalfFitResult? split) => new(
            rank, r.R2, r.R2PerNeuron, split?.Ceiling, split?.CeilingPerNeuron, split?.FractionOfCeiling, r.Accuracy,
            r.Observed.Length, r.Student.Spec.Units - r.Observed.Length, r.TrainConditions, r.HeldOutConditions,
            r.Summary.InitialLoss, r.Summary.BestLoss, r.Summary.BestEpoch, r.Summary.Seconds);
    }

    private sealed record SweepReport(int[] Ranks, double[] R2, double[] R2PerNeuron, double?[] Accuracy, FitReport[] Fits)
    {
        public static SweepReport From(List<FitReport> fits) => new(
            fits.Select(f => f.Rank).ToArray(), fits.Select(f => f.R2).ToArray(), fits.Select(f => f.R2PerNeuron).ToArray(),
            fits.Select(f => f.Accuracy).ToArray(), [.. fits]);
    }

    /// <summary>
    /// analysis.json: the overlaps, the constant input and the fixed points of the κ dynamics there (eigenvalues of the
    /// step Jacobian, whose modulus decides stability, and of the continuous flow; counts as in <c>fixed-points</c>).
    /// </summary>
    private sealed record AnalysisReport(
        string? Task, string? Data, int Rank, double[][] SigmaNm, double[][] SigmaNI, double[][] SigmaMI, double[][] SigmaMw,
        double[] Input, int Starts, long Seed, int ConvergedStarts, double[] StartBox, LintFixedPointEntry[] FixedPoints, int FixedPointCount, int StableFixedPoints)
    {
        public static AnalysisReport From(
            string? task, string? data, ConnectivityOverlaps overlaps, RateNetworkLatentMap map, double[] offset, RateNetworkFixedPointResult result, RateNetworkFixedPointOptions options) => new(
            task, data, map.Rank, overlaps.NM, overlaps.NI, overlaps.MI, overlaps.MW, map.Input, options.Starts, options.Seed, result.Converged, result.Bound,
            [.. result.FixedPoints.Select(p => new LintFixedPointEntry(
                p.Z, [.. p.Z.Select((v, r) => v + offset[r])], Pairs(p.Eigenvalues), Pairs(map.ContinuousEigenvalues(p.Eigenvalues)), ModelNames.Of(p.Stability), p.Residual))],
            result.FixedPoints.Count, result.StableCount);

        private static double[][] Pairs(IEnumerable<Complex> values) => [.. values.Select(v => new[] { v.Real, v.Imaginary })];
    }

    /// <param name="Kappa">κ*, F(κ*) = 0.</param>
    /// <param name="ProjectedKappa">(MᵀM)⁻¹Mᵀx* of the fixed state x* = Mκ* + W_inᵀu: κ* + P u, the coordinates of kappa.npz and the figure.</param>
    /// <param name="Eigenvalues">μ of ∂G/∂κ = I + α ∂F/∂κ, [[re, im]], by decreasing modulus.</param>
    /// <param name="EigenvaluesContinuous">λ = (μ − 1)/α of ∂F/∂κ, same order.</param>
    /// <param name="Stability">From |μ| (discrete time).</param>
    /// <param name="Residual">‖F(κ*)‖₂.</param>
    private sealed record LintFixedPointEntry(double[] Kappa, double[] ProjectedKappa, double[][] Eigenvalues, double[][] EigenvaluesContinuous, string Stability, double Residual);
}
