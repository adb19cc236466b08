namespace LowRank.Data;

/// <summary>
/// One trial for a rate network: inputs, targets and a loss mask over its own number of steps.
/// </summary>
/// <remarks>
/// Shapes (row-major): <c>Inputs</c> [T, U], <c>Targets</c> [T, O] (O = outputs, or observed units when
/// fitting trajectories), <c>Mask</c> [T] (weight of each step in the loss; 0 outside the response period).
/// </remarks>
public sealed class Trial
{
    public Trial(int steps, int inputs, int outputs, float[] inputValues, float[] targets, float[] mask)
    {
        if (steps < 1)
        {
            throw new ArgumentException($"a trial needs at least one step, got {steps}.", nameof(steps));
        }

        if (inputValues.Length != steps * inputs || targets.Length != steps * outputs || mask.Length != steps)
        {
            throw new ArgumentException(
                $"trial arrays disagree with T={steps}, U={inputs}, O={outputs}: inputs {inputValues.Length}, targets {targets.Length}, mask {mask.Length}.");
        }

        Steps = steps;
        InputCount = inputs;
        OutputCount = outputs;
        Inputs = inputValues;
        Targets = targets;
        Mask = mask;
    }

    /// <summary>T.</summary>
    public int Steps { get; }

    /// <summary>U.</summary>
    public int InputCount { get; }

    /// <summary>O.</summary>
    public int OutputCount { get; }

    /// <summary>[T, U].</summary>
    public float[] Inputs { get; }

    /// <summary>[T, O].</summary>
    public float[] Targets { get; }

    /// <summary>[T].</summary>
    public float[] Mask { get; }

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
