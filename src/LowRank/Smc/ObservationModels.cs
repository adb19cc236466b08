using System.Numerics;
using System.Numerics.Tensors;
using LowRank.Data;
using LowRank.Model;

namespace LowRank.Smc;

/// <summary>
/// An observation model p(y_t | z_t) as the filter sees it: per-particle log-likelihoods and their
/// reverse pass. A Poisson likelihood plugs in as another implementation.
/// </summary>
internal interface IObservationModel<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    /// <summary>Doubles of per-sequence state the model needs.</summary>
    int StateLength(int steps);

    /// <summary>Per-evaluation constants from the unpacked parameters.</summary>
    void Prepare(ModelView<TReal> model);

    /// <summary><c>logW[k] = log p(y_t | z^k)</c> for particles z [K,R].</summary>
    void LogLikelihood(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, Span<double> logW);

    /// <summary>Adds <c>gLogW[k] ∂ log p(y_t|z^k)/∂z^k</c> into <paramref name="gz"/> [K,R] and the parameter gradients into the sequence buffer.</summary>
    void LogLikelihoodBackward(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, ReadOnlySpan<double> gLogW, Span<double> gz);
}

/// <summary>
/// A Gaussian observation model that is linear in z: <c>y_t ~ N(C̃ z_t + d̃_t, diag σx²)</c>, with an
/// effective readout C̃ [X,R] fixed per evaluation and a known offset d̃_t; what the optimal proposal needs.
/// </summary>
internal interface ILinearGaussianObservation<TReal> : IObservationModel<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    /// <summary>C̃ [X,R].</summary>
    double[] EffectiveReadout { get; }

    /// <summary>σx² [X].</summary>
    double[] Variance { get; }

    /// <summary>1/σx² [X].</summary>
    double[] InverseVariance { get; }

    /// <summary>ỹ_t = y_t − d̃_t [X].</summary>
    void Residual(SequenceWorkspace<TReal> sequence, int t, Span<double> residual);

    /// <summary>Reverse of <see cref="Residual"/>: adds the parameter gradients for ∂/∂ỹ_t.</summary>
    void ResidualBackward(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> gResidual);

    /// <summary>Reverse of C̃: adds ∂/∂θ for ∂/∂C̃ [X,R] into the batch total.</summary>
    void EffectiveReadoutBackward(ReadOnlySpan<double> gReadout, GradientBuffer<TReal> total);
}

