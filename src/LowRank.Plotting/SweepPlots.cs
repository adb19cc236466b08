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

    /// <summary>The PNG of <see cref="SaveRankSelection"/> in a sweep's plots folder.</summary>
    public const string RankSelectionFile = "rank_selection.png";

    /// <summary>The PNG of <see cref="SaveSeedEnsemble"/> in a sweep's plots folder.</summary>
    public const string SeedEnsembleFile = "seed_ensemble.png";

    /// <summary>
    /// The rank selection of a rank sweep: the mean held-out objective against the rank with ± one standard error, the
    /// one-standard-error threshold dashed and the recommended rank marked; beside it each companion figure (D_stsp, D_H)
    /// with ± one standard deviation over the seeds.
    /// </summary>
    public static void SaveRankSelection(string path, RankSelectionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        double[] ranks = [.. result.Levels.Select(l => (double)l.Rank)];
        var panels = new List<Plot>();
        var objective = new Plot();
        objective.Title($"{result.Objective}: rank {result.RecommendedRank} recommended", size: 14);
        objective.XLabel("rank");
        objective.YLabel($"{result.Objective} (mean ± se)");
        double[] means = [.. result.Levels.Select(l => l.Objective.Mean)];
        var line = objective.Add.ScatterLine(ranks, means);
        line.LineWidth = 2;
        line.MarkerSize = 7;
        objective.Add.ErrorBar(ranks, means, [.. result.Levels.Select(l => l.Objective.StandardError)]);
        var threshold = objective.Add.HorizontalLine(result.Threshold, 1, Colors.Gray, LinePattern.Dashed);
        threshold.LegendText = "best − 1 se";
        RankLevel chosen = result.Levels.First(l => l.Rank == result.RecommendedRank);
        var mark = objective.Add.ScatterPoints(new double[] { chosen.Rank }, new double[] { chosen.Objective.Mean }, Colors.Red);
        mark.MarkerSize = 14;
        mark.LegendText = $"recommended (rank {chosen.Rank})";
        objective.ShowLegend(Alignment.LowerRight);
        RankTicks(objective, ranks);
        panels.Add(objective);

        foreach (string figure in result.Levels.SelectMany(l => l.Companions.Select(c => c.Figure)).Distinct())
        {
            RankLevel[] levels = [.. result.Levels.Where(l => l.Companions.Any(c => c.Figure == figure))];
            FigureSpread[] spreads = [.. levels.Select(l => l.Companions.First(c => c.Figure == figure))];
            double[] xs = [.. levels.Select(l => (double)l.Rank)];
            var panel = new Plot();
            panel.Title($"{figure} (mean ± sd over seeds)", size: 14);
            panel.XLabel("rank");
            panel.YLabel(figure);
            var companion = panel.Add.ScatterLine(xs, [.. spreads.Select(c => c.Mean)]);
            companion.LineWidth = 2;
            companion.MarkerSize = 7;
            panel.Add.ErrorBar(xs, [.. spreads.Select(c => c.Mean)], [.. spreads.Select(c => c.StandardDeviation)]);
            panel.Add.VerticalLine(result.RecommendedRank, 1, Colors.Red, LinePattern.Dotted);
            RankTicks(panel, xs);
            panels.Add(panel);
        }

        Figure.SavePng(path, panels, columns: panels.Count, panelWidth: 520, panelHeight: 400);
    }

    /// <summary>
    /// The restarts of a seed sweep compared: one panel per structural figure (fixed points, their stability, cycles,
    /// dominant frequency) and per model-quality figure (D_stsp, D_H, objectives) of <paramref name="result"/>, each run a
    /// point at its seed, the median a line and ± the median absolute deviation a band.
    /// </summary>
    public static void SaveSeedEnsemble(string path, ResultsTable table, SeedEnsembleResult result)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(result);
        string[] quality = ["d_stsp", "d_h", "held_out_objective", "final_objective"];
        EnsembleFigure[] shown =
        [
            .. result.Structure.Select(s => s.Figure),
            .. result.Figures.Where(f => quality.Any(q => f.Figure.EndsWith("." + q, StringComparison.Ordinal))),
        ];
        shown = [.. shown.DistinctBy(f => f.Figure).Take(9)];
        string seedAxis = result.SeedAxes[0];
        SweepAxis axis = table.Axes.First(a => a.Name == seedAxis);
        bool numeric = axis.Values.All(v => v.TryGetNumber(out _));
        var panels = new List<Plot>();
        foreach (EnsembleFigure figure in shown)
        {
            ResultRow[] rows = [.. table.Rows.Where(r => r.State == RunState.Done && r.Figures.TryGetValue(figure.Figure, out double v) && double.IsFinite(v))];
            double[] xs = [.. rows.Select(r => { SpecValue value = r.Axes.First(a => a.Name == seedAxis).Value; return numeric && value.TryGetNumber(out double x) ? x : IndexOf(axis.Values, value); })];
            double[] ys = [.. rows.Select(r => r.Figures[figure.Figure])];
            var plot = new Plot();
            plot.Title(string.Create(CultureInfo.InvariantCulture, $"{figure.Figure}: median {figure.Median:G4}, MAD {figure.Mad:G3}"), size: 13);
            plot.XLabel(seedAxis);
            plot.YLabel(figure.Figure);
            if (figure.Mad > 0)
            {
                var band = plot.Add.VerticalSpan(figure.Median - figure.Mad, figure.Median + figure.Mad);
                band.FillStyle.Color = Colors.SteelBlue.WithAlpha(0.15);
                band.LineStyle.Width = 0;
            }

            plot.Add.HorizontalLine(figure.Median, 1.5f, Colors.SteelBlue, LinePattern.Dashed);
            var points = plot.Add.ScatterPoints(xs, ys, Colors.Black);
            points.MarkerSize = 8;
            if (!numeric || axis.Values.Count <= MaxLabelledValues)
            {
                plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                    [.. axis.Values.Select(v => numeric && v.TryGetNumber(out double x) ? x : IndexOf(axis.Values, v))], [.. axis.Values.Select(v => v.Text)]);
            }

            if (figure.Min == figure.Max)
            {
                // One value in every run: centre it, rather than leave the axis at ScottPlot's default ±1.
                double half = figure.Min == 0 ? 1 : Math.Abs(figure.Min) * 0.1;
                plot.Axes.SetLimitsY(figure.Min - half, figure.Max + half);
            }

            panels.Add(plot);
        }

        if (panels.Count == 0)
        {
            var empty = new Plot();
            empty.Title("no figures to compare across the restarts");
            panels.Add(empty);
        }

        Figure.SavePng(path, panels, columns: Math.Min(3, panels.Count), panelWidth: 480, panelHeight: 340);
    }

    private static void RankTicks(Plot plot, double[] ranks) =>
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ranks, [.. ranks.Select(r => r.ToString(CultureInfo.InvariantCulture))]);

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
