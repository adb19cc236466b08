using LowRank.Data;
using LowRank.Decoding;
using LowRank.Numerics;

namespace LowRank.Tests.Decoding;

public sealed class BehaviourDecodingTests
{
    /// <summary>
    /// y_t = W ᵀ z_t + c + ε_t with z_t ~ N(0, I₃) and ε per output of variance 0.25 of the total: R² = 1 − 0.2 = 0.8
    /// and ρ = √0.8 per output. Over 5800 test steps the standard error of R² is about 0.2·√(2/5800)·1.3 ≈ 0.005 (the
    /// decoder's own estimation error, ~F/T_train·0.2 ≈ 4e-5, is negligible); the bound 0.02 is four of them.
    /// </summary>
    [Fact]
    public void AKnownLinearMapIsDecodedWithTheExpectedRSquared()
    {
        const int steps = 20000, rank = 3, outputs = 2;
        double[,] w = { { 1, -0.5 }, { 0.5, 1 }, { -1, 0.5 } }; // signal variance 2.25 and 1.5
        double[] noiseSd = [Math.Sqrt(2.25 * 0.25), Math.Sqrt(1.5 * 0.25)]; // noise / total = 0.2
        (double[] z, double[] y) = LinearData(Rng.Create(51), steps, w, noiseSd, offset: [3, -2]);

        DecodingResult result = BehaviourDecoding.Decode(new DecodingInput(z, rank, y, outputs, steps), new DecodingOptions());
        Assert.Equal(steps - 5800, result.TrainSteps);
        Assert.Equal(5800, result.TestSteps);
        for (int b = 0; b < outputs; b++)
        {
            Assert.InRange(result.Latents.R2[b], 0.8 - 0.02, 0.8 + 0.02);
            Assert.InRange(result.Latents.Correlation[b], Math.Sqrt(0.8) - 0.012, Math.Sqrt(0.8) + 0.012);
        }

        Assert.Null(result.Smoothed);
        Assert.Null(result.Pca);
        Assert.Equal(y[(result.TrainSteps * outputs)..], result.TestBehaviour);
    }

    /// <summary>
    /// Counts that are a noisy linear image of the latents (N = 6 channels, no smoothing): the smoothed-count decoder reads
    /// all six, the PCA baseline three components spanning the latents' image, and both decode about as well as the latents.
    /// </summary>
    [Fact]
    public void TheBaselinesReadTheCountsAndTheirPrincipalComponents()
    {
        const int steps = 6000, rank = 3, channels = 6;
        double[,] w = { { 1 }, { 0.5 }, { -1 } };
        (double[] z, double[] y) = LinearData(Rng.Create(52), steps, w, [0.5], offset: [0]);
        Rng rng = Rng.Create(53);
        var mix = new double[rank * channels];
        rng.FillGaussian(mix);
        var counts = new double[steps * channels];
        for (int t = 0; t < steps; t++)
        {
            for (int n = 0; n < channels; n++)
            {
                double sum = 0.01 * rng.NextGaussian();
                for (int r = 0; r < rank; r++)
                {
                    sum += z[(t * rank) + r] * mix[(r * channels) + n];
                }

                counts[(t * channels) + n] = sum;
            }
        }

        var input = new DecodingInput(z, rank, y, 1, steps, counts, channels);
        DecodingResult result = BehaviourDecoding.Decode(input, new DecodingOptions { SmoothBins = 0 });
        Assert.Equal(channels, result.Smoothed!.Features);
        Assert.Equal(rank, result.Pca!.Features);
        Assert.InRange(result.PcaExplainedFraction!.Value, 0.999, 1.0);
        Assert.Equal(result.Latents.R2[0], result.Smoothed.R2[0], 0.01);
        Assert.Equal(result.Latents.R2[0], result.Pca.R2[0], 0.01);

        // Smoothing the counts (but not the behaviour) costs the baselines: white latents decorrelate within a bin.
        DecodingResult smoothed = BehaviourDecoding.Decode(input, new DecodingOptions { SmoothBins = 5 });
        Assert.True(smoothed.Smoothed!.R2[0] < result.Smoothed.R2[0] - 0.3, $"{smoothed.Smoothed.R2[0]} vs {result.Smoothed.R2[0]}");
        Assert.Equal(result.Latents.R2[0], smoothed.Latents.R2[0]);
    }