/// <summary>Gaussian likelihood with the latent readout: <c>y_t ~ N(C z_t + d, diag σx²)</c>.</summary>
internal sealed class GaussianLatentObservation<TReal> : ILinearGaussianObservation<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    private ModelView<TReal> _model = null!;
    private double _logNormaliser;

    public GaussianLatentObservation(int channels, int rank)
    {
        EffectiveReadout = new double[channels * rank];
    }

    public double[] EffectiveReadout { get; }

    public double[] Variance => _model.Variance;

    public double[] InverseVariance => _model.InverseVariance;

    public int StateLength(int steps) => 0;

    public void Prepare(ModelView<TReal> model)
    {
        _model = model;
        model.ReadoutWeights.CopyTo(EffectiveReadout, 0);
        _logNormaliser = GaussianLogNormaliser(model.Variance);
    }

    public void Residual(SequenceWorkspace<TReal> sequence, int t, Span<double> residual) =>
        TensorPrimitives.Subtract(sequence.ObservationAt(t), _model.ReadoutBias, residual);

    public void ResidualBackward(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> gResidual) =>
        TensorPrimitives.Subtract(sequence.Gradient.ReadoutBias, gResidual, sequence.Gradient.ReadoutBias);

    public void EffectiveReadoutBackward(ReadOnlySpan<double> gReadout, GradientBuffer<TReal> total) =>
        TensorPrimitives.Add(total.ReadoutWeights, gReadout, total.ReadoutWeights);

    public void LogLikelihood(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, Span<double> logW)
    {
        int r = _model.Rank, x = _model.Channels;
        ReadOnlySpan<double> y = sequence.ObservationAt(t);
        ReadOnlySpan<double> c = _model.ReadoutWeights, d = _model.ReadoutBias, inverseVariance = _model.InverseVariance;
        double normaliser = MissingValues.Any(y) ? GaussianLogNormaliser(_model.Variance, y) : _logNormaliser;
        for (int k = 0; k < logW.Length; k++)
        {
            ReadOnlySpan<double> zk = z.Slice(k * r, r);
            double quadratic = 0;
            for (int i = 0; i < x; i++)
            {
                if (double.IsNaN(y[i]))
                {
                    continue;
                }

                double e = y[i] - d[i] - Dot(c.Slice(i * r, r), zk);
                quadratic += e * e * inverseVariance[i];
            }

            logW[k] = normaliser - 0.5 * quadratic;
        }
    }

    public void LogLikelihoodBackward(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, ReadOnlySpan<double> gLogW, Span<double> gz)
    {
        int r = _model.Rank, x = _model.Channels;
        ReadOnlySpan<double> y = sequence.ObservationAt(t);
        ReadOnlySpan<double> c = _model.ReadoutWeights, d = _model.ReadoutBias, inverseVariance = _model.InverseVariance;
        GradientBuffer<TReal> gradient = sequence.Gradient;
        for (int k = 0; k < gLogW.Length; k++)
        {
            double g = gLogW[k];
            if (g == 0)
            {
                continue;
            }

            ReadOnlySpan<double> zk = z.Slice(k * r, r);
            Span<double> gzk = gz.Slice(k * r, r);
            for (int i = 0; i < x; i++)
            {
                if (double.IsNaN(y[i]))
                {
                    continue;
                }

                // ∂/∂e of −½ e²/σ² is −e/σ²; e = y − d − C z.
                double e = y[i] - d[i] - Dot(c.Slice(i * r, r), zk);
                double alpha = g * e * inverseVariance[i];
                for (int a = 0; a < r; a++)
                {
                    gzk[a] += alpha * c[i * r + a];
                    gradient.ReadoutWeights[i * r + a] += alpha * zk[a];
                }

                gradient.ReadoutBias[i] += alpha;
                gradient.Variance[i] += 0.5 * g * (e * e * inverseVariance[i] - 1) * inverseVariance[i];
            }
        }
    }

    /// <summary>−½ (X ln 2π + Σ ln σx²).</summary>
    public static double GaussianLogNormaliser(ReadOnlySpan<double> variance)
    {
        double sum = variance.Length * Math.Log(2 * Math.PI);
        for (int i = 0; i < variance.Length; i++)
        {
            sum += Math.Log(variance[i]);
        }

        return -0.5 * sum;
    }

    /// <summary>−½ Σ_i (ln 2π + ln σx_i²) over the observed entries of <paramref name="y"/> (NaN = missing).</summary>
    public static double GaussianLogNormaliser(ReadOnlySpan<double> variance, ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < variance.Length; i++)
        {
            if (!double.IsNaN(y[i]))
            {
                sum += Math.Log(2 * Math.PI) + Math.Log(variance[i]);
            }
        }

        return -0.5 * sum;
    }

    internal static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}

