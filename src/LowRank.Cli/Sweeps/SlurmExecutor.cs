using System.Diagnostics;
using System.Globalization;
using LowRank.Formats;
using LowRank.Sweeps;

namespace LowRank.Cli.Sweeps;

/// <summary>
/// Runs a sweep on a Slurm cluster: one array job whose task <c>i</c> runs the sweep's run number <c>i</c> through
/// <c>lowrank sweep run-task</c> (the same <see cref="RunDriver"/>, command lines, run directory, status and logs as
/// the local executor), with <see cref="SlurmOptions.CpusPerTask"/> threads. The job is submitted held, the runs'
/// status files are told their tasks, then it is released; the executor follows it with <c>squeue</c> until every
/// task has ended, and settles each run's status with Slurm's word on how its task ended (<see cref="SlurmOutcome"/>).
/// Nothing here assumes one machine: the tasks find everything through the sweep directory's absolute path.
/// </summary>
internal sealed class SlurmExecutor(SlurmOptions options, SlurmClient slurm, LowRankProcess lowrank) : ISweepExecutor
{
    public const string ExecutorName = "slurm";

    /// <summary>The folder of the sweep directory that holds the batch scripts and the tasks' Slurm logs.</summary>
    public const string Folder = "slurm";

    /// <summary>How long the cluster may not answer <c>squeue</c> before the sweep run gives up following its job.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    /// <summary>How long a run's end may take to show on a shared file system after its task ended by itself.</summary>
    private static readonly TimeSpan FileSystemLag = TimeSpan.FromSeconds(10);

    public string Name => ExecutorName;

    public SlurmOptions Options { get; } = options;

    public string Describe() =>
        $"as one Slurm array job{(Options.Throttle is int n ? $", at most {n} task{(n == 1 ? "" : "s")} at a time" : "")}, each task with {Options.CpusPerTask} core{(Options.CpusPerTask == 1 ? "" : "s")} and as many threads";

    /// <summary>
    /// Asks the cluster whether it would take the job (<c>sbatch --test-only</c>: a partition, account, time or memory it
    /// refuses is an input error), and refuses a sweep whose runs an earlier submission still has in the queue.
    /// </summary>
    public void Check(SweepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        string[] arguments = [.. JobArguments(plan, Options.ArraySpec([.. Enumerable.Range(0, plan.Runs.Count)])), "--test-only"];
        SlurmReply reply = slurm.Run("sbatch", arguments, "#!/bin/bash\ntrue\n")!;
        if (!reply.Succeeded)
        {
            throw new InputException(
                $"the Slurm cluster refuses the sweep's array job: {reply.LastWords}",
                $"check {InputException.Ref(nameof(SlurmOptions.Partition))}, {InputException.Ref(nameof(SlurmOptions.Account))}, {InputException.Ref(nameof(SlurmOptions.TimeLimit))}, {InputException.Ref(nameof(SlurmOptions.Memory))}, {InputException.Ref(nameof(SlurmOptions.CpusPerTask))} and {InputException.Ref(nameof(SlurmOptions.ExtraArguments))} ('sinfo' lists the partitions and their limits); sbatch was asked: sbatch {string.Join(' ', arguments.Select(LowRankProcess.Quote))}");
        }

        var queued = plan.Runs
            .Select(r => (Run: r, Status: r.Directory.ReadStatus()))
            .Where(r => r.Status is { State: RunState.Pending or RunState.Running, Job: not null })
            .ToList();
        if (queued.Count == 0)
        {
            return;
        }

        string[] jobs = [.. queued.Select(r => JobOf(r.Status.Job!)).Distinct(StringComparer.Ordinal)];
        Dictionary<string, string>? active = ActiveTasks(string.Join(',', jobs));
        if (active is null)
        {
            throw new InputException(
                $"the Slurm cluster does not answer squeue, so whether the runs an earlier sweep run submitted (job {string.Join(", ", jobs)}) are still queued cannot be told.",
                "try again when 'squeue' works.");
        }

        if (queued.FirstOrDefault(r => active.ContainsKey(r.Status.Job!)) is { Run: not null } still)
        {
            string job = JobOf(still.Status.Job!);
            throw new InputException(
                $"run '{still.Run.Point.Name}' of this sweep is still in Slurm's queue as task {still.Status.Job} ({active[still.Status.Job!]}), submitted by an earlier sweep run.",
                $"wait until job {job} ends ('squeue -j {job}'), or cancel it ('scancel {job}'), then run the sweep again: it submits only the runs not done.");
        }
    }

