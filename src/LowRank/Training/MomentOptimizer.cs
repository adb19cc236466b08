namespace LowRank.Training;

/// <summary>
/// What the moment optimisers share: β1, β2, ε, the step count and the two moment vectors, and restoring them
/// from a checkpoint. <see cref="RAdam"/> and <see cref="Adam"/> differ only in their step.
/// </summary>
public abstract class MomentOptimizer : IOptimizer
{
    protected MomentOptimizer(int parameterCount, double beta1, double beta2, double epsilon)
    {
        if (parameterCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(parameterCount), parameterCount, "the parameter count must be positive.");
        }

        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 > 0 && beta2 < 1) || !(epsilon >= 0))
        {
            throw new ArgumentException($"need 0 ≤ β1 < 1, 0 < β2 < 1 and ε ≥ 0 (got β1 = {beta1}, β2 = {beta2}, ε = {epsilon}).");
        }

        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        FirstMoment = new double[parameterCount];
        SecondMoment = new double[parameterCount];
    }

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Epsilon { get; }

    /// <summary>Number of steps taken so far (t of the last step).</summary>
    public long StepCount { get; protected set; }

    /// <summary>m, one entry per parameter.</summary>
    public double[] FirstMoment { get; }

    /// <summary>v, one entry per parameter.</summary>
    public double[] SecondMoment { get; }

    public abstract void Step(Span<double> theta, ReadOnlySpan<double> lossGradient, double learningRate);

    /// <summary>Restores a saved state (step count and moments).</summary>
    public void Restore(long stepCount, ReadOnlySpan<double> firstMoment, ReadOnlySpan<double> secondMoment)
    {
        if (stepCount < 0 || firstMoment.Length != FirstMoment.Length || secondMoment.Length != SecondMoment.Length)
        {
            throw new ArgumentException($"a saved state needs a step count ≥ 0 and {FirstMoment.Length} entries per moment (got {stepCount}, {firstMoment.Length}, {secondMoment.Length}).");
        }

        StepCount = stepCount;
        firstMoment.CopyTo(FirstMoment);
        secondMoment.CopyTo(SecondMoment);
    }

    /// <summary>Throws unless <paramref name="theta"/> and <paramref name="lossGradient"/> have one entry per parameter.</summary>
    protected void CheckLengths(int theta, int lossGradient)
    {
        if (theta != FirstMoment.Length || lossGradient != FirstMoment.Length)
        {
            throw new ArgumentException($"θ and the gradient must have {FirstMoment.Length} entries (got {theta} and {lossGradient}).");
        }
    }
}
