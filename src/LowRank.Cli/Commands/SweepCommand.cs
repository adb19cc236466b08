using System.CommandLine;
using System.Globalization;
using LowRank.Cli.Sweeps;
using LowRank.Formats;
using LowRank.Plotting;
using LowRank.Sweeps;

namespace LowRank.Cli.Commands;

/// <summary>What <c>lowrank sweep run</c> was asked to do; <paramref name="Slurm"/> for <c>--executor slurm</c>.</summary>
internal sealed record SweepRunOptions(string SpecPath, string Out, string Executor, int Jobs, SlurmOptions Slurm);

/// <summary>What <c>lowrank sweep run-task</c> (one cluster task) was asked to do.</summary>
internal sealed record SweepTaskOptions(string Directory, int Index, string? Job, int Threads, string WorkingDirectory);

/// <summary>What <c>lowrank sweep status</c> was asked to do.</summary>
internal sealed record SweepStatusOptions(string Directory, string? JsonPath);

/// <summary>What <c>lowrank sweep collect</c> was asked to do.</summary>
internal sealed record SweepCollectOptions(string Directory, string? JsonPath);

/// <summary>
/// <c>lowrank sweep run|status|collect</c>: a command run over the points of a spec's axes, one directory per run
/// (docs/sweeps.md); the status of its runs; its results as one table and plots.
/// </summary>
internal static class SweepCommand
{
    /// <summary>Test hook: the PATH searched for <c>sbatch</c> (null: the process's PATH).</summary>
    internal static string? SearchPathForTests { get; set; }

    public static Command Create(CliContext context)
    {
        var command = new Command("sweep", "Run a command over every combination of a spec's axes (seeds, ranks, any option), one directory per run; show its status; collect its results (docs/sweeps.md).");
        command.Add(CreateRun(context));
        command.Add(CreateStatus(context));
        command.Add(CreateCollect(context));
        command.Add(CreateRunTask(context));
        return command;
    }

