namespace LowRank.Cli.Sweeps;

/// <summary>
/// Runs a sweep on this machine: <see cref="Jobs"/> runs at a time, each step with cores / jobs threads, in the order
/// of the points. Which run goes first changes nothing in any run's result: a run's numbers come from its options alone.
/// </summary>
internal sealed class LocalExecutor(int jobs, int threads, LowRankProcess lowrank) : ISweepExecutor
{
    public const string ExecutorName = "local";

    public string Name => ExecutorName;

    /// <summary>Runs at a time.</summary>
    public int Jobs { get; } = jobs;

    /// <summary>Threads each run's steps get.</summary>
    public int Threads { get; } = threads;

    public string Describe() => $"{Jobs} at a time with {Threads} thread{(Threads == 1 ? "" : "s")} each";

    /// <summary>This machine runs whatever the planner accepted.</summary>
    public void Check(SweepPlan plan)
    {
    }

    public void Run(SweepPlan plan, IReadOnlyList<RunPlan> runs, ISweepObserver observer, StopSignals stop)
    {
        var driver = new RunDriver(lowrank, Name, Threads);
        int next = -1;
        void Work()
        {
            for (int i = Interlocked.Increment(ref next); i < runs.Count && !stop.Requested; i = Interlocked.Increment(ref next))
            {
                observer.RunEnded(runs[i], driver.Run(plan, runs[i], observer, stop));
            }
        }

        Task[] workers = [.. Enumerable.Range(0, Math.Min(Jobs, Math.Max(runs.Count, 1))).Select(_ => Task.Factory.StartNew(Work, TaskCreationOptions.LongRunning))];

        // Awaited, not waited: a worker's exception (an InputException about a damaged status file) comes out as itself.
        Task.WhenAll(workers).GetAwaiter().GetResult();
    }
}
