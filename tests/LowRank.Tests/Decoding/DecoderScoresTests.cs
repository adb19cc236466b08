using LowRank.Decoding;

namespace LowRank.Tests.Decoding;

public sealed class DecoderScoresTests
{
    [Fact]
    public void RSquaredAndCorrelationMatchHandComputedValues()
    {
        // Output 0: y = 1 2 3 4, ŷ = 1.5 2 2.5 4.5. ȳ = 2.5, SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5,
        // SS_res = 0.25 + 0 + 0.25 + 0.25 = 0.75 → R² = 0.85. mean ŷ = 2.625: Σ dy dŷ = 4.75, Σ dŷ² = 5.1875
        // → ρ = 4.75 / √(5 · 5.1875).
        // Output 1: y = 0 1 0 1, ŷ = 1 0 1 0. SS_tot = 1, SS_res = 4 → R² = −3 (worse than the mean); ρ = −1.
        double[] truth = [1, 0, 2, 1, 3, 0, 4, 1];
        double[] predicted = [1.5, 1, 2, 0, 2.5, 1, 4.5, 0];
        DecoderScores scores = DecoderScores.Score(truth, predicted, outputs: 2, features: 3);
        Assert.Equal(0.85, scores.R2[0], 14);
        Assert.Equal(4.75 / Math.Sqrt(5 * 5.1875), scores.Correlation[0], 14);
        Assert.Equal(-3, scores.R2[1], 14);
        Assert.Equal(-1, scores.Correlation[1], 14);
        Assert.Equal((0.85 - 3) / 2, scores.MeanR2, 14);
        Assert.Equal(3, scores.Features);
        Assert.Same(predicted, scores.Predicted);
    }

    [Fact]
    public void PredictingTheTestMeanScoresZeroAndAConstantPredictionHasNoCorrelation()
    {
        double[] truth = [1, 3, 2, 6];
        DecoderScores scores = DecoderScores.Score(truth, [3, 3, 3, 3], outputs: 1, features: 1);
        Assert.Equal(0, scores.R2[0], 14);
        Assert.True(double.IsNaN(scores.Correlation[0]));
    }
}
