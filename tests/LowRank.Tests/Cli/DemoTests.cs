using System.Text.Json;

namespace LowRank.Tests.Cli;

public sealed class DemoTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-demo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ShortDemoWritesDataModelsPlotsAndFigures()
    {
        string json = Path.Combine(_dir, "demo.json");
        CliResult result = CliHarness.Run("demo", "--out", _dir, "--epochs", "3", "--json", json);
        Assert.Equal(0, result.ExitCode);
        foreach (string file in new[] { "data.npz", "teacher/model.json", "student/params.npz", "teacher-vs-student.png", "teacher-flow-field.png", "student-flow-field.png", "learning-curve.png" })
        {
            Assert.True(File.Exists(Path.Combine(_dir, file)), $"missing {file}");
        }

        Assert.Contains("oscillation frequency (cycles/step): teacher", result.Output);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        double teacherFrequency = document.RootElement.GetProperty("teacher_frequency").GetDouble();
        // The teacher's limit cycle runs at ≈ 1/(1.3 · 25) cycles per step.
        Assert.InRange(teacherFrequency, 1 / 40.0, 1 / 25.0);
        Assert.True(document.RootElement.GetProperty("teacher_noise").GetDouble() > 0);
    }

    [Theory]
    [InlineData("bootstrap")]
    [InlineData("encoder")]
    public void ShortSpikingDemoWritesRastersAndSpikingFigures(string proposal)
    {
        string json = Path.Combine(_dir, "spikes.json");
        CliResult result = CliHarness.Run("demo", "--spikes", "--proposal", proposal, "--out", _dir, "--epochs", "2", "--json", json);
        Assert.True(result.ExitCode == 0, result.Error);
        foreach (string file in new[] { "data.npz", "teacher/model.json", "student/params.npz", "teacher-vs-student-spikes.png", "learning-curve.png" })
        {
            Assert.True(File.Exists(Path.Combine(_dir, file)), $"missing {file}");
        }

        Assert.Contains($"{proposal} proposal", result.Output, StringComparison.Ordinal);
        Assert.Contains("median ISI CV: teacher", result.Output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = document.RootElement;
        Assert.InRange(root.GetProperty("teacher_frequency").GetDouble(), 1 / 40.0, 1 / 25.0);
        Assert.InRange(root.GetProperty("rate_correlation").GetDouble(), -1, 1);
        Assert.True(root.GetProperty("teacher_isi_cv").GetDouble() > 0);
        Assert.True(root.TryGetProperty("isi_cv_error", out _));
    }

    [Fact]
    public void ProposalWithoutSpikesIsAnInputError()
    {
        CliResult result = CliHarness.Run("demo", "--out", _dir, "--proposal", "bootstrap");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: --proposal chooses the proposal of the spiking student, but --spikes was not given.\n  hint: add --spikes", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void DemoRejectsZeroEpochs()
    {
        CliResult result = CliHarness.Run("demo", "--out", _dir, "--epochs", "0");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --epochs must be at least 1 (got 0).\n  hint: pass --epochs 1 or more.\n", result.Error);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }
}
