namespace LowRank.Cli;

public static class Program
{
    public static int Main(string[] args) =>
        // Progress is drawn on stderr, so stderr decides: 'lowrank fit … 2> log' gets plain lines, not a redrawn bar.
        CliApp.Run(args, Console.Out, Console.Error, isTerminal: !Console.IsErrorRedirected);
}
