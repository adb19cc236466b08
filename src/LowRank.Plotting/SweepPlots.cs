using System.Globalization;
using LowRank.Sweeps;
using ScottPlot;

namespace LowRank.Plotting;

/// <summary>Plots of a sweep's results: one figure against one axis, with its spread over the seeds.</summary>
public static class SweepPlots
{
    /// <summary>A numeric axis with at most this many values gets a tick at each.</summary>
    public const int MaxLabelledValues = 12;

    /// <summary>The PNG name of <paramref name="figure"/> against <paramref name="axis"/>, e.g. <c>evaluate.d_stsp_vs_rank.png</c>.</summary>
    public static string FileName(string figure, string axis)
    {
        ArgumentNullException.ThrowIfNull(figure);
        ArgumentNullException.ThrowIfNull(axis);
        return new string([.. $"{figure}_vs_{axis}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-')]) + ".png";
    }

    /// <summary>
    /// <paramref name="figure"/> against <paramref name="axis"/> over the done runs (<see cref="ResultsTable.SpreadOf"/>): each
    /// run a faint point, and per series (the other axes but the seeds) the mean joined by a line with ± one standard
    /// deviation over the seeds as error bars. A numeric axis is drawn to scale, any other as evenly spaced labels.
    /// Renders with no runs done too (an empty panel).
    /// </summary>
    public static void SaveFigureVsAxis(string path, ResultsTable table, string figure, string axis)
    {
        ArgumentNullException.ThrowIfNull(table);
        IReadOnlyList<SpreadSeries> series = table.SpreadOf(figure, axis);
        SweepAxis plotted = table.Axes.First(a => a.Name == axis);
        bool numeric = plotted.Values.All(v => v.TryGetNumber(out _));
        double X(SpecValue value) => numeric && value.TryGetNumber(out double x) ? x : IndexOf(plotted.Values, value);

        var plot = new Plot();
        string[] seedAxes = [.. table.Axes.Select(a => a.Name).Where(a => a != axis && ResultsTable.IsSeedAxis(a))];
        string spread = seedAxes.Length > 0 ? $"mean ± sd over {string.Join(", ", seedAxes)}" : "one run per point";
        plot.Title($"{figure} vs {axis} ({spread})", size: 14);
        plot.XLabel(axis);
        plot.YLabel(figure);
        var palette = new ScottPlot.Palettes.Category10();
        for (int s = 0; s < series.Count; s++)
        {
            Color color = palette.GetColor(s);
            SpreadSeries one = series[s];
            double[] runX = [.. one.Points.SelectMany(p => p.Values.Select(_ => X(p.X)))];
            double[] runY = [.. one.Points.SelectMany(p => p.Values)];
            var runs = plot.Add.ScatterPoints(runX, runY);
            runs.MarkerSize = 5;
            runs.Color = color.WithAlpha(0.35);

            double[] xs = [.. one.Points.Select(p => X(p.X))];
            double[] means = [.. one.Points.Select(p => p.Mean)];
            var line = plot.Add.ScatterLine(xs, means);
            line.Color = color;
            line.LineWidth = 2;
            line.MarkerSize = 7;
            if (series.Count > 1)
            {
                line.LegendText = one.Label;
            }
            if (seedAxes.Length > 0)
            {
                var bars = plot.Add.ErrorBar(xs, means, [.. one.Points.Select(p => p.StandardDeviation)]);
                bars.Color = color;
            }
        }

        // Ticks at the axis's own values (when few enough to read), labelled as the spec wrote them.
        if (!numeric || plotted.Values.Count <= MaxLabelledValues)
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                [.. plotted.Values.Select(X)], [.. plotted.Values.Select(v => v.Text)]);
        }

        if (series.Count > 1)
        {
            plot.ShowLegend(Alignment.UpperRight);
        }

        Figure.SavePng(path, [plot], columns: 1, panelWidth: 800, panelHeight: 450);
    }

    private static double IndexOf(IReadOnlyList<SpecValue> values, SpecValue value)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i] == value)
            {
                return i;
            }
        }

        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{value.Text}' is not a value of the axis."), nameof(value));
    }
}
