using System.Numerics.Tensors;
using LowRank.Numerics;

namespace LowRank.Smc;

/// <summary>Standard-normal draws for the filter's reparameterisation noise, in blocks.</summary>
/// <remarks>
/// Box–Muller on a block of uniform pairs (u1 ∈ (0, 1), u2 ∈ [0, 1)):
/// <c>z_{2i} = √(−2 ln u1_i) cos(2π u2_i)</c>, <c>z_{2i+1} = √(−2 ln u1_i) sin(2π u2_i)</c>, with the
/// logarithm, square root and sine/cosine evaluated as vector operations over the block. Deterministic
/// for a given generator state; an odd-length block discards its last sine.
/// </remarks>
internal static class NormalSampler
{
    /// <summary>Scratch doubles <see cref="Fill"/> needs for <paramref name="count"/> draws.</summary>
    public static int ScratchLength(int count) => 4 * ((count + 1) / 2);

    public static void Fill(Rng rng, Span<double> destination, Span<double> scratch)
    {
        int pairs = (destination.Length + 1) / 2;
        Span<double> radius = scratch[..pairs];
        Span<double> angle = scratch.Slice(pairs, pairs);
        Span<double> sin = scratch.Slice(2 * pairs, pairs);
        Span<double> cos = scratch.Slice(3 * pairs, pairs);
        for (int i = 0; i < pairs; i++)
        {
            radius[i] = rng.NextOpenDouble();
            angle[i] = rng.NextDouble();
        }

        TensorPrimitives.Log(radius, radius);
        TensorPrimitives.Multiply(radius, -2.0, radius);
        TensorPrimitives.Sqrt(radius, radius);
        TensorPrimitives.Multiply(angle, 2 * Math.PI, angle);
        TensorPrimitives.SinCos(angle, sin, cos);
        for (int i = 0; i < pairs; i++)
        {
            destination[2 * i] = radius[i] * cos[i];
            if (2 * i + 1 < destination.Length)
            {
                destination[2 * i + 1] = radius[i] * sin[i];
            }
        }
    }
}
