using System.Globalization;
using System.Text;
using System.Text.Json;
using LowRank.Formats;

namespace LowRank.Sweeps;

/// <summary>One run in the results: its name, state, axis values and every number its steps' JSON files reported.</summary>
public sealed record ResultRow(string Run, RunState State, IReadOnlyList<SpecOption> Axes, IReadOnlyDictionary<string, double> Figures);

/// <summary>A column of figures: its flattened key, and whether it is an element of a list.</summary>
public sealed record FigureColumn(string Name, bool InArray);

/// <summary>One value of the plotted axis within a series: the runs' figures there, their mean and standard deviation.</summary>
public sealed record SpreadPoint(SpecValue X, IReadOnlyList<double> Values, double Mean, double StandardDeviation);

/// <summary>The runs that share the values of every axis but the plotted one and the seed axes.</summary>
/// <param name="Label">Those values, e.g. <c>units=64</c>; <c>all runs</c> when there are no such axes.</param>
/// <param name="Points">The plotted axis's values the runs reached, in the spec's order.</param>
public sealed record SpreadSeries(string Label, IReadOnlyList<SpreadPoint> Points);

/// <summary>
/// The results of a sweep, one row per run (its axis values and every number its steps reported, as flattened keys
/// <c>STEP.PATH</c>), written as <c>results.csv</c> and <c>results.json</c>, and the spread of a figure over the seed axes.
/// </summary>
public sealed class ResultsTable
{
    private ResultsTable(IReadOnlyList<SweepAxis> axes, IReadOnlyList<FigureColumn> figures, IReadOnlyList<ResultRow> rows)
    {
        Axes = axes;
        Figures = figures;
        Rows = rows;
    }

    /// <summary>The sweep's axes with their values, in the spec's order.</summary>
    public IReadOnlyList<SweepAxis> Axes { get; }

    /// <summary>Figure columns: by step, then in the order the runs' files first report them.</summary>
    public IReadOnlyList<FigureColumn> Figures { get; }

    /// <summary>One row per run, in the order of the points.</summary>
    public IReadOnlyList<ResultRow> Rows { get; }

    /// <summary>Whether <paramref name="axis"/> is a seed axis (its name holds <c>seed</c>): figures are spread over these.</summary>
    public static bool IsSeedAxis(string axis)
    {
        ArgumentNullException.ThrowIfNull(axis);
        return axis.Contains("seed", StringComparison.Ordinal);
    }

    /// <summary>
    /// Reads every run's status and the figures files of its steps; <paramref name="effective"/> maps a status as
    /// recorded to the one shown (a run recorded as running whose process is gone is not running), identity when null.
    /// </summary>
    public static ResultsTable Collect(OpenedSweep sweep, Func<RunStatus, RunStatus>? effective = null)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var rows = new List<ResultRow>();
        var columns = new List<FigureColumn>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        var perStep = new List<List<FigureColumn>>();
        foreach (SweepStep _ in sweep.Spec.Steps)
        {
            perStep.Add([]);
        }

        foreach (SweepPoint point in sweep.Points)
        {
            RunDirectory run = sweep.RunOf(point);
            var figures = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int s = 0; s < sweep.Spec.Steps.Count; s++)
            {
                string step = sweep.Spec.Steps[s].Name;
                string path = run.FiguresOf(step);
                if (!File.Exists(path))
                {
                    continue;
                }

                foreach (Figure figure in Read(path, step))
                {
                    figures[figure.Key] = figure.Value;
                    if (known.Add(figure.Key))
                    {
                        perStep[s].Add(new FigureColumn(figure.Key, figure.InArray));
                    }
                }
            }

