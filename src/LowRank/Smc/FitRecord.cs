using LowRank.Training;

namespace LowRank.Smc;

/// <summary>The <c>training</c> section of a fitted model's model.json: the settings of the fit and what it did.</summary>
/// <param name="Preset">The named recipe the settings started from (null: hand-picked).</param>
/// <param name="Objective">Particles, proposal, resampling, precision.</param>
/// <param name="Trainer">Epochs, batches, learning-rate schedule, clipping, evaluation, checkpoints, seed.</param>
/// <param name="Holdout">Where the held-out split fell (null: trained on all of the data).</param>
/// <param name="EpochsCompleted">Epochs run.</param>
/// <param name="FinalObjective">Objective per step in the last epoch.</param>
/// <param name="WallSeconds">Wall time of all epochs, across resumes.</param>
/// <param name="Threads">Worker threads of the last run (results do not depend on it).</param>
/// <param name="ResumedFromEpoch">Epochs completed when the last run started.</param>
/// <param name="Rollbacks">Non-finite values the trainer rolled back from.</param>
/// <param name="ObjectivePerEpoch">Mean objective of every epoch.</param>
/// <param name="SummaryFile">The file with the per-epoch record (<see cref="TrainingSummaryDocument"/>).</param>
/// <param name="LearningCurve">The learning-curve plot.</param>
/// <param name="Starts">With several starts: each start's seed and selection scores, and which was kept (its seed fitted these parameters).</param>
public sealed record FitRecord(
    string? Preset,
    VsmcOptions Objective,
    FitTrainerSettings Trainer,
    HeldOutSplit? Holdout,
    int EpochsCompleted,
    double FinalObjective,
    double WallSeconds,
    int Threads,
    int ResumedFromEpoch,
    IReadOnlyList<RollbackEvent> Rollbacks,
    IReadOnlyList<double> ObjectivePerEpoch,
    string SummaryFile,
    string LearningCurve,
    StartsRecord? Starts = null)
{
    /// <summary>The record of <paramref name="fit"/>, run with <paramref name="settings"/> (the kept start of <paramref name="starts"/>, when given).</summary>
    public static FitRecord From(FitSettings settings, FitResult fit, string summaryFile, string learningCurve, StartsRecord? starts = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(fit);
        TrainingSummary summary = fit.Training.Summary;
        return new FitRecord(
            settings.Preset,
            settings.Objective,
            settings.Trainer,
            fit.Split,
            summary.Epochs,
            summary.Objective.Count > 0 ? summary.Objective[^1] : double.NaN,
            summary.TotalWallSeconds,
            settings.Objective.Threads,
            fit.Training.ResumedFromEpoch,
            summary.Rollbacks,
            summary.Objective,
            summaryFile,
            learningCurve,
            starts);
    }
}

/// <summary>A fitted model's training-summary.json: objective, learning rate and wall time per epoch, evaluations and rollbacks.</summary>
public sealed record TrainingSummaryDocument(
    int Epochs,
    double TotalWallSeconds,
    int ResumedFromEpoch,
    IReadOnlyList<double> Objective,
    IReadOnlyList<double> LearningRate,
    IReadOnlyList<double> WallSeconds,
    IReadOnlyList<EvaluationPoint> Evaluations,
    IReadOnlyList<RollbackEvent> Rollbacks)
{
    /// <summary>The document of a run's <paramref name="summary"/>.</summary>
    public static TrainingSummaryDocument From(TrainingSummary summary, int resumedFrom)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new(summary.Epochs, summary.TotalWallSeconds, resumedFrom, summary.Objective, summary.LearningRate, summary.WallSeconds, summary.Evaluations, summary.Rollbacks);
    }
}
