using System.Globalization;
using LowRank.Data;
using LowRank.Inference;
using LowRank.Model;
using LowRank.Simulation;
using LowRank.Smc;
using static LowRank.InputException;

namespace LowRank.Metrics;

// Dimension legend: G generated series, T scored steps, X units.

/// <summary>
/// Scores a fitted spiking (Poisson) model against recorded spike counts (docs/metrics.md, "Spiking data"): G series
/// generated as by <see cref="ProtocolEvaluator"/> (initial state, burn-in, as many steps as the scored data), the
/// spiking statistics of each against the data's (<see cref="SpikingAgreement"/>), and, when asked, co-smoothing of
/// held-out units (<see cref="CoSmoothing"/>).
/// </summary>
public static class SpikingEvaluator
{
    /// <summary>Bins of the data and of series 0 kept for the raster (<see cref="SpikingEvaluationResult.Raster"/>).</summary>
    public const int RasterSteps = 400;

    /// <summary>
    /// The metrics to score with: <paramref name="requested"/> unless it is <see cref="EvaluationMetrics.Auto"/>, which
    /// means <see cref="EvaluationMetrics.Spikes"/> when the model's likelihood is Poisson or every observed value of
    /// <paramref name="data"/> is a spike count (a whole number ≥ 0), else <see cref="EvaluationMetrics.Eeg"/>. Spikes
    /// need count data and a Poisson model (which generates counts); otherwise an <see cref="InputException"/>. The data
    /// are checked against the model first (<see cref="ProtocolEvaluator"/>: continuous, channels, inputs).
    /// </summary>
    /// <param name="requested">The metrics asked for.</param>
    /// <param name="model">The fitted model.</param>
    /// <param name="data">The recording [T, X].</param>
    /// <param name="source">How messages name the data, e.g. <c>recording 'counts.npy'</c>.</param>
    public static EvaluationMetrics Choose(EvaluationMetrics requested, LowRankRnn model, SequenceSet data, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ProtocolEvaluator.CheckData(model, data);
        if (requested == EvaluationMetrics.Eeg)
        {
            return EvaluationMetrics.Eeg;
        }

        bool poisson = model.Options.Likelihood == Likelihood.Poisson;
        long nonCount = SpikingStatistics.FirstNonCount(data.Observations);
        if (requested == EvaluationMetrics.Auto && !poisson && nonCount >= 0)
        {
            return EvaluationMetrics.Eeg;
        }

        string why = requested == EvaluationMetrics.Spikes
            ? $"{Ref("Metrics")} spikes"
            : poisson ? "the model's Poisson likelihood" : "count data";
        if (nonCount >= 0)
        {
            int x = data.Channels;
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"the spiking statistics (chosen by {why}) compare spike counts, but {source} holds {data.Observations[nonCount]:G6} at step {nonCount / x}, channel {nonCount % x}, which {(data.Observations[nonCount] < 0 ? "is negative" : "is not a whole number")}."),
                $"pass {Ref("Metrics")} eeg to score continuous signals with D_stsp and D_H, or bin spike times into counts per bin.") { Setting = "Metrics" };
        }

        if (!poisson)
        {
            throw new InputException(
                $"the spiking statistics (chosen by {why}) compare spike trains, but the model has a {ModelNames.Of(model.Options.Likelihood)} likelihood: it generates real values, not spike counts.",
                $"pass {Ref("Metrics")} eeg to score its series with D_stsp and D_H, or refit with {Ref(nameof(ModelOptions.Likelihood))} poisson.") { Setting = "Metrics" };
        }

        return EvaluationMetrics.Spikes;
    }

    /// <summary>
    /// Evaluates the Poisson <paramref name="model"/> on the continuous count recording <paramref name="data"/> [T, X]:
    /// the part <paramref name="request"/> scores (all, or the held-out end), <see cref="EvaluationRequest.Generations"/>
    /// series generated with the seeds of <see cref="ProtocolEvaluator.SeedOfGeneration"/> after
    /// <see cref="EvaluationRequest.BurnIn"/> steps, the statistics of each against the data's, and co-smoothing when
    /// <see cref="SpikingOptions.HeldOutUnits"/> is set. <see cref="EvaluationRequest.Seeds"/> and
    /// <see cref="EvaluationRequest.DataPreprocessing"/> belong to the EEG metrics and are not used.
    /// </summary>
    public static SpikingEvaluationResult Evaluate(LowRankRnn model, SequenceSet data, EvaluationRequest request, SpikingOptions options, IProgressSink? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        request.Validate();
        options.Validate();
        Choose(EvaluationMetrics.Spikes, model, data, "the recording");
        (SequenceSet scored, int first) = ProtocolEvaluator.ScoredPart(model, data, request);
        int steps = scored.Steps, x = scored.Channels, generations = request.Generations;
        if (options.CorrelationBins is int k && steps / k < 2)
        {
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"{Ref(nameof(SpikingOptions.CorrelationBins))} {k} leaves {steps / k} window(s) of the {steps} scored steps; a correlation needs at least 2."),
                string.Create(CultureInfo.InvariantCulture, $"pass {Ref(nameof(SpikingOptions.CorrelationBins))} {Math.Max(2, steps / 10)} or less.")) { Setting = nameof(SpikingOptions.CorrelationBins) };
        }

        int[]? heldOut = options.HeldOutUnits is double fraction ? CoSmoothing.PickHeldOutUnits(x, fraction, request.Seed) : null;
        if (heldOut is not null)
        {
            CoSmoothing.RequireSpikes(scored.Observations, steps, x, heldOut);
        }
        int matrices = options.CorrelationBins is null ? 2 : 4;
        new MemoryBudget("the spiking statistics")
            .Doubles("the correlation matrices of the data and of one series", matrices, x, x)
            .Doubles("the counts of one generated series and their window sums", 3, steps, x)
            .Add("the ISI histograms of the data and of one series", 2, sizeof(long), x, options.IsiBins)
            .Check($"score fewer units ({Ref("Channels")}) or fewer steps ({Ref(nameof(EvaluationRequest.Holdout))}).");

        SpikeCountStatistics dataSummary = SpikeCountStatistics.Of(scored.Observations, steps, x, options.IsiBins, options.CorrelationBins);
        InitialPosterior? posterior = ProtocolEvaluator.PosteriorOfInitialState(model, scored);
        var series = new SpikingSeries[generations];
        SpikeRaster? raster = null;
        for (int g = 0; g < generations; g++)
        {
            long seed = ProtocolEvaluator.SeedOfGeneration(request.Seed, g);
            SimulationResult generated = ProtocolEvaluator.Generate(model, scored, posterior, request.BurnIn, seed);
            SpikeCountStatistics summary = SpikeCountStatistics.Of(generated.Samples, steps, x, options.IsiBins, options.CorrelationBins);
            series[g] = new SpikingSeries(g, seed, summary, SpikingAgreement.Of(summary, dataSummary));
            if (g == 0)
            {
                int kept = Math.Min(RasterSteps, steps);
                raster = new SpikeRaster(kept, x, scored.Observations.AsSpan(0, kept * x).ToArray(), generated.Samples.AsSpan(0, kept * x).ToArray());
            }

            progress?.Report(new ProgressUpdate(
                "generated series",
                g + 1,
                generations,
                string.Create(CultureInfo.InvariantCulture, $"rate_r {series[g].Agreement.RateR:0.000}  pairwise_corr_r {series[g].Agreement.PairwiseCorrR:0.000}  isi_cv_error {series[g].Agreement.IsiCvError:0.000}")));
        }

        CoSmoothingScore? coSmoothing = heldOut is null
            ? null
            : CoSmoothing.Evaluate(
                model,
                data,
                first,
                heldOut,
                new InferenceOptions { Particles = options.Particles, Smoothing = options.Smoothing, Seed = request.Seed, Threads = request.Threads });
        return new SpikingEvaluationResult(dataSummary, series, coSmoothing, first, steps, request.BurnIn, posterior is null ? "prior_sample" : "posterior_sample")
        {
            Raster = raster,
        };
    }
}
