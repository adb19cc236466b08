namespace LowRank.Data;

/// <summary>
/// One trial for a rate network: inputs, targets and a loss mask over its own number of steps.
/// </summary>
/// <remarks>
/// Shapes (row-major): <c>InputValues</c> [T, U], <c>Targets</c> [T, O] (O = outputs, or observed units when
/// fitting trajectories), <c>Mask</c> [T] (weight of each step in the loss; 0 outside the response period).
/// Trials of one task differ in length, so they are not a <see cref="SequenceSet"/>; their shape checks are the
/// family's (<see cref="SequenceSet.CheckShape"/>: one sequence of T steps, the targets as its O channels).
/// </remarks>
public sealed class Trial
{
    public Trial(int steps, int inputs, int outputs, float[] inputValues, float[] targets, float[] mask)
    {
        ArgumentNullException.ThrowIfNull(inputValues);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(mask);
        SequenceSet.CheckShape(1, steps, outputs, targets.Length, inputs, inputValues.Length);
        if (mask.Length != steps)
        {
            throw new ArgumentException($"the mask has {mask.Length} values for T = {steps} steps.", nameof(mask));
        }

        Steps = steps;
        Inputs = inputs;
        Outputs = outputs;
        InputValues = inputValues;
        Targets = targets;
        Mask = mask;
    }

    /// <summary>T.</summary>
    public int Steps { get; }

    /// <summary>U.</summary>
    public int Inputs { get; }

    /// <summary>O.</summary>
    public int Outputs { get; }

    /// <summary>[T, U].</summary>
    public float[] InputValues { get; }

    /// <summary>[T, O].</summary>
    public float[] Targets { get; }

    /// <summary>[T].</summary>
    public float[] Mask { get; }

    /// <summary>The trial's condition when its task has conditions (the reaching task: the target angle in degrees), else NaN.</summary>
    public double Condition { get; init; } = double.NaN;

    /// <summary>Whether some target is NaN: a missing entry, left out of the loss (masked mean squared error).</summary>
    public bool HasMissingTargets
    {
        get
        {
            foreach (float y in Targets)
            {
                if (float.IsNaN(y))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// The weight of the trial's squared errors in a mean: Σ_t mask_t · (targets observed at step t), which is
    /// O · <see cref="MaskSum"/> when no target is missing (computed so, to keep that case's rounding).
    /// </summary>
    public double WeightedEntries()
    {
        if (!HasMissingTargets)
        {
            return MaskSum() * Outputs;
        }

        double sum = 0;
        for (int t = 0; t < Steps; t++)
        {
            int observed = 0;
            for (int k = 0; k < Outputs; k++)
            {
                observed += float.IsNaN(Targets[t * Outputs + k]) ? 0 : 1;
            }

            sum += Mask[t] * observed;
        }

        return sum;
    }

    /// <summary>Σ_t mask_t.</summary>
    public double MaskSum()
    {
        double sum = 0;
        foreach (float m in Mask)
        {
            sum += m;
        }

        return sum;
    }
}
