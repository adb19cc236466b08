using System.Diagnostics;
using LowRank.Cli.Sweeps;

namespace LowRank.Tests.Cli.Sweeps;

/// <summary>
/// The Slurm cluster this machine's commands reach, if one answers with a node that takes jobs; else why not
/// (<see cref="SkipReason"/>). <c>scripts/slurm-local.sh</c> starts a one-node cluster (as root on Debian); <c>.ci/run</c> does.
/// </summary>
internal static class SlurmCluster
{
    private static readonly Lazy<string?> Probe = new(FindSkipReason);

    /// <summary>Null where a cluster answers; else why the Slurm tests cannot run here.</summary>
    public static string? SkipReason => Probe.Value;

    /// <summary>Runs a Slurm command (<c>scancel</c>, <c>squeue</c>) and returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string name, params string[] arguments)
    {
        SlurmReply reply = SlurmClient.Find(Environment.GetEnvironmentVariable("PATH")).Run(name, arguments)
            ?? throw new InvalidOperationException($"{name} is not on PATH.");
        return (reply.ExitCode, reply.Output + reply.Error);
    }

    private static string? FindSkipReason()
    {
        const string Start = "as root on Debian, scripts/slurm-local.sh starts a one-node cluster (.ci/run does so before the tests)";
        string? path = Environment.GetEnvironmentVariable("PATH");
        string? sinfo = SweepExecutors.FindOnPath("sinfo", path);
        if (sinfo is null)
        {
            return $"Slurm is not installed here (no sinfo on PATH): {Start}.";
        }

        if (SlurmClient.Find(path).Missing is { Count: > 0 } missing)
        {
            return $"Slurm's commands {string.Join(", ", missing)} are not on PATH: {Start}.";
        }

        var start = new ProcessStartInfo(sinfo, ["-h", "-o", "%T"]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(), error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill();
            return $"no Slurm controller answers (sinfo did not return within 20 s): {Start}.";
        }

        if (process.ExitCode != 0)
        {
            return $"no Slurm controller answers (sinfo: {error.Result.Trim()}): {Start}.";
        }

        string[] states = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return states.Any(s => s is "idle" or "mixed")
            ? null
            : $"no Slurm node is idle or mixed (sinfo: {(states.Length == 0 ? "no nodes" : string.Join(", ", states))}): {Start}.";
    }
}

/// <summary>A fact that needs a Slurm cluster; skipped, with the reason, where none answers (<see cref="SlurmCluster"/>).</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (SlurmCluster.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
