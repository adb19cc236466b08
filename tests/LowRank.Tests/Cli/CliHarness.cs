using LowRank.Cli;

namespace LowRank.Tests.Cli;

/// <summary>Runs the <c>lowrank</c> command in-process with captured output.</summary>
public static class CliHarness
{
    public static CliResult Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error, isTerminal: false);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}

public sealed record CliResult(int ExitCode, string Output, string Error);
