using LowRank.Numerics;
using LowRank.RateNetworks;
using static LowRank.InputException;

namespace LowRank.Populations;

/// <summary>Builds LINT networks of any size by drawing each unit's loadings from fitted populations.</summary>
/// <remarks>
/// Units are i.i.d.: population p with probability π_p, then ℓ_i ~ N(μ_p, Σ_p). Resample k of seed s draws
/// only from <c>Rng.Create(s, k)</c>. J = M Ñᵀ / N, the readout divides by N and inputs act per unit, so a
/// network of any N has the same large-N dynamics; b and x0 are zero unless they are loadings.
/// </remarks>
public static class NetworkResampler
{
    /// <summary>Resample <paramref name="stream"/> of <paramref name="seed"/>: the network and each unit's population [N].</summary>
    public static (RateNetwork Network, int[] Labels) Resample(PopulationModel populations, int units, long seed, long stream = 0)
    {
        ArgumentNullException.ThrowIfNull(populations);
        if (units < 1)
        {
            throw new InputException($"{Ref("Units")} must be at least 1, got {units}.", $"pass {Ref("Units")} N with N ≥ 1.");
        }

        LintSourceNetwork source = MeanFieldDynamics.RequireLint(populations);
        (double[] points, int[] labels) = populations.ToMixture().Sample(Rng.Create(seed, stream), units);
        return (UnitLoadings.BuildNetwork(source, populations.LoadingNames, points, units), labels);
    }

    /// <summary>
    /// A reference without any population model: N units drawn with replacement from the source's own loading
    /// vectors (stream <paramref name="stream"/> of <paramref name="seed"/>). Its large-N accuracy bounds what any
    /// i.i.d. description of the loadings can reach; if it is low, the source relies on its finite-size realisation.
    /// </summary>
    public static RateNetwork Bootstrap(UnitLoadings loadings, int units, long seed, long stream = 0)
    {
        ArgumentNullException.ThrowIfNull(loadings);
        LintSourceNetwork source = loadings.Lint ?? throw new InputException(
            $"bootstrap networks need a LINT source; this one is a {loadings.SourceKind} model.",
            "fit populations to a LINT network.");
        if (units < 1)
        {
            throw new InputException($"{Ref("Units")} must be at least 1, got {units}.", $"pass {Ref("Units")} N with N ≥ 1.");
        }

        Rng rng = Rng.Create(seed, stream);
        int dimension = loadings.Dimension;
        var values = new double[units * dimension];
        for (int i = 0; i < units; i++)
        {
            int unit = rng.NextInt(loadings.Units);
            Array.Copy(loadings.Values, unit * dimension, values, i * dimension, dimension);
        }

        return UnitLoadings.BuildNetwork(source, loadings.Names, values, units);
    }

    /// <summary>Writes <paramref name="network"/> as a LINT model directory that <c>lowrank task eval</c> reads.</summary>
    public static void Save(string directory, RateNetwork network, PopulationModel populations)
    {
        ArgumentNullException.ThrowIfNull(populations);
        RateNetworkStore.Save(directory, network, MeanFieldDynamics.RequireLint(populations).Task, null);
    }
}

/// <summary>Silencing a population: its units keep their state but no longer feed the recurrence or the readout.</summary>
public static class PopulationInactivation
{
    /// <summary>A copy of <paramref name="network"/> with ñ_i = 0 and w_out,i = 0 for every unit i of population <paramref name="population"/>.</summary>
    public static RateNetwork Silence(RateNetwork network, IReadOnlyList<int> labels, int population)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(labels);
        int n = network.Spec.Units;
        if (labels.Count != n)
        {
            throw new ArgumentException($"labels has {labels.Count} entries, the network {n} units.", nameof(labels));
        }

        RateNetwork copy = network.WithSpec(network.Spec);
        RateNetworkLayout layout = copy.Layout;
        Span<double> nTilde = layout.NTilde.Of<double>(copy.Theta); // [R, N]
        Span<double> wOut = layout.OutputWeights.Of<double>(copy.Theta); // [O, N]
        for (int i = 0; i < n; i++)
        {
            if (labels[i] != population)
            {
                continue;
            }

            for (int r = 0; r < layout.NTilde.Rows; r++)
            {
                nTilde[r * n + i] = 0;
            }

            for (int o = 0; o < layout.OutputWeights.Rows; o++)
            {
                wOut[o * n + i] = 0;
            }
        }

        return copy;
    }
}
