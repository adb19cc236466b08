using System.Globalization;
using LowRank.Metrics;
using ScottPlot;

namespace LowRank.Plotting;

/// <summary>The spiking statistics of generated against recorded counts (<c>lowrank evaluate</c> on spike data).</summary>
public static class SpikingStatisticsPlots
{
    /// <summary>ISI histograms drawn at most (the units with the most recorded intervals).</summary>
    public const int IsiUnits = 4;

    /// <summary>
    /// One figure, two panels a row: per-unit mean rates and ISI CVs (generated against data, with the identity line);
    /// the ISI histograms of up to <see cref="IsiUnits"/> units (data bars, generated line, as fractions of each
    /// series' intervals); the pairwise count correlations (per bin) of the data and of the generated series side by
    /// side (one colour scale, diagonal left blank). Renders one unit, silent units and undefined correlations.
    /// </summary>
    public static void Save(string path, SpikeCountStatistics data, SpikeCountStatistics generated, SpikingAgreement agreement, SpikeRaster? raster = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(agreement);
        if (data.Units != generated.Units || data.IsiBins != generated.IsiBins)
        {
            throw new ArgumentException($"the data ({data.Units} units, {data.IsiBins} ISI bins) and the generated series ({generated.Units}, {generated.IsiBins}) differ.", nameof(generated));
        }

        var panels = new List<Plot>();
        if (raster is not null)
        {
            int[] order = UnitsByMeanSpikeTime(raster.Data, raster.Steps, raster.Units);
            panels.Add(RasterPanel(raster.Data, raster.Steps, raster.Units, order, "data"));
            panels.Add(RasterPanel(raster.Generated, raster.Steps, raster.Units, order, "generated"));
        }

        panels.AddRange(
        [
            ScatterPanel(data.MeanRates, generated.MeanRates, $"mean rate per unit (counts per bin), rate_r = {Format(agreement.RateR)}"),
            ScatterPanel(data.IsiCv, generated.IsiCv, $"ISI CV per unit, isi_cv_error = {Format(agreement.IsiCvError)} ({agreement.IsiCvUnits} units)"),
        ]);
        foreach (int unit in UnitsWithMostIntervals(data, IsiUnits))
        {
            panels.Add(IsiPanel(data, generated, unit));
        }

        if (panels.Count % 2 == 1)
        {
            panels.Add(new Plot());
        }

        double range = CorrelationRange(data.Correlations, generated.Correlations, data.Units);
        panels.Add(CorrelationPanel(data.Correlations, data.Units, range, "data: pairwise count correlation (per bin)"));
        panels.Add(CorrelationPanel(generated.Correlations, data.Units, range, $"generated: pairwise_corr_r = {Format(agreement.PairwiseCorrR)} ({agreement.Pairs} pairs)"));
        Figure.SavePng(path, panels, columns: 2, panelWidth: 620, panelHeight: 420);
    }

    /// <summary>
    /// The units in order of their mean spike time over the <paramref name="steps"/> bins of <paramref name="counts"/>
    /// [steps, units] (count-weighted; units without spikes last, by index), so that sequences show as diagonals.
    /// </summary>
    public static int[] UnitsByMeanSpikeTime(double[] counts, int steps, int units)
    {
        var centre = new double[units];
        for (int i = 0; i < units; i++)
        {
            double sum = 0, weighted = 0;
            for (int t = 0; t < steps; t++)
            {
                double c = counts[(t * units) + i];
                if (c > 0)
                {
                    sum += c;
                    weighted += c * t;
                }
            }

            centre[i] = sum > 0 ? weighted / sum : double.PositiveInfinity;
        }

        return [.. Enumerable.Range(0, units).OrderBy(i => centre[i]).ThenBy(i => i)];
    }

