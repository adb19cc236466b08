namespace LowRank.Analysis.FixedPoints;

/// <summary>
/// A deterministic map of the R latent coordinates, one time step: <c>z_{t+1} = F(z_t)</c>. Its fixed points and flow
/// field are what <c>FixedPointPlots</c> draws; the stochastic model's <see cref="PiecewiseLinearMap"/> and a rate
/// network's <see cref="RateNetworkLatentMap"/> are two.
/// </summary>
public interface ILatentMap
{
    /// <summary>R, the number of latent coordinates.</summary>
    int Rank { get; }

    /// <summary>Computes <c>destination = F(z)</c>, both [R].</summary>
    void Evaluate(ReadOnlySpan<double> z, Span<double> destination);
}

/// <summary>
/// A latent map seen in coordinates translated by <paramref name="Offset"/>: <c>z' = z + offset</c>, so
/// <c>F'(z') = F(z' − offset) + offset</c>. Fixed points move by the offset; their Jacobians do not change.
/// </summary>
/// <param name="Inner">The map in its own coordinates.</param>
/// <param name="Offset">The translation, [R].</param>
public sealed record TranslatedLatentMap(ILatentMap Inner, double[] Offset) : ILatentMap
{
    public int Rank => Inner.Rank;

    public void Evaluate(ReadOnlySpan<double> z, Span<double> destination)
    {
        if (z.Length != Rank || destination.Length != Rank || Offset.Length != Rank)
        {
            throw new ArgumentException($"z, destination and the offset must have length R = {Rank}, got {z.Length}, {destination.Length} and {Offset.Length}.");
        }

        Span<double> shifted = Rank <= 64 ? stackalloc double[Rank] : new double[Rank];
        for (int r = 0; r < Rank; r++)
        {
            shifted[r] = z[r] - Offset[r];
        }

        Inner.Evaluate(shifted, destination);
        for (int r = 0; r < Rank; r++)
        {
            destination[r] += Offset[r];
        }
    }

    /// <summary>The fixed point <paramref name="point"/> of <see cref="Inner"/> in the translated coordinates.</summary>
    public FixedPoint Translate(FixedPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        var z = new double[Rank];
        for (int r = 0; r < Rank; r++)
        {
            z[r] = point.Z[r] + Offset[r];
        }

        return point with { Z = z };
    }
}
