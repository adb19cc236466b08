using System.Runtime.CompilerServices;

namespace LowRank.Smc;

/// <summary>Normalisation of log-weights with a max-shifted log-sum-exp.</summary>
internal static class LogWeights
{
    /// <summary>
    /// Returns <c>logsumexp(logWeights)</c> and writes the normalised weights
    /// <c>weights[k] = exp(logWeights[k] − logsumexp)</c>.
    /// </summary>
    /// <remarks>
    /// The largest log-weight is subtracted before exponentiating, so nothing overflows. A −∞
    /// log-weight gets weight 0. If every log-weight is −∞ the result is −∞ and the weights are 0;
    /// if any log-weight is NaN (or +∞) the result is NaN and the weights are NaN.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Normalize(ReadOnlySpan<double> logWeights, Span<double> weights)
    {
        if (weights.Length != logWeights.Length)
        {
            throw new ArgumentException($"weights ({weights.Length}) must match log-weights ({logWeights.Length}).", nameof(weights));
        }

        double max = double.NegativeInfinity;
        for (int k = 0; k < logWeights.Length; k++)
        {
            double value = logWeights[k];
            if (double.IsNaN(value) || double.IsPositiveInfinity(value))
            {
                weights.Fill(double.NaN);
                return double.NaN;
            }

            max = Math.Max(max, value);
        }

        if (double.IsNegativeInfinity(max))
        {
            weights.Clear();
            return double.NegativeInfinity;
        }

        double sum = 0;
        for (int k = 0; k < logWeights.Length; k++)
        {
            double w = Math.Exp(logWeights[k] - max);
            weights[k] = w;
            sum += w;
        }

        double inverse = 1 / sum;
        for (int k = 0; k < weights.Length; k++)
        {
            weights[k] *= inverse;
        }

        return max + Math.Log(sum);
    }
}
