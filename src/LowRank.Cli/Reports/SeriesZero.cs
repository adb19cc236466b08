using LowRank.Data;
using LowRank.Metrics;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Plotting;
using LowRank.Simulation;
using LowRank.Smc;

namespace LowRank.Cli.Reports;

// Dimension legend: T steps, X channels, U inputs, B frequency bins.

/// <summary>
/// Series 0 of an evaluation by the published protocol (<see cref="ProtocolEvaluator"/>), generated again for the
/// report's figure, and the spectra D_H compares. The evaluator keeps only the figures of its series; this is the same
/// series, drawn from the same seed and streams (a test checks that its D_H is the evaluator's).
/// </summary>
internal static class SeriesZero
{
    /// <summary>The stream of the seed that draws the posterior initial state: <see cref="ProtocolEvaluator"/>'s.</summary>
    internal const long InitialStateStream = 3L << 48;

    /// <summary>
    /// The part of <paramref name="data"/> an evaluation with <paramref name="request"/> scores (all of it, or the
    /// held-out end) and its first step.
    /// </summary>
    public static (SequenceSet Scored, int FirstStep) ScoredPart(SequenceSet data, EvaluationRequest request)
    {
        if (request.Holdout is double holdout)
        {
            (_, SequenceSet scored, int first) = data.Split(holdout);
            return (scored, first);
        }

        return (data, 0);
    }

    /// <summary>
    /// Generates series 0 as <see cref="ProtocolEvaluator.Evaluate"/> does: z_0 drawn from the posterior given the first
    /// scored observation when the model allows it (else from the prior), <paramref name="burnIn"/> steps, then as many
    /// steps as <paramref name="scored"/> with its inputs, all from <paramref name="seed"/>. Returns the samples [T, X].
    /// </summary>
    public static double[] Generate(LowRankRnn model, SequenceSet scored, int burnIn, long seed)
    {
        double[]? z0 = ParticleFilter.InferenceProposal(model.Options) == ProposalKind.Optimal
            ? ParticleFilter.PosteriorOfInitialState(model, scored.Observations.AsSpan(0, scored.Channels), scored.InputValues.AsSpan(0, scored.Inputs))
                .Sample(Rng.Create(seed, InitialStateStream))
            : null;
        var simulation = new SimulationOptions
        {
            Steps = scored.Steps,
            Trials = 1,
            BurnIn = burnIn,
            Initial = z0 is null ? InitialStateMode.PriorSample : InitialStateMode.PosteriorSample,
            Seed = seed,
            Threads = 1,
        };
        return Simulator.Run(model, simulation, model.Inputs > 0 ? scored.InputValues : null, z0).Samples;
    }

    /// <summary>
    /// The data and the generated series with the normalised spectra D_H compares: each series preprocessed as the
    /// metrics do (the generated one Hann-smoothed and z-scored, the data as <paramref name="dataPreprocessing"/> says),
    /// then per channel <see cref="PowerSpectrum.Normalised"/> with the published smoothing, the Nyquist bin dropped.
    /// </summary>
    public static SeriesComparison Compare(
        SequenceSet scored, double[] generated, SeriesPreprocessing dataPreprocessing, IReadOnlyList<string>? channelNames, double[]? dhPerChannel, double? sampleRate)
    {
        int steps = scored.Steps, channels = scored.Channels;
        var metrics = new MetricsOptions { DataPreprocessing = dataPreprocessing };
        double[] generatedReady = Preprocessing.Apply(generated, steps, channels, metrics.GeneratedPreprocessing, metrics.HannLength);
        double[] dataReady = Preprocessing.Apply(scored.Observations, steps, channels, metrics.DataPreprocessing, metrics.HannLength);
        int n = PowerSpectrum.EvenLength(steps);
        int bins = PowerSpectrum.BinCount(steps) - (metrics.SpectrumDropLastBin ? 1 : 0);
        double[] frequencies = [.. Enumerable.Range(0, bins).Select(k => (double)k / n)];
        return new SeriesComparison(
            scored.Observations,
            generated,
            steps,
            channels,
            frequencies,
            Spectra(dataReady, steps, channels, bins, metrics),
            Spectra(generatedReady, steps, channels, bins, metrics),
            channelNames,
            dhPerChannel,
            sampleRate);
    }

    /// <summary>The normalised spectrum of every channel of <paramref name="series"/> [T, X] → [X, B].</summary>
    private static double[] Spectra(double[] series, int steps, int channels, int bins, MetricsOptions metrics)
    {
        var spectra = new double[channels * bins];
        var channel = new double[steps];
        for (int c = 0; c < channels; c++)
        {
            for (int t = 0; t < steps; t++)
            {
                channel[t] = series[t * channels + c];
            }

            PowerSpectrum.Normalised(channel, metrics.SpectrumSigma, metrics.SpectrumDropLastBin, spectra.AsSpan(c * bins, bins));
        }

        return spectra;
    }
}
