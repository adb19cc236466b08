using LowRank.Model;
using LowRank.Smc;
using LowRank.Training;

namespace LowRank.Smc;

/// <summary>A complete fitting recipe: model structure, VSMC objective and trainer settings.</summary>
/// <param name="Name">Preset name (null for hand-picked settings).</param>
/// <param name="Model">Model structure and initial scales (channels and inputs come from the data).</param>
/// <param name="Objective">Particles, proposal, resampling.</param>
/// <param name="Trainer">Optimiser, schedule and batching.</param>
public sealed record FitRecipe(string? Name, ModelOptions Model, VsmcOptions Objective, TrainerOptions Trainer);

/// <summary>Named fitting recipes.</summary>
public static class FitPresets
{
    /// <summary>Every preset name.</summary>
    public static IReadOnlyList<string> Names { get; } = ["eeg"];

    /// <summary>
    /// The published EEG recipe (DESIGN §3): rank 3, N = 512 clipped-ReLU units, full Σz and Σ0
    /// initialised at scales 0.1 and 1, σx 0.1, decay 0.9, trainable μ0, latent readout; K = 10
    /// particles, optimal proposal, systematic resampling; RAdam with lr 1e−3 decayed exponentially to
    /// 1e−6 over 1500 epochs of 500 windows of T = 50 steps in batches of B = 10.
    /// </summary>
    public static FitRecipe Eeg { get; } = new(
        "eeg",
        new ModelOptions
        {
            Rank = 3,
            Units = 512,
            Activation = Activation.ClippedRelu,
            TransitionNoise = NoiseShape.Full,
            InitialNoise = NoiseShape.Full,
            TrainInitialMean = true,
            Readout = Readout.Latent,
            Likelihood = Likelihood.Gaussian,
            Link = Link.Identity,
            InitTransitionNoiseScale = 0.1,
            InitInitialNoiseScale = 1.0,
            InitObservationScale = 0.1,
            InitDecay = 0.9,
        },
        new VsmcOptions
        {
            Particles = 10,
            Proposal = ProposalKind.Optimal,
            Resampling = ResamplingScheme.Systematic,
        },
        new TrainerOptions
        {
            Epochs = 1500,
            BatchSize = 10,
            WindowLength = 50,
            WindowsPerEpoch = 500,
            LearningRate = 1e-3,
            FinalLearningRate = 1e-6,
            EvaluateEvery = 50,
            CheckpointEvery = 10,
        });

    /// <summary>The settings used without a preset: the published EEG recipe, unnamed.</summary>
    public static FitRecipe Default { get; } = Eeg with { Name = null };

    /// <summary>The preset called <paramref name="name"/>; an unknown name is an <see cref="InputException"/>.</summary>
    public static FitRecipe Get(string name) => name switch
    {
        "eeg" => Eeg,
        _ => throw new InputException($"unknown preset '{name}'.", $"use one of: {string.Join(", ", Names)}."),
    };
}
