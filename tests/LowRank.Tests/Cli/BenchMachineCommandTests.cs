using System.Text.Json;

namespace LowRank.Tests.Cli;

public sealed class BenchMachineCommandTests
{
    [Fact]
    public void PrintsOneJsonLineWithThePeakRatesAndWritesTheJsonFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"machine-{Guid.NewGuid():N}.json");
        try
        {
            CliResult result = CliHarness.Run("bench", "machine", "--threads", "1", "--array-mb", "8", "--repeats", "1", "--json", path);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal("", result.Error);
            string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            using JsonDocument json = JsonDocument.Parse(lines[0]);
            JsonElement root = json.RootElement;
            Assert.Contains(root.GetProperty("vector_bits").GetInt32(), new[] { 128, 256, 512 });
            Assert.Equal(1, root.GetProperty("threads").GetInt32());
            foreach (string name in new[] { "f32_gflops_1t", "f32_gflops", "f64_gflops_1t", "f64_gflops", "triad_gbps_1t", "triad_gbps" })
            {
                Assert.True(root.GetProperty(name).GetDouble() > 0, name);
            }

            Assert.Equal(8, root.GetProperty("array_mb").GetInt32());
            Assert.True(File.Exists(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void NonPositiveRepeatsIsAnInputError()
    {
        CliResult result = CliHarness.Run("bench", "machine", "--repeats", "0");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --repeats must be at least 1 (got 0).\n  hint: pass --repeats 1 or more.\n", result.Error.Replace("\r\n", "\n"));
    }
}
