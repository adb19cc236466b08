using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Metrics;
using LowRank.Model;
using LowRank.RateNetworks;
using LowRank.Sweeps;

namespace LowRank.Tests.Cli;

/// <summary>
/// <c>lowrank report</c> on a small fitted model, a simulated teacher, a sweep directory written by hand and a rate
/// network: the HTML parses, holds its sections, embeds every image as a PNG data URI and refers to nothing outside;
/// bad input exits with 2 and writes nothing.
/// </summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private string PathOf(string name) => _temp.File(name);

    /// <summary>A 4-channel recording of 600 steps and a rank-2 clipped-relu model fitted to its first 80 % in a second.</summary>
    private void FitModel(string activation = "clipped_relu")
    {
        CliResult simulate = CliHarness.Run("simulate", "--units", "32", "--channels", "4", "--steps", "600", "--burn-in", "100", "--seed", "3", "--out", PathOf("data.npz"), "--model-out", PathOf("teacher"));
        Assert.Equal(0, simulate.ExitCode);
        CliResult fit = CliHarness.Run(
            "fit", "--data", PathOf("data.npz"), "--rank", "2", "--units", "16", "--particles", "4", "--window", "40", "--windows", "5", "--epochs", "10",
            "--evaluate-every", "5", "--holdout", "0.2", "--activation", activation, "--threads", "1", "--out", PathOf("model"));
        Assert.Equal(0, fit.ExitCode);
    }

    [Fact]
    public void AModelReportHoldsItsSectionsAndEmbedsEveryFigure()
    {
        FitModel();
        CliResult result = CliHarness.Run("report", PathOf("model"), "--out", PathOf("report.html"), "--json", PathOf("report.json"), "--burn-in", "100", "--threads", "1");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"wrote {PathOf("report.html")}: 6 sections (model, options and fit settings, learning curve, data and generated series, metrics, fixed points and flow field), 3 figures", result.Output);

        XDocument html = ParseSelfContained(PathOf("report.html"), images: 3);
        Assert.Equal(["model", "options", "learning-curve", "data", "metrics", "fixed-points"], SectionIds(html));
        string text = html.Root!.Value;
        Assert.Contains("trainer.window_length", text);
        Assert.Contains("held-out objective", text);
        Assert.Contains("Scored on the held-out last 0.2 of the recording (the part the fit held out)", text);
        Assert.Contains("Every cell of its kink arrangement was solved (32 kinks (the 2N of clipped_relu) in rank 2: at most 529 cells", text);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("report.json")));
        JsonElement root = json.RootElement;
        Assert.Equal("stochastic_low_rank_rnn", root.GetProperty("kind").GetString());
        Assert.Equal("eeg", root.GetProperty("metrics").GetString());
        Assert.Equal(10, root.GetProperty("epochs").GetInt32());
        Assert.True(root.TryGetProperty("held_out_objective", out _));
        Assert.Equal(2, root.GetProperty("d_stsp_per_seed").GetArrayLength());
        Assert.Equal(4, root.GetProperty("d_h_per_channel").GetArrayLength());
        Assert.Equal(480, root.GetProperty("first_step").GetInt32());
        JsonElement fixedPoints = root.GetProperty("fixed_points");
        Assert.Equal("exact", fixedPoints.GetProperty("method").GetString());
        Assert.Equal(529, fixedPoints.GetProperty("cells_bound").GetDouble());
        Assert.Equal(fixedPoints.GetProperty("count").GetInt32(), fixedPoints.GetProperty("points").GetArrayLength());
        Assert.Equal(0, root.GetProperty("notes").GetArrayLength());
    }

    [Fact]
    public void TheMetricsAreEvaluatesWithTheSameSettings()
    {
        FitModel();
        Assert.Equal(0, CliHarness.Run("report", PathOf("model"), "--out", PathOf("report.html"), "--json", PathOf("report.json"), "--burn-in", "100", "--seed", "5").ExitCode);
        Assert.Equal(0, CliHarness.Run("evaluate", "--model", PathOf("model"), "--data", PathOf("data.npz"), "--burn-in", "100", "--seeds", "2", "--seed", "5", "--holdout", "0.2", "--json", PathOf("evaluate.json")).ExitCode);
        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(PathOf("report.json")));
        using JsonDocument evaluate = JsonDocument.Parse(File.ReadAllText(PathOf("evaluate.json")));
        foreach (string key in new[] { "d_stsp", "d_stsp_sd", "d_h" })
        {
            Assert.Equal(evaluate.RootElement.GetProperty(key).GetDouble(), report.RootElement.GetProperty(key).GetDouble());
        }
    }

    [Fact]
    public void TheDrawnSeriesIsTheEvaluatorsSeriesZero()
    {
        Assert.Equal(ProtocolEvaluator.InitialStateStream, LowRank.Cli.Reports.SeriesZero.InitialStateStream);
        FitModel();
        LowRankRnn model = ModelStore.Load(PathOf("model")).Model;
        SequenceSet data = RecordingLoader.Load(PathOf("data.npz"), new RecordingOptions()).Data;
        var request = new EvaluationRequest { BurnIn = 100, Seeds = 1, Seed = 7, Holdout = 0.2, Threads = 1 };
        EvaluationResult evaluated = ProtocolEvaluator.Evaluate(model, data, request);

        (SequenceSet scored, int first) = LowRank.Cli.Reports.SeriesZero.ScoredPart(data, request);
        double[] generated = LowRank.Cli.Reports.SeriesZero.Generate(model, scored, request.BurnIn, 7);
        MetricsReport again = MetricsEvaluator.Evaluate(generated, scored.Observations, scored.Steps, scored.Channels, new MetricsOptions { Seeds = 1, Seed = 7, MaxThreads = 1 });
        Assert.Equal(evaluated.FirstStep, first);
        Assert.Equal(evaluated.Series[0].Metrics.DHPerChannel, again.DHPerChannel);
        Assert.Equal(evaluated.DStsp, again.DStsp);
    }

    [Fact]
    public void ASimulatedTeacherHasNoFitAndNeedsDataForTheMetrics()
    {
        CliResult simulate = CliHarness.Run("simulate", "--units", "32", "--channels", "3", "--steps", "400", "--seed", "2", "--out", PathOf("data.npz"), "--model-out", PathOf("teacher"));
        Assert.Equal(0, simulate.ExitCode);

        CliResult bare = CliHarness.Run("report", PathOf("teacher"), "--out", PathOf("bare.html"), "--json", PathOf("bare.json"), "--threads", "1");
        Assert.Equal(0, bare.ExitCode);
        Assert.Contains("note: No data and generated series, and no metrics: model.json names no recording", bare.Output);
        XDocument html = ParseSelfContained(PathOf("bare.html"), images: 1);
        Assert.Contains("model.json has no training section", html.Root!.Value);
        using (JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("bare.json"))))
        {
            Assert.False(json.RootElement.TryGetProperty("d_stsp", out _));
            Assert.Equal(1, json.RootElement.GetProperty("notes").GetArrayLength());
        }

        CliResult withData = CliHarness.Run("report", PathOf("teacher"), "--data", PathOf("data.npz"), "--burn-in", "50", "--out", PathOf("data.html"), "--json", PathOf("data.json"), "--threads", "1");
        Assert.Equal(0, withData.ExitCode);
        ParseSelfContained(PathOf("data.html"), images: 2);
        using JsonDocument scored = JsonDocument.Parse(File.ReadAllText(PathOf("data.json")));
        Assert.Equal(400, scored.RootElement.GetProperty("steps").GetInt32());
        Assert.True(scored.RootElement.GetProperty("d_h").GetDouble() >= 0);
    }

    [Fact]
    public void ARecordingThatMovedOrChangedSinceTheFitIsSaidInANote()
    {
        FitModel();
        CliResult simulate = CliHarness.Run("simulate", "--units", "32", "--channels", "4", "--steps", "600", "--seed", "4", "--out", PathOf("data.npz"));
        Assert.Equal(0, simulate.ExitCode);
        CliResult changed = CliHarness.Run("report", PathOf("model"), "--out", PathOf("changed.html"), "--burn-in", "50", "--threads", "1");
        Assert.Equal(0, changed.ExitCode);
        Assert.Contains($"note: '{PathOf("data.npz")}' has changed since the fit (its SHA-256 differs from the one model.json records)", changed.Output);
        ParseSelfContained(PathOf("changed.html"), images: 3);

        File.Delete(PathOf("data.npz"));
        CliResult moved = CliHarness.Run("report", PathOf("model"), "--out", PathOf("moved.html"), "--json", PathOf("moved.json"), "--threads", "1");
        Assert.Equal(0, moved.ExitCode);
        Assert.Contains($"note: No data and generated series, and no metrics: the recording the fit read, '{PathOf("data.npz")}', is not there on this machine. Pass --data FILE", moved.Output);
        ParseSelfContained(PathOf("moved.html"), images: 2);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("moved.json")));
        Assert.False(json.RootElement.TryGetProperty("metrics", out _));
        Assert.Equal(10, json.RootElement.GetProperty("epochs").GetInt32());
    }

    [Fact]
    public void AboveTheCellLimitTheFixedPointsAreSearchedApproximatelyAndTheReportSaysSo()
    {
        FitModel();
        CliResult result = CliHarness.Run("report", PathOf("model"), "--out", PathOf("report.html"), "--json", PathOf("report.json"), "--burn-in", "50", "--max-exact-cells", "100", "--threads", "1");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("note: Approximate search: the kink arrangement has 32 kinks (the 2N of clipped_relu) in rank 2: at most 529 cells, above the limit of 100 for the exact enumeration (--max-exact-cells).", result.Output);
        Assert.Contains("Approximate search", ParseSelfContained(PathOf("report.html"), images: 3).Root!.Value);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("report.json")));
        Assert.Equal("approximate", json.RootElement.GetProperty("fixed_points").GetProperty("method").GetString());
    }

    [Fact]
    public void APoissonModelReportsTheSpikingStatistics()
    {
        CliResult simulate = CliHarness.Run("simulate", "--likelihood", "poisson", "--units", "32", "--channels", "6", "--steps", "500", "--burn-in", "50", "--seed", "3", "--out", PathOf("spikes.npz"), "--model-out", PathOf("poisson"));
        Assert.Equal(0, simulate.ExitCode);
        CliResult result = CliHarness.Run("report", PathOf("poisson"), "--data", PathOf("spikes.npz"), "--burn-in", "50", "--out", PathOf("report.html"), "--json", PathOf("report.json"), "--threads", "1");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("rate_r", ParseSelfContained(PathOf("report.html"), images: 2).Root!.Value);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("report.json")));
        Assert.Equal("spikes", json.RootElement.GetProperty("metrics").GetString());
        Assert.True(json.RootElement.TryGetProperty("rate_r", out _));
        Assert.False(json.RootElement.TryGetProperty("d_stsp", out _));
    }

    [Fact]
    public void ASweepReportHoldsTheResultsAndAPlotPerFigureAndAxis()
    {
        string sweepDirectory = WriteSweep();
        CliResult result = CliHarness.Run("report", sweepDirectory, "--out", PathOf("sweep.html"), "--json", PathOf("sweep.json"));
        Assert.Equal(0, result.ExitCode);

        // fit.final_objective and evaluate.d_stsp vary, each against rank and seed; the list elements are not drawn.
        XDocument html = ParseSelfContained(PathOf("sweep.html"), images: 4);
        Assert.Equal(["sweep", "results", "rank-selection", "plots"], SectionIds(html));
        string text = html.Root!.Value;
        Assert.Contains("No rank is recommended: no step reported a held_out_objective", text);
        Assert.Contains("rank-2_seed-3", text);
        Assert.Contains("evaluate: error: x", text);
        Assert.Contains("2 columns that are elements of lists", text);
        Assert.False(File.Exists(Path.Combine(sweepDirectory, SweepDirectory.ResultsCsv)));
        Assert.False(Directory.Exists(Path.Combine(sweepDirectory, SweepDirectory.PlotsFolder)));

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("sweep.json")));
        JsonElement root = json.RootElement;
        Assert.Equal("sweep", root.GetProperty("kind").GetString());
        Assert.Equal(5, root.GetProperty("runs").GetProperty("done").GetInt32());
        Assert.Equal(1, root.GetProperty("runs").GetProperty("failed").GetInt32());
        Assert.Equal(6, root.GetProperty("results").GetArrayLength());
        Assert.Equal(4, root.GetProperty("plots").GetArrayLength());
        Assert.Equal(12, root.GetProperty("results")[1].GetProperty("figures").GetProperty("evaluate.d_stsp").GetDouble());
    }

    [Fact]
    public void ARateNetworkReportsItsOptionsAndSaysWhatIsLeftOut()
    {
        var spec = new RateNetworkSpec(8, 1, 2, 1, 0.2, 0.05, ReadoutKind.Tanh);
        RateNetworkStore.Save(PathOf("network"), RateNetwork.CreateRandom(spec, 1), "cdi", new RateNetworkTrainingRecord("task", 5, 50, 32, 1e-3, 1, 0.1, 4, 1.5, 0.99, null, null, 1));
        CliResult result = CliHarness.Run("report", PathOf("network"), "--out", PathOf("network.html"), "--json", PathOf("network.json"));
        Assert.Equal(0, result.ExitCode);
        XDocument html = ParseSelfContained(PathOf("network.html"), images: 0);
        Assert.Equal(["options", "training"], SectionIds(html));
        Assert.Contains("reported for stochastic models (lowrank fit) only", html.Root!.Value);
        using (JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("network.json"))))
        {
            Assert.Equal("lint_low_rank", json.RootElement.GetProperty("kind").GetString());
            Assert.Equal(0.99, json.RootElement.GetProperty("accuracy").GetDouble());
            Assert.False(json.RootElement.TryGetProperty("r2", out _));
        }

        CliResult refused = CliHarness.Run("report", PathOf("network"), "--out", PathOf("other.html"), "--burn-in", "10");
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal(
            $"error: --burn-in applies to the report of a stochastic model, but '{PathOf("network")}' is a rate network.\n  hint: drop --burn-in, or pass a model directory of lowrank fit.\n",
            refused.Error.ReplaceLineEndings("\n"));
        Assert.False(File.Exists(PathOf("other.html")));
    }

    public static TheoryData<string, string, string> BadInputs() => new()
    {
        { "missing", "'{dir}/missing' does not exist.", "pass a model directory (the --out of lowrank fit, simulate --model-out, task train or lint fit) or a sweep directory (the --out of lowrank sweep run)." },
        { "empty", "'{dir}/empty' is neither a model directory (it has no model.json) nor a sweep directory (no sweep.json).", "pass a model directory (the --out of lowrank fit, simulate --model-out, task train or lint fit) or a sweep directory (the --out of lowrank sweep run)." },
        { "file.txt", "'{dir}/file.txt' is a file, not a model or sweep directory.", "pass a model directory (the --out of lowrank fit, simulate --model-out, task train or lint fit) or a sweep directory (the --out of lowrank sweep run)." },
        { "populations", "'{dir}/populations' holds a population fit (populations.json), which lowrank report does not describe.", "pass a model directory (the --out of lowrank fit, simulate --model-out, task train or lint fit) or a sweep directory (the --out of lowrank sweep run)." },
        { "stray-manifest", "'{dir}/stray-manifest' holds a sweep.json that is not the manifest of a sweep (kind 'lowrank_sweep'), so it is not a sweep directory.", "pass a model directory (the --out of lowrank fit, simulate --model-out, task train or lint fit) or a sweep directory (the --out of lowrank sweep run)." },
        { "other-kind", "'{dir}/other-kind' holds a model.json of kind 'something_else'; lowrank report describes stochastic models, rate networks and sweeps.", "pass a model directory (the --out of lowrank fit, simulate --model-out, task train or lint fit) or a sweep directory (the --out of lowrank sweep run)." },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void APathThatIsNeitherAModelNorASweepIsRefused(string path, string message, string hint)
    {
        Directory.CreateDirectory(PathOf("empty"));
        File.WriteAllText(PathOf("file.txt"), "x");
        Directory.CreateDirectory(PathOf("populations"));
        File.WriteAllText(Path.Combine(PathOf("populations"), "populations.json"), "{}");
        Directory.CreateDirectory(PathOf("stray-manifest"));
        File.WriteAllText(Path.Combine(PathOf("stray-manifest"), "sweep.json"), """{"kind": "stochastic_low_rank_rnn"}""");
        Directory.CreateDirectory(PathOf("other-kind"));
        File.WriteAllText(Path.Combine(PathOf("other-kind"), "model.json"), """{"kind": "something_else"}""");

        CliResult result = CliHarness.Run("report", PathOf(path), "--out", PathOf("report.html"), "--json", PathOf("report.json"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {message.Replace("{dir}", _temp.Path)}\n  hint: {hint}\n", result.Error.ReplaceLineEndings("\n"));
        Assert.Equal("", result.Output);
        AssertNothingWritten();
    }

    [Fact]
    public void AnOutputThatIsNotHtmlIsRefused()
    {
        string sweepDirectory = WriteSweep();
        CliResult result = CliHarness.Run("report", sweepDirectory, "--out", PathOf("report.pdf"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: --out '{PathOf("report.pdf")}' must be a .html file.\n  hint: pass a path ending in .html, e.g. --out out.html.\n", result.Error.ReplaceLineEndings("\n"));
        Assert.False(File.Exists(PathOf("report.pdf")));
    }

    [Fact]
    public void ModelFlagsOnASweepAreRefused()
    {
        string sweepDirectory = WriteSweep();
        CliResult result = CliHarness.Run("report", sweepDirectory, "--out", PathOf("report.html"), "--data", PathOf("data.npz"), "--seeds", "3");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"error: --data, --seeds apply to the report of a stochastic model, but '{sweepDirectory}' is a sweep directory.\n  hint: drop --data, --seeds, or pass a model directory of lowrank fit.\n",
            result.Error.ReplaceLineEndings("\n"));
        AssertNothingWritten();
    }

    [Fact]
    public void AnUnreadableRecordingIsAnInputErrorAndNothingIsWritten()
    {
        FitModel();
        Npy.Write(PathOf("wide.npy"), NdArray.Zeros(300, 5));
        CliResult result = CliHarness.Run("report", PathOf("model"), "--data", PathOf("wide.npy"), "--out", PathOf("report.html"), "--json", PathOf("report.json"), "--threads", "1");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains("  hint: ", result.Error);
        AssertNothingWritten();
    }

    [Fact]
    public void TheReportOfAnUnwritableSpotIsRefusedBeforeAnyWork()
    {
        string sweepDirectory = WriteSweep();
        CliResult result = CliHarness.Run("report", sweepDirectory, "--out", Path.Combine(sweepDirectory, "report.html"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("lies inside the input PATH", result.Error);
        Assert.False(File.Exists(Path.Combine(sweepDirectory, "report.html")));
    }

    /// <summary>A rank × seed sweep of fit then evaluate, its runs' files written as sweep run writes them; rank-2_seed-3 failed in evaluate.</summary>
    [Fact]
    public void ARankSweepReportRecommendsARank()
    {
        // Held-out objective rank·10 + seed: rank 2 (seeds 1, 2; 21.5 ± 0.5) beats rank 1 (12 ± 0.58) by far.
        CliResult result = CliHarness.Run("report", WriteSweep(heldOut: true), "--out", PathOf("sweep.html"), "--json", PathOf("sweep.json"));
        Assert.Equal(0, result.ExitCode);
        XDocument html = ParseSelfContained(PathOf("sweep.html"), images: 7);
        Assert.Equal(["sweep", "results", "rank-selection", "plots"], SectionIds(html));
        Assert.Contains("Rank 2 recommended", html.Root!.Value);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(PathOf("sweep.json")));
        Assert.Equal(2, json.RootElement.GetProperty("rank_selection").GetProperty("recommended_rank").GetInt32());
    }

    private string WriteSweep(bool heldOut = false)
    {
        string directory = PathOf(heldOut ? "held-out-sweep" : "sweep");
        SweepSpec spec = SweepSpecReader.Parse(
            """{"command": "fit", "options": {"epochs": 10}, "axes": {"rank": [1, 2], "seed": [1, 2, 3]}, "follow_up": [{"command": "evaluate"}]}""", "spec.json");
        SweepDirectory.Create(directory, spec, SweepPoints.Expand(spec));
        OpenedSweep sweep = SweepDirectory.Open(directory);
        foreach (SweepPoint point in sweep.Points)
        {
            int rank = int.Parse(point.ValueOf("rank").Text, CultureInfo.InvariantCulture), seed = int.Parse(point.ValueOf("seed").Text, CultureInfo.InvariantCulture);
            RunDirectory run = sweep.RunOf(point);
            Directory.CreateDirectory(run.Root);
            string extra = heldOut ? $", \"held_out_objective\": {rank * 10 + seed}" : "";
            File.WriteAllText(run.FiguresOf("fit"), $$$"""{"epochs": 10, "final_objective": {{{-rank - seed}}}, "model": "m"{{{extra}}}}""");
            if (point.Name == "rank-2_seed-3")
            {
                run.WriteStatus(new RunStatus { State = RunState.Failed, Reason = "evaluate: error: x", Step = "evaluate", StepsDone = 1 });
                continue;
            }

            run.WriteStatus(new RunStatus { State = RunState.Done, StepsDone = 2 });
            File.WriteAllText(run.FiguresOf("evaluate"), $$$"""{"d_stsp": {{{rank * 10 + seed}}}, "d_h_per_channel": [1, {{{seed}}}]}""");
        }

        return directory;
    }

    private void AssertNothingWritten()
    {
        Assert.False(File.Exists(PathOf("report.html")));
        Assert.False(File.Exists(PathOf("report.json")));
        Assert.Empty(Directory.EnumerateFiles(_temp.Path, ".*tmp*"));
    }

    private static string[] SectionIds(XDocument html) =>
        [.. html.Descendants(Xhtml("section")).Select(s => s.Attribute("id")!.Value)];

    private static XName Xhtml(string name) => XName.Get(name);

    /// <summary>
    /// Parses the report as XML (its HTML5 is written well-formed), and checks that it is self-contained: exactly
    /// <paramref name="images"/> images, each a data URI of a PNG; every link an anchor of the page; no script, no
    /// external style sheet, font or frame, and no address of the network anywhere.
    /// </summary>
    private static XDocument ParseSelfContained(string path, int images)
    {
        string text = File.ReadAllText(path);
        Assert.StartsWith("<!DOCTYPE html>", text);
        using var reader = XmlReader.Create(new StringReader(text), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        XDocument html = XDocument.Load(reader);
        Assert.Equal("html", html.Root!.Name.LocalName);
        Assert.NotNull(html.Root.Element("head"));
        Assert.NotNull(html.Root.Element("body"));

        XElement[] imgs = [.. html.Descendants("img")];
        Assert.Equal(images, imgs.Length);
        foreach (XElement img in imgs)
        {
            string src = img.Attribute("src")!.Value;
            Assert.StartsWith("data:image/png;base64,", src);
            byte[] png = Convert.FromBase64String(src["data:image/png;base64,".Length..]);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
            Assert.False(string.IsNullOrWhiteSpace(img.Attribute("alt")?.Value));
        }

        foreach (XAttribute attribute in html.Descendants().Attributes().Where(a => a.Name.LocalName is "src" or "href" or "srcset" or "action" or "data"))
        {
            Assert.True(attribute.Value.StartsWith("data:", StringComparison.Ordinal) || attribute.Value.StartsWith('#'), $"{attribute.Parent!.Name}.{attribute.Name} = '{attribute.Value[..Math.Min(60, attribute.Value.Length)]}' refers outside the page");
        }

        foreach (XElement anchor in html.Descendants("a"))
        {
            string target = anchor.Attribute("href")!.Value[1..];
            Assert.Contains(html.Descendants(), e => e.Attribute("id")?.Value == target);
        }

        Assert.DoesNotContain(html.Descendants(), e => e.Name.LocalName is "script" or "link" or "iframe" or "object" or "embed");
        Assert.DoesNotMatch(new Regex("https?:|//[a-z]|url\\(|@import", RegexOptions.IgnoreCase), Regex.Replace(text, "data:image/png;base64,[A-Za-z0-9+/=]+", ""));
        return html;
    }
}
