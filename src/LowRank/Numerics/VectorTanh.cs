using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LowRank.Numerics;

/// <summary>
/// tanh of a SIMD register: a float32 rational approximation fast enough to run inside fused kernels, and the exact
/// scalar tanh for every other type.
/// </summary>
/// <remarks>
/// float: <c>tanh(x) ≈ x·p(x²) / q(x²)</c> on x clamped to ±7.9053 (where tanh rounds to 1 − 2⁻²², the largest float
/// below 1 that it reaches; the result never equals ±1 exactly), p of degree 6 and q of degree 3 in x² (the
/// coefficients of Eigen's <c>generic_fast_tanh_float</c>), and x itself for |x| &lt; 4·10⁻⁴. Absolute and relative
/// error at most 3·10⁻⁷ (about 5 ulp) over the whole line (see VectorTanhTests); NaN in, NaN out. double (and any
/// other type): <see cref="Math.Tanh"/> lane by lane, so gradient checks in double see the exact function.
/// </remarks>
internal static class VectorTanh
{
    /// <summary>tanh of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Of<T>(Vector512<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Single(x.As<T, float>()).As<float, T>();
        }

        return Exact(x);
    }

    /// <summary><c>destination[i] = tanh(x[i])</c>; <paramref name="x"/> and <paramref name="destination"/> may be the same span.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than <paramref name="x"/>.</exception>
    public static void Apply<T>(ReadOnlySpan<T> x, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException($"destination has length {destination.Length}, shorter than the input's {x.Length}.", nameof(destination));
        }

        int width = Vector512<T>.Count;
        int i = 0;
        ref T source = ref MemoryMarshal.GetReference(x);
        ref T target = ref MemoryMarshal.GetReference(destination);
        for (; i <= x.Length - width; i += width)
        {
            Of(Vector512.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref target, (nuint)i);
        }

        if (i < x.Length)
        {
            Vector512<T> tail = default;
            Span<T> lanes = MemoryMarshal.CreateSpan(ref Unsafe.As<Vector512<T>, T>(ref tail), width);
            x[i..].CopyTo(lanes);
            tail = Of(tail);
            lanes = MemoryMarshal.CreateSpan(ref Unsafe.As<Vector512<T>, T>(ref tail), width);
            lanes[..(x.Length - i)].CopyTo(destination[i..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Single(Vector512<float> a)
    {
        Vector512<float> bound = Vector512.Create(7.90531110763549805f);
        Vector512<float> x = Vector512.MinNative(Vector512.MaxNative(a, -bound), bound);
        Vector512<float> x2 = x * x;

        // numerator x (α1 + α3 x² + … + α13 x¹²), Horner in x²
        Vector512<float> p = Vector512.FusedMultiplyAdd(x2, Vector512.Create(-2.76076847742355e-16f), Vector512.Create(2.00018790482477e-13f));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(-8.60467152213735e-11f));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(5.12229709037114e-08f));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(1.48572235717979e-05f));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(6.37261928875436e-04f));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(4.89352455891786e-03f));
        p *= x;

        // denominator β0 + β2 x² + β4 x⁴ + β6 x⁶
        Vector512<float> q = Vector512.FusedMultiplyAdd(x2, Vector512.Create(1.19825839466702e-06f), Vector512.Create(1.18534705686654e-04f));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(2.26843463243900e-03f));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(4.89352518554385e-03f));

        // x itself where |x| < 4·10⁻⁴ or x is NaN (the comparison is false for NaN)
        Vector512<float> passThrough = ~Vector512.GreaterThanOrEqual(Vector512.Abs(a), Vector512.Create(4e-4f));
        return Vector512.ConditionalSelect(passThrough, a, p / q);
    }

    private static Vector512<T> Exact<T>(Vector512<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector512<T> result = x;
        Span<T> lanes = MemoryMarshal.CreateSpan(ref Unsafe.As<Vector512<T>, T>(ref result), Vector512<T>.Count);
        for (int i = 0; i < lanes.Length; i++)
        {
            lanes[i] = T.Tanh(lanes[i]);
        }

        return result;
    }
}
