using LowRank.Data;
using LowRank.Numerics;

namespace LowRank.RateNetworks;

/// <summary>
/// Runs a rate network forward on many trials in parallel (float32). Trial i's noise comes from
/// <c>Rng.Create(noiseSeed, noiseStream + i)</c>, so results do not depend on the thread count.
/// </summary>
internal static class RateNetworkRunner
{
    /// <summary>
    /// Runs every trial and calls <paramref name="visit"/> with its index and the workspace holding its
    /// states and outputs. <paramref name="visit"/> runs on worker threads: it must write only to
    /// trial-indexed storage. Returns the per-trial unscaled masked squared errors.
    /// </summary>
    public static double[] Run(
        RateNetworkLayout layout,
        ReadOnlySpan<double> theta,
        IReadOnlyList<Trial> trials,
        int[] observed,
        long noiseSeed,
        long noiseStream,
        int threads,
        Action<int, RateNetworkWorkspace<float>>? visit = null)
    {
        float[] thetaF = ToSingle(theta);
        var losses = new double[trials.Count];
        int maxSteps = MaxSteps(trials);
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        Parallel.For(
            0,
            trials.Count,
            options,
            () => new RateNetworkWorkspace<float>(layout.Spec, observed.Length, maxSteps),
            (i, _, workspace) =>
            {
                Rng? noise = layout.Spec.NoiseStd > 0 ? Rng.Create(noiseSeed, noiseStream + i) : null;
                losses[i] = RateNetworkKernel<float>.Forward(layout, thetaF, trials[i], observed, noise, workspace, 1f);
                visit?.Invoke(i, workspace);
                return workspace;
            },
            _ => { });
        return losses;
    }

    /// <summary>θ converted to float32.</summary>
    public static float[] ToSingle(ReadOnlySpan<double> theta)
    {
        var result = new float[theta.Length];
        for (int i = 0; i < theta.Length; i++)
        {
            result[i] = (float)theta[i];
        }

        return result;
    }

    internal static int MaxSteps(IReadOnlyList<Trial> trials)
    {
        int max = 1;
        foreach (Trial trial in trials)
        {
            max = Math.Max(max, trial.Steps);
        }

        return max;
    }
}
