using System.Runtime.InteropServices;

namespace LowRank.Cli.Sweeps;

/// <summary>Sends a POSIX signal to a process (how a sweep passes Ctrl+C or SIGTERM on to the runs under way).</summary>
internal static partial class ProcessSignals
{
    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; false where it could not (the process is gone, or not on Unix).</summary>
    public static bool Send(int pid, PosixSignal signal)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        int number = signal switch
        {
            PosixSignal.SIGINT => 2,
            PosixSignal.SIGTERM => 15,
            _ => throw new ArgumentException($"only SIGINT and SIGTERM are passed on, not {signal}.", nameof(signal)),
        };
        return Kill(pid, number) == 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
