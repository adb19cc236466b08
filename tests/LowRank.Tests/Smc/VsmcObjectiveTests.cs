using LowRank.Data;
using LowRank.Encoders;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Smc;

namespace LowRank.Tests.Smc;

public sealed class VsmcObjectiveTests
{
    private static readonly ModelOptions EegLike = new() { Rank = 3, Units = 37, Channels = 8 };

    /// <summary>
    /// The float32 kernels (four-particle transitions, the float softplus logarithm) against the double ones on the same
    /// ancestors: objective and gradient to float tolerance. "eeg": R = 3, optimal proposal, K = 10; "poisson-encoder":
    /// R = 4, softplus Poisson, encoder proposal, K = 16, missing entries.
    /// </summary>
    [Theory]
    [InlineData("eeg")]
    [InlineData("poisson-encoder")]
    public void SinglePrecisionAgreesWithDouble(string configuration)
    {
        (ModelOptions model, ProposalKind proposal, double missing) = configuration == "eeg" ? (EegLike, ProposalKind.Optimal, 0) : Spiking(configuration);
        int particles = configuration == "eeg" ? 10 : 16;
        double[] theta = SmcTestModels.RandomTheta(model, 4);
        SequenceSet batch = SmcTestModels.RandomBatch(model, 3, 12, 5, missing);
        var reference = new VsmcObjective(model, new VsmcOptions { Precision = KernelPrecision.Double, Proposal = proposal, Particles = particles, Threads = 1 });
        var fast = new VsmcObjective(model, new VsmcOptions { Precision = KernelPrecision.Single, Proposal = proposal, Particles = particles, Threads = 1 });
        var gReference = new double[theta.Length];
        var gFast = new double[theta.Length];
        double vReference = reference.EvaluateWithAncestors(theta, batch, 9, gReference, true, null, out int[][] ancestors);
        double vFast = fast.EvaluateWithAncestors(theta, batch, 9, gFast, true, ancestors, out _);
        Assert.Equal(vReference, vFast, 1e-4 * Math.Abs(vReference));
        double difference = 0, norm = 0;
        for (int i = 0; i < theta.Length; i++)
        {
            difference += (gFast[i] - gReference[i]) * (gFast[i] - gReference[i]);
            norm += gReference[i] * gReference[i];
        }

        Assert.True(Math.Sqrt(difference) <= 1e-4 * Math.Sqrt(norm), $"relative gradient difference {Math.Sqrt(difference / norm)}");
    }

    /// <summary>Spiking configurations: Poisson latent readout with the encoder proposal (missing entries), Poisson rates readout with the bootstrap.</summary>
    private static (ModelOptions Model, ProposalKind Proposal, double Missing) Spiking(string name) => name switch
    {
        "poisson-encoder" => (new ModelOptions { Rank = 4, Units = 40, Channels = 20, Likelihood = Likelihood.Poisson, Link = Link.Softplus, TransitionNoise = NoiseShape.Diagonal, Encoder = new EncoderOptions { KernelSizes = [5, 3, 1], Channels = [16, 8], MaskInput = true } }, ProposalKind.Encoder, 0.1),
        "poisson-rates" => (new ModelOptions { Rank = 2, Units = 12, Channels = 12, Readout = Readout.Rates, Likelihood = Likelihood.Poisson, Link = Link.Exp }, ProposalKind.Bootstrap, 0.1),
        _ => (EegLike, ProposalKind.Optimal, 0.1),
    };

    [Theory]
    [InlineData(KernelPrecision.Single, "eeg")]
    [InlineData(KernelPrecision.Double, "eeg")]
    [InlineData(KernelPrecision.Single, "poisson-encoder")]
    [InlineData(KernelPrecision.Double, "poisson-encoder")]
    [InlineData(KernelPrecision.Single, "poisson-rates")]
    [InlineData(KernelPrecision.Single, "missing-optimal")]
    public void ResultDoesNotDependOnThreadCount(KernelPrecision precision, string configuration)
    {
        (ModelOptions model, ProposalKind proposal, double missing) = configuration == "eeg" ? (EegLike, ProposalKind.Optimal, 0) : Spiking(configuration);
        double[] theta = SmcTestModels.RandomTheta(model, 6);
        SequenceSet batch = SmcTestModels.RandomBatch(model, 5, 10, 7, missing);
        var one = new VsmcObjective(model, new VsmcOptions { Precision = precision, Proposal = proposal, Threads = 1 });
        var two = new VsmcObjective(model, new VsmcOptions { Precision = precision, Proposal = proposal, Threads = 2 });
        var gOne = new double[theta.Length];
        var gTwo = new double[theta.Length];
        Assert.Equal(one.Evaluate(theta, batch, 3, gOne), two.Evaluate(theta, batch, 3, gTwo));
        Assert.Equal(gOne, gTwo);
    }

    [Fact]
    public void SameSeedGivesSameResultAndAnotherSeedDoesNot()
    {
        double[] theta = SmcTestModels.RandomTheta(EegLike, 6);
        SequenceSet batch = SmcTestModels.RandomBatch(EegLike, 2, 10, 7);
        var objective = new VsmcObjective(EegLike, new VsmcOptions { Threads = 1 });
        var gradient = new double[theta.Length];
        double first = objective.Evaluate(theta, batch, 3, gradient);
        Assert.Equal(first, objective.Evaluate(theta, batch, 3, gradient));
        Assert.NotEqual(first, objective.Evaluate(theta, batch, 4, gradient));
    }

