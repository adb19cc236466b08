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

/// <summary>
/// The posterior of z_0 given y_0: exactly Gaussian, N(Mean, L Lᵀ), for a linear-Gaussian readout with y_0 fully
/// observed (the optimal proposal's), otherwise the weighted particles of a one-step filter (<see cref="Particles"/>).
/// </summary>
/// <param name="Mean">[R]: the Gaussian mean, or the particles' weighted mean.</param>
/// <param name="Cholesky">Lower-triangular factor L [R,R] of the Gaussian posterior; null for particles.</param>
/// <param name="Particles">Particles [K,R] of the one-step filter; null for the Gaussian posterior.</param>
/// <param name="Weights">Their normalised weights [K]; null for the Gaussian posterior.</param>
public sealed record InitialPosterior(double[] Mean, double[]? Cholesky, double[]? Particles = null, double[]? Weights = null)
{
    /// <summary>A draw: Mean + L ε, or a particle drawn by its weight.</summary>
    public double[] Sample(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int r = Mean.Length;
        if (Particles is not null && Weights is not null)
        {
            double u = rng.NextDouble(), cumulative = 0;
            int k = 0;
            for (; k < Weights.Length - 1; k++)
            {
                cumulative += Weights[k];
                if (u < cumulative)
                {
                    break;
                }
            }

            return Particles.AsSpan(k * r, r).ToArray();
        }

        var eps = new double[r];
        rng.FillGaussian(eps);
        var z = (double[])Mean.Clone();
        SmallMatrix.AddLowerTimes(Cholesky!, eps, 1.0, z, r);
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

    /// <summary>Particles of the one-step filter when the posterior of z_0 is not Gaussian.</summary>
    public const int InitialStateParticles = 1000;

    /// <summary>
    /// The posterior of z_0 given the first observation y_0 [X] (NaN = missing) and first input u_0 [U] (or empty)
    /// under the prior N(μ0 + P W v_0, Σ0): exactly Gaussian when the readout is linear (latent readout, or unit
    /// readout from currents) with the Gaussian likelihood and y_0 fully observed; otherwise (Poisson counts, a rates
    /// readout, missing entries) the <see cref="InitialStateParticles"/> weighted particles of a one-step filter with the
    /// model's proposal (<see cref="InferenceProposal"/>), drawn from stream 0 of <paramref name="seed"/>.
    /// </summary>
    public static InitialPosterior PosteriorOfInitialState(LowRankRnn model, ReadOnlySpan<double> firstObservation, ReadOnlySpan<double> firstInput, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (firstObservation.Length != model.Channels || firstInput.Length != model.Inputs)
        {
            throw new ArgumentException($"expected y_0 of {model.Channels} values and u_0 of {model.Inputs}, got {firstObservation.Length} and {firstInput.Length}.");
        }

        double[]? inputs = model.Inputs > 0 ? firstInput.ToArray() : null;
        ProposalKind proposal = InferenceProposal(model.Options);
        if (proposal != ProposalKind.Optimal || MissingValues.Any(firstObservation))
        {
            var filter = new VsmcOptions { Particles = InitialStateParticles, Proposal = proposal == ProposalKind.Optimal ? ProposalKind.Bootstrap : proposal, Precision = KernelPrecision.Double, Threads = 1 };
            FilterResult result = Run(model, filter, firstObservation.ToArray(), inputs, seed);
            return new InitialPosterior(result.FilteringMeans(), null, result.Particles, result.Weights);
        }

        var options = new VsmcOptions { Particles = 1, Proposal = ProposalKind.Optimal, Precision = KernelPrecision.Double, Threads = 1 };
        var batch = new SequenceSet(1, 1, model.Channels, firstObservation.ToArray(), model.Inputs, inputs);
        var engine = new VsmcEngine<double>(model.Options, options);
        engine.Evaluate(model.Theta, batch, 0, Span<double>.Empty, computeGradient: false, frozenAncestors: null);
        SequenceWorkspace<double> s = engine.Sequences[0];
        var optimal = (OptimalProposal<double>)engine.Proposal;
        var observation = (ILinearGaussianObservation<double>)engine.Observation;
        var residual = new double[model.Channels];
        observation.Residual(s, 0, residual);
        var mean = new double[model.Rank];
        var cholesky = new double[model.Rank * model.Rank];
        optimal.InitialPosterior(s.InitialMean, residual, mean, cholesky);
        return new InitialPosterior(mean, cholesky);
    }

    /// <summary>
    /// The proposal inference uses for a model: its trained encoder when it has one, else the optimal proposal where it
    /// applies (Gaussian likelihood, linear readout), else the bootstrap.
    /// </summary>
    public static ProposalKind InferenceProposal(ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Encoder is not null ? ProposalKind.Encoder
            : options.Likelihood == Likelihood.Gaussian && options.Readout != Readout.Rates ? ProposalKind.Optimal
            : ProposalKind.Bootstrap;
    }
}
