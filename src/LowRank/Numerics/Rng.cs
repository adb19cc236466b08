using System.Runtime.CompilerServices;

namespace LowRank.Numerics;

/// <summary>
/// Deterministic pseudo-random generator (xoshiro256**, seeded through SplitMix64).
/// </summary>
/// <remarks>
/// Determinism regardless of thread count comes from streams: work item <c>i</c> (a trial, a sequence
/// of a batch, a restart) always draws from <c>Rng.Create(seed, i)</c>, never from a generator shared
/// between threads. The same (seed, stream) pair gives the same numbers on every machine.
/// </remarks>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareGaussian;
    private bool _hasSpare;

    private Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>A generator for stream <paramref name="stream"/> of <paramref name="seed"/>.</summary>
    public static Rng Create(long seed, long stream = 0)
    {
        ulong mixed = (ulong)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)stream + 0x632BE59BD9B4E019UL) * 0xBF58476D1CE4E5B9UL;
        ulong x = mixed;
        return new Rng(SplitMix64(ref x) ^ (ulong)stream);
    }

    /// <summary>The next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform on (0, 1): never exactly 0, safe for logarithms.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextOpenDouble() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    /// <summary>Uniform on [lo, hi).</summary>
    public double NextUniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer on [0, n).</summary>
    public int NextInt(int n)
    {
        if (n <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "n must be positive.");
        }

        return (int)((NextUInt64() >> 33) * (ulong)n >> 31);
    }

    /// <summary>Standard normal draw (Box–Muller; the second value of each pair is kept for the next call).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }

        double u1 = NextOpenDouble();
        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        (double sin, double cos) = Math.SinCos(2.0 * Math.PI * u2);
        _spareGaussian = radius * sin;
        _hasSpare = true;
        return radius * cos;
    }

    /// <summary>Fills <paramref name="destination"/> with standard normal draws.</summary>
    public void FillGaussian(Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = NextGaussian();
        }
    }

    /// <summary>Fills <paramref name="destination"/> with standard normal draws.</summary>
    public void FillGaussian(Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)NextGaussian();
        }
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates, from the last entry down).</summary>
    /// <remarks>Effectively: for i = n − 1 … 1, swap entry i with entry <c>NextInt(i + 1)</c>.</remarks>
    public void Shuffle(Span<int> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>0 … <paramref name="count"/> − 1 in the order of <see cref="Shuffle"/>.</summary>
    public int[] Permutation(int count)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        Shuffle(order);
        return order;
    }

    /// <summary>Poisson draw with mean <paramref name="lambda"/> (inversion for small means, PTRS-free normal-corrected rejection for large).</summary>
    public int NextPoisson(double lambda)
    {
        if (!(lambda >= 0) || double.IsInfinity(lambda))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "Poisson mean must be finite and non-negative.");
        }

        if (lambda < 30)
        {
            // Multiply uniforms until the product drops below exp(-lambda).
            double limit = Math.Exp(-lambda);
            double product = NextDouble();
            int count = 0;
            while (product > limit)
            {
                product *= NextDouble();
                count++;
            }

            return count;
        }

        // Atkinson's rejection method (logistic envelope) for large means.
        double c = 0.767 - 3.36 / lambda;
        double beta = Math.PI / Math.Sqrt(3.0 * lambda);
        double alpha = beta * lambda;
        double k = Math.Log(c) - lambda - Math.Log(beta);
        while (true)
        {
            double u = NextOpenDouble();
            double x = (alpha - Math.Log((1.0 - u) / u)) / beta;
            int n = (int)Math.Floor(x + 0.5);
            if (n < 0)
            {
                continue;
            }

            double v = NextOpenDouble();
            double y = alpha - beta * x;
            double onePlusExp = 1.0 + Math.Exp(y);
            double lhs = y + Math.Log(v / (onePlusExp * onePlusExp));
            double rhs = k + n * Math.Log(lambda) - LogFactorial(n);
            if (lhs <= rhs)
            {
                return n;
            }
        }
    }

    /// <summary>log(n!) exactly for small n, Stirling series otherwise.</summary>
    public static double LogFactorial(int n)
    {
        if (n < 2)
        {
            return 0.0;
        }

        if (n < 16)
        {
            double f = 1;
            for (int i = 2; i <= n; i++)
            {
                f *= i;
            }

            return Math.Log(f);
        }

        double x = n + 1.0;
        return (x - 0.5) * Math.Log(x) - x + 0.5 * Math.Log(2 * Math.PI) + 1.0 / (12 * x) - 1.0 / (360 * x * x * x);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
