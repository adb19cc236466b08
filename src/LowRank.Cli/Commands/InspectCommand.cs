using System.CommandLine;
using System.Globalization;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Model;
using LowRank.Numerics;

namespace LowRank.Cli.Commands;

/// <summary>What <c>lowrank inspect</c> was asked to do.</summary>
/// <param name="Path">A data file or a model directory.</param>
/// <param name="JsonPath">Where to write the summary as JSON, or null.</param>
/// <param name="Binning">How to count spike times (a file of spike times only), or null.</param>
internal sealed record InspectOptions(string Path, string? JsonPath, SpikeBinning? Binning = null);

/// <summary>
/// <c>lowrank inspect PATH [--json FILE] [--bin-width W …]</c>: each array's name, shape, dtype and statistics for a
/// data file, and for spike times the units, their spikes and mean rates (with a bin width, of the counts); the model
/// description for a model directory.
/// </summary>
internal static class InspectCommand
{
    /// <summary>Up to this many channels get a line each; wider arrays get the range over channels.</summary>
    private const int MaxChannelLines = 8;

    public static Command Create(CliContext context)
    {
        var path = new Argument<string>("PATH")
        {
            Description = "A data file (.npy, .npz, .csv, .edf, .nwb, .mat; FILE.mat:NAME for one variable, FILE.mat:NAME.FIELD for a field of a struct) or a model directory (holding model.json).",
        };
        var json = new Option<string?>("--json")
        {
            Description = "Also write the summary as JSON to FILE.",
            HelpName = "FILE",
        };
        var binning = new SpikeBinningOptions();
        var command = new Command("inspect", "Show the shape, dtype and summary statistics of a data file (units, spikes and rates for spike times), or describe a model directory.")
        {
            path,
            json,
        };
        binning.AddTo(command);
        command.SetAction(parse => context.Execute(() =>
            Run(context, new InspectOptions(parse.GetValue(path)!, parse.GetValue(json), binning.Read(parse)))));
        return command;
    }

    private static int Run(CliContext context, InspectOptions options)
    {
        new OutputPlan().Reads(MatFile.SplitAddress(options.Path).Path, "PATH").WritesFile(options.JsonPath, "--json").Check();
        if (Directory.Exists(options.Path))
        {
            if (options.Binning is not null)
            {
                throw new InputException(
                    $"'{options.Path}' is a model directory, and --bin-width bins the spike times of a data file.",
                    "drop --bin-width (and --start, --stop, --align-trials), or inspect the data file.");
            }

            return InspectModelDirectory(context, options);
        }

        DataSummary summary = DataInspector.Inspect(options.Path, options.Binning);
        WriteSummary(context.Output, summary);
        if (options.JsonPath is not null)
        {
            JsonFile.Write(options.JsonPath, summary);
        }

        return ExitCodes.Success;
    }

    private static void WriteSummary(TextWriter output, DataSummary summary)
    {
        if (summary.Variables is { } variables)
        {
            WriteMatSummary(output, summary, variables);
            return;
        }

        int count = summary.Arrays.Length;
        output.WriteLine($"{summary.Format} '{summary.Path}': {count} {(count == 1 ? "array" : "arrays")}");
        foreach (ArraySummary array in summary.Arrays)
        {
            output.WriteLine($"{array.Name}  shape {NdArray.FormatShape(array.Shape)}  dtype {DescribeDtype(summary.Format, array.Dtype)}");
            WriteStatistics(output, array, "  ");
        }

        if (summary.SpikeTrains is { } spikes)
        {
            WriteSpikeTrains(output, spikes);
        }
    }

