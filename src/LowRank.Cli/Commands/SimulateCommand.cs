using System.CommandLine;
using LowRank.Model;
using LowRank.Simulation;

namespace LowRank.Cli.Commands;

/// <summary>Options of <c>lowrank simulate</c>.</summary>
internal sealed record SimulateOptions(
    TeacherOptions Teacher, SimulationOptions Simulation, string Out, string? ModelOut);

/// <summary><c>lowrank simulate</c>: data from a built-in teacher network.</summary>
internal static class SimulateCommand
{
    public static Command Create(CliContext context)
    {
        var teacher = CommonOptions.Choice("--teacher", "Built-in teacher: oscillator (rank-2 limit cycle), ring (ring attractor driven by angular cues), random.", TeacherKind.Oscillator);
        var rank = new Option<int>("--rank") { Description = "Rank R (oscillator and ring are rank 2).", DefaultValueFactory = _ => 2 };
        var units = new Option<int>("--units") { Description = "Units N.", DefaultValueFactory = _ => 256 };
        var channels = new Option<int>("--channels") { Description = "Observed channels X.", DefaultValueFactory = _ => 16 };
        var activation = CommonOptions.Choice("--activation", "Unit nonlinearity.", Activation.ClippedRelu);
        var likelihood = CommonOptions.Choice("--likelihood", "Observation likelihood: gaussian or poisson (spike counts per bin).", Likelihood.Gaussian);
        var link = new Option<string?>("--link") { Description = "Link of the Poisson rate: exp, softplus or relu. [default: identity for gaussian, exp for poisson]" };
        link.AcceptOnlyFromAmong([.. ModelNames.All<Link>()]);
        var noise = new Option<double>("--latent-noise") { Description = "Latent noise standard deviation.", DefaultValueFactory = _ => 0.05 };
        var steps = new Option<int>("--steps") { Description = "Time steps T per trial.", DefaultValueFactory = _ => 1000 };
        var trials = new Option<int>("--trials") { Description = "Number of trials.", DefaultValueFactory = _ => 1 };
        var burnIn = new Option<int>("--burn-in") { Description = "Steps simulated before recording.", DefaultValueFactory = _ => 0 };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var output = new Option<string>("--out") { Description = "Output .npz (samples, latents, rates, inputs).", Required = true };
        var modelOut = new Option<string?>("--model-out") { Description = "Also save the teacher as a model directory." };

        var command = new Command("simulate", "Simulate data from a built-in teacher network (ground truth for teacher–student experiments).")
        {
            teacher, rank, units, channels, activation, likelihood, link, noise, steps, trials, burnIn, seed, threads, output, modelOut,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            long seedValue = parse.GetValue(seed);
            var options = new SimulateOptions(
                new TeacherOptions
                {
                    Kind = ModelNames.Parse<TeacherKind>(parse.GetValue(teacher)!, "teacher"),
                    Rank = parse.GetValue(rank),
                    Units = parse.GetValue(units),
                    Channels = parse.GetValue(channels),
                    Activation = ModelNames.Parse<Activation>(parse.GetValue(activation)!, "activation"),
                    Likelihood = ModelNames.Parse<Likelihood>(parse.GetValue(likelihood)!, "likelihood"),
                    Link = parse.GetValue(link) is string l ? ModelNames.Parse<Link>(l, "link") : null,
                    LatentNoise = parse.GetValue(noise),
                    Seed = seedValue,
                },
                new SimulationOptions
                {
                    Steps = parse.GetValue(steps),
                    Trials = parse.GetValue(trials),
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
