using System.Diagnostics;

namespace LowRank.Tests.Cli;

/// <summary>
/// The progress display decides "terminal or not" from stderr, where it writes: the lowrank executable runs under
/// <c>script</c> (a pseudo-terminal) with one of its two streams sent to a file.
/// </summary>
public sealed class ProgressTerminalTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TrainCommand(string name) =>
        $"dotnet '{Path.Combine(AppContext.BaseDirectory, "lowrank.dll")}' task train --task cdi --units 16 --epochs 2 --trials 8 --batch 8 --eval-trials 8 --threads 1 --out '{_temp.File(name)}'";

    /// <summary>Runs <paramref name="command"/> on a pseudo-terminal; returns what reached the terminal.</summary>
    private static async Task<string> OnTerminal(string command)
    {
        var start = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "-qec", command, "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> terminal = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, process.ExitCode);
        return await terminal;
    }

    [Fact]
    public async Task StderrToAFileGetsPlainLinesWhileStdoutIsATerminal()
    {
        string log = _temp.File("log.txt");
        string terminal = await OnTerminal($"{TrainCommand("a")} 2> '{log}'");
        string written = File.ReadAllText(log);
        Assert.Contains("epoch 2/2 (", written);
        Assert.DoesNotContain('\r', written);
        Assert.Contains("accuracy", terminal);
    }

    [Fact]
    public async Task StderrOnATerminalGetsTheRedrawnBarWhileStdoutGoesToAFile()
    {
        string report = _temp.File("report.txt");
        string terminal = await OnTerminal($"{TrainCommand("b")} > '{report}'");
        Assert.Contains("\r[", terminal);
        Assert.Contains("accuracy", File.ReadAllText(report));
    }
}
