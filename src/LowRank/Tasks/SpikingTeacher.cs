using LowRank.Data;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.RateNetworks;
using static LowRank.InputException;

namespace LowRank.Tasks;

/// <summary>How a task-trained rate network is run and observed through spike counts (<see cref="SpikingTeacher"/>).</summary>
public sealed record SpikingTeacherOptions
{
    /// <summary>Conditions of the trials (the reaching task: target angles in degrees), trial i under condition i mod C; null: the task's own random trials.</summary>
    public IReadOnlyList<double>? Conditions { get; init; }

    /// <summary>Trials S.</summary>
    public int Trials { get; init; } = 400;

    /// <summary>Observed units K: the first K of a fixed random order of the network's N units, the same for every seed.</summary>
    public int Channels { get; init; } = 60;

    /// <summary>g of the Poisson rate λ = g(η0 + gain · φ(x_t + b)) per bin.</summary>
    public Link Link { get; init; } = Link.Exp;

    /// <summary>The gain on a unit's rate φ ∈ (−1, 1).</summary>
    public double Gain { get; init; } = 1.0;

    /// <summary>Expected count per bin of a unit at φ = 0 (η0 = g⁻¹ of it).</summary>
    public double Baseline { get; init; } = 0.5;

    /// <summary>σ of the per-step state noise; null: the network's own (its training noise).</summary>
    public double? StateNoise { get; init; }

    public long Seed { get; init; }

    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Throws <see cref="InputException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        RequireCount(nameof(Trials), Trials);
        RequireCount(nameof(Channels), Channels);
        RequireCount(nameof(Threads), Threads);
        Require(Link is Link.Exp or Link.Softplus or Link.Relu, nameof(Link), ModelNames.Of(Link), "exp, softplus or relu (a Poisson rate must be positive)");
        Require(double.IsFinite(Gain), nameof(Gain), Gain, "finite");
        Require(Baseline > 0 && double.IsFinite(Baseline), nameof(Baseline), Baseline, "positive");
        Require(StateNoise is null || StateNoise >= 0, nameof(StateNoise), StateNoise ?? 0, "non-negative");
        if (Conditions is { } conditions)
        {
            Require(conditions.Count >= 1, nameof(Conditions), conditions.Count, "at least one condition");
            foreach (double c in conditions)
            {
                Require(double.IsFinite(c), nameof(Conditions), c, "finite values");
            }
        }
    }
}

/// <summary>
/// Spike counts of a task-trained rate network: trials of its task, run with state noise; K units observed through
/// Poisson counts with rate λ_tk = g(η0 + gain · φ(x_t + b)_k) per bin (docs/conditions.md).
/// </summary>
/// <param name="Trials">S.</param>
/// <param name="Steps">T.</param>
/// <param name="Channels">K.</param>
/// <param name="InputCount">U.</param>
/// <param name="OutputCount">O (the task's outputs).</param>
/// <param name="Counts">[S, T, K] spike counts.</param>
/// <param name="Rates">[S, T, K] λ, the expected counts.</param>
/// <param name="Inputs">[S, T, U] the trials' inputs.</param>
/// <param name="Targets">[S, T, O] the trials' target outputs.</param>
/// <param name="Conditions">[S] each trial's condition (NaN for a task without conditions).</param>
/// <param name="Units">[K] the observed units, ascending.</param>
public sealed record SpikingTeacherResult(
    int Trials, int Steps, int Channels, int InputCount, int OutputCount,
    float[] Counts, float[] Rates, float[] Inputs, float[] Targets, double[] Conditions, int[] Units);

/// <summary>Runs a task-trained rate network as a spiking teacher.</summary>
/// <remarks>
/// Streams: trial i is the task's trial (seed, i) (<see cref="CognitiveTask.GenerateFor"/> under condition i mod C,
/// or <see cref="CognitiveTask.Generate"/>); its state noise is stream 2⁴⁰ + i and its counts stream 2⁴¹ + i of the
/// seed — so results do not depend on the thread count. The observed units do not depend on the seed (stream 2⁴² of
/// seed 0): files simulated with different seeds, such as training and evaluation trials, observe the same units.
/// </remarks>
public static class SpikingTeacher
{
    private const long NoiseStream = 1L << 40, CountStream = 1L << 41, UnitStream = 1L << 42;

    public static SpikingTeacherResult Run(RateNetwork network, CognitiveTask task, SpikingTeacherOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        RateNetworkSpec spec = network.Spec;
        task.RequireNetwork(spec, "pass a network trained on this task (lowrank task train).");

        Require(options.Channels <= spec.Units, nameof(options.Channels), options.Channels, $"at most the network's {spec.Units} units");
        int s = options.Trials, k = options.Channels;
        Trial[] trials = Trials(task, options);
        int steps = trials[0].Steps;
        if (trials.Any(t => t.Steps != steps))
        {
            throw new InputException(
                $"the trials of task '{task.Name}' differ in length ({trials.Min(t => t.Steps)}–{trials.Max(t => t.Steps)} steps), but spike-count data need equal lengths.",
                "use a task with fixed epochs, such as reach or rdm.");
        }

        new MemoryBudget(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{s:N0} trials of {k} observed units"))
            .Add("their counts and rates", 2.0 * s, sizeof(float), steps, k)
            .Check($"lower {Ref(nameof(options.Trials))} or {Ref(nameof(options.Channels))}.");

        int[] units = ObservedUnits(spec.Units, k);
        var noisy = new RateNetwork(spec with { NoiseStd = options.StateNoise ?? spec.NoiseStd }, network.Theta);
        int n = spec.Units, u = task.Inputs, o = task.Outputs;
        var counts = new float[s * steps * k];
        var rates = new float[s * steps * k];
        double offset = LinkFunctions.Inverse(options.Link, options.Baseline);
        RateNetworkRunner.Run(noisy.Layout, noisy.Theta, trials, [], options.Seed, NoiseStream, options.Threads, (i, workspace) =>
        {
            Rng rng = Rng.Create(options.Seed, CountStream + i);
            for (int t = 0; t < steps; t++)
            {
                for (int c = 0; c < k; c++)
                {
                    double phi = workspace.Rates[t * n + units[c]];
                    double lambda = LinkFunctions.Value(options.Link, offset + options.Gain * phi);
                    int at = (i * steps + t) * k + c;
                    rates[at] = (float)lambda;
                    counts[at] = rng.NextPoisson(lambda);
                }
            }
        });

        var inputs = new float[s * steps * u];
        var targets = new float[s * steps * o];
        for (int i = 0; i < s; i++)
        {
            trials[i].InputValues.CopyTo(inputs, i * steps * u);
            trials[i].Targets.CopyTo(targets, i * steps * o);
        }

        return new SpikingTeacherResult(s, steps, k, u, o, counts, rates, inputs, targets, [.. trials.Select(t => t.Condition)], units);
    }

    private static Trial[] Trials(CognitiveTask task, SpikingTeacherOptions options)
    {
        var trials = new Trial[options.Trials];
        for (int i = 0; i < trials.Length; i++)
        {
            trials[i] = options.Conditions is { } conditions
                ? task.GenerateFor(conditions[i % conditions.Count], options.Seed, i)
                : task.Generate(options.Seed, i);
        }

        return trials;
    }

    /// <summary>The first K of a fixed random order of the N units, ascending.</summary>
    private static int[] ObservedUnits(int units, int count)
    {
        int[] order = Rng.Create(0, UnitStream).Permutation(units);
        int[] chosen = order[..count];
        Array.Sort(chosen);
        return chosen;
    }
}
