using LowRank.Data;
using LowRank.Numerics;

namespace LowRank.Tasks;

/// <summary>
/// Parametric working memory (Romo): compare two vibration frequencies f1, f2 separated by a delay;
/// the graded target is (f1 − f2)/f_span.
/// </summary>
/// <remarks>
/// Input (U = 1): (f − f_mid)/f_span during each 100 ms stimulus, noise sd 0.01 on every step, with
/// f in 10–34 Hz (f_mid = 22, f_span = 24) and f2 = f1 + Δ, Δ ∈ {±8, ±16, ±24}, both in range.
/// Epochs: fixation 100 ms, f1 100, delay uniform on 500–2000, f2 100, response 100 (masked).
/// </remarks>
public sealed class ParametricWorkingMemoryTask : CognitiveTask
{
    public const double NoiseStd = 0.01;
    public const double MinFrequency = 10;
    public const double MaxFrequency = 34;
    public const double MidFrequency = (MinFrequency + MaxFrequency) / 2;
    public const double FrequencySpan = MaxFrequency - MinFrequency;

    public static readonly double[] Differences = [-24, -16, -8, 8, 16, 24];

    public static readonly int FixationSteps = Steps(100);
    public static readonly int StimulusSteps = Steps(100);
    public static readonly int MinDelaySteps = Steps(500);
    public static readonly int MaxDelaySteps = Steps(2000);
    public static readonly int ResponseSteps = Steps(100);

    public override string Name => "romo";

    public override int Inputs => 1;

    public override Trial Generate(long seed, long index)
    {
        Rng rng = Rng.Create(seed, index);
        double difference = Differences[rng.NextInt(Differences.Length)];
        // f1 uniform on the range that keeps f2 = f1 + Δ inside [10, 34].
        double low = Math.Max(MinFrequency, MinFrequency - difference);
        double high = Math.Min(MaxFrequency, MaxFrequency - difference);
        double f1 = rng.NextUniform(low, high);
        double f2 = f1 + difference;
        int delay = MinDelaySteps + rng.NextInt(MaxDelaySteps - MinDelaySteps + 1);
        int steps = FixationSteps + 2 * StimulusSteps + delay + ResponseSteps;
        (float[] inputs, float[] targets, float[] mask) = Allocate(steps, Inputs, NoiseStd, rng);
        int secondStart = FixationSteps + StimulusSteps + delay;
        AddInput(inputs, Inputs, 0, FixationSteps, FixationSteps + StimulusSteps, (f1 - MidFrequency) / FrequencySpan);
        AddInput(inputs, Inputs, 0, secondStart, secondStart + StimulusSteps, (f2 - MidFrequency) / FrequencySpan);
        SetResponse(targets, mask, secondStart + StimulusSteps, steps, (f1 - f2) / FrequencySpan);
        return new Trial(steps, Inputs, Outputs, inputs, targets, mask);
    }
}
