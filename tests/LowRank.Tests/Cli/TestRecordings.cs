using LowRank.Numerics;

namespace LowRank.Tests.Cli;

/// <summary>Small recordings the command tests fit and score.</summary>
internal static class TestRecordings
{
    /// <summary>A noisy 3-channel oscillation [300, 3] (period 25 steps, phase c on channel c, noise sd 0.2, seed 12).</summary>
    public static double[] NoisyOscillation()
    {
        Rng rng = Rng.Create(12);
        var values = new double[300 * 3];
        for (int t = 0; t < 300; t++)
        {
            for (int c = 0; c < 3; c++)
            {
                values[t * 3 + c] = Math.Sin(2 * Math.PI * t / 25 + c) + 0.2 * rng.NextGaussian();
            }
        }

        return values;
    }
}
