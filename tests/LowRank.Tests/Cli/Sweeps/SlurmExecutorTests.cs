using LowRank.Cli.Sweeps;
using LowRank.Sweeps;

namespace LowRank.Tests.Cli.Sweeps;

/// <summary>The Slurm executor's parts that need no cluster: the array, the outcome of a task, the batch script.</summary>
public sealed class SlurmExecutorTests
{
    [Theory]
    [InlineData(new[] { 0 }, null, "0")]
    [InlineData(new[] { 0, 1, 2 }, null, "0-2")]
    [InlineData(new[] { 0, 1, 2, 5, 7, 8, 9 }, 2, "0-2,5,7-9%2")]
    [InlineData(new[] { 3, 5 }, 1, "3,5%1")]
    public void TheArrayListsRangesOfTasksThenTheThrottle(int[] indices, int? throttle, string spec) =>
        Assert.Equal(spec, new SlurmOptions { Throttle = throttle }.ArraySpec(indices));

    [Fact]
    public void TheArrayNeedsAscendingTasks()
    {
        Assert.Throws<ArgumentException>(() => new SlurmOptions().ArraySpec([]));
        Assert.Throws<ArgumentException>(() => new SlurmOptions().ArraySpec([2, 1]));
        Assert.Throws<ArgumentException>(() => new SlurmOptions().ArraySpec([1, 1]));
    }

    [Fact]
    public void TheResourcesGoToSbatchInOrderTheExtraArgumentsLast()
    {
        var options = new SlurmOptions { Partition = "short", Account = "lab", TimeLimit = "2:00:00", Memory = "4G", CpusPerTask = 8, ExtraArguments = ["--qos=long", "--cpus-per-task=4"] };
        Assert.Equal(["--cpus-per-task=8", "--partition=short", "--account=lab", "--time=2:00:00", "--mem=4G", "--qos=long", "--cpus-per-task=4"], options.ResourceArguments());
        Assert.Equal(["--cpus-per-task=1"], new SlurmOptions().ResourceArguments());
    }

    [Theory]
    [InlineData("JobId=7 ArrayJobId=5 ArrayTaskId=2 JobState=COMPLETED Reason=None Dependency=(null) ExitCode=0:0 DerivedExitCode=0:0", "COMPLETED", 0, 0, "COMPLETED")]
    [InlineData("JobId=8 ArrayJobId=5 ArrayTaskId=5 JobState=CANCELLED Reason=None ExitCode=0:15", "CANCELLED", 0, 15, "CANCELLED")]
    [InlineData("JobId=9 JobState=FAILED Reason=NonZeroExitCode ExitCode=127:0", "FAILED", 127, 0, "FAILED (exit 127)")]
    [InlineData("JobId=9 JobState=TIMEOUT Reason=TimeLimit ExitCode=0:9", "TIMEOUT", 0, 9, "TIMEOUT (signal 9)")]
    public void ScontrolsLineGivesTheStateAndExit(string line, string state, int exit, int signal, string described)
    {
        SlurmTaskEnd end = SlurmTaskEnd.FromScontrol(line)!;
        Assert.Equal((state, exit, signal), (end.State, end.ExitCode, end.Signal));
        Assert.Equal(described, end.Describe());
        Assert.Null(SlurmTaskEnd.FromScontrol("slurm_load_jobs error: Invalid job id specified"));
    }

    [Fact]
    public void SacctsLineGivesTheStateAndExit()
    {
        Assert.Equal(new SlurmTaskEnd("CANCELLED", 0, 15), SlurmTaskEnd.FromSacct("CANCELLED by 1000|0:15"));
        Assert.Equal(new SlurmTaskEnd("OUT_OF_MEMORY", 0, 125), SlurmTaskEnd.FromSacct("OUT_OF_MEMORY|0:125"));
        Assert.Null(SlurmTaskEnd.FromSacct(" "));
    }

    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static readonly (string, string?) Log = ("/sweep/slurm/job-5_1.log", "slurmstepd: error: *** JOB 7 ON node1 CANCELLED ***");

    private static RunStatus Started(RunState state, string? reason = null) => new()
    {
        State = state, Reason = reason, Step = "fit", Attempts = 1, Started = Now.AddMinutes(-1), Executor = "slurm", Job = "5_1", Host = "node1", Pid = state == RunState.Running ? 4242 : null,
    };

    [Fact]
    public void WhatTheRunRecordedStandsWhereItsTaskEndedByItself()
    {
        RunStatus done = Started(RunState.Done) with { Step = null, StepsDone = 2 };
        Assert.Same(done, SlurmOutcome.Settle(done, "5_1", new SlurmTaskEnd("COMPLETED", 0, 0), false, false, Log, Now));
        RunStatus failed = Started(RunState.Failed, "fit: error: file 'x.npy' does not exist.");
        Assert.Same(failed, SlurmOutcome.Settle(failed, "5_1", new SlurmTaskEnd("FAILED", 3, 0), false, false, Log, Now));

        // A task that ended as the run was done is done, whatever came after.
        Assert.Same(done, SlurmOutcome.Settle(done, "5_1", new SlurmTaskEnd("CANCELLED", 0, 15), false, false, Log, Now));
    }

