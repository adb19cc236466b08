using System.Globalization;
using LowRank.Model;
using LowRank.Sweeps;

namespace LowRank.Cli.Sweeps;

/// <summary>
/// Runs the steps of one run, one <c>lowrank</c> process after another, and keeps its directory up to date:
/// <c>command.txt</c> (this attempt's exact command lines), <c>status.json</c> before and after each step, the logs.
/// An attempt starts after the steps an earlier one completed, and a step whose output directory holds a checkpoint
/// (a fit that was stopped or killed) gets <c>--resume</c>, so nothing done is done again.
/// </summary>
/// <param name="lowrank">The <c>lowrank</c> the steps run with.</param>
/// <param name="executor">The executor's name, recorded in the status.</param>
/// <param name="threads">The <c>--threads</c> of the steps that take it.</param>
/// <param name="job">The scheduler's job this attempt runs in (a Slurm array task), recorded in the status; null on this machine's executor.</param>
internal sealed class RunDriver(LowRankProcess lowrank, string executor, int threads, string? job = null)
{
    /// <summary>Runs what is left of <paramref name="run"/>; returns its status at the end of this attempt.</summary>
    public RunStatus Run(SweepPlan plan, RunPlan run, ISweepObserver observer, StopSignals stop)
    {
        RunDirectory directory = run.Directory;
        Directory.CreateDirectory(directory.Root);
        RunStatus status = directory.ReadStatus();
        if (status.State == RunState.Done)
        {
            return status;
        }

        int first = Math.Clamp(status.StepsDone, 0, run.Steps.Count);
        var lines = new List<string> { "cd " + LowRankProcess.Quote(plan.WorkingDirectory) };
        var arguments = new List<string>[run.Steps.Count];
        bool resumed = false;
        for (int i = 0; i < run.Steps.Count; i++)
        {
            StepInvocation step = run.Steps[i];
            arguments[i] = [.. step.Arguments];
            if (step.TakesThreads)
            {
                arguments[i].AddRange(["--threads", threads.ToString(CultureInfo.InvariantCulture)]);
            }

            if (i >= first && HasCheckpoint(step.CheckpointDirectory))
            {
                arguments[i].Add("--resume");
                resumed = true;
            }

            lines.Add((i < first ? "# done: " : "") + LowRankProcess.Display(arguments[i]));
        }

        directory.WriteCommands(lines);
        status = status with
        {
            State = RunState.Running,
            Reason = null,
            ExitCode = null,
            Attempts = status.Attempts + 1,
            Resumed = resumed,
            Started = DateTimeOffset.UtcNow,
            Ended = null,
            Executor = executor,
            Job = job,
            Host = Environment.MachineName,
        };
        for (int i = first; i < run.Steps.Count; i++)
        {
            StepInvocation step = run.Steps[i];
            if (stop.Requested)
            {
                return End(directory, status with { State = RunState.Pending, Step = step.Name, Pid = null, Reason = $"stopped by {stop.Name} before step {step.Name}; the next sweep run continues here" });
            }

            status = status with { Step = step.Name, Pid = null };
            directory.WriteStatus(status);
            observer.StepStarted(run, step.Name);
            string header = $"=== attempt {status.Attempts}, {DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ}: {LowRankProcess.Display(arguments[i])}";
            StepExit exit = lowrank.Run(
                arguments[i], plan.WorkingDirectory, directory.StdoutOf(step.Name), directory.StderrOf(step.Name), header,
                pid => directory.WriteStatus(status with { Pid = pid }),
                stop);
            if (exit.ExitCode != 0)
            {
                return End(directory, status with { State = RunState.Failed, Pid = null, ExitCode = exit.ExitCode, Reason = Reason(step, exit) });
            }

            status = status with { StepsDone = i + 1 };
        }

        return End(directory, status with { State = RunState.Done, Step = null, Pid = null, ExitCode = 0 });
    }

    /// <summary>Whether <paramref name="directory"/> holds a fit's checkpoint (of its only start or of any of its starts).</summary>
    public static bool HasCheckpoint(string? directory)
    {
        if (directory is null || !Directory.Exists(directory))
        {
            return false;
        }

        string name = ModelStore.CheckpointFile;
        string pattern = Path.GetFileNameWithoutExtension(name) + ".start-*" + Path.GetExtension(name);
        return File.Exists(Path.Combine(directory, name)) || Directory.EnumerateFiles(directory, pattern).Any();
    }

    /// <summary>Why a step failed, in one line: its <c>error:</c> line, the signal that stopped it, or its exit code and last words.</summary>
    private static string Reason(StepInvocation step, StepExit exit)
    {
        int code = exit.ExitCode;
        string? error = exit.ErrorTail.LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal));
        string checkpoint = HasCheckpoint(step.CheckpointDirectory) ? "; its checkpoint is kept, and the next sweep run resumes it" : "; the next sweep run runs it again";
        if (code == ExitCodes.BadInput && error is not null)
        {
            return $"{step.Name}: {error}";
        }

        if (code == ExitCodes.Interrupted || code == ExitCodes.Terminated)
        {
            return $"{step.Name} stopped by {(code == ExitCodes.Interrupted ? "SIGINT" : "SIGTERM")} (exit {code}){checkpoint}";
        }

        if (code > 128 && code < 160)
        {
            return $"{step.Name} killed by signal {code - 128} (exit {code}){checkpoint}";
        }

        string? last = exit.ErrorTail.FirstOrDefault(l => l.StartsWith("Unhandled exception", StringComparison.Ordinal))
            ?? error
            ?? exit.ErrorTail.LastOrDefault(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("at ", StringComparison.Ordinal) && !l.StartsWith("===", StringComparison.Ordinal));
        return $"{step.Name} exited with code {code}{(last is null ? "" : ": " + last.Trim())}";
    }

    private static RunStatus End(RunDirectory directory, RunStatus status)
    {
        status = status with { Ended = DateTimeOffset.UtcNow };
        directory.WriteStatus(status);
        return status;
    }
}
