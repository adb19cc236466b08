using LowRank.Analysis.FixedPoints;
using LowRank.Numerics;
using ScottPlot;

namespace LowRank.Plotting;

/// <summary>Flow fields of the latent map with its fixed points and cycles.</summary>
public static class FixedPointPlots
{
    private const int GridSize = 21;
    private const int TrajectoryCount = 8;
    private const int TrajectorySteps = 400;

    /// <summary>
    /// Arrows of <c>F(z) − z</c> on a grid, a few sample trajectories, fixed points marked by stability and
    /// cycles as connected squares. R = 1: <c>F(z) − z</c> against z. R = 2: the plane. R ≥ 3: one panel per
    /// pair of the first three latent axes, the other coordinates held at the centre of the view.
    /// </summary>
    /// <param name="view">
    /// Optional: paths to draw instead of sampled trajectories (e.g. a network's κ of some trials) and the view box;
    /// by default the box centres on the fixed and cycle points.
    /// </param>
    public static void SaveFlowField(
        string path, ILatentMap map, IReadOnlyList<FixedPoint> fixedPoints, IReadOnlyList<Cycle> cycles, string title, long seed = 0, FlowFieldView? view = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(fixedPoints);
        ArgumentNullException.ThrowIfNull(cycles);
        int rank = map.Rank;
        (double[] center, double halfWidth) = view is null ? ViewBox(fixedPoints, cycles, rank) : (view.Center, view.HalfWidth);
        List<double[][]> trajectories = view is null ? Trajectories(map, center, halfWidth, seed) : Paths(view.Paths, rank);
        string axis = view?.AxisName ?? "z";
        if (rank == 1)
        {
            Figure.SavePng(path, [LinePanel(map, fixedPoints, cycles, center[0], halfWidth, title, axis)], columns: 1, panelWidth: 800, panelHeight: 500);
            return;
        }

        var pairs = new List<(int, int)>();
        for (int a = 0; a < Math.Min(rank, 3); a++)
        {
            for (int b = a + 1; b < Math.Min(rank, 3); b++)
            {
                pairs.Add((a, b));
            }
        }

        var panels = pairs.Select(pair => PlanePanel(map, fixedPoints, cycles, trajectories, center, halfWidth, pair.Item1, pair.Item2, title, axis)).ToList();
        Figure.SavePng(path, panels, columns: panels.Count, panelWidth: 700, panelHeight: 650);
    }

