using ScottPlot;

namespace LowRank.Plotting;

/// <summary>Plots of LINT fits: held-out R² against rank and κ(t) trajectories (the flow field with fixed points is <see cref="FixedPointPlots"/>).</summary>
public static class LintPlots
{
    /// <summary>Held-out R² (global and mean per neuron) against rank.</summary>
    public static void SaveR2VsRank(string path, IReadOnlyList<int> ranks, IReadOnlyList<double> r2, IReadOnlyList<double> r2PerNeuron, string title)
    {
        double[] xs = ranks.Select(r => (double)r).ToArray();
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("rank R");
        plot.YLabel("held-out R²");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        var global = plot.Add.Scatter(xs, r2.ToArray());
        global.LegendText = "R² (global)";
        var perNeuron = plot.Add.Scatter(xs, r2PerNeuron.ToArray());
        perNeuron.LegendText = "R² (mean per neuron)";
        plot.ShowLegend();
        Figure.SavePng(path, [plot], panelWidth: 700, panelHeight: 450);
    }

    /// <summary>κ_r(t) of each trial, one panel per latent dimension.</summary>
    public static void SaveKappa(string path, IReadOnlyList<double[]> kappa, int rank, double stepMs, string title)
    {
        var panels = new List<Plot>();
        for (int r = 0; r < rank; r++)
        {
            var plot = new Plot();
            plot.Title($"{title}: κ_{r + 1}(t)");
            plot.XLabel("time (ms)");
            plot.YLabel($"κ_{r + 1}");
            foreach (double[] trial in kappa)
            {
                int steps = trial.Length / rank;
                double[] time = Enumerable.Range(0, steps).Select(t => t * stepMs).ToArray();
                double[] values = Enumerable.Range(0, steps).Select(t => trial[t * rank + r]).ToArray();
                var line = plot.Add.Scatter(time, values);
                line.MarkerSize = 0;
            }

            panels.Add(plot);
        }

        Figure.SavePng(path, panels, columns: 1, panelWidth: 900, panelHeight: 300);
    }
}