    /// <summary>Statistics of every value and, for rank ≥ 2, of each channel (last axis), each line starting with <paramref name="indent"/>.</summary>
    private static void WriteStatistics(TextWriter output, ArraySummary array, string indent)
    {
        output.WriteLine($"{indent}all: {FormatStats(array.All)}");
        if (array.Channels is not { } channels)
        {
            return;
        }

        if (channels.Length <= MaxChannelLines)
        {
            for (int c = 0; c < channels.Length; c++)
            {
                string label = array.ChannelNames is { } names ? $"channel {c} ({names[c]})" : $"channel {c}";
                output.WriteLine($"{indent}{label}: {FormatStats(channels[c])}");
            }
        }
        else
        {
            output.WriteLine(
                $"{indent}{channels.Length} channels, ranges over channels: min {Range(channels, s => s.Min)}, max {Range(channels, s => s.Max)}, " +
                $"mean {Range(channels, s => s.Mean)}, sd {Range(channels, s => s.Sd)}");
        }
    }

    /// <summary>
    /// A MAT file's variables, one line each with MATLAB's class and size (fields of 1×1 structs indented below their
    /// struct), each numeric or logical array followed by its statistics.
    /// </summary>
    private static void WriteMatSummary(TextWriter output, DataSummary summary, MatVariableSummary[] variables)
    {
        int count = variables.Count(v => v.Depth == 0);
        output.WriteLine($"MAT file '{summary.Path}': {count} {(count == 1 ? "variable" : "variables")}");
        foreach (MatVariableSummary variable in variables)
        {
            string indent = new(' ', 2 * variable.Depth);
            string detail = variable switch
            {
                { Fields: { } fields } => fields.Length == 0 ? "  no fields" : $"  fields {string.Join(", ", fields)}",
                { Text: { } text } => $"  '{(text.Length > 60 ? text[..57] + "..." : text).ReplaceLineEndings(" | ")}'",
                { Problem: { } problem } => $"  (not read: {problem})",
                _ => string.Empty,
            };
            output.WriteLine($"{indent}{variable.Name}  shape {NdArray.FormatShape(variable.Shape)}  class {variable.Class}{detail}");
            if (summary.Arrays.FirstOrDefault(a => a.Name == variable.Name) is { } array)
            {
                WriteStatistics(output, array, indent + "  ");
            }
        }
    }

    /// <summary>The units of a file of spike times: their spikes and mean rates, per unit up to <see cref="MaxChannelLines"/> units, else as ranges.</summary>
    private static void WriteSpikeTrains(TextWriter output, SpikeTrainSummary spikes)
    {
        int units = spikes.Units.Length;
        long total = spikes.Spikes.Sum();
        string what = spikes.Binning is { } report
            ? SpikeBinningOptions.Describe(report, units)
            : spikes.FirstSpikeS is { } first
                ? $"{units} {(units == 1 ? "unit" : "units")}, {total} {(total == 1 ? "spike" : "spikes")} over {Format(spikes.DurationS)} s (from the first spike at {Format(first)} s to the last at {Format(spikes.LastSpikeS!.Value)} s)"
                : $"{units} {(units == 1 ? "unit" : "units")}, no spikes";
        output.WriteLine($"spike times: {what}");
        if (units <= MaxChannelLines)
        {
            for (int x = 0; x < units; x++)
            {
                output.WriteLine($"  unit {spikes.Units[x]}: {spikes.Spikes[x]} {(spikes.Spikes[x] == 1 ? "spike" : "spikes")}, {Format(spikes.RatesHz[x])} Hz");
            }
        }
        else
        {
            double[] counts = Array.ConvertAll(spikes.Spikes, c => (double)c);
            output.WriteLine($"  spikes per unit: min {Format(counts.Min())}, median {Format(Statistics.Median(counts))}, max {Format(counts.Max())}");
            output.WriteLine($"  mean rate (Hz): min {Format(spikes.RatesHz.Min())}, median {Format(Statistics.Median(spikes.RatesHz))}, max {Format(spikes.RatesHz.Max())}");
        }
    }

    private static string FormatStats(ValueStats stats)
    {
        string text = $"min {Format(stats.Min)}  max {Format(stats.Max)}  mean {Format(stats.Mean)}  sd {Format(stats.Sd)}";
        if (stats.NanCount > 0 || stats.InfCount > 0)
        {
            text += $"  ({stats.NanCount} NaN, {stats.InfCount} Inf left out)";
        }

        return text;
    }

