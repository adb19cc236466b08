using System.CommandLine;
using System.Globalization;
using LowRank.Data;
using LowRank.Fitting;
using LowRank.Formats;
using LowRank.Model;
using LowRank.Plotting;
using LowRank.Smc;
using LowRank.Training;

namespace LowRank.Cli.Commands;

/// <summary>What <c>lowrank fit</c> was asked to do: the resolved recipe (preset, then explicit options) and the files.</summary>
internal sealed record FitOptions(string DataPath, string Out, FitSettings Settings, bool Resume, string? JsonPath, PreprocessingRequest Preprocessing);

/// <summary>
/// <c>lowrank fit --data FILE --out DIR</c>: fits a stochastic low-rank RNN by variational SMC and writes
/// a model directory (model.json, params.npz, training-summary.json, learning-curve.png).
/// </summary>
internal static class FitCommand
{
    public const string SummaryFile = "training-summary.json";

    public const string CurveFile = "learning-curve.png";

    /// <summary>Test hook: behave as if Ctrl+C were pressed once this many epochs are complete.</summary>
    internal static int? InterruptAfterEpoch { get; set; }

    public static Command Create(CliContext context)
    {
        FitSettings d = FitPresets.Default;
        var data = new Option<string>("--data") { Description = "Recording to fit (.npy, .npz, .csv, .edf): [T, X] continuous, or [trials, T, X]; or spike times (.nwb, an npz of spike_times and spike_units) with --bin-width.", Required = true };
        var output = new Option<string>("--out") { Description = "Model directory to write (replaced when the fit ends).", Required = true };
        var preset = new Option<string?>("--preset") { Description = $"Start from a named recipe (eeg: the published EEG model and objective, rate decaying to {FitPresets.EegFinalLearningRate:0.#e0}, best of {FitPresets.EegStarts} starts; hippocampus: the published rat CA1 spiking model, Poisson with softplus link and the CNN encoder proposal, K = 64, batches of 64 windows of 100 steps, last 29 % held out); explicit options override it." };
        preset.AcceptOnlyFromAmong([.. FitPresets.Names]);
        var rank = new Option<int?>("--rank") { Description = $"Rank R. [default: {d.Model.Rank}]" };
        var units = new Option<int?>("--units") { Description = $"Units N. [default: {d.Model.Units}]" };
        var particles = new Option<int?>("--particles") { Description = $"Particles K. [default: {d.Objective.Particles}]" };
        var batch = new Option<int?>("--batch") { Description = $"Sequences B per gradient step. [default: {d.Trainer.BatchSize}]" };
        var window = new Option<int?>("--window") { Description = $"Window length T cut from a continuous recording. [default: {d.Trainer.WindowLength}]" };
        var windows = new Option<int?>("--windows") { Description = $"Windows per epoch (continuous recording). [default: {d.Trainer.WindowsPerEpoch}]" };
        var epochs = new Option<int?>("--epochs") { Description = $"Epochs. [default: {d.Trainer.Epochs}]" };
        var lr = new Option<double?>("--lr") { Description = $"Initial learning rate. [default: {d.Trainer.LearningRate:0.#e0}]" };
        var lrEnd = new Option<double?>("--lr-end") { Description = $"Final learning rate (exponential decay). [default: {d.Trainer.FinalLearningRate:0.#e0}]" };
        var clip = new Option<double?>("--clip") { Description = "Clip the gradient norm at this value. [default: no clipping]" };
        var proposal = Choice<ProposalKind>("--proposal", $"Proposal: optimal (Gaussian, linear readout), bootstrap, or encoder (a convolutional encoder of the observations, trained with the model). [default: {ModelNames.Of(d.Objective.Proposal)} for gaussian, bootstrap for poisson]");
        var encoderKernels = new Option<string?>("--encoder-kernels") { Description = "Encoder kernel sizes per layer, comma-separated. [default: 25,11,1]" };
        var encoderChannels = new Option<string?>("--encoder-channels") { Description = "Encoder channels of every layer but the last (whose 2R outputs are the mean and log-variance). [default: 128,64]" };
        var encoderActivation = Choice<LowRank.Encoders.EncoderActivation>("--encoder-activation", "Encoder nonlinearity between layers: gelu or leaky_relu (slope 0.1). [default: gelu]");
        var encoderPadding = Choice<LowRank.Encoders.EncoderPadding>("--encoder-padding", "Encoder padding: causal (step t sees steps up to t), acausal (t and later) or centred. [default: causal]");
        var likelihood = Choice<Likelihood>("--likelihood", $"Observation likelihood: gaussian (continuous signals) or poisson (spike counts per bin). [default: {ModelNames.Of(d.Model.Likelihood)}]");
        var link = Choice<Link>("--link", "Link g from the linear predictor to the Poisson rate: exp, softplus (+1e-6) or relu (+1e-10); gaussian takes identity. [default: identity for gaussian, softplus for poisson]");
        var readout = Choice<Readout>("--readout", $"What the observations read: latent (g(C z + d)), rates or currents (one channel per unit, g(c ⊙ s + d); pass --units equal to the channels). [default: {ModelNames.Of(d.Model.Readout)}]");
        var resampling = Choice<ResamplingScheme>("--resampling", $"Resampling scheme. [default: {ModelNames.Of(d.Objective.Resampling)}]");
        var activation = Choice<Activation>("--activation", $"Unit nonlinearity. [default: {ModelNames.Of(d.Model.Activation)}]");
        var noise = Choice<NoiseShape>("--noise", $"Shape of Σz and Σ0. [default: {ModelNames.Of(d.Model.TransitionNoise)}]");
        var evaluateEvery = new Option<int?>("--evaluate-every") { Description = $"Evaluate the objective on fixed windows every n epochs (0: never). [default: {d.Trainer.EvaluateEvery}]" };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = $"Write a checkpoint every n epochs. [default: {d.Trainer.CheckpointEvery}]" };
        var starts = new Option<int?>("--starts") { Description = $"Fit this many starts (seeds derived from --seed) side by side and keep the one whose generated series best match the training data (D_stsp). [default: {d.Starts}; {FitPresets.EegStarts} with --preset eeg]" };
        var holdout = new Option<double?>("--holdout") { Description = "Fit on the first part only, holding out this fraction at the end (e.g. 0.2)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the interrupted fit whose checkpoint is in --out (bit-identical to an uninterrupted fit)." };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var preprocessing = PreprocessingOptions.ForFit();
        var command = new Command("fit", "Fit a stochastic low-rank RNN to a recording by variational SMC.")
        {
            data, output, preset, rank, units, particles, batch, window, windows, epochs, lr, lrEnd, clip, proposal, resampling,
            likelihood, link, readout, encoderKernels, encoderChannels, encoderActivation, encoderPadding, activation, noise, evaluateEvery, checkpointEvery, starts, holdout, resume, seed, threads, json,
        };
        preprocessing.AddTo(command);
        command.SetAction(parse => context.Execute(() =>
        {
            FitSettings baseRecipe = parse.GetValue(preset) is string name ? FitPresets.Get(name) : FitPresets.Default;
            NoiseShape? noiseShape = Parse<NoiseShape>(parse.GetValue(noise), "noise shape");
            Likelihood likelihoodKind = Parse<Likelihood>(parse.GetValue(likelihood), "likelihood") ?? baseRecipe.Model.Likelihood;
            bool likelihoodChanged = likelihoodKind != baseRecipe.Model.Likelihood;
            ModelOptions model = baseRecipe.Model with
            {
                Likelihood = likelihoodKind,
                Link = Parse<Link>(parse.GetValue(link), "link") ?? (likelihoodChanged ? DefaultLink(likelihoodKind) : baseRecipe.Model.Link),
                Readout = Parse<Readout>(parse.GetValue(readout), "readout") ?? baseRecipe.Model.Readout,
                Rank = parse.GetValue(rank) ?? baseRecipe.Model.Rank,
                Units = parse.GetValue(units) ?? baseRecipe.Model.Units,
                Activation = Parse<Activation>(parse.GetValue(activation), "activation") ?? baseRecipe.Model.Activation,
                TransitionNoise = noiseShape ?? baseRecipe.Model.TransitionNoise,
                InitialNoise = noiseShape ?? baseRecipe.Model.InitialNoise,
            };
            ProposalKind proposalKind = Parse<ProposalKind>(parse.GetValue(proposal), "proposal")
                ?? (likelihoodChanged && likelihoodKind == Likelihood.Poisson ? ProposalKind.Bootstrap : baseRecipe.Objective.Proposal);
            model = model with { Encoder = EncoderOf(parse, proposalKind, model.Encoder, encoderKernels, encoderChannels, encoderActivation, encoderPadding) };
            VsmcOptions objective = baseRecipe.Objective with
            {
                Particles = parse.GetValue(particles) ?? baseRecipe.Objective.Particles,
                Proposal = proposalKind,
                Resampling = Parse<ResamplingScheme>(parse.GetValue(resampling), "resampling scheme") ?? baseRecipe.Objective.Resampling,
                Threads = parse.GetValue(threads),
            };
            FitTrainerSettings trainer = baseRecipe.Trainer with
            {
                Epochs = parse.GetValue(epochs) ?? baseRecipe.Trainer.Epochs,
                BatchSize = parse.GetValue(batch) ?? baseRecipe.Trainer.BatchSize,
                WindowLength = parse.GetValue(window) ?? baseRecipe.Trainer.WindowLength,
                WindowsPerEpoch = parse.GetValue(windows) ?? baseRecipe.Trainer.WindowsPerEpoch,
                LearningRate = parse.GetValue(lr) ?? baseRecipe.Trainer.LearningRate,
                FinalLearningRate = parse.GetValue(lrEnd) ?? baseRecipe.Trainer.FinalLearningRate,
                ClipNorm = parse.GetValue(clip) ?? baseRecipe.Trainer.ClipNorm,
                EvaluateEvery = parse.GetValue(evaluateEvery) ?? baseRecipe.Trainer.EvaluateEvery,
                CheckpointEvery = parse.GetValue(checkpointEvery) ?? baseRecipe.Trainer.CheckpointEvery,
                Seed = parse.GetValue(seed),
            };
            return Run(context, new FitOptions(
                parse.GetValue(data)!,
                parse.GetValue(output)!,
                baseRecipe with { Model = model, Objective = objective, Trainer = trainer, Holdout = parse.GetValue(holdout) ?? baseRecipe.Holdout, Starts = parse.GetValue(starts) ?? baseRecipe.Starts },
                parse.GetValue(resume),
                parse.GetValue(json),
                preprocessing.Read(parse) with { AllowMissing = true }));
        }));
        return command;
    }

    /// <summary>
    /// The encoder of a fit: the recipe's (or the published default) with the encoder flags applied when the proposal is
    /// the encoder; none otherwise, where an encoder flag is an error.
    /// </summary>
    private static LowRank.Encoders.EncoderOptions? EncoderOf(
        System.CommandLine.ParseResult parse, ProposalKind proposal, LowRank.Encoders.EncoderOptions? recipe,
        Option<string?> kernels, Option<string?> channels, Option<string?> activation, Option<string?> padding)
    {
        string? given = new[] { kernels, channels, activation, padding }.FirstOrDefault(o => parse.GetValue(o) is not null)?.Name;
        if (proposal != ProposalKind.Encoder)
        {
            if (given is not null)
            {
                throw new InputException($"{given} shapes the encoder of the encoder proposal, but the proposal is {ModelNames.Of(proposal)}.", $"add --proposal encoder, or drop {given}.");
            }

            return null;
        }

        LowRank.Encoders.EncoderOptions encoder = recipe ?? new LowRank.Encoders.EncoderOptions();
        return encoder with
        {
            KernelSizes = parse.GetValue(kernels) is string k ? CommonOptions.ParseIntegers(k, "--encoder-kernels") : encoder.KernelSizes,
            Channels = parse.GetValue(channels) is string c ? CommonOptions.ParseIntegers(c, "--encoder-channels") : encoder.Channels,
            Activation = Parse<LowRank.Encoders.EncoderActivation>(parse.GetValue(activation), "encoder activation") ?? encoder.Activation,
            Padding = Parse<LowRank.Encoders.EncoderPadding>(parse.GetValue(padding), "encoder padding") ?? encoder.Padding,
        };
    }

    /// <summary>The link a likelihood takes when none is given: identity for Gaussian, softplus (the published spiking fits) for Poisson.</summary>
    private static Link DefaultLink(Likelihood likelihood) => likelihood == Likelihood.Gaussian ? Link.Identity : Link.Softplus;

    private static int Run(CliContext context, FitOptions options)
    {
        FitSettings settings = options.Settings;
        settings.Validate();
        string checkpoint = Path.Combine(options.Out, ModelStore.CheckpointFile);
        new OutputPlan()
            .Reads(options.DataPath, "--data")
            .WritesDirectory(options.Out, "--out", ModelStore.OutputKind)
            .WritesFile(options.JsonPath, "--json")
            .Check();
        string[] checkpoints = [.. Enumerable.Range(0, settings.Starts).Select(k => StartSelection.CheckpointOf(checkpoint, k))];
        if (options.Resume && !checkpoints.Skip(1).Any(File.Exists))
        {
            _ = TrainingCheckpoint.Read(checkpoint); // a checkpoint to resume must be there: a clear error if not
        }

        (Recording recording, RecordingPreprocessing? preprocessing) = RecordingPreprocessing.LoadForFit(options.DataPath, options.Preprocessing, settings.Holdout);
        FitPresets.CheckData(settings, recording);
        ObservationData.Check(settings.Model, recording.Data, recording.ChannelNames, $"recording '{options.DataPath}'");
        SequenceSet data = recording.Data;
        using var stop = new StopSignals();
        MultiStartFit fitted;
        try
        {
            var progress = new InterruptingProgress(context.CreateProgress(), InterruptAfterEpoch, stop);
            fitted = StartSelection.Fit(data, settings, checkpoint, options.Resume, progress, stop.Token);
        }
        catch (OperationCanceledException) when (stop.Requested)
        {
            if (settings.Starts == 1)
            {
                context.Error.WriteLine($"stopped by {stop.Name} after epoch {TrainingCheckpoint.Read(checkpoint).Epoch}: the checkpoint is in '{checkpoint}'.");
            }
            else
            {
                string epochs = string.Join(", ", checkpoints.Select(p => File.Exists(p) ? TrainingCheckpoint.Read(p).Epoch : 0));
                context.Error.WriteLine($"stopped by {stop.Name} after epochs {epochs} of the {settings.Starts} starts: their checkpoints are in '{options.Out}'.");
            }

            context.Error.WriteLine("  continue with the same command and --resume.");
            return stop.ExitCode;
        }

        FitResult fit = fitted.Fit;
        TrainingSummary summary = fit.Training.Summary;
        ModelStore.Save(
            options.Out,
            fit.Model,
            CliProvenance.Create(options.DataPath, settings.Trainer.Seed),
            FitRecord.From(settings, fit, SummaryFile, CurveFile, fitted.Starts),
            temp =>
            {
                JsonFile.Write(Path.Combine(temp, SummaryFile), TrainingSummaryDocument.From(summary, fit.Training.ResumedFromEpoch));
                TrainingPlots.SaveLearningCurve(Path.Combine(temp, CurveFile), summary, $"fit of {Path.GetFileName(options.DataPath)}");
            },
            preprocessing);

        TextWriter output = context.Output;
        foreach (RollbackEvent rollback in summary.Rollbacks)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"note: {rollback.Reason} in epoch {rollback.Epoch + 1}, batch {rollback.Batch + 1}: rolled back to epoch {rollback.RestoredEpoch} and halved the learning rate (now {rollback.LearningRateScale:0.###} of the schedule)."));
        }

        ModelOptions m = fit.Options;
        string split = fit.Split is { } s ? $" (first {s.TrainEnd} of {s.Count} {s.Unit}; the last {s.Count - s.TrainEnd} held out)" : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fitted a rank-{m.Rank} network of {m.Units} units to {m.Channels} channels of '{options.DataPath}'{split}"));
        if (SpikeBinningOptions.Describe(recording) is { } binning)
        {
            output.WriteLine($"{binning} (stored in {ModelStore.ModelFile}, used again for later spike times)");
        }

        if (preprocessing?.ZScore is { } z)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"z-scored each channel by its mean and sd over {z.Samples} {(data.IsContinuous ? "steps" : "time points")}{(settings.Holdout is null ? "" : " of the training part")} (stored in {ModelStore.ModelFile}, applied to later data)"));
        }

        if (fitted.Starts is { } chosen)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{chosen.Scores.Count} starts in {chosen.WallSeconds:0.0} s, each scored by D_stsp of {StartSelection.SelectionSeries} generated series against the training data (D_H shown, not used):"));
            foreach (StartScore start in chosen.Scores)
            {
                string mark = start.Start == chosen.Chosen ? "  <- kept" : "";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  start {start.Start + 1} (seed {start.Seed}): d_stsp {start.DStsp:0.000}  d_h {start.DH:0.0000}  final objective {start.FinalObjective:0.0000}{mark}"));
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{summary.Epochs} epochs in {summary.TotalWallSeconds:0.0} s; final objective {summary.Objective[^1]:0.0000} per step"));

        // With a held-out part, the evaluation after the last epoch scores the returned parameters on it.
        double? heldOut = fit.Split is not null && summary.Evaluations.Count > 0 && summary.Evaluations[^1].Epoch == summary.Epochs
            ? summary.Evaluations[^1].Value
            : null;
        if (heldOut is double h)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"held-out objective {h:0.0000} per step (the fixed evaluation windows of the held-out part, after the last epoch)"));
        }

        output.WriteLine($"wrote {options.Out}: {ModelStore.ModelFile}, {ModelStore.ParametersFile}, {SummaryFile}, {CurveFile}");
        if (options.JsonPath is not null)
        {
            JsonFile.Write(options.JsonPath, new FitReport(Path.GetFullPath(options.Out), summary.Epochs, summary.Objective[^1], summary.TotalWallSeconds, summary.Rollbacks.Count, fit.Split, heldOut, settings.Starts, fitted.Starts?.Chosen, fitted.Starts?.Scores));
        }

        return ExitCodes.Success;
    }

    private static Option<string?> Choice<TEnum>(string name, string description)
        where TEnum : struct, Enum
    {
        var option = new Option<string?>(name) { Description = description };
        option.AcceptOnlyFromAmong([.. ModelNames.All<TEnum>()]);
        return option;
    }

    private static TEnum? Parse<TEnum>(string? text, string what)
        where TEnum : struct, Enum =>
        text is null ? null : ModelNames.Parse<TEnum>(text, what);

    /// <summary>Passes progress on, and requests a stop once <c>stopAfter</c> epochs are complete (test hook for Ctrl+C).</summary>
    private sealed class InterruptingProgress(IProgressSink inner, int? stopAfter, StopSignals stop) : IProgressSink
    {
        public void Report(in ProgressUpdate update)
        {
            inner.Report(update);
            if (update.Stage == "epoch" && update.Done == stopAfter)
            {
                stop.Request(System.Runtime.InteropServices.PosixSignal.SIGINT);
            }
        }
    }

    /// <summary>What <c>--json</c> receives.</summary>
    private sealed record FitReport(string Model, int Epochs, double FinalObjective, double WallSeconds, int Rollbacks, HeldOutSplit? Holdout, double? HeldOutObjective, int Starts, int? ChosenStart, IReadOnlyList<StartScore>? StartScores);
}
