using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;
using LowRank.Data;
using LowRank.Model;

namespace LowRank.Smc;

/// <summary>
/// The Poisson log-likelihood of counts y with rates λ = g(η), vectorised over a block of linear predictors η:
/// <c>log p(y | λ) = Σ_i y_i ln λ_i − λ_i − ln y_i!</c> over the observed entries (a NaN y_i is missing and drops out).
/// </summary>
/// <remarks>
/// ∂/∂η_i = (y_i/λ_i − 1) g'(η_i): exp gives y_i − λ_i; softplus (+1e−6) gives (y_i/λ_i − 1) σ(η_i); relu (+1e−10)
/// gives (y_i/λ_i − 1) 1[η_i &gt; 0].
/// </remarks>
internal static class PoissonTerms
{
    /// <summary>
    /// Writes the counts with missing entries as 0 into <paramref name="counts"/> and the observed mask (1/0) into
    /// <paramref name="mask"/>; returns −Σ ln y_i! over the observed entries and whether any entry is missing.
    /// </summary>
    public static double Prepare(ReadOnlySpan<double> y, Span<double> counts, Span<double> mask, out bool missing)
    {
        double constant = 0;
        missing = false;
        for (int i = 0; i < y.Length; i++)
        {
            if (double.IsNaN(y[i]))
            {
                counts[i] = 0;
                mask[i] = 0;
                missing = true;
                continue;
            }

            counts[i] = y[i];
            mask[i] = 1;
            constant -= LogFactorial(y[i]);
        }

        return constant;
    }

    /// <summary>ln n! for a non-negative integer count n.</summary>
    public static double LogFactorial(double n) => n < 2 ? 0 : MathNet.Numerics.SpecialFunctions.FactorialLn((int)n);

    /// <summary>λ = g(η) and ln λ, elementwise over a block.</summary>
    public static void Rates(Link link, ReadOnlySpan<double> eta, Span<double> rate, Span<double> logRate)
    {
        switch (link)
        {
            case Link.Exp:
                TensorPrimitives.Exp(eta, rate);
                eta.CopyTo(logRate);
                return;
            case Link.Softplus:
                // ln(1 + e^η) = max(η, 0) + ln(1 + e^{−|η|})
                TensorPrimitives.Abs(eta, logRate);
                TensorPrimitives.Negate(logRate, logRate);
                TensorPrimitives.Exp(logRate, logRate);
                TensorPrimitives.LogP1(logRate, logRate);
                TensorPrimitives.Max(eta, 0.0, rate);
                TensorPrimitives.Add(rate, logRate, rate);
                TensorPrimitives.Add(rate, 1e-6, rate);
                break;
            default:
                TensorPrimitives.Max(eta, 0.0, rate);
                TensorPrimitives.Add(rate, 1e-10, rate);
                break;
        }

        TensorPrimitives.Log(rate, logRate);
    }

    /// <summary>Σ_i mask_i (y_i ln λ_i − λ_i) of one row (without the −ln y! constant).</summary>
    public static double Sum(ReadOnlySpan<double> counts, ReadOnlySpan<double> mask, bool missing, ReadOnlySpan<double> rate, ReadOnlySpan<double> logRate) =>
        TensorPrimitives.Dot(counts, logRate) - (missing ? TensorPrimitives.Dot(mask, rate) : TensorPrimitives.Sum(rate));

    /// <summary>δ_i = g · mask_i · ∂/∂η_i of the log-likelihood, for one row.</summary>
    public static void Delta(
        Link link, ReadOnlySpan<double> counts, ReadOnlySpan<double> mask, bool missing, ReadOnlySpan<double> eta, ReadOnlySpan<double> rate, double g, Span<double> delta)
    {
        if (link == Link.Exp)
        {
            // δ = g (y − λ)
            TensorPrimitives.Subtract(counts, rate, delta);
        }
        else
        {
            // δ = g (y/λ − 1) g'(η)
            TensorPrimitives.Divide(counts, rate, delta);
            TensorPrimitives.Subtract(delta, 1.0, delta);
            for (int i = 0; i < delta.Length; i++)
            {
                delta[i] *= link == Link.Softplus ? 1 / (1 + Math.Exp(-eta[i])) : eta[i] > 0 ? 1 : 0;
            }
        }

        if (missing)
        {
            TensorPrimitives.Multiply(delta, mask, delta);
        }

        TensorPrimitives.Multiply(delta, g, delta);
    }
}

