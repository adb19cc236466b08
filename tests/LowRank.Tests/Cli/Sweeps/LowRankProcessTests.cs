using LowRank.Cli;
using LowRank.Cli.Sweeps;

namespace LowRank.Tests.Cli.Sweeps;

public sealed class LowRankProcessTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("plain-word_1.npy", "plain-word_1.npy")]
    [InlineData("/abs/path/to/x", "/abs/path/to/x")]
    [InlineData("two words", "'two words'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    [InlineData("{out}", "'{out}'")]
    public void QuotesWordsForAShellWhereNeeded(string word, string quoted) =>
        Assert.Equal(quoted, LowRankProcess.Quote(word));

    [Fact]
    public void UnderAnotherHostItRunsTheCliAssemblyWithDotnet()
    {
        // The test host is not lowrank: the child is 'dotnet lowrank.dll'.
        LowRankProcess current = LowRankProcess.Current();
        Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(current.FileName));
        Assert.Equal([typeof(CliApp).Assembly.Location], current.Prefix);
        Assert.Equal("lowrank.dll", Path.GetFileName(current.Prefix[0]));
    }

    [Fact]
    public void RunsAStepWithItsOutputInTheLogsAndItsLastErrorLines()
    {
        using var stop = new StopSignals();
        int? pid = null;
        string stdout = _temp.File("s.stdout.log"), stderr = _temp.File("s.stderr.log");
        StepExit exit = LowRankProcess.Current().Run(["inspect", "missing.npy"], _temp.Path, stdout, stderr, "=== header", p => pid = p, stop);

        Assert.Equal(ExitCodes.BadInput, exit.ExitCode);
        Assert.NotNull(pid);
        Assert.Equal("error: file 'missing.npy' does not exist.", exit.ErrorTail.First(l => l.StartsWith("error:", StringComparison.Ordinal)));
        Assert.StartsWith("=== header\nerror: file 'missing.npy' does not exist.\n", File.ReadAllText(stderr), StringComparison.Ordinal);
        Assert.Equal("=== header\n", File.ReadAllText(stdout));
    }
}
