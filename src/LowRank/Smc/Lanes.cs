using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LowRank.Smc;

/// <summary>Whole-register arithmetic the fused kernels share (the transition kernels, the Poisson observations).</summary>
internal static class Lanes
{
    /// <summary><c>a b + c</c> with one rounding (the type test folds away when the JIT specialises).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TReal> Fma<TReal>(Vector512<TReal> a, Vector512<TReal> b, Vector512<TReal> c)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        if (typeof(TReal) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(a.As<TReal, float>(), b.As<TReal, float>(), c.As<TReal, float>()).As<float, TReal>();
        }

        if (typeof(TReal) == typeof(double))
        {
            return Vector512.FusedMultiplyAdd(a.As<TReal, double>(), b.As<TReal, double>(), c.As<TReal, double>()).As<double, TReal>();
        }

        return (a * b) + c;
    }
}
