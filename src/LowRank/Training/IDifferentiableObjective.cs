namespace LowRank.Training;

/// <summary>
/// An objective over the flat parameter vector θ with its exact gradient: all a model family brings to the
/// one training loop, <see cref="Trainer{TBatch}"/>. The VSMC evidence lower bound, the BPTT task loss and
/// the two Gaussian-mixture losses implement it.
/// </summary>
/// <typeparam name="TBatch">
/// What one gradient step sees: sequences with the seed of their randomness, or trial indices with the
/// epoch and step they belong to. All randomness is derived from it, so a value is a function of θ and the
/// batch alone and does not depend on the thread count.
/// </typeparam>
public interface IDifferentiableObjective<in TBatch>
{
    /// <summary>Length of θ.</summary>
    int ParameterCount { get; }

    /// <summary>
    /// Evaluates the objective on <paramref name="batch"/> (a mean over its sequences or trials) and writes
    /// ∂objective/∂θ into <paramref name="gradient"/> (overwritten).
    /// </summary>
    double Evaluate(ReadOnlySpan<double> theta, TBatch batch, Span<double> gradient);
}
