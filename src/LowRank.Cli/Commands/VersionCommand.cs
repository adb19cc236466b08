using System.CommandLine;
using System.Reflection;

namespace LowRank.Cli.Commands;

/// <summary><c>lowrank version</c>: prints the tool and runtime versions.</summary>
internal static class VersionCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("version", "Print the lowrank and .NET runtime versions.");
        command.SetAction(_ => context.Execute(() =>
        {
            string version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
            context.Output.WriteLine($"lowrank {version} (.NET {Environment.Version}, {Environment.ProcessorCount} cores)");
            return ExitCodes.Success;
        }));
        return command;
    }
}
