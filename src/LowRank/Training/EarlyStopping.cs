namespace LowRank.Training;

/// <summary>
/// When a run that scores an accuracy on validation data ends before its last epoch (the rule behind
/// <see cref="TrainerOptions.StopWhen"/>): it reached its target, or it ran out of patience.
/// </summary>
/// <remarks>
/// Target: the epoch's parameters are the best so far by the keep-best criterion
/// (<see cref="EpochStatus.BestEpoch"/> = <see cref="EpochStatus.Epoch"/>) and their accuracy is at least
/// <see cref="TargetAccuracy"/>, so the returned parameters are the ones that reached it. Patience: the best
/// criterion has not improved for <see cref="Patience"/> epochs (counted from the start when it never did).
/// </remarks>
/// <param name="TargetAccuracy">Accuracy that ends the run, in (0, 1]; 0: no target.</param>
/// <param name="Patience">Epochs without a better criterion that end the run; 0: no limit.</param>
public sealed record EarlyStopping(double TargetAccuracy, int Patience)
{
    /// <summary>Whether the epoch's parameters are the best so far and reach the target.</summary>
    public bool ReachedTarget(EpochStatus status, double accuracy) =>
        TargetAccuracy > 0 && status.BestEpoch == status.Epoch && accuracy >= TargetAccuracy;

    /// <summary>Whether the best criterion has not improved for <see cref="Patience"/> epochs.</summary>
    public bool OutOfPatience(EpochStatus status) =>
        Patience > 0 && status.Epoch - status.BestEpoch >= Patience;

    /// <summary>Whether the run ends after this epoch, given the accuracy of its parameters.</summary>
    public bool Holds(EpochStatus status, double accuracy) => ReachedTarget(status, accuracy) || OutOfPatience(status);
}
