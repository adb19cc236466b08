using LowRank.Data;
using LowRank.Numerics;

namespace LowRank.Tasks;

/// <summary>
/// Delayed match-to-sample (DMS): two stimuli (A or B) separated by a variable delay; respond +1 when
/// they match, −1 otherwise.
/// </summary>
/// <remarks>
/// Inputs (U = 2): one-hot A/B with amplitude 1 during each stimulus, noise sd 0.03 on every step.
/// Epochs: fixation 100 ms, stimulus 500, delay uniform on 500–3000 (whole steps), stimulus 500,
/// response 1000 (masked).
/// </remarks>
public sealed class DelayedMatchToSampleTask : CognitiveTask
{
    public const double NoiseStd = 0.03;

    public static readonly int FixationSteps = Steps(100);
    public static readonly int StimulusSteps = Steps(500);
    public static readonly int MinDelaySteps = Steps(500);
    public static readonly int MaxDelaySteps = Steps(3000);
    public static readonly int ResponseSteps = Steps(1000);

    public override string Name => "dms";

    public override int Inputs => 2;

    public override Trial Generate(long seed, long index)
    {
        Rng rng = Rng.Create(seed, index);
        int first = rng.NextInt(2);
        int second = rng.NextInt(2);
        int delay = MinDelaySteps + rng.NextInt(MaxDelaySteps - MinDelaySteps + 1);
        int steps = FixationSteps + 2 * StimulusSteps + delay + ResponseSteps;
        (float[] inputs, float[] targets, float[] mask) = Allocate(steps, Inputs, NoiseStd, rng);
        int secondStart = FixationSteps + StimulusSteps + delay;
        AddInput(inputs, Inputs, first, FixationSteps, FixationSteps + StimulusSteps, 1.0);
        AddInput(inputs, Inputs, second, secondStart, secondStart + StimulusSteps, 1.0);
        SetResponse(targets, mask, secondStart + StimulusSteps, steps, first == second ? 1.0 : -1.0);
        return new Trial(steps, Inputs, Outputs, inputs, targets, mask);
    }
}
