using LowRank.Numerics;

namespace LowRank.Decoding;

/// <summary>How well one decoder predicts the behaviour on the test part (docs/decoding.md).</summary>
/// <param name="Features">Features F the decoder read.</param>
/// <param name="R2">R²_b = 1 − SS_res,b / SS_tot,b per output [B], SS_tot about the test part's own mean.</param>
/// <param name="Correlation">Pearson's correlation of the decoded and true output on the test part, per output [B] (NaN for a constant prediction).</param>
/// <param name="Predicted">The decoded behaviour on the test part [T_test, B].</param>
public sealed record DecoderScores(int Features, double[] R2, double[] Correlation, double[] Predicted)
{
    /// <summary>The mean of <see cref="R2"/> over the outputs.</summary>
    public double MeanR2 => R2.Average();

    /// <summary>The mean of <see cref="Correlation"/> over the outputs.</summary>
    public double MeanCorrelation => Correlation.Average();

    /// <summary>Scores <paramref name="predicted"/> against <paramref name="truth"/> (both [T, B], row-major).</summary>
    /// <remarks>
    /// <c>R²_b = 1 − Σ_t (y_tb − ŷ_tb)² / Σ_t (y_tb − ȳ_b)²</c> with ȳ_b the mean of the scored steps, so predicting that mean
    /// scores 0 and a worse prediction scores below 0; <c>ρ_b</c> is Pearson's correlation of y_·b and ŷ_·b.
    /// </remarks>
    public static DecoderScores Score(ReadOnlySpan<double> truth, double[] predicted, int outputs, int features)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        int steps = truth.Length / outputs;
        if (steps < 2 || truth.Length != steps * outputs || predicted.Length != truth.Length)
        {
            throw new ArgumentException(
                $"truth holds {truth.Length} and predictions {predicted.Length} values; expected both [T, {outputs}] with T ≥ 2.", nameof(predicted));
        }

        var r2 = new double[outputs];
        var correlation = new double[outputs];
        var y = new double[steps];
        var yHat = new double[steps];
        for (int b = 0; b < outputs; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                y[t] = truth[(t * outputs) + b];
                yHat[t] = predicted[(t * outputs) + b];
            }

            double mean = Statistics.Mean(y), residual = 0, total = 0;
            for (int t = 0; t < steps; t++)
            {
                residual += (y[t] - yHat[t]) * (y[t] - yHat[t]);
                total += (y[t] - mean) * (y[t] - mean);
            }

            r2[b] = 1 - (residual / total);
            correlation[b] = Statistics.Correlation(y, yHat);
        }

        return new DecoderScores(features, r2, correlation, predicted);
    }
}
