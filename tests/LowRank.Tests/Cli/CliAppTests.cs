namespace LowRank.Tests.Cli;

public sealed class CliAppTests
{
    [Fact]
    public void UnknownCommandExitsTwoWithHint()
    {
        CliResult result = CliHarness.Run("frobnicate");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains("  hint: run 'lowrank --help'", result.Error);
    }

    [Fact]
    public void VersionPrintsName()
    {
        CliResult result = CliHarness.Run("version");
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("lowrank ", result.Output);
    }
}
