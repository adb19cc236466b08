using LowRank.RateNetworks;
using LowRank.Tasks;
using static LowRank.InputException;

namespace LowRank.Populations;

/// <summary>
/// Starting populations built from a known mechanism rather than at random, for tasks whose training from a generic
/// start stalls on a plateau (<c>populations train --start</c>).
/// </summary>
public static class DesignedStarts
{
    /// <summary>The generic start of <see cref="MixtureParameters.Initial"/>.</summary>
    public const string Generic = "generic";

    /// <summary>Rank-2, two-population delayed match-to-sample by input-gated populations (<see cref="DmsGating"/>).</summary>
    public const string DmsGatingName = "dms-gating";

    public static IReadOnlyList<string> Names { get; } = [Generic, DmsGatingName];

    /// <summary>The designed populations called <paramref name="name"/> (null for <see cref="Generic"/>), checked against the run's task, rank and P.</summary>
    public static PopulationModel? Create(string name, string task, int rank, int components) => name switch
    {
        Generic => null,
        DmsGatingName when task == "dms" && rank == 2 && components == 2 => DmsGating(),
        DmsGatingName => throw new InputException(
            $"{Ref("Start")} {DmsGatingName} is a rank-2, two-population start for the dms task, not {Ref("Task")} {task} {Ref("Rank")} {rank} {Ref("Components")} {components}.",
            $"pass {Ref("Task")} dms {Ref("Rank")} 2 {Ref("Components")} 2 with it, or use {Ref("Start")} generic."),
        _ => throw new InputException($"unknown {Ref("Start")} '{name}'.", $"use one of: {string.Join(", ", Names)}."),
    };

    /// <summary>
    /// Delayed match-to-sample by two input-gated populations, loadings (m1, m2, n1, n2, w_A, w_B, w_out), zero means.
    /// </summary>
    /// <remarks>
    /// Each population's loadings are ℓ = A z with z ~ N(0, I) (Σ = A Aᵀ); every loading also has its own ε z term.
    /// <code>
    /// m1 = z1,  m2 = z2,  n1 = s1 z1 ± c z_{A|B},  n2 = s2 z2 ± g z1,  w_out = k z2
    /// population 1: w_A = z_A,  w_B = G z_B,  n1 = s1 z1 + c z_A,  n2 = s2 z2 + g z1     (silenced while B is on)
    /// population 2: w_A = G z_A,  w_B = z_B,  n1 = s1 z1 − c z_B,  n2 = s2 z2 − g z1     (silenced while A is on)
    /// </code>
    /// A stimulus whose loadings have the large spread G drives the population's pre-activations far into saturation,
    /// so its gain ⟨φ'⟩ collapses: each stimulus switches one population off. Then, in the mean field:
    /// κ1 is bistable (s1) and the first stimulus sets its sign (+ for A through σ_{n1 w_A} = c, − for B);
    /// κ2 is bistable (s2) and is driven by +g κ1 while A is on and −g κ1 while B is on, so the second stimulus leaves
    /// κ2 at sign(κ1) for A and −sign(κ1) for B: + on a match, − otherwise (the first stimulus always leaves κ2 at +);
    /// the readout is σ_{w_out m2} = k. With π = (½, ½) neither population alone solves the task.
    /// Values: s1 = 4, s2 = 3, c = 0.5, g = 8, G = 20, k = 2, ε = 0.1 (mean field: every condition correct for delays of
    /// 500 to 3000 ms).
    /// </remarks>
    public static PopulationModel DmsGating()
    {
        const double s1 = 4, s2 = 3, c = 0.5, g = 8, gate = 20, k = 2, epsilon = 0.1;
        const int dimension = 7; // m1, m2, n1, n2, w_A, w_B, w_out
        const int m1 = 0, m2 = 1, n1 = 2, n2 = 3, wA = 4, wB = 5, wOut = 6;
        const int z1 = 0, z2 = 1, zA = 2, zB = 3, factors = 4 + dimension;
        double[][] Covariance(int population)
        {
            double sign = population == 0 ? 1 : -1;
            var a = new double[dimension, factors];
            a[m1, z1] = 1;
            a[m2, z2] = 1;
            a[wA, zA] = population == 0 ? 1 : gate;
            a[wB, zB] = population == 0 ? gate : 1;
            a[n1, z1] = s1;
            a[n1, population == 0 ? zA : zB] = sign * c;
            a[n2, z2] = s2;
            a[n2, z1] = sign * g;
            a[wOut, z2] = k;
            for (int d = 0; d < dimension; d++)
            {
                a[d, 4 + d] = epsilon;
            }

            var covariance = new double[dimension][];
            for (int i = 0; i < dimension; i++)
            {
                covariance[i] = new double[dimension];
                for (int j = 0; j < dimension; j++)
                {
                    for (int f = 0; f < factors; f++)
                    {
                        covariance[i][j] += a[i, f] * a[j, f];
                    }
                }
            }

            return covariance;
        }

        CognitiveTask task = CognitiveTask.Create("dms");
        return new PopulationModel(
            PopulationModel.CurrentFormatVersion,
            $"designed start {DmsGatingName}",
            "designed",
            0,
            MixtureParameters.LoadingNames(2, task.Inputs, task.Outputs),
            2,
            [0.5, 0.5],
            [new double[dimension], new double[dimension]],
            [Covariance(0), Covariance(1)],
            0,
            0,
            null,
            [0, 0],
            0,
            0,
            0,
            new LintSourceNetwork(task.Name, 2, task.Inputs, task.Outputs, CognitiveTask.Alpha, 0, ReadoutKind.Tanh));
    }
}
