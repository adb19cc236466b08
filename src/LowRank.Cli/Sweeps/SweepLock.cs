using LowRank.Sweeps;

namespace LowRank.Cli.Sweeps;

/// <summary>
/// The lock a process running a sweep holds on <c>DIR/.lock</c> (an exclusive file lock, released by the system
/// when the process ends however it ends): two runs of one sweep never execute at once, and a run recorded as
/// running while nobody holds the lock was cut off (its process was killed).
/// </summary>
internal sealed class SweepLock : IDisposable
{
    private readonly FileStream _file;

    private SweepLock(FileStream file) => _file = file;

    /// <summary>Takes the lock of the sweep in <paramref name="directory"/>, or refuses when another process holds it.</summary>
    public static SweepLock Acquire(string directory)
    {
        Directory.CreateDirectory(directory);
        try
        {
            return new SweepLock(new FileStream(Path.Combine(directory, SweepDirectory.LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException ex)
        {
            throw Busy(directory, ex);
        }
    }

    /// <summary>Refuses, before anything is written, when another process runs the sweep in <paramref name="directory"/> now.</summary>
    public static void CheckFree(string directory)
    {
        if (IsHeld(directory))
        {
            throw Busy(directory, null);
        }
    }

    private static InputException Busy(string directory, Exception? inner)
    {
        string message = $"another process is running the sweep in '{directory}' now.";
        string hint = "wait for it to end ('lowrank sweep status' shows its runs), or stop it with Ctrl+C; its runs continue on the next sweep run.";
        return inner is null ? new InputException(message, hint) : new InputException(message, hint, inner);
    }

    /// <summary>Whether a process holds the lock of the sweep in <paramref name="directory"/> now.</summary>
    public static bool IsHeld(string directory)
    {
        string path = Path.Combine(directory, SweepDirectory.LockFile);
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose() => _file.Dispose();
}
