using System.Globalization;
using LowRank.Decoding;
using ScottPlot;

namespace LowRank.Plotting;

/// <summary>Plots of a behaviour decoding: decoded against true behaviour, and the latents coloured by the behaviour.</summary>
public static class DecodingPlots
{
    /// <summary>Outputs drawn at most (one time panel each).</summary>
    public const int MaxOutputPanels = 4;

    /// <summary>Colour bins of the latent scatter.</summary>
    private const int ColourBins = 16;

    /// <summary>
    /// One panel per output (up to <see cref="MaxOutputPanels"/>): the true behaviour on the test part over time with
    /// the latent decoder and the baselines; then the latents (z1 against z2, or z1 over time for R = 1) of every
    /// step, coloured by output 0 of the behaviour (viridis, low to high). Renders a single test step or constant data.
    /// </summary>
    /// <param name="latents">The decoded latents [T, R].</param>
    /// <param name="behaviour">The behaviour [T, B].</param>
    /// <param name="names">A name per output (B), e.g. <c>position</c> or <c>position[1]</c>.</param>
    public static void Save(string path, DecodingResult result, double[] latents, int rank, double[] behaviour, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(latents);
        ArgumentNullException.ThrowIfNull(behaviour);
        ArgumentNullException.ThrowIfNull(names);
        int outputs = result.Outputs;
        if (names.Count != outputs || behaviour.Length % outputs != 0 || latents.Length / rank != behaviour.Length / outputs)
        {
            throw new ArgumentException($"{names.Count} names, behaviour of {behaviour.Length} values and latents of {latents.Length} do not fit {outputs} outputs and rank {rank}.", nameof(names));
        }

        var panels = new List<Plot>();
        for (int b = 0; b < Math.Min(outputs, MaxOutputPanels); b++)
        {
            panels.Add(TimePanel(result, b, names[b]));
        }

        panels.Add(LatentPanel(latents, rank, behaviour, outputs, names[0]));
        Figure.SavePng(path, panels, columns: 1, panelWidth: 1000, panelHeight: 340);
    }

    private static Plot TimePanel(DecodingResult result, int output, string name)
    {
        int outputs = result.Outputs, test = result.TestSteps;
        double[] steps = [.. Enumerable.Range(result.TrainSteps, test).Select(t => (double)t)];
        var plot = new Plot();
        plot.Title($"{name}: test part (steps {result.TrainSteps}–{result.TrainSteps + test - 1})", size: 13);
        plot.XLabel("step");
        plot.YLabel(name);
        AddLine(plot, steps, Column(result.TestBehaviour, outputs, output), Colors.Black, 2, "true");
        AddDecoded(plot, steps, result.Smoothed, outputs, output, Colors.Gray, "smoothed counts");
        AddDecoded(plot, steps, result.Pca, outputs, output, Colors.Orange, "PCA of counts");
        AddDecoded(plot, steps, result.Latents, outputs, output, Colors.SteelBlue, "latents");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static void AddDecoded(Plot plot, double[] steps, DecoderScores? scores, int outputs, int output, Color color, string label)
    {
        if (scores is not null)
        {
            string text = string.Create(CultureInfo.InvariantCulture, $"{label} (R² {scores.R2[output]:0.000})");
            AddLine(plot, steps, Column(scores.Predicted, outputs, output), color, 1.5f, text);
        }
    }

    private static void AddLine(Plot plot, double[] xs, double[] ys, Color color, float width, string label)
    {
        var line = plot.Add.ScatterLine(xs, ys, color);
        line.LineWidth = width;
        line.LegendText = label;
    }

    private static Plot LatentPanel(double[] latents, int rank, double[] behaviour, int outputs, string name)
    {
        int steps = latents.Length / rank;
        double[] colour = Column(behaviour, outputs, 0);
        double[] xs = rank == 1 ? [.. Enumerable.Range(0, steps).Select(t => (double)t)] : Column(latents, rank, 0);
        double[] ys = rank == 1 ? Column(latents, 1, 0) : Column(latents, rank, 1);
        double low = colour.Min(), high = colour.Max();
        var plot = new Plot();
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"latents of all {steps} steps coloured by {name} (viridis: purple {low:G4} to yellow {high:G4})"), size: 13);
        plot.XLabel(rank == 1 ? "step" : "z1");
        plot.YLabel(rank == 1 ? "z1" : "z2");
        IColormap map = new ScottPlot.Colormaps.Viridis();
        var bins = new List<(List<double> X, List<double> Y)>();
        for (int c = 0; c < ColourBins; c++)
        {
            bins.Add(([], []));
        }

        for (int t = 0; t < steps; t++)
        {
            int bin = high > low ? Math.Min(ColourBins - 1, (int)((colour[t] - low) / (high - low) * ColourBins)) : 0;
            bins[bin].X.Add(xs[t]);
            bins[bin].Y.Add(ys[t]);
        }

        for (int c = 0; c < ColourBins; c++)
        {
            if (bins[c].X.Count > 0)
            {
                plot.Add.Markers(bins[c].X.ToArray(), bins[c].Y.ToArray(), MarkerShape.FilledCircle, 3, map.GetColor((c + 0.5) / ColourBins));
            }
        }

        return plot;
    }

    private static double[] Column(double[] values, int columns, int column)
    {
        var result = new double[values.Length / columns];
        for (int t = 0; t < result.Length; t++)
        {
            result[t] = values[(t * columns) + column];
        }

        return result;
    }
}
