using LowRank.Data;
using LowRank.Numerics;
using LowRank.RateNetworks;
using MathNet.Numerics.LinearAlgebra;
using static LowRank.InputException;

namespace LowRank.Analysis;

/// <summary>Connectivity overlaps of a low-rank network (docs/lint.md, "lowrank lint analyze").</summary>
/// <param name="NM">σ_nm [R, R]: σ_nm[r, s] = ñ_r · m_s / N.</param>
/// <param name="NI">σ_nI [R, U]: σ_nI[r, c] = ñ_r · w_in,c / N.</param>
/// <param name="MI">σ_mI [R, U]: σ_mI[r, c] = m_r · w_in,c / N.</param>
/// <param name="MW">σ_mw [R, O]: σ_mw[r, k] = m_r · w_out,k / N.</param>
public sealed record ConnectivityOverlaps(double[][] NM, double[][] NI, double[][] MI, double[][] MW);

/// <summary>
/// Latent analysis of a low-rank rate network: κ(t) and connectivity overlaps. The κ dynamics, their flow and fixed
/// points are <see cref="FixedPoints.RateNetworkLatentMap"/> and <see cref="FixedPoints.RateNetworkFixedPoints"/>.
/// </summary>
/// <remarks>
/// κ(t) of a simulated trial is the least-squares projection of x_t on M: κ = (MᵀM)⁻¹ Mᵀ x_t.
/// </remarks>
public static class LatentAnalysis
{
    public static ConnectivityOverlaps Overlaps(RateNetwork network)
    {
        RequireLowRank(network);
        RateNetworkSpec spec = network.Spec;
        RateNetworkLayout layout = network.Layout;
        ReadOnlySpan<double> m = layout.M.Of<double>(network.Theta);
        ReadOnlySpan<double> nt = layout.NTilde.Of<double>(network.Theta);
        ReadOnlySpan<double> wIn = layout.InputWeights.Of<double>(network.Theta);
        ReadOnlySpan<double> wOut = layout.OutputWeights.Of<double>(network.Theta);
        return new ConnectivityOverlaps(
            Overlap(nt, m, spec.Rank, spec.Rank, spec.Units),
            Overlap(nt, wIn, spec.Rank, spec.Inputs, spec.Units),
            Overlap(m, wIn, spec.Rank, spec.Inputs, spec.Units),
            Overlap(m, wOut, spec.Rank, spec.Outputs, spec.Units));
    }

    /// <summary>
    /// κ(t) [T + 1, R] of each trial's states x_0 … x_T (noise-free simulation). The trials' targets are not used; a
    /// network without a readout (O = 0, fitted to recordings) is run with unit 0 as its one output, so its trials
    /// carry one output.
    /// </summary>
    public static double[][] Kappa(RateNetwork network, IReadOnlyList<Trial> trials, int threads)
    {
        RequireLowRank(network);
        int n = network.Spec.Units;
        int rank = network.Spec.Rank;
        double[,] loadings = network.LeftVectors(); // [N, R]
        Matrix<double> mMat = Matrix<double>.Build.DenseOfArray(loadings);
        Matrix<double> projector = (mMat.TransposeThisAndMultiply(mMat)).Inverse() * mMat.Transpose(); // [R, N]
        var result = new double[trials.Count][];
        RateNetwork quiet = network.WithSpec(network.Spec with { NoiseStd = 0 });
        int[] observed = network.Spec.Outputs == 0 ? [0] : [];
        RateNetworkRunner.Run(quiet.Layout, quiet.Theta, trials, observed, 0, 0, threads, (i, workspace) =>
        {
            int steps = trials[i].Steps + 1;
            var kappa = new double[steps * rank];
            for (int t = 0; t < steps; t++)
            {
                for (int r = 0; r < rank; r++)
                {
                    double sum = 0;
                    for (int k = 0; k < n; k++)
                    {
                        sum += projector[r, k] * workspace.States[t * n + k];
                    }

                    kappa[t * rank + r] = sum;
                }
            }

            result[i] = kappa;
        });
        return result;
    }

    private static double[][] Overlap(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int rowsA, int rowsB, int n)
    {
        // σ_ab = A Bᵀ / N: A [rowsA, N], B [rowsB, N].
        var product = new double[rowsA * rowsB];
        SmallMatrix.MultiplyTransposed(a, b, rowsA, n, rowsB, product);
        var result = new double[rowsA][];
        for (int r = 0; r < rowsA; r++)
        {
            result[r] = new double[rowsB];
            for (int s = 0; s < rowsB; s++)
            {
                result[r][s] = product[r * rowsB + s] / n;
            }
        }

        return result;
    }

    /// <summary>Throws <see cref="InputException"/> for a full-rank network.</summary>
    internal static void RequireLowRank(RateNetwork network)
    {
        if (network.Spec.IsFullRank)
        {
            throw new InputException(
                "latent analysis needs a low-rank network; this model is full rank.",
                $"fit a low-rank network to it first with 'lowrank lint fit {Ref("Teacher")} DIR {Ref("Rank")} R'.");
        }
    }
}
