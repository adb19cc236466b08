using System.CommandLine;

namespace LowRank.Cli;

/// <summary>Documented exit codes of the <c>lowrank</c> command.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A failure we did not anticipate (a bug): the stack trace is printed.</summary>
    public const int InternalError = 1;

    /// <summary>Bad input the user can fix: one <c>error:</c> line and one <c>hint:</c> line.</summary>
    public const int BadInput = 2;

    /// <summary>A sweep that ended with runs failed or not run; <c>lowrank sweep status</c> gives the reasons, running it again retries them.</summary>
    public const int RunsFailed = 3;

    /// <summary>A fit stopped by Ctrl+C after writing its checkpoint (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>A fit stopped by SIGTERM (a Slurm time limit, <c>docker stop</c>) after writing its checkpoint (128 + SIGTERM).</summary>
    public const int Terminated = 143;
}

/// <summary>What every command needs from its host: where to write, and whether the error stream (where progress is drawn) is a live terminal.</summary>
public sealed class CliContext(TextWriter output, TextWriter error, bool isTerminal)
{
    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public bool IsTerminal { get; } = isTerminal;

    /// <summary>
    /// Runs a command body: an <see cref="InputException"/> becomes <c>error:</c>/<c>hint:</c> lines on
    /// stderr (settings named by their flags, <see cref="SettingFlags"/>) and exit code 2.
    /// </summary>
    public int Execute(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (InputException ex)
        {
            WriteInputError(SettingFlags.Message(ex), SettingFlags.Hint(ex));
            return ExitCodes.BadInput;
        }
    }

    public void WriteInputError(string message, string hint)
    {
        Error.WriteLine("error: " + message);
        Error.WriteLine("  hint: " + hint);
    }

    /// <summary>Progress display: a live bar on a terminal, plain lines otherwise.</summary>
    public IProgressSink CreateProgress() => new ConsoleProgress(Error, IsTerminal);
}

/// <summary>Builds the <c>lowrank</c> command tree and runs it in-process (tests inject the writers).</summary>
public static class CliApp
{
    public static int Run(string[] args, TextWriter output, TextWriter error, bool isTerminal = false)
    {
        var context = new CliContext(output, error, isTerminal);
        RootCommand root = BuildRoot(context);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            (string message, string hint) = ParseErrors.Describe(parse, CommandPath(parse));
            context.WriteInputError(message, hint);
            return ExitCodes.BadInput;
        }

        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand(
            "lowrank: fit, simulate and analyse low-rank recurrent neural networks of neural recordings.");
        foreach (Command command in CommandCatalog.Create(context))
        {
            root.Add(command);
        }

        return root;
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command is RootCommand ? "lowrank" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
