using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LowRank.Model;
using LowRank.Numerics;

namespace LowRank.Smc;

/// <summary>
/// One step's counts as both Poisson observation models read them, and the log-likelihood and its slope for one
/// particle's linear predictors η (<see cref="Eta"/>, padded to whole <see cref="Vector512{T}"/> registers, the
/// padding masked out): <c>log p(y | λ) = Σ_i y_i ln λ_i − λ_i − ln y_i!</c> over the observed entries, λ = g(η),
/// Σλ on whole vectors and y ln λ only where y &gt; 0 (spike counts are sparse); a NaN y_i is missing and drops out.
/// </summary>
/// <remarks>
/// ∂/∂η_i = (y_i/λ_i − 1) g'(η_i): exp gives y_i − λ_i; softplus (+1e−6) gives (y_i/λ_i − 1) σ(η_i); relu (+1e−10)
/// gives (y_i/λ_i − 1) 1[η_i &gt; 0].
/// </remarks>
internal sealed class PoissonStep<TReal>(int channels, int padded)
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    private readonly int[] _nonzero = new int[channels];
    private readonly double[] _counts = new double[channels];
    private int _nonzeroCount;
    private double _constant;

    /// <summary>1 for an observed entry, 0 for a missing one or the padding.</summary>
    public TReal[] Mask { get; } = new TReal[padded];

    /// <summary>η before <see cref="LogLikelihood"/> or <see cref="Slope"/>; the latter leaves δ here.</summary>
    public TReal[] Eta { get; } = new TReal[padded];

    /// <summary>λ of the last call.</summary>
    public TReal[] Rate { get; } = new TReal[padded];

    private TReal[] SlopeRow { get; } = new TReal[padded];

    /// <summary>X rounded up to whole registers.</summary>
    public static int Padded(int channels) => (channels + Vector512<TReal>.Count - 1) / Vector512<TReal>.Count * Vector512<TReal>.Count;

    /// <summary>Reads y_t: the observed mask, the y &gt; 0 entries and −Σ ln y!.</summary>
    public void Load(ReadOnlySpan<double> y)
    {
        double constant = 0;
        int nonzero = 0;
        for (int i = 0; i < channels; i++)
        {
            double v = y[i];
            bool observed = !double.IsNaN(v);
            Mask[i] = observed ? TReal.One : TReal.Zero;
            if (observed && v > 0)
            {
                _nonzero[nonzero] = i;
                _counts[nonzero++] = v;
                constant -= v < 2 ? 0 : MathNet.Numerics.SpecialFunctions.FactorialLn((int)v);
            }
        }

        _nonzeroCount = nonzero;
        _constant = constant;
    }

    /// <summary>log p(y_t | λ = g(η)) for the η in <see cref="Eta"/>; λ is left in <see cref="Rate"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double LogLikelihood(Link link)
    {
        ref TReal eta = ref MemoryMarshal.GetArrayDataReference(Eta);
        ref TReal rate = ref MemoryMarshal.GetArrayDataReference(Rate);
        ref TReal mask = ref MemoryMarshal.GetArrayDataReference(Mask);
        Vector512<TReal> total = Vector512<TReal>.Zero;
        for (int j = 0; j < padded; j += Vector512<TReal>.Count)
        {
            nuint at = (nuint)j;
            Vector512<TReal> lambda = PoissonLanes.Rate(link, Vector512.LoadUnsafe(ref eta, at));
            lambda.StoreUnsafe(ref rate, at);
            total = Lanes.Fma(lambda, Vector512.LoadUnsafe(ref mask, at), total);
        }

        // y ln λ where y > 0 (ln λ = η exactly for the exp link)
        double spikes = 0;
        for (int q = 0; q < _nonzeroCount; q++)
        {
            int i = _nonzero[q];
            double logRate = link == Link.Exp ? double.CreateTruncating(Eta[i]) : Math.Log(double.CreateTruncating(Rate[i]));
            spikes += _counts[q] * logRate;
        }

        return _constant + spikes - double.CreateTruncating(Vector512.Sum(total));
    }

    /// <summary>Replaces the η in <see cref="Eta"/> by δ = mask ⊙ ∂ log p/∂η = mask ⊙ (y/λ − 1) g'(η).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Slope(Link link)
    {
        ref TReal eta = ref MemoryMarshal.GetArrayDataReference(Eta);
        ref TReal rate = ref MemoryMarshal.GetArrayDataReference(Rate);
        ref TReal slopes = ref MemoryMarshal.GetArrayDataReference(SlopeRow);
        ref TReal mask = ref MemoryMarshal.GetArrayDataReference(Mask);

        // δ = −g'(η) mask (the −λ term), λ and g'(η) kept for the y > 0 entries
        for (int j = 0; j < padded; j += Vector512<TReal>.Count)
        {
            nuint at = (nuint)j;
            Vector512<TReal> slope = PoissonLanes.Slope(link, Vector512.LoadUnsafe(ref eta, at), out Vector512<TReal> lambda);
            lambda.StoreUnsafe(ref rate, at);
            slope.StoreUnsafe(ref slopes, at);
            (-(slope * Vector512.LoadUnsafe(ref mask, at))).StoreUnsafe(ref eta, at);
        }

        // + y g'(η)/λ where y > 0 (exp: g' = λ, so + y)
        for (int q = 0; q < _nonzeroCount; q++)
        {
            int i = _nonzero[q];
            double y = _counts[q];
            Eta[i] += TReal.CreateTruncating(link == Link.Exp ? y : y * double.CreateTruncating(SlopeRow[i]) / double.CreateTruncating(Rate[i]));
        }
    }
}