/// <summary>
/// Gaussian likelihood with a one-to-one unit readout (X = N): <c>y_t ~ N(c ⊙ s_t + d, diag σx²)</c>,
/// s = x (currents, linear in z: C̃ = diag(c) M, d̃_t = d + c ⊙ W v_t) or s = φ(x; h) (rates).
/// </summary>
internal sealed class GaussianUnitObservation<TReal> : ILinearGaussianObservation<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    private readonly bool _rates;
    private ModelView<TReal> _model = null!;
    private double _logNormaliser;

    public GaussianUnitObservation(int units, int rank, bool rates)
    {
        _rates = rates;
        EffectiveReadout = new double[units * rank];
    }

    public double[] EffectiveReadout { get; }

    public double[] Variance => _model.Variance;

    public double[] InverseVariance => _model.InverseVariance;

    public int StateLength(int steps) => 0;

    public void Prepare(ModelView<TReal> model)
    {
        _model = model;
        int r = model.Rank, n = model.Units;
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < r; a++)
            {
                EffectiveReadout[i * r + a] = model.ReadoutWeights[i] * model.M[i * r + a];
            }
        }

        _logNormaliser = GaussianLatentObservation<TReal>.GaussianLogNormaliser(model.Variance);
    }

    public void Residual(SequenceWorkspace<TReal> sequence, int t, Span<double> residual)
    {
        ReadOnlySpan<double> y = sequence.ObservationAt(t);
        ReadOnlySpan<TReal> wv = sequence.WvAt(t);
        ReadOnlySpan<double> c = _model.ReadoutWeights, d = _model.ReadoutBias;
        for (int i = 0; i < y.Length; i++)
        {
            double offset = wv.IsEmpty ? 0 : c[i] * double.CreateTruncating(wv[i]);
            residual[i] = y[i] - d[i] - offset;
        }
    }

    public void ResidualBackward(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> gResidual)
    {
        GradientBuffer<TReal> gradient = sequence.Gradient;
        ReadOnlySpan<TReal> wv = sequence.WvAt(t);
        Span<TReal> gWv = sequence.GWvAt(t);
        ReadOnlySpan<double> c = _model.ReadoutWeights;
        for (int i = 0; i < gResidual.Length; i++)
        {
            gradient.ReadoutBias[i] -= gResidual[i];
            if (!wv.IsEmpty)
            {
                gradient.ReadoutWeights[i] -= gResidual[i] * double.CreateTruncating(wv[i]);
                gWv[i] -= TReal.CreateTruncating(gResidual[i] * c[i]);
            }
        }
    }

    public void EffectiveReadoutBackward(ReadOnlySpan<double> gReadout, GradientBuffer<TReal> total)
    {
        int r = _model.Rank, n = _model.Units;
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < r; a++)
            {
                total.ReadoutWeights[i] += gReadout[i * r + a] * _model.M[i * r + a];
                total.M[i * r + a] += gReadout[i * r + a] * _model.ReadoutWeights[i];
            }
        }
    }

    public void LogLikelihood(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, Span<double> logW)
    {
        int r = _model.Rank, n = _model.Units;
        ReadOnlySpan<double> y = sequence.ObservationAt(t);
        ReadOnlySpan<double> c = _model.ReadoutWeights, d = _model.ReadoutBias, inverseVariance = _model.InverseVariance;
        double normaliser = MissingValues.Any(y) ? GaussianLatentObservation<TReal>.GaussianLogNormaliser(_model.Variance, y) : _logNormaliser;
        for (int k = 0; k < logW.Length; k++)
        {
            ReadOnlySpan<TReal> s = UnitReadout.Signal(_model, sequence, t, z.Slice(k * r, r), _rates);
            double quadratic = 0;
            for (int i = 0; i < n; i++)
            {
                if (double.IsNaN(y[i]))
                {
                    continue;
                }

                double e = y[i] - d[i] - c[i] * double.CreateTruncating(s[i]);
                quadratic += e * e * inverseVariance[i];
            }

            logW[k] = normaliser - 0.5 * quadratic;
        }
    }

    public void LogLikelihoodBackward(SequenceWorkspace<TReal> sequence, int t, ReadOnlySpan<double> z, ReadOnlySpan<double> gLogW, Span<double> gz)
    {
        int r = _model.Rank, n = _model.Units;
        ReadOnlySpan<double> y = sequence.ObservationAt(t);
        ReadOnlySpan<double> c = _model.ReadoutWeights, d = _model.ReadoutBias, inverseVariance = _model.InverseVariance;
        GradientBuffer<TReal> gradient = sequence.Gradient;
        Span<TReal> gSignal = sequence.GRates;
        for (int k = 0; k < gLogW.Length; k++)
        {
            double g = gLogW[k];
            if (g == 0)
            {
                continue;
            }

            ReadOnlySpan<double> zk = z.Slice(k * r, r);
            ReadOnlySpan<TReal> s = UnitReadout.Signal(_model, sequence, t, zk, _rates);
            for (int i = 0; i < n; i++)
            {
                if (double.IsNaN(y[i]))
                {
                    gSignal[i] = TReal.Zero;
                    continue;
                }

                double si = double.CreateTruncating(s[i]);
                double e = y[i] - d[i] - c[i] * si;
                double alpha = g * e * inverseVariance[i];
                gSignal[i] = TReal.CreateTruncating(alpha * c[i]);
                gradient.ReadoutWeights[i] += alpha * si;
                gradient.ReadoutBias[i] += alpha;
                gradient.Variance[i] += 0.5 * g * (e * e * inverseVariance[i] - 1) * inverseVariance[i];
            }

            UnitReadout.Backward(_model, sequence, t, zk, _rates, gz.Slice(k * r, r));
        }
    }
}
