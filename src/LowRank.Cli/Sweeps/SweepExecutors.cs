namespace LowRank.Cli.Sweeps;

/// <summary>The executors <c>--executor</c> names.</summary>
internal static class SweepExecutors
{
    public const string Local = LocalExecutor.ExecutorName;

    public const string Slurm = "slurm";

    public static IReadOnlyList<string> Names { get; } = [Local, Slurm];

    /// <summary>
    /// Throws unless <paramref name="name"/> can run here: <c>local</c> always can; <c>slurm</c> needs <c>sbatch</c> on
    /// <paramref name="searchPath"/> (the PATH variable), and is not implemented yet either way.
    /// </summary>
    public static void CheckAvailable(string name, string? searchPath)
    {
        if (name != Slurm)
        {
            return;
        }

        string? sbatch = FindOnPath("sbatch", searchPath);
        if (sbatch is null)
        {
            throw new InputException(
                "--executor slurm submits the runs with sbatch, but sbatch was not found on PATH.",
                "run the sweep on a Slurm login node (or load its module, e.g. 'module load slurm'), or pass --executor local to run it on this machine.");
        }

        throw new InputException(
            $"--executor slurm is not implemented yet (sbatch is at '{sbatch}').",
            "pass --executor local to run the sweep on this machine; its run directories and results are the ones the Slurm executor will make.");
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
