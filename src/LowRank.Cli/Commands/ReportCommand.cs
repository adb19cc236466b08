using System.CommandLine;
using System.Globalization;
using LowRank.Cli.Reports;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Metrics;
using LowRank.Model;
using LowRank.RateNetworks;
using LowRank.Sweeps;

namespace LowRank.Cli.Commands;

/// <summary>What <c>lowrank report</c> was asked to do.</summary>
/// <param name="Path">A model directory or a sweep directory.</param>
/// <param name="Out">The HTML file to write.</param>
/// <param name="JsonPath">Where to write the report's figures as JSON, or null.</param>
/// <param name="Model">What a model's report computes.</param>
/// <param name="ModelFlags">The flags given that only a stochastic model's report uses (refused for a sweep or a rate network).</param>
internal sealed record ReportOptions(string Path, string Out, string? JsonPath, ModelReportOptions Model, IReadOnlyList<string> ModelFlags);

/// <summary>
/// <c>lowrank report (MODEL_DIR | SWEEP_DIR) --out report.html</c>: one self-contained HTML file (figures embedded as
/// PNG data URIs, inline style, no script, nothing fetched): for a fitted model its options, learning curve, data
/// against generated series with their spectra, metrics, fixed points and flow field; for a sweep its results table
/// and each figure against each axis (docs/report.md).
/// </summary>
internal static class ReportCommand
{
    /// <summary>The report's Monte-Carlo seeds of D_stsp: fewer than evaluate's 5, so that a report takes seconds.</summary>
    public const int DefaultSeeds = 2;