    public void Run(SweepPlan plan, IReadOnlyList<RunPlan> runs, ISweepObserver observer, StopSignals stop)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(stop);
        if (runs.Count == 0 || stop.Requested)
        {
            return;
        }

        // Array task i is the sweep's run number i, so that a task finds its run from its index alone.
        var tasks = new SortedDictionary<int, RunPlan>();
        foreach (RunPlan run in runs)
        {
            tasks.Add(IndexOf(plan, run), run);
        }

        string folder = Path.Combine(plan.Directory, Folder);
        Directory.CreateDirectory(folder);
        int number = 1;
        while (File.Exists(Path.Combine(folder, $"submit-{number}.sh")))
        {
            number++;
        }

        string script = Path.Combine(folder, $"submit-{number}.sh");
        string array = Options.ArraySpec([.. tasks.Keys]);
        string[] arguments = ["--parsable", "--hold", .. JobArguments(plan, array), script];
        AtomicFile.WriteText(script, BatchScript(plan, tasks, arguments));

        SlurmReply submitted = slurm.Run("sbatch", arguments)!;
        string job = submitted.Output.Trim().Split(';')[0];
        if (!submitted.Succeeded || job.Length == 0 || !job.All(char.IsAsciiDigit))
        {
            throw new InputException(
                $"sbatch did not submit the sweep's array job: {submitted.LastWords}",
                $"check the job's options (in '{script}') against the cluster's limits ('sinfo'), then run the sweep again.");
        }

        // Held until every run's status names its task: a task that starts finds its run queued, never a stale status.
        // Should that fail, the job is cancelled rather than left held.
        SlurmReply released;
        try
        {
            foreach ((int index, RunPlan run) in tasks)
            {
                RunStatus status = run.Directory.ReadStatus();
                run.Directory.WriteStatus(status with
                {
                    State = RunState.Pending,
                    Reason = $"queued as Slurm task {Task(job, index)}",
                    Job = Task(job, index),
                    Executor = Name,
                    ExitCode = null,
                    Host = null,
                    Pid = null,
                    Started = null,
                    Ended = null,
                });
            }

            released = slurm.Run("scontrol", ["release", job])!;
        }
        catch
        {
            slurm.Run("scancel", [job]);
            throw;
        }

        if (!released.Succeeded)
        {
            slurm.Run("scancel", [job]);
            throw new InputException(
                $"Slurm job {job} was submitted held but could not be released (so it was cancelled): {released.LastWords}",
                "run the sweep again; if it happens again, ask the cluster's administrators whether users may release their own held jobs.");
        }

