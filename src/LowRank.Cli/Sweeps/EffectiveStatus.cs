using LowRank.Sweeps;

namespace LowRank.Cli.Sweeps;

/// <summary>
/// A run's state as <c>sweep status</c>, <c>sweep collect</c> and <c>report</c> show it: what its status.json says, unless
/// the process that recorded it is gone.
/// </summary>
internal static class EffectiveStatus
{
    /// <summary>
    /// A run recorded as running while no process runs the sweep was cut off (its process was killed): it is failed,
    /// and the next sweep run continues it. A cluster task may still be running it: that is said.
    /// </summary>
    public static RunStatus Of(RunStatus status, bool live) =>
        status.State != RunState.Running || live ? status
        : status.Job is { } job ? status with { Reason = $"in Slurm task {job}, which no sweep run follows now ('squeue -j {job.Split('_')[0]}' shows whether it still runs); once it has ended, the next sweep run continues what is not done" }
        : status with { State = RunState.Failed, Reason = $"cut off in step {status.Step}: the sweep run that ran it ended without recording how (killed?); the next sweep run continues it" };

    /// <summary><see cref="Of(RunStatus, bool)"/> for the runs of the sweep in <paramref name="directory"/>, live when a sweep run holds its lock now.</summary>
    public static Func<RunStatus, RunStatus> For(string directory)
    {
        bool live = SweepLock.IsHeld(directory);
        return status => Of(status, live);
    }
}
