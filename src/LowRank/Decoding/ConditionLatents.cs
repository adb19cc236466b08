using LowRank.Formats;

namespace LowRank.Decoding;

/// <summary>
/// The condition-mean latent trajectories, in at most two dimensions for a figure: the latents themselves when R ≤ 2, else
/// their projection on the first two principal components of all condition means together.
/// </summary>
/// <param name="Dimensions">D = min(R, 2).</param>
/// <param name="AxisNames">The name of each dimension [D]: <c>z1</c>, <c>z2</c> or <c>PC1</c>, <c>PC2</c>.</param>
/// <param name="Trajectories">Per condition, the mean trajectory [T, D].</param>
/// <param name="ExplainedFraction">The share of the condition means' variance the two components explain (null when R ≤ 2).</param>
public sealed record ConditionLatents(int Dimensions, IReadOnlyList<string> AxisNames, IReadOnlyList<double[]> Trajectories, double? ExplainedFraction)
{
    /// <summary>
    /// The mean over each condition's trials (<paramref name="conditionTrials"/>, per condition) of <paramref name="latents"/>
    /// [S, T, R], reduced to D = min(R, 2) dimensions; a <paramref name="latents"/> of another shape than [S, T, R] with the
    /// given S and T is an <see cref="InputException"/> naming <paramref name="source"/>.
    /// </summary>
    public static ConditionLatents Of(NdArray latents, int trials, int steps, IReadOnlyList<int[]> conditionTrials, string source)
    {
        ArgumentNullException.ThrowIfNull(latents);
        ArgumentNullException.ThrowIfNull(conditionTrials);
        int[] shape = latents.Shape;
        if (shape.Length != 3 || shape[0] != trials || shape[1] != steps || shape[2] < 1)
        {
            throw new InputException(
                $"latents of {source} has shape {NdArray.FormatShape(shape)} but its samples have {trials} trials of {steps} steps; expected [{trials}, {steps}, R].",
                "pass the file generation wrote, whose latents [trials, T, R] belong to its samples.");
        }

        int rank = shape[2];
        int dimensions = Math.Min(rank, 2);
        var means = new double[conditionTrials.Count * steps * rank]; // [C, T, R]
        for (int c = 0; c < conditionTrials.Count; c++)
        {
            Span<double> mean = means.AsSpan(c * steps * rank, steps * rank);
            foreach (int s in conditionTrials[c])
            {
                ReadOnlySpan<double> trial = latents.Data.AsSpan(s * steps * rank, steps * rank);
                for (int i = 0; i < trial.Length; i++)
                {
                    mean[i] += trial[i] / conditionTrials[c].Length;
                }
            }
        }

        if (rank <= 2)
        {
            string[] names = rank == 1 ? ["z1"] : ["z1", "z2"];
            return new ConditionLatents(dimensions, names, Split(means, conditionTrials.Count, steps * rank), null);
        }

        var components = PrincipalComponents.Fit(means, rank, 2);
        double[] projected = components.Project(means); // [C·T, 2]
        return new ConditionLatents(2, ["PC1", "PC2"], Split(projected, conditionTrials.Count, steps * 2), components.ExplainedFraction);
    }

    private static double[][] Split(double[] values, int count, int size) =>
        [.. Enumerable.Range(0, count).Select(c => values.AsSpan(c * size, size).ToArray())];
}