    public static Command Create(CliContext context)
    {
        var request = new EvaluationRequest();
        var path = new Argument<string>("PATH") { Description = "A model directory (lowrank fit, simulate --model-out, task train, lint fit) or a sweep directory (lowrank sweep run --out)." };
        var output = new Option<string>("--out") { Description = "The HTML file to write (self-contained: open it in any browser, offline).", Required = true };
        var json = CommonOptions.Json();
        var data = new Option<string?>("--data") { Description = "Model: the recording to compare generated series with (default: the one the fit read, named in model.json, when it is readable)." };
        var burnIn = new Option<int>("--burn-in") { Description = "Model: steps simulated before recording each generated series (published protocol: 2400).", DefaultValueFactory = _ => request.BurnIn };
        var seeds = new Option<int>("--seeds") { Description = "Model: Monte-Carlo repetitions of D_stsp averaged (evaluate's default is 5).", DefaultValueFactory = _ => DefaultSeeds };
        var generations = new Option<int>("--generations") { Description = "Model: series generated from independent seeds and scored; series 0 is drawn.", DefaultValueFactory = _ => request.Generations };
        var holdout = new Option<double?>("--holdout") { Description = "Model: score the last fraction of the recording only (default: the part the fit held out, if any; else all of it)." };
        var maxCells = new Option<double>("--max-exact-cells") { Description = "Model: enumerate the fixed points exactly when the kink arrangement has at most this many cells (Σ_{k≤R} C(P, k)); above it, search approximately.", DefaultValueFactory = _ => FixedPointSection.DefaultMaxExactCells };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var preprocessing = PreprocessingOptions.ForModel();
        var command = new Command("report", "Write one self-contained HTML report of a fitted model (options, learning curve, data against generated series, spectra, metrics, fixed points) or of a sweep (results table, figures against axes).")
        {
            path, output, json, data, burnIn, seeds, generations, holdout, maxCells, seed, threads,
        };
        preprocessing.AddTo(command);
        Option[] modelOnly = [data, burnIn, seeds, generations, holdout, maxCells, seed];
        command.SetAction(parse => context.Execute(() =>
        {
            PreprocessingRequest read = preprocessing.Read(parse);
            string[] given =
            [
                .. modelOnly.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name),
                .. new (bool Given, string Flag)[] { (read.Channels is not null, "--channels"), (read.ZScore, "--zscore"), (read.Preprocessed, "--preprocessed"), (read.Binning is not null, "--bin-width") }
                    .Where(f => f.Given).Select(f => f.Flag),
            ];
            return Run(context, new ReportOptions(
                parse.GetValue(path)!,
                parse.GetValue(output)!,
                parse.GetValue(json),
                new ModelReportOptions(
                    parse.GetValue(data),
                    read,
                    new EvaluationRequest
                    {
                        BurnIn = parse.GetValue(burnIn),
                        Seeds = parse.GetValue(seeds),
                        Generations = parse.GetValue(generations),
                        Holdout = parse.GetValue(holdout),
                        Seed = parse.GetValue(seed),
                        Threads = parse.GetValue(threads),
                    },
                    parse.GetValue(maxCells)),
                given));
        }));
        return command;
    }

    private static int Run(CliContext context, ReportOptions options)
    {
        CommonOptions.RequireExtension(options.Out, ".html", "--out");
        ModelReportOptions model = options.Model;
        model.Request.Validate();
        model.Preprocessing.Validate(forFit: false);
        if (!(model.MaxExactCells >= 0) || double.IsInfinity(model.MaxExactCells))
        {
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"--max-exact-cells must be a finite number of cells, 0 or more (got {model.MaxExactCells})."),
                string.Create(CultureInfo.InvariantCulture, $"pass e.g. --max-exact-cells {FixedPointSection.DefaultMaxExactCells:0e0} (the default), or 0 to always search approximately."));
        }

        Subject subject = Identify(options.Path);
        if (subject != Subject.StochasticModel && options.ModelFlags.Count > 0)
        {
            string what = subject == Subject.Sweep ? "a sweep directory" : "a rate network";
            throw new InputException(
                $"{string.Join(", ", options.ModelFlags)} {(options.ModelFlags.Count == 1 ? "applies" : "apply")} to the report of a stochastic model, but '{options.Path}' is {what}.",
                $"drop {string.Join(", ", options.ModelFlags)}, or pass a model directory of lowrank fit.");
        }

        new OutputPlan()
            .Reads(options.Path, "PATH")
            .Reads(model.DataPath, "--data")
            .WritesFile(options.Out, "--out")
            .WritesFile(options.JsonPath, "--json")
            .Check();

        HtmlReport report;
        ReportDocument document;
        using (var scratch = new FigureScratch())
        {
            (report, document) = subject switch
            {
                Subject.Sweep => SweepReport.Build(options.Path, scratch),
                Subject.RateNetwork => RateNetworkReport.Build(options.Path),
                _ => ModelReport.Build(options.Path, model, context, scratch),
            };
        }

        // Everything is computed: only now are the outputs written, each atomically.
        string html = report.Render();
        AtomicFile.WriteText(options.Out, html);
        document.Report = Path.GetFullPath(options.Out);
        TextWriter output = context.Output;
        foreach (string note in document.Notes)
        {
            output.WriteLine("note: " + note);
        }

        int images = report.Sections.Sum(s => s.Images);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {options.Out}: {report.Sections.Count} sections ({string.Join(", ", report.Sections.Select(s => s.Heading.ToLowerInvariant()))}), {images} figure{(images == 1 ? "" : "s")}, {html.Length / 1024.0 / 1024.0:0.0} MB"));
        if (options.JsonPath is not null)
        {
            document.Write(options.JsonPath);
            output.WriteLine($"wrote {options.JsonPath}");
        }

        return ExitCodes.Success;
    }

    private enum Subject
    {
        StochasticModel,
        RateNetwork,
        Sweep,
    }

    /// <summary>What <paramref name="path"/> holds; anything but a stochastic model, a rate network or a sweep is an input error.</summary>
    private static Subject Identify(string path)
    {
        const string Supported = "pass a model directory (the --out of lowrank fit, simulate --model-out, task train or lint fit) or a sweep directory (the --out of lowrank sweep run).";
        if (File.Exists(path))
        {
            throw new InputException($"'{path}' is a file, not a model or sweep directory.", Supported);
        }

        if (!Directory.Exists(path))
        {
            throw new InputException($"'{path}' does not exist.", Supported);
        }

        string manifest = Path.Combine(path, SweepDirectory.ManifestFile);
        if (File.Exists(manifest))
        {
            return JsonFile.TryReadString(manifest, "kind") == SweepDirectory.Kind
                ? Subject.Sweep
                : throw new InputException($"'{path}' holds a {SweepDirectory.ManifestFile} that is not the manifest of a sweep (kind '{SweepDirectory.Kind}'), so it is not a sweep directory.", Supported);
        }

        string modelJson = Path.Combine(path, ModelStore.ModelFile);
        if (File.Exists(modelJson))
        {
            string? kind = JsonFile.TryReadString(modelJson, "kind");
            return kind switch
            {
                ModelStore.Kind => Subject.StochasticModel,
                RateNetworkStore.KindLowRank or RateNetworkStore.KindFullRank => Subject.RateNetwork,
                _ => throw new InputException(
                    $"'{path}' holds a model.json of {(kind is null ? "no known kind" : $"kind '{kind}'")}; lowrank report describes stochastic models, rate networks and sweeps.",
                    Supported),
            };
        }

        string what = File.Exists(Path.Combine(path, "populations.json"))
            ? $"'{path}' holds a population fit (populations.json), which lowrank report does not describe"
            : $"'{path}' is neither a model directory (it has no {ModelStore.ModelFile}) nor a sweep directory (no {SweepDirectory.ManifestFile})";
        throw new InputException(what + ".", Supported);
    }
}
