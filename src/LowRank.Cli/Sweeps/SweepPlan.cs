using LowRank.Sweeps;

namespace LowRank.Cli.Sweeps;

/// <summary>
/// One step of a run as it executes: the arguments after <c>lowrank</c> (its command, the spec's options with the
/// placeholders filled in, and <c>--json STEP.json</c> when the command reports figures). The executor adds
/// <c>--threads</c> (when <see cref="TakesThreads"/>) and <c>--resume</c> (when the checkpoint directory holds a checkpoint).
/// </summary>
/// <param name="Name">The step's name (its figures file and logs are named after it).</param>
/// <param name="Arguments">The arguments, without <c>--threads</c> and <c>--resume</c>.</param>
/// <param name="TakesThreads">Whether the command has <c>--threads</c>.</param>
/// <param name="CheckpointDirectory">For a command that resumes (<c>fit</c>): its output directory (absolute), where an interrupted run leaves its checkpoint.</param>
internal sealed record StepInvocation(string Name, IReadOnlyList<string> Arguments, bool TakesThreads, string? CheckpointDirectory);

/// <summary>One run of a sweep: its point, its directory and its steps.</summary>
internal sealed record RunPlan(SweepPoint Point, RunDirectory Directory, IReadOnlyList<StepInvocation> Steps);

/// <summary>
/// A checked sweep ready to run: the sweep directory, the folder its commands run in (the spec's, so relative paths
/// in the spec are relative to the spec file), and every run.
/// </summary>
internal sealed record SweepPlan(string Directory, string WorkingDirectory, SweepSpec Spec, IReadOnlyList<RunPlan> Runs);
