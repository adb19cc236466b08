using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LowRank.Cli.Benchmarks;

/// <summary>What <see cref="MachineBenchmark.Run"/> measures.</summary>
/// <param name="Threads">Threads of the all-threads figures (the single-thread ones use one).</param>
/// <param name="ArrayMegabytes">Size of each of the triad's three float64 arrays, MB (10⁶ bytes); keep it well above the last-level cache.</param>
/// <param name="Repeats">Timed repeats of each measurement; the best is reported (the machine's capability, not its load).</param>
internal sealed record MachineBenchmarkOptions(int Threads, int ArrayMegabytes = 256, int Repeats = 5);

/// <summary>Peak rates of this machine as <see cref="MachineBenchmark"/> measured them.</summary>
/// <param name="VectorBits">Register width of the FMA chains (512 with AVX-512, else 256 or 128).</param>
/// <param name="Threads">Threads of the all-threads figures.</param>
/// <param name="Float32GflopsOneThread">float32 FMA throughput of one thread, GFLOP/s (an FMA is two flops).</param>
/// <param name="Float32GflopsAllThreads">float32 FMA throughput of all threads together.</param>
/// <param name="Float64GflopsOneThread">float64 FMA throughput of one thread.</param>
/// <param name="Float64GflopsAllThreads">float64 FMA throughput of all threads together.</param>
/// <param name="TriadGBpsOneThread">Memory bandwidth of one thread, GB/s: the triad a = b + s c, 24 bytes per element (two reads, one write).</param>
/// <param name="TriadGBpsAllThreads">Memory bandwidth of all threads together.</param>
/// <param name="ArrayMegabytes">Size of each triad array, MB.</param>
internal sealed record MachineBenchmarkResult(
    int VectorBits,
    int Threads,
    double Float32GflopsOneThread,
    double Float32GflopsAllThreads,
    double Float64GflopsOneThread,
    double Float64GflopsAllThreads,
    double TriadGBpsOneThread,
    double TriadGBpsAllThreads,
    int ArrayMegabytes);

/// <summary>
/// The two ceilings of a roofline for this machine: the FMA throughput of its vector units and the bandwidth of its main
/// memory, each for one thread and for all threads started together.
/// </summary>
/// <remarks>
/// FMA: each thread runs 16 independent chains <c>acc_k ← acc_k · a + b</c> on full registers (enough to cover an FMA's
/// latency on every current x86 and Arm core), 2 · lanes · 16 flops per round. Triad: <c>a[i] = b[i] + s · c[i]</c> over
/// three arrays much larger than the caches, each thread on its own contiguous share; 24 bytes per element as STREAM
/// counts them (the write-allocate read of a is not counted). Each figure is the best of the repeats.
/// </remarks>
internal static class MachineBenchmark
{
    private const int Chains = 16;

    public static MachineBenchmarkResult Run(MachineBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Threads < 1 || options.ArrayMegabytes < 1 || options.Repeats < 1)
        {
            throw new InputException(
                $"threads ({options.Threads}), array size ({options.ArrayMegabytes} MB) and repeats ({options.Repeats}) must be at least 1.",
                "pass positive --threads, --array-mb and --repeats.");
        }

        int bits = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;
        double f32One = Best(options.Repeats, () => Gflops<float>(1, bits));
        double f32All = Best(options.Repeats, () => Gflops<float>(options.Threads, bits));
        double f64One = Best(options.Repeats, () => Gflops<double>(1, bits));
        double f64All = Best(options.Repeats, () => Gflops<double>(options.Threads, bits));

