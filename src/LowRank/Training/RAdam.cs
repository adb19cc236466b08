namespace LowRank.Training;

/// <summary>
/// Rectified Adam (Liu et al. 2020, "On the variance of the adaptive learning rate and beyond") on
/// the flat parameter vector θ, minimising a loss. The state (moments and step count) is exposed so
/// that checkpoints can store and restore it exactly.
/// </summary>
/// <remarks>
/// With step count t (from 1), gradient g and learning rate η:
/// <code>
/// m   = β1 m + (1 − β1) g                       // first moment
/// v   = β2 v + (1 − β2) g²                      // second moment
/// m̂   = m / (1 − β1^t)                          // bias-corrected first moment
/// ρ∞  = 2 / (1 − β2) − 1
/// ρt  = ρ∞ − 2 t β2^t / (1 − β2^t)              // length of the approximated simple moving average
/// if ρt &gt; 5:                                  // variance of the adaptive rate is tractable
///     l = √(1 − β2^t) / (√v + ε)                // bias-corrected adaptive rate
///     r = √((ρt − 4)(ρt − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρt))   // variance rectification
///     θ = θ − η m̂ r l
/// else:
///     θ = θ − η m̂                               // warm-up: un-adapted momentum SGD
/// </code>
/// The threshold ρt &gt; 5 is the one of the reference implementation and of <c>torch.optim.RAdam</c>,
/// which the published fits used (the paper's algorithm box states ρt &gt; 4; the two differ only for
/// β2 where some integer t has 4 &lt; ρt ≤ 5). No weight decay.
/// </remarks>
public sealed class RAdam : MomentOptimizer
{
    public RAdam(int parameterCount, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
        : base(parameterCount, beta1, beta2, epsilon)
    {
    }

    /// <summary>ρ∞ = 2 / (1 − β2) − 1.</summary>
    public double RhoInfinity => 2 / (1 - Beta2) - 1;

    /// <summary>ρt for step <paramref name="step"/> (from 1).</summary>
    public double Rho(long step)
    {
        double beta2t = Math.Pow(Beta2, step);
        return RhoInfinity - 2 * step * beta2t / (1 - beta2t);
    }

    /// <summary>Takes one step: updates the moments and moves <paramref name="theta"/> against <paramref name="lossGradient"/>.</summary>
    public override void Step(Span<double> theta, ReadOnlySpan<double> lossGradient, double learningRate)
    {
        int count = FirstMoment.Length;
        CheckLengths(theta.Length, lossGradient.Length);

        long t = ++StepCount;
        double beta1 = Beta1, beta2 = Beta2;
        double biasCorrection1 = 1 - Math.Pow(beta1, t);
        double biasCorrection2 = 1 - Math.Pow(beta2, t);
        double rhoInfinity = RhoInfinity;
        double rho = Rho(t);
        Span<double> m = FirstMoment, v = SecondMoment;
        if (rho > 5)
        {
            double rectification = Math.Sqrt((rho - 4) * (rho - 2) * rhoInfinity / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho));
            double scale = learningRate * rectification * Math.Sqrt(biasCorrection2) / biasCorrection1;
            for (int i = 0; i < count; i++)
            {
                double g = lossGradient[i];
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                theta[i] -= scale * m[i] / (Math.Sqrt(v[i]) + Epsilon);
            }
        }
        else
        {
            double scale = learningRate / biasCorrection1;
            for (int i = 0; i < count; i++)
            {
                double g = lossGradient[i];
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                theta[i] -= scale * m[i];
            }
        }
    }
}
