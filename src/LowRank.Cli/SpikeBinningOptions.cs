using System.CommandLine;
using System.Globalization;
using LowRank.Data;

namespace LowRank.Cli;

/// <summary>
/// <c>--bin-width</c>, <c>--start</c>, <c>--stop</c> and <c>--align-trials</c>: how spike times (.nwb, an npz of
/// spike times) become counts (<see cref="SpikeBinning"/>), defined once for every command that reads a recording
/// (through <see cref="PreprocessingOptions"/>) and for <c>inspect</c>.
/// </summary>
internal sealed class SpikeBinningOptions
{
    private readonly Option<double?> _binWidth = new("--bin-width")
    {
        Description = "Count spike times (.nwb, or an npz of spike_times and spike_units) in bins of this many seconds; bins are [t0 + k·w, t0 + (k+1)·w).",
        HelpName = "SECONDS",
    };

    private readonly Option<double?> _start = new("--start")
    {
        Description = "Spike times: the window's start in seconds. [default: the first spike, rounded down to a multiple of --bin-width]",
        HelpName = "SECONDS",
    };

    private readonly Option<double?> _stop = new("--stop")
    {
        Description = "Spike times: the window's end in seconds, not included; whole bins only. [default: up to the bin of the last spike]",
        HelpName = "SECONDS",
    };

    private readonly Option<bool> _alignTrials = new("--align-trials")
    {
        Description = "Spike times: bin each trial [start_time, stop_time) of the NWB trials table as one sequence, all cut to the shortest.",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_binWidth);
        command.Options.Add(_start);
        command.Options.Add(_stop);
        command.Options.Add(_alignTrials);
    }

    /// <summary>The binning the flags ask for, or null without <c>--bin-width</c> (then the others are an error).</summary>
    public SpikeBinning? Read(ParseResult parse)
    {
        double? start = parse.GetValue(_start), stop = parse.GetValue(_stop);
        bool alignTrials = parse.GetValue(_alignTrials);
        if (parse.GetValue(_binWidth) is not { } width)
        {
            string? given = start is not null ? "--start" : stop is not null ? "--stop" : alignTrials ? "--align-trials" : null;
            if (given is not null)
            {
                throw new InputException(
                    $"{given} says how to bin spike times, but no --bin-width was given.",
                    "pass --bin-width SECONDS with it (for a model fitted to spike times, the bin width it stores).") { Setting = "BinWidth" };
            }

            return null;
        }

        var binning = new SpikeBinning { BinWidth = width, Start = start, Stop = stop, AlignTrials = alignTrials };
        binning.Validate();
        return binning;
    }

    /// <summary>
    /// One line on how the spike times of <paramref name="recording"/> were counted (null for a recording of samples),
    /// e.g. <c>binned 310 spikes of 3 units in 0.02 s bins: 12 trials of the trials table, 49 bins each (trials cut to the shortest, …)</c>.
    /// </summary>
    public static string? Describe(Recording recording) =>
        recording.Binning is { } report ? Describe(report, recording.Channels) : null;

    /// <summary>One line on how <paramref name="units"/> units' spike times were counted as <paramref name="report"/> says.</summary>
    public static string Describe(SpikeBinningReport report, int units)
    {
        SpikeBinning b = report.Applied;
        string head = $"binned {report.Spikes} {(report.Spikes == 1 ? "spike" : "spikes")} of {units} {(units == 1 ? "unit" : "units")} in {Seconds(b.BinWidth)} bins";
        if (!b.AlignTrials)
        {
            return $"{head}: {report.Bins} bins from {Seconds(b.Start!.Value)} to {Seconds(b.Stop!.Value)}";
        }

        string trials = $"{head}: {report.Trials} {(report.Trials == 1 ? "trial" : "trials")} of the trials table, {report.Bins} bins each";
        return report.TrialsCut
            ? $"{trials} (trials cut to the shortest, {report.Bins} bins = {Seconds(report.Bins * b.BinWidth)}; the longest spans {report.LongestTrialBins} bins)"
            : trials;
    }

    private static string Seconds(double seconds) => seconds.ToString("G6", CultureInfo.InvariantCulture) + " s";
}
