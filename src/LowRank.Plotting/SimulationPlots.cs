using LowRank.Simulation;
using ScottPlot;

namespace LowRank.Plotting;

/// <summary>Plots of simulated or generated trials.</summary>
public static class SimulationPlots
{
    /// <summary>Latents above samples (up to <paramref name="maxChannels"/> channels, offset) of trial 0.</summary>
    public static void SaveLatentsAndSamples(string path, SimulationResult result, string title, int maxSteps = 300, int maxChannels = 6) =>
        Figure.SavePng(path, [LatentsPanel(result, title, maxSteps), SamplesPanel(result, title, maxSteps, maxChannels)]);

    /// <summary>Teacher (left) and student (right): latents on top, samples below, trial 0 of each.</summary>
    public static void SaveTeacherStudent(string path, SimulationResult teacher, SimulationResult student, int maxSteps = 200, int maxChannels = 6) =>
        Figure.SavePng(
            path,
            [
                LatentsPanel(teacher, "teacher", maxSteps), LatentsPanel(student, "student", maxSteps),
                SamplesPanel(teacher, "teacher", maxSteps, maxChannels), SamplesPanel(student, "student", maxSteps, maxChannels),
            ],
            columns: 2,
            panelWidth: 700);

    /// <summary>One line per latent dimension of trial 0.</summary>
    public static Plot LatentsPanel(SimulationResult result, string title, int maxSteps)
    {
        ArgumentNullException.ThrowIfNull(result);
        int steps = Math.Min(maxSteps, result.Steps);
        double[] time = Time(steps);
        var plot = new Plot();
        plot.Title($"{title}: latents z_t");
        plot.XLabel("time step");
        plot.YLabel("z");
        for (int a = 0; a < result.Rank; a++)
        {
            double[] values = new double[steps];
            for (int t = 0; t < steps; t++)
            {
                values[t] = result.Latents[t * result.Rank + a];
            }

            plot.Add.ScatterLine(time, values).LegendText = $"z{a + 1}";
        }

        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>Up to <paramref name="maxChannels"/> channels of trial 0, each offset by its own spread.</summary>
    public static Plot SamplesPanel(SimulationResult result, string title, int maxSteps, int maxChannels)
    {
        ArgumentNullException.ThrowIfNull(result);
        int steps = Math.Min(maxSteps, result.Steps), channels = Math.Min(maxChannels, result.Channels);
        double[] time = Time(steps);
        var plot = new Plot();
        plot.Title($"{title}: samples y_t, {channels} of {result.Channels} channels (offset)");
        plot.XLabel("time step");
        plot.YLabel("y + offset");
        double offset = 0;
        for (int c = 0; c < channels; c++)
        {
            double[] values = new double[steps];
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            for (int t = 0; t < steps; t++)
            {
                values[t] = result.Samples[t * result.Channels + c];
                min = Math.Min(min, values[t]);
                max = Math.Max(max, values[t]);
            }

            double shift = offset - min;
            for (int t = 0; t < steps; t++)
            {
                values[t] += shift;
            }

            offset += (max - min) * 1.1 + 1e-9;
            plot.Add.ScatterLine(time, values);
        }

        return plot;
    }

    private static double[] Time(int steps) => Enumerable.Range(0, steps).Select(t => (double)t).ToArray();
}
