using System.Numerics;
using System.Runtime.InteropServices;

namespace LowRank.Encoders;

/// <summary>
/// The encoder's activations, in place, with their slopes for the reverse pass:
/// GELU <c>a = x Φ(x)</c>, <c>a' = Φ(x) + x φ(x)</c> (<see cref="NormalCdf"/>, computed in double for either
/// precision); LeakyReLU <c>a = x</c>, <c>a' = 1</c> for x &gt; 0 and <c>a = 0.1 x</c>, <c>a' = 0.1</c> otherwise.
/// Both map 0 to 0, so zero-padded channels stay zero.
/// </summary>
internal static class ActivationKernels
{
    /// <summary>Replaces each <c>values[i]</c> by its activation and writes the slope at it to <c>slopes[i]</c>.</summary>
    public static void Apply<TReal>(EncoderActivation kind, Span<TReal> values, Span<TReal> slopes)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        if (slopes.Length < values.Length)
        {
            throw new ArgumentException($"slopes has {slopes.Length} entries, values {values.Length}.", nameof(slopes));
        }

        switch (kind)
        {
            case EncoderActivation.Gelu:
                Gelu(values, slopes);
                break;
            case EncoderActivation.LeakyRelu:
                LeakyRelu(values, slopes);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown encoder activation.");
        }
    }

    /// <summary>GELU of one scalar and its slope, in double.</summary>
    public static double Gelu(double x, out double slope)
    {
        double cdf = NormalCdf.Value(x, out double density);
        slope = Math.FusedMultiplyAdd(x, density, cdf);
        return x * cdf;
    }

    private static void Gelu<TReal>(Span<TReal> values, Span<TReal> slopes)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        int i = 0, n = values.Length;
        if (typeof(TReal) == typeof(double))
        {
            Span<double> x = MemoryMarshal.Cast<TReal, double>(values), d = MemoryMarshal.Cast<TReal, double>(slopes);
            for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
            {
                Gelu(Vector.LoadUnsafe(ref x[i]), out Vector<double> slope).StoreUnsafe(ref x[i]);
                slope.StoreUnsafe(ref d[i]);
            }
        }
        else if (typeof(TReal) == typeof(float))
        {
            // float lanes widened to double, activated, narrowed back.
            Span<float> x = MemoryMarshal.Cast<TReal, float>(values), d = MemoryMarshal.Cast<TReal, float>(slopes);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref x[i]), out Vector<double> low, out Vector<double> high);
                Vector<double> aLow = Gelu(low, out Vector<double> dLow), aHigh = Gelu(high, out Vector<double> dHigh);
                Vector.Narrow(aLow, aHigh).StoreUnsafe(ref x[i]);
                Vector.Narrow(dLow, dHigh).StoreUnsafe(ref d[i]);
            }
        }

        for (; i < n; i++)
        {
            values[i] = TReal.CreateTruncating(Gelu(double.CreateTruncating(values[i]), out double slope));
            slopes[i] = TReal.CreateTruncating(slope);
        }
    }

    private static Vector<double> Gelu(Vector<double> x, out Vector<double> slope)
    {
        Vector<double> cdf = NormalCdf.Value(x, out Vector<double> density);
        slope = Vector.FusedMultiplyAdd(x, density, cdf);
        return x * cdf;
    }

    private static void LeakyRelu<TReal>(Span<TReal> values, Span<TReal> slopes)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        TReal leak = TReal.CreateTruncating(EncoderOptions.LeakyReluSlope);
        var leakLanes = new Vector<TReal>(leak);
        int i = 0, n = values.Length;
        for (; i <= n - Vector<TReal>.Count; i += Vector<TReal>.Count)
        {
            Vector<TReal> x = Vector.LoadUnsafe(ref values[i]);
            Vector<TReal> positive = Vector.GreaterThan(x, Vector<TReal>.Zero);
            Vector.ConditionalSelect(positive, x, x * leakLanes).StoreUnsafe(ref values[i]);
            Vector.ConditionalSelect(positive, Vector<TReal>.One, leakLanes).StoreUnsafe(ref slopes[i]);
        }

        for (; i < n; i++)
        {
            bool positive = values[i] > TReal.Zero;
            values[i] = positive ? values[i] : values[i] * leak;
            slopes[i] = positive ? TReal.One : leak;
        }
    }
}
