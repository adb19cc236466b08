namespace LowRank.Tests.Cli;

public sealed class CliAppTests
{
    private const string Commands = "demo, simulate, fit, generate, evaluate, infer, decode, inspect, fixed-points, task, lint, bench, populations, sweep, report, version";

    [Theory]
    [InlineData(new[] { "frobnicate" }, "'lowrank' has no command 'frobnicate'.", "the commands are " + Commands + "; run 'lowrank --help'.")]
    [InlineData(new[] { "fitt" }, "'lowrank' has no command 'fitt'.", "did you mean 'fit'? Run 'lowrank --help' for the accepted options and values.")]
    [InlineData(new[] { "task", "trian" }, "'lowrank task' has no command 'trian'.", "did you mean 'train'? Run 'lowrank task --help' for the accepted options and values.")]
    [InlineData(new string[0], "'lowrank' needs a command.", "the commands are " + Commands + "; run 'lowrank --help'.")]
    [InlineData(new[] { "lint" }, "'lowrank lint' needs a command.", "the commands are fit, analyze; run 'lowrank lint --help'.")]
    [InlineData(new[] { "fit", "--data", "x.npy", "--out", "m", "--partcles", "3" }, "'lowrank fit' has no option '--partcles'.", "did you mean '--particles'? Run 'lowrank fit --help' for the accepted options and values.")]
    [InlineData(new[] { "fit", "--data", "x.npy", "--out", "m", "--rank", "two" }, "--rank 'two' is not a whole number.", "run 'lowrank fit --help' for the accepted options and values.")]
    [InlineData(new[] { "fit", "--data", "x.npy", "--out", "m", "--lr", "fast" }, "--lr 'fast' is not a number (e.g. 0.01 or 1e-3).", "run 'lowrank fit --help' for the accepted options and values.")]
    [InlineData(new[] { "task", "train", "--task", "cdi", "--out", "m", "--units", "1.5" }, "--units '1.5' is not a whole number.", "run 'lowrank task train --help' for the accepted options and values.")]
    public void ParseErrorsSayWhatIsWrongInWords(string[] args, string message, string hint)
    {
        CliResult result = CliHarness.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {message}{Environment.NewLine}  hint: {hint}{Environment.NewLine}", result.Error);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public void VersionPrintsName()
    {
        CliResult result = CliHarness.Run("version");
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("lowrank ", result.Output);
    }
}
