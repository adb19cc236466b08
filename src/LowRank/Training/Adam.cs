namespace LowRank.Training;

/// <summary>
/// Adam on the flat parameter vector θ, with a per-parameter learning-rate scale (0 freezes a parameter).
/// </summary>
/// <remarks>
/// With step count t (from 1), gradient g (already clipped by the trainer) and learning rate η:
/// <code>
/// m ← β1 m + (1 − β1) g;   v ← β2 v + (1 − β2) g²
/// θ ← θ − η · scale_i · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)      (entries with scale_i = 0 are skipped)
/// </code>
/// </remarks>
public sealed class Adam : MomentOptimizer
{
    private readonly double[] _rateScale;

    /// <param name="rateScale">Learning-rate factor per parameter (0: frozen).</param>
    /// <param name="beta1">β1, decay of the first moment.</param>
    /// <param name="beta2">β2, decay of the second moment.</param>
    /// <param name="epsilon">ε added to the root of the second moment.</param>
    public Adam(double[] rateScale, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
        : base(rateScale?.Length ?? throw new ArgumentNullException(nameof(rateScale)), beta1, beta2, epsilon)
    {
        _rateScale = rateScale;
    }

    /// <summary>Adam with the same rate on all <paramref name="parameterCount"/> parameters.</summary>
    public Adam(int parameterCount)
        : this(Enumerable.Repeat(1.0, parameterCount).ToArray())
    {
    }

    public override void Step(Span<double> theta, ReadOnlySpan<double> lossGradient, double learningRate)
    {
        int count = FirstMoment.Length;
        CheckLengths(theta.Length, lossGradient.Length);

        long t = ++StepCount;
        double correction1 = 1 - Math.Pow(Beta1, t);
        double correction2 = 1 - Math.Pow(Beta2, t);
        Span<double> m = FirstMoment, v = SecondMoment;
        for (int i = 0; i < count; i++)
        {
            if (_rateScale[i] == 0)
            {
                continue;
            }

            double g = lossGradient[i];
            m[i] = Beta1 * m[i] + (1 - Beta1) * g;
            v[i] = Beta2 * v[i] + (1 - Beta2) * g * g;
            theta[i] -= learningRate * _rateScale[i] * (m[i] / correction1) / (Math.Sqrt(v[i] / correction2) + Epsilon);
        }
    }
}
