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

/// <summary>
/// What happened during training: objective, learning rate and wall time per epoch, evaluations, rollbacks,
/// gradient steps and, when the run keeps the best parameters, the losses that chose them.
/// </summary>
public sealed class TrainingSummary
{
    /// <summary>Mean objective (or loss) over the epoch's sequences or trials, one entry per completed epoch.</summary>
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

    /// <summary>Gradient steps taken in this run.</summary>
    public long Steps { get; set; }

    /// <summary>Keep-best criterion of the starting parameters (NaN when the run returns its last parameters).</summary>
    public double InitialLoss { get; set; } = double.NaN;

    /// <summary>Lowest keep-best criterion: that of the returned parameters (NaN without keep-best).</summary>
    public double BestLoss { get; set; } = double.NaN;

    /// <summary>Epochs completed when the returned parameters were reached (0: the start; −1 without keep-best).</summary>
    public int BestEpoch { get; set; } = -1;

    /// <summary>Whether <see cref="TrainerOptions.StopWhen"/> ended the run (at the start, or at or before the last scheduled epoch).</summary>
    public bool StoppedEarly { get; set; }

    /// <summary>Wall time of the whole run in seconds, set by whoever ran it (for a fit: training and final scoring).</summary>
    public double Seconds { get; set; }

    /// <summary>A deep copy.</summary>
    public TrainingSummary Clone()
    {
        var copy = new TrainingSummary();
        copy.Objective.AddRange(Objective);
        copy.LearningRate.AddRange(LearningRate);
        copy.WallSeconds.AddRange(WallSeconds);
        copy.Evaluations.AddRange(Evaluations);
        copy.Rollbacks.AddRange(Rollbacks);
        copy.Steps = Steps;
        copy.InitialLoss = InitialLoss;
        copy.BestLoss = BestLoss;
        copy.BestEpoch = BestEpoch;
        copy.StoppedEarly = StoppedEarly;
        copy.Seconds = Seconds;
        return copy;
    }
}
