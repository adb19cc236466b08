using System.CommandLine;
using LowRank.Analysis.FixedPoints;
using LowRank.IO;

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
        var activation = new Option<string>("--activation") { Description = "Unit nonlinearity.", DefaultValueFactory = _ => "relu" };
        activation.AcceptOnlyFromAmong("relu", "clipped_relu");
        var seed = new Option<long>("--seed") { Description = "Seed of the random network.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Worker threads (-1: all cores).", DefaultValueFactory = _ => -1 };
        var json = new Option<string?>("--json") { Description = "Also write the result to this JSON file." };
        var command = new Command("fixed-points", "Time the exact fixed-point enumeration on a random self-exciting network.")
        {
            units, rank, activation, seed, threads, json,
        };
        command.SetAction(parse => context.Execute(() =>
        {
            var options = new FixedPointBenchmarkOptions(
                Positive(parse.GetValue(units), "--units"),
                Positive(parse.GetValue(rank), "--rank"),
                ParseActivation(parse.GetValue(activation)!),
                parse.GetValue(seed),
                parse.GetValue(threads));
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

    /// <summary>"relu" or "clipped_relu" (the option accepts nothing else).</summary>
    internal static PiecewiseActivation ParseActivation(string name) =>
        name == "clipped_relu" ? PiecewiseActivation.ClippedRelu : PiecewiseActivation.Relu;

    private static int Positive(int value, string name) =>
        value >= 1 ? value : throw new InputException($"{name} must be at least 1, got {value}.", $"pass a positive integer to {name}.");
}