    private static Command CreateRun(CliContext context)
    {
        var spec = new Argument<string>("SPEC") { Description = "The sweep spec (.json): command, options, axes, follow-up steps (docs/sweeps.md). Relative paths in it are relative to its folder." };
        var output = new Option<string>("--out") { Description = "The sweep directory: runs/NAME/ per point, sweep.json. Run again into it to continue the sweep: done runs are skipped, stopped fits resume. With --executor slurm it must be on a file system the cluster's nodes share.", Required = true };
        var executor = new Option<string>("--executor") { Description = "Where the runs execute: local (this machine) or slurm (one array job on a Slurm cluster, followed until it ends).", DefaultValueFactory = _ => SweepExecutors.Local };
        executor.AcceptOnlyFromAmong([.. SweepExecutors.Names]);
        var jobs = new Option<int>("--jobs") { Description = "Runs at a time (local); each gets cores / jobs threads. Results do not depend on it.", DefaultValueFactory = _ => 1 };
        var partition = new Option<string?>("--partition") { Description = "Slurm: the partition the array job runs in (default: the cluster's)." };
        var account = new Option<string?>("--account") { Description = "Slurm: the account the array job is charged to (default: yours)." };
        var time = new Option<string?>("--time") { Description = "Slurm: the time limit of each task, as sbatch takes it (90, 2:00:00, 1-12). A fit stopped by it resumes from its checkpoint on the next sweep run." };
        var memory = new Option<string?>("--mem") { Description = "Slurm: the memory of each task, as sbatch takes it (4G, 500M)." };
        var cpus = new Option<int>("--cpus-per-task") { Description = "Slurm: the cores of each task, and the --threads of its run's steps. Results do not depend on it.", DefaultValueFactory = _ => 1 };
        var throttle = new Option<int?>("--throttle") { Description = "Slurm: at most this many tasks at once (--array=…%N; default: as many as the cluster gives)." };
        var sbatchArguments = new Option<string[]>("--sbatch-arg") { Description = "Slurm: a further sbatch option in one word, e.g. --sbatch-arg=--qos=long or --sbatch-arg=--signal=B:TERM@120 (repeatable; passed after the others).", AllowMultipleArgumentsPerToken = false };
        Option[] slurmOnly = [partition, account, time, memory, cpus, throttle, sbatchArguments];
        var command = new Command("run", "Run (or continue) a sweep: each run not done yet executes its steps as lowrank processes, on this machine or as the tasks of one Slurm array job.")
        {
            spec, output, executor, jobs, partition, account, time, memory, cpus, throttle, sbatchArguments,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            string chosen = parse.GetValue(executor)!;
            if (chosen != SweepExecutors.Slurm && slurmOnly.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } given)
            {
                throw new InputException($"{given.Name} is an option of --executor slurm, but the sweep runs with --executor {chosen}.", $"add --executor slurm to run the sweep on a Slurm cluster, or drop {given.Name}.");
            }

            if (chosen == SweepExecutors.Slurm && parse.GetResult(jobs) is { Implicit: false })
            {
                throw new InputException("--jobs sets how many runs this machine runs at a time, but the sweep runs with --executor slurm.", "drop --jobs; --throttle N caps the array job's tasks at N at a time, --cpus-per-task sets each one's cores.");
            }

            var slurm = new SlurmOptions
            {
                Partition = parse.GetValue(partition),
                Account = parse.GetValue(account),
                TimeLimit = parse.GetValue(time),
                Memory = parse.GetValue(memory),
                CpusPerTask = parse.GetValue(cpus),
                Throttle = parse.GetValue(throttle),
                ExtraArguments = parse.GetValue(sbatchArguments) ?? [],
            };
            return Run(context, new SweepRunOptions(parse.GetValue(spec)!, parse.GetValue(output)!, chosen, parse.GetValue(jobs), slurm));
        }));
        return command;
    }

    /// <summary>
    /// <c>lowrank sweep run-task DIR --index I</c>, hidden: what one task of a cluster executor's job runs: run number
    /// <c>I</c> of the sweep in <c>DIR</c>, through the same <see cref="RunDriver"/> as the local executor.
    /// </summary>
    private static Command CreateRunTask(CliContext context)
    {
        var directory = new Argument<string>("DIR") { Description = "The sweep directory (absolute: the task may run on another machine)." };
        var index = new Option<int>("--index") { Description = "The run's number in the sweep's order (sweep.json's runs), from 0.", Required = true };
        var job = new Option<string?>("--job") { Description = "The scheduler's job of this task, recorded in the run's status (Slurm: ARRAYJOB_TASK)." };
        var threads = new Option<int>("--threads") { Description = "The --threads of the run's steps.", Required = true };
        var workdir = new Option<string>("--workdir") { Description = "The folder the steps run in (the spec's: relative paths in the spec are relative to it).", Required = true };
        var command = new Command("run-task", "Run one run of a sweep, as a task of a cluster executor's job does (internal).")
        {
            directory, index, job, threads, workdir,
        };
        command.Hidden = true;
        command.SetAction(parse => context.Execute(() => RunTask(context, new SweepTaskOptions(parse.GetValue(directory)!, parse.GetValue(index), parse.GetValue(job), parse.GetValue(threads), parse.GetValue(workdir)!))));
        return command;
    }

    private static Command CreateStatus(CliContext context)
    {
        var directory = new Argument<string>("DIR") { Description = "The sweep directory (the --out of sweep run)." };
        var json = CommonOptions.Json();
        var command = new Command("status", "List the runs of a sweep: pending, running, done or failed, with the reason.")
        {
            directory, json,
        };
        command.SetAction(parse => context.Execute(() => Status(context, new SweepStatusOptions(parse.GetValue(directory)!, parse.GetValue(json)))));
        return command;
    }

    private static Command CreateCollect(CliContext context)
    {
        var directory = new Argument<string>("DIR") { Description = "The sweep directory (the --out of sweep run)." };
        var json = CommonOptions.Json();
        var command = new Command("collect", "Write DIR/results.csv and DIR/results.json (one row per run: its axes and every figure its steps reported) and DIR/plots/ (each figure against each axis, with the spread over seeds); on a rank sweep name the rank to use, on a seed sweep compare the restarts.")
        {
            directory, json,
        };
        command.SetAction(parse => context.Execute(() => Collect(context, new SweepCollectOptions(parse.GetValue(directory)!, parse.GetValue(json)))));
        return command;
    }

    private static int Run(CliContext context, SweepRunOptions options)
    {
        CommonOptions.RequirePositive(options.Jobs, "Jobs");
        int cores = Environment.ProcessorCount;
        if (options.Jobs > cores)
        {
            throw new InputException(
                $"--jobs {options.Jobs} is more runs at a time than the {cores} cores of this machine.",
                $"pass --jobs {cores} or fewer; each run gets cores / jobs threads.");
        }

        string? searchPath = SearchPathForTests ?? Environment.GetEnvironmentVariable("PATH");
        SweepExecutors.CheckAvailable(options.Executor, searchPath);
        ISweepExecutor executor = options.Executor == SweepExecutors.Slurm
            ? new SlurmExecutor(options.Slurm, SlurmClient.Find(searchPath), LowRankProcess.Current())
            : new LocalExecutor(options.Jobs, Math.Max(1, cores / options.Jobs), LowRankProcess.Current());
        options.Slurm.Validate();
        SweepSpec spec = SweepSpecReader.Read(options.SpecPath);
        IReadOnlyList<SweepPoint> points = SweepPoints.Expand(spec);
        new OutputPlan().Reads(options.SpecPath, "SPEC").WritesInto(options.Out, "--out", SweepDirectory.OutputKind).Check();
        SweepDirectory.CheckHolds(options.Out, spec);
        SweepPlan plan = SweepPlanner.Plan(spec, points, options.SpecPath, options.Out);
        SweepLock.CheckFree(options.Out);
        executor.Check(plan);

        // Checked: from here on the sweep directory is written.
        using SweepLock held = SweepLock.Acquire(options.Out);
        SweepDirectory.Create(options.Out, spec, points);
        var pending = new List<RunPlan>();
        foreach (RunPlan run in plan.Runs)
        {
            Directory.CreateDirectory(run.Directory.Root);
            RunStatus status = run.Directory.ReadStatus();
            if (!File.Exists(run.Directory.StatusPath))
            {
                run.Directory.WriteStatus(status);
            }

            if (status.State != RunState.Done)
            {
                pending.Add(run);
            }
        }

        int skipped = plan.Runs.Count - pending.Count;
        context.Error.WriteLine($"sweep '{options.Out}': {plan.Runs.Count} runs of 'lowrank {spec.Main.Command}'{Follow(spec)}; {pending.Count} to run{(skipped > 0 ? $" ({skipped} done before)" : "")}, {executor.Describe()}");
        using var stop = new StopSignals();
        using (var progress = new SweepProgress(context, pending.Count))
        {
            executor.Run(plan, pending, progress, stop);
        }

        RunStatus[] statuses = [.. plan.Runs.Select(r => r.Directory.ReadStatus())];
        int done = statuses.Count(s => s.State == RunState.Done);
        int failed = statuses.Count(s => s.State == RunState.Failed);
        int left = plan.Runs.Count - done - failed;
        TextWriter output = context.Output;
        output.WriteLine($"sweep '{options.Out}': {done} of {plan.Runs.Count} runs done{(failed > 0 ? $", {failed} failed" : "")}{(left > 0 ? $", {left} not run" : "")}");
        for (int i = 0; i < plan.Runs.Count; i++)
        {
            if (statuses[i].State == RunState.Failed)
            {
                output.WriteLine($"  failed {plan.Runs[i].Point.Name}: {statuses[i].Reason}");
            }
        }

        if (stop.Requested)
        {
            output.WriteLine($"stopped by {stop.Name}: run the same command again to continue (done runs are skipped, stopped fits resume from their checkpoints).");
            return stop.ExitCode;
        }

        if (failed > 0 || left > 0)
        {
            output.WriteLine($"logs and reasons: lowrank sweep status {LowRankProcess.Quote(options.Out)}; run the same command again to retry the failed runs.");
            return ExitCodes.RunsFailed;
        }

        output.WriteLine($"results: lowrank sweep collect {LowRankProcess.Quote(options.Out)}");
        return ExitCodes.Success;
    }

    private static int RunTask(CliContext context, SweepTaskOptions options)
    {
        CommonOptions.RequirePositive(options.Threads, "Threads");
        OpenedSweep sweep = SweepDirectory.Open(options.Directory);
        if (options.Index < 0 || options.Index >= sweep.Points.Count)
        {
            throw new InputException(
                $"the sweep in '{sweep.Directory}' has runs 0 to {sweep.Points.Count - 1}, not {options.Index}.",
                "a task runs the run whose number its array index is; submit the sweep with 'lowrank sweep run --executor slurm'.");
        }

        SweepPoint point = sweep.Points[options.Index];
        string manifest = Path.Combine(sweep.Directory, SweepDirectory.ManifestFile);
        SweepPlan plan = SweepPlanner.Plan(sweep.Spec, [point], $"sweep spec '{manifest}'", options.WorkingDirectory, sweep.Directory);
        RunPlan run = plan.Runs[0];
        context.Error.WriteLine($"run {point.Name} of sweep '{sweep.Directory}' on {Environment.MachineName}{(options.Job is null ? "" : $" (task {options.Job})")} with {options.Threads} thread{(options.Threads == 1 ? "" : "s")}");
        using var stop = new StopSignals();
        RunStatus status = new RunDriver(LowRankProcess.Current(), SweepExecutors.Slurm, options.Threads, options.Job).Run(plan, run, new TaskLog(context.Error), stop);
        context.Error.WriteLine($"run {point.Name}: {ResultsTable.StateName(status.State)}{(status.Reason is null ? "" : ": " + status.Reason)}");
        return status.State == RunState.Done ? ExitCodes.Success : stop.Requested ? stop.ExitCode : ExitCodes.RunsFailed;
    }

    private static int Status(CliContext context, SweepStatusOptions options)
    {
        new OutputPlan().Reads(options.Directory, "DIR").WritesFile(options.JsonPath, "--json").Check();
        OpenedSweep sweep = SweepDirectory.Open(options.Directory);
        bool live = SweepLock.IsHeld(options.Directory);
        var rows = sweep.Points.Select(p => (Point: p, Status: EffectiveStatus.Of(sweep.RunOf(p).ReadStatus(), live))).ToList();
        var counts = Enum.GetValues<RunState>().ToDictionary(s => ResultsTable.StateName(s), s => rows.Count(r => r.Status.State == s));

        TextWriter output = context.Output;
        string axes = string.Join(" × ", sweep.Spec.Axes.Select(a => $"{a.Name} ({a.Values.Count})"));
        output.WriteLine($"sweep '{options.Directory}': 'lowrank {sweep.Spec.Main.Command}'{Follow(sweep.Spec)} over {axes}: {rows.Count} runs{(live ? "; a sweep run is running it now" : "")}");
        output.WriteLine(string.Join(", ", counts.Select(c => $"{c.Value} {c.Key}")));
        int width = Math.Max(3, rows.Max(r => r.Point.Name.Length));
        output.WriteLine($"{"run".PadRight(width)}  {"state",-8} {"step",-12} reason");
        foreach ((SweepPoint point, RunStatus status) in rows)
        {
            string step = status.State == RunState.Done ? "" : status.Step ?? "";
            output.WriteLine($"{point.Name.PadRight(width)}  {ResultsTable.StateName(status.State),-8} {step,-12} {status.Reason}".TrimEnd());
        }

        if (options.JsonPath is not null)
        {
            JsonFile.Write(options.JsonPath, new StatusReport(
                sweep.Directory, sweep.Spec.Main.Command, live, counts,
                [.. rows.Select(r => new RunReport(r.Point.Name, r.Point.Values.ToDictionary(v => v.Name, v => v.Value.Text), r.Status))]));
        }

        return ExitCodes.Success;
    }

    private static int Collect(CliContext context, SweepCollectOptions options)
    {
        OpenedSweep sweep = SweepDirectory.Open(options.Directory);
        string csv = Path.Combine(sweep.Directory, SweepDirectory.ResultsCsv);
        string json = Path.Combine(sweep.Directory, SweepDirectory.ResultsJson);
        string plots = Path.Combine(sweep.Directory, SweepDirectory.PlotsFolder);
        new OutputPlan().WritesFile(csv, "results.csv").WritesFile(json, "results.json").WritesDirectory(plots, "plots", PlotsKind).WritesFile(options.JsonPath, "--json").Check();

        ResultsTable table = ResultsTable.Collect(sweep, EffectiveStatus.For(sweep.Directory));
        SweepAnalysis analysis = SweepAnalysis.Of(table);
        table.WriteCsv(csv);
        table.WriteJson(json, analysis);
        IReadOnlyList<string> figures = table.VaryingFigures();
        int drawn = 0;
        AtomicFile.WriteDirectory(plots, PlotsKind, temp =>
        {
            foreach (string figure in figures)
            {
                foreach (SweepAxis axis in table.Axes)
                {
                    SweepPlots.SaveFigureVsAxis(Path.Combine(temp, SweepPlots.FileName(figure, axis.Name)), table, figure, axis.Name);
                    drawn++;
                }
            }

            if (analysis.RankSelection is { } ranks)
            {
                SweepPlots.SaveRankSelection(Path.Combine(temp, SweepPlots.RankSelectionFile), ranks);
            }

            if (analysis.SeedEnsemble is { } ensemble)
            {
                SweepPlots.SaveSeedEnsemble(Path.Combine(temp, SweepPlots.SeedEnsembleFile), table, ensemble);
            }
        });

        int done = table.Rows.Count(r => r.State == RunState.Done);
        TextWriter output = context.Output;
        output.WriteLine($"collected {table.Rows.Count} runs of '{options.Directory}' ({done} done): {table.Figures.Count} figures, {table.Axes.Count} ax{(table.Axes.Count == 1 ? "is" : "es")}");
        output.WriteLine($"wrote {csv} and {json}");
        int constant = table.Figures.Count(f => !f.InArray) - figures.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {drawn} plots to {plots}: each of the {figures.Count} figures that vary across the done runs against each axis{(constant > 0 ? $" ({constant} the same in every done run, or in none, not drawn)" : "")}"));
        PrintRankSelection(output, analysis, plots);
        PrintSeedEnsemble(output, analysis, plots);
        if (options.JsonPath is not null)
        {
            JsonFile.Write(options.JsonPath, new CollectReport(
                sweep.Directory, table.Rows.Count, done, csv, json, plots,
                analysis.RankSelection, analysis.RankSelectionNote, analysis.SeedEnsemble, analysis.SeedEnsembleNote));
        }

        return ExitCodes.Success;
    }

    /// <summary>The rank table (held-out objective ± se, companions ± sd) and the recommended rank, or why there is none.</summary>
    private static void PrintRankSelection(TextWriter output, SweepAnalysis analysis, string plots)
    {
        if (analysis.RankSelectionNote is { } note)
        {
            output.WriteLine($"rank selection: none: {note}");
        }

        if (analysis.RankSelection is not { } result)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine($"rank selection by {result.Objective} (higher is better; mean ± standard error over the seeds, other figures mean ± sd):");
        string[] companions = [.. result.Levels.SelectMany(l => l.Companions.Select(c => c.Figure)).Distinct()];
        string[] headers = ["rank", "runs", result.Objective, .. companions];
        var rows = result.Levels.Select(l => (string[])
        [
            l.Rank.ToString(CultureInfo.InvariantCulture) + (l.Rank == result.RecommendedRank ? " *" : ""),
            l.Objective.Runs.ToString(CultureInfo.InvariantCulture),
            string.Create(CultureInfo.InvariantCulture, $"{l.Objective.Mean:0.0000} ± {l.Objective.StandardError:0.0000}"),
            .. companions.Select(c => l.Companions.FirstOrDefault(s => s.Figure == c) is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s.Mean:0.0000} ± {s.StandardDeviation:0.0000}") : ""),
        ]).ToList();
        int[] widths = [.. headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)))];
        output.WriteLine(string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (string[] row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }

        output.WriteLine(RankSelection.Describe(result));
        if (result.SomeRankHasOneRun)
        {
            output.WriteLine("note: some rank has one done run, so its standard error is unknown and taken as 0; sweep two or more seeds per rank.");
        }

        output.WriteLine($"wrote {Path.Combine(plots, SweepPlots.RankSelectionFile)}");
    }

    /// <summary>Every figure's median, MAD, mean, sd and range over the restarts, then the structure compared, or why there is none.</summary>
    private static void PrintSeedEnsemble(TextWriter output, SweepAnalysis analysis, string plots)
    {
        if (analysis.SeedEnsembleNote is { } note)
        {
            output.WriteLine($"seed ensemble: none: {note}");
        }

        if (analysis.SeedEnsemble is not { } result)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine($"seed ensemble: {result.Runs} done runs over {string.Join(", ", result.SeedAxes)} (MAD: median absolute deviation from the median)");
        int width = Math.Max("figure".Length, result.Figures.Count == 0 ? 0 : result.Figures.Max(f => f.Figure.Length));
        output.WriteLine($"{"figure".PadRight(width)}  {"median",11} {"MAD",11} {"mean",11} {"sd",11} {"min",11} {"max",11}");
        foreach (EnsembleFigure f in result.Figures)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{f.Figure.PadRight(width)}  {f.Median,11:G6} {f.Mad,11:G4} {f.Mean,11:G6} {f.StandardDeviation,11:G4} {f.Min,11:G6} {f.Max,11:G6}"));
        }

        output.WriteLine(result.Structure.Count == 0
            ? "structure across the restarts: no run reported fixed points or a dominant frequency (add the follow-up steps 'fixed-points' and 'evaluate', docs/sweeps.md)."
            : "structure across the restarts:");
        foreach (string line in SeedEnsemble.DescribeStructure(result))
        {
            output.WriteLine("  " + line);
        }

        output.WriteLine($"wrote {Path.Combine(plots, SweepPlots.SeedEnsembleFile)}");
    }

    /// <summary>A plots folder: only PNGs.</summary>
    private static readonly DirectoryKind PlotsKind = new("sweep plots folder", d => Directory.EnumerateFileSystemEntries(d).All(e => e.EndsWith(".png", StringComparison.Ordinal) && File.Exists(e)));

    private static string Follow(SweepSpec spec) =>
        spec.FollowUp.Count == 0 ? "" : " then " + string.Join(", ", spec.FollowUp.Select(s => $"'{s.Command}'"));

    /// <summary>A cluster task's log: a line per step started (its run's own logs hold the steps' output).</summary>
    private sealed class TaskLog(TextWriter error) : ISweepObserver
    {
        public void StepStarted(RunPlan run, string step) => error.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {run.Point.Name}: step {step} (logs: {run.Directory.StdoutOf(step)}, {run.Directory.StderrOf(step)})");

        public void RunEnded(RunPlan run, RunStatus status)
        {
        }

        public void Note(string line) => error.WriteLine(line);
    }

    /// <summary>What <c>sweep collect --json</c> writes: where the results went and the two analyses (null where they do not apply).</summary>
    private sealed record CollectReport(
        string Directory, int Runs, int Done, string ResultsCsv, string ResultsJson, string Plots,
        RankSelectionResult? RankSelection, string? RankSelectionNote, SeedEnsembleResult? SeedEnsemble, string? SeedEnsembleNote);

    private sealed record StatusReport(string Directory, string Command, bool RunningNow, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<RunReport> Runs);

    private sealed record RunReport(string Run, IReadOnlyDictionary<string, string> Axes, RunStatus Status);
}
