using System.CommandLine;
using System.Globalization;
using LowRank.Data;
using LowRank.Decoding;
using LowRank.Formats;
using LowRank.Model;
using LowRank.Plotting;

namespace LowRank.Cli.Commands;

/// <summary>What <c>lowrank decode</c> was asked to do.</summary>
internal sealed record DecodeOptions(string Posterior, string Behaviour, string? Data, SpikeBinning? Binning, DecodingOptions Decoding, string? JsonPath, string? PlotPath);

/// <summary>
/// <c>lowrank decode --posterior posterior.npz --behaviour FILE[:ARRAY] [--data SPIKES[:ARRAY]]</c>: a linear decoder of the
/// behaviour from the posterior latents, trained on the first part and scored on the rest, beside the same decoder of the
/// smoothed spike counts and of their leading principal components (docs/decoding.md).
/// </summary>
internal static class DecodeCommand
{
    private const string ShapeHint =
        "pass the behaviour of the recording the posterior was inferred from, one row per step with the posterior's trials concatenated in order: [T], [T, B], or [trials, T(, B)].";

    public static Command Create(CliContext context)
    {
        var defaults = new DecodingOptions();
        var posterior = new Option<string>("--posterior") { Description = "Posterior from lowrank infer --out (.npz with latents_mean [trials, T, R]).", Required = true };
        var behaviour = new Option<string>("--behaviour") { Description = "Behaviour to decode: FILE.npy, FILE.npz:ARRAY or FILE.mat:NAME, [T] or [T, B] with the posterior's trials concatenated (or [trials, T(, B)]).", Required = true };
        var data = new Option<string?>("--data") { Description = "Spike counts for the baselines: FILE.npy or FILE.npz[:ARRAY] (default array 'data'), [T, N] or [trials, T, N]; or spike times (.nwb, an npz of spike_times and spike_units) with --bin-width. Without it the baselines are skipped." };
        var binning = new SpikeBinningOptions();
        var trainFraction = new Option<double>("--train-fraction") { Description = "Fraction of the steps (the first ones) the decoders are fitted on; they are scored on the rest.", DefaultValueFactory = _ => defaults.TrainFraction };
        var smoothBins = new Option<double>("--smooth-bins") { Description = "Standard deviation in bins of the Gaussian that smooths the counts of the baselines (0: none).", DefaultValueFactory = _ => defaults.SmoothBins };
        var smoothing = CommonOptions.Choice("--smoothing", "centred: a Gaussian over past and future bins; causal: a half-Gaussian over the current and earlier bins.", defaults.Smoothing);
        var ridge = new Option<double>("--ridge") { Description = "Ridge penalty λ on the standardised features' weights (relative to their unit variance).", DefaultValueFactory = _ => defaults.Ridge };
        var json = CommonOptions.Json();
        var plot = new Option<string?>("--plot") { Description = "Also draw the decoded against the true behaviour on the test part, and the latents coloured by the behaviour, to this PNG." };
        var command = new Command("decode", "Decode a behaviour linearly from posterior latents (ridge regression), with smoothed-count and PCA baselines.")
        {
            posterior, behaviour, data, trainFraction, smoothBins, smoothing, ridge, json, plot,
        };
        binning.AddTo(command);
        command.SetAction(parse => context.Execute(() => Run(context, new DecodeOptions(
            parse.GetValue(posterior)!,
            parse.GetValue(behaviour)!,
            parse.GetValue(data),
            binning.Read(parse),
            new DecodingOptions
            {
                TrainFraction = parse.GetValue(trainFraction),
                SmoothBins = parse.GetValue(smoothBins),
                Smoothing = ModelNames.Parse<SmoothingWindow>(parse.GetValue(smoothing)!, "smoothing"),
                Ridge = parse.GetValue(ridge),
            },
            parse.GetValue(json),
            parse.GetValue(plot)))));
        return command;
    }

