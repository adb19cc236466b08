using LowRank.Data;
using LowRank.Numerics;

namespace LowRank.Tasks;

/// <summary>
/// Random-dot motion decision (RDM): integrate a noisy coherence input and report its sign.
/// </summary>
/// <remarks>
/// Input (U = 1): c·3.2/100 during the stimulus, c ∈ {±1, ±2, ±4, ±8, ±16}, noise sd 0.03 on every step.
/// Epochs: fixation 100 ms, stimulus 800, delay 300, response 300 (masked), target sign(c).
/// </remarks>
public sealed class RandomDotDecisionTask : CognitiveTask
{
    public const double NoiseStd = 0.03;
    public const double CoherenceScale = 3.2 / 100;

    public static readonly double[] Coherences = [-16, -8, -4, -2, -1, 1, 2, 4, 8, 16];

    public static readonly int FixationSteps = Steps(100);
    public static readonly int StimulusSteps = Steps(800);
    public static readonly int DelaySteps = Steps(300);
    public static readonly int ResponseSteps = Steps(300);

    public override string Name => "rdm";

    public override int Inputs => 1;

    public static int TotalSteps => FixationSteps + StimulusSteps + DelaySteps + ResponseSteps;

    public override Trial Generate(long seed, long index)
    {
        Rng rng = Rng.Create(seed, index);
        double coherence = Coherences[rng.NextInt(Coherences.Length)];
        int steps = TotalSteps;
        (float[] inputs, float[] targets, float[] mask) = Allocate(steps, Inputs, NoiseStd, rng);
        int stimulusEnd = FixationSteps + StimulusSteps;
        AddInput(inputs, Inputs, 0, FixationSteps, stimulusEnd, coherence * CoherenceScale);
        SetResponse(targets, mask, stimulusEnd + DelaySteps, steps, Math.Sign(coherence));
        return new Trial(steps, Inputs, Outputs, inputs, targets, mask);
    }
}
