using System.Globalization;
using ScottPlot;

namespace LowRank.Plotting;

// Dimension legend: T steps, X channels, B frequency bins.

/// <summary>A recording against a series a model generated from it, with the power spectra D_H compares.</summary>
/// <param name="Data">The recording [T, X], row-major.</param>
/// <param name="Generated">The generated series [T, X].</param>
/// <param name="Steps">T.</param>
/// <param name="Channels">X.</param>
/// <param name="Frequencies">Frequency of each spectrum bin in cycles per step [B].</param>
/// <param name="DataSpectra">The data's normalised spectrum of each channel [X, B] (NaN where a channel has no power).</param>
/// <param name="GeneratedSpectra">The generated series' [X, B].</param>
/// <param name="ChannelNames">Labels of the channels [X], or null.</param>
/// <param name="DHPerChannel">D_H of each channel [X], or null.</param>
/// <param name="SampleRate">Steps per second, when known: frequencies are then drawn in Hz.</param>
public sealed record SeriesComparison(
    double[] Data,
    double[] Generated,
    int Steps,
    int Channels,
    double[] Frequencies,
    double[] DataSpectra,
    double[] GeneratedSpectra,
    IReadOnlyList<string>? ChannelNames = null,
    double[]? DHPerChannel = null,
    double? SampleRate = null);

/// <summary>Figures of a model scored against a continuous recording.</summary>
public static class EvaluationPlots
{
    /// <summary>Channels whose spectra are drawn at most (the first ones).</summary>
    public const int SpectrumChannels = 4;

    /// <summary>
    /// The first <paramref name="maxSteps"/> steps of up to <paramref name="maxChannels"/> channels of the data (left) and
    /// of the generated series (right), each channel offset by the same amount in both so that they line up; below, the
    /// normalised spectra of the first <see cref="SpectrumChannels"/> channels, data against generated, up to the frequency
    /// below which 99 % of either's power lies. Renders one step, one channel and channels without power.
    /// </summary>
    public static void SaveTracesAndSpectra(string path, SeriesComparison comparison, int maxSteps = 300, int maxChannels = 6)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        int steps = comparison.Steps, channels = comparison.Channels, bins = comparison.Frequencies.Length;
        if (comparison.Data.Length != steps * channels || comparison.Generated.Length != steps * channels
            || comparison.DataSpectra.Length != channels * bins || comparison.GeneratedSpectra.Length != channels * bins)
        {
            throw new ArgumentException($"the series must be [{steps}, {channels}] and the spectra [{channels}, {bins}].", nameof(comparison));
        }

        int shownSteps = Math.Min(maxSteps, steps), shownChannels = Math.Min(maxChannels, channels);
        (double[] offsets, double height) = Offsets(comparison, shownSteps, shownChannels);
        Plot data = TracesPanel(comparison.Data, comparison, shownSteps, shownChannels, offsets, "data");
        Plot generated = TracesPanel(comparison.Generated, comparison, shownSteps, shownChannels, offsets, "generated");
        foreach (Plot panel in new[] { data, generated })
        {
            panel.Axes.SetLimits(0, Math.Max(shownSteps - 1, 1), -0.03 * height, 1.03 * height);
        }

        var panels = new List<Plot> { data, generated };
        int spectra = Math.Min(SpectrumChannels, channels);
        double top = SpectrumTop(comparison, spectra);
        for (int c = 0; c < spectra; c++)
        {
            panels.Add(SpectrumPanel(comparison, c, top));
        }

        if (panels.Count % 2 == 1)
        {
            panels.Add(new Plot());
        }