        int length = (int)Math.Min(Array.MaxLength, options.ArrayMegabytes * 1_000_000L / sizeof(double));
        double[] a = GC.AllocateUninitializedArray<double>(length);
        double[] b = GC.AllocateUninitializedArray<double>(length);
        double[] c = GC.AllocateUninitializedArray<double>(length);
        Parallel.For(0, options.Threads, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, part =>
        {
            // first touch by the thread that later streams the part (pages placed near it)
            (int from, int to) = Share(length, options.Threads, part);
            a.AsSpan(from, to - from).Fill(0);
            b.AsSpan(from, to - from).Fill(1);
            c.AsSpan(from, to - from).Fill(2);
        });
        double triadOne = Best(options.Repeats, () => Triad(a, b, c, 1));
        double triadAll = Best(options.Repeats, () => Triad(a, b, c, options.Threads));
        return new MachineBenchmarkResult(bits, options.Threads, f32One, f32All, f64One, f64All, triadOne, triadAll, options.ArrayMegabytes);
    }

    private static double Best(int repeats, Func<double> measure)
    {
        double best = 0;
        for (int i = 0; i < repeats; i++)
        {
            best = Math.Max(best, measure());
        }

        return best;
    }

    /// <summary>Rounds of the chains per measurement: 6.4·10⁸ FMA instructions, about a quarter of a second at one per cycle.</summary>
    private const long Rounds = 40_000_000;

    /// <summary>GFLOP/s of <paramref name="threads"/> threads started together, each running <see cref="Rounds"/> rounds.</summary>
    private static double Gflops<T>(int threads, int bits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lanes = bits / 8 / Unsafe.SizeOf<T>();
        const long rounds = Rounds;
        using var start = new Barrier(threads);
        var sink = new double[threads];
        var threadsList = new Thread[threads];
        long begin = 0, end = 0;
        for (int t = 0; t < threads; t++)
        {
            int index = t;
            threadsList[t] = new Thread(() =>
            {
                Chain<T>(bits, 1000); // JIT and clocks up
                start.SignalAndWait();
                if (index == 0)
                {
                    Interlocked.Exchange(ref begin, Stopwatch.GetTimestamp());
                }

                sink[index] = Chain<T>(bits, rounds);
            });
            threadsList[t].Start();
        }

        foreach (Thread thread in threadsList)
        {
            thread.Join();
        }

        end = Stopwatch.GetTimestamp();
        double seconds = Stopwatch.GetElapsedTime(begin, end).TotalSeconds;
        GC.KeepAlive(sink);
        return 2.0 * lanes * Chains * rounds * threads / seconds / 1e9;
    }

    /// <summary>16 independent FMA chains for <paramref name="rounds"/> rounds; returns their sum so nothing is dead.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double Chain<T>(int bits, long rounds)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T factor = T.CreateTruncating(0.999999);
        T offset = T.CreateTruncating(1e-7);
        if (bits == 512)
        {
            Vector512<T> a = Vector512.Create(factor), b = Vector512.Create(offset);
            Vector512<T> x0 = Vector512.Create(T.One), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0, x6 = x0, x7 = x0;
            Vector512<T> x8 = x0, x9 = x0, x10 = x0, x11 = x0, x12 = x0, x13 = x0, x14 = x0, x15 = x0;
            for (long r = 0; r < rounds; r++)
            {
                x0 = Fma(x0, a, b); x1 = Fma(x1, a, b); x2 = Fma(x2, a, b); x3 = Fma(x3, a, b);
                x4 = Fma(x4, a, b); x5 = Fma(x5, a, b); x6 = Fma(x6, a, b); x7 = Fma(x7, a, b);
                x8 = Fma(x8, a, b); x9 = Fma(x9, a, b); x10 = Fma(x10, a, b); x11 = Fma(x11, a, b);
                x12 = Fma(x12, a, b); x13 = Fma(x13, a, b); x14 = Fma(x14, a, b); x15 = Fma(x15, a, b);
            }

            Vector512<T> sum = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11 + x12 + x13 + x14 + x15;
            return double.CreateTruncating(Vector512.Sum(sum));
        }

        {
            Vector256<T> a = Vector256.Create(factor), b = Vector256.Create(offset);
            Vector256<T> x0 = Vector256.Create(T.One), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0, x6 = x0, x7 = x0;
            Vector256<T> x8 = x0, x9 = x0, x10 = x0, x11 = x0, x12 = x0, x13 = x0, x14 = x0, x15 = x0;
            for (long r = 0; r < rounds; r++)
            {
                x0 = Fma(x0, a, b); x1 = Fma(x1, a, b); x2 = Fma(x2, a, b); x3 = Fma(x3, a, b);
                x4 = Fma(x4, a, b); x5 = Fma(x5, a, b); x6 = Fma(x6, a, b); x7 = Fma(x7, a, b);
                x8 = Fma(x8, a, b); x9 = Fma(x9, a, b); x10 = Fma(x10, a, b); x11 = Fma(x11, a, b);
                x12 = Fma(x12, a, b); x13 = Fma(x13, a, b); x14 = Fma(x14, a, b); x15 = Fma(x15, a, b);
            }

            Vector256<T> sum = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11 + x12 + x13 + x14 + x15;
            return double.CreateTruncating(Vector256.Sum(sum));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> a, Vector512<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(x.As<T, float>(), a.As<T, float>(), b.As<T, float>()).As<float, T>()
            : Vector512.FusedMultiplyAdd(x.As<T, double>(), a.As<T, double>(), b.As<T, double>()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> a, Vector256<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? Vector256.FusedMultiplyAdd(x.As<T, float>(), a.As<T, float>(), b.As<T, float>()).As<float, T>()
            : Vector256.FusedMultiplyAdd(x.As<T, double>(), a.As<T, double>(), b.As<T, double>()).As<double, T>();

    /// <summary>GB/s of one pass of the triad split over <paramref name="threads"/> threads.</summary>
    private static double Triad(double[] a, double[] b, double[] c, int threads)
    {
        const double scale = 3.0;
        long start = Stopwatch.GetTimestamp();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
        {
            (int from, int to) = Share(a.Length, threads, part);
            ref double ra = ref MemoryMarshal.GetArrayDataReference(a);
            ref double rb = ref MemoryMarshal.GetArrayDataReference(b);
            ref double rc = ref MemoryMarshal.GetArrayDataReference(c);
            int i = from;
            for (; i <= to - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                Vector256<double> value = Vector256.LoadUnsafe(ref rb, (nuint)i) + (Vector256.LoadUnsafe(ref rc, (nuint)i) * scale);
                value.StoreUnsafe(ref ra, (nuint)i);
            }

            for (; i < to; i++)
            {
                a[i] = b[i] + (scale * c[i]);
            }
        });
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return 24.0 * a.Length / seconds / 1e9;
    }

    private static (int From, int To) Share(int length, int parts, int part) =>
        ((int)((long)length * part / parts), (int)((long)length * (part + 1) / parts));
}
