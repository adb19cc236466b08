namespace LowRank;

/// <summary>One progress report from long-running library work (training, sweeps, enumeration).</summary>
/// <param name="Stage">What is running, e.g. "fit" or "epoch".</param>
/// <param name="Done">Units of work completed.</param>
/// <param name="Total">Units of work in all.</param>
/// <param name="Message">A short status, e.g. "objective -1.234  lr 1.0e-03".</param>
public readonly record struct ProgressUpdate(string Stage, long Done, long Total, string Message);

/// <summary>
/// Receives progress from the library; the command-line tool shows it as a live bar on a terminal and
/// as plain lines otherwise. The library itself never writes to the console.
/// </summary>
public interface IProgressSink
{
    void Report(in ProgressUpdate update);
}

/// <summary>A sink that ignores every report.</summary>
public sealed class NullProgress : IProgressSink
{
    public static readonly NullProgress Instance = new();

    public void Report(in ProgressUpdate update)
    {
    }
}