    private static Plot PlanePanel(
        ILatentMap map, IReadOnlyList<FixedPoint> fixedPoints, IReadOnlyList<Cycle> cycles, List<double[][]> trajectories,
        double[] center, double halfWidth, int a, int b, string title, string axis)
    {
        int rank = map.Rank;
        var plot = new Plot();
        string held = rank > 2
            ? " (" + string.Join(", ", Enumerable.Range(0, rank).Where(r => r != a && r != b).Select(r => $"{axis}{r + 1} = {center[r]:G3}")) + ")"
            : string.Empty;
        plot.Title($"{title}: {axis}{a + 1}–{axis}{b + 1}{held}", size: 13);
        plot.XLabel($"{axis}{a + 1}");
        plot.YLabel($"{axis}{b + 1}");

        // Arrows of F(z) − z, projected on (a, b).
        var vectors = new List<RootedCoordinateVector>();
        var z = new double[rank];
        var f = new double[rank];
        for (int ix = 0; ix < GridSize; ix++)
        {
            for (int iy = 0; iy < GridSize; iy++)
            {
                center.CopyTo(z, 0);
                z[a] = center[a] - halfWidth + 2 * halfWidth * ix / (GridSize - 1);
                z[b] = center[b] - halfWidth + 2 * halfWidth * iy / (GridSize - 1);
                map.Evaluate(z, f);
                var delta = new System.Numerics.Vector2((float)(f[a] - z[a]), (float)(f[b] - z[b]));
                vectors.Add(new RootedCoordinateVector(new Coordinates(z[a], z[b]), delta));
            }
        }

        var field = plot.Add.VectorField(vectors, Colors.Gray);
        field.MaximumArrowLength = 22;

        foreach (double[][] trajectory in trajectories)
        {
            var line = plot.Add.ScatterLine(trajectory.Select(p => p[a]).ToArray(), trajectory.Select(p => p[b]).ToArray(), Colors.SteelBlue.WithAlpha(0.6));
            line.LineWidth = 1.2f;
            plot.Add.Marker(trajectory[0][a], trajectory[0][b], MarkerShape.OpenCircle, 5, Colors.SteelBlue);
        }

        AddFixedPoints(plot, fixedPoints, p => p[a], p => p[b]);
        AddCycles(plot, cycles, p => p[a], p => p[b]);
        plot.Axes.SetLimits(center[a] - 1.05 * halfWidth, center[a] + 1.05 * halfWidth, center[b] - 1.05 * halfWidth, center[b] + 1.05 * halfWidth);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static Plot LinePanel(ILatentMap map, IReadOnlyList<FixedPoint> fixedPoints, IReadOnlyList<Cycle> cycles, double center, double halfWidth, string title, string axis)
    {
        var plot = new Plot();
        plot.Title($"{title}: {axis}_(t+1) − {axis}_t against {axis}_t", size: 13);
        plot.XLabel(axis);
        plot.YLabel($"F({axis}) − {axis}");
        const int samples = 400;
        var xs = new double[samples];
        var ys = new double[samples];
        var z = new double[1];
        var f = new double[1];
        for (int s = 0; s < samples; s++)
        {
            z[0] = center - halfWidth + 2 * halfWidth * s / (samples - 1);
            map.Evaluate(z, f);
            xs[s] = z[0];
            ys[s] = f[0] - z[0];
        }

        plot.Add.ScatterLine(xs, ys, Colors.SteelBlue).LineWidth = 2;
        plot.Add.HorizontalLine(0, 1, Colors.Gray, LinePattern.Dashed);
        AddFixedPoints(plot, fixedPoints, p => p[0], _ => 0);
        AddCycles(plot, cycles, p => p[0], _ => 0);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static void AddFixedPoints(Plot plot, IReadOnlyList<FixedPoint> fixedPoints, Func<double[], double> x, Func<double[], double> y)
    {
        foreach (IGrouping<StabilityKind, FixedPoint> group in fixedPoints.GroupBy(p => p.Stability).OrderBy(g => g.Key))
        {
            (MarkerShape shape, Color color) = Style(group.Key);
            var markers = plot.Add.Markers(group.Select(p => x(p.Z)).ToArray(), group.Select(p => y(p.Z)).ToArray(), shape, 12, color);
            markers.LegendText = $"{Name(group.Key)} ({group.Count()})";
        }
    }

    private static void AddCycles(Plot plot, IReadOnlyList<Cycle> cycles, Func<double[], double> x, Func<double[], double> y)
    {
        foreach (Cycle cycle in cycles)
        {
            double[][] closed = [.. cycle.Points, cycle.Points[0]];
            var line = plot.Add.ScatterLine(closed.Select(x).ToArray(), closed.Select(y).ToArray(), Colors.Purple);
            line.LinePattern = LinePattern.Dashed;
            line.MarkerShape = MarkerShape.FilledSquare;
            line.MarkerSize = 8;
            line.LegendText = $"{cycle.Period}-cycle, {Name(cycle.Stability)}";
        }
    }

    private static (MarkerShape Shape, Color Color) Style(StabilityKind kind) => kind switch
    {
        StabilityKind.StableNode => (MarkerShape.FilledCircle, Colors.Black),
        StabilityKind.StableSpiral => (MarkerShape.FilledTriangleUp, Colors.Green),
        StabilityKind.Saddle => (MarkerShape.FilledDiamond, Colors.DarkOrange),
        StabilityKind.UnstableNode => (MarkerShape.OpenCircle, Colors.Red),
        StabilityKind.UnstableSpiral => (MarkerShape.OpenTriangleUp, Colors.Red),
        _ => (MarkerShape.Eks, Colors.Gray),
    };

    private static string Name(StabilityKind kind) => kind switch
    {
        StabilityKind.StableNode => "stable node",
        StabilityKind.StableSpiral => "stable spiral",
        StabilityKind.Saddle => "saddle",
        StabilityKind.UnstableNode => "unstable node",
        StabilityKind.UnstableSpiral => "unstable spiral",
        _ => "non-hyperbolic",
    };

    /// <summary>Centre at the mean of the fixed and cycle points; half-width 1.4× their spread (at least 1).</summary>
    private static (double[] Center, double HalfWidth) ViewBox(IReadOnlyList<FixedPoint> fixedPoints, IReadOnlyList<Cycle> cycles, int rank)
    {
        var points = fixedPoints.Select(p => p.Z).Concat(cycles.SelectMany(c => c.Points)).ToList();
        var center = new double[rank];
        foreach (double[] p in points)
        {
            for (int r = 0; r < rank; r++)
            {
                center[r] += p[r] / points.Count;
            }
        }

        double spread = 0;
        foreach (double[] p in points)
        {
            for (int r = 0; r < rank; r++)
            {
                spread = Math.Max(spread, Math.Abs(p[r] - center[r]));
            }
        }

        return (center, Math.Max(1, 1.4 * spread));
    }

    /// <summary>Paths given flat [T, R] as points, rows with a non-finite value left out.</summary>
    private static List<double[][]> Paths(IReadOnlyList<double[]> paths, int rank)
    {
        var result = new List<double[][]>();
        foreach (double[] flat in paths)
        {
            var points = new List<double[]>();
            for (int t = 0; t + rank <= flat.Length; t += rank)
            {
                double[] point = flat[t..(t + rank)];
                if (point.All(double.IsFinite))
                {
                    points.Add(point);
                }
            }

            if (points.Count > 0)
            {
                result.Add([.. points]);
            }
        }

        return result;
    }

    /// <summary>Noise-free trajectories from starts drawn uniformly in the view box (stream i of the seed for start i).</summary>
    private static List<double[][]> Trajectories(ILatentMap map, double[] center, double halfWidth, long seed)
    {
        int rank = map.Rank;
        var result = new List<double[][]>();
        for (int i = 0; i < TrajectoryCount; i++)
        {
            var rng = Rng.Create(seed, i);
            var z = new double[rank];
            for (int r = 0; r < rank; r++)
            {
                z[r] = center[r] + halfWidth * rng.NextUniform(-1, 1);
            }

            var path = new List<double[]> { (double[])z.Clone() };
            var next = new double[rank];
            for (int t = 0; t < TrajectorySteps; t++)
            {
                map.Evaluate(z, next);
                next.CopyTo(z, 0);
                path.Add((double[])z.Clone());
                double distance = 0;
                for (int r = 0; r < rank; r++)
                {
                    distance = Math.Max(distance, Math.Abs(z[r] - center[r]));
                }

                if (distance > 3 * halfWidth)
                {
                    break;
                }
            }

            result.Add([.. path]);
        }

        return result;
    }
}

/// <summary>What a flow field shows besides the map: given paths instead of sampled trajectories, and the view box.</summary>
/// <param name="Paths">Each path flat [T, R] row-major (rows with NaN are skipped).</param>
/// <param name="Center">Centre of the view box, [R].</param>
/// <param name="HalfWidth">Half-width of the view box along every axis.</param>
/// <param name="AxisName">Name of the latent coordinates on the axes (z, κ, …).</param>
public sealed record FlowFieldView(IReadOnlyList<double[]> Paths, double[] Center, double HalfWidth, string AxisName = "z");
