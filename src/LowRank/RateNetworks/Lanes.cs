using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LowRank.RateNetworks;

/// <summary>
/// Registers of units for the fused passes of <see cref="RateNetworkKernel{T}"/>: a pass walks N in chunks of
/// <see cref="Width"/> units, the last one partial; a partial chunk loads zeros into its missing lanes and stores only
/// its own, so one loop body serves every N. With AVX-512 a partial chunk is one masked load or store (the value stays in
/// a register; a copy through memory there would make the JIT spill every chunk's loads); elsewhere it is copied.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
internal static unsafe class Lanes<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Lanes of a register (16 floats, 8 doubles).</summary>
    public static int Width => Vector512<T>.Count;

    /// <summary>Units <c>[i, i + count)</c> of <paramref name="source"/>, zero in lanes ≥ <paramref name="count"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(ReadOnlySpan<T> source, int i, int count)
    {
        if (count == Vector512<T>.Count)
        {
            return Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)i);
        }

        if (Avx512F.IsSupported)
        {
            // a masked load: the missing lanes are neither read nor faulted on, and the value stays in a register
            fixed (T* address = &MemoryMarshal.GetReference(source))
            {
                return typeof(T) == typeof(float)
                    ? Avx512F.MaskLoad((float*)address + i, Mask(count).AsSingle(), Vector512<float>.Zero).As<float, T>()
                    : Avx512F.MaskLoad((double*)address + i, Mask(count).AsDouble(), Vector512<double>.Zero).As<double, T>();
            }
        }

        return LoadPartial(source, i, count);
    }

    /// <summary>Writes lanes <c>[0, count)</c> of <paramref name="value"/> to units <c>[i, i + count)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<T> value, Span<T> destination, int i, int count)
    {
        if (count == Vector512<T>.Count)
        {
            value.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)i);
            return;
        }

        if (Avx512F.IsSupported)
        {
            fixed (T* address = &MemoryMarshal.GetReference(destination))
            {
                if (typeof(T) == typeof(float))
                {
                    Avx512F.MaskStore((float*)address + i, Mask(count).AsSingle(), value.As<T, float>());
                }
                else
                {
                    Avx512F.MaskStore((double*)address + i, Mask(count).AsDouble(), value.As<T, double>());
                }
            }

            return;
        }

        StorePartial(value, destination, i, count);
    }

    /// <summary>Float32 targets <c>[i, i + count)</c> as <typeparamref name="T"/> (NaN kept), zero in the missing lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LoadTargets(ReadOnlySpan<float> source, int i, int count)
    {
        if (typeof(T) == typeof(float))
        {
            return Load(MemoryMarshal.Cast<float, T>(source), i, count);
        }

        return LoadTargetsPartial(source, i, count);
    }

    /// <summary><c>a b + c</c> with one rounding (the type test folds away when the JIT specialises).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector512.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        }

        return (a * b) + c;
    }

    /// <summary>All bits set in lanes ≥ <paramref name="done"/>: the lanes of a chunk that no earlier chunk held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fresh(int done) =>
        typeof(T) == typeof(float)
            ? Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(done)).As<int, T>()
            : Vector512.GreaterThanOrEqual(Vector512<long>.Indices, Vector512.Create((long)done)).As<long, T>();

    /// <summary>All bits set in lanes <c>[0, count)</c>, as 32- or 64-bit lanes to match <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Mask(int count) =>
        typeof(T) == typeof(float)
            ? Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).As<int, T>()
            : Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)count)).As<long, T>();

    private static Vector512<T> LoadPartial(ReadOnlySpan<T> source, int i, int count)
    {
        Vector512<T> value = default;
        source.Slice(i, count).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.As<Vector512<T>, T>(ref value), Vector512<T>.Count));
        return value;
    }

    private static void StorePartial(Vector512<T> value, Span<T> destination, int i, int count) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<Vector512<T>, T>(ref value), count).CopyTo(destination.Slice(i, count));

    private static Vector512<T> LoadTargetsPartial(ReadOnlySpan<float> source, int i, int count)
    {
        Vector512<T> value = default;
        Span<T> lanes = MemoryMarshal.CreateSpan(ref Unsafe.As<Vector512<T>, T>(ref value), Vector512<T>.Count);
        for (int k = 0; k < count; k++)
        {
            lanes[k] = T.CreateTruncating(source[i + k]);
        }

        return value;
    }
}

/// <summary>
/// How a sweep over N units splits into registers: <see cref="OverlappingChunks{T}"/> when N is at least one register
/// (every load and store full width, the last chunk moved back to end at N), <see cref="MaskedChunks{T}"/> below that
/// (one partial chunk). The sweeps are generic over it so that the JIT compiles the full-width loop without the
/// partial path.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
internal interface IChunks<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>First unit of the chunk that starts the <paramref name="chunk"/>-th register-width step.</summary>
    static abstract int Start(int chunk, int n);

    /// <summary>Units the chunk holds.</summary>
    static abstract int Count(int chunk, int n);

    /// <summary>Units <c>[i, i + count)</c>, zero in the lanes beyond.</summary>
    static abstract Vector512<T> Load(ReadOnlySpan<T> source, int i, int count);

    /// <summary>Writes the chunk's lanes.</summary>
    static abstract void Store(Vector512<T> value, Span<T> destination, int i, int count);

    /// <summary>Float32 targets <c>[i, i + count)</c> as <typeparamref name="T"/>, zero beyond.</summary>
    static abstract Vector512<T> LoadTargets(ReadOnlySpan<float> source, int i, int count);
}

/// <summary>
/// N ≥ register width: chunk k starts at min(k·W, N − W), so the last one overlaps its predecessor. Values a sweep
/// writes are recomputed identically for the overlapped lanes; sums mask them out with <see cref="Lanes{T}.Fresh"/>.
/// </summary>
internal readonly struct OverlappingChunks<T> : IChunks<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Start(int chunk, int n) => Math.Min(chunk, n - Vector512<T>.Count);

    public static int Count(int chunk, int n) => Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(ReadOnlySpan<T> source, int i, int count) =>
        Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<T> value, Span<T> destination, int i, int count) =>
        value.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LoadTargets(ReadOnlySpan<float> source, int i, int count) =>
        Lanes<T>.LoadTargets(source, i, Vector512<T>.Count);
}

/// <summary>N below register width: one chunk of N units, loaded and stored partially.</summary>
internal readonly struct MaskedChunks<T> : IChunks<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Start(int chunk, int n) => chunk;

    public static int Count(int chunk, int n) => Math.Min(Vector512<T>.Count, n - chunk);

    public static Vector512<T> Load(ReadOnlySpan<T> source, int i, int count) => Lanes<T>.Load(source, i, count);

    public static void Store(Vector512<T> value, Span<T> destination, int i, int count) => Lanes<T>.Store(value, destination, i, count);

    public static Vector512<T> LoadTargets(ReadOnlySpan<float> source, int i, int count) => Lanes<T>.LoadTargets(source, i, count);
}
