using System.Globalization;
using LowRank.Decoding;
using LowRank.Numerics;
using ScottPlot;

namespace LowRank.Plotting;

/// <summary>
/// The figures of a per-condition comparison (docs/metrics.md, "Conditions"): condition-mean latent trajectories coloured by
/// direction, generated against true PSTHs of one unseen condition, and the decoded against the true angle of every generated trial.
/// </summary>
public static class ConditionPlots
{
    /// <summary>The file of <see cref="SaveLatentTrajectories"/>.</summary>
    public const string TrajectoriesFile = "latent-trajectories.png";

    /// <summary>The file of <see cref="SavePsths"/>.</summary>
    public const string PsthFile = "psth-unseen.png";

    /// <summary>The file of <see cref="SaveDecodedAngles"/>.</summary>
    public const string AnglesFile = "decoded-angles.png";

    /// <summary>Units drawn at most by <see cref="SavePsths"/>.</summary>
    public const int PsthUnits = 6;

    /// <summary>
    /// One panel: each condition's mean generated latent trajectory (z2 against z1, PC2 against PC1 for R &gt; 2, z1 over time for
    /// R = 1), coloured by the condition's angle on a hue wheel (a circular map: 0° and 360° meet), seen conditions solid,
    /// unseen dashed, an open circle at the start.
    /// </summary>
    public static void SaveLatentTrajectories(string path, ConditionEvaluation evaluation, ConditionLatents latents)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(latents);
        if (latents.Trajectories.Count != evaluation.Conditions.Count)
        {
            throw new ArgumentException($"{latents.Trajectories.Count} trajectories for {evaluation.Conditions.Count} conditions.", nameof(latents));
        }

        int dimensions = latents.Dimensions;
        var plot = new Plot();
        string explained = latents.ExplainedFraction is double f ? string.Create(CultureInfo.InvariantCulture, $", {f * 100:0.0} % of the variance") : "";
        plot.Title($"condition-mean generated latents{explained} (colour: direction; solid: seen, dashed: unseen)", size: 13);
        plot.XLabel(dimensions == 1 ? "step" : latents.AxisNames[0]);
        plot.YLabel(dimensions == 1 ? latents.AxisNames[0] : latents.AxisNames[1]);
        for (int c = 0; c < evaluation.Conditions.Count; c++)
        {
            ConditionScore score = evaluation.Conditions[c];
            double[] trajectory = latents.Trajectories[c];
            int steps = trajectory.Length / dimensions;
            double[] xs = dimensions == 1 ? [.. Enumerable.Range(0, steps).Select(t => (double)t)] : Column(trajectory, 2, 0);
            double[] ys = dimensions == 1 ? trajectory : Column(trajectory, 2, 1);
            Color color = DirectionColor(score.Condition);
            var line = plot.Add.ScatterLine(xs, ys, color);
            line.LineWidth = 2;
            line.LinePattern = score.Seen ? LinePattern.Solid : LinePattern.Dashed;
            line.LegendText = $"{Label(score.Condition)}° {(score.Seen ? "seen" : "unseen")}";
            plot.Add.Marker(xs[0], ys[0], MarkerShape.OpenCircle, 7, color);
        }