/// <summary>Poisson counts with the latent readout: <c>y_t,i ~ Poisson(g(C_i z_t + d_i))</c>.</summary>
/// <remarks>
/// One fused SIMD sweep over the X channels per particle (<typeparamref name="TReal"/> lanes, X padded to whole
/// vectors): η = C z + d, λ = g(η), Σ_i λ_i over the observed channels; the y_i ln λ_i terms only where y_i &gt; 0
/// (spike counts are sparse). Reverse, with δ_i = g·mask_i·(y_i/λ_i − 1) g'(η_i): ḡz = Cᵀ δ, ḡC += δ zᵀ, ḡd += δ,
/// accumulated per step in <typeparamref name="TReal"/> and added to the sequence's double gradient at the step's end.
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
        int width = Vector512<TReal>.Count;
        _padded = (channels + width - 1) / width * width;
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LogLikelihood(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, Span<double> logW)
    {
        int r = _rank, xp = _padded, width = Vector512<TReal>.Count;
        Scratch s = StepScratch(sequence, t);
        ref TReal c0 = ref MemoryMarshal.GetArrayDataReference(_readoutT);
        ref TReal d0 = ref MemoryMarshal.GetArrayDataReference(_bias);
        ref TReal mask = ref MemoryMarshal.GetArrayDataReference(s.Mask);
        ref TReal eta = ref MemoryMarshal.GetArrayDataReference(s.Eta);
        ref TReal rate = ref MemoryMarshal.GetArrayDataReference(s.Rate);
        Span<Vector512<TReal>> zv = stackalloc Vector512<TReal>[r];
        for (int p = 0; p < logW.Length; p++)
        {
            for (int a = 0; a < r; a++)
            {
                zv[a] = Vector512.Create(TReal.CreateTruncating(z[p * r + a]));
            }

            Vector512<TReal> total = Vector512<TReal>.Zero;
            for (int j = 0; j < xp; j += width)
            {
                nuint at = (nuint)j;
                Vector512<TReal> e = Vector512.LoadUnsafe(ref d0, at);
                for (int a = 0; a < r; a++)
                {
                    e = PoissonLanes.Fma(zv[a], Vector512.LoadUnsafe(ref c0, (nuint)(a * xp + j)), e);
                }

                Vector512<TReal> lambda = PoissonLanes.Rate(_link, e);
                e.StoreUnsafe(ref eta, at);
                lambda.StoreUnsafe(ref rate, at);
                total = PoissonLanes.Fma(lambda, Vector512.LoadUnsafe(ref mask, at), total);
            }

            // y ln λ where y > 0 (ln λ = η exactly for the exp link)
            double spikes = 0;
            for (int q = 0; q < s.NonzeroCount; q++)
            {
                int i = s.Nonzero[q];
                double logRate = _link == Link.Exp ? double.CreateTruncating(s.Eta[i]) : Math.Log(double.CreateTruncating(s.Rate[i]));
                spikes += s.Counts[q] * logRate;
            }

            logW[p] = s.Constant + spikes - double.CreateTruncating(Vector512.Sum(total));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LogLikelihoodBackward(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, ReadOnlySpan<double> gLogW, Span<double> gz)
    {
        int r = _rank, x = _channels, xp = _padded, width = Vector512<TReal>.Count;
        Scratch s = StepScratch(sequence, t);
        ref TReal c0 = ref MemoryMarshal.GetArrayDataReference(_readoutT);
        ref TReal d0 = ref MemoryMarshal.GetArrayDataReference(_bias);
        ref TReal mask = ref MemoryMarshal.GetArrayDataReference(s.Mask);
        ref TReal delta = ref MemoryMarshal.GetArrayDataReference(s.Eta);
        ref TReal gBias = ref MemoryMarshal.GetArrayDataReference(s.GBias);
        ref TReal gReadoutT = ref MemoryMarshal.GetArrayDataReference(s.GReadoutT);
        Span<Vector512<TReal>> zv = stackalloc Vector512<TReal>[r];
        Span<Vector512<TReal>> sums = stackalloc Vector512<TReal>[r];
        for (int p = 0; p < gLogW.Length; p++)
        {
            double g = gLogW[p];
            if (g == 0)
            {
                continue;
            }

            for (int a = 0; a < r; a++)
            {
                zv[a] = Vector512.Create(TReal.CreateTruncating(z[p * r + a]));
                sums[a] = Vector512<TReal>.Zero;
            }

            // δ = −g'(η) mask (the −λ term), λ and g'(η) kept for the y > 0 entries
            for (int j = 0; j < xp; j += width)
            {
                nuint at = (nuint)j;
                Vector512<TReal> e = Vector512.LoadUnsafe(ref d0, at);
                for (int a = 0; a < r; a++)
                {
                    e = PoissonLanes.Fma(zv[a], Vector512.LoadUnsafe(ref c0, (nuint)(a * xp + j)), e);
                }

                Vector512<TReal> slope = PoissonLanes.Slope(_link, e, out Vector512<TReal> lambda);
                lambda.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(s.Rate), at);
                slope.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(s.SlopeRow), at);
                (-(slope * Vector512.LoadUnsafe(ref mask, at))).StoreUnsafe(ref delta, at);
            }

            // + y g'(η)/λ where y > 0 (exp: g' = λ, so + y)
            for (int q = 0; q < s.NonzeroCount; q++)
            {
                int i = s.Nonzero[q];
                double y = s.Counts[q];
                s.Eta[i] += TReal.CreateTruncating(_link == Link.Exp ? y : y * double.CreateTruncating(s.SlopeRow[i]) / double.CreateTruncating(s.Rate[i]));
            }

            // ḡd += g δ;  ḡz_a = Σ_i C_ia g δ_i;  ḡCᵀ_a += z_a g δ
            Vector512<TReal> scale = Vector512.Create(TReal.CreateTruncating(g));
            for (int j = 0; j < xp; j += width)
            {
                nuint at = (nuint)j;
                Vector512<TReal> dv = Vector512.LoadUnsafe(ref delta, at) * scale;
                (Vector512.LoadUnsafe(ref gBias, at) + dv).StoreUnsafe(ref gBias, at);
                for (int a = 0; a < r; a++)
                {
                    nuint ca = (nuint)(a * xp + j);
                    sums[a] = PoissonLanes.Fma(Vector512.LoadUnsafe(ref c0, ca), dv, sums[a]);
                    PoissonLanes.Fma(zv[a], dv, Vector512.LoadUnsafe(ref gReadoutT, ca)).StoreUnsafe(ref gReadoutT, ca);
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

    /// <summary>The sequence's scratch, prepared for step t: observed mask, the y &gt; 0 entries and −Σ ln y!.</summary>
    private Scratch StepScratch(SequenceWorkspace<TReal> sequence, int t)
    {
        var s = sequence.ObservationScratch as Scratch ?? (Scratch)(sequence.ObservationScratch = new Scratch(_channels, _padded, _rank));
        ReadOnlySpan<double> y = sequence.ObservationAt(t);
        double constant = 0;
        int nonzero = 0;
        for (int i = 0; i < _channels; i++)
        {
            double v = y[i];
            bool observed = !double.IsNaN(v);
            s.Mask[i] = observed ? TReal.One : TReal.Zero;
            if (observed && v > 0)
            {
                s.Nonzero[nonzero] = i;
                s.Counts[nonzero++] = v;
                constant -= PoissonTerms.LogFactorial(v);
            }
        }

        s.NonzeroCount = nonzero;
        s.Constant = constant;
        return s;
    }

    /// <summary>Per-sequence buffers (padded to whole vectors; the padding's mask is 0).</summary>
    private sealed class Scratch(int channels, int padded, int rank)
    {
        public TReal[] Mask { get; } = new TReal[padded];

        /// <summary>η in the forward pass, δ in the reverse pass.</summary>
        public TReal[] Eta { get; } = new TReal[padded];

        public TReal[] Rate { get; } = new TReal[padded];

        public TReal[] SlopeRow { get; } = new TReal[padded];

        public TReal[] GBias { get; } = new TReal[padded];

        public TReal[] GReadoutT { get; } = new TReal[rank * padded];

        public int[] Nonzero { get; } = new int[channels];

        public double[] Counts { get; } = new double[channels];

        public int NonzeroCount { get; set; }

        public double Constant { get; set; }
    }
}

/// <summary>The Poisson links g(η) and their slopes on whole <see cref="Vector512{T}"/> registers.</summary>
internal static class PoissonLanes
{
    /// <summary>λ = g(η): exp, softplus + 1e−6 (as max(η, 0) + ln(1 + e^{−|η|})), or relu + 1e−10.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Rate<T>(Link link, Vector512<T> eta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (link)
        {
            case Link.Exp:
                return Exp(eta);
            case Link.Softplus:
                return Vector512.Max(eta, Vector512<T>.Zero) + Log(Vector512<T>.One + Exp(-Vector512.Abs(eta))) + Vector512.Create(T.CreateTruncating(1e-6));
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
                rate = Vector512.Max(eta, Vector512<T>.Zero) + Log(onePlus) + Vector512.Create(T.CreateTruncating(1e-6));
                Vector512<T> positive = Vector512.GreaterThanOrEqual(eta, Vector512<T>.Zero);
                return Vector512.ConditionalSelect(positive, Vector512<T>.One, e) / onePlus;
            }

            default:
                rate = Vector512.Max(eta, Vector512<T>.Zero) + Vector512.Create(T.CreateTruncating(1e-10));
                return Vector512.ConditionalSelect(Vector512.GreaterThan(eta, Vector512<T>.Zero), Vector512<T>.One, Vector512<T>.Zero);
        }
    }

    /// <summary>a·b + c, fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Log<T>(Vector512<T> v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.Log(v.AsSingle()).As<float, T>();
        }

        return Vector512.Log(v.AsDouble()).As<double, T>();
    }
}

