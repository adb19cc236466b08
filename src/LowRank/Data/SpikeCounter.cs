using System.Globalization;
using LowRank.Formats;
using static LowRank.InputException;

namespace LowRank.Data;

/// <summary>How spike times became a recording's counts (<see cref="SpikeCounter"/>).</summary>
/// <param name="Applied">
/// The binning as applied: for one window, <see cref="SpikeBinning.Start"/> and <see cref="SpikeBinning.Stop"/> are the
/// window the bins cover, resolved (so binning again with this record gives the same counts); with
/// <see cref="SpikeBinning.AlignTrials"/>, as asked.
/// </param>
/// <param name="Bins">Bins per trial, T.</param>
/// <param name="TrialBins">The whole bins each trial of the trials table spans, [trials], before all are cut to <paramref name="Bins"/>, the fewest; null for one window.</param>
/// <param name="Spikes">Spikes counted (those inside the bins).</param>
public sealed record SpikeBinningReport(SpikeBinning Applied, int Bins, int[]? TrialBins, long Spikes)
{
    /// <summary>Trials: 1 for one window.</summary>
    public int Trials => TrialBins?.Length ?? 1;

    /// <summary>The most whole bins any trial spans (<see cref="Bins"/> for one window).</summary>
    public int LongestTrialBins => TrialBins is null ? Bins : TrialBins.Max();

    /// <summary>Whether trials were cut to the shortest: some trial spans more than <see cref="Bins"/> bins.</summary>
    public bool TrialsCut => LongestTrialBins > Bins;

    /// <summary>Seconds of recording the counts cover: trials × T × w.</summary>
    public double Seconds => (double)Trials * Bins * Applied.BinWidth;
}

/// <summary>Spike counts <c>[trials, T, X]</c> and how they were made.</summary>
public sealed record BinnedSpikes(NdArray Counts, SpikeBinningReport Report);

/// <summary>
/// Counts spikes in bins (<see cref="SpikeBinning"/>): over one window of the recording, giving <c>[1, T, X]</c>, or
/// over each trial of a trials table, giving <c>[trials, T, X]</c>.
/// </summary>
/// <remarks>
/// Bin k of a window from t0 holds the spikes with <c>t0 + k·w ≤ t &lt; t0 + (k+1)·w</c>, decided exactly at the
/// edges (<see cref="BinGrid"/>). One window: t0 = <see cref="SpikeBinning.Start"/>, or the earliest spike rounded down
/// to a whole multiple of w; T = <c>⌊(Stop − t0)/w⌋</c>, or, without a stop, up to and including the bin of the latest
/// spike. Trials: trial i spans <c>T_i = ⌊(stop_time_i − start_time_i)/w⌋</c> whole bins from its start_time and every
/// trial is cut to <c>T = min T_i</c>. A recording shorter than one bin (from the start, or the earliest spike, to
/// the stop, or the latest spike; any trial) is refused.
/// </remarks>
public static class SpikeCounter
{
    /// <summary>Counts the spikes of <paramref name="spikes"/> in one window; <paramref name="source"/> names the recording in messages.</summary>
    public static BinnedSpikes CountWindow(SpikeTrains spikes, SpikeBinning binning, string source)
    {
        ArgumentNullException.ThrowIfNull(spikes);
        ArgumentNullException.ThrowIfNull(binning);
        binning.Validate();
        if (binning.AlignTrials)
        {
            throw new ArgumentException("binning aligned to trials needs the trials: call CountTrials.", nameof(binning));
        }

        double w = binning.BinWidth;
        (double First, double Last)? span = spikes.Span;
        if (span is null && (binning.Start is null || binning.Stop is null))
        {
            throw new InputException(
                $"{source} has no spikes, so it has no duration to bin.",
                $"give the window with {Ref("Start")} and {Ref("Stop")} to bin silence, or choose a recording with spikes.") { Setting = "Start" };
        }

        // The window's start t0: the given one, or the bin edge at or below the earliest spike.
        var zero = new BinGrid(0, w);
        double origin = binning.Start ?? zero.Edge(zero.IndexOf(span!.Value.First));
        var grid = new BinGrid(origin, w);
        long bins;
        if (binning.Stop is { } stop)
        {
            bins = grid.IndexOf(stop);
            if (bins < 1)
            {
                string from = binning.Start is null ? $"the bin edge {Seconds(origin)} below the first spike ({Seconds(span!.Value.First)})" : $"{Ref("Start")} {Seconds(origin)}";
                throw TooShort(source, $"from {from} to {Ref("Stop")} {Seconds(stop)}", stop - origin, w);
            }
        }
        else
        {
            (double first, double last) = span!.Value;
            double from = binning.Start ?? first;
            string fromText = binning.Start is null ? $"the first spike at {Seconds(first)}" : $"{Ref("Start")} {Seconds(from)}";
            if (last < from)
            {
                throw new InputException(
                    $"{source} has no spike at or after {fromText} (the last is at {Seconds(last)}).",
                    $"choose a {Ref("Start")} before the last spike, or give {Ref("Stop")} to bin a silent window.") { Setting = "Start" };
            }

            if (new BinGrid(from, w).IndexOf(last) < 1)
            {
                throw TooShort(source, $"from {fromText} to the last spike at {Seconds(last)}", last - from, w);
            }

            bins = grid.IndexOf(last) + 1;
        }

        RequireMemory(1, bins, spikes.Units, w, source);
        var counts = NdArray.Zeros(1, (int)bins, spikes.Units); // [1, T, X]
        long counted = Count(spikes, grid, (int)bins, counts.Data);
        var applied = binning with { Start = origin, Stop = grid.Edge(bins) };
        return new BinnedSpikes(counts, new SpikeBinningReport(applied, (int)bins, null, counted));
    }

