namespace LowRank.Decoding;

/// <summary>The decoders of one behaviour, fitted on the training part and scored on the test part (docs/decoding.md).</summary>
/// <param name="TrainSteps">Steps of the training part (the first ones).</param>
/// <param name="TestSteps">Steps of the test part (the rest).</param>
/// <param name="Outputs">B, the behaviour's outputs.</param>
/// <param name="TestBehaviour">The true behaviour on the test part [T_test, B].</param>
/// <param name="Latents">The decoder of the posterior latent means.</param>
/// <param name="Smoothed">The decoder of the smoothed spike counts (null without counts).</param>
/// <param name="Pca">The decoder of their leading R principal components (null without counts).</param>
/// <param name="PcaExplainedFraction">The fraction of the training part's smoothed-count variance those components explain.</param>
public sealed record DecodingResult(
    int TrainSteps,
    int TestSteps,
    int Outputs,
    double[] TestBehaviour,
    DecoderScores Latents,
    DecoderScores? Smoothed,
    DecoderScores? Pca,
    double? PcaExplainedFraction);
