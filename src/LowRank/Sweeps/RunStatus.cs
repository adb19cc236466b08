namespace LowRank.Sweeps;

/// <summary>Where a run of a sweep stands.</summary>
public enum RunState
{
    /// <summary>Not started, or stopped between steps (the next run of the sweep continues it).</summary>
    Pending,

    /// <summary>A step is under way.</summary>
    Running,

    /// <summary>Every step ended with exit code 0.</summary>
    Done,

    /// <summary>A step ended otherwise (an error, a signal, a crash); <see cref="RunStatus.Reason"/> says which.</summary>
    Failed,
}

/// <summary>A run's <c>status.json</c>: its state, why, and what ran when.</summary>
public sealed record RunStatus
{
    public RunState State { get; init; }

    /// <summary>Why the run failed or stopped, in words (the step's <c>error:</c> line, its exit code or signal).</summary>
    public string? Reason { get; init; }

    /// <summary>The exit code of the step that ended the last attempt.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The step under way, or the one that failed.</summary>
    public string? Step { get; init; }

    /// <summary>Steps that completed (the main step first); a later attempt starts after them.</summary>
    public int StepsDone { get; init; }

    /// <summary>Attempts made, this one included.</summary>
    public int Attempts { get; init; }

    /// <summary>Whether the last attempt resumed the main step from its checkpoint.</summary>
    public bool Resumed { get; init; }

    /// <summary>When the last attempt started.</summary>
    public DateTimeOffset? Started { get; init; }

    /// <summary>When the last attempt ended.</summary>
    public DateTimeOffset? Ended { get; init; }

    /// <summary>Who ran it: the executor (<c>local</c>, <c>slurm</c>).</summary>
    public string? Executor { get; init; }

    /// <summary>The scheduler's job of the last attempt, for a cluster executor (Slurm: <c>ARRAYJOB_TASK</c>, e.g. <c>4711_3</c>).</summary>
    public string? Job { get; init; }

    /// <summary>The machine the step under way runs on.</summary>
    public string? Host { get; init; }

    /// <summary>The process id of the step under way.</summary>
    public int? Pid { get; init; }

    /// <summary>A run nothing has touched yet.</summary>
    public static RunStatus Pending { get; } = new() { State = RunState.Pending };
}