    /// <summary>A NaN observation is a missing entry: it drops out of the likelihood instead of making the objective NaN (exactness: KalmanReferenceTests).</summary>
    [Theory]
    [InlineData(ProposalKind.Optimal)]
    [InlineData(ProposalKind.Bootstrap)]
    public void MissingObservationDropsOutInsteadOfGivingNaN(ProposalKind proposal)
    {
        double[] theta = SmcTestModels.RandomTheta(EegLike, 6);
        SequenceSet batch = SmcTestModels.RandomBatch(EegLike, 2, 10, 7);
        var objective = new VsmcObjective(EegLike, new VsmcOptions { Proposal = proposal, Threads = 1 });
        var gradient = new double[theta.Length];
        double complete = objective.Evaluate(theta, batch, 3, gradient);
        batch.Observations[5 * EegLike.Channels + 2] = double.NaN;
        double missing = objective.Evaluate(theta, batch, 3, gradient);
        Assert.True(double.IsFinite(missing), $"objective {missing}");
        Assert.All(gradient, g => Assert.True(double.IsFinite(g)));
        Assert.NotEqual(complete, missing);
    }

    [Theory]
    [InlineData(ProposalKind.Optimal, null)]
    [InlineData(ProposalKind.Bootstrap, null)]
    [InlineData(ProposalKind.Encoder, "poisson-encoder")]
    [InlineData(ProposalKind.Bootstrap, "poisson-rates")]
    [InlineData(ProposalKind.Optimal, "missing-optimal")]
    public void WarmedFilterStepAllocatesNothing(ProposalKind proposal, string? spiking)
    {
        var options = new ModelOptions { Rank = 3, Units = 40, Channels = 6, Inputs = 2, InputFilter = InputFilter.Filtered };
        double missing = 0;
        if (spiking is not null)
        {
            (options, proposal, missing) = Spiking(spiking);
        }

        var engine = new VsmcEngine<float>(options, new VsmcOptions { Proposal = proposal, Threads = 1 });
        double[] theta = SmcTestModels.RandomTheta(options, 1);
        SequenceSet batch = SmcTestModels.RandomBatch(options, 1, 20, 2, missing);
        var gradient = new double[theta.Length];
        engine.Evaluate(theta, batch, 1, gradient, true, null);
        SequenceWorkspace<float> sequence = engine.Sequences[0];
        Rng rng = Rng.Create(5, 0);
        engine.Forward(sequence, rng, default);
        engine.Backward(sequence);
        long before = GC.GetAllocatedBytesForCurrentThread();
        double value = engine.Forward(sequence, rng, default);
        engine.Backward(sequence);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(double.IsFinite(value));
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void OptimalProposalWeightsAtTimeZeroAreEqual()
    {
        // With the optimal proposal the t = 0 weight p(y_0) does not depend on the drawn z_0.
        var engine = new VsmcEngine<double>(EegLike, new VsmcOptions { Precision = KernelPrecision.Double, Threads = 1, Particles = 7 });
        double[] theta = SmcTestModels.RandomTheta(EegLike, 2);
        SequenceSet batch = SmcTestModels.RandomBatch(EegLike, 1, 4, 2);
        engine.Evaluate(theta, batch, 1, new double[theta.Length], true, null);
        double[] logW = engine.Sequences[0].LogW;
        for (int k = 1; k < 7; k++)
        {
            Assert.Equal(logW[0], logW[k], 12);
        }
    }

    [Fact]
    public void OptionsRejectOptimalProposalWithRateReadout()
    {
        var model = new ModelOptions { Rank = 2, Units = 4, Channels = 4, Readout = Readout.Rates };
        InputException error = Assert.Throws<InputException>(() => new VsmcObjective(model, new VsmcOptions()));
        Assert.Equal("the optimal proposal needs a linear readout, but the readout is from unit rates.", error.Message);
    }

    [Fact]
    public void MismatchedShapesAreArgumentErrors()
    {
        var objective = new VsmcObjective(EegLike, new VsmcOptions { Threads = 1 });
        double[] theta = SmcTestModels.RandomTheta(EegLike, 1);
        SequenceSet batch = SmcTestModels.RandomBatch(EegLike, 1, 5, 1);
        Assert.Throws<ArgumentException>(() => objective.Evaluate(theta.AsSpan(1), batch, 0, new double[theta.Length]));
        Assert.Throws<ArgumentException>(() => objective.Evaluate(theta, batch, 0, new double[theta.Length - 1]));
        var wrongChannels = new SequenceSet(1, 5, EegLike.Channels + 1, new double[5 * (EegLike.Channels + 1)]);
        Assert.Throws<ArgumentException>(() => objective.Value(theta, wrongChannels, 0));
    }

    [Fact]
    public void AlternatingBatchSizesGiveTheSameResultsAsFreshObjectives()
    {
        double[] theta = SmcTestModels.RandomTheta(EegLike, 2);
        SequenceSet large = SmcTestModels.RandomBatch(EegLike, 3, 8, 3);
        SequenceSet small = SmcTestModels.RandomBatch(EegLike, 1, 8, 4);
        SequenceSet otherLength = SmcTestModels.RandomBatch(EegLike, 2, 5, 5);
        var reused = new VsmcObjective(EegLike, new VsmcOptions { Threads = 1 });
        var gradient = new double[theta.Length];
        var fresh = new double[theta.Length];
        foreach (SequenceSet batch in new[] { large, small, otherLength, large, small })
        {
            double value = reused.Evaluate(theta, batch, 6, gradient);
            double expected = new VsmcObjective(EegLike, new VsmcOptions { Threads = 1 }).Evaluate(theta, batch, 6, fresh);
            Assert.Equal(expected, value);
            Assert.Equal(fresh, gradient);
        }
    }
}
