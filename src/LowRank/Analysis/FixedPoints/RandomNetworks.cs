using LowRank.Numerics;

namespace LowRank.Analysis.FixedPoints;

/// <summary>Random piecewise-linear low-rank maps for benchmarks and tests.</summary>
public static class RandomNetworks
{
    /// <summary>
    /// A self-exciting network with saturating units, which has several fixed points:
    /// <c>m_i ~ N(0, I_R)</c>, <c>ñ_i = 4 (gain m_i + ξ_i) / N</c> with <c>ξ_i ~ N(0, noise² I_R)</c>, so that
    /// <c>Ñ D M ≈ 4·gain·(fraction active)·I</c>. Clipped relu saturates by itself; for relu, units come in
    /// pairs (i, i+1) with the same m, thresholds h and h + 1 and opposite ñ, a saturating ramp.
    /// Thresholds and input currents are random. Draws from <c>Rng.Create(seed, 0)</c>.
    /// </summary>
    public static PiecewiseLinearMap SelfExciting(int units, int rank, PiecewiseActivation activation, long seed, double gain = 1.0, double noise = 0.3, double decay = 0.9)
    {
        var rng = Rng.Create(seed, 0);
        var m = new double[units * rank];
        var n = new double[rank * units];
        var h = new double[units];
        var c = new double[units];
        rng.FillGaussian(m);
        bool relu = activation == PiecewiseActivation.Relu;
        for (int i = 0; i < units; i++)
        {
            bool partner = relu && i % 2 == 1;
            for (int r = 0; r < rank; r++)
            {
                if (partner)
                {
                    // Same direction as unit i − 1, opposite (slightly perturbed) output: saturation.
                    m[i * rank + r] = m[(i - 1) * rank + r];
                    n[r * units + i] = -n[r * units + i - 1] * (1 + 0.1 * rng.NextGaussian());
                }
                else
                {
                    n[r * units + i] = 4 * (gain * m[i * rank + r] + noise * rng.NextGaussian()) / units;
                }
            }

            h[i] = partner ? h[i - 1] + 1 : relu ? 0.5 * rng.NextGaussian() : rng.NextUniform(0.5, 1.5);
            c[i] = partner ? c[i - 1] : 0.3 * rng.NextGaussian();
        }

        return new PiecewiseLinearMap(m, n, h, c, decay, activation, units, rank);
    }
}