/// <summary>
/// Poisson counts with a one-to-one unit readout (X = N): <c>y_t,i ~ Poisson(g(c_i s_t,i + d_i))</c>, s the currents
/// or the rates (<see cref="UnitReadout"/>).
/// </summary>
/// <remarks>Reverse, with δ from <see cref="PoissonTerms.Delta"/>: ḡs = c ⊙ δ, ḡc += δ ⊙ s, ḡd += δ, then <see cref="UnitReadout.Backward"/>.</remarks>
internal sealed class PoissonUnitObservation<TReal>(int units, Link link, bool rates) : IObservationModel<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    private ModelView<TReal> _model = null!;

    /// <summary>s, η, λ, ln λ (or δ), counts, mask [N] each.</summary>
    public int StateLength(int steps) => 6 * units;

    public void Prepare(ModelView<TReal> model) => _model = model;

    public void LogLikelihood(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, Span<double> logW)
    {
        int r = _model.Rank;
        State(sequence, out Span<double> signal, out Span<double> eta, out Span<double> rate, out Span<double> logRate, out Span<double> counts, out Span<double> mask);
        double constant = PoissonTerms.Prepare(sequence.ObservationAt(t), counts, mask, out bool missing);
        for (int p = 0; p < logW.Length; p++)
        {
            Predict(sequence, t, z.Slice(p * r, r), signal, eta, rate, logRate);
            logW[p] = constant + PoissonTerms.Sum(counts, mask, missing, rate, logRate);
        }
    }

    public void LogLikelihoodBackward(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, ReadOnlySpan<double> gLogW, Span<double> gz)
    {
        int r = _model.Rank, n = units;
        State(sequence, out Span<double> signal, out Span<double> eta, out Span<double> rate, out Span<double> delta, out Span<double> counts, out Span<double> mask);
        PoissonTerms.Prepare(sequence.ObservationAt(t), counts, mask, out bool missing);
        GradientBuffer<TReal> gradient = sequence.Gradient;
        ReadOnlySpan<double> c = _model.ReadoutWeights;
        Span<TReal> gSignal = sequence.GRates;
        for (int p = 0; p < gLogW.Length; p++)
        {
            double g = gLogW[p];
            if (g == 0)
            {
                continue;
            }

            ReadOnlySpan<double> zp = z.Slice(p * r, r);
            Predict(sequence, t, zp, signal, eta, rate, delta);
            PoissonTerms.Delta(link, counts, mask, missing, eta, rate, g, delta);
            TensorPrimitives.Add(gradient.ReadoutBias, delta, gradient.ReadoutBias);
            for (int i = 0; i < n; i++)
            {
                gradient.ReadoutWeights[i] += delta[i] * signal[i];
                gSignal[i] = TReal.CreateTruncating(delta[i] * c[i]);
            }

            UnitReadout.Backward(_model, sequence, t, zp, rates, gz.Slice(p * r, r));
        }
    }

    private void State(
        SequenceWorkspace<TReal> sequence, out Span<double> signal, out Span<double> eta, out Span<double> rate, out Span<double> fourth, out Span<double> counts, out Span<double> mask)
    {
        Span<double> state = sequence.ObservationState;
        int n = units;
        signal = state[..n];
        eta = state.Slice(n, n);
        rate = state.Slice(2 * n, n);
        fourth = state.Slice(3 * n, n);
        counts = state.Slice(4 * n, n);
        mask = state.Slice(5 * n, n);
    }

    /// <summary>s (double), η = c ⊙ s + d, λ and ln λ of one particle; the unit scratch keeps its currents.</summary>
    private void Predict(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, Span<double> signal, Span<double> eta, Span<double> rate, Span<double> logRate)
    {
        ReadOnlySpan<TReal> s = UnitReadout.Signal(_model, sequence, t, z, rates);
        for (int i = 0; i < units; i++)
        {
            signal[i] = double.CreateTruncating(s[i]);
        }

        TensorPrimitives.MultiplyAdd(signal, _model.ReadoutWeights, _model.ReadoutBias, eta);
        PoissonTerms.Rates(link, eta, rate, logRate);
    }
}
