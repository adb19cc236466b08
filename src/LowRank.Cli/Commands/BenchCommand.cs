using System.CommandLine;

namespace LowRank.Cli.Commands;

/// <summary>
/// <c>lowrank bench &lt;kernel&gt;</c>: timing of the library's hot paths, one JSON line each. Every
/// benchmark is a subcommand defined in its own <c>Bench…Command.cs</c> file, added here with one line.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context) =>
        new("bench", "Time the library's hot paths (one JSON line per benchmark).")
        {
            BenchVsmcCommand.Create(context),
            BenchFixedPointsCommand.Create(context),
            BenchLintCommand.Create(context),
            BenchMachineCommand.Create(context),
        };
}
