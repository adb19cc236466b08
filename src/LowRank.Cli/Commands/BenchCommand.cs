using System.CommandLine;

namespace LowRank.Cli.Commands;

/// <summary><c>lowrank bench …</c>: timings of library kernels on synthetic problems; one subcommand per kernel.</summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("bench", "Time library kernels on synthetic problems; each prints one JSON line.");
        foreach (Command subcommand in Subcommands(context))
        {
            command.Add(subcommand);
        }

        return command;
    }

    /// <summary>One line per benchmark, each defined in its own <c>Bench*Command.cs</c>.</summary>
    private static IEnumerable<Command> Subcommands(CliContext context) =>
    [
        BenchFixedPointsCommand.Create(context),
    ];
}
