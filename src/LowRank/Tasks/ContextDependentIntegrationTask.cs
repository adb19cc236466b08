using LowRank.Data;
using LowRank.Numerics;

namespace LowRank.Tasks;

/// <summary>
/// Context-dependent integration (CDI): two noisy sensory inputs, two context cues; report the sign of
/// the coherence of the cued input.
/// </summary>
/// <remarks>
/// Inputs (U = 4): 0, 1 sensory (coherence c_k ∈ {±1, ±2, ±4}·0.1 during the stimulus, noise sd 0.1 on
/// every step), 2, 3 context (noise-free; 0.1 on the cued one from the end of fixation to the start of
/// the response), as in the published task. Epochs: fixation 100 ms, context only 350, stimulus 800,
/// delay 100, response 20, in whole steps of 20 ms (5, 17, 40, 5, 1: 68 steps). Target sign(c_cued)
/// during the response, where the mask is 1.
/// </remarks>
public sealed class ContextDependentIntegrationTask : CognitiveTask
{
    public static readonly double[] Coherences = [-0.4, -0.2, -0.1, 0.1, 0.2, 0.4];

    public const double NoiseStd = 0.1;

    public const double ContextAmplitude = 0.1;

    public static readonly int FixationSteps = Steps(100);
    public static readonly int ContextSteps = Steps(350);
    public static readonly int StimulusSteps = Steps(800);
    public static readonly int DelaySteps = Steps(100);
    public static readonly int ResponseSteps = Steps(20);

    public override string Name => "cdi";

    public override int Inputs => 4;

    public static int TotalSteps => FixationSteps + ContextSteps + StimulusSteps + DelaySteps + ResponseSteps;

    public override Trial Generate(long seed, long index)
    {
        Rng rng = Rng.Create(seed, index);
        double coherence0 = Coherences[rng.NextInt(Coherences.Length)];
        double coherence1 = Coherences[rng.NextInt(Coherences.Length)];
        int context = rng.NextInt(2);
        int steps = TotalSteps;
        (float[] inputs, float[] targets, float[] mask) = Allocate(steps, Inputs, NoiseStd, rng, noisyChannels: 2);
        int stimulusStart = FixationSteps + ContextSteps;
        int stimulusEnd = stimulusStart + StimulusSteps;
        int responseStart = stimulusEnd + DelaySteps;
        AddInput(inputs, Inputs, 0, stimulusStart, stimulusEnd, coherence0);
        AddInput(inputs, Inputs, 1, stimulusStart, stimulusEnd, coherence1);
        AddInput(inputs, Inputs, 2 + context, FixationSteps, responseStart, ContextAmplitude);
        SetResponse(targets, mask, responseStart, steps, Math.Sign(context == 0 ? coherence0 : coherence1));
        return new Trial(steps, Inputs, Outputs, inputs, targets, mask);
    }
}
