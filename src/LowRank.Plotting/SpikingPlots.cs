using LowRank.Simulation;
using ScottPlot;

namespace LowRank.Plotting;

/// <summary>Plots of spike-count trials: rasters, rates and latents.</summary>
public static class SpikingPlots
{
    /// <summary>
    /// Teacher (left) and student (right): raster of the counts on top, the Poisson rates of a few neurons in the
    /// middle, the latents below; trial 0 of each, the first <paramref name="maxSteps"/> steps.
    /// </summary>
    public static void SaveTeacherStudent(string path, SimulationResult teacher, SimulationResult student, int maxSteps = 200, int rateChannels = 4) =>
        Figure.SavePng(
            path,
            [
                RasterPanel(teacher, "teacher", maxSteps), RasterPanel(student, "student", maxSteps),
                RatesPanel(teacher, "teacher", maxSteps, rateChannels), RatesPanel(student, "student", maxSteps, rateChannels),
                SimulationPlots.LatentsPanel(teacher, "teacher", maxSteps), SimulationPlots.LatentsPanel(student, "student", maxSteps),
            ],
            columns: 2,
            panelWidth: 700);

    /// <summary>One row per neuron, a mark per bin with spikes (larger for more spikes).</summary>
    public static Plot RasterPanel(SimulationResult result, string title, int maxSteps)
    {
        ArgumentNullException.ThrowIfNull(result);
        int steps = Math.Min(maxSteps, result.Steps), x = result.Channels;
        var plot = new Plot();
        plot.Title($"{title}: spike raster, {x} neurons");
        plot.XLabel("time step");
        plot.YLabel("neuron");
        var xs = new List<double>();
        var ys = new List<double>();
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < x; i++)
            {
                if (result.Samples[t * x + i] > 0)
                {
                    xs.Add(t);
                    ys.Add(i);
                }
            }
        }

        var marks = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray());
        marks.MarkerSize = 3;
        marks.MarkerShape = MarkerShape.VerticalBar;
        plot.Axes.SetLimitsX(0, steps);
        plot.Axes.SetLimitsY(-1, x);
        return plot;
    }

    /// <summary>The Poisson rates (expected counts per bin) of the first <paramref name="channels"/> neurons.</summary>
    public static Plot RatesPanel(SimulationResult result, string title, int maxSteps, int channels)
    {
        ArgumentNullException.ThrowIfNull(result);
        int steps = Math.Min(maxSteps, result.Steps), x = result.Channels, shown = Math.Min(channels, x);
        var plot = new Plot();
        plot.Title($"{title}: rates of {shown} neurons (counts per bin)");
        plot.XLabel("time step");
        plot.YLabel("rate");
        double[] time = [.. Enumerable.Range(0, steps).Select(t => (double)t)];
        for (int i = 0; i < shown; i++)
        {
            double[] values = new double[steps];
            for (int t = 0; t < steps; t++)
            {
                values[t] = result.Rates[t * x + i];
            }

            plot.Add.ScatterLine(time, values).LegendText = $"neuron {i}";
        }

        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }
}
