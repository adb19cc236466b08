using LowRank.Data;
namespace LowRank.Training;

/// <summary>
/// An objective to maximise over the flat parameter vector θ, with its exact gradient. The trainer
/// sees only this; the VSMC evidence lower bound implements it.
/// </summary>
public interface IDifferentiableObjective
{
    /// <summary>Length of θ.</summary>
    int ParameterCount { get; }

    /// <summary>
    /// Evaluates the objective averaged over the batch and writes ∂objective/∂θ into
    /// <paramref name="gradient"/> (overwritten). All randomness comes from <paramref name="seed"/>
    /// (sequence b uses stream b), so the result does not depend on the thread count.
    /// </summary>
    double Evaluate(ReadOnlySpan<double> theta, SequenceBatch batch, long seed, Span<double> gradient);
}
