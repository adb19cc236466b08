using System.Globalization;
using LowRank.Numerics;

namespace LowRank.Sweeps;

/// <summary>A figure over the models of a seed sweep: its centre and spread.</summary>
/// <param name="Figure">The figure's flattened key.</param>
/// <param name="Runs">Done runs that reported a finite value.</param>
/// <param name="Median">Their median.</param>
/// <param name="Mad">Median absolute deviation from the median (unscaled).</param>
/// <param name="Mean">Their mean.</param>
/// <param name="StandardDeviation">Sample standard deviation (n − 1); 0 for one run.</param>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
/// <param name="Counts">For a figure whose values are all whole numbers (a count): each value with the number of runs that reached it, most runs first; otherwise empty.</param>
public sealed record EnsembleFigure(string Figure, int Runs, double Median, double Mad, double Mean, double StandardDeviation, double Min, double Max, IReadOnlyList<ValueCount> Counts);

/// <summary>A value of a count figure and how many runs reached it.</summary>
public sealed record ValueCount(double Value, int Runs);

/// <summary>One structural property compared across the restarts of a seed sweep.</summary>
/// <param name="Property">What it is, in words (<c>fixed points</c>).</param>
/// <param name="Figure">The figure that measures it.</param>
public sealed record StructureFigure(string Property, EnsembleFigure Figure);

/// <summary>
/// The models of a seed sweep compared across restarts (docs/sweeps.md, "Seed ensembles"): every figure's median,
/// median absolute deviation, mean, sd and range over the done runs, and the structure of the fitted dynamics — number
/// and stability of fixed points and cycles (<c>fixed-points</c> follow-up), dominant frequency of generated and recorded
/// data (<c>evaluate</c> follow-up).
/// </summary>
/// <param name="SeedAxes">The seed axes the runs differ by.</param>
/// <param name="Runs">Done runs.</param>
/// <param name="Figures">Every non-list figure a done run reported, in the table's order.</param>
/// <param name="Structure">The structural figures found, in the order of <see cref="SeedEnsemble.StructureKeys"/>.</param>
public sealed record SeedEnsembleResult(IReadOnlyList<string> SeedAxes, int Runs, IReadOnlyList<EnsembleFigure> Figures, IReadOnlyList<StructureFigure> Structure);

/// <summary>
/// The seed-ensemble analysis of a sweep's results: applies when every axis with more than one value is a seed axis
/// (<see cref="ResultsTable.IsSeedAxis"/>) and at least two runs are done.
/// </summary>
public static class SeedEnsemble
{
    /// <summary>The last part of each structural figure's key, with what it measures.</summary>
    public static IReadOnlyList<(string Key, string Property)> StructureKeys { get; } =
    [
        ("fixed_point_count", "fixed points"),
        ("stable_fixed_points", "stable fixed points"),
        ("cycle_count", "cycles"),
        ("stable_cycles", "stable cycles"),
        ("dominant_frequency", "dominant frequency of generated data (cycles/step)"),
        ("data_dominant_frequency", "dominant frequency of the data (cycles/step)"),
    ];

    /// <summary>
    /// The seed ensemble of <paramref name="table"/>, or null with <paramref name="reason"/> saying why there is none
    /// (null reason: the sweep is not a seed sweep, so there is nothing to say).
    /// </summary>
    public static SeedEnsembleResult? Analyse(ResultsTable table, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(table);
        reason = null;
        SweepAxis[] varying = [.. table.Axes.Where(a => a.Values.Count > 1)];
        if (varying.Length == 0 || varying.Any(a => !ResultsTable.IsSeedAxis(a.Name)))
        {
            return null;
        }

        ResultRow[] done = [.. table.Rows.Where(r => r.State == RunState.Done)];
        if (done.Length < 2)
        {
            reason = $"{done.Length} run{(done.Length == 1 ? " is" : "s are")} done; restarts are compared from two on.";
            return null;
        }

        var figures = new List<EnsembleFigure>();
        foreach (FigureColumn column in table.Figures.Where(f => !f.InArray))
        {
            double[] values = [.. done.Where(r => r.Figures.TryGetValue(column.Name, out double v) && double.IsFinite(v)).Select(r => r.Figures[column.Name])];
            if (values.Length > 0)
            {
                figures.Add(Summarise(column.Name, values));
            }
        }

        var structure = new List<StructureFigure>();
        foreach ((string key, string property) in StructureKeys)
        {
            if (RankSelection.FigureEndingWith(table, key) is { } name && figures.FirstOrDefault(f => f.Figure == name) is { } figure)
            {
                structure.Add(new StructureFigure(property, figure));
            }
        }

        return new SeedEnsembleResult([.. varying.Select(a => a.Name)], done.Length, figures, structure);
    }

    /// <summary>The centre, spread and (for whole numbers) value counts of <paramref name="values"/>.</summary>
    public static EnsembleFigure Summarise(string figure, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("a figure is summarised over at least one value.", nameof(values));
        }

        double median = Statistics.Median(values);
        double mad = Statistics.Median([.. values.Select(v => Math.Abs(v - median))]);
        ValueCount[] counts = values.All(v => v == Math.Round(v))
            ? [.. values.GroupBy(v => v).Select(g => new ValueCount(g.Key, g.Count())).OrderByDescending(c => c.Runs).ThenBy(c => c.Value)]
            : [];
        return new EnsembleFigure(figure, values.Count, median, mad, Statistics.Mean(values), values.Count > 1 ? Statistics.SampleSd(values) : 0, values.Min(), values.Max(), counts);
    }

    /// <summary>
    /// One line per structural figure: <c>fixed points: 3 in 7 runs, 1 in 3 runs (fixed-points.fixed_point_count)</c>
    /// for a count, <c>…: median 0.0612, MAD 0.0011, range 0.0580–0.0660 (evaluate.dominant_frequency)</c> otherwise.
    /// </summary>
    public static IEnumerable<string> DescribeStructure(SeedEnsembleResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (StructureFigure item in result.Structure)
        {
            yield return $"{item.Property}: {Summary(item.Figure)} ({item.Figure.Figure})";
        }
    }

    /// <summary><c>3 in 7 runs, 1 in 3 runs</c> for a count, <c>median 0.0612, MAD 0.0011, range 0.0580–0.0660</c> otherwise.</summary>
    public static string Summary(EnsembleFigure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        return figure.Counts.Count > 0
            ? string.Join(", ", figure.Counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Value:0} in {c.Runs} run{(c.Runs == 1 ? "" : "s")}")))
            : string.Create(CultureInfo.InvariantCulture, $"median {figure.Median:0.####}, MAD {figure.Mad:0.####}, range {figure.Min:0.####}–{figure.Max:0.####}");
    }
}
