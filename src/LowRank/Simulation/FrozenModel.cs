using LowRank.Model;
using LowRank.Numerics;

namespace LowRank.Simulation;

/// <summary>
/// A <see cref="LowRankRnn"/> unpacked once for simulation (the model's <see cref="ModelView{TReal}"/> in double:
/// unit arrays and <see cref="ConstrainedParameters"/>) and shared read-only by the simulation threads, with the
/// per-step pieces of the generative model.
/// </summary>
internal sealed class FrozenModel
{
    private readonly ModelView<double> _view;

    public FrozenModel(LowRankRnn model)
    {
        _view = new ModelView<double>(model.Options);
        _view.Load(model.Theta);
        if (!_view.IsValid)
        {
            throw new ArgumentException("matrix is not positive definite.", nameof(model));
        }

        ObservationSd = _view.Variance.Select(Math.Sqrt).ToArray();
    }

    public ModelOptions Options => _view.Options;

    public int Rank => _view.Rank;

    public int Units => _view.Units;

    public int Inputs => _view.Inputs;

    public int Channels => _view.Channels;

    /// <summary>M [N,R].</summary>
    public double[] M => _view.M;

    /// <summary>Ñ [R,N].</summary>
    public double[] N => _view.Nt;

    /// <summary>h [N].</summary>
    public double[] H => _view.H;

    /// <summary>W [N,U].</summary>
    public double[] W => _view.W;

    /// <summary>C [X,R] or c [X].</summary>
    public double[] C => _view.ReadoutWeights;

    /// <summary>d [X].</summary>
    public double[] D => _view.ReadoutBias;

    public double Decay => _view.Decay;

    public double[] TransitionCholesky => _view.TransitionCholesky;

    public double[] InitialCholesky => _view.InitialCholesky;

    public double[] InitialMean => _view.InitialMean;

    /// <summary>σx [X] (Gaussian likelihood; empty otherwise).</summary>
    public double[] ObservationSd { get; }

    /// <summary>P = (MᵀM)⁻¹Mᵀ [R,N] (only with inputs).</summary>
    public double[] Projection => _view.Projection;

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

    /// <summary>The units' currents x = M z + W v and rates φ(x; h) [N] at state <paramref name="z"/> and input v.</summary>
    public void Activity(ReadOnlySpan<double> z, ReadOnlySpan<double> v, Span<double> currents, Span<double> rates)
    {
        Currents(z, v, currents);
        ActivationFunctions.Apply(Options.Activation, currents, H, rates);
    }

    /// <summary>
    /// f(z) = a z + Ñ φ(M z + W v; h), the mean of z_{t+1} given z_t = <paramref name="z"/> and input v_t; also leaves
    /// the step's currents x and rates φ in the buffers [N] for the readout.
    /// </summary>
    public void TransitionMean(ReadOnlySpan<double> z, ReadOnlySpan<double> v, Span<double> currents, Span<double> rates, Span<double> next)
    {
        Activity(z, v, currents, rates);
        for (int a = 0; a < Rank; a++)
        {
            double sum = Decay * z[a];
            ReadOnlySpan<double> row = N.AsSpan(a * Units, Units);
            for (int i = 0; i < Units; i++)
            {
                sum += row[i] * rates[i];
            }

            next[a] = sum;
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