    /// <summary>A mark per bin with spikes, one row per unit in <paramref name="order"/> (row 0 at the bottom).</summary>
    private static Plot RasterPanel(double[] counts, int steps, int units, int[] order, string title)
    {
        var plot = new Plot();
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"{title}: spike raster, first {steps} bins"), size: 13);
        plot.XLabel("bin");
        plot.YLabel("unit (by mean spike time in the data)");
        var xs = new List<double>();
        var ys = new List<double>();
        for (int row = 0; row < units; row++)
        {
            int unit = order[row];
            for (int t = 0; t < steps; t++)
            {
                if (counts[(t * units) + unit] > 0)
                {
                    xs.Add(t);
                    ys.Add(row);
                }
            }
        }

        if (xs.Count > 0)
        {
            var marks = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray());
            marks.MarkerSize = 4;
            marks.MarkerShape = MarkerShape.VerticalBar;
            marks.Color = Colors.Black;
        }

        plot.Axes.SetLimits(-0.5, steps - 0.5, -1, units);
        return plot;
    }

    private static Plot ScatterPanel(double[] data, double[] generated, string title)
    {
        var plot = new Plot();
        plot.Title(title, size: 13);
        plot.XLabel("data");
        plot.YLabel("generated");
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i < data.Length; i++)
        {
            if (double.IsFinite(data[i]) && double.IsFinite(generated[i]))
            {
                xs.Add(data[i]);
                ys.Add(generated[i]);
            }
        }

        double high = Math.Max(xs.Count > 0 ? Math.Max(xs.Max(), ys.Max()) : 1, 1e-3) * 1.05;
        var identity = plot.Add.Line(0, 0, high, high);
        identity.LineColor = Colors.Gray;
        identity.LinePattern = LinePattern.Dashed;
        if (xs.Count > 0)
        {
            var points = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray());
            points.MarkerSize = 6;
            points.Color = Colors.SteelBlue;
        }

        plot.Axes.SetLimits(0, high, 0, high);
        return plot;
    }

    private static Plot IsiPanel(SpikeCountStatistics data, SpikeCountStatistics generated, int unit)
    {
        int bins = data.IsiBins;
        double[] intervals = [.. Enumerable.Range(0, bins).Select(b => (double)b)];
        double[] dataFractions = Fractions(data.IsiHistogram.AsSpan(unit * bins, bins));
        double[] generatedFractions = Fractions(generated.IsiHistogram.AsSpan(unit * bins, bins));
        var plot = new Plot();
        plot.Title($"unit {unit}: ISI distribution (last bin: {bins - 1} or more)", size: 13);
        plot.XLabel("interval (bins)");
        plot.YLabel("fraction of intervals");
        var bars = plot.Add.Bars(intervals, dataFractions);
        bars.Color = Colors.LightGray;
        bars.LegendText = $"data (CV {Format(data.IsiCv[unit])})";
        var line = plot.Add.ScatterLine(intervals, generatedFractions);
        line.Color = Colors.SteelBlue;
        line.LineWidth = 2;
        line.LegendText = $"generated (CV {Format(generated.IsiCv[unit])})";
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.SetLimitsX(-0.5, bins - 0.5);
        return plot;
    }

    private static Plot CorrelationPanel(double[] correlations, int units, double range, string title)
    {
        var plot = new Plot();
        plot.Title(title, size: 13);
        plot.XLabel("unit");
        plot.YLabel("unit");
        // A heatmap draws its row 0 at the top: unit i goes to row X − 1 − i, so that it sits at y = i.
        var cells = new double[units, units];
        for (int i = 0; i < units; i++)
        {
            for (int j = 0; j < units; j++)
            {
                cells[units - 1 - i, j] = i == j ? double.NaN : correlations[i * units + j];
            }
        }

        plot.Axes.SetLimits(-0.5, units - 0.5, -0.5, units - 0.5);
        if (!cells.Cast<double>().Any(double.IsFinite))
        {
            // No pair has a correlation (one unit, or silent units): a heatmap cannot scale an empty matrix.
            plot.Add.Text("no pair with a defined correlation", (units - 1) / 2.0, (units - 1) / 2.0).Alignment = Alignment.MiddleCenter;
            return plot;
        }

        var heatmap = plot.Add.Heatmap(cells);
        heatmap.ManualRange = new ScottPlot.Range(-range, range);
        heatmap.Colormap = new ScottPlot.Colormaps.Balance();
        heatmap.NaNCellColor = Colors.White;
        plot.Add.ColorBar(heatmap);
        return plot;
    }

    /// <summary>The largest |r| off the diagonal in either matrix (at least 0.05, so a flat matrix still has a scale).</summary>
    private static double CorrelationRange(double[] first, double[] second, int units)
    {
        double range = 0.05;
        for (int i = 0; i < units; i++)
        {
            for (int j = 0; j < units; j++)
            {
                if (i != j)
                {
                    range = Math.Max(range, double.IsNaN(first[i * units + j]) ? 0 : Math.Abs(first[i * units + j]));
                    range = Math.Max(range, double.IsNaN(second[i * units + j]) ? 0 : Math.Abs(second[i * units + j]));
                }
            }
        }

        return range;
    }

    /// <summary>Up to <paramref name="count"/> units, those with the most recorded intervals first (ties: lower index), in index order.</summary>
    private static int[] UnitsWithMostIntervals(SpikeCountStatistics data, int count)
    {
        int bins = data.IsiBins;
        long Intervals(int unit)
        {
            long total = 0;
            foreach (long n in data.IsiHistogram.AsSpan(unit * bins, bins))
            {
                total += n;
            }

            return total;
        }

        return [.. Enumerable.Range(0, data.Units).OrderByDescending(Intervals).ThenBy(u => u).Take(count).Order()];
    }

    private static double[] Fractions(ReadOnlySpan<long> histogram)
    {
        long total = 0;
        foreach (long n in histogram)
        {
            total += n;
        }

        var fractions = new double[histogram.Length];
        for (int b = 0; b < histogram.Length; b++)
        {
            fractions[b] = total > 0 ? (double)histogram[b] / total : 0;
        }

        return fractions;
    }

    private static string Format(double value) => double.IsNaN(value) ? "undefined" : value.ToString("0.000", CultureInfo.InvariantCulture);
}
