using System.Globalization;
using LowRank.Sweeps;

namespace LowRank.Cli.Sweeps;

/// <summary>
/// The display of a sweep under way, on stderr: one line per run that ends (done, failed with its reason, stopped)
/// and the progress of the runs (<see cref="ConsoleProgress"/>: a redrawn bar on a terminal, plain lines otherwise),
/// naming the runs under way and their steps.
/// </summary>
internal sealed class SweepProgress : ISweepObserver, IDisposable
{
    /// <summary>Runs under way named in the progress line at most (so that it fits a terminal line).</summary>
    private const int MaxNamed = 3;

    private readonly CliContext _context;
    private readonly IProgressSink _bar;
    private readonly Dictionary<string, string> _running = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly Timer? _ticker;
    private readonly int _total;
    private int _ended;
    private int _failed;

    /// <param name="context">Where to write.</param>
    /// <param name="total">Runs this sweep run executes (those not done before).</param>
    public SweepProgress(CliContext context, int total)
    {
        _context = context;
        _bar = context.CreateProgress();
        _total = total;

        // On a terminal the bar's clock and ETA move between events too.
        _ticker = context.IsTerminal ? new Timer(_ => Report(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) : null;
    }

    public void StepStarted(RunPlan run, string step)
    {
        lock (_gate)
        {
            _running[run.Point.Name] = step;
            ReportLocked();
        }
    }

    public void RunEnded(RunPlan run, RunStatus status)
    {
        lock (_gate)
        {
            _running.Remove(run.Point.Name);
            string seconds = status.Started is { } s && status.Ended is { } e ? string.Create(CultureInfo.InvariantCulture, $" in {(e - s).TotalSeconds:0.0} s") : "";
            string line = status.State switch
            {
                RunState.Done => $"done    {run.Point.Name}{seconds}{(status.Resumed ? " (resumed from its checkpoint)" : "")}",
                RunState.Failed => $"failed  {run.Point.Name}: {status.Reason}",
                _ => $"stopped {run.Point.Name}: {status.Reason}",
            };
            if (status.State != RunState.Pending)
            {
                _ended++;
            }

            if (status.State == RunState.Failed)
            {
                _failed++;
            }

            if (_context.IsTerminal)
            {
                _context.Error.Write("\r\u001b[K");
            }

            _context.Error.WriteLine(line);
            ReportLocked();
        }
    }

    public void Note(string line)
    {
        lock (_gate)
        {
            if (_context.IsTerminal)
            {
                _context.Error.Write("\r\u001b[K");
            }

            _context.Error.WriteLine(line);
            ReportLocked();
        }
    }

    public void Dispose() => _ticker?.Dispose();

    private void Report()
    {
        lock (_gate)
        {
            if (_ended < _total)
            {
                ReportLocked();
            }
        }
    }

    private void ReportLocked()
    {
        string more = _running.Count > MaxNamed ? $" and {_running.Count - MaxNamed} more" : "";
        string running = _running.Count == 0 ? "" : $"running {string.Join(", ", _running.Take(MaxNamed).Select(r => $"{r.Key} ({r.Value})"))}{more}";
        string failed = _failed == 0 ? "" : $"{_failed} failed";
        string message = string.Join("; ", new[] { running, failed }.Where(s => s.Length > 0));
        _bar.Report(new ProgressUpdate("runs", _ended, _total, message));
    }
}
