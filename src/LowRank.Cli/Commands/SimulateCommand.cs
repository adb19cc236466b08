using System.CommandLine;
using LowRank.Model;
using LowRank.RateNetworks;
using LowRank.Simulation;
using LowRank.Tasks;

namespace LowRank.Cli.Commands;

/// <summary>Options of <c>lowrank simulate</c>.</summary>
internal sealed record SimulateOptions(
    TeacherOptions Teacher, SimulationOptions Simulation, string Out, string? ModelOut);

/// <summary>Options of <c>lowrank simulate --teacher-model</c>.</summary>
internal sealed record SpikingTeacherRequest(string ModelDirectory, SpikingTeacherOptions Options, string Out);

/// <summary><c>lowrank simulate</c>: data from a built-in teacher network.</summary>
internal static class SimulateCommand
{
    public static Command Create(CliContext context)
    {
        var teacher = CommonOptions.Choice("--teacher", "Built-in teacher: oscillator (rank-2 limit cycle), ring (ring attractor driven by angular cues), random.", TeacherKind.Oscillator);
        var rank = new Option<int>("--rank") { Description = "Rank R (oscillator and ring are rank 2).", DefaultValueFactory = _ => 2 };
        var units = new Option<int>("--units") { Description = "Units N.", DefaultValueFactory = _ => 256 };
        var channels = new Option<int?>("--channels") { Description = $"Observed channels X (with --teacher-model: units observed through spike counts, drawn with --seed). [default: 16; {new SpikingTeacherOptions().Channels} with --teacher-model]" };
        var activation = CommonOptions.Choice("--activation", "Unit nonlinearity.", Activation.ClippedRelu);
        var likelihood = CommonOptions.Choice("--likelihood", "Observation likelihood: gaussian or poisson (spike counts per bin).", Likelihood.Gaussian);
        var link = new Option<string?>("--link") { Description = "Link of the Poisson rate: exp, softplus or relu. [default: identity for gaussian, exp for poisson]" };
        link.AcceptOnlyFromAmong([.. ModelNames.All<Link>()]);
        var noise = new Option<double>("--latent-noise") { Description = "Latent noise standard deviation.", DefaultValueFactory = _ => 0.05 };
        var steps = new Option<int>("--steps") { Description = "Time steps T per trial.", DefaultValueFactory = _ => 1000 };
        var trials = new Option<int?>("--trials") { Description = $"Number of trials (with --teacher-model: all conditions together, trial i under condition i mod C). [default: 1; {new SpikingTeacherOptions().Trials} with --teacher-model]" };
        var burnIn = new Option<int>("--burn-in") { Description = "Steps simulated before recording.", DefaultValueFactory = _ => 0 };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var output = new Option<string>("--out") { Description = "Output .npz (samples, latents, rates, inputs).", Required = true };
        var modelOut = new Option<string?>("--model-out") { Description = "Also save the teacher as a model directory." };
        var spikingDefaults = new SpikingTeacherOptions();
        var teacherModel = new Option<string?>("--teacher-model") { Description = "Use a rate network from 'lowrank task train' as the teacher: run its task's trials with state noise and observe --channels units through Poisson counts (writes samples, rates, inputs, targets, condition, units)." };
        var conditions = new Option<string?>("--conditions") { Description = "With --teacher-model: the trials' conditions, comma-separated (reach: target angles in degrees, e.g. 0,45,90); default: the task's own random trials." };
        var gain = new Option<double>("--gain") { Description = "With --teacher-model: λ = link(η0 + gain·φ) counts per bin, φ ∈ (−1, 1) a unit's rate.", DefaultValueFactory = _ => spikingDefaults.Gain };
        var baseline = new Option<double>("--baseline") { Description = "With --teacher-model: expected count per bin at φ = 0 (η0 = link⁻¹ of it).", DefaultValueFactory = _ => spikingDefaults.Baseline };
        var stateNoise = new Option<double?>("--state-noise") { Description = "With --teacher-model: σ of the per-step state noise. [default: the network's training noise]" };

        var command = new Command("simulate", "Simulate data from a built-in teacher network, or spike counts of a task-trained rate network (--teacher-model): ground truth for teacher–student experiments.")
        {
            teacher, rank, units, channels, activation, likelihood, link, noise, steps, trials, burnIn, seed, threads, output, modelOut,
            teacherModel, conditions, gain, baseline, stateNoise,
        };
        Option[] builtInOnly = [teacher, rank, units, activation, likelihood, noise, steps, burnIn, modelOut];
        Option[] teacherModelOnly = [conditions, gain, baseline, stateNoise];
        command.SetAction(parse => context.Execute(() =>
        {
            long seedValue = parse.GetValue(seed);
            if (parse.GetValue(teacherModel) is string modelDirectory)
            {
                if (builtInOnly.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } given)
                {
                    throw new InputException(
                        $"{given.Name} describes a built-in teacher, but --teacher-model runs a trained rate network.",
                        $"drop {given.Name}; the network, its task and its trials set the shape of the data.");
                }

                var request = new SpikingTeacherRequest(
                    modelDirectory,
                    new SpikingTeacherOptions
                    {
                        Conditions = parse.GetValue(conditions) is string list ? CommonOptions.ParseNumbers(list, "--conditions") : null,
                        Trials = parse.GetValue(trials) ?? spikingDefaults.Trials,
                        Channels = parse.GetValue(channels) ?? spikingDefaults.Channels,
                        Link = parse.GetValue(link) is string linkName ? ModelNames.Parse<Link>(linkName, "link") : spikingDefaults.Link,
                        Gain = parse.GetValue(gain),
                        Baseline = parse.GetValue(baseline),
                        StateNoise = parse.GetValue(stateNoise),
                        Seed = seedValue,
                        Threads = parse.GetValue(threads),
                    },
                    parse.GetValue(output)!);
                return RunTeacherModel(context, request);
            }

            if (teacherModelOnly.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } only)
            {
                throw new InputException($"{only.Name} applies to a trained teacher network only.", $"pass --teacher-model DIR (from lowrank task train), or drop {only.Name}.");
            }

            var options = new SimulateOptions(
                new TeacherOptions
                {
                    Kind = ModelNames.Parse<TeacherKind>(parse.GetValue(teacher)!, "teacher"),
                    Rank = parse.GetValue(rank),
                    Units = parse.GetValue(units),
                    Channels = parse.GetValue(channels) ?? 16,
                    Activation = ModelNames.Parse<Activation>(parse.GetValue(activation)!, "activation"),
                    Likelihood = ModelNames.Parse<Likelihood>(parse.GetValue(likelihood)!, "likelihood"),
                    Link = parse.GetValue(link) is string l ? ModelNames.Parse<Link>(l, "link") : null,
                    LatentNoise = parse.GetValue(noise),
                    Seed = seedValue,
                },
                new SimulationOptions
                {
                    Steps = parse.GetValue(steps),
                    Trials = parse.GetValue(trials) ?? 1,
                    BurnIn = parse.GetValue(burnIn),
                    Seed = seedValue + 1,
                    Threads = parse.GetValue(threads),
                },
                parse.GetValue(output)!,
                parse.GetValue(modelOut));
            return Run(context, options);
        }));
        return command;
    }

    private static int RunTeacherModel(CliContext context, SpikingTeacherRequest request)
    {
        CommonOptions.RequireExtension(request.Out, ".npz", "--out");
        request.Options.Validate();
        new OutputPlan().Reads(request.ModelDirectory, "--teacher-model").WritesFile(request.Out, "--out").Check();
        (RateNetwork network, RateNetworkDocument info) = RateNetworkStore.Load(request.ModelDirectory);
        string task = info.Task ?? throw new InputException(
            $"rate network '{request.ModelDirectory}' records no task, so its trials are unknown.",
            "pass a network trained with 'lowrank task train'.");
        SpikingTeacherResult result = SpikingTeacher.Run(network, CognitiveTask.Create(task), request.Options);
        SimulationWriter.Write(request.Out, result);
        context.Output.WriteLine($"wrote {request.Out}: {SimulationWriter.Describe(result)}");
        return ExitCodes.Success;
    }

    private static int Run(CliContext context, SimulateOptions options)
    {
        CommonOptions.RequireExtension(options.Out, ".npz", "--out");
        options.Simulation.Validate();
        new OutputPlan().WritesFile(options.Out, "--out").WritesDirectory(options.ModelOut, "--model-out", ModelStore.OutputKind).Check();
        LowRankRnn model = Teachers.Create(options.Teacher);
        Simulator.CheckSize(model, options.Simulation);
        double[]? inputs = model.Inputs > 0 ? Teachers.RingCues(options.Simulation.Trials, options.Simulation.Steps, options.Teacher.Seed + 2) : null;
        SimulationResult result = Simulator.Run(model, options.Simulation, inputs);
        SimulationWriter.Write(options.Out, result);
        context.Output.WriteLine($"wrote {options.Out}: {SimulationWriter.Describe(result)}");
        if (options.ModelOut is not null)
        {
            ModelStore.Save(options.ModelOut, model, CliProvenance.Create(seed: options.Teacher.Seed));
            context.Output.WriteLine($"wrote teacher model {options.ModelOut}");
        }

        return ExitCodes.Success;
    }
}