    private static string Range(ValueStats[] channels, Func<ValueStats, double> figure)
    {
        double low = double.PositiveInfinity;
        double high = double.NegativeInfinity;
        foreach (ValueStats stats in channels)
        {
            double value = figure(stats);
            low = Math.Min(low, value);
            high = Math.Max(high, value);
        }

        return $"{Format(low)} to {Format(high)}";
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string DescribeDtype(string format, string descr) =>
        format == "edf" && descr == "<i2" ? "int16 EDF samples, shown in physical units"
        : DTypes.FromDescr(descr) is { } type ? $"{type.Name()} ({descr})"
        : descr;

    // ---- Model directories -------------------------------------------------------------------

    private static int InspectModelDirectory(CliContext context, InspectOptions options)
    {
        if (!ModelStore.IsModelDirectory(options.Path))
        {
            throw new InputException(
                $"'{options.Path}' is a directory without model.json, so it is neither a data file nor a model directory.",
                "pass a .npy, .npz, .csv, .edf or .nwb file, or a model directory written by lowrank.");
        }

        var stored = ModelStore.Load(options.Path);
        ModelSummary summary = ModelSummary.Of(stored.Model);
        ModelOptions o = summary.Options;
        TextWriter w = context.Output;
        w.WriteLine($"model directory '{options.Path}': stochastic low-rank RNN, {summary.ParameterCount} parameters");
        w.WriteLine($"  rank R = {o.Rank}, units N = {o.Units}, inputs U = {o.Inputs} ({ModelNames.Of(o.InputFilter)}), channels X = {o.Channels}");
        w.WriteLine($"  activation {ModelNames.Of(o.Activation)}, readout {ModelNames.Of(o.Readout)}, likelihood {ModelNames.Of(o.Likelihood)} (link {ModelNames.Of(o.Link)})");
        w.WriteLine($"  decay a = {summary.Decay:G6} (τ/Δt = {1 / (1 - summary.Decay):G4})");
        w.WriteLine($"  latent noise sd ({ModelNames.Of(o.TransitionNoise)}): {FormatVector(summary.TransitionNoiseSd)}");
        w.WriteLine($"  initial state: mean {FormatVector(summary.InitialMean)}, sd ({ModelNames.Of(o.InitialNoise)}) {FormatVector(summary.InitialNoiseSd)}");
        w.WriteLine($"  ‖m_r‖·‖n_r‖ per rank: {FormatVector(summary.ConnectivityNorms)}");
        if (summary.ObservationSd.Length > 0)
        {
            w.WriteLine($"  observation sd: min {summary.ObservationSd.Min():G4}, median {Statistics.Median(summary.ObservationSd):G4}, max {summary.ObservationSd.Max():G4}");
        }

        if (stored.Preprocessing?.Binning is { } bins)
        {
            string window = bins.AlignTrials
                ? "each trial of the NWB trials table"
                : string.Create(CultureInfo.InvariantCulture, $"from {bins.Start:G10} s") + (bins.Stop is { } stop ? string.Create(CultureInfo.InvariantCulture, $" to {stop:G10} s") : string.Empty);
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  fitted to spike times in {bins.BinWidth:G10} s bins, {window} (later spike times are binned the same way: --bin-width {bins.BinWidth:G10})"));
        }

        if (stored.Provenance is { } p)
        {
            w.WriteLine($"  written {p.Created} by {p.Tool}" + (p.Data is null ? string.Empty : $" from {p.Data}") + (p.Seed is null ? string.Empty : $", seed {p.Seed}"));
        }

        if (options.JsonPath is not null)
        {
            JsonFile.Write(options.JsonPath, new { Kind = "model_directory", options.Path, Summary = summary, stored.Provenance });
        }

        return ExitCodes.Success;
    }

    private static string FormatVector(double[] values) =>
        "[" + string.Join(", ", values.Select(v => v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture))) + "]";
}
