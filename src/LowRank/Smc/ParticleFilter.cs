using LowRank.Data;
using LowRank.Model;
using LowRank.Numerics;

namespace LowRank.Smc;

/// <summary>Filtering particles of one sequence. Shapes: Particles [T,K,R]; LogWeights, Ancestors [T,K].</summary>
/// <param name="Steps">T.</param>
/// <param name="ParticleCount">K.</param>
/// <param name="Rank">R.</param>
/// <param name="Particles">z_t^k [T,K,R].</param>
/// <param name="LogWeights">Incremental log-weights log w_t^k [T,K].</param>
/// <param name="Weights">Normalised weights [T,K].</param>
/// <param name="Ancestors">A_t^k [T,K]: the particle of step t−1 that z_t^k descends from (row 0: 0).</param>
/// <param name="LogLikelihood">The estimate Σ_t [logsumexp_k log w_t^k − log K] of log p(y_{0:T−1}).</param>
/// <param name="Inputs">The inputs v_t the transition saw at each step [T,U] (raw or filtered; empty without inputs).</param>
/// <param name="LogEvidence">Per step, logsumexp_k log w_t^k − log K: the estimate of log p(y_t | y_{0:t−1}) [T] (sums to <paramref name="LogLikelihood"/>).</param>
public sealed record FilterResult(
    int Steps, int ParticleCount, int Rank, double[] Particles, double[] LogWeights, double[] Weights, int[] Ancestors, double LogLikelihood, double[] Inputs, double[] LogEvidence)
{
    /// <summary>The weighted filtering mean E[z_t | y_{0:t}] [T,R].</summary>
    public double[] FilteringMeans()
    {
        var means = new double[Steps * Rank];
        for (int t = 0; t < Steps; t++)
        {
            for (int k = 0; k < ParticleCount; k++)
            {
                double w = Weights[t * ParticleCount + k];
                for (int a = 0; a < Rank; a++)
                {
                    means[t * Rank + a] += w * Particles[(t * ParticleCount + k) * Rank + a];
                }
            }
        }

        return means;
    }
}

/// <summary>The Gaussian posterior of z_0 given y_0 under the optimal proposal: N(Mean, L Lᵀ).</summary>
/// <param name="Mean">[R].</param>
/// <param name="Cholesky">Lower-triangular factor L [R,R].</param>
public sealed record InitialPosterior(double[] Mean, double[] Cholesky)
{
    /// <summary>A draw Mean + L ε.</summary>
    public double[] Sample(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int r = Mean.Length;
        var eps = new double[r];
        rng.FillGaussian(eps);
        var z = (double[])Mean.Clone();
        SmallMatrix.AddLowerTimes(Cholesky, eps, 1.0, z, r);
        return z;
    }
}

/// <summary>The forward filter for inference (double precision): filtering particles and weights, and the posterior of the initial state.</summary>
public static class ParticleFilter
{
    /// <summary>
    /// Runs the filter of <paramref name="options"/> on one sequence: observations [T,X], inputs [T,U]
    /// (empty without inputs). Randomness comes from stream 0 of <paramref name="seed"/>.
    /// </summary>
    public static FilterResult Run(LowRankRnn model, VsmcOptions options, double[] observations, double[]? inputs, long seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(observations);
        options.Validate(model.Options);
        int x = model.Channels, u = model.Inputs;
        if (observations.Length == 0 || observations.Length % x != 0)
        {
            throw new ArgumentException($"observations hold {observations.Length} values, not a whole number of [T,{x}] rows.", nameof(observations));
        }

        int steps = observations.Length / x;
        var batch = new SequenceSet(1, steps, x, observations, u, inputs);
        var engine = new VsmcEngine<double>(model.Options, options with { Precision = KernelPrecision.Double, Threads = 1 });
        double value = engine.Evaluate(model.Theta, batch, seed, Span<double>.Empty, computeGradient: false, frozenAncestors: null);
        SequenceWorkspace<double> s = engine.Sequences[0];
        int k = options.Particles;
        var ancestors = (int[])s.Ancestors.Clone();
        Array.Clear(ancestors, 0, k);
        double[] evidence = [.. s.LogSumExp.Select(l => l - Math.Log(k))];
        return new FilterResult(
            steps, k, model.Rank, (double[])s.Z.Clone(), (double[])s.LogW.Clone(), (double[])s.Weights.Clone(), ancestors, value * steps, (double[])s.V.Clone(), evidence);
    }

    /// <summary>
    /// The posterior of z_0 given the first observation y_0 [X] (and first input u_0 [U], or empty)
    /// under the prior N(μ0 + P W v_0, Σ0): exactly Gaussian when the readout is linear (latent readout,
    /// or unit readout from currents) with the Gaussian likelihood.
    /// </summary>
    public static InitialPosterior PosteriorOfInitialState(LowRankRnn model, ReadOnlySpan<double> firstObservation, ReadOnlySpan<double> firstInput)
    {
        ArgumentNullException.ThrowIfNull(model);
        var options = new VsmcOptions { Particles = 1, Proposal = ProposalKind.Optimal, Precision = KernelPrecision.Double, Threads = 1 };
        options.Validate(model.Options);
        if (firstObservation.Length != model.Channels || firstInput.Length != model.Inputs)
        {
            throw new ArgumentException($"expected y_0 of {model.Channels} values and u_0 of {model.Inputs}, got {firstObservation.Length} and {firstInput.Length}.");
        }

        var batch = new SequenceSet(1, 1, model.Channels, firstObservation.ToArray(), model.Inputs, model.Inputs > 0 ? firstInput.ToArray() : null);
        var engine = new VsmcEngine<double>(model.Options, options);
        engine.Evaluate(model.Theta, batch, 0, Span<double>.Empty, computeGradient: false, frozenAncestors: null);
        SequenceWorkspace<double> s = engine.Sequences[0];
        var proposal = (OptimalProposal<double>)engine.Proposal;
        var observation = (ILinearGaussianObservation<double>)engine.Observation;
        var residual = new double[model.Channels];
        observation.Residual(s, 0, residual);
        var mean = new double[model.Rank];
        var cholesky = new double[model.Rank * model.Rank];
        proposal.InitialPosterior(s.InitialMean, residual, mean, cholesky);
        return new InitialPosterior(mean, cholesky);
    }
}