        Figure.SavePng(path, panels, columns: 2, panelWidth: 640, panelHeight: 340);
    }

    private static Plot TracesPanel(double[] series, SeriesComparison comparison, int steps, int channels, double[] offsets, string what)
    {
        var plot = new Plot();
        plot.Title($"{what}: first {steps} steps, {channels} of {comparison.Channels} channels (offset)", size: 13);
        plot.XLabel("time step");
        plot.YLabel("value + offset");
        var palette = new ScottPlot.Palettes.Category10();
        double[] time = [.. Enumerable.Range(0, steps).Select(t => (double)t)];
        for (int c = 0; c < channels; c++)
        {
            double[] values = new double[steps];
            for (int t = 0; t < steps; t++)
            {
                values[t] = series[t * comparison.Channels + c] + offsets[c];
            }

            var line = plot.Add.ScatterLine(time, values, palette.GetColor(c));
            line.LineWidth = 1.2f;
        }

        return plot;
    }

    /// <summary>
    /// Offsets stacking the channels bottom to top: each channel's band is its range over both series (in the shown
    /// steps) plus a tenth, so the same channel sits at the same height in both panels.
    /// </summary>
    private static (double[] Offsets, double Height) Offsets(SeriesComparison comparison, int steps, int channels)
    {
        var offsets = new double[channels];
        double level = 0;
        for (int c = 0; c < channels; c++)
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            foreach (double[] series in new[] { comparison.Data, comparison.Generated })
            {
                for (int t = 0; t < steps; t++)
                {
                    double v = series[t * comparison.Channels + c];
                    if (double.IsFinite(v))
                    {
                        min = Math.Min(min, v);
                        max = Math.Max(max, v);
                    }
                }
            }

            if (!(max >= min))
            {
                (min, max) = (0, 0);
            }

            offsets[c] = level - min;
            level += Math.Max(max - min, 1e-9) * 1.1;
        }

        return (offsets, level);
    }

    private static Plot SpectrumPanel(SeriesComparison comparison, int channel, double top)
    {
        int bins = comparison.Frequencies.Length;
        var plot = new Plot();
        string name = comparison.ChannelNames is { } names ? $"channel {channel} ({names[channel]})" : $"channel {channel}";
        string dh = comparison.DHPerChannel is { } d ? ", D_H = " + d[channel].ToString("0.000", CultureInfo.InvariantCulture) : "";
        plot.Title($"{name}: normalised power spectrum{dh}", size: 13);
        double scale = comparison.SampleRate is double rate && rate > 0 ? rate : 1;
        plot.XLabel(scale == 1 ? "frequency (cycles per step)" : "frequency (Hz)");
        plot.YLabel("fraction of power");
        int shown = 0;
        while (shown < bins && comparison.Frequencies[shown] <= top)
        {
            shown++;
        }

        shown = Math.Max(shown, Math.Min(bins, 2));
        double[] frequencies = [.. comparison.Frequencies[..shown].Select(f => f * scale)];
        var data = plot.Add.ScatterLine(frequencies, comparison.DataSpectra.AsSpan(channel * bins, shown).ToArray(), Colors.Black);
        data.LineWidth = 2;
        data.LegendText = "data";
        var generated = plot.Add.ScatterLine(frequencies, comparison.GeneratedSpectra.AsSpan(channel * bins, shown).ToArray(), Colors.OrangeRed);
        generated.LineWidth = 2;
        generated.LegendText = "generated";
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>The frequency below which 99 % of the power of every drawn channel of either series lies (at least two bins).</summary>
    private static double SpectrumTop(SeriesComparison comparison, int channels)
    {
        int bins = comparison.Frequencies.Length;
        int last = Math.Min(1, bins - 1);
        for (int c = 0; c < channels; c++)
        {
            foreach (double[] spectra in new[] { comparison.DataSpectra, comparison.GeneratedSpectra })
            {
                double total = 0;
                for (int k = 0; k < bins; k++)
                {
                    total += double.IsFinite(spectra[c * bins + k]) ? spectra[c * bins + k] : 0;
                }

                double sum = 0;
                for (int k = 0; k < bins && total > 0; k++)
                {
                    sum += double.IsFinite(spectra[c * bins + k]) ? spectra[c * bins + k] : 0;
                    if (sum >= 0.99 * total)
                    {
                        last = Math.Max(last, k);
                        break;
                    }
                }
            }
        }

        return bins == 0 ? 0 : comparison.Frequencies[Math.Min(bins - 1, last + 1)];
    }
}