    private static int Run(CliContext context, DecodeOptions options)
    {
        if (options.PlotPath is not null)
        {
            CommonOptions.RequireExtension(options.PlotPath, ".png", "--plot");
        }

        options.Decoding.Validate();
        var behaviourSource = ArrayReference.Parse(options.Behaviour, "--behaviour");
        ArrayReference? dataSource = options.Data is null ? null : ArrayReference.Parse(options.Data, "--data");
        new OutputPlan()
            .Reads(options.Posterior, "--posterior")
            .Reads(behaviourSource.Path, "--behaviour")
            .Reads(dataSource?.Path, "--data")
            .WritesFile(options.JsonPath, "--json")
            .WritesFile(options.PlotPath, "--plot")
            .Check();

        (double[] latents, int rank, int trials, int trialLength) = DecodeArrays.ReadPosterior(options.Posterior);
        (double[] behaviour, int outputs) = DecodeArrays.OnTimeAxis(
            behaviourSource.Read("--behaviour", null), trials, trialLength, "the behaviour", behaviourSource, options.Posterior, ShapeHint);
        double[]? counts = null;
        int channels = 0;
        if (dataSource is not null)
        {
            (counts, channels) = DecodeArrays.OnTimeAxis(
                ReadCounts(dataSource, options.Binning), trials, trialLength, "the spike counts", dataSource, options.Posterior,
                options.Binning is null
                    ? "pass the spike counts the posterior was inferred from: [T, N] or [trials, T, N]."
                    : "pass the spike times and the --bin-width (--start, --stop, --align-trials) the posterior's recording was binned with (lowrank inspect MODEL shows them).");
        }

        var input = new DecodingInput(latents, rank, behaviour, outputs, trialLength, counts, channels, $"the behaviour '{behaviourSource}'", $"the spike counts '{dataSource}'");
        DecodingResult result = BehaviourDecoding.Decode(input, options.Decoding);
        Print(context.Output, options, result, behaviourSource, rank);
        if (options.JsonPath is not null)
        {
            JsonFile.Write(options.JsonPath, ToReport(options, result, behaviourSource, dataSource, rank, trials, channels));
            context.Output.WriteLine($"wrote {options.JsonPath}");
        }

        if (options.PlotPath is not null)
        {
            DecodingPlots.Save(options.PlotPath, result, latents, rank, behaviour, OutputNames(behaviourSource, outputs));
            context.Output.WriteLine($"wrote {options.PlotPath}");
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// The baselines' counts: the array <paramref name="source"/> names, or spike times binned by <paramref name="binning"/>
    /// ([trials, T, N]); spike times without a binning (or a binning of an array) are an input error.
    /// </summary>
    private static NdArray ReadCounts(ArrayReference source, SpikeBinning? binning)
    {
        bool spikeTimes = source.Array is null && RecordingLoader.HoldsSpikeTimes(source.Path);
        if (spikeTimes && binning is null)
        {
            throw new InputException(
                $"--data '{source}' holds spike times, which the baselines need as counts.",
                "pass --bin-width SECONDS (and --start, --stop or --align-trials) as the posterior's recording was binned; lowrank inspect MODEL shows the model's bins.") { Setting = "BinWidth" };
        }

        if (binning is null)
        {
            return source.Read("--data", "data");
        }

        if (!spikeTimes)
        {
            throw new InputException(
                $"--data '{source}' holds samples, not spike times, so --bin-width has nothing to bin.",
                "drop --bin-width (and --start, --stop, --align-trials) for counts that are already binned.") { Setting = "BinWidth" };
        }

        SequenceSet set = RecordingLoader.Load(source.Path, new RecordingOptions { Binning = binning }).Data;
        return new NdArray([set.Count, set.Steps, set.Channels], set.Observations);
    }

    private static void Print(TextWriter output, DecodeOptions options, DecodingResult result, ArrayReference behaviour, int rank)
    {
        DecodingOptions decoding = options.Decoding;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"decoding {behaviour} ({result.Outputs} output(s)) with ridge {decoding.Ridge:G4}: {result.TrainSteps} training steps, {result.TestSteps} test steps (train fraction {decoding.TrainFraction:G4})"));
        Line(output, $"latents ({rank})", result.Latents, "");
        if (result.Smoothed is null || result.Pca is null)
        {
            output.WriteLine("baselines skipped: no spike counts given (pass --data FILE[:ARRAY] to decode the smoothed counts and their principal components).");
            return;
        }

        string window = ModelNames.Of(decoding.Smoothing);
        Line(output, $"smoothed counts ({result.Smoothed.Features})", result.Smoothed, string.Create(CultureInfo.InvariantCulture, $"  (Gaussian sd {decoding.SmoothBins:G4} bins, {window})"));
        Line(output, $"PCA of counts ({result.Pca.Features})", result.Pca, string.Create(CultureInfo.InvariantCulture, $"  ({result.PcaExplainedFraction * 100:0.0} % of the training variance)"));
    }

