using System.CommandLine;
using LowRank.Data;
using LowRank.Formats;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Simulation;
using LowRank.Smc;

namespace LowRank.Cli.Commands;

/// <summary>Options of <c>lowrank generate</c>.</summary>
internal sealed record GenerateOptions(string ModelDirectory, SimulationOptions Simulation, string? InputsPath, string? DataPath, string Out, PreprocessingRequest Preprocessing);

/// <summary><c>lowrank generate</c>: new data from a saved model.</summary>
internal static class GenerateCommand
{
    private static readonly Dictionary<string, InitialStateMode> InitModes = new()
    {
        ["prior-sample"] = InitialStateMode.PriorSample,
        ["prior-mean"] = InitialStateMode.PriorMean,
        ["posterior-sample"] = InitialStateMode.PosteriorSample,
        ["posterior-mean"] = InitialStateMode.PosteriorMean,
    };

    /// <summary>Seed stream of the posterior draws of z_0 (trial i uses stream base + i).</summary>
    private const long PosteriorStream = 3L << 40;

    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "Model directory (from fit, or simulate --model-out).", Required = true };
        var steps = new Option<int?>("--steps") { Description = "Recorded time steps T per trial. [default: the --inputs file's T, else 1000]" };
        var trials = new Option<int?>("--trials") { Description = "Number of trials. [default: the --inputs file's trials, else 1]" };
        var burnIn = new Option<int>("--burn-in") { Description = "Steps simulated (with zero input) before recording.", DefaultValueFactory = _ => 0 };
        var init = new Option<string>("--init") { Description = "Initial state: prior-sample, prior-mean, or posterior-sample / posterior-mean given the first observation of --data.", DefaultValueFactory = _ => "prior-sample" };
        init.AcceptOnlyFromAmong([.. InitModes.Keys]);
        var noiseScale = new Option<double>("--noise-scale") { Description = "Scale of the latent noise (1 = fitted level, 0 = deterministic flow).", DefaultValueFactory = _ => 1.0 };
        var inputs = new Option<string?>("--inputs") { Description = "Raw inputs u [trials, T, U] (required when the model has inputs): a .npy, or an .npz with an 'inputs' array (e.g. from simulate --teacher-model; its 'condition' per trial is copied to --out)." };
        var data = new Option<string?>("--data") { Description = "Recording whose first observation sets the posterior initial state (trial i uses data trial i mod trials); spike times are binned as the model stores." };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var output = new Option<string>("--out") { Description = "Output .npz (samples, latents, rates, inputs).", Required = true };
        var preprocessing = PreprocessingOptions.ForModel();
        var command = new Command("generate", "Generate samples, latents and rates from a saved model.")
        {
            model, steps, trials, burnIn, init, noiseScale, inputs, data, seed, threads, output,
        };
        preprocessing.AddTo(command);
        command.SetAction(parse => context.Execute(() => Run(context, new GenerateOptions(
            parse.GetValue(model)!,
            new SimulationOptions
            {
                Steps = parse.GetValue(steps) ?? 0,
                Trials = parse.GetValue(trials) ?? 0,
                BurnIn = parse.GetValue(burnIn),
                Initial = InitModes[parse.GetValue(init)!],
                NoiseScale = parse.GetValue(noiseScale),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
            },
            parse.GetValue(inputs),
            parse.GetValue(data),
            parse.GetValue(output)!,
            preprocessing.Read(parse)))));
        return command;
    }

    private static int Run(CliContext context, GenerateOptions options)
    {
        CommonOptions.RequireExtension(options.Out, ".npz", "--out");
        new OutputPlan()
            .Reads(options.ModelDirectory, "--model")
            .Reads(options.InputsPath, "--inputs")
            .Reads(options.DataPath, "--data")
            .WritesFile(options.Out, "--out")
            .Check();
        (NdArray? inputArray, double[]? conditions) = ReadInputFile(options.InputsPath);
        options = options with
        {
            Simulation = options.Simulation with
            {
                Trials = options.Simulation.Trials > 0 ? options.Simulation.Trials : inputArray?.Shape[0] ?? 1,
                Steps = options.Simulation.Steps > 0 ? options.Simulation.Steps : inputArray?.Shape[1] ?? 1000,
            },
        };
        options.Simulation.Validate();
        PreprocessingRequest p = options.Preprocessing;
        if (options.DataPath is null && (p.Channels is not null || p.ZScore || p.Preprocessed))
        {
            throw new InputException("--channels, --zscore and --preprocessed say how to read --data, but no --data was given.", "drop them, or pass --data FILE with --init posterior-sample.");
        }

        if (options.DataPath is null && p.Binning is not null)
        {
            throw new InputException("--bin-width (with --start, --stop, --align-trials) says how to bin the spike times of --data, but no --data was given.", "drop them, or pass --data FILE with --init posterior-sample.");
        }

        var stored = ModelStore.Load(options.ModelDirectory);
        LowRankRnn model = stored.Model;
        double[]? inputs = CheckInputs(options, model, inputArray);
        double[]? initialStates = PosteriorInitialStates(options, model, stored.Preprocessing, context.Output);
        SimulationResult result = Simulator.Run(model, options.Simulation, inputs, initialStates);
        SimulationWriter.Write(options.Out, result, conditions);
        context.Output.WriteLine($"wrote {options.Out}: {SimulationWriter.Describe(result)}");
        return ExitCodes.Success;
    }

    /// <summary>z_0 per trial from the posterior given the first observation of data trial (i mod trials).</summary>
    private static double[]? PosteriorInitialStates(GenerateOptions options, LowRankRnn model, RecordingPreprocessing? preprocessing, TextWriter output)
    {
        InitialStateMode mode = options.Simulation.Initial;
        bool posterior = mode is InitialStateMode.PosteriorSample or InitialStateMode.PosteriorMean;
        if (!posterior)
        {
            if (options.DataPath is not null)
            {
                throw new InputException("--data is only used with --init posterior-sample or posterior-mean.", "drop --data, or pass --init posterior-sample.");
            }

            return null;
        }

        if (options.DataPath is null)
        {
            throw new InputException("--init posterior-* needs the recording whose first observation conditions the initial state.", "pass --data FILE (the recording the model was fitted to).");
        }

        Recording recording = RecordingPreprocessing.LoadForModel(options.DataPath, preprocessing, options.Preprocessing with { AllowMissing = true }, $"model '{options.ModelDirectory}'");
        if (SpikeBinningOptions.Describe(recording) is { } binning)
        {
            output.WriteLine(binning);
        }

        if (recording.Channels != model.Channels)
        {
            throw new InputException(
                $"recording '{options.DataPath}' has {recording.Channels} channels but model '{options.ModelDirectory}' expects {model.Channels}.",
                "pass the recording the model was fitted to.");
        }

        if (recording.Inputs != model.Inputs)
        {
            throw new InputException(
                $"recording '{options.DataPath}' has {recording.Inputs} inputs but model '{options.ModelDirectory}' expects {model.Inputs}.",
                "pass the recording the model was fitted to.");
        }

        int r = model.Rank, x = model.Channels, u = model.Inputs, steps = recording.Steps;
        var states = new double[options.Simulation.Trials * r];
        for (int trial = 0; trial < options.Simulation.Trials; trial++)
        {
            int source = trial % recording.Trials;
            ReadOnlySpan<double> y0 = recording.Data.ObservationsOf(source)[..x];
            ReadOnlySpan<double> u0 = u > 0 ? recording.Data.InputsOf(source)[..u] : [];
            InitialPosterior posteriorOfZ0 = ParticleFilter.PosteriorOfInitialState(model, y0, u0, options.Simulation.Seed + PosteriorStream + trial);
            double[] z0 = mode == InitialStateMode.PosteriorMean
                ? posteriorOfZ0.Mean
                : posteriorOfZ0.Sample(Rng.Create(options.Simulation.Seed, PosteriorStream + trial));
            z0.CopyTo(states, trial * r);
        }

        return states;
    }

    /// <summary>The --inputs array (a .npy, or an .npz's 'inputs') and, from an .npz, its 'condition' per trial.</summary>
    private static (NdArray? Inputs, double[]? Conditions) ReadInputFile(string? path)
    {
        if (path is null)
        {
            return (null, null);
        }

        if (!path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
        {
            return (Npy.Read(path), null);
        }

        var arrays = Npz.Read(path);
        NdArray inputs = Npz.RequireArray(
            arrays, "inputs", path, "pass an .npz with inputs [trials, T, U], such as simulate --teacher-model writes, or a .npy of them.", $"--inputs '{path}'");

        if (!arrays.TryGetValue("condition", out NdArray? condition))
        {
            return (inputs, null);
        }

        if (condition.Shape.Length != 1 || inputs.Shape.Length < 1 || condition.Shape[0] != inputs.Shape[0])
        {
            throw new InputException(
                $"--inputs '{path}' has 'condition' of shape {NdArray.FormatShape(condition.Shape)} for 'inputs' of shape {NdArray.FormatShape(inputs.Shape)}.",
                "give one condition per trial of the inputs, or leave 'condition' out.");
        }

        return (inputs, condition.Data);
    }

    private static double[]? CheckInputs(GenerateOptions options, LowRankRnn model, NdArray? array)
    {
        int trials = options.Simulation.Trials, steps = options.Simulation.Steps, u = model.Inputs;
        if (u == 0)
        {
            if (options.InputsPath is not null)
            {
                throw new InputException($"--inputs '{options.InputsPath}' was given but model '{options.ModelDirectory}' has no inputs.", "drop --inputs for an autonomous model.");
            }

            return null;
        }

        if (options.InputsPath is null)
        {
            throw new InputException(
                $"model '{options.ModelDirectory}' has {u} inputs but no --inputs file was given.",
                $"pass --inputs FILE.npy with shape [{trials}, {steps}, {u}] (trials, steps, inputs).");
        }

        if (array!.Shape.Length == 3 && array.Shape[2] != u)
        {
            throw new InputException(
                $"--inputs '{options.InputsPath}' has {array.Shape[2]} inputs per step (shape {NdArray.FormatShape(array.Shape)}) but model '{options.ModelDirectory}' was fitted with U = {u}.",
                $"pass inputs [trials, steps, {u}] laid out as the inputs of the data the model was fitted to.");
        }

        if (!array.Shape.AsSpan().SequenceEqual([trials, steps, u]))
        {
            throw new InputException(
                $"--inputs '{options.InputsPath}' has shape {NdArray.FormatShape(array.Shape)} but [trials, steps, inputs] = [{trials}, {steps}, {u}] is needed.",
                "match --trials and --steps to the input file, or reshape it.");
        }

        for (int i = 0; i < array.Data.Length; i++)
        {
            if (!double.IsFinite(array.Data[i]))
            {
                throw new InputException($"--inputs '{options.InputsPath}' contains {array.Data[i]} at flat index {i}.", "replace NaN and infinite values before generating.");
            }
        }

        return array.Data;
    }
}
