using System.Globalization;
using LowRank.Plotting;
using LowRank.Sweeps;

namespace LowRank.Cli.Reports;

/// <summary>
/// The report of a sweep directory (<c>lowrank sweep run</c>): the spec, the runs by state (with the reasons of those not
/// done), the results table and each figure against each axis with its spread over the seeds. The table is computed from
/// the runs' files as <c>lowrank sweep collect</c> computes it (<see cref="ResultsTable.Collect"/>), so the report is
/// current whether or not collect has run, and nothing is written into the sweep directory.
/// </summary>
internal static class SweepReport
{
    public static (HtmlReport Report, ReportDocument Document) Build(string directory, FigureScratch scratch)
    {
        OpenedSweep sweep = SweepDirectory.Open(directory);
        ResultsTable table = ResultsTable.Collect(sweep, LowRank.Cli.Sweeps.EffectiveStatus.For(sweep.Directory));
        string name = Path.GetFileName(sweep.Directory.TrimEnd(Path.DirectorySeparatorChar));
        var report = new HtmlReport($"lowrank report: sweep '{name}'");
        report.Subtitle.Add(sweep.Directory);
        report.Subtitle.Add($"written {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC by {CliProvenance.ToolVersion}");
        var document = new ReportDocument { Kind = "sweep", Path = sweep.Directory };

        AddSpec(report.AddSection("sweep", "Sweep"), sweep, table, document);
        AddResults(report.AddSection("results", "Results"), table, document);
        SweepAnalysis analysis = SweepAnalysis.Of(table);
        if (analysis.RankSelection is not null || analysis.RankSelectionNote is not null)
        {
            AddRankSelection(report.AddSection("rank-selection", "Rank selection"), analysis, document, scratch);
        }

        if (analysis.SeedEnsemble is not null || analysis.SeedEnsembleNote is not null)
        {
            AddSeedEnsemble(report.AddSection("seed-ensemble", "Seed ensemble"), table, analysis, document, scratch);
        }

        AddPlots(report.AddSection("plots", "Figures against axes"), table, document, scratch);
        return (report, document);
    }

