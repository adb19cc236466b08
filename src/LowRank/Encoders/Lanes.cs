using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LowRank.Encoders;

/// <summary>
/// One SIMD register of <typeparamref name="TReal"/> lanes as the tile kernels of <see cref="ConvolutionKernels"/> use
/// it. Implementations are structs passed as type arguments, so each register width compiles to its own kernel.
/// </summary>
internal interface ILanes<TReal, TVector>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
    where TVector : unmanaged
{
    /// <summary>Lanes per register.</summary>
    static abstract int Count { get; }

    /// <summary>The register at <c>source + offset</c> (unaligned, unchecked).</summary>
    static abstract TVector Load(ref TReal source, nint offset);

    /// <summary>Writes <paramref name="value"/> at <c>destination + offset</c> (unaligned, unchecked).</summary>
    static abstract void Store(TVector value, ref TReal destination, nint offset);

    /// <summary><paramref name="value"/> in every lane.</summary>
    static abstract TVector Broadcast(TReal value);

    /// <summary><c>left · right + addend</c>, rounded once.</summary>
    static abstract TVector MultiplyAdd(TVector left, TVector right, TVector addend);
}

/// <summary>512-bit registers: the kernels' choice where AVX-512 is accelerated.</summary>
internal readonly struct Lanes512<TReal> : ILanes<TReal, Vector512<TReal>>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    public static int Count => Vector512<TReal>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TReal> Load(ref TReal source, nint offset) => Vector512.LoadUnsafe(ref Unsafe.Add(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<TReal> value, ref TReal destination, nint offset) => value.StoreUnsafe(ref Unsafe.Add(ref destination, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TReal> Broadcast(TReal value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TReal> MultiplyAdd(Vector512<TReal> left, Vector512<TReal> right, Vector512<TReal> addend)
    {
        if (typeof(TReal) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(left.As<TReal, float>(), right.As<TReal, float>(), addend.As<TReal, float>()).As<float, TReal>();
        }

        if (typeof(TReal) == typeof(double))
        {
            return Vector512.FusedMultiplyAdd(left.As<TReal, double>(), right.As<TReal, double>(), addend.As<TReal, double>()).As<double, TReal>();
        }

        return left * right + addend;
    }
}

/// <summary>Registers of the platform's preferred width (<see cref="Vector{T}"/>: 128-bit NEON, 256-bit AVX2).</summary>
internal readonly struct LanesNative<TReal> : ILanes<TReal, Vector<TReal>>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    public static int Count => Vector<TReal>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<TReal> Load(ref TReal source, nint offset) => Vector.LoadUnsafe(ref Unsafe.Add(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector<TReal> value, ref TReal destination, nint offset) => value.StoreUnsafe(ref Unsafe.Add(ref destination, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<TReal> Broadcast(TReal value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<TReal> MultiplyAdd(Vector<TReal> left, Vector<TReal> right, Vector<TReal> addend)
    {
        if (typeof(TReal) == typeof(float))
        {
            return Vector.FusedMultiplyAdd(Vector.As<TReal, float>(left), Vector.As<TReal, float>(right), Vector.As<TReal, float>(addend)).As<float, TReal>();
        }

        if (typeof(TReal) == typeof(double))
        {
            return Vector.FusedMultiplyAdd(Vector.As<TReal, double>(left), Vector.As<TReal, double>(right), Vector.As<TReal, double>(addend)).As<double, TReal>();
        }

        return left * right + addend;
    }
}