/// <summary>Poisson counts with the latent readout: <c>y_t,i ~ Poisson(g(C_i z_t + d_i))</c>.</summary>
/// <remarks>
/// Per particle one SIMD sweep forms η = C z + d (<typeparamref name="TReal"/> lanes, X padded to whole vectors) and
/// <see cref="PoissonStep{TReal}"/> scores it. Reverse, with δ from <see cref="PoissonStep{TReal}.Slope"/>:
/// ḡz = Cᵀ (g δ), ḡC += g δ zᵀ, ḡd += g δ, accumulated per step in <typeparamref name="TReal"/> and added to the
/// sequence's double gradient at the step's end.
/// </remarks>
internal sealed class PoissonLatentObservation<TReal> : IObservationModel<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    private readonly int _channels;
    private readonly int _padded;
    private readonly int _rank;
    private readonly Link _link;
    private readonly TReal[] _readoutT;
    private readonly TReal[] _bias;

    public PoissonLatentObservation(int channels, int rank, Link link)
    {
        _channels = channels;
        _rank = rank;
        _link = link;
        _padded = PoissonStep<TReal>.Padded(channels);
        _readoutT = new TReal[rank * _padded];
        _bias = new TReal[_padded];
    }

    public int StateLength(int steps) => 0;

    public void Prepare(ModelView<TReal> model)
    {
        int r = _rank, x = _channels, xp = _padded;
        for (int i = 0; i < x; i++)
        {
            _bias[i] = TReal.CreateTruncating(model.ReadoutBias[i]);
            for (int a = 0; a < r; a++)
            {
                _readoutT[a * xp + i] = TReal.CreateTruncating(model.ReadoutWeights[i * r + a]);
            }
        }
    }

    public void LogLikelihood(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, Span<double> logW)
    {
        Scratch s = StepScratch(sequence, t);
        for (int p = 0; p < logW.Length; p++)
        {
            Predict(z.Slice(p * _rank, _rank), s.Step.Eta);
            logW[p] = s.Step.LogLikelihood(_link);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LogLikelihoodBackward(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, ReadOnlySpan<double> gLogW, Span<double> gz)
    {
        int r = _rank, x = _channels, xp = _padded, width = Vector512<TReal>.Count;
        Scratch s = StepScratch(sequence, t);
        ref TReal c0 = ref MemoryMarshal.GetArrayDataReference(_readoutT);
        ref TReal delta = ref MemoryMarshal.GetArrayDataReference(s.Step.Eta);
        ref TReal gBias = ref MemoryMarshal.GetArrayDataReference(s.GBias);
        ref TReal gReadoutT = ref MemoryMarshal.GetArrayDataReference(s.GReadoutT);
        Span<Vector512<TReal>> sums = stackalloc Vector512<TReal>[r];
        for (int p = 0; p < gLogW.Length; p++)
        {
            double g = gLogW[p];
            if (g == 0)
            {
                continue;
            }

            ReadOnlySpan<double> zp = z.Slice(p * r, r);
            Predict(zp, s.Step.Eta);
            s.Step.Slope(_link);

            // ḡd += g δ;  ḡz_a = Σ_i C_ia g δ_i;  ḡCᵀ_a += z_a g δ
            sums.Clear();
            Vector512<TReal> scale = Vector512.Create(TReal.CreateTruncating(g));
            for (int j = 0; j < xp; j += width)
            {
                nuint at = (nuint)j;
                Vector512<TReal> dv = Vector512.LoadUnsafe(ref delta, at) * scale;
                (Vector512.LoadUnsafe(ref gBias, at) + dv).StoreUnsafe(ref gBias, at);
                for (int a = 0; a < r; a++)
                {
                    nuint ca = (nuint)(a * xp + j);
                    sums[a] = Lanes.Fma(Vector512.LoadUnsafe(ref c0, ca), dv, sums[a]);
                    Lanes.Fma(Vector512.Create(TReal.CreateTruncating(zp[a])), dv, Vector512.LoadUnsafe(ref gReadoutT, ca)).StoreUnsafe(ref gReadoutT, ca);
                }
            }

            for (int a = 0; a < r; a++)
            {
                gz[p * r + a] += double.CreateTruncating(Vector512.Sum(sums[a]));
            }
        }

        GradientBuffer<TReal> gradient = sequence.Gradient;
        for (int i = 0; i < x; i++)
        {
            gradient.ReadoutBias[i] += double.CreateTruncating(s.GBias[i]);
            for (int a = 0; a < r; a++)
            {
                gradient.ReadoutWeights[i * r + a] += double.CreateTruncating(s.GReadoutT[a * xp + i]);
            }
        }

        Array.Clear(s.GBias);
        Array.Clear(s.GReadoutT);
    }

    /// <summary>η = C z + d of one particle, padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Predict(ReadOnlySpan<double> z, TReal[] eta)
    {
        int r = _rank, xp = _padded;
        ref TReal c0 = ref MemoryMarshal.GetArrayDataReference(_readoutT);
        ref TReal d0 = ref MemoryMarshal.GetArrayDataReference(_bias);
        ref TReal e0 = ref MemoryMarshal.GetArrayDataReference(eta);
        for (int j = 0; j < xp; j += Vector512<TReal>.Count)
        {
            nuint at = (nuint)j;
            Vector512<TReal> e = Vector512.LoadUnsafe(ref d0, at);
            for (int a = 0; a < r; a++)
            {
                e = Lanes.Fma(Vector512.Create(TReal.CreateTruncating(z[a])), Vector512.LoadUnsafe(ref c0, (nuint)(a * xp + j)), e);
            }

            e.StoreUnsafe(ref e0, at);
        }
    }

    private Scratch StepScratch(SequenceWorkspace<TReal> sequence, int t)
    {
        var s = sequence.ObservationScratch as Scratch ?? (Scratch)(sequence.ObservationScratch = new Scratch(_channels, _padded, _rank));
        s.Step.Load(sequence.ObservationAt(t));
        return s;
    }

    /// <summary>Per-sequence buffers: the step's counts and the step's gradient accumulators (padded).</summary>
    private sealed class Scratch(int channels, int padded, int rank)
    {
        public PoissonStep<TReal> Step { get; } = new(channels, padded);

        public TReal[] GBias { get; } = new TReal[padded];

        public TReal[] GReadoutT { get; } = new TReal[rank * padded];
    }
}

/// <summary>The Poisson links g(η) and their slopes on whole <see cref="Vector512{T}"/> registers.</summary>
internal static class PoissonLanes
{
    /// <summary>λ = g(η): exp, softplus + 1e−6 (as max(η, 0) + ln(1 + e^{−|η|}), the logarithm by <see cref="VectorLog1p"/>), or relu + 1e−10.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Rate<T>(Link link, Vector512<T> eta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (link)
        {
            case Link.Exp:
                return Exp(eta);
            case Link.Softplus:
                return Vector512.Max(eta, Vector512<T>.Zero) + VectorLog1p.OfUnit(Exp(-Vector512.Abs(eta))) + Vector512.Create(T.CreateTruncating(1e-6));
            default:
                return Vector512.Max(eta, Vector512<T>.Zero) + Vector512.Create(T.CreateTruncating(1e-10));
        }
    }

    /// <summary>g'(η), with λ = g(η) alongside: exp gives λ; softplus σ(η) = 1/(1 + e^{−η}); relu 1[η &gt; 0].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Slope<T>(Link link, Vector512<T> eta, out Vector512<T> rate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (link)
        {
            case Link.Exp:
                rate = Exp(eta);
                return rate;
            case Link.Softplus:
            {
                Vector512<T> e = Exp(-Vector512.Abs(eta));
                Vector512<T> onePlus = Vector512<T>.One + e;
                rate = Vector512.Max(eta, Vector512<T>.Zero) + VectorLog1p.OfUnit(e) + Vector512.Create(T.CreateTruncating(1e-6));
                Vector512<T> positive = Vector512.GreaterThanOrEqual(eta, Vector512<T>.Zero);
                return Vector512.ConditionalSelect(positive, Vector512<T>.One, e) / onePlus;
            }

            default:
                rate = Vector512.Max(eta, Vector512<T>.Zero) + Vector512.Create(T.CreateTruncating(1e-10));
                return Vector512.ConditionalSelect(Vector512.GreaterThan(eta, Vector512<T>.Zero), Vector512<T>.One, Vector512<T>.Zero);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Exp<T>(Vector512<T> v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.Exp(v.AsSingle()).As<float, T>();
        }

        return Vector512.Exp(v.AsDouble()).As<double, T>();
    }
}

