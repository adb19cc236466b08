using System.Diagnostics;

namespace LowRank.Cli;

/// <summary>
/// Shows library progress: on a terminal one line redrawn in place (bar, counts, ETA); otherwise
/// plain lines, at most one every two seconds plus the final one, so logs stay readable.
/// </summary>
internal sealed class ConsoleProgress(TextWriter writer, bool isTerminal) : IProgressSink
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastPrinted = TimeSpan.FromDays(-1); // MinValue overflows in "now - _lastPrinted"

    public void Report(in ProgressUpdate update)
    {
        TimeSpan now = _clock.Elapsed;
        bool final = update.Done >= update.Total;
        if (!final && now - _lastPrinted < (isTerminal ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(2)))
        {
            return;
        }

        _lastPrinted = now;
        double fraction = update.Total > 0 ? Math.Clamp((double)update.Done / update.Total, 0, 1) : 0;
        string eta = fraction > 0 && !final ? FormatSpan(now * ((1 - fraction) / fraction)) : "--:--";
        string counts = $"{update.Stage} {update.Done}/{update.Total}";
        if (isTerminal)
        {
            const int width = 30;
            int filled = (int)Math.Round(fraction * width);
            string bar = new string('#', filled) + new string('-', width - filled);
            writer.Write($"\r[{bar}] {counts}  {update.Message}  eta {eta}   ");
            if (final)
            {
                writer.WriteLine();
            }
        }
        else
        {
            writer.WriteLine($"{counts} ({fraction:P0})  {update.Message}  elapsed {FormatSpan(now)}  eta {eta}");
        }

        writer.Flush();
    }

    private static string FormatSpan(TimeSpan span) =>
        span.TotalHours >= 1 ? span.ToString(@"h\:mm\:ss") : span.ToString(@"mm\:ss");
}
