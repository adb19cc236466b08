using LowRank.Numerics;

namespace LowRank.Training;

/// <summary>One attempt's outcome: its returned parameters and training, and how they score on the validation data.</summary>
/// <param name="Theta">The attempt's returned (best) parameters.</param>
/// <param name="Summary">The attempt's training.</param>
/// <param name="Accuracy">Validation accuracy of <paramref name="Theta"/>, as the target is judged.</param>
/// <param name="Loss">Validation loss of <paramref name="Theta"/> (breaks ties in accuracy).</param>
public readonly record struct TrainingAttempt(double[] Theta, TrainingSummary Summary, double Accuracy, double Loss);

/// <summary>What <see cref="RestartsUntilTarget.Run"/> returns.</summary>
/// <param name="Chosen">The returned attempt: the first that reached the target, else the most accurate (then lowest loss).</param>
/// <param name="ChosenIndex">Its index (0: the first attempt).</param>
/// <param name="Restarts">Restarts run (attempts − 1).</param>
/// <param name="TotalEpochs">Epochs over all attempts.</param>
/// <param name="ReachedTarget">Whether <paramref name="Chosen"/> reached the target (false without one).</param>
public sealed record RestartsResult(TrainingAttempt Chosen, int ChosenIndex, int Restarts, int TotalEpochs, bool ReachedTarget);

/// <summary>
/// Training until a validation accuracy target, with restarts: the one mechanism behind <c>task train</c> and
/// <c>populations train</c>. Attempt 0 runs; while no attempt has reached the target (and there is one), up to
/// <c>restarts</c> more run, attempt k with its own randomness from <see cref="AttemptSeed"/>.
/// </summary>
public static class RestartsUntilTarget
{
    private const long RestartStream = 1L << 48;

    /// <summary>
    /// Runs <paramref name="attempt"/>(0), then (1), … up to <paramref name="restarts"/> restarts, stopping at the first
    /// attempt whose accuracy reaches <paramref name="target"/> (0: no target, one attempt). Each restart is reported to
    /// <paramref name="progress"/> (stage <c>restart</c>) with <paramref name="describeRestart"/>'s note.
    /// </summary>
    public static RestartsResult Run(
        double target,
        int restarts,
        Func<int, TrainingAttempt> attempt,
        IProgressSink progress,
        Func<TrainingAttempt, int, string> describeRestart)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(describeRestart);
        ArgumentOutOfRangeException.ThrowIfNegative(restarts);
        TrainingAttempt? chosen = null;
        int chosenIndex = -1, totalEpochs = 0, attempts = 0;
        for (int k = 0; k <= restarts; k++)
        {
            if (k > 0)
            {
                progress.Report(new ProgressUpdate("restart", k, restarts, describeRestart(chosen!.Value, k)));
            }

            attempts++;
            TrainingAttempt run = attempt(k);
            totalEpochs += run.Summary.Epochs;
            if (chosen is not { } c || run.Accuracy > c.Accuracy || (run.Accuracy == c.Accuracy && run.Loss < c.Loss))
            {
                chosen = run;
                chosenIndex = k;
            }

            if (target == 0 || run.Accuracy >= target)
            {
                break;
            }
        }

        TrainingAttempt best = chosen!.Value;
        return new RestartsResult(best, chosenIndex, attempts - 1, totalEpochs, target > 0 && best.Accuracy >= target);
    }

    /// <summary>The seed attempt <paramref name="attempt"/> draws its randomness from: the seed itself for attempt 0, else the first draw of stream 2⁴⁸ + attempt.</summary>
    public static long AttemptSeed(long seed, int attempt) =>
        attempt == 0 ? seed : (long)Rng.Create(seed, RestartStream + attempt).NextUInt64();
}
