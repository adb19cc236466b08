using System.Globalization;
using System.Text.Json;
using LowRank.Formats;
using LowRank.RateNetworks;

namespace LowRank.Cli.Reports;

/// <summary>
/// The report of a rate-network directory (<c>lowrank task train</c>, <c>lowrank lint fit</c>): what it stores cheaply,
/// its options and its training record. Such a directory keeps no per-epoch record and no recording, so the learning
/// curve, generated data, metrics and fixed points are left out, and the report says so.
/// </summary>
internal static class RateNetworkReport
{
    public static (HtmlReport Report, ReportDocument Document) Build(string directory)
    {
        (RateNetwork network, RateNetworkDocument info) = RateNetworkStore.Load(directory);
        string name = Path.GetFileName(Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar));
        var report = new HtmlReport($"lowrank report: rate network '{name}'");
        report.Subtitle.Add(Path.GetFullPath(directory));
        report.Subtitle.Add($"written {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC by {CliProvenance.ToolVersion}");
        var document = new ReportDocument { Kind = info.Kind, Path = Path.GetFullPath(directory) };

        HtmlSection options = report.AddSection("options", "Options");
        options.Paragraph($"A {(info.Kind == RateNetworkStore.KindFullRank ? "full-rank" : $"rank-{info.Rank}")} rate network of {info.Units} units"
            + (info.Task is null ? "" : $" trained on the task '{info.Task}'") + $", {network.Theta.Length} parameters; its options as model.json stores them.");
        options.KeyValues(ModelReport.Flatten(JsonSerializer.SerializeToNode(info with { Training = null }, JsonFile.Options), "").Where(r => r.Name != "training"), codeNames: true);

        HtmlSection training = report.AddSection("training", "Training");
        if (info.Training is { } record)
        {
            training.KeyValues(ModelReport.Flatten(JsonSerializer.SerializeToNode(record, JsonFile.Options), ""), codeNames: true);
            document.Epochs = record.Epochs;
            document.Accuracy = record.Accuracy;
            document.R2 = record.R2;
        }
        else
        {
            training.Note("model.json has no training record.");
        }

        const string note = "A rate network stores no per-epoch record and no recording: the learning curve, data against generated series, "
            + "the metrics and the fixed points are reported for stochastic models (lowrank fit) only. lowrank task eval and lowrank lint analyze score this network.";
        training.Note(note);
        document.Notes.Add(note);
        return (report, document);
    }
}