/// <summary>
/// Poisson counts with a one-to-one unit readout (X = N): <c>y_t,i ~ Poisson(g(c_i s_t,i + d_i))</c>, s the currents
/// or the rates (<see cref="UnitReadout"/>), scored by <see cref="PoissonStep{TReal}"/>.
/// </summary>
/// <remarks>Reverse, with δ from <see cref="PoissonStep{TReal}.Slope"/>: ḡs = g c ⊙ δ, ḡc += g δ ⊙ s, ḡd += g δ, then <see cref="UnitReadout.Backward"/>.</remarks>
internal sealed class PoissonUnitObservation<TReal>(int units, Link link, bool rates) : IObservationModel<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    private readonly TReal[] _weights = new TReal[units];
    private readonly TReal[] _bias = new TReal[units];
    private ModelView<TReal> _model = null!;

    public int StateLength(int steps) => 0;

    public void Prepare(ModelView<TReal> model)
    {
        _model = model;
        for (int i = 0; i < units; i++)
        {
            _weights[i] = TReal.CreateTruncating(model.ReadoutWeights[i]);
            _bias[i] = TReal.CreateTruncating(model.ReadoutBias[i]);
        }
    }

    public void LogLikelihood(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, Span<double> logW)
    {
        int r = _model.Rank;
        PoissonStep<TReal> step = StepAt(sequence, t);
        for (int p = 0; p < logW.Length; p++)
        {
            Predict(sequence, t, z.Slice(p * r, r), step.Eta);
            logW[p] = step.LogLikelihood(link);
        }
    }

    public void LogLikelihoodBackward(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, ReadOnlySpan<double> gLogW, Span<double> gz)
    {
        int r = _model.Rank;
        PoissonStep<TReal> step = StepAt(sequence, t);
        GradientBuffer<TReal> gradient = sequence.Gradient;
        Span<TReal> gSignal = sequence.GRates;
        for (int p = 0; p < gLogW.Length; p++)
        {
            double g = gLogW[p];
            if (g == 0)
            {
                continue;
            }

            ReadOnlySpan<double> zp = z.Slice(p * r, r);
            ReadOnlySpan<TReal> signal = Predict(sequence, t, zp, step.Eta);
            step.Slope(link);
            for (int i = 0; i < units; i++)
            {
                double delta = g * double.CreateTruncating(step.Eta[i]);
                gradient.ReadoutBias[i] += delta;
                gradient.ReadoutWeights[i] += delta * double.CreateTruncating(signal[i]);
                gSignal[i] = TReal.CreateTruncating(delta) * _weights[i];
            }

            UnitReadout.Backward(_model, sequence, t, zp, rates, gz.Slice(p * r, r));
        }
    }

    private PoissonStep<TReal> StepAt(SequenceWorkspace<TReal> sequence, int t)
    {
        var step = sequence.ObservationScratch as PoissonStep<TReal>
            ?? (PoissonStep<TReal>)(sequence.ObservationScratch = new PoissonStep<TReal>(units, PoissonStep<TReal>.Padded(units)));
        step.Load(sequence.ObservationAt(t));
        return step;
    }

    /// <summary>η = c ⊙ s + d of one particle into <paramref name="eta"/>; returns s (the unit scratch keeps its currents).</summary>
    private ReadOnlySpan<TReal> Predict(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, TReal[] eta)
    {
        ReadOnlySpan<TReal> signal = UnitReadout.Signal(_model, sequence, t, z, rates);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(signal, _weights, _bias, eta.AsSpan(0, units));
        return signal;
    }
}