    private static void AddSpec(HtmlSection section, OpenedSweep sweep, ResultsTable table, ReportDocument document)
    {
        SweepSpec spec = sweep.Spec;
        string follow = spec.FollowUp.Count == 0 ? "" : " then " + string.Join(", ", spec.FollowUp.Select(s => $"'lowrank {s.Command}'"));
        section.Paragraph($"'lowrank {spec.Main.Command}'{follow} over {string.Join(" × ", spec.Axes.Select(a => $"{a.Name} ({a.Values.Count})"))}: {sweep.Points.Count} runs.");
        section.Subheading("Axes");
        section.Table(["axis", "values"], [.. spec.Axes.Select(a => new[] { a.Name, string.Join(", ", a.Values.Select(v => v.Text)) })]);
        section.Subheading("Options every run passes");
        foreach (SweepStep step in spec.Steps)
        {
            string options = step.Options.Count == 0 ? "(none)" : string.Join(" ", step.Options.Select(o => $"--{o.Name} {o.Value.Text}"));
            section.KeyValues([($"lowrank {step.Command}", options)], codeNames: true);
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (RunState state in Enum.GetValues<RunState>())
        {
            counts[ResultsTable.StateName(state)] = table.Rows.Count(r => r.State == state);
        }

        document.Runs = counts;
        document.Axes = [.. spec.Axes.Select(a => a.Name)];
        section.Subheading("Runs");
        section.Paragraph(string.Join(", ", counts.Select(c => $"{c.Value} {c.Key}")) + ".");
        Func<RunStatus, RunStatus> effective = LowRank.Cli.Sweeps.EffectiveStatus.For(sweep.Directory);
        var notDone = sweep.Points.Select(p => (Point: p, Status: effective(sweep.RunOf(p).ReadStatus()))).Where(r => r.Status.State != RunState.Done).ToList();
        if (notDone.Count > 0)
        {
            section.Table(
                ["run", "state", "step", "reason"],
                [.. notDone.Select(r => new[] { r.Point.Name, ResultsTable.StateName(r.Status.State), r.Status.Step ?? "", r.Status.Reason ?? "" })]);
            section.Note($"{notDone.Count} of {sweep.Points.Count} runs are not done: the results and figures below are those of the done runs. lowrank sweep run with the same spec and folder continues the others.");
        }
    }

    private static void AddResults(HtmlSection section, ResultsTable table, ReportDocument document)
    {
        FigureColumn[] shown = [.. table.Figures.Where(f => !f.InArray)];
        int listed = table.Figures.Count - shown.Length;
        section.Paragraph($"One row per run: its state, its axis values and every figure its steps reported (the figures files STEP.json), as lowrank sweep collect writes them to results.csv.");
        if (listed > 0)
        {
            section.Note($"{listed} columns that are elements of lists (e.g. {table.Figures.First(f => f.InArray).Name}) are left out of this table; lowrank sweep collect writes them to results.csv.");
        }

        if (table.Figures.Count == 0)
        {
            section.Note("No run has reported figures yet.");
        }

        string[] headers = ["run", "state", .. table.Axes.Select(a => a.Name), .. shown.Select(f => f.Name)];
        var rows = new List<string[]>();
        var highlight = new HashSet<int>();
        foreach (ResultRow row in table.Rows)
        {
            if (row.State == RunState.Failed)
            {
                highlight.Add(rows.Count);
            }

            rows.Add(
            [
                row.Run,
                ResultsTable.StateName(row.State),
                .. row.Axes.Select(v => v.Value.Text),
                .. shown.Select(f => row.Figures.TryGetValue(f.Name, out double value) ? HtmlReport.Number(value, 6) : ""),
            ]);
        }

        section.Table(headers, rows, highlight: highlight);
        document.Results = [.. table.Rows.Select(r => new SweepRunFigures(
            r.Run, ResultsTable.StateName(r.State), r.Axes.ToDictionary(v => v.Name, v => v.Value.Text), r.Figures))];
    }

    private static void AddRankSelection(HtmlSection section, SweepAnalysis analysis, ReportDocument document, FigureScratch scratch)
    {
        if (analysis.RankSelection is not { } result)
        {
            section.Note($"No rank is recommended: {analysis.RankSelectionNote}");
            return;
        }

        document.RankSelection = result;
        section.Paragraph($"The one-standard-error rule on {result.Objective} (higher is better): the smallest rank whose mean over the seeds is within one standard error of the best rank's mean. {Capitalised(RankSelection.Describe(result))}.");
        string[] companions = [.. result.Levels.SelectMany(l => l.Companions.Select(c => c.Figure)).Distinct()];
        section.Table(
            ["rank", "runs", $"{result.Objective} (mean ± se)", .. companions.Select(c => $"{c} (mean ± sd)")],
            [.. result.Levels.Select(l => (string[])
            [
                l.Rank.ToString(CultureInfo.InvariantCulture),
                l.Objective.Runs.ToString(CultureInfo.InvariantCulture),
                $"{HtmlReport.Number(l.Objective.Mean, 6)} ± {HtmlReport.Number(l.Objective.StandardError, 3)}",
                .. companions.Select(c => l.Companions.FirstOrDefault(s => s.Figure == c) is { } s ? $"{HtmlReport.Number(s.Mean, 4)} ± {HtmlReport.Number(s.StandardDeviation, 3)}" : ""),
            ])],
            highlight: new HashSet<int> { result.Levels.ToList().FindIndex(l => l.Rank == result.RecommendedRank) });
        if (result.SomeRankHasOneRun)
        {
            section.Note("Some rank has a single done run: its standard error is unknown and taken as 0. Sweep two or more seeds per rank.");
        }

        byte[] png = scratch.Render(p => SweepPlots.SaveRankSelection(p, result));
        section.Image(png, "Held-out objective and companion figures against the rank", $"{result.Objective} against the rank (mean ± se; dashed: best − 1 se; red: rank {result.RecommendedRank}, recommended), and the other figures (mean ± sd over the seeds).");
    }

    private static string Capitalised(string sentence) => sentence.Length == 0 ? sentence : char.ToUpperInvariant(sentence[0]) + sentence[1..];

    private static void AddSeedEnsemble(HtmlSection section, ResultsTable table, SweepAnalysis analysis, ReportDocument document, FigureScratch scratch)
    {
        if (analysis.SeedEnsemble is not { } result)
        {
            section.Note($"The restarts are not compared: {analysis.SeedEnsembleNote}");
            return;
        }

        document.SeedEnsemble = result;
        section.Paragraph($"The {result.Runs} done runs differ only by {string.Join(", ", result.SeedAxes)}: what the fitted models share and where they differ. MAD is the median absolute deviation from the median.");
        if (result.Structure.Count > 0)
        {
            section.Subheading("Structure across the restarts");
            section.KeyValues([.. result.Structure.Select(s => (s.Property, $"{SeedEnsemble.Summary(s.Figure)} ({s.Figure.Figure})"))]);
        }
        else
        {
            section.Note("No run reported fixed points or a dominant frequency: add the follow-up steps 'fixed-points' and 'evaluate' to compare the fitted dynamics (docs/sweeps.md).");
        }

        section.Subheading("Spread of every figure");
        section.Table(
            ["figure", "runs", "median", "MAD", "mean", "sd", "min", "max"],
            [.. result.Figures.Select(f => new[]
            {
                f.Figure, f.Runs.ToString(CultureInfo.InvariantCulture), HtmlReport.Number(f.Median, 6), HtmlReport.Number(f.Mad, 4),
                HtmlReport.Number(f.Mean, 6), HtmlReport.Number(f.StandardDeviation, 4), HtmlReport.Number(f.Min, 6), HtmlReport.Number(f.Max, 6),
            })],
            codeFirstColumn: true);
        byte[] png = scratch.Render(p => SweepPlots.SaveSeedEnsemble(p, table, result));
        section.Image(png, "Structural and quality figures of each restart", "Each restart a point at its seed; dashed: the median; band: ± the median absolute deviation.");
    }

    private static void AddPlots(HtmlSection section, ResultsTable table, ReportDocument document, FigureScratch scratch)
    {
        IReadOnlyList<string> figures = table.VaryingFigures();
        var plots = new List<SweepPlotEntry>();
        int constant = table.Figures.Count(f => !f.InArray) - figures.Count;
        section.Paragraph("Each figure that differs between the done runs, against each axis: every run a faint point, per combination of the other axes "
            + "that are not seeds the mean joined by a line, with ± one standard deviation over the seed axes (axes whose name contains 'seed')."
            + (constant > 0 ? $" {constant} figures are the same in every done run (or reported by none) and are not drawn." : ""));
        if (figures.Count == 0)
        {
            section.Note("No figure differs between the done runs, so there is nothing to plot.");
        }

        foreach (string figure in figures)
        {
            var row = new List<(byte[], string, string)>();
            foreach (SweepAxis axis in table.Axes)
            {
                byte[] png = scratch.Render(p => SweepPlots.SaveFigureVsAxis(p, table, figure, axis.Name));
                row.Add((png, $"{figure} against {axis.Name}", $"{figure} against {axis.Name}."));
                plots.Add(new SweepPlotEntry(figure, axis.Name));
            }

            section.Gallery(row);
        }

        document.Plots = plots;
    }
}
