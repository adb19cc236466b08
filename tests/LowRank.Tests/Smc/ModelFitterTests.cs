using LowRank.Data;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Smc;
using LowRank.Training;

namespace LowRank.Tests.Smc;

/// <summary>
/// A stand-in for the VSMC objective on the real parameter layout: L = −(1/BT) Σ ½ (y − d)², maximised
/// at d = the channel means of the data it sees; every other parameter has zero gradient.
/// </summary>
internal sealed class ReadoutBiasObjective(ModelOptions options) : IDifferentiableObjective<SeededBatch>
{
    private readonly ParameterSlice _bias = ModelLayout.Of(options)[ParameterNames.ReadoutBias];

    public int ParameterCount { get; } = ModelLayout.Of(options).Length;

    public double Evaluate(ReadOnlySpan<double> theta, SeededBatch seeded, Span<double> gradient)
    {
        SequenceSet batch = seeded.Sequences;
        gradient.Clear();
        ReadOnlySpan<double> d = _bias.Of(theta);
        Span<double> gD = _bias.Of(gradient);
        int x = batch.Channels, bt = batch.Count * batch.Steps;
        double value = 0;
        for (int i = 0; i < batch.Observations.Length; i++)
        {
            double residual = batch.Observations[i] - d[i % x];
            value -= 0.5 * residual * residual / bt;
            gD[i % x] += residual / bt;
        }

        return value;
    }
}

public sealed class ModelFitterTests
{
    private static SequenceSet Recording(out double[] firstMeans, out double[] lastMeans)
    {
        // 500 steps × 2 channels: means (1, −1) for the first 400 steps, (5, 5) for the last 100.
        const int steps = 500, channels = 2;
        Rng rng = Rng.Create(8);
        var values = new double[steps * channels];
        for (int t = 0; t < steps; t++)
        {
            for (int c = 0; c < channels; c++)
            {
                double mean = t < 400 ? (c == 0 ? 1 : -1) : 5;
                values[t * channels + c] = mean + 0.3 * rng.NextGaussian();
            }
        }

        firstMeans = [1, -1];
        lastMeans = [5, 5];
        return SequenceSet.Continuous(values, steps, channels);
    }

    private static FitSettings Request(double? holdout) => new()
    {
        Model = new ModelOptions { Rank = 2, Units = 6 },
        Trainer = new FitTrainerSettings { Epochs = 40, BatchSize = 5, WindowLength = 20, WindowsPerEpoch = 20, LearningRate = 0.5, FinalLearningRate = 0.05, EvaluateEvery = 10, Seed = 3 },
        Holdout = holdout,
        EvaluationWindows = 10,
    };

    [Fact]
    public void HoldoutTrainsOnTheFirstPartAndEvaluatesOnTheRest()
    {
        SequenceSet data = Recording(out double[] first, out double[] last);
        FitResult fit = ModelFitter.Fit(data, Request(0.2), createObjective: o => new ReadoutBiasObjective(o));
        Assert.Equal(new HeldOutSplit(0.2, "steps", 500, 400), fit.Split);
        Assert.Equal(2, fit.Model.Channels);
        ReadOnlySpan<double> d = fit.Model.D;
        Assert.Equal(first[0], d[0], 0.15);
        Assert.Equal(first[1], d[1], 0.15);
        // The held-out windows have mean (5, 5): their objective is about −½ (4² + 6²) − 2·½·0.09, far below the training one.
        Assert.Equal(4, fit.Training.Summary.Evaluations.Count);
        Assert.Equal(-26.09, fit.Training.Summary.Evaluations[^1].Value, 0.8);
        Assert.True(fit.Training.Summary.Objective[^1] > -0.2);
        Assert.NotEqual(last[0], d[0], 1.0);
    }

    [Fact]
    public void WithoutHoldoutEvaluationUsesTrainingData()
    {
        SequenceSet data = Recording(out _, out _);
        FitResult fit = ModelFitter.Fit(data, Request(null), createObjective: o => new ReadoutBiasObjective(o));
        Assert.Null(fit.Split);
        Assert.Equal(fit.Training.Summary.Objective[^1], fit.Training.Summary.Evaluations[^1].Value, 3.0);
    }

    [Fact]
    public void ChannelsAndInputsComeFromTheData()
    {
        SequenceSet data = Recording(out _, out _);
        FitResult fit = ModelFitter.Fit(data, Request(null) with { Model = new ModelOptions { Rank = 2, Units = 6, Channels = 99 } }, createObjective: o => new ReadoutBiasObjective(o));
        Assert.Equal(2, fit.Options.Channels);
        Assert.Equal(0, fit.Options.Inputs);
    }
}
