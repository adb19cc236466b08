using LowRank.Populations;
using ScottPlot;

namespace LowRank.Plotting;

/// <summary>Plots of population analyses: loadings scatter coloured by population, reduced vs network κ(t).</summary>
public static class PopulationPlots
{
    /// <summary>Most loadings shown in the pair grid (the first ones, in column order).</summary>
    public const int MaxLoadings = 8;

    /// <summary>One panel per pair of loadings (i &lt; j), points coloured by population.</summary>
    public static void SaveLoadingPairs(string path, UnitLoadings loadings, IReadOnlyList<int> labels, int components, string title)
    {
        ArgumentNullException.ThrowIfNull(loadings);
        ArgumentNullException.ThrowIfNull(labels);
        int shown = Math.Min(loadings.Dimension, MaxLoadings);
        var palette = new ScottPlot.Palettes.Category10();
        var panels = new List<Plot>();
        for (int a = 0; a < shown; a++)
        {
            for (int b = a + 1; b < shown; b++)
            {
                var plot = new Plot();
                plot.Title(panels.Count == 0 ? $"{title}: {loadings.Names[b]} vs {loadings.Names[a]}" : $"{loadings.Names[b]} vs {loadings.Names[a]}");
                plot.XLabel(loadings.Names[a]);
                plot.YLabel(loadings.Names[b]);
                for (int p = 0; p < components; p++)
                {
                    var xs = new List<double>();
                    var ys = new List<double>();
                    for (int i = 0; i < loadings.Units; i++)
                    {
                        if (labels[i] == p)
                        {
                            xs.Add(loadings.Values[i * loadings.Dimension + a]);
                            ys.Add(loadings.Values[i * loadings.Dimension + b]);
                        }
                    }

                    if (xs.Count == 0)
                    {
                        continue;
                    }

                    var points = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
                    points.LineWidth = 0;
                    points.MarkerSize = 4;
                    points.Color = palette.GetColor(p).WithAlpha(0.6);
                    if (panels.Count == 0)
                    {
                        points.LegendText = $"population {p + 1}";
                    }
                }

                if (panels.Count == 0 && components > 1)
                {
                    plot.ShowLegend();
                }

                panels.Add(plot);
            }
        }

        if (panels.Count == 0)
        {
            var empty = new Plot();
            empty.Title($"{title}: fewer than two loadings");
            panels.Add(empty);
        }

        Figure.SavePng(path, panels, columns: Math.Min(4, panels.Count), panelWidth: 420, panelHeight: 380);
    }

    /// <summary>κ_r(t) of the network (solid) and of the mean-field reduction (dashed) on a few trials, one panel per r.</summary>
    public static void SaveKappaComparison(string path, IReadOnlyList<double[]> network, IReadOnlyList<double[]> reduced, int rank, double stepMs, int maxTrials, string title)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(reduced);
        var palette = new ScottPlot.Palettes.Category10();
        var panels = new List<Plot>();
        for (int r = 0; r < rank; r++)
        {
            var plot = new Plot();
            plot.Title($"{title}: κ_{r + 1}(t), network (solid) vs mean field (dashed)");
            plot.XLabel("time (ms)");
            plot.YLabel($"κ_{r + 1}");
            for (int i = 0; i < Math.Min(maxTrials, network.Count); i++)
            {
                int steps = network[i].Length / rank;
                double[] time = Enumerable.Range(0, steps).Select(t => t * stepMs).ToArray();
                var solid = plot.Add.Scatter(time, Enumerable.Range(0, steps).Select(t => network[i][t * rank + r]).ToArray());
                solid.MarkerSize = 0;
                solid.Color = palette.GetColor(i);
                var dashed = plot.Add.Scatter(time, Enumerable.Range(0, steps).Select(t => reduced[i][t * rank + r]).ToArray());
                dashed.MarkerSize = 0;
                dashed.Color = palette.GetColor(i);
                dashed.LinePattern = LinePattern.Dashed;
                dashed.LineWidth = 2;
            }

            panels.Add(plot);
        }

        Figure.SavePng(path, panels, columns: 1, panelWidth: 900, panelHeight: 320);
    }
}
