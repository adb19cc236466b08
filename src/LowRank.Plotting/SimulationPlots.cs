using LowRank.Simulation;
using ScottPlot;

namespace LowRank.Plotting;

/// <summary>Plots of simulated or generated trials.</summary>
public static class SimulationPlots
{
    /// <summary>
    /// Latents (one line per latent dimension) above samples (up to <paramref name="maxChannels"/> channels,
    /// offset vertically) of trial 0, for the first <paramref name="maxSteps"/> steps.
    /// </summary>
    public static void SaveLatentsAndSamples(string path, SimulationResult result, string title, int maxSteps = 300, int maxChannels = 6)
    {
        ArgumentNullException.ThrowIfNull(result);
        int steps = Math.Min(maxSteps, result.Steps);
        double[] time = Enumerable.Range(0, steps).Select(t => (double)t).ToArray();

        var latents = new Plot();
        latents.Title($"{title}: latents z_t (trial 0)");
        latents.XLabel("time step");
        latents.YLabel("z");
        for (int a = 0; a < result.Rank; a++)
        {
            double[] values = new double[steps];
            for (int t = 0; t < steps; t++)
            {
                values[t] = result.Latents[t * result.Rank + a];
            }

            var line = latents.Add.ScatterLine(time, values);
            line.LegendText = $"z{a + 1}";
        }

        latents.ShowLegend(Alignment.UpperRight);

        var samples = new Plot();
        int channels = Math.Min(maxChannels, result.Channels);
        samples.Title($"{title}: samples y_t, first {channels} of {result.Channels} channels (offset)");
        samples.XLabel("time step");
        samples.YLabel("y + offset");
        double spread = 0;
        for (int i = 0; i < steps * result.Channels; i++)
        {
            spread = Math.Max(spread, Math.Abs(result.Samples[i]));
        }

        for (int c = 0; c < channels; c++)
        {
            double[] values = new double[steps];
            for (int t = 0; t < steps; t++)
            {
                values[t] = result.Samples[t * result.Channels + c] + 2 * spread * c;
            }

            samples.Add.ScatterLine(time, values);
        }

        Figure.SavePng(path, [latents, samples]);
    }
}
