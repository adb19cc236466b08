using System.Numerics;
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
/// Per step the predictors of all K particles form one [K,X] block, η = Z Cᵀ + d, so the link and its logarithm run
/// as long vector loops. Reverse, with δ [K,X] from <see cref="PoissonTerms.Delta"/>: ḡz_k = Cᵀ δ_k, ḡC += δᵀ Z,
/// ḡd += Σ_k δ_k.
/// </remarks>
internal sealed class PoissonLatentObservation<TReal> : IObservationModel<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    private readonly int _channels;
    private readonly int _rank;
    private readonly int _particles;
    private readonly Link _link;
    private readonly double[] _readoutT;
    private ModelView<TReal> _model = null!;

    public PoissonLatentObservation(int channels, int rank, int particles, Link link)
    {
        _channels = channels;
        _rank = rank;
        _particles = particles;
        _link = link;
        _readoutT = new double[rank * channels];
    }

    /// <summary>η, λ, ln λ [K,X]; counts and mask [X].</summary>
    public int StateLength(int steps) => 3 * _particles * _channels + 2 * _channels;

    public void Prepare(ModelView<TReal> model)
    {
        _model = model;
        int r = _rank, x = _channels;
        for (int i = 0; i < x; i++)
        {
            for (int a = 0; a < r; a++)
            {
                _readoutT[a * x + i] = model.ReadoutWeights[i * r + a];
            }
        }
    }

    public void LogLikelihood(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, Span<double> logW)
    {
        int x = _channels, k = logW.Length;
        double constant = Predict(sequence, t, z, k, out Span<double> eta, out Span<double> rate, out Span<double> logRate, out Span<double> counts, out Span<double> mask, out bool missing);
        _ = eta;
        for (int p = 0; p < k; p++)
        {
            logW[p] = constant + PoissonTerms.Sum(counts, mask, missing, rate.Slice(p * x, x), logRate.Slice(p * x, x));
        }
    }

    public void LogLikelihoodBackward(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, ReadOnlySpan<double> gLogW, Span<double> gz)
    {
        int x = _channels, r = _rank, k = gLogW.Length;
        Predict(sequence, t, z, k, out Span<double> eta, out Span<double> rate, out Span<double> delta, out Span<double> counts, out Span<double> mask, out bool missing);
        GradientBuffer<TReal> gradient = sequence.Gradient;
        for (int p = 0; p < k; p++)
        {
            double g = gLogW[p];
            if (g == 0)
            {
                continue;
            }

            Span<double> dp = delta.Slice(p * x, x);
            PoissonTerms.Delta(_link, counts, mask, missing, eta.Slice(p * x, x), rate.Slice(p * x, x), g, dp);
            TensorPrimitives.Add(gradient.ReadoutBias, dp, gradient.ReadoutBias);
            ReadOnlySpan<double> zp = z.Slice(p * r, r);
            Span<double> gzp = gz.Slice(p * r, r);
            for (int a = 0; a < r; a++)
            {
                gzp[a] += TensorPrimitives.Dot(_readoutT.AsSpan(a * x, x), dp);
            }

            for (int i = 0; i < x; i++)
            {
                double di = dp[i];
                for (int a = 0; a < r; a++)
                {
                    gradient.ReadoutWeights[i * r + a] += di * zp[a];
                }
            }
        }
    }

    /// <summary>η = Z Cᵀ + d, λ and ln λ for the K particles (the third block is free scratch to the caller).</summary>
    private double Predict(
        SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, int k,
        out Span<double> eta, out Span<double> rate, out Span<double> third, out Span<double> counts, out Span<double> mask, out bool missing)
    {
        int x = _channels, r = _rank, block = k * x;
        Span<double> state = sequence.ObservationState;
        eta = state[..block];
        rate = state.Slice(block, block);
        third = state.Slice(2 * block, block);
        counts = state.Slice(3 * _particles * x, x);
        mask = state.Slice(3 * _particles * x + x, x);
        double constant = PoissonTerms.Prepare(sequence.ObservationAt(t), counts, mask, out missing);
        ReadOnlySpan<double> d = _model.ReadoutBias;
        for (int p = 0; p < k; p++)
        {
            Span<double> row = eta.Slice(p * x, x);
            d.CopyTo(row);
            for (int a = 0; a < r; a++)
            {
                TensorPrimitives.MultiplyAdd(_readoutT.AsSpan(a * x, x), z[p * r + a], row, row);
            }
        }

        PoissonTerms.Rates(_link, eta, rate, third);
        return constant;
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
