using System.Globalization;
using LowRank.Analysis.FixedPoints;
using LowRank.Model;
using LowRank.Plotting;

namespace LowRank.Cli.Reports;

/// <summary>
/// The fixed points of a model's noise-free latent map at zero input, with their stability, on the flow field
/// (<see cref="FixedPointAnalysis"/>, <see cref="FixedPointPlots"/>). The exact enumeration visits every cell of the
/// kink arrangement, at most Σ_{k≤R} C(P, k) of them; above <see cref="ModelReportOptions.MaxExactCells"/> the report
/// searches approximately instead and says so.
/// </summary>
internal static class FixedPointSection
{
    /// <summary>The default bound on the cells the exact enumeration may visit (a few seconds on two cores).</summary>
    public const double DefaultMaxExactCells = 5e7;

    /// <summary>Fixed points listed in the table at most.</summary>
    private const int MaxRows = 30;

    /// <summary>Random starts of the approximate search.</summary>
    private const int Restarts = 200;

    public static void Add(HtmlSection section, LowRankRnn model, ModelReportOptions options, ReportDocument document, CliContext context, FigureScratch scratch, string name)
    {
        PiecewiseActivation? activation = model.Options.Activation switch
        {
            Activation.Relu => PiecewiseActivation.Relu,
            Activation.ClippedRelu => PiecewiseActivation.ClippedRelu,
            _ => null,
        };
        if (activation is null)
        {
            string note = $"No fixed points: they are enumerated for piecewise-linear activations (relu, clipped_relu), and this model uses {ModelNames.Of(model.Options.Activation)}.";
            section.Note(note);
            document.Notes.Add(note);
            return;
        }

        int rank = model.Rank;
        int kinks = activation == PiecewiseActivation.Relu ? model.Units : 2 * model.Units;
        double bound = CellBound(kinks, rank);
        bool exact = bound <= options.MaxExactCells;
        var analysis = new FixedPointAnalysisOptions
        {
            Method = exact ? FixedPointMethod.Exact : FixedPointMethod.Approximate,
            Restarts = Restarts,
            Seed = options.Request.Seed,
            Threads = options.Request.Threads,
            Progress = context.CreateProgress(),
        };
        FixedPointReport result = FixedPointAnalysis.Run(model, analysis);
        IReadOnlyList<FixedPoint> points = result.FixedPoints.FixedPoints;
        int stable = points.Count(p => p.Stability is StabilityKind.StableNode or StabilityKind.StableSpiral);
        string cells = string.Create(CultureInfo.InvariantCulture, $"{kinks} kinks (the {(activation == PiecewiseActivation.Relu ? "N" : "2N")} of {ModelNames.Of(model.Options.Activation)}) in rank {rank}: at most {HtmlReport.Count(bound)} cells");
        if (exact)
        {
            section.Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"The noise-free latent map at zero input, F(z) = a z + Ñ φ(M z; h). Every cell of its kink arrangement was solved ({cells}; {HtmlReport.Count(result.FixedPoints.Cells)} solved in {result.Seconds:0.00} s), so these are all its isolated fixed points: {points.Count}, {stable} stable."));
        }
        else
        {
            string note = string.Create(CultureInfo.InvariantCulture,
                $"Approximate search: the kink arrangement has {cells}, above the limit of {HtmlReport.Count(options.MaxExactCells)} for the exact enumeration (--max-exact-cells). "
                + $"The fixed points below were found by cell jumping from {Restarts} random starts; there may be others (lowrank fixed-points --method exact finds them all).");
            section.Note(note);
            document.Notes.Add(note);
            section.Paragraph(string.Create(CultureInfo.InvariantCulture, $"The noise-free latent map at zero input, F(z) = a z + Ñ φ(M z; h): {points.Count} fixed points found, {stable} stable ({result.Seconds:0.00} s)."));
        }

        if (model.Inputs > 0)
        {
            section.Paragraph($"The model has {model.Inputs} inputs; the map is analysed at zero input (lowrank fixed-points --input sets another).");
        }

        var rows = points.Take(MaxRows).Select((p, i) => new[]
        {
            (i + 1).ToString(CultureInfo.InvariantCulture),
            "(" + string.Join(", ", p.Z.Select(z => HtmlReport.Number(z, 4))) + ")",
            ModelNames.Of(p.Stability).Replace('_', ' '),
            HtmlReport.Number(SpectralRadius(p), 4),
            HtmlReport.Number(p.Residual, 2),
        }).ToList();
        if (rows.Count > 0)
        {
            section.Table(["#", "z", "type", "spectral radius of the Jacobian", "‖F(z) − z‖"], rows);
        }

        if (points.Count > MaxRows)
        {
            section.Paragraph($"… and {points.Count - MaxRows} more (lowrank fixed-points writes them all).");
        }

        byte[] png = scratch.Render(p => FixedPointPlots.SaveFlowField(p, result.Map, points, result.Cycles, name, options.Request.Seed));
        section.Image(png, "flow field with fixed points",
            rank == 1
                ? "F(z) − z against z with the fixed points (marker by type)."
                : "Arrows of F(z) − z, noise-free trajectories from random starts (blue) and the fixed points (marker by type)" + (rank > 2 ? ", in the planes of the first three latent axes, the others held at the centre of the fixed points." : "."));

        document.FixedPoints = new FixedPointFigures(
            ModelNames.Of(analysis.Method),
            kinks,
            bound,
            result.FixedPoints.Cells,
            points.Count,
            stable,
            [.. points.Select(p => new FixedPointFigure(p.Z, ModelNames.Of(p.Stability), SpectralRadius(p), p.Residual))]);
    }

    /// <summary>
    /// Σ_{k=0}^{R} C(P, k): the most cells P hyperplanes cut ℝ^R into (Zaslavsky; reached in general position), in
    /// floating point so that it cannot overflow.
    /// </summary>
    public static double CellBound(int kinks, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(kinks);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        double sum = 0, term = 1;
        for (int k = 0; k <= Math.Min(rank, kinks); k++)
        {
            sum += term;
            term = term * (kinks - k) / (k + 1);
        }

        return sum;
    }

    private static double SpectralRadius(FixedPoint point) => point.Eigenvalues.Length == 0 ? 0 : point.Eigenvalues.Max(e => e.Magnitude);
}
