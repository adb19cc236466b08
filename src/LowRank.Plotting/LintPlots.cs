using System.Numerics;
using LowRank.Analysis;
using ScottPlot;

namespace LowRank.Plotting;

/// <summary>Plots of LINT fits: held-out R² against rank, κ(t) trajectories and the rank-2 flow field.</summary>
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

    /// <summary>The flow field in (κ_1, κ_2) with the κ trajectories of some trials on top.</summary>
    public static void SaveFlowField(string path, FlowField field, IReadOnlyList<double[]> trajectories, string title)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("κ_1");
        plot.YLabel("κ_2");
        int g = field.Kappa1.Length;
        double maxSpeed = 1e-12;
        for (int i = 0; i < field.Velocity1.Length; i++)
        {
            maxSpeed = Math.Max(maxSpeed, Math.Sqrt(field.Velocity1[i] * field.Velocity1[i] + field.Velocity2[i] * field.Velocity2[i]));
        }

        double spacing = g > 1 ? field.Kappa1[1] - field.Kappa1[0] : 1.0;
        var vectors = new List<RootedCoordinateVector>();
        for (int i = 0; i < g; i++)
        {
            for (int j = 0; j < g; j++)
            {
                double scale = 0.9 * spacing / maxSpeed;
                var vector = new Vector2((float)(field.Velocity1[i * g + j] * scale), (float)(field.Velocity2[i * g + j] * scale));
                vectors.Add(new RootedCoordinateVector(new Coordinates(field.Kappa1[i], field.Kappa2[j]), vector));
            }
        }

        plot.Add.VectorField(vectors);
        foreach (double[] trajectory in trajectories)
        {
            int steps = trajectory.Length / 2;
            double[] k1 = Enumerable.Range(0, steps).Select(t => trajectory[2 * t]).ToArray();
            double[] k2 = Enumerable.Range(0, steps).Select(t => trajectory[2 * t + 1]).ToArray();
            var line = plot.Add.Scatter(k1, k2);
            line.MarkerSize = 0;
            line.LineWidth = 2;
        }

        Figure.SavePng(path, [plot], panelWidth: 650, panelHeight: 600);
    }
}
