using System.CommandLine;
using LowRank.Cli.Commands;

namespace LowRank.Cli;

/// <summary>Every top-level command of <c>lowrank</c>; one line per command, defined in <c>Commands/</c>.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> Create(CliContext context) =>
    [
        DemoCommand.Create(context),
        SimulateCommand.Create(context),
        FitCommand.Create(context),
        GenerateCommand.Create(context),
        EvaluateCommand.Create(context),
        InferCommand.Create(context),
        DecodeCommand.Create(context),
        InspectCommand.Create(context),
        FixedPointsCommand.Create(context),
        TaskCommand.Create(context),
        LintCommand.Create(context),
        BenchCommand.Create(context),
        PopulationsCommand.Create(context),
        SweepCommand.Create(context),
        ReportCommand.Create(context),
        VersionCommand.Create(context),
    ];
}
