using System.Text.Json;

namespace LowRank.Tests.Cli;

public sealed class BenchLintCommandTests
{
    [Fact]
    public void PrintsOneJsonLineWithTheTimeOfAStep()
    {
        CliResult result = CliHarness.Run("bench", "lint", "--units", "12", "--batch", "3", "--iterations", "2", "--threads", "1");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        using JsonDocument json = JsonDocument.Parse(lines[0]);
        JsonElement root = json.RootElement;
        Assert.True(root.GetProperty("ms_per_step").GetDouble() > 0);
        Assert.Equal(12, root.GetProperty("units").GetInt32());
        Assert.Equal(1, root.GetProperty("rank").GetInt32());
        Assert.Equal(3, root.GetProperty("batch").GetInt32());
        Assert.Equal(68, root.GetProperty("steps").GetInt32());
        Assert.Equal(1, root.GetProperty("threads").GetInt32());
    }

    [Fact]
    public void NonPositiveUnitsIsAnInputError()
    {
        CliResult result = CliHarness.Run("bench", "lint", "--units", "0");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --units must be at least 1 (got 0).\n  hint: pass --units 1 or more.\n", result.Error.Replace("\r\n", "\n"));
    }
}
