namespace LowRank.Cli.Sweeps;

/// <summary>The executors <c>--executor</c> names.</summary>
internal static class SweepExecutors
{
    public const string Local = LocalExecutor.ExecutorName;

    public const string Slurm = SlurmExecutor.ExecutorName;

    public static IReadOnlyList<string> Names { get; } = [Local, Slurm];

    /// <summary>
    /// Throws unless <paramref name="name"/> can run here: <c>local</c> always can; <c>slurm</c> needs Slurm's commands
    /// (<c>sbatch</c>, <c>squeue</c>, <c>scontrol</c>, <c>scancel</c>) on <paramref name="searchPath"/> (the PATH variable).
    /// </summary>
    public static void CheckAvailable(string name, string? searchPath)
    {
        if (name != Slurm)
        {
            return;
        }

        SlurmClient slurm = SlurmClient.Find(searchPath);
        if (slurm.PathOf("sbatch") is null)
        {
            throw new InputException(
                "--executor slurm submits the runs with sbatch, but sbatch was not found on PATH.",
                "run the sweep on a Slurm login node (or load its module, e.g. 'module load slurm'; scripts/slurm-local.sh starts a one-node cluster on a Debian machine), or pass --executor local to run it on this machine.");
        }

        if (slurm.Missing.Count > 0)
        {
            throw new InputException(
                $"--executor slurm follows its job with {string.Join(", ", SlurmClient.Required.Skip(1))}, but {string.Join(" and ", slurm.Missing)} {(slurm.Missing.Count == 1 ? "was" : "were")} not found on PATH (sbatch is at '{slurm.PathOf("sbatch")}').",
                "put Slurm's client commands on PATH (they come together, e.g. Debian's slurm-client), or pass --executor local to run the sweep on this machine.");
        }
    }

    /// <summary>The first executable file named <paramref name="name"/> in the folders of <paramref name="searchPath"/>, or null.</summary>
    public static string? FindOnPath(string name, string? searchPath)
    {
        foreach (string folder in (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return candidate;
            }
        }

        return null;
    }
}
