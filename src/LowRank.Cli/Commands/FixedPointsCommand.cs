using System.CommandLine;
using System.Globalization;
using System.Numerics;
using LowRank.Analysis.FixedPoints;
using LowRank.Formats;
using LowRank.Model;
using LowRank.Plotting;

namespace LowRank.Cli.Commands;

/// <summary>Options of <c>lowrank fixed-points</c>.</summary>
internal sealed record FixedPointsOptions(string Model, FixedPointAnalysisOptions Analysis, string Out, string? Plot);

/// <summary><c>lowrank fixed-points</c>: all fixed points (and optionally cycles) of a saved relu / clipped-relu model.</summary>
internal static class FixedPointsCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "Model directory (model.json + params.npz).", Required = true };
        var input = new Option<string?>("--input") { Description = "Constant input u1,u2,… (default: zero input)." };
        var method = CommonOptions.Choice("--method", "exact: every cell of the kink arrangement; approximate: SCYFI-style cell jumping.", FixedPointMethod.Exact);
        var cycles = new Option<int>("--cycles") { Description = "Also search cycles of periods 2…P (0: none).", DefaultValueFactory = _ => 0 };
        var restarts = new Option<int>("--restarts") { Description = "Random starts of the approximate and cycle searches.", DefaultValueFactory = _ => 200 };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var output = new Option<string>("--out", "--json") { Description = "Output JSON file with the fixed points, cycles and timings (--json is the same option).", Required = true };
        var plot = new Option<string?>("--plot") { Description = "Also draw the flow field with the fixed points to this PNG." };
        var command = new Command("fixed-points", "Find all fixed points (and cycles) of a relu / clipped-relu model at constant input, with their stability.")
        {
            model, input, method, cycles, restarts, seed, threads, output, plot,
        };
        command.SetAction(parse => context.Execute(() => Run(context, new FixedPointsOptions(
            parse.GetValue(model)!,
            new FixedPointAnalysisOptions
            {
                Input = ParseInput(parse.GetValue(input)),
                Method = ModelNames.Parse<FixedPointMethod>(parse.GetValue(method)!, "method"),
                MaxCyclePeriod = parse.GetValue(cycles),
                Restarts = parse.GetValue(restarts),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
                Progress = context.CreateProgress(),
            },
            parse.GetValue(output)!,
            parse.GetValue(plot)))));
        return command;
    }

    private static int Run(CliContext context, FixedPointsOptions options)
    {
        CommonOptions.RequireExtension(options.Out, ".json", "--out");
        if (options.Plot is not null)
        {
            CommonOptions.RequireExtension(options.Plot, ".png", "--plot");
        }

        if (options.Analysis.MaxCyclePeriod < 0)
        {
            throw new InputException($"--cycles must be 0 (none) or a period ≥ 2, got {options.Analysis.MaxCyclePeriod}.", "pass --cycles 2 to search 2-cycles, --cycles 4 for periods 2 to 4.");
        }

        CommonOptions.RequirePositive(options.Analysis.Restarts, "Restarts");
        new OutputPlan().Reads(options.Model, "--model").WritesFile(options.Out, "--out").WritesFile(options.Plot, "--plot").Check();
        var stored = ModelStore.Load(options.Model);
        FixedPointReport report = FixedPointAnalysis.Run(stored.Model, options.Analysis);
        JsonFile.Write(options.Out, ToDocument(report, options.Analysis));
        IReadOnlyList<FixedPoint> points = report.FixedPoints.FixedPoints;
        int stable = points.Count(p => IsStable(p.Stability));
        context.Output.WriteLine(
            $"{points.Count} fixed points ({stable} stable), {report.Cycles.Count} cycles; {report.FixedPoints.Cells} cells in {report.Seconds:F3} s; wrote {options.Out}");
        if (options.Plot is not null)
        {
            FixedPointPlots.SaveFlowField(options.Plot, report.Map, points, report.Cycles, Path.GetFileName(Path.GetFullPath(options.Model).TrimEnd(Path.DirectorySeparatorChar)), options.Analysis.Seed);
            context.Output.WriteLine($"wrote {options.Plot}");
        }

        return ExitCodes.Success;
    }

    /// <summary>Whether every eigenvalue lies inside the unit circle (a stable node or spiral).</summary>
    private static bool IsStable(StabilityKind kind) => kind is StabilityKind.StableNode or StabilityKind.StableSpiral;

    /// <summary>
    /// The JSON written by <c>--out</c>: <c>{"fixed_points":[{"z","eigenvalues":[[re,im]],"stability"}],"cycles":…,
    /// "fixed_point_count","stable_fixed_points","cycle_count","stable_cycles","cells","seconds"}</c> (the counts are what
    /// <c>sweep collect</c> compares across a seed sweep).
    /// </summary>
    internal static FixedPointsDocument ToDocument(FixedPointReport report, FixedPointAnalysisOptions options) => new(
        report.FixedPoints.FixedPoints.Select(p => new FixedPointEntry(p.Z, Pairs(p.Eigenvalues), ModelNames.Of(p.Stability), p.Residual)).ToArray(),
        report.Cycles.Select(c => new CycleEntry(c.Period, c.Points, Pairs(c.Eigenvalues), ModelNames.Of(c.Stability), c.Residual)).ToArray(),
        report.FixedPoints.FixedPoints.Count,
        report.FixedPoints.FixedPoints.Count(p => IsStable(p.Stability)),
        report.Cycles.Count,
        report.Cycles.Count(c => IsStable(c.Stability)),
        report.FixedPoints.Cells,
        report.FixedPoints.SingularCells,
        report.Seconds,
        ModelNames.Of(options.Method),
        options.Input);

    private static double[][] Pairs(Complex[] values) => values.Select(v => new[] { v.Real, v.Imaginary }).ToArray();

    /// <summary>Parses <c>--input u1,u2,…</c> (empty: zero input).</summary>
    internal static double[] ParseInput(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
            {
                throw new InputException($"--input value '{parts[i]}' (position {i + 1} of '{text}') is not a number.", "pass comma-separated numbers, e.g. --input 0.5,-1.");
            }
        }

        return values;
    }
}

internal sealed record FixedPointEntry(double[] Z, double[][] Eigenvalues, string Stability, double Residual);

internal sealed record CycleEntry(int Period, double[][] Points, double[][] Eigenvalues, string Stability, double Residual);

internal sealed record FixedPointsDocument(
    FixedPointEntry[] FixedPoints, CycleEntry[] Cycles, int FixedPointCount, int StableFixedPoints, int CycleCount, int StableCycles, long Cells, long SingularCells, double Seconds, string Method, double[] Input);
