namespace LowRank.Training;

/// <summary>
/// Adam on a flat parameter vector, with gradient-norm clipping and a per-parameter learning-rate
/// scale (0 freezes a parameter).
/// </summary>
/// <remarks>
/// <code>
/// g ← g · min(1, c / ‖g‖)                     (clip, when c &gt; 0; frozen entries are zeroed first)
/// m ← β1 m + (1 − β1) g;   v ← β2 v + (1 − β2) g²
/// θ ← θ − lr · scale_i · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)
/// </code>
/// </remarks>
public sealed class Adam
{
    private readonly double[] _m;
    private readonly double[] _v;
    private readonly double[] _rateScale;
    private int _step;

    public Adam(double[] rateScale, double learningRate, double clipNorm, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(rateScale);
        _rateScale = rateScale;
        _m = new double[rateScale.Length];
        _v = new double[rateScale.Length];
        LearningRate = learningRate;
        ClipNorm = clipNorm;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    public double LearningRate { get; set; }

    public double ClipNorm { get; }

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Epsilon { get; }

    /// <summary>Masks, clips and applies <paramref name="gradient"/> (modified in place); returns the gradient norm before clipping.</summary>
    public double Step(Span<double> theta, Span<double> gradient)
    {
        if (theta.Length != _m.Length || gradient.Length != _m.Length)
        {
            throw new ArgumentException($"expected vectors of length {_m.Length}, got θ {theta.Length} and g {gradient.Length}.");
        }

        double squared = 0;
        for (int i = 0; i < gradient.Length; i++)
        {
            if (_rateScale[i] == 0)
            {
                gradient[i] = 0;
            }

            squared += gradient[i] * gradient[i];
        }

        double norm = Math.Sqrt(squared);
        double scale = ClipNorm > 0 && norm > ClipNorm ? ClipNorm / norm : 1.0;
        _step++;
        double correction1 = 1 - Math.Pow(Beta1, _step);
        double correction2 = 1 - Math.Pow(Beta2, _step);
        for (int i = 0; i < theta.Length; i++)
        {
            if (_rateScale[i] == 0)
            {
                continue;
            }

            double g = gradient[i] * scale;
            _m[i] = Beta1 * _m[i] + (1 - Beta1) * g;
            _v[i] = Beta2 * _v[i] + (1 - Beta2) * g * g;
            theta[i] -= LearningRate * _rateScale[i] * (_m[i] / correction1) / (Math.Sqrt(_v[i] / correction2) + Epsilon);
        }

        return norm;
    }
}
