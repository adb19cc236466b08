using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using LowRank.Data;
using LowRank.Metrics;
using LowRank.Model;
using LowRank.Plotting;

namespace LowRank.Cli.Reports;

/// <summary>
/// A model report's data against generated series and its metrics: the recording (<c>--data</c>, else the one the fit
/// read) scored as <c>lowrank evaluate</c> scores it (<see cref="ProtocolEvaluator"/> on continuous data,
/// <see cref="SpikingEvaluator"/> on spike counts), with series 0 drawn against the data (<see cref="SeriesZero"/>).
/// </summary>
internal static class EvaluationSection
{
    /// <summary>Rows of the per-channel D_H table before it continues in another column.</summary>
    private const int ChannelRows = 16;

    /// <summary>
    /// The recording (<c>--data</c>, else the one the fit read, when it is readable here), the metrics of generated
    /// series against it and the figure of data against series 0; or notes saying why not.
    /// </summary>
    public static void Add(
        HtmlSection data, HtmlSection metrics, string directory, StoredModel<JsonObject> stored, ModelReportOptions options, ReportDocument document, CliContext context, FigureScratch scratch)
    {
        EvaluationRequest request = options.Request;
        double? fitHoldout = stored.Document.Training?["holdout"]?["holdout"]?.GetValue<double>();
        if (request.Holdout is null && fitHoldout is double h)
        {
            request = request with { Holdout = h };
        }

        string? path = options.DataPath;
        if (path is null)
        {
            string? why = ProvenanceRecording(stored.Provenance, out path);
            if (why is not null)
            {
                string note = $"No data and generated series, and no metrics: {why} Pass --data FILE (the recording the model was fitted to) to add them.";
                data.Note(note);
                metrics.Note(note);
                document.Notes.Add(note);
                return;
            }

            data.Paragraph($"The recording is the one the fit read, named in model.json's provenance: {path}.");
            if (stored.Provenance?.DataSha256 is { } sha && Sha256(path!) != sha)
            {
                string note = $"'{path}' has changed since the fit (its SHA-256 differs from the one model.json records): the figures compare the model with the file as it is now.";
                data.Note(note);
                document.Notes.Add(note);
            }
        }
        else
        {
            data.Paragraph($"The recording is {Path.GetFullPath(path)} (--data).");
        }

        try
        {
            Evaluate(data, metrics, directory, stored, path!, options with { Request = request }, fitHoldout, document, context, scratch);
        }
        catch (InputException ex) when (options.DataPath is null && options.Preprocessing is { Channels: null, ZScore: false, Preprocessed: false, Binning: null })
        {
            // The recording named in the provenance is not one these metrics can score (trials, a moved channel layout…):
            // the report says so. A recording passed with --data, or read as flags say, is an input error instead.
            string note = $"No metrics: the recording the fit read cannot be scored here: {SettingFlags.Message(ex)} ({SettingFlags.Hint(ex)})";
            data.Note(note);
            metrics.Note(note);
            document.Notes.Add(note);
        }
    }

    /// <summary>Null with the provenance's recording in <paramref name="path"/> when it is there to read; else why not.</summary>
    private static string? ProvenanceRecording(ModelProvenance? provenance, out string? path)
    {
        path = provenance?.Data;
        if (path is null)
        {
            return "model.json names no recording (the model was not fitted by lowrank fit).";
        }

        return File.Exists(path) ? null : $"the recording the fit read, '{path}', is not there on this machine.";
    }

    private static void Evaluate(
        HtmlSection data, HtmlSection metrics, string directory, StoredModel<JsonObject> stored, string path, ModelReportOptions options, double? fitHoldout,
        ReportDocument document, CliContext context, FigureScratch scratch)
    {
        LowRankRnn model = stored.Model;
        EvaluationRequest request = options.Request;
        bool spikesExpected = model.Options.Likelihood == Likelihood.Poisson;
        Recording recording = RecordingPreprocessing.LoadForModel(path, stored.Preprocessing, options.Preprocessing with { AllowMissing = spikesExpected }, $"model '{directory}'");
        EvaluationMetrics chosen = SpikingEvaluator.Choose(EvaluationMetrics.Auto, model, recording.Data, $"recording '{path}'");
        document.Data = Path.GetFullPath(path);
        string part = request.Holdout is double holdout
            ? string.Create(CultureInfo.InvariantCulture, $"the held-out last {holdout:0.###} of the recording{(fitHoldout == holdout ? " (the part the fit held out)" : "")}")
            : "the whole recording";
        string series = request.Generations == 1 ? "one series" : $"{request.Generations} series";
        metrics.Paragraph($"Scored on {part} against {series} generated after {request.BurnIn} burn-in steps (seed {request.Seed}), as lowrank evaluate does; "
            + "the report's defaults are quicker than evaluate's (see --seeds, --generations, --burn-in).");
        IProgressSink? progress = request.Generations > 1 ? context.CreateProgress() : null;
        if (chosen == EvaluationMetrics.Spikes)
        {
            Spikes(data, metrics, model, recording, request, document, progress, scratch);
        }
        else
        {
            Continuous(data, metrics, model, recording, request, document, progress, scratch);
        }
    }

