using System.Globalization;
using LowRank.Decoding;
using LowRank.Formats;
using LowRank.Metrics;
using LowRank.Plotting;

namespace LowRank.Cli.Commands;

/// <summary>What <c>lowrank evaluate --conditions</c> was asked to do.</summary>
/// <param name="GeneratedPath">The generated trials (<c>generate --inputs</c>): samples, condition, and latents for the trajectory figure (optional: another recording of the teacher compares as well).</param>
/// <param name="DataPath">The true trials (<c>simulate --teacher-model</c>): samples, condition.</param>
/// <param name="Evaluation">The comparison's settings.</param>
/// <param name="JsonPath">Where the figures go as JSON, if anywhere.</param>
/// <param name="PlotDirectory">Where the PNGs go (null: beside the JSON, else <see cref="EvaluateConditions.DefaultPlotDirectory"/>).</param>
internal sealed record EvaluateConditionsOptions(string GeneratedPath, string DataPath, ConditionEvaluationOptions Evaluation, string? JsonPath, string? PlotDirectory);

/// <summary>
/// <c>lowrank evaluate --conditions --generated GEN.npz --data TRUTH.npz</c>: generated against true activity condition by
/// condition — PSTH R², mean-rate correlation, a direction decoder fitted to the true trials — with medians over the seen and
/// the unseen conditions (docs/metrics.md, "Conditions").
/// </summary>
internal static class EvaluateConditions
{
    /// <summary>The folder of the figures when neither <c>--plots</c> nor <c>--json</c> names a place.</summary>
    public const string DefaultPlotDirectory = "conditions";

    private const string GeneratedHint = "pass --generated the npz that lowrank generate --inputs wrote (samples [trials, T, units], condition [trials]; latents [trials, T, R] for the trajectory figure).";
    private const string TruthHint = "pass --data the npz that lowrank simulate --teacher-model wrote (samples [trials, T, units], condition [trials]).";

    public static int Run(CliContext context, EvaluateConditionsOptions options)
    {
        options.Evaluation.Validate();
        string plots = options.PlotDirectory
            ?? (options.JsonPath is null ? DefaultPlotDirectory : Path.GetDirectoryName(options.JsonPath) is { Length: > 0 } beside ? beside : ".");
        string[] figures = [.. new[] { ConditionPlots.TrajectoriesFile, ConditionPlots.PsthFile, ConditionPlots.AnglesFile }.Select(f => Path.Combine(plots, f))];
        if (File.Exists(plots))
        {
            throw new InputException($"--plots '{plots}' is a file; the figures go into a folder.", "pass --plots a folder (it is created if missing).");
        }

        var plan = new OutputPlan().Reads(options.GeneratedPath, "--generated").Reads(options.DataPath, "--data").WritesFile(options.JsonPath, "--json");
        foreach (string figure in figures)
        {
            plan.WritesFile(figure, "--plots");
        }

        plan.Check();
        OrderedDictionary<string, NdArray> generatedArrays = ReadNpz(options.GeneratedPath, "--generated", GeneratedHint);
        OrderedDictionary<string, NdArray> trueArrays = ReadNpz(options.DataPath, "--data", TruthHint);
        string generatedSource = $"the generated trials '{options.GeneratedPath}'", trueSource = $"the true trials '{options.DataPath}'";
        var generated = ConditionTrials.FromArrays(
            Require(generatedArrays, "samples", options.GeneratedPath, GeneratedHint), Require(generatedArrays, "condition", options.GeneratedPath, GeneratedHint), generatedSource);
        NdArray? latents = generatedArrays.TryGetValue("latents", out NdArray? stored) ? stored : null;
        var truth = ConditionTrials.FromArrays(
            Require(trueArrays, "samples", options.DataPath, TruthHint), Require(trueArrays, "condition", options.DataPath, TruthHint), trueSource);

        ConditionEvaluation evaluation = ConditionEvaluator.Evaluate(generated, truth, options.Evaluation);
        var trajectories = latents is null ? null : ConditionLatents.Of(latents, generated.Trials, generated.Steps, [.. evaluation.Conditions.Select(c => c.Psth.GeneratedTrials)], generatedSource);

        Print(context.Output, options, generated, truth, evaluation);
        if (options.JsonPath is not null)
        {
            JsonFile.Write(options.JsonPath, ToReport(options, generated, truth, evaluation, plots));
            context.Output.WriteLine($"wrote {options.JsonPath}");
        }

        Directory.CreateDirectory(plots);
        ConditionScore shown = evaluation.Conditions.FirstOrDefault(c => !c.Seen) ?? evaluation.Conditions[0];
        if (trajectories is not null)
        {
            ConditionPlots.SaveLatentTrajectories(figures[0], evaluation, trajectories);
        }

        ConditionPlots.SavePsths(figures[1], shown, truth.Units);
        ConditionPlots.SaveDecodedAngles(figures[2], evaluation);
        context.Output.WriteLine($"wrote {string.Join(", ", trajectories is null ? figures[1..] : figures)}{(trajectories is null ? " (no latent trajectories: the generated file has no 'latents')" : "")}");
        return ExitCodes.Success;
    }