    /// <summary>
    /// Counts the spikes of <paramref name="spikes"/> in each trial <c>[starts[i], stops[i])</c>, cut to the whole bins
    /// of the shortest; <paramref name="source"/> names the recording and <paramref name="table"/> its trials table in messages.
    /// </summary>
    public static BinnedSpikes CountTrials(SpikeTrains spikes, SpikeBinning binning, ReadOnlySpan<double> starts, ReadOnlySpan<double> stops, string source, string table)
    {
        ArgumentNullException.ThrowIfNull(spikes);
        ArgumentNullException.ThrowIfNull(binning);
        binning.Validate();
        if (!binning.AlignTrials)
        {
            throw new ArgumentException("binning one window needs no trials: call CountWindow, or set AlignTrials.", nameof(binning));
        }

        if (starts.Length != stops.Length)
        {
            throw new ArgumentException($"{starts.Length} trial starts but {stops.Length} stops.", nameof(stops));
        }

        if (starts.Length == 0)
        {
            throw new InputException($"{source} has a trials table ({table}) without trials.", $"add the trials, or drop {Ref("AlignTrials")} to bin the whole recording.") { Setting = "AlignTrials" };
        }

        double w = binning.BinWidth;
        var trialBins = new int[starts.Length];
        long fewest = long.MaxValue;
        for (int i = 0; i < starts.Length; i++)
        {
            double start = starts[i], stop = stops[i];
            if (!double.IsFinite(start) || !double.IsFinite(stop) || !(stop > start))
            {
                throw new InputException(
                    $"{source} has trial {i} from start_time {Seconds(start)} to stop_time {Seconds(stop)} in {table}: a trial must end after it starts, at finite times.",
                    "fix the trials table (start_time < stop_time for every trial).");
            }

            long bins = new BinGrid(start, w).IndexOf(stop);
            if (bins < 1)
            {
                throw TooShort($"trial {i} of {source}", $"from start_time {Seconds(start)} to stop_time {Seconds(stop)}", stop - start, w);
            }

            trialBins[i] = (int)Math.Min(bins, int.MaxValue);
            fewest = Math.Min(fewest, bins);
        }

        RequireMemory(starts.Length, fewest, spikes.Units, w, source);
        int t = (int)fewest, x = spikes.Units;
        var counts = NdArray.Zeros(starts.Length, t, x); // [trials, T, X]
        long counted = 0;
        for (int i = 0; i < starts.Length; i++)
        {
            counted += Count(spikes, new BinGrid(starts[i], w), t, counts.Data.AsSpan(i * t * x, t * x));
        }

        return new BinnedSpikes(counts, new SpikeBinningReport(binning, t, trialBins, counted));
    }

    /// <summary>Adds each spike in bins 0 … <paramref name="bins"/>−1 of <paramref name="grid"/> to <paramref name="counts"/> [T, X]; returns how many it added.</summary>
    private static long Count(SpikeTrains spikes, BinGrid grid, int bins, Span<double> counts)
    {
        int x = spikes.Units;
        long counted = 0;
        double before = grid.Origin - grid.Width; // every spike in bin 0 or later lies after this
        for (int unit = 0; unit < x; unit++)
        {
            double[] times = spikes.Times[unit];
            for (int i = FirstAfter(times, before); i < times.Length; i++)
            {
                long k = grid.IndexOf(times[i]);
                if (k >= bins)
                {
                    break; // sorted: every later spike is past the window
                }

                if (k >= 0)
                {
                    counts[(int)k * x + unit]++;
                    counted++;
                }
            }
        }

        return counted;
    }

    /// <summary>Index of the first time above <paramref name="t"/> in the non-decreasing <paramref name="times"/>.</summary>
    private static int FirstAfter(double[] times, double t)
    {
        int low = 0, high = times.Length;
        while (low < high)
        {
            int mid = low + ((high - low) >> 1);
            if (times[mid] > t)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        return low;
    }

    private static void RequireMemory(int trials, long bins, int units, double w, string source) =>
        new MemoryBudget(string.Create(CultureInfo.InvariantCulture, $"binning {source} at {Seconds(w)}"))
            .Doubles("the counts [trials, bins, units]", trials, bins, units)
            .Check($"choose a wider {Ref("BinWidth")}, or a shorter window with {Ref("Start")} and {Ref("Stop")} (a spike far from the rest stretches the recording).");

    /// <summary>The refusal of <paramref name="what"/>, which lasts <paramref name="seconds"/> (<paramref name="when"/>), less than one bin.</summary>
    private static InputException TooShort(string what, string when, double seconds, double w) => new(
        $"{what} lasts {Duration(seconds)} ({when}), less than one bin of {Seconds(w)}.",
        $"choose a {Ref("BinWidth")} of at most {Duration(seconds)}, or a longer window with {Ref("Start")} and {Ref("Stop")}.") { Setting = "BinWidth" };

    private static string Seconds(double seconds) => SpikeBinning.Format(seconds) + " s";

    private static string Duration(double seconds) => Math.Max(seconds, 0).ToString("G6", CultureInfo.InvariantCulture) + " s";
}
