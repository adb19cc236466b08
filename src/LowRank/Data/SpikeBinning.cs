using System.Globalization;
using System.Text.Json.Serialization;
using static LowRank.InputException;

namespace LowRank.Data;

/// <summary>
/// How spike times (an NWB units table, an npz of spike times: <see cref="SpikeTrains"/>) become counts: bins of
/// <see cref="BinWidth"/> seconds over one window <c>[Start, Stop)</c>, or over each trial of the file's trials table.
/// </summary>
/// <remarks>
/// Bin k of a window starting at t0 is <c>[t0 + k·w, t0 + (k+1)·w)</c>: a spike on an edge opens the bin that starts
/// there. The comparison is exact on the decimal values the numbers print as (<see cref="SpikeCounter"/>), so a spike
/// at 0.3 s is on the edge 3·0.1 although 0.3 / 0.1 is 2.9999999999999996 in floating point. A window holds
/// <c>⌊(Stop − Start)/w⌋</c> whole bins; a remainder shorter than one bin at its end is not counted.
/// </remarks>
public sealed record SpikeBinning
{
    /// <summary>Seconds per bin, w (positive).</summary>
    public required double BinWidth { get; init; }

    /// <summary>Where the window starts, seconds; null: the earliest spike, rounded down to a whole multiple of <see cref="BinWidth"/>.</summary>
    public double? Start { get; init; }

    /// <summary>Where the window ends (not included), seconds; null: just after the latest spike, whose bin is the last.</summary>
    public double? Stop { get; init; }

    /// <summary>
    /// Bin each trial <c>[start_time, stop_time)</c> of the file's trials table separately, giving equal-length trials
    /// <c>[trials, T, X]</c>: every trial is cut to the whole bins of the shortest. Excludes <see cref="Start"/> and <see cref="Stop"/>.
    /// </summary>
    public bool AlignTrials { get; init; }

    /// <summary>Whether a window end is given (the window is the user's, not the spikes').</summary>
    [JsonIgnore]
    public bool HasWindow => Start is not null || Stop is not null;

    /// <summary>Throws <see cref="InputException"/> unless the bin width is positive and finite and the window is one.</summary>
    public void Validate()
    {
        Require(BinWidth > 0 && double.IsFinite(BinWidth), nameof(BinWidth), Format(BinWidth), "a positive number of seconds");
        Require(Start is not { } start || double.IsFinite(start), nameof(Start), Format(Start ?? 0), "a finite time in seconds");
        Require(Stop is not { } stop || double.IsFinite(stop), nameof(Stop), Format(Stop ?? 0), "a finite time in seconds");
        if (Start is { } s && Stop is { } e && !(e > s))
        {
            throw new InputException(
                $"the window [{Ref("Start")} {Format(s)} s, {Ref("Stop")} {Format(e)} s) is empty: it must end after it starts.",
                $"pass a {Ref("Stop")} later than {Ref("Start")}.") { Setting = "Stop" };
        }

        if (AlignTrials && HasWindow)
        {
            throw new InputException(
                $"{Ref("AlignTrials")} bins each trial from its start_time to its stop_time, so {Ref(Start is null ? "Stop" : "Start")} has no window to set.",
                $"drop {Ref("Start")} and {Ref("Stop")} to bin the trials, or drop {Ref("AlignTrials")} to bin one window of the recording.") { Setting = "AlignTrials" };
        }
    }

    /// <summary>Seconds as messages print them (shortest round-trip form, invariant culture).</summary>
    internal static string Format(double seconds) => seconds.ToString("R", CultureInfo.InvariantCulture);
}
