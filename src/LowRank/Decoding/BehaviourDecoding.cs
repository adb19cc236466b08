using System.Globalization;
using static LowRank.InputException;

namespace LowRank.Decoding;

/// <summary>
/// Decodes a behaviour linearly from posterior latents and, with the same decoder and split, from two baselines read
/// off the spike counts (docs/decoding.md).
/// </summary>
/// <remarks>
/// The first T_train = T − round((1 − f)·T) steps train, the remaining T_test steps test (f = <see cref="DecodingOptions.TrainFraction"/>;
/// the split a fit holding out 1 − f makes). Three feature sets, each decoded by a <see cref="RidgeDecoder"/> fitted on the training
/// part and scored (<see cref="DecoderScores.Score"/>) on the test part:
/// <list type="number">
/// <item>latents: the posterior latent means [T, R];</item>
/// <item>smoothed: the spike counts smoothed in time by <see cref="CountSmoothing"/> [T, N];</item>
/// <item>pca: the leading R principal components of the smoothed counts, fitted on the training part [T, R].</item>
/// </list>
/// </remarks>
public static class BehaviourDecoding
{
    /// <summary>Steps each part needs at least: R² and a correlation need two.</summary>
    public const int MinimumPartSteps = 2;

    /// <summary>The training steps of <paramref name="steps"/> under <paramref name="trainFraction"/>: T − round((1 − f)·T), halves away from zero.</summary>
    public static int TrainSteps(int steps, double trainFraction) =>
        steps - (int)Math.Round(steps * (1 - trainFraction), MidpointRounding.AwayFromZero);

    /// <summary>Fits and scores the decoders; the options are validated and the input checked first.</summary>
    public static DecodingResult Decode(DecodingInput input, DecodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        input.Check();
        int steps = input.Steps, outputs = input.Outputs;
        int train = TrainSteps(steps, options.TrainFraction);
        int test = steps - train;
        if (train < MinimumPartSteps || test < MinimumPartSteps)
        {
            string part = test < MinimumPartSteps ? "test" : "training";
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"a train fraction of {options.TrainFraction} splits {steps} steps into {train} training and {test} test steps; the {part} part needs at least {MinimumPartSteps}."),
                $"pass a {(part == "test" ? "smaller" : "larger")} {Ref(nameof(DecodingOptions.TrainFraction))}, or decode a longer recording.")
            {
                Setting = nameof(DecodingOptions.TrainFraction),
            };
        }

        if (input.Counts is not null && input.Rank > input.Channels)
        {
            throw new InputException(
                $"the PCA baseline takes as many components as the posterior has latents ({input.Rank}), but {input.CountsName} have only {input.Channels} channels.",
                "pass spike counts with at least as many neurons as the model's rank, or decode without the baselines.");
        }

        double[] testBehaviour = input.Behaviour[(train * outputs)..];
        RequireVariation(testBehaviour, outputs, input.BehaviourName, train);
        DecoderScores latents = FitAndScore(input.Latents, input.Rank, input.Behaviour, outputs, train, options.Ridge);
        if (input.Counts is null)
        {
            return new DecodingResult(train, test, outputs, testBehaviour, latents, null, null, null);
        }

        double[] smoothed = CountSmoothing.Smooth(input.Counts, input.Channels, input.TrialLength, options.SmoothBins, options.Smoothing);
        DecoderScores smoothedScores = FitAndScore(smoothed, input.Channels, input.Behaviour, outputs, train, options.Ridge);
        var pca = PrincipalComponents.Fit(smoothed.AsSpan(0, train * input.Channels), input.Channels, input.Rank);
        DecoderScores pcaScores = FitAndScore(pca.Project(smoothed), input.Rank, input.Behaviour, outputs, train, options.Ridge);
        return new DecodingResult(train, test, outputs, testBehaviour, latents, smoothedScores, pcaScores, pca.ExplainedFraction);
    }

    /// <summary>A <see cref="RidgeDecoder"/> fitted on the first <paramref name="train"/> rows, scored on the rest.</summary>
    private static DecoderScores FitAndScore(double[] features, int featureCount, double[] behaviour, int outputs, int train, double ridge)
    {
        var decoder = RidgeDecoder.Fit(features.AsSpan(0, train * featureCount), featureCount, behaviour.AsSpan(0, train * outputs), outputs, ridge);
        double[] predicted = decoder.Predict(features.AsSpan(train * featureCount));
        return DecoderScores.Score(behaviour.AsSpan(train * outputs), predicted, outputs, featureCount);
    }

    /// <summary>R² divides by the test part's variance: every output must vary there.</summary>
    private static void RequireVariation(double[] testBehaviour, int outputs, string name, int firstTestStep)
    {
        for (int b = 0; b < outputs; b++)
        {
            double first = testBehaviour[b];
            bool varies = false;
            for (int i = b + outputs; i < testBehaviour.Length && !varies; i += outputs)
            {
                varies = testBehaviour[i] != first;
            }

            if (!varies)
            {
                throw new InputException(
                    string.Create(CultureInfo.InvariantCulture, $"{name} is constant ({first}) on the test part (from step {firstTestStep}) in column {b}, so its R² is undefined."),
                    $"decode a behaviour that varies on the test part, or move the split with {Ref(nameof(DecodingOptions.TrainFraction))}.");
            }
        }
    }
}