    private static OrderedDictionary<string, NdArray> ReadNpz(string path, string flag, string hint)
    {
        if (!path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException($"{flag} '{path}' is not an .npz file.", hint);
        }

        return Npz.Read(path);
    }

    private static NdArray Require(OrderedDictionary<string, NdArray> arrays, string name, string path, string hint) =>
        Npz.RequireArray(arrays, name, path, hint, $"'{path}'");

    /// <summary>What was compared, one row per condition, the medians of each group and the decoder's own error.</summary>
    private static void Print(TextWriter output, EvaluateConditionsOptions options, ConditionTrials generated, ConditionTrials truth, ConditionEvaluation evaluation)
    {
        ConditionEvaluationOptions settings = options.Evaluation;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"compared {generated.Trials} generated trials of '{options.GeneratedPath}' with {truth.Trials} true trials of '{options.DataPath}': {evaluation.Conditions.Count} conditions, {truth.Units} units, {truth.Steps} steps (PSTH smoothing {settings.PsthSmoothing:G4} bins)"));
        output.WriteLine("condition  seen    trials gen/true  psth_r2_pop  psth_r2_unit  rate_corr  angle_err  decoded");
        foreach (ConditionScore c in evaluation.Conditions)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{ConditionMatch.Format(c.Condition),9}  {(c.Seen ? "seen" : "unseen"),-6}  {$"{c.Psth.GeneratedTrials.Length}/{c.Psth.TrueTrials.Length}",15}  {c.Psth.PopulationR2,11:0.000}  {c.Psth.UnitR2Median,12:0.000}  {c.Psth.MeanRateCorrelation,9:0.000}  {c.AngleErrorDeg,8:0.0}°  {c.DecodedAngleDeg,6:0.0}°"));
        }

        Group(output, "seen", evaluation.Seen);
        Group(output, "unseen", evaluation.Unseen);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"decoder: ridge {settings.Ridge:G4} on {truth.Units} units × {settings.DecoderWindows} windows, fitted to all {truth.Trials} true trials; its {evaluation.Folds}-fold cross-validated error on them {evaluation.DecoderTruthAngleErrorDeg:0.0}° (median)"));
    }

    private static void Group(TextWriter output, string name, ConditionGroupScore group)
    {
        string label = $"{name} ({group.Conditions.Count}):";
        if (group.Conditions.Count == 0)
        {
            output.WriteLine($"{label,-13} none{(name == "unseen" ? " (pass --seen-conditions to mark the conditions the model was fitted on)" : "")}");
            return;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-13} median psth_r2_pop {group.PsthR2Population:0.000}, psth_r2_unit {group.PsthR2UnitMedian:0.000}, rate_corr {group.MeanRateCorrelation:0.000}, angle_err {group.AngleErrorDeg:0.0}°"));
    }

    private static ConditionsReport ToReport(EvaluateConditionsOptions options, ConditionTrials generated, ConditionTrials truth, ConditionEvaluation evaluation, string plots)
    {
        ConditionEvaluationOptions settings = options.Evaluation;
        return new ConditionsReport(
            [.. evaluation.Conditions.Select(c => new ConditionEntry(
                c.Condition,
                c.Seen,
                c.Psth.GeneratedTrials.Length,
                c.Psth.TrueTrials.Length,
                c.Psth.PopulationR2,
                c.Psth.UnitR2Median,
                c.Psth.MeanRateCorrelation,
                c.AngleErrorDeg,
                c.DecodedAngleDeg))],
            GroupEntry.Of(evaluation.Seen),
            GroupEntry.Of(evaluation.Unseen),
            evaluation.DecoderTruthAngleErrorDeg,
            evaluation.Folds,
            settings.DecoderWindows,
            settings.Ridge,
            settings.PsthSmoothing,
            settings.Seed,
            truth.Units,
            truth.Steps,
            generated.Trials,
            truth.Trials,
            Path.GetFullPath(options.GeneratedPath),
            Path.GetFullPath(options.DataPath),
            Path.GetFullPath(plots));
    }

    /// <summary>What <c>--json</c> receives (docs/metrics.md, "Conditions").</summary>
    private sealed record ConditionsReport(
        IReadOnlyList<ConditionEntry> Conditions,
        GroupEntry Seen,
        GroupEntry Unseen,
        double DecoderTruthAngleErrorDeg,
        int DecoderFolds,
        int DecoderWindows,
        double Ridge,
        double PsthSmoothing,
        long Seed,
        int Units,
        int Steps,
        int TrialsGenerated,
        int TrialsTrue,
        string Generated,
        string Data,
        string Plots);

    private sealed record ConditionEntry(
        double Condition,
        bool Seen,
        int TrialsGenerated,
        int TrialsTrue,
        double PsthR2Population,
        double PsthR2UnitMedian,
        double MeanRateCorrelation,
        double AngleErrorDeg,
        double DecodedAngleDeg);

    private sealed record GroupEntry(IReadOnlyList<double> Conditions, double? PsthR2Population, double? PsthR2UnitMedian, double? MeanRateCorrelation, double? AngleErrorDeg)
    {
        public static GroupEntry Of(ConditionGroupScore group) =>
            new(group.Conditions, group.PsthR2Population, group.PsthR2UnitMedian, group.MeanRateCorrelation, group.AngleErrorDeg);
    }
}
