using System.Text.Json;
using LowRank.Formats;

namespace LowRank.Tests.Cli;

public sealed class BenchVsmcCommandTests
{
    [Fact]
    public void PrintsOneJsonLineWithTimingAndThreads()
    {
        string dir = Directory.CreateTempSubdirectory("lowrank-bench").FullName;
        string data = Path.Combine(dir, "rec.npy");
        var values = new double[80 * 4];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Math.Sin(0.1 * i);
        }

        Npy.Write(data, NdArray.Create(values, 80, 4));
        CliResult result = CliHarness.Run("bench", "vsmc", "--preset", "eeg", "--data", data, "--iterations", "2", "--threads", "1");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        using JsonDocument json = JsonDocument.Parse(lines[0]);
        Assert.True(json.RootElement.GetProperty("ms_per_iteration").GetDouble() > 0);
        Assert.Equal(1, json.RootElement.GetProperty("threads").GetInt32());
    }

    [Fact]
    public void UnknownPresetIsAnInputError()
    {
        CliResult result = CliHarness.Run("bench", "vsmc", "--preset", "mnist", "--data", "x.npy");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: unknown preset 'mnist'.\n  hint: use one of: eeg, hippocampus.\n", result.Error.Replace("\r\n", "\n"));
    }

    [Fact]
    public void RecordingShorterThanAWindowIsAnInputError()
    {
        string dir = Directory.CreateTempSubdirectory("lowrank-bench").FullName;
        string data = Path.Combine(dir, "short.npy");
        Npy.Write(data, NdArray.Create(new double[20 * 3], 20, 3));
        CliResult result = CliHarness.Run("bench", "vsmc", "--data", data, "--iterations", "1");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "error: the recording has 20 steps but the benchmark needs windows of 50.\n  hint: pass a recording with at least 50 time steps.\n",
            result.Error.Replace("\r\n", "\n"));
    }
}
