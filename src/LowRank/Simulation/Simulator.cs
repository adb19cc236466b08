using LowRank.Model;
using LowRank.Numerics;

namespace LowRank.Simulation;

/// <summary>Simulates a <see cref="LowRankRnn"/>: latents, observation means and samples (docs/model.md, "Simulation").</summary>
/// <remarks>
/// Per trial, with v the (raw or filtered) input:
/// <code>
/// x_t = M z_t + W v_t;  r_t = φ(x_t; h)
/// mean_t = g(C z_t + d)  or  g(c ⊙ s_t + d);   y_t ~ N(mean_t, σx²) or Poisson(mean_t)
/// z_{t+1} = a z_t + Ñ r_t + noiseScale · Lz ε_t
/// </code>
/// Burn-in steps run first with zero input and are not recorded.
/// </remarks>
public static class Simulator
{
    /// <summary>
    /// Validates <paramref name="options"/> and checks that the result (latents, samples, rates and inputs of every
    /// trial) fits in memory; throws <see cref="InputException"/> stating the bytes needed otherwise.
    /// </summary>
    public static void CheckSize(LowRankRnn model, SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        double trials = options.Trials, steps = options.Steps;
        new MemoryBudget("the simulation")
            .Doubles("latents", trials, steps, model.Rank)
            .Doubles("samples", trials, steps, model.Channels)
            .Doubles("rates", trials, steps, model.Channels)
            .Doubles("inputs", trials, steps, model.Inputs)
            .Check($"lower {InputException.Ref(nameof(SimulationOptions.Trials))} or {InputException.Ref(nameof(SimulationOptions.Steps))}.");
    }

    /// <summary>Simulates <see cref="SimulationOptions.Trials"/> trials.</summary>
    /// <param name="model">The network.</param>
    /// <param name="options">Steps, trials, initial-state mode, seed.</param>
    /// <param name="inputs">[trials,T,U] raw inputs u_t (required when U &gt; 0).</param>
    /// <param name="initialStates">[trials,R] explicit z_0 (required for the posterior modes, ignored otherwise).</param>
    public static SimulationResult Run(LowRankRnn model, SimulationOptions options, double[]? inputs = null, double[]? initialStates = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        CheckSize(model, options);
        int trials = options.Trials, steps = options.Steps, r = model.Rank, x = model.Channels, u = model.Inputs;
        if (u > 0 && (inputs is null || inputs.Length != trials * steps * u))
        {
            throw new ArgumentException($"the model has {u} inputs: pass inputs of shape [trials,T,U] = [{trials},{steps},{u}].", nameof(inputs));
        }

        bool posterior = options.Initial is InitialStateMode.PosteriorMean or InitialStateMode.PosteriorSample;
        if (posterior && (initialStates is null || initialStates.Length != trials * r))
        {
            throw new ArgumentException($"posterior initial states need [trials,R] = [{trials},{r}] values.", nameof(initialStates));
        }

        var result = new SimulationResult(
            trials, steps, r, x, u,
            new double[trials * steps * r],
            new double[trials * steps * x],
            new double[trials * steps * x],
            u > 0 ? (double[])inputs!.Clone() : []);
        var frozen = new FrozenModel(model);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads };
        Parallel.For(0, trials, parallel, trial =>
        {
            ReadOnlySpan<double> z0 = posterior ? initialStates.AsSpan(trial * r, r) : [];
            SimulateTrial(frozen, options, trial, u > 0 ? inputs.AsSpan(trial * steps * u, steps * u) : [], z0, result);
        });
        return result;
    }

    private static void SimulateTrial(FrozenModel f, SimulationOptions options, int trial, ReadOnlySpan<double> inputs, ReadOnlySpan<double> z0, SimulationResult result)
    {
        int r = f.Rank, n = f.Units, u = f.Inputs, x = f.Channels, steps = options.Steps;
        Rng rng = Rng.Create(options.Seed, trial);
        var z = new double[r];
        var next = new double[r];
        var noise = new double[r];
        var v = new double[u];
        var currents = new double[n];
        var rates = new double[n];
        var eta = new double[x];

        // Initial state.
        if (z0.Length == r)
        {
            z0.CopyTo(z);
        }
        else
        {
            f.PriorMean(v, z);
            if (options.Initial == InitialStateMode.PriorSample)
            {
                rng.FillGaussian(noise);
                SmallMatrix.AddLowerTimes(f.InitialCholesky, noise, 1.0, z, r);
            }
        }

        Span<double> latents = result.Latents.AsSpan(trial * steps * r, steps * r);
        Span<double> means = result.Rates.AsSpan(trial * steps * x, steps * x);
        Span<double> samples = result.Samples.AsSpan(trial * steps * x, steps * x);
        for (int t = -options.BurnIn; t < steps; t++)
        {
            bool recorded = t >= 0;
            ReadOnlySpan<double> ut = recorded && u > 0 ? inputs.Slice(t * u, u) : [];
            if (f.Options.InputFilter == InputFilter.Raw)
            {
                if (u > 0)
                {
                    if (recorded)
                    {
                        ut.CopyTo(v);
                    }
                    else
                    {
                        Array.Clear(v);
                    }
                }
            }

            // z_{t+1} = a z_t + Ñ r_t + noiseScale Lz ε_t
            f.TransitionMean(z, v, currents, rates, next);
            if (recorded)
            {
                z.CopyTo(latents.Slice(t * r, r));
                f.ObservationMean(z, currents, rates, eta, means.Slice(t * x, x));
                f.SampleObservation(means.Slice(t * x, x), samples.Slice(t * x, x), rng);
            }

            if (options.NoiseScale > 0)
            {
                rng.FillGaussian(noise);
                SmallMatrix.AddLowerTimes(f.TransitionCholesky, noise, options.NoiseScale, next, r);
            }

            next.CopyTo(z, 0);

            // Filtered inputs: v_{t+1} = a v_t + (1 − a) u_t.
            if (f.Options.InputFilter == InputFilter.Filtered)
            {
                for (int k = 0; k < u; k++)
                {
                    v[k] = f.Decay * v[k] + (1 - f.Decay) * (recorded ? ut[k] : 0);
                }
            }
        }
    }
}
