using System.Runtime.InteropServices;

namespace LowRank.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM (what Slurm sends at a time limit, and <c>docker stop</c>) as a request to stop
/// after the current epoch, write the checkpoint and exit with 130 or 143. A second signal stops the process at
/// once, as the shell's default would; one that arrives within <see cref="SameRequestWindow"/> of the first is taken
/// as the same request reaching the process twice (Ctrl+C reaches every process of the terminal's group, and
/// <c>lowrank sweep</c> passes it on to its runs as well).
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    /// <summary>How soon after the first a signal counts as the same request.</summary>
    public static readonly TimeSpan SameRequestWindow = TimeSpan.FromSeconds(1);

    private readonly PosixSignalRegistration[] _registrations;
    private readonly System.Diagnostics.Stopwatch _sinceRequest = new();
    private int _received = -1;

    public StopSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    /// <summary>Cancelled once a stop is requested.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Whether a stop was requested.</summary>
    public bool Requested => _source.IsCancellationRequested;

    /// <summary>The signal that asked to stop (SIGINT when none arrived).</summary>
    public PosixSignal Signal => _received == (int)PosixSignal.SIGTERM ? PosixSignal.SIGTERM : PosixSignal.SIGINT;

    /// <summary>128 + the signal number, as shells report a process stopped by it: 130 (SIGINT) or 143 (SIGTERM).</summary>
    public int ExitCode => Signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted;

    /// <summary>The signal's usual name in messages.</summary>
    public string Name => Signal == PosixSignal.SIGTERM ? "SIGTERM" : "Ctrl+C (SIGINT)";

    /// <summary>Requests a stop as if <paramref name="signal"/> had arrived (a test hook, and the signal handler).</summary>
    public void Request(PosixSignal signal)
    {
        if (Interlocked.CompareExchange(ref _received, (int)signal, -1) == -1)
        {
            _sinceRequest.Start();
        }

        _source.Cancel();
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }

        _source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The first signal asks for a clean stop (and a repeat right after it is the same request); a later one takes
        // the default action (the process ends).
        if (!_source.IsCancellationRequested)
        {
            context.Cancel = true;
            Request(context.Signal);
        }
        else if (_sinceRequest.Elapsed < SameRequestWindow)
        {
            context.Cancel = true;
        }
    }
}
