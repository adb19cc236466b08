using System.CommandLine;
using System.Globalization;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Inference;
using LowRank.Model;
using LowRank.Smc;

namespace LowRank.Cli.Commands;

/// <summary>What <c>lowrank infer</c> was asked to do.</summary>
internal sealed record InferOptions(string ModelDirectory, string DataPath, string Out, InferenceOptions Inference, string? JsonPath, PreprocessingRequest Preprocessing);

/// <summary>
/// <c>lowrank infer --model DIR --data FILE --out posterior.npz</c>: the posterior of the model's latents given each
/// trial of the recording (filtering, or a smoother), the expected observations and the log-evidence per step.
/// </summary>
internal static class InferCommand
{
    public static Command Create(CliContext context)
    {
        var defaults = new InferenceOptions();
        var model = new Option<string>("--model") { Description = "Model directory (from lowrank fit).", Required = true };
        var data = new Option<string>("--data") { Description = "Recording (.npy, .npz, .csv, .edf): [T, X] continuous, or [trials, T, X]; or spike times (.nwb, an npz of spike_times and spike_units); the model's stored preprocessing (bins, channels, z-scoring) is applied.", Required = true };
        var output = new Option<string>("--out") { Description = "Posterior file to write (.npz): latents_mean, latents_sd [trials, T, R], rates [trials, T, X], log_evidence [trials, T], log_likelihood [trials].", Required = true };
        var particles = new Option<int>("--particles") { Description = "Particles K of the filter.", DefaultValueFactory = _ => defaults.Particles };
        var smoothing = new Option<string>("--smoothing") { Description = "none: filtering p(z_t | y_0..t); conditional: K paths drawn backwards; marginal: forward-filter backward-smoother p(z_t | all y).", DefaultValueFactory = _ => "none" };
        smoothing.AcceptOnlyFromAmong("none", "conditional", "marginal");
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var preprocessing = PreprocessingOptions.ForModel();
        var command = new Command("infer", "Infer the posterior of a fitted model's latents given a recording (particle filter, optional smoother).")
        {
            model, data, output, particles, smoothing, seed, threads, json,
        };
        preprocessing.AddTo(command);
        command.SetAction(parse => context.Execute(() => Run(context, new InferOptions(
            parse.GetValue(model)!,
            parse.GetValue(data)!,
            parse.GetValue(output)!,
            new InferenceOptions
            {
                Particles = parse.GetValue(particles),
                Smoothing = parse.GetValue(smoothing) switch { "conditional" => Smoothing.Conditional, "marginal" => Smoothing.Marginal, _ => Smoothing.None },
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
            },
            parse.GetValue(json),
            preprocessing.Read(parse) with { AllowMissing = true }))));
        return command;
    }

    private static int Run(CliContext context, InferOptions options)
    {
        CommonOptions.RequireExtension(options.Out, ".npz", "--out");
        options.Inference.Validate();
        new OutputPlan()
            .Reads(options.ModelDirectory, "--model")
            .Reads(options.DataPath, "--data")
            .WritesFile(options.Out, "--out")
            .WritesFile(options.JsonPath, "--json")
            .Check();
        var stored = ModelStore.Load(options.ModelDirectory);
        Recording recording = RecordingPreprocessing.LoadForModel(options.DataPath, stored.Preprocessing, options.Preprocessing, $"model '{options.ModelDirectory}'");
        SequenceSet data = recording.Data;
        ObservationData.Check(stored.Model.Options, data, recording.ChannelNames, $"recording '{options.DataPath}'");
        Posterior posterior = PosteriorInference.Infer(stored.Model, data, options.Inference, data.Count > 1 ? context.CreateProgress() : null);

        int n = posterior.Trials, t = posterior.Steps;
        Npz.Write(
            options.Out,
            [
                new("latents_mean", NdArray.Create(posterior.LatentsMean, n, t, posterior.Rank)),
                new("latents_sd", NdArray.Create(posterior.LatentsSd, n, t, posterior.Rank)),
                new("rates", NdArray.Create(posterior.Rates, n, t, posterior.Channels)),
                new("log_evidence", NdArray.Create(posterior.LogEvidence, n, t)),
                new("log_likelihood", NdArray.Create(posterior.LogLikelihood, n)),
            ],
            DType.Float64);

        string smoothing = options.Inference.Smoothing.ToString().ToLowerInvariant();
        double total = posterior.LogLikelihood.Sum();
        TextWriter output = context.Output;
        if (SpikeBinningOptions.Describe(recording) is { } binning)
        {
            output.WriteLine(binning);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"inferred the latents of {n} trial(s) of {t} steps: {options.Inference.Particles} particles, {ModelNames.Of(posterior.Proposal)} proposal, smoothing {smoothing}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"log-likelihood {total:0.000} ({total / (n * (double)t):0.0000} per step)"));
        output.WriteLine($"wrote {options.Out}: latents_mean, latents_sd [{n},{t},{posterior.Rank}], rates [{n},{t},{posterior.Channels}], log_evidence [{n},{t}], log_likelihood [{n}]");
        if (options.JsonPath is not null)
        {
            JsonFile.Write(options.JsonPath, new InferReport(
                Path.GetFullPath(options.ModelDirectory), Path.GetFullPath(options.DataPath), Path.GetFullPath(options.Out), n, t,
                options.Inference.Particles, ModelNames.Of(posterior.Proposal), smoothing, options.Inference.Seed, total, posterior.LogLikelihood));
        }

        return ExitCodes.Success;
    }

    /// <summary>What <c>--json</c> receives.</summary>
    private sealed record InferReport(
        string Model, string Data, string Posterior, int Trials, int Steps, int Particles, string Proposal, string Smoothing, long Seed, double LogLikelihood, IReadOnlyList<double> LogLikelihoodPerTrial);
}
