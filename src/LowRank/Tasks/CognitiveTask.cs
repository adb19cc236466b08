using LowRank.Data;
using LowRank.Numerics;
using LowRank.RateNetworks;

namespace LowRank.Tasks;

/// <summary>
/// A cognitive task for rate networks (docs/lint.md, "Tasks"): trial generator with noisy inputs, targets and a
/// mask that covers only the response period. Δt = 20 ms (α = Δt/τ = 0.2 with τ = 100 ms).
/// </summary>
/// <remarks>
/// Trial <c>i</c> of seed <c>s</c> draws only from <c>Rng.Create(s, i)</c>: the same (seed, index)
/// always gives the same trial. Accuracy of a trial: the sign of the network's mean output over the
/// masked steps agrees with the sign of the target's mean over the same steps.
/// </remarks>
public abstract class CognitiveTask
{
    /// <summary>Time step, ms.</summary>
    public const double StepMs = 20.0;

    /// <summary>Unit time constant, ms.</summary>
    public const double TauMs = 100.0;

    /// <summary>α = Δt/τ.</summary>
    public static double Alpha => StepMs / TauMs;

    /// <summary>Short name used on the command line: cdi, dms, romo, rdm, reach.</summary>
    public abstract string Name { get; }

    /// <summary>U.</summary>
    public abstract int Inputs { get; }

    /// <summary>O (1 for the decision tasks, 2 for reaching).</summary>
    public virtual int Outputs => 1;

    /// <summary>The names accepted by <see cref="Create(string)"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cdi", "dms", "romo", "rdm", "reach"];

    /// <summary>
    /// The task called <paramref name="name"/>; for <c>reach</c>, <paramref name="directions"/> training directions
    /// (default 8; 0: any angle). Other tasks refuse a number of directions.
    /// </summary>
    public static CognitiveTask Create(string name, int? directions)
    {
        if (directions is not int count)
        {
            return Create(name);
        }

        if (name != "reach")
        {
            throw new InputException($"task '{name}' has no reach directions.", $"drop {InputException.Ref("Directions")}, or use the reach task.");
        }

        InputException.Require(count >= 0, "Directions", count, "0 (any angle) or more");
        return new ReachingTask(count);
    }

    /// <summary>The task called <paramref name="name"/>.</summary>
    public static CognitiveTask Create(string name) => name switch
    {
        "cdi" => new ContextDependentIntegrationTask(),
        "dms" => new DelayedMatchToSampleTask(),
        "romo" => new ParametricWorkingMemoryTask(),
        "rdm" => new RandomDotDecisionTask(),
        "reach" => new ReachingTask(),
        _ => throw new InputException(
            $"unknown task '{name}'.",
            "use one of: " + string.Join(", ", Names) + "."),
    };

    /// <summary>Trial <paramref name="index"/> of <paramref name="seed"/>.</summary>
    public abstract Trial Generate(long seed, long index);

    /// <summary>
    /// Trial <paramref name="index"/> of <paramref name="seed"/> under a chosen condition (the reaching task: the target
    /// angle in degrees); tasks without conditions refuse.
    /// </summary>
    public virtual Trial GenerateFor(double condition, long seed, long index) =>
        throw new InputException($"task '{Name}' has no conditions to choose.", "use the reach task, or leave out the conditions.");

    /// <summary>The task whose trials measure accuracy: the same task here; the reaching task draws any angle there.</summary>
    public virtual CognitiveTask ForEvaluation() => this;

    /// <summary>Whether <paramref name="outputs"/> [T, O] answer <paramref name="trial"/> correctly: <see cref="IsCorrect"/> here, the reaching task's own rule there.</summary>
    public virtual bool Succeeds(Trial trial, ReadOnlySpan<float> outputs) => IsCorrect(trial, outputs);

    /// <summary>Throws <see cref="InputException"/> with <paramref name="hint"/> unless a network of <paramref name="spec"/> has this task's inputs and outputs.</summary>
    public void RequireNetwork(RateNetworkSpec spec, string hint)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Inputs != Inputs || spec.Outputs != Outputs)
        {
            throw new InputException(
                $"the network has {spec.Inputs} inputs and {spec.Outputs} outputs but task '{Name}' needs {Inputs} and {Outputs}.",
                hint);
        }
    }

    /// <summary>Trials <paramref name="first"/> … first + count − 1.</summary>
    public Trial[] GenerateMany(long seed, long first, int count)
    {
        // Inputs, targets and mask of every trial, 4-byte values, as long as the first trial.
        double steps = count > 0 ? Generate(seed, first).Steps : 0;
        new MemoryBudget(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"generating {count:N0} {Name} trials"))
            .Add("their inputs, targets and masks", count, sizeof(float), steps, Inputs + Outputs + 1.0)
            .Check("lower the number of trials.");
        var trials = new Trial[count];
        for (int i = 0; i < count; i++)
        {
            trials[i] = Generate(seed, first + i);
        }

        return trials;
    }

    /// <summary>Number of whole steps of an epoch lasting <paramref name="ms"/> milliseconds (rounded down, as published: 350 ms → 17 steps).</summary>
    public static int Steps(double ms) => (int)Math.Floor(ms / StepMs + 1e-9);

    /// <summary>Whether the mean of <paramref name="outputs"/> [T, O] (output 0) over the mask has the target's sign.</summary>
    public static bool IsCorrect(Trial trial, ReadOnlySpan<float> outputs)
    {
        double output = 0;
        double target = 0;
        int o = trial.Outputs;
        for (int t = 0; t < trial.Steps; t++)
        {
            output += trial.Mask[t] * outputs[t * o];
            target += trial.Mask[t] * trial.Targets[t * o];
        }

        return Math.Sign(output) == Math.Sign(target) && target != 0;
    }

    /// <summary>
    /// A trial builder: zero inputs and targets, and noise of standard deviation <paramref name="noiseStd"/>
    /// on the first <paramref name="noisyChannels"/> inputs (all of them by default).
    /// </summary>
    protected static (float[] Inputs, float[] Targets, float[] Mask) Allocate(int steps, int inputs, double noiseStd, Rng rng, int? noisyChannels = null)
    {
        int noisy = noisyChannels ?? inputs;
        var values = new float[steps * inputs];
        for (int t = 0; t < steps; t++)
        {
            for (int c = 0; c < noisy; c++)
            {
                values[t * inputs + c] = (float)(noiseStd * rng.NextGaussian());
            }
        }

        return (values, new float[steps], new float[steps]);
    }

    /// <summary>Adds <paramref name="value"/> to input <paramref name="channel"/> on steps [from, to).</summary>
    protected static void AddInput(float[] inputs, int channels, int channel, int from, int to, double value)
    {
        for (int t = from; t < to; t++)
        {
            inputs[t * channels + channel] += (float)value;
        }
    }

    /// <summary>Target <paramref name="value"/> with mask 1 on steps [from, to).</summary>
    protected static void SetResponse(float[] targets, float[] mask, int from, int to, double value)
    {
        for (int t = from; t < to; t++)
        {
            targets[t] = (float)value;
            mask[t] = 1f;
        }
    }
}
