namespace LowRank.Cli.Sweeps;

/// <summary>Hears of runs as they start and end (the progress display).</summary>
internal interface ISweepObserver
{
    /// <summary><paramref name="run"/> started its step <paramref name="step"/>.</summary>
    void StepStarted(RunPlan run, string step);

    /// <summary><paramref name="run"/> ended its attempt: done, failed, or stopped (pending).</summary>
    void RunEnded(RunPlan run, LowRank.Sweeps.RunStatus status);

    /// <summary>A line about the sweep as a whole (a cluster job submitted, cancelled).</summary>
    void Note(string line);
}

/// <summary>
/// Where and how the runs of a sweep execute. Every executor runs each run's steps as <c>lowrank</c> processes with the
/// same command lines and records them in the same run directories (<see cref="RunDriver"/> on this machine; a
/// cluster executor submits jobs whose tasks do the same), so the results do not depend on the executor.
/// </summary>
internal interface ISweepExecutor
{
    /// <summary>The name <c>--executor</c> takes, written into each run's status.</summary>
    string Name { get; }

    /// <summary>How the runs execute, for the line a sweep run opens with (e.g. <c>2 at a time with 1 thread each</c>).</summary>
    string Describe();

    /// <summary>
    /// Throws an <see cref="InputException"/> unless the runs of <paramref name="plan"/> can be handed over as they are
    /// (a cluster's answer to the job's options); called before anything is written.
    /// </summary>
    void Check(SweepPlan plan);

    /// <summary>
    /// Runs <paramref name="runs"/> (those of <paramref name="plan"/> not done) until each has ended, or until
    /// <paramref name="stop"/> is requested: then the runs under way are stopped the same way (a fit writes its
    /// checkpoint) and no other starts. Each run's directory records its outcome.
    /// </summary>
    void Run(SweepPlan plan, IReadOnlyList<RunPlan> runs, ISweepObserver observer, StopSignals stop);
}
