using System.CommandLine;
using LowRank.Analysis.FixedPoints;
using LowRank.Cli.Benchmarks;
using LowRank.Formats;
using LowRank.Model;

namespace LowRank.Cli.Commands;

/// <summary>
/// <c>lowrank bench fixed-points</c>: exact fixed-point enumeration on a random self-exciting network;
/// prints <c>{"seconds":…,"cells":…,"fixed_points":…}</c>.
/// </summary>
internal static class BenchFixedPointsCommand
{
    public static Command Create(CliContext context)
    {
        var units = new Option<int>("--units") { Description = "Number of units N.", DefaultValueFactory = _ => 512 };
        var rank = new Option<int>("--rank") { Description = "Rank R (latent dimension).", DefaultValueFactory = _ => 3 };
        var activation = CommonOptions.Choice("--activation", "Unit nonlinearity.", PiecewiseActivation.Relu);
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("fixed-points", "Time the exact fixed-point enumeration on a random self-exciting network.")
        {
            units, rank, activation, seed, threads, json,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            var options = new FixedPointBenchmarkOptions(
                parse.GetValue(units),
                parse.GetValue(rank),
                ModelNames.Parse<PiecewiseActivation>(parse.GetValue(activation)!, "activation"),
                parse.GetValue(seed),
                parse.GetValue(threads));
            CommonOptions.RequirePositive(options.Units, "Units");
            CommonOptions.RequirePositive(options.Rank, "Rank");
            new OutputPlan().WritesFile(parse.GetValue(json), "--json").Check();
            FixedPointBenchmarkResult result = FixedPointBenchmark.Run(options);
            context.Output.WriteLine(JsonFile.Serialize(result, indented: false));
            if (parse.GetValue(json) is { } path)
            {
                JsonFile.Write(path, result);
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
