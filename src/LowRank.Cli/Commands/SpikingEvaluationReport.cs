using System.Text.Json.Serialization;
using LowRank.Metrics;
using LowRank.Model;

namespace LowRank.Cli.Commands;

/// <summary>
/// The figures <c>lowrank evaluate --json</c> writes for spike data (docs/fitting.md, "Spike data"): the agreement numbers
/// (means over the series), the statistics behind them (the data's and series 0's), co-smoothing, and how they were made.
/// </summary>
internal sealed record SpikingEvaluationReport(
    string Metrics,
    double RateR,
    double PairwiseCorrR,
    double IsiCvError,
    [property: JsonPropertyName("co_bps")] double? CoBps,
    [property: JsonPropertyName("heldout_units")] int[]? HeldOutUnits,
    [property: JsonPropertyName("heldout_fraction")] double? HeldOutFraction,
    [property: JsonPropertyName("co_bps_per_unit")] double[]? CoBpsPerUnit,
    [property: JsonPropertyName("co_bps_spikes")] long? CoBpsSpikes,
    [property: JsonPropertyName("co_bps_log_likelihood")] double? CoBpsLogLikelihood,
    [property: JsonPropertyName("co_bps_null_log_likelihood")] double? CoBpsNullLogLikelihood,
    [property: JsonPropertyName("co_bps_zero_rates")] int? CoBpsZeroRates,
    [property: JsonPropertyName("co_bps_posterior")] string? CoBpsPosterior,
    [property: JsonPropertyName("co_bps_particles")] int? CoBpsParticles,
    int? CorrBins,
    double? PairwiseCorrRSummed,
    double RateRSd,
    double PairwiseCorrRSd,
    double IsiCvErrorSd,
    int Generations,
    double[] RateRPerGeneration,
    double[] PairwiseCorrRPerGeneration,
    double[] IsiCvErrorPerGeneration,
    long[] GenerationSeeds,
    int Units,
    int RateUnits,
    int CorrelationPairs,
    int IsiCvUnits,
    double MeanRateData,
    double MeanRateGenerated,
    double IsiCvMedianData,
    double IsiCvMedianGenerated,
    double[] MeanRatesData,
    double[] MeanRatesGenerated,
    double[] IsiCvData,
    double[] IsiCvGenerated,
    int IsiHistogramBins,
    long[][] IsiHistogramData,
    long[][] IsiHistogramGenerated,
    double[][] CorrelationsData,
    double[][] CorrelationsGenerated,
    double[][]? CorrelationsSummedData,
    double[][]? CorrelationsSummedGenerated,
    int Steps,
    int FirstStep,
    int BurnIn,
    string InitialState,
    double? Holdout,
    long Seed,
    string Model,
    string Data,
    string Plot)
{
    /// <summary>The report of <paramref name="result"/>; per-unit generated figures are series 0's.</summary>
    public static SpikingEvaluationReport Of(SpikingEvaluationResult result, EvaluateOptions options, SpikingOptions spiking, string plot)
    {
        SpikeCountStatistics data = result.Data, generated = result.Series[0].Generated;
        SpikingAgreement first = result.Series[0].Agreement;
        CoSmoothingScore? co = result.CoSmoothing;
        (double rateSd, double pairwiseSd, double isiSd) = result.SdOverSeries;
        return new SpikingEvaluationReport(
            ModelNames.Of(EvaluationMetrics.Spikes),
            result.RateR,
            result.PairwiseCorrR,
            result.IsiCvError,
            co?.BitsPerSpike,
            co?.HeldOutUnits,
            co is null ? null : spiking.HeldOutUnits,
            co?.BitsPerSpikePerUnit,
            co?.Spikes,
            co?.LogLikelihood,
            co?.NullLogLikelihood,
            co?.ZeroRates,
            co is null ? null : ModelNames.Of(spiking.Smoothing),
            co is null ? null : spiking.Particles,
            data.CorrelationBins,
            result.PairwiseCorrRSummed,
            rateSd,
            pairwiseSd,
            isiSd,
            result.Generations,
            result.RateRPerGeneration,
            result.PairwiseCorrRPerGeneration,
            result.IsiCvErrorPerGeneration,
            result.GenerationSeeds,
            data.Units,
            first.RateUnits,
            first.Pairs,
            first.IsiCvUnits,
            data.PopulationRate,
            generated.PopulationRate,
            data.MedianIsiCv,
            generated.MedianIsiCv,
            data.MeanRates,
            generated.MeanRates,
            data.IsiCv,
            generated.IsiCv,
            data.IsiBins,
            Rows(data.IsiHistogram, data.Units),
            Rows(generated.IsiHistogram, data.Units),
            Rows(data.Correlations, data.Units),
            Rows(generated.Correlations, data.Units),
            data.SummedCorrelations is null ? null : Rows(data.SummedCorrelations, data.Units),
            generated.SummedCorrelations is null ? null : Rows(generated.SummedCorrelations, data.Units),
            result.Steps,
            result.FirstStep,
            result.BurnIn,
            result.InitialState,
            options.Request.Holdout,
            options.Request.Seed,
            Path.GetFullPath(options.ModelDirectory),
            Path.GetFullPath(options.DataPath),
            plot);
    }

    /// <summary>A row-major [rows, n] array as rows.</summary>
    private static T[][] Rows<T>(T[] values, int rows)
    {
        int n = values.Length / rows;
        var result = new T[rows][];
        for (int i = 0; i < rows; i++)
        {
            result[i] = values[(i * n)..((i + 1) * n)];
        }

        return result;
    }
}
