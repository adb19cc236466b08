using System.CommandLine;
using System.Globalization;
using LowRank.Cli.Sweeps;
using LowRank.Formats;
using LowRank.Plotting;
using LowRank.Sweeps;

namespace LowRank.Cli.Commands;

/// <summary>What <c>lowrank sweep run</c> was asked to do.</summary>
internal sealed record SweepRunOptions(string SpecPath, string Out, string Executor, int Jobs);

/// <summary>What <c>lowrank sweep status</c> was asked to do.</summary>
internal sealed record SweepStatusOptions(string Directory, string? JsonPath);

/// <summary>What <c>lowrank sweep collect</c> was asked to do.</summary>
internal sealed record SweepCollectOptions(string Directory);

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
        return command;
    }

    private static Command CreateRun(CliContext context)
    {
        var spec = new Argument<string>("SPEC") { Description = "The sweep spec (.json): command, options, axes, follow-up steps (docs/sweeps.md). Relative paths in it are relative to its folder." };
        var output = new Option<string>("--out") { Description = "The sweep directory: runs/NAME/ per point, sweep.json. Run again into it to continue the sweep: done runs are skipped, stopped fits resume.", Required = true };
        var executor = new Option<string>("--executor") { Description = "Where the runs execute: local (this machine) or slurm (not implemented yet).", DefaultValueFactory = _ => SweepExecutors.Local };
        executor.AcceptOnlyFromAmong([.. SweepExecutors.Names]);
        var jobs = new Option<int>("--jobs") { Description = "Runs at a time (local); each gets cores / jobs threads. Results do not depend on it.", DefaultValueFactory = _ => 1 };
        var command = new Command("run", "Run (or continue) a sweep: each run not done yet executes its steps as lowrank processes.")
        {
            spec, output, executor, jobs,
        };
        command.SetAction(parse => context.Execute(() => Run(context, new SweepRunOptions(parse.GetValue(spec)!, parse.GetValue(output)!, parse.GetValue(executor)!, parse.GetValue(jobs)))));
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
        var command = new Command("collect", "Write DIR/results.csv and DIR/results.json (one row per run: its axes and every figure its steps reported) and DIR/plots/ (each figure against each axis, with the spread over seeds).")
        {
            directory,
        };
        command.SetAction(parse => context.Execute(() => Collect(context, new SweepCollectOptions(parse.GetValue(directory)!))));
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

        SweepExecutors.CheckAvailable(options.Executor, SearchPathForTests ?? Environment.GetEnvironmentVariable("PATH"));
        SweepSpec spec = SweepSpecReader.Read(options.SpecPath);
        IReadOnlyList<SweepPoint> points = SweepPoints.Expand(spec);
        new OutputPlan().Reads(options.SpecPath, "SPEC").WritesInto(options.Out, "--out", SweepDirectory.OutputKind).Check();
        SweepDirectory.CheckHolds(options.Out, spec);
        SweepPlan plan = SweepPlanner.Plan(spec, points, options.SpecPath, options.Out);

        // Checked: from here on the sweep directory is written.
        using SweepLock held = SweepLock.Acquire(options.Out);
        SweepDirectory.Create(options.Out, spec, points);
        var executor = new LocalExecutor(options.Jobs, Math.Max(1, cores / options.Jobs), LowRankProcess.Current());
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
        context.Error.WriteLine($"sweep '{options.Out}': {plan.Runs.Count} runs of 'lowrank {spec.Main.Command}'{Follow(spec)}; {pending.Count} to run{(skipped > 0 ? $" ({skipped} done before)" : "")}, {executor.Jobs} at a time with {executor.Threads} thread{(executor.Threads == 1 ? "" : "s")} each");
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

    private static int Status(CliContext context, SweepStatusOptions options)
    {
        new OutputPlan().Reads(options.Directory, "DIR").WritesFile(options.JsonPath, "--json").Check();
        OpenedSweep sweep = SweepDirectory.Open(options.Directory);
        bool live = SweepLock.IsHeld(options.Directory);
        var rows = sweep.Points.Select(p => (Point: p, Status: Effective(sweep.RunOf(p).ReadStatus(), live))).ToList();
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
        new OutputPlan().WritesFile(csv, "results.csv").WritesFile(json, "results.json").WritesDirectory(plots, "plots", PlotsKind).Check();

        ResultsTable table = ResultsTable.Collect(sweep);
        table.WriteCsv(csv);
        table.WriteJson(json);
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
        });

        int done = table.Rows.Count(r => r.State == RunState.Done);
        TextWriter output = context.Output;
        output.WriteLine($"collected {table.Rows.Count} runs of '{options.Directory}' ({done} done): {table.Figures.Count} figures, {table.Axes.Count} ax{(table.Axes.Count == 1 ? "is" : "es")}");
        output.WriteLine($"wrote {csv} and {json}");
        int constant = table.Figures.Count(f => !f.InArray) - figures.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {drawn} plots to {plots}: each of the {figures.Count} figures that vary across the done runs against each axis{(constant > 0 ? $" ({constant} the same in every done run, or in none, not drawn)" : "")}"));
        return ExitCodes.Success;
    }

    /// <summary>A plots folder: only PNGs.</summary>
    private static readonly DirectoryKind PlotsKind = new("sweep plots folder", d => Directory.EnumerateFileSystemEntries(d).All(e => e.EndsWith(".png", StringComparison.Ordinal) && File.Exists(e)));

    /// <summary>
    /// A run recorded as running while no process runs the sweep was cut off (its process was killed): it is failed,
    /// and the next sweep run continues it.
    /// </summary>
    private static RunStatus Effective(RunStatus status, bool live) =>
        status.State == RunState.Running && !live
            ? status with { State = RunState.Failed, Reason = $"cut off in step {status.Step}: the sweep run that ran it ended without recording how (killed?); the next sweep run continues it" }
            : status;

    private static string Follow(SweepSpec spec) =>
        spec.FollowUp.Count == 0 ? "" : " then " + string.Join(", ", spec.FollowUp.Select(s => $"'{s.Command}'"));

    private sealed record StatusReport(string Directory, string Command, bool RunningNow, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<RunReport> Runs);

    private sealed record RunReport(string Run, IReadOnlyDictionary<string, string> Axes, RunStatus Status);
}