            RunStatus status = run.ReadStatus();
            rows.Add(new ResultRow(point.Name, (effective is null ? status : effective(status)).State, point.Values, figures));
        }

        foreach (List<FigureColumn> step in perStep)
        {
            columns.AddRange(step);
        }

        return new ResultsTable(sweep.Spec.Axes, columns, rows);
    }

    /// <summary>Figures worth a plot: not list elements, reported by a done run, and not the same in every done run.</summary>
    public IReadOnlyList<string> VaryingFigures() =>
        [.. Figures.Where(f => !f.InArray).Select(f => f.Name).Where(name =>
            Rows.Where(r => r.State == RunState.Done && r.Figures.ContainsKey(name)).Select(r => r.Figures[name]).Distinct().Count() > 1)];

    /// <summary>
    /// <paramref name="figure"/> against <paramref name="axis"/> over the done runs: one series per combination of the
    /// other axes that are not seed axes (<see cref="IsSeedAxis"/>), each value of the axis with the runs' figures (so
    /// over the seeds), their mean and sample standard deviation (0 for one run). Axis values no run reached are left out.
    /// </summary>
    public IReadOnlyList<SpreadSeries> SpreadOf(string figure, string axis)
    {
        ArgumentNullException.ThrowIfNull(figure);
        SweepAxis plotted = Axes.FirstOrDefault(a => a.Name == axis) ?? throw new ArgumentException($"the sweep has no axis '{axis}'.", nameof(axis));
        string[] grouping = [.. Axes.Select(a => a.Name).Where(a => a != axis && !IsSeedAxis(a))];
        var series = new List<SpreadSeries>();
        IEnumerable<IGrouping<string, ResultRow>> groups = Rows
            .Where(r => r.State == RunState.Done && r.Figures.ContainsKey(figure))
            .GroupBy(r => string.Join(", ", grouping.Select(g => $"{g}={r.Axes.First(v => v.Name == g).Value.Text}")));
        foreach (IGrouping<string, ResultRow> group in groups)
        {
            var points = new List<SpreadPoint>();
            foreach (SpecValue x in plotted.Values)
            {
                double[] values = [.. group.Where(r => r.Axes.First(v => v.Name == axis).Value == x).Select(r => r.Figures[figure])];
                if (values.Length > 0)
                {
                    double mean = values.Average();
                    double sd = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : 0;
                    points.Add(new SpreadPoint(x, values, mean, sd));
                }
            }

            series.Add(new SpreadSeries(group.Key.Length == 0 ? "all runs" : group.Key, points));
        }

        return series;
    }

    /// <summary>The table as CSV: <c>run,state</c>, the axes, the figures; an empty cell where a run reported no such figure.</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', new[] { "run", "state" }.Concat(Axes.Select(a => a.Name)).Concat(Figures.Select(f => f.Name)).Select(Quote)).Append('\n');
        foreach (ResultRow row in Rows)
        {
            IEnumerable<string> cells = new[] { row.Run, StateName(row.State) }
                .Concat(row.Axes.Select(v => v.Value.Text))
                .Concat(Figures.Select(f => row.Figures.TryGetValue(f.Name, out double value) ? value.ToString("R", CultureInfo.InvariantCulture) : ""));
            csv.AppendJoin(',', cells.Select(Quote)).Append('\n');
        }

        return csv.ToString();
    }

    /// <summary>Writes <see cref="ToCsv"/> to <paramref name="path"/> (atomically).</summary>
    public void WriteCsv(string path) => AtomicFile.WriteText(path, ToCsv());

    /// <summary>
    /// Writes the table as JSON (atomically): the axis and figure names, then one object per run with <c>run</c>,
    /// <c>state</c>, each axis value (a number stays a number) and each figure it reported (non-finite ones as strings);
    /// then, when given, <paramref name="analysis"/>'s <c>rank_selection</c> and <c>seed_ensemble</c> (with their notes).
    /// </summary>
    public void WriteJson(string path, SweepAnalysis? analysis = null)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            writer.WriteStartObject();
            writer.WriteStartArray("axes");
            foreach (SweepAxis axis in Axes)
            {
                writer.WriteStringValue(axis.Name);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("figures");
            foreach (FigureColumn figure in Figures)
            {
                writer.WriteStringValue(figure.Name);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("runs");
            foreach (ResultRow row in Rows)
            {
                writer.WriteStartObject();
                writer.WriteString("run", row.Run);
                writer.WriteString("state", StateName(row.State));
                foreach (SpecOption value in row.Axes)
                {
                    writer.WritePropertyName(value.Name);
                    value.Value.WriteTo(writer);
                }

                foreach (FigureColumn figure in Figures)
                {
                    if (row.Figures.TryGetValue(figure.Name, out double value))
                    {
                        if (double.IsFinite(value))
                        {
                            writer.WriteNumber(figure.Name, value);
                        }
                        else
                        {
                            writer.WriteString(figure.Name, value.ToString(CultureInfo.InvariantCulture));
                        }
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (analysis is not null)
            {
                writer.WritePropertyName("rank_selection");
                JsonSerializer.Serialize(writer, analysis.RankSelection, JsonFile.Options);
                writer.WritePropertyName("rank_selection_note");
                JsonSerializer.Serialize(writer, analysis.RankSelectionNote, JsonFile.Options);
                writer.WritePropertyName("seed_ensemble");
                JsonSerializer.Serialize(writer, analysis.SeedEnsemble, JsonFile.Options);
                writer.WritePropertyName("seed_ensemble_note");
                JsonSerializer.Serialize(writer, analysis.SeedEnsembleNote, JsonFile.Options);
            }

            writer.WriteEndObject();
            writer.Flush();
            stream.WriteByte((byte)'\n');
        });
    }

    /// <summary>A state as status.json and the results write it (<c>done</c>).</summary>
    public static string StateName(RunState state) => JsonNamingPolicy.SnakeCaseLower.ConvertName(state.ToString());

    private static List<Figure> Read(string path, string step)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            return FigureFlattening.Flatten(document.RootElement, step);
        }
        catch (JsonException ex)
        {
            throw new InputException($"figures file '{path}' is not valid JSON: {ex.Message}", $"delete it and its run's {RunDirectory.StatusFile} to run that run again.", ex);
        }
    }

    private static string Quote(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}
