namespace LowRank.Training;

/// <summary>
/// A first-order optimiser on the flat parameter vector θ that minimises a loss. Its state (step count and
/// two moment vectors) is exposed so that checkpoints can store and restore it exactly.
/// </summary>
public interface IOptimizer
{
    /// <summary>Steps taken so far (t of the last step).</summary>
    long StepCount { get; }

    /// <summary>m, one entry per parameter.</summary>
    double[] FirstMoment { get; }

    /// <summary>v, one entry per parameter.</summary>
    double[] SecondMoment { get; }

    /// <summary>Takes one step: updates the moments and moves <paramref name="theta"/> against <paramref name="lossGradient"/>.</summary>
    void Step(Span<double> theta, ReadOnlySpan<double> lossGradient, double learningRate);

    /// <summary>Restores a saved state (step count and moments).</summary>
    void Restore(long stepCount, ReadOnlySpan<double> firstMoment, ReadOnlySpan<double> secondMoment);
}