    private static void Line(TextWriter output, string label, DecoderScores scores, string note) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label,-22} R² {scores.MeanR2,6:0.000}  corr {scores.MeanCorrelation,6:0.000}{note}"));

    private static string[] OutputNames(ArrayReference behaviour, int outputs)
    {
        string name = behaviour.Array ?? Path.GetFileNameWithoutExtension(behaviour.Path);
        return outputs == 1 ? [name] : [.. Enumerable.Range(0, outputs).Select(b => $"{name}[{b}]")];
    }

    private static DecodeReport ToReport(DecodeOptions options, DecodingResult result, ArrayReference behaviour, ArrayReference? data, int rank, int trials, int channels)
    {
        DecodingOptions decoding = options.Decoding;
        return new DecodeReport(
            result.Latents.MeanR2,
            result.Latents.MeanCorrelation,
            result.Smoothed?.MeanR2,
            result.Pca?.MeanR2,
            result.Smoothed?.MeanCorrelation,
            result.Pca?.MeanCorrelation,
            result.Latents.R2,
            result.Latents.Correlation,
            result.Smoothed?.R2,
            result.Pca?.R2,
            result.TrainSteps,
            result.TestSteps,
            decoding.TrainFraction,
            decoding.Ridge,
            data is null ? null : decoding.SmoothBins,
            data is null ? null : ModelNames.Of(decoding.Smoothing),
            data is null ? null : rank,
            result.PcaExplainedFraction,
            rank,
            result.Outputs,
            trials,
            data is null ? null : channels,
            Path.GetFullPath(options.Posterior),
            behaviour.Array is null ? Path.GetFullPath(behaviour.Path) : $"{Path.GetFullPath(behaviour.Path)}:{behaviour.Array}",
            data is null ? null : data.Array is null ? Path.GetFullPath(data.Path) : $"{Path.GetFullPath(data.Path)}:{data.Array}");
    }

    /// <summary>What <c>--json</c> receives (snake_case keys: <c>r2</c>, <c>corr</c>, <c>baseline_r2_smoothed</c>, <c>baseline_r2_pca</c>, …; baselines null without <c>--data</c>).</summary>
    private sealed record DecodeReport(
        double R2,
        double Corr,
        double? BaselineR2Smoothed,
        double? BaselineR2Pca,
        double? BaselineCorrSmoothed,
        double? BaselineCorrPca,
        IReadOnlyList<double> R2PerOutput,
        IReadOnlyList<double> CorrPerOutput,
        IReadOnlyList<double>? BaselineR2SmoothedPerOutput,
        IReadOnlyList<double>? BaselineR2PcaPerOutput,
        int TrainSteps,
        int TestSteps,
        double TrainFraction,
        double Ridge,
        double? SmoothBins,
        string? Smoothing,
        int? PcaComponents,
        double? PcaExplainedVariance,
        int Rank,
        int Outputs,
        int Trials,
        int? Neurons,
        string Posterior,
        string Behaviour,
        string? Data);
}
