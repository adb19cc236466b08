using System.Runtime.CompilerServices;
using LowRank.Numerics;

namespace LowRank.Smc;

/// <summary>Ancestor draws from normalised weights (K particles).</summary>
/// <remarks>
/// Both schemes invert the cumulative weights with a strict comparison (<c>u &lt; cumsum[k]</c>), so a
/// particle of weight 0 (log-weight −∞) is never drawn; a position beyond the last cumulative sum
/// (rounding: <c>cumsum[K−1] &lt; 1</c>) goes to the last particle of positive weight.
/// </remarks>
internal static class Resampling
{
    /// <summary>Draws K ancestors into <paramref name="ancestors"/> (length K) from <paramref name="weights"/> (sums to 1).</summary>
    public static void Draw(ResamplingScheme scheme, ReadOnlySpan<double> weights, Rng rng, Span<int> ancestors)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (scheme == ResamplingScheme.Systematic)
        {
            Systematic(weights, rng.NextDouble(), ancestors);
        }
        else
        {
            for (int k = 0; k < ancestors.Length; k++)
            {
                ancestors[k] = Invert(weights, rng.NextDouble());
            }
        }
    }

    /// <summary>Systematic resampling with offset <paramref name="offset"/> ∈ [0, 1): positions <c>(k + offset) / K</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Systematic(ReadOnlySpan<double> weights, double offset, Span<int> ancestors)
    {
        if (ancestors.Length != weights.Length)
        {
            throw new ArgumentException($"ancestors ({ancestors.Length}) must match weights ({weights.Length}).", nameof(ancestors));
        }

        int count = weights.Length;
        int lastPositive = LastPositive(weights);
        double cumulative = weights[0];
        int index = 0;
        for (int k = 0; k < count; k++)
        {
            double position = (k + offset) / count;
            while (index < lastPositive && !(position < cumulative))
            {
                index++;
                cumulative += weights[index];
            }

            ancestors[k] = index;
        }
    }

    /// <summary>The index j with <c>cumsum[j−1] ≤ u &lt; cumsum[j]</c>, never one of weight 0.</summary>
    public static int Invert(ReadOnlySpan<double> weights, double uniform)
    {
        int lastPositive = LastPositive(weights);
        double cumulative = 0;
        for (int j = 0; j < lastPositive; j++)
        {
            cumulative += weights[j];
            if (uniform < cumulative)
            {
                return j;
            }
        }

        return lastPositive;
    }

    private static int LastPositive(ReadOnlySpan<double> weights)
    {
        for (int j = weights.Length - 1; j >= 0; j--)
        {
            if (weights[j] > 0)
            {
                return j;
            }
        }

        throw new ArgumentException("every weight is zero: nothing can be resampled.", nameof(weights));
    }
}