    [Theory]
    [InlineData(6577, 0.71)]
    [InlineData(100, 0.8)]
    [InlineData(7, 0.5)]
    public void TheSplitIsTheOneAFitHoldingOutTheRestMakes(int steps, double trainFraction) =>
        Assert.Equal(SequenceSet.SplitIndex(steps, 1 - trainFraction), BehaviourDecoding.TrainSteps(steps, trainFraction));

    [Fact]
    public void TheHippocampusSplitTrainsOnTheFirst4670Steps() =>
        Assert.Equal(4670, BehaviourDecoding.TrainSteps(6577, 0.71));

    [Fact]
    public void ATestPartOfOneStepIsAnInputError()
    {
        (double[] z, double[] y) = LinearData(Rng.Create(54), 10, new double[,] { { 1 } }, [0.1], offset: [0]);
        var error = Assert.Throws<InputException>(() => BehaviourDecoding.Decode(new DecodingInput(z, 1, y, 1, 10), new DecodingOptions { TrainFraction = 0.9 }));
        Assert.Equal("a train fraction of 0.9 splits 10 steps into 9 training and 1 test steps; the test part needs at least 2.", error.Message);
        Assert.Equal("pass a smaller TrainFraction, or decode a longer recording.", error.Hint);
    }

    [Fact]
    public void ABehaviourConstantOnTheTestPartIsAnInputError()
    {
        double[] z = [.. Enumerable.Range(0, 10).Select(t => (double)t)];
        double[] y = [0, 1, 0, 1, 0, 1, 0, 2, 2, 2];
        var error = Assert.Throws<InputException>(() => BehaviourDecoding.Decode(new DecodingInput(z, 1, y, 1, 10), new DecodingOptions { TrainFraction = 0.7 }));
        Assert.Equal("the behaviour is constant (2) on the test part (from step 7) in column 0, so its R² is undefined.", error.Message);
    }

    [Fact]
    public void ANonFiniteValueIsAnInputErrorNamingItsStep()
    {
        double[] z = [.. Enumerable.Range(0, 10).Select(t => (double)t)];
        double[] y = [.. z];
        y[4] = double.NaN;
        var error = Assert.Throws<InputException>(() => BehaviourDecoding.Decode(new DecodingInput(z, 1, y, 1, 10, BehaviourName: "position"), new DecodingOptions()));
        Assert.Equal("position has the value NaN at step 4, column 0; decoding needs finite values.", error.Message);
    }

    [Fact]
    public void MorePcaComponentsThanChannelsIsAnInputError()
    {
        (double[] z, double[] y) = LinearData(Rng.Create(55), 40, new double[,] { { 1 }, { 1 }, { 1 } }, [0.1], offset: [0]);
        var error = Assert.Throws<InputException>(() => BehaviourDecoding.Decode(new DecodingInput(z, 3, y, 1, 40, new double[80], 2), new DecodingOptions()));
        Assert.StartsWith("the PCA baseline takes as many components as the posterior has latents (3), but the spike counts have only 2 channels.", error.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.2)]
    [InlineData(double.NaN)]
    public void ATrainFractionOutsideTheOpenUnitIntervalIsRefused(double fraction)
    {
        var error = Assert.Throws<InputException>(() => new DecodingOptions { TrainFraction = fraction }.Validate());
        Assert.StartsWith("TrainFraction must lie strictly between 0 and 1, got ", error.Message);
        Assert.Equal("TrainFraction", error.Setting);
    }

    /// <summary>z [T, R] standard normal, y [T, B] = z W + offset + noise.</summary>
    private static (double[] Z, double[] Y) LinearData(Rng rng, int steps, double[,] w, double[] noiseSd, double[] offset)
    {
        int rank = w.GetLength(0), outputs = w.GetLength(1);
        var z = new double[steps * rank];
        rng.FillGaussian(z);
        var y = new double[steps * outputs];
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < outputs; b++)
            {
                double sum = offset[b] + (noiseSd[b] * rng.NextGaussian());
                for (int r = 0; r < rank; r++)
                {
                    sum += z[(t * rank) + r] * w[r, b];
                }

                y[(t * outputs) + b] = sum;
            }
        }

        return (z, y);
    }
}