        plot.ShowLegend(Alignment.UpperRight);
        Figure.SavePng(path, [plot], columns: 1, panelWidth: 900, panelHeight: 700);
    }

    /// <summary>
    /// The generated (dashed) against the true (solid) PSTH over time of the <see cref="PsthUnits"/> units whose true PSTH varies
    /// most (max − min) in <paramref name="score"/>'s condition, one panel each.
    /// </summary>
    /// <param name="units">K of the PSTHs [T, K].</param>
    public static void SavePsths(string path, ConditionScore score, int units)
    {
        ArgumentNullException.ThrowIfNull(score);
        double[] truth = score.Psth.TruePsth, generated = score.Psth.GeneratedPsth;
        int steps = truth.Length / units;
        double[] time = [.. Enumerable.Range(0, steps).Select(t => (double)t)];
        var panels = new List<Plot>();
        foreach (int k in MostModulatedUnits(truth, units, PsthUnits))
        {
            var plot = new Plot();
            string r2 = string.Create(CultureInfo.InvariantCulture, $"R² {score.Psth.UnitR2[k]:0.000}");
            string title = panels.Count == 0
                ? $"{Label(score.Condition)}° ({(score.Seen ? "seen" : "unseen")}), unit {k}: {r2}"
                : $"unit {k}: {r2}";
            plot.Title(title, size: 13);
            plot.XLabel("step");
            plot.YLabel("count per bin");
            var trueLine = plot.Add.ScatterLine(time, Column(truth, units, k), Colors.Black);
            trueLine.LineWidth = 2;
            var generatedLine = plot.Add.ScatterLine(time, Column(generated, units, k), Colors.OrangeRed);
            generatedLine.LineWidth = 2;
            generatedLine.LinePattern = LinePattern.Dashed;
            if (panels.Count == 0)
            {
                trueLine.LegendText = "true";
                generatedLine.LegendText = "generated";
                plot.ShowLegend(Alignment.UpperRight);
            }

            panels.Add(plot);
        }

        Figure.SavePng(path, panels, columns: Math.Min(2, panels.Count), panelWidth: 600, panelHeight: 320);
    }

    /// <summary>
    /// The decoded against the true angle of every generated trial, seen conditions as blue circles, unseen as orange triangles,
    /// with the identity line; a decoded angle is drawn as true + wrap(decoded − true), so an error of 10° across 0° lies beside the line.
    /// </summary>
    public static void SaveDecodedAngles(string path, ConditionEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var plot = new Plot();
        plot.Title(string.Create(CultureInfo.InvariantCulture,
            $"decoded vs true direction per generated trial (the decoder's own cross-validated error: {evaluation.DecoderTruthAngleErrorDeg:0.0}°)"), size: 13);
        plot.XLabel("true angle (°)");
        plot.YLabel("decoded angle (°)");
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (bool seen in new[] { true, false })
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int s = 0; s < evaluation.GeneratedAngles.Length; s++)
            {
                ConditionScore score = evaluation.Conditions[evaluation.GeneratedConditions[s]];
                if (score.Seen == seen)
                {
                    xs.Add(score.Condition);
                    ys.Add(score.Condition + Angles.Difference(evaluation.GeneratedAngles[s], score.Condition));
                }
            }

            if (xs.Count == 0)
            {
                continue;
            }

            low = Math.Min(low, Math.Min(xs.Min(), ys.Min()));
            high = Math.Max(high, Math.Max(xs.Max(), ys.Max()));
            var points = plot.Add.Markers(xs.ToArray(), ys.ToArray(), seen ? MarkerShape.FilledCircle : MarkerShape.FilledTriangleUp, 6, (seen ? Colors.SteelBlue : Colors.OrangeRed).WithAlpha(0.6));
            points.LegendText = seen ? "seen conditions" : "unseen conditions";
        }

        if (high > low)
        {
            var identity = plot.Add.Line(low, low, high, high);
            identity.Color = Colors.Gray;
            identity.LinePattern = LinePattern.Dashed;
        }

        plot.ShowLegend(Alignment.UpperLeft);
        Figure.SavePng(path, [plot], columns: 1, panelWidth: 800, panelHeight: 700);
    }

    /// <summary>The (up to) <paramref name="count"/> units whose true PSTH [T, K] spans the widest range (max − min), widest first, ties by index.</summary>
    public static int[] MostModulatedUnits(double[] psth, int units, int count)
    {
        ArgumentNullException.ThrowIfNull(psth);
        int steps = psth.Length / units;
        var range = new double[units];
        for (int k = 0; k < units; k++)
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            for (int t = 0; t < steps; t++)
            {
                min = Math.Min(min, psth[(t * units) + k]);
                max = Math.Max(max, psth[(t * units) + k]);
            }

            range[k] = max - min;
        }

        return [.. Enumerable.Range(0, units).OrderByDescending(k => range[k]).ThenBy(k => k).Take(count)];
    }

    /// <summary>The colour of a direction on a hue wheel: 0° red, 120° green, 240° blue, 360° red again.</summary>
    public static Color DirectionColor(double degrees) => Color.FromHSL((float)(Angles.Normalise(degrees) / 360), 0.8f, 0.45f);

    private static string Label(double condition) => condition.ToString("G6", CultureInfo.InvariantCulture);

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
