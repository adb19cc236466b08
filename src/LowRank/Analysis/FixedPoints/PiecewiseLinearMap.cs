namespace LowRank.Analysis.FixedPoints;

/// <summary>The piecewise-linear unit nonlinearities whose fixed points can be enumerated exactly.</summary>
public enum PiecewiseActivation
{
    /// <summary><c>φ(x) = max(0, x − h)</c>: one kink per unit, at x = h.</summary>
    Relu,

    /// <summary><c>φ(x) = max(0, x + h) − max(0, x)</c>: two kinks per unit, at x = −h and x = 0.</summary>
    ClippedRelu,
}

/// <summary>
/// The deterministic latent map of a low-rank RNN with constant input and noise off (docs/model.md, docs/fixed-points.md):
/// <c>F(z) = a z + Ñ φ(M z + c; h)</c>.
/// </summary>
/// <remarks>
/// Dimensions: R rank (latent), N units. Row-major arrays:
/// <c>M</c> [N, R], <c>Ñ</c> [R, N], <c>h</c> [N], <c>c = W u</c> [N] (the constant input current), decay
/// <c>a</c> ∈ (0, 1). A fixed point solves <c>F(z) = z</c>.
/// </remarks>
/// <param name="M">Left connectivity vectors, [N, R] row-major.</param>
/// <param name="N">Right connectivity vectors Ñ, [R, N] row-major.</param>
/// <param name="H">Unit thresholds, [N].</param>
/// <param name="C">Constant input current <c>W u</c>, [N].</param>
/// <param name="Decay">The decay <c>a</c>, in (0, 1).</param>
/// <param name="Activation">Which piecewise-linear φ.</param>
/// <param name="Units">N.</param>
/// <param name="Rank">R.</param>
public sealed record PiecewiseLinearMap(
    double[] M,
    double[] N,
    double[] H,
    double[] C,
    double Decay,
    PiecewiseActivation Activation,
    int Units,
    int Rank) : ILatentMap
{
    /// <summary>Checks the shapes and the decay; throws <see cref="ArgumentException"/> naming the mismatch.</summary>
    public void Validate()
    {
        if (Units < 1 || Rank < 1)
        {
            throw new ArgumentException($"need at least one unit and rank ≥ 1, got N = {Units}, R = {Rank}.");
        }

        CheckLength(M, Units * Rank, nameof(M), $"[{Units}, {Rank}]");
        CheckLength(N, Rank * Units, nameof(N), $"[{Rank}, {Units}]");
        CheckLength(H, Units, nameof(H), $"[{Units}]");
        CheckLength(C, Units, nameof(C), $"[{Units}]");
        if (!(Decay > 0 && Decay < 1))
        {
            throw new ArgumentException($"decay must lie in (0, 1), got {Decay}.", nameof(Decay));
        }
    }

    /// <summary>Number of kinks (hyperplanes in latent space): N for relu, 2N for clipped relu.</summary>
    public int KinkCount => Activation == PiecewiseActivation.Relu ? Units : 2 * Units;

    /// <summary>Computes <c>destination = F(z)</c>.</summary>
    public void Evaluate(ReadOnlySpan<double> z, Span<double> destination)
    {
        if (z.Length != Rank || destination.Length != Rank)
        {
            throw new ArgumentException($"z and destination must have length R = {Rank}, got {z.Length} and {destination.Length}.");
        }

        for (int r = 0; r < Rank; r++)
        {
            destination[r] = Decay * z[r];
        }

        for (int i = 0; i < Units; i++)
        {
            // x_i = m_iᵀ z + c_i
            double x = C[i];
            for (int r = 0; r < Rank; r++)
            {
                x += M[i * Rank + r] * z[r];
            }

            double rate = Activation == PiecewiseActivation.Relu
                ? Math.Max(0, x - H[i])
                : Math.Max(0, x + H[i]) - Math.Max(0, x);
            if (rate != 0)
            {
                for (int r = 0; r < Rank; r++)
                {
                    destination[r] += N[r * Units + i] * rate;
                }
            }
        }
    }

    /// <summary>Euclidean norm of <c>F(z) − z</c>.</summary>
    public double Residual(ReadOnlySpan<double> z)
    {
        Span<double> f = Rank <= 64 ? stackalloc double[Rank] : new double[Rank];
        Evaluate(z, f);
        double sum = 0;
        for (int r = 0; r < Rank; r++)
        {
            double d = f[r] - z[r];
            sum += d * d;
        }

        return Math.Sqrt(sum);
    }

    private static void CheckLength(double[] array, int expected, string name, string shape)
    {
        ArgumentNullException.ThrowIfNull(array, name);
        if (array.Length != expected)
        {
            throw new ArgumentException($"{name} must have shape {shape} ({expected} entries), got {array.Length}.", name);
        }
    }
}
