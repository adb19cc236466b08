using LowRank.Model;
using LowRank.Numerics;

namespace LowRank.Simulation;

/// <summary>
/// The parameters of a <see cref="LowRankRnn"/> for simulation: copies of the unit arrays and its constrained
/// parameters (<see cref="ConstrainedParameters"/>: a, Cholesky factors, σx, P) computed once and shared
/// read-only by the simulation threads.
/// </summary>
internal sealed class FrozenModel
{
    public FrozenModel(LowRankRnn model)
    {
        Options = model.Options;
        Rank = model.Rank;
        Units = model.Units;
        Inputs = model.Inputs;
        Channels = model.Channels;
        M = model.M.ToArray();
        N = model.N.ToArray();
        H = model.H.ToArray();
        W = model.W.ToArray();
        C = model.C.ToArray();
        D = model.D.ToArray();
        ConstrainedParameters constrained = ConstrainedParameters.Of(model);
        if (!constrained.IsValid)
        {
            throw new ArgumentException("matrix is not positive definite.", nameof(model));
        }

        Decay = constrained.Decay;
        TransitionCholesky = constrained.TransitionCholesky;
        InitialCholesky = constrained.InitialCholesky;
        InitialMean = constrained.InitialMean;
        ObservationSd = constrained.Variance.Select(Math.Sqrt).ToArray();
        Projection = constrained.Projection;
    }

    public ModelOptions Options { get; }

    public int Rank { get; }

    public int Units { get; }

    public int Inputs { get; }

    public int Channels { get; }

    public double[] M { get; }

    public double[] N { get; }

    public double[] H { get; }

    public double[] W { get; }

    public double[] C { get; }

    public double[] D { get; }

    public double Decay { get; }

    public double[] TransitionCholesky { get; }

    public double[] InitialCholesky { get; }

    public double[] InitialMean { get; }

    public double[] ObservationSd { get; }

    /// <summary>P = (MᵀM)⁻¹Mᵀ [R,N] (only with inputs).</summary>
    public double[] Projection { get; }

    /// <summary>m_0 = μ0 + P W v_0.</summary>
    public void PriorMean(ReadOnlySpan<double> v0, Span<double> mean)
    {
        InitialMean.CopyTo(mean);
        if (Inputs == 0)
        {
            return;
        }

        for (int i = 0; i < Units; i++)
        {
            double wv = 0;
            for (int k = 0; k < Inputs; k++)
            {
                wv += W[i * Inputs + k] * v0[k];
            }

            for (int a = 0; a < Rank; a++)
            {
                mean[a] += Projection[a * Units + i] * wv;
            }
        }
    }

    /// <summary>x = M z + W v.</summary>
    public void Currents(ReadOnlySpan<double> z, ReadOnlySpan<double> v, Span<double> currents)
    {
        for (int i = 0; i < Units; i++)
        {
            double sum = 0;
            for (int a = 0; a < Rank; a++)
            {
                sum += M[i * Rank + a] * z[a];
            }

            for (int k = 0; k < Inputs; k++)
            {
                sum += W[i * Inputs + k] * v[k];
            }

            currents[i] = sum;
        }
    }

    /// <summary>mean = g(C z + d) or g(c ⊙ s + d).</summary>
    public void ObservationMean(ReadOnlySpan<double> z, ReadOnlySpan<double> currents, ReadOnlySpan<double> rates, Span<double> eta, Span<double> mean)
    {
        switch (Options.Readout)
        {
            case Readout.Latent:
                for (int c = 0; c < Channels; c++)
                {
                    double sum = D[c];
                    for (int a = 0; a < Rank; a++)
                    {
                        sum += C[c * Rank + a] * z[a];
                    }

                    eta[c] = sum;
                }

                break;
            default:
                ReadOnlySpan<double> source = Options.Readout == Readout.Currents ? currents : rates;
                for (int c = 0; c < Channels; c++)
                {
                    eta[c] = C[c] * source[c] + D[c];
                }

                break;
        }

        for (int c = 0; c < Channels; c++)
        {
            mean[c] = LinkFunctions.Value(Options.Link, eta[c]);
        }
    }

    /// <summary>Draws y ~ N(mean, σx²) or Poisson(mean).</summary>
    public void SampleObservation(ReadOnlySpan<double> mean, Span<double> sample, Rng rng)
    {
        for (int c = 0; c < Channels; c++)
        {
            sample[c] = Options.Likelihood == Likelihood.Gaussian
                ? mean[c] + ObservationSd[c] * rng.NextGaussian()
                : rng.NextPoisson(mean[c]);
        }
    }
}
