using LowRank.RateNetworks;
namespace LowRank.Training;

/// <summary>One evaluation during training.</summary>
/// <param name="Epoch">Epochs completed when it ran.</param>
/// <param name="Value">What the evaluation returned (for <c>lowrank fit</c>: the objective on fixed windows).</param>
public readonly record struct EvaluationPoint(int Epoch, double Value);

/// <summary>A non-finite objective, gradient or θ that made the trainer roll back.</summary>
/// <param name="Epoch">The epoch (from 0) in which it happened.</param>
/// <param name="Batch">The batch within that epoch (from 0).</param>
/// <param name="RestoredEpoch">Epochs completed in the state rolled back to.</param>
/// <param name="LearningRateScale">The factor on the scheduled learning rate from then on (halved).</param>
/// <param name="Reason">What was not finite.</param>
public sealed record RollbackEvent(int Epoch, int Batch, int RestoredEpoch, double LearningRateScale, string Reason);

/// <summary>What happened during training: objective, learning rate and wall time per epoch, evaluations and rollbacks.</summary>
public sealed class TrainingSummary
{
    /// <summary>Mean objective over the epoch's sequences, one entry per completed epoch.</summary>
    public List<double> Objective { get; } = [];

    /// <summary>Learning rate used in each completed epoch.</summary>
    public List<double> LearningRate { get; } = [];

    /// <summary>Cumulative wall time in seconds at the end of each completed epoch (across resumes).</summary>
    public List<double> WallSeconds { get; } = [];

    /// <summary>Evaluations in epoch order.</summary>
    public List<EvaluationPoint> Evaluations { get; } = [];

    /// <summary>Rollbacks in the order they happened.</summary>
    public List<RollbackEvent> Rollbacks { get; } = [];

    /// <summary>Completed epochs.</summary>
    public int Epochs => Objective.Count;

    /// <summary>Wall time in seconds of all completed epochs.</summary>
    public double TotalWallSeconds => WallSeconds.Count > 0 ? WallSeconds[^1] : 0;

    /// <summary>A deep copy.</summary>
    public TrainingSummary Clone()
    {
        var copy = new TrainingSummary();
        copy.Objective.AddRange(Objective);
        copy.LearningRate.AddRange(LearningRate);
        copy.WallSeconds.AddRange(WallSeconds);
        copy.Evaluations.AddRange(Evaluations);
        copy.Rollbacks.AddRange(Rollbacks);
        return copy;
    }
}