        observer.Note($"submitted Slurm array job {job}: {tasks.Count} task{(tasks.Count == 1 ? "" : "s")} (--array={array}), script {script}, Slurm logs {Path.Combine(folder, $"job-{job}_*.log")}");
        Follow(job, folder, tasks, observer, stop);
    }

    /// <summary>The batch script of one submission: it runs the task's run with <c>lowrank sweep run-task</c>.</summary>
    public string BatchScript(SweepPlan plan, IReadOnlyDictionary<int, RunPlan> tasks, IReadOnlyList<string> sbatchArguments)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(sbatchArguments);
        string[] command =
        [
            .. new[] { lowrank.FileName }.Concat(lowrank.Prefix).Select(LowRankProcess.Quote),
            "sweep", "run-task", LowRankProcess.Quote(plan.Directory),
            "--index", "\"$SLURM_ARRAY_TASK_ID\"",
            "--job", "\"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"",
            "--threads", Options.CpusPerTask.ToString(CultureInfo.InvariantCulture),
            "--workdir", LowRankProcess.Quote(plan.WorkingDirectory),
        ];
        var lines = new List<string>
        {
            "#!/bin/bash",
            $"# One Slurm array job of the sweep in {plan.Directory}, written by 'lowrank sweep run --executor slurm'.",
            "# Array task I runs the sweep's run number I (sweep.json lists them in order) as the local executor would:",
            "# the same steps, run directory, status.json and logs ('lowrank sweep run-task'). This job's tasks:",
        };
        lines.AddRange(tasks.Select(t => string.Create(CultureInfo.InvariantCulture, $"#   {t.Key,4}  {t.Value.Point.Name}")));
        lines.Add("# Submitted held (then released once each run's status names its task) with:");
        lines.Add("#   sbatch " + string.Join(' ', sbatchArguments.Select(LowRankProcess.Quote)));
        lines.Add("cd " + LowRankProcess.Quote(plan.WorkingDirectory) + " || exit 1");
        lines.Add("exec " + string.Join(' ', command));
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>The job's <c>sbatch</c> arguments but the script: name, array, log files, folder, resources.</summary>
    private IEnumerable<string> JobArguments(SweepPlan plan, string array) =>
    [
        "--job-name=lowrank-sweep-" + Path.GetFileName(plan.Directory.TrimEnd(Path.DirectorySeparatorChar)),
        "--array=" + array,
        "--output=" + Path.Combine(plan.Directory, Folder, "job-%A_%a.log"),
        "--chdir=" + plan.WorkingDirectory,
        .. Options.ResourceArguments(),
    ];

    /// <summary>Follows job <paramref name="job"/> until each of its tasks has ended, settling each run as its task ends.</summary>
    private void Follow(string job, string folder, SortedDictionary<int, RunPlan> tasks, ISweepObserver observer, StopSignals stop)
    {
        var open = new SortedDictionary<int, RunPlan>(tasks);
        var steps = new Dictionary<int, string>();
        var clock = Stopwatch.StartNew();
        var silence = new Stopwatch();
        bool cancelled = false;
        while (open.Count > 0)
        {
            if (stop.Requested && !cancelled)
            {
                cancelled = true;
                SlurmReply? cancel = slurm.Run("scancel", [job]);
                observer.Note(cancel is { Succeeded: true }
                    ? $"stopping: cancelled Slurm job {job} (its tasks under way get SIGTERM: fits write their checkpoints; the queued ones do not start)"
                    : $"stopping: 'scancel {job}' failed ({cancel?.LastWords}); cancel the job by hand");
            }

            Dictionary<string, string>? active = ActiveTasks(job);
            if (active is null)
            {
                silence.Start();
                if (silence.Elapsed > Patience)
                {
                    throw new InputException(
                        $"the Slurm cluster has not answered squeue for {Patience.TotalMinutes:0} minutes while following job {job}; the runs left are still its tasks.",
                        $"when 'squeue -j {job}' works again, wait for the job to end (or 'scancel {job}'), then run the sweep again: it submits only the runs not done.");
                }
            }
            else
            {
                silence.Reset();
                foreach ((int index, RunPlan run) in open.ToList())
                {
                    string task = Task(job, index);
                    if (active.ContainsKey(task))
                    {
                        RunStatus status = run.Directory.ReadStatus();
                        if (status is { State: RunState.Running, Step: { } step } && status.Job == task && steps.GetValueOrDefault(index) != step)
                        {
                            steps[index] = step;
                            observer.StepStarted(run, step);
                        }
                    }
                    else
                    {
                        open.Remove(index);
                        observer.RunEnded(run, Settle(run, task, Path.Combine(folder, $"job-{task}.log"), cancelled));
                    }
                }
            }

            if (open.Count > 0)
            {
                TimeSpan wait = Interval(clock.Elapsed);
                if (stop.Requested)
                {
                    Thread.Sleep(wait);
                }
                else
                {
                    stop.Token.WaitHandle.WaitOne(wait);
                }
            }
        }
    }

    /// <summary>Polls often while a sweep is young (short runs, tests), then every 10 s, which a cluster's controller bears.</summary>
    private static TimeSpan Interval(TimeSpan elapsed) => TimeSpan.FromSeconds(Math.Min(10, 0.5 + (elapsed.TotalSeconds / 10)));

    /// <summary>The run's status once its task has ended, written to its directory where it changes.</summary>
    private RunStatus Settle(RunPlan run, string task, string log, bool cancelledBySweep)
    {
        SlurmTaskEnd end = EndOf(task);
        RunStatus status = run.Directory.ReadStatus();
        if (status.Job == task && status.State == RunState.Running && end.EndedByItself)
        {
            // The task's last write may show on a shared file system a moment after Slurm saw it end.
            var lag = Stopwatch.StartNew();
            while (status.State == RunState.Running && lag.Elapsed < FileSystemLag)
            {
                Thread.Sleep(500);
                status = run.Directory.ReadStatus();
            }
        }

        string? checkpointDirectory = run.Steps.FirstOrDefault(s => s.Name == status.Step)?.CheckpointDirectory;
        RunStatus settled = SlurmOutcome.Settle(status, task, end, cancelledBySweep, RunDriver.HasCheckpoint(checkpointDirectory), (log, LastLine(log)), DateTimeOffset.UtcNow);
        if (settled != status)
        {
            run.Directory.WriteStatus(settled);
        }

        return settled;
    }

    /// <summary>How Slurm says <paramref name="task"/> ended: <c>scontrol</c> while it keeps the job's record, else <c>sacct</c>.</summary>
    private SlurmTaskEnd EndOf(string task)
    {
        SlurmReply? shown = slurm.Run("scontrol", ["-o", "show", "job", task]);
        if (shown is { Succeeded: true } && SlurmTaskEnd.FromScontrol(shown.Output) is { } fromScontrol)
        {
            return fromScontrol;
        }

        SlurmReply? accounted = slurm.Run("sacct", ["-n", "-P", "-X", "-j", task, "-o", "State,ExitCode"]);
        if (accounted is { Succeeded: true } && accounted.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() is { } line
            && SlurmTaskEnd.FromSacct(line) is { } fromSacct)
        {
            return fromSacct;
        }

        return SlurmTaskEnd.Unknown;
    }

    /// <summary>
    /// The tasks of <paramref name="jobs"/> (comma-separated ids) in the queue now, task → state (<c>PENDING</c>,
    /// <c>RUNNING</c>, <c>COMPLETING</c>, …); empty when none is; null when <c>squeue</c> does not answer.
    /// </summary>
    private Dictionary<string, string>? ActiveTasks(string jobs)
    {
        SlurmReply reply = slurm.Run("squeue", ["-h", "-r", "-j", jobs, "-o", "%i|%T"])!;
        if (!reply.Succeeded)
        {
            // A job that ended long enough ago is unknown to squeue.
            return reply.Error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase) ? [] : null;
        }

        var active = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in reply.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = line.Split('|');
            if (fields.Length == 2)
            {
                active[fields[0]] = fields[1];
            }
        }

        return active;
    }

    private static int IndexOf(SweepPlan plan, RunPlan run)
    {
        for (int i = 0; i < plan.Runs.Count; i++)
        {
            if (ReferenceEquals(plan.Runs[i], run))
            {
                return i;
            }
        }

        throw new ArgumentException($"run '{run.Point.Name}' is not one of the plan's.", nameof(run));
    }

    private static string Task(string job, int index) => string.Create(CultureInfo.InvariantCulture, $"{job}_{index}");

    private static string JobOf(string task) => task.Split('_')[0];

    private static string? LastLine(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadLines(path).LastOrDefault(l => l.Trim().Length > 0)?.Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
