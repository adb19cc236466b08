using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LowRank.Numerics;

/// <summary>
/// ln(1 + u) of a SIMD register for u in [0, 1] (the softplus term ln(1 + e^{−|η|})): a float32 series fast enough for
/// the fused Poisson kernels, and the library logarithm for every other type.
/// </summary>
/// <remarks>
/// float: with s = u / (2 + u) ∈ [0, 1/3], ln(1 + u) = 2 atanh(s) = 2s Σ_{k≥0} s^{2k} / (2k + 1); seven terms (Horner
/// in s²) leave a truncation error below (1/9)⁷/15 ≈ 1.4·10⁻⁸ relative, under half a float ulp, so the result is within
/// a few ulp of the exact value (VectorLog1pTests: ≤ 3·10⁻⁷ relative on [0, 1]). Unlike ln of the rounded 1 + u it keeps
/// full relative precision for small u. .NET's float <c>Vector512.Log</c> evaluates in double lanes and narrows, about
/// three times the work. double (and any other type): <c>Vector512.Log(1 + u)</c>, so gradient checks in double see the
/// library function.
/// </remarks>
internal static class VectorLog1p
{
    /// <summary>ln(1 + u) of each lane, for lanes in [0, 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> OfUnit<T>(Vector512<T> u)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Single(u.As<T, float>()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector512.Log(Vector512<double>.One + u.As<T, double>()).As<double, T>();
        }

        throw new NotSupportedException($"VectorLog1p supports float and double lanes, not {typeof(T).Name}.");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Single(Vector512<float> u)
    {
        Vector512<float> s = u / (Vector512.Create(2f) + u);
        Vector512<float> w = s * s;
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(1f / 13), w, Vector512.Create(1f / 11));
        p = Vector512.FusedMultiplyAdd(p, w, Vector512.Create(1f / 9));
        p = Vector512.FusedMultiplyAdd(p, w, Vector512.Create(1f / 7));
        p = Vector512.FusedMultiplyAdd(p, w, Vector512.Create(1f / 5));
        p = Vector512.FusedMultiplyAdd(p, w, Vector512.Create(1f / 3));
        p = Vector512.FusedMultiplyAdd(p, w, Vector512<float>.One);
        return (s + s) * p;
    }
}
