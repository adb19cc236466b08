using static LowRank.InputException;

namespace LowRank.Training;

/// <summary>
/// Exponential learning-rate decay from <see cref="Initial"/> to <see cref="Final"/> over the epochs,
/// constant within an epoch.
/// </summary>
/// <remarks>
/// Epoch e (from 0) of E uses <c>η_e = η_0 · (η_end / η_0)^(e / E)</c>: the per-epoch factor is
/// <c>γ = (η_end / η_0)^(1/E)</c>, as with an exponential scheduler stepped once per epoch, so the
/// last epoch runs at <c>η_end / γ</c> and <c>η_end</c> is where the decay would land after it.
/// Each rate is computed directly from e (no running product), so a resumed fit sees the same rates.
/// </remarks>
public sealed record LearningRateSchedule
{
    public LearningRateSchedule(double initial, double final, int epochs)
    {
        if (!(initial > 0) || !(final > 0) || double.IsInfinity(initial) || double.IsInfinity(final))
        {
            throw new InputException(
                $"learning rates must be positive and finite (got {Ref("LearningRate")} {initial}, {Ref("FinalLearningRate")} {final}).",
                $"pass positive rates such as {Ref("LearningRate")} 1e-3 {Ref("FinalLearningRate")} 1e-6.");
        }

        if (epochs < 1)
        {
            throw new InputException($"the number of epochs must be at least 1 (got {epochs}).", $"pass {Ref("Epochs")} 1 or more.");
        }

        Initial = initial;
        Final = final;
        Epochs = epochs;
    }

    /// <summary>η_0.</summary>
    public double Initial { get; }

    /// <summary>η_end.</summary>
    public double Final { get; }

    /// <summary>E.</summary>
    public int Epochs { get; }

    /// <summary>The rate of epoch <paramref name="epoch"/> (from 0).</summary>
    public double At(int epoch) => Initial * Math.Pow(Final / Initial, (double)epoch / Epochs);
}

/// <summary>Gradient-norm clipping.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Rescales <paramref name="gradient"/> in place so that its Euclidean norm is at most
    /// <paramref name="maxNorm"/>; returns the norm before clipping.
    /// </summary>
    /// <remarks>Effectively <c>g ← g · min(1, c / ‖g‖₂)</c>. A non-finite norm is returned unchanged and the gradient is left as is.</remarks>
    public static double ClipNorm(Span<double> gradient, double maxNorm)
    {
        if (!(maxNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "the clipping norm must be positive.");
        }

        double norm = Norm(gradient);
        if (double.IsFinite(norm) && norm > maxNorm)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(gradient, maxNorm / norm, gradient);
        }

        return norm;
    }

    /// <summary>‖g‖₂, accumulated in a fixed order (deterministic).</summary>
    public static double Norm(ReadOnlySpan<double> gradient)
    {
        double sum = 0;
        for (int i = 0; i < gradient.Length; i++)
        {
            sum += gradient[i] * gradient[i];
        }

        return Math.Sqrt(sum);
    }
}