    private static void Continuous(
        HtmlSection data, HtmlSection metrics, LowRankRnn model, Recording recording, EvaluationRequest request, ReportDocument document, IProgressSink? progress, FigureScratch scratch)
    {
        EvaluationResult result = ProtocolEvaluator.Evaluate(model, recording.Data, request, progress);
        document.Metrics = ModelNames.Of(EvaluationMetrics.Eeg);
        document.DStsp = result.DStsp;
        document.DStspSd = result.DStspSd;
        document.DStspSdOver = result.DStspSdOver;
        document.DH = result.DH;
        document.DHSd = result.DHSd;
        document.DHPerChannel = result.DHPerChannel;
        document.DStspPerSeed = result.DStspPerSeed;
        FillProtocol(document, request, result.Generations, result.Steps, result.FirstStep, result.BurnIn, result.InitialState);

        string over = result.Generations > 1 ? $"sd over {result.Generations} series" : $"sd over {request.Seeds} Monte-Carlo seeds";
        var rows = new List<(string, string)>
        {
            ("d_stsp (state-space divergence)", $"{HtmlReport.Number(result.DStsp, 4)} ± {HtmlReport.Number(result.DStspSd, 3)}"),
            ("d_h (power-spectrum Hellinger distance, mean over channels)", result.Generations > 1 ? $"{HtmlReport.Number(result.DH, 4)} ± {HtmlReport.Number(result.DHSd, 3)}" : HtmlReport.Number(result.DH, 4)),
            ("spread", over),
            ("scored steps", $"{result.Steps} (from step {result.FirstStep})"),
            ("initial state of the generated series", result.InitialState.Replace('_', ' ')),
        };
        metrics.KeyValues(rows);
        metrics.Subheading("D_H per channel");
        metrics.KeyValues(
            result.DHPerChannel.Select((d, c) => (Recording.DescribeChannel(c, recording.ChannelNames), HtmlReport.Number(d, 4))),
            pairs: Math.Clamp((result.DHPerChannel.Length + ChannelRows - 1) / ChannelRows, 1, 6));

        (SequenceSet scored, _) = SeriesZero.ScoredPart(recording.Data, request);
        long seed = result.Series[0].Seed;
        double[] generated = SeriesZero.Generate(model, scored, request.BurnIn, seed);
        SeriesComparison comparison = SeriesZero.Compare(scored, generated, request.DataPreprocessing, recording.ChannelNames, result.Series[0].Metrics.DHPerChannel, recording.SampleRate);
        byte[] png = scratch.Render(p => EvaluationPlots.SaveTracesAndSpectra(p, comparison));
        data.Image(png, "data against generated series, traces and spectra",
            $"Top: the scored data (left) and generated series 0 (right, seed {seed}, as the model produced it), first steps, channels offset alike. "
            + "Below: normalised power spectra of the first channels as D_H compares them (the generated series Hann-smoothed and z-scored, Gaussian smoothing of 20 bins).");
    }

    private static void Spikes(
        HtmlSection data, HtmlSection metrics, LowRankRnn model, Recording recording, EvaluationRequest request, ReportDocument document, IProgressSink? progress, FigureScratch scratch)
    {
        var spiking = new SpikingOptions();
        SpikingEvaluationResult result = SpikingEvaluator.Evaluate(model, recording.Data, request, spiking, progress);
        (double rateSd, double pairwiseSd, double isiSd) = result.SdOverSeries;
        document.Metrics = ModelNames.Of(EvaluationMetrics.Spikes);
        document.RateR = result.RateR;
        document.PairwiseCorrR = result.PairwiseCorrR;
        document.IsiCvError = result.IsiCvError;
        document.RateRSd = rateSd;
        document.PairwiseCorrRSd = pairwiseSd;
        document.IsiCvErrorSd = isiSd;
        FillProtocol(document, request, result.Generations, result.Steps, result.FirstStep, result.BurnIn, result.InitialState);

        SpikingSeries first = result.Series[0];
        string Spread(double value, double sd) => result.Generations > 1 ? $"{HtmlReport.Number(value, 4)} ± {HtmlReport.Number(sd, 3)}" : HtmlReport.Number(value, 4);
        metrics.KeyValues(
        [
            ("rate_r (correlation of the units' mean rates)", Spread(result.RateR, rateSd)),
            ("pairwise_corr_r (correlation of the pairwise count correlations)", Spread(result.PairwiseCorrR, pairwiseSd)),
            ("isi_cv_error (median |ISI CV error| over units)", Spread(result.IsiCvError, isiSd)),
            ("units", result.Data.Units.ToString(CultureInfo.InvariantCulture)),
            ("mean rate, data and series 0 (spikes per bin)", $"{HtmlReport.Number(result.Data.PopulationRate, 4)}, {HtmlReport.Number(first.Generated.PopulationRate, 4)}"),
            ("scored steps", $"{result.Steps} (from step {result.FirstStep})"),
            ("initial state of the generated series", result.InitialState.Replace('_', ' ')),
        ]);
        byte[] png = scratch.Render(p => SpikingStatisticsPlots.Save(p, result.Data, first.Generated, first.Agreement, result.Raster));
        data.Image(png, "spike rasters and spiking statistics, data against generated",
            $"Rasters of the data and of generated series 0 (first {result.Raster?.Steps ?? 0} bins, units ordered by their mean spike time in the data), then mean rates and ISI CVs per unit, ISI histograms and pairwise count correlations.");
        data.Note("Spectra are compared for continuous recordings (D_H); for spike counts the report shows the spiking statistics instead.");
    }

    private static void FillProtocol(ReportDocument document, EvaluationRequest request, int generations, int steps, int firstStep, int burnIn, string initialState)
    {
        document.Generations = generations;
        document.Seeds = request.Seeds;
        document.Seed = request.Seed;
        document.Steps = steps;
        document.FirstStep = firstStep;
        document.BurnIn = burnIn;
        document.InitialState = initialState;
        document.Holdout = request.Holdout;
    }

    private static string Sha256(string path)
    {
        if (!File.Exists(path))
        {
            return "";
        }

        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
