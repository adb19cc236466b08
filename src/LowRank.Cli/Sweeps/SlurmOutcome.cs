using System.Globalization;
using System.Text.RegularExpressions;
using LowRank.Sweeps;

namespace LowRank.Cli.Sweeps;

/// <summary>
/// How a Slurm array task ended, as Slurm tells it: its state (<c>COMPLETED</c>, <c>FAILED</c>, <c>CANCELLED</c>,
/// <c>TIMEOUT</c>, <c>OUT_OF_MEMORY</c>, <c>NODE_FAIL</c>, <c>PREEMPTED</c>, …; <c>UNKNOWN</c> when Slurm no longer
/// knows), its exit code and the signal that ended it.
/// </summary>
internal sealed partial record SlurmTaskEnd(string State, int ExitCode, int Signal)
{
    public static SlurmTaskEnd Unknown { get; } = new("UNKNOWN", 0, 0);

    /// <summary>Whether the task's script ended by itself (so its run recorded how), rather than being stopped by Slurm.</summary>
    public bool EndedByItself => State is "COMPLETED" or "FAILED";

    /// <summary>The state with its exit code or signal, e.g. <c>FAILED (exit 2)</c>, <c>CANCELLED</c>.</summary>
    public string Describe() =>
        ExitCode != 0 ? string.Create(CultureInfo.InvariantCulture, $"{State} (exit {ExitCode})")
        : Signal != 0 && State != "CANCELLED" ? string.Create(CultureInfo.InvariantCulture, $"{State} (signal {Signal})")
        : State;

    /// <summary>From <c>scontrol -o show job</c>'s one line (<c>… JobState=CANCELLED Reason=None … ExitCode=0:15 …</c>); null where it has no state.</summary>
    public static SlurmTaskEnd? FromScontrol(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        Match state = ScontrolState().Match(line);
        if (!state.Success)
        {
            return null;
        }

        Match exit = ScontrolExit().Match(line);
        return exit.Success ? FromExit(state.Groups[1].Value, exit.Groups[1].Value) : new SlurmTaskEnd(state.Groups[1].Value, 0, 0);
    }

    /// <summary>From <c>sacct -n -P -X -o State,ExitCode</c>'s line (<c>CANCELLED by 0|0:15</c>); null where it is empty.</summary>
    public static SlurmTaskEnd? FromSacct(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string[] fields = line.Trim().Split('|');
        string state = fields[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        if (state.Length == 0)
        {
            return null;
        }

        return fields.Length > 1 ? FromExit(state, fields[1]) : new SlurmTaskEnd(state, 0, 0);
    }

    private static SlurmTaskEnd FromExit(string state, string exit)
    {
        string[] parts = exit.Split(':');
        int code = int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int c) ? c : 0;
        int signal = parts.Length > 1 && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : 0;
        return new SlurmTaskEnd(state, code, signal);
    }

    [GeneratedRegex(@"(?:^|\s)JobState=(\S+)")]
    private static partial Regex ScontrolState();

    [GeneratedRegex(@"(?:^|\s)ExitCode=(\d+:\d+)")]
    private static partial Regex ScontrolExit();
}

/// <summary>
/// A run's status once its Slurm array task has ended: what the task's run recorded (the same as the local executor's),
/// with Slurm's state where Slurm ended it (cancelled, timed out, out of memory, a node failure), or the whole story
/// where the run could not record it (killed outright, or never started).
/// </summary>
internal static class SlurmOutcome
{
    /// <param name="status">The run's status as its directory holds it now.</param>
    /// <param name="task">The array task (<c>JOB_INDEX</c>) that ran it.</param>
    /// <param name="end">How Slurm says the task ended.</param>
    /// <param name="cancelledBySweep">Whether the sweep run itself cancelled the job (it was stopped).</param>
    /// <param name="hasCheckpoint">Whether the step under way left a checkpoint to resume from.</param>
    /// <param name="log">The task's Slurm log file, and its last line (or null).</param>
    /// <param name="now">When the task was seen to end.</param>
    public static RunStatus Settle(RunStatus status, string task, SlurmTaskEnd end, bool cancelledBySweep, bool hasCheckpoint, (string Path, string? LastLine) log, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(end);
        bool started = status.Job == task && status.Started is not null;
        if (!started)
        {
            // Cancelled in the queue when the sweep run was stopped: not run, as the local executor leaves the runs it did not start.
            if (cancelledBySweep && end.State == "CANCELLED")
            {
                return status with { State = RunState.Pending, Job = task, Reason = $"not started: the sweep run was stopped and cancelled Slurm task {task}; the next sweep run submits it again" };
            }

            string words = log.LastLine is { Length: > 0 } last ? $": {last}" : "";
            return status with
            {
                State = RunState.Failed,
                Job = task,
                ExitCode = end.ExitCode != 0 ? end.ExitCode : null,
                Ended = now,
                Reason = $"Slurm task {task} {end.Describe()} before its run started{words} (log: {log.Path}); the next sweep run submits it again",
            };
        }

        if (status.State == RunState.Running)
        {
            // Killed before it could write its end (SIGKILL after the grace time, out of memory, a node lost).
            string next = hasCheckpoint ? "its checkpoint is kept, and the next sweep run resumes it" : "the next sweep run runs it again";
            return status with
            {
                State = RunState.Failed,
                Pid = null,
                ExitCode = end.ExitCode != 0 ? end.ExitCode : null,
                Ended = now,
                Reason = $"Slurm task {task} {end.Describe()} in step {status.Step} before its run could record how it ended; {next}",
            };
        }

        // The run recorded its end. Where Slurm stopped it (and not at the sweep's own request), say so.
        if (status.State == RunState.Done || end.EndedByItself || cancelledBySweep)
        {
            return status;
        }

        return status with { State = RunState.Failed, Reason = $"Slurm task {task} {end.State}: {status.Reason ?? "its run stopped"}" };
    }
}