    [Theory]
    [InlineData("CANCELLED")]
    [InlineData("TIMEOUT")]
    [InlineData("PREEMPTED")]
    public void ARunSlurmStoppedIsFailedWithSlurmsState(string state)
    {
        RunStatus stopped = Started(RunState.Failed, "fit stopped by SIGTERM (exit 143); its checkpoint is kept, and the next sweep run resumes it") with { ExitCode = 143 };
        RunStatus settled = SlurmOutcome.Settle(stopped, "5_1", new SlurmTaskEnd(state, 143, 0), false, true, Log, Now);
        Assert.Equal(RunState.Failed, settled.State);
        Assert.Equal($"Slurm task 5_1 {state}: fit stopped by SIGTERM (exit 143); its checkpoint is kept, and the next sweep run resumes it", settled.Reason);
        Assert.Equal(143, settled.ExitCode);

        // Stopped between steps: it was pending; Slurm's stop makes it failed.
        RunStatus between = Started(RunState.Pending, "stopped by SIGTERM before step evaluate; the next sweep run continues here");
        Assert.Equal((RunState.Failed, $"Slurm task 5_1 {state}: stopped by SIGTERM before step evaluate; the next sweep run continues here"), (SlurmOutcome.Settle(between, "5_1", new SlurmTaskEnd(state, 0, 15), false, false, Log, Now) is var b ? (b.State, b.Reason) : default));
    }

    [Fact]
    public void WhenTheSweepRunCancelledTheJobTheRunsRecordStands()
    {
        RunStatus stopped = Started(RunState.Failed, "fit stopped by SIGTERM (exit 143); its checkpoint is kept, and the next sweep run resumes it");
        Assert.Same(stopped, SlurmOutcome.Settle(stopped, "5_1", new SlurmTaskEnd("CANCELLED", 143, 0), true, true, Log, Now));

        // A task the cancel took from the queue was not run: pending, as the local executor leaves the runs it did not start.
        RunStatus queued = RunStatus.Pending with { Job = "5_1", Executor = "slurm", Reason = "queued as Slurm task 5_1" };
        RunStatus settled = SlurmOutcome.Settle(queued, "5_1", new SlurmTaskEnd("CANCELLED", 0, 0), true, false, Log, Now);
        Assert.Equal((RunState.Pending, "not started: the sweep run was stopped and cancelled Slurm task 5_1; the next sweep run submits it again"), (settled.State, settled.Reason));
    }

    [Fact]
    public void ATaskKilledBeforeItsRunRecordedItsEndIsFailedNamingTheStepAndTheCheckpoint()
    {
        RunStatus running = Started(RunState.Running);
        RunStatus killed = SlurmOutcome.Settle(running, "5_1", new SlurmTaskEnd("OUT_OF_MEMORY", 0, 9), false, true, Log, Now);
        Assert.Equal(RunState.Failed, killed.State);
        Assert.Equal("Slurm task 5_1 OUT_OF_MEMORY (signal 9) in step fit before its run could record how it ended; its checkpoint is kept, and the next sweep run resumes it", killed.Reason);
        Assert.Equal((null, Now), (killed.Pid, killed.Ended));

        RunStatus lost = SlurmOutcome.Settle(running, "5_1", new SlurmTaskEnd("NODE_FAIL", 0, 0), false, false, Log, Now);
        Assert.EndsWith("in step fit before its run could record how it ended; the next sweep run runs it again", lost.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ATaskThatNeverStartedItsRunIsFailedWithItsLog()
    {
        // The status is the one the submission wrote (no start time), or an earlier attempt's (another task).
        RunStatus queued = RunStatus.Pending with { Job = "5_1", Executor = "slurm", StepsDone = 1, Reason = "queued as Slurm task 5_1" };
        RunStatus settled = SlurmOutcome.Settle(queued, "5_1", new SlurmTaskEnd("FAILED", 127, 0), false, false, ("/sweep/slurm/job-5_1.log", "/bin/bash: line 12: dotnet: command not found"), Now);
        Assert.Equal(RunState.Failed, settled.State);
        Assert.Equal("Slurm task 5_1 FAILED (exit 127) before its run started: /bin/bash: line 12: dotnet: command not found (log: /sweep/slurm/job-5_1.log); the next sweep run submits it again", settled.Reason);
        Assert.Equal((127, 1), (settled.ExitCode, settled.StepsDone));

        RunStatus earlier = Started(RunState.Failed, "an earlier attempt's reason") with { Job = "4_1" };
        RunStatus cancelled = SlurmOutcome.Settle(earlier, "5_1", new SlurmTaskEnd("CANCELLED", 0, 0), false, false, ("/sweep/slurm/job-5_1.log", null), Now);
        Assert.Equal(("5_1", "Slurm task 5_1 CANCELLED before its run started (log: /sweep/slurm/job-5_1.log); the next sweep run submits it again"), (cancelled.Job, cancelled.Reason));
    }
}
