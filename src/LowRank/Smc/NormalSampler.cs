using System.Numerics.Tensors;
using LowRank.Numerics;

namespace LowRank.Smc;

/// <summary>Standard-normal draws for the filter's reparameterisation noise, in blocks.</summary>
/// <remarks>
/// Marsaglia's polar method on a block: pairs (u, v) uniform on the square (−1, 1)² are drawn until
/// <c>s = u² + v²</c> lies in (0, 1); then <c>z_{2i} = u √(−2 ln s / s)</c>, <c>z_{2i+1} = v √(−2 ln s / s)</c>,
/// with the logarithm, division and square root evaluated as vector operations over the block (no
/// trigonometry). Deterministic for a given generator state; an odd-length block discards its last value.
/// </remarks>
internal static class NormalSampler
{
    /// <summary>Scratch doubles <see cref="Fill"/> needs for <paramref name="count"/> draws.</summary>
    public static int ScratchLength(int count) => 3 * ((count + 1) / 2);

    public static void Fill(Rng rng, Span<double> destination, Span<double> scratch)
    {
        int pairs = (destination.Length + 1) / 2;
        Span<double> first = scratch[..pairs];
        Span<double> second = scratch.Slice(pairs, pairs);
        Span<double> factor = scratch.Slice(2 * pairs, pairs);
        for (int i = 0; i < pairs; i++)
        {
            double u, v, s;
            do
            {
                u = 2 * rng.NextDouble() - 1;
                v = 2 * rng.NextDouble() - 1;
                s = u * u + v * v;
            }
            while (!(s > 0 && s < 1));

            first[i] = u;
            second[i] = v;
            factor[i] = s;
        }

        // factor = √(−2 ln s / s); destination[..pairs] holds ln s until the values are written.
        Span<double> logS = destination[..pairs];
        TensorPrimitives.Log(factor, logS);
        TensorPrimitives.Divide(logS, factor, factor);
        TensorPrimitives.Multiply(factor, -2.0, factor);
        TensorPrimitives.Sqrt(factor, factor);
        for (int i = 0; i < pairs; i++)
        {
            if (2 * i + 1 < destination.Length)
            {
                destination[2 * i + 1] = second[i] * factor[i];
            }

            destination[2 * i] = first[i] * factor[i];
        }
    }
}
