using System.Diagnostics;
using System.Runtime.InteropServices;
using LowRank.Cli;
using LowRank.Cli.Sweeps;
using LowRank.Formats;

namespace LowRank.Tests.Cli;

/// <summary>
/// A stop signal that reaches a fit twice within a second (Ctrl+C reaches the whole process group, and a sweep passes
/// it on too) is one request: the fit still finishes its epoch, writes its checkpoint and says so.
/// </summary>
public sealed class StopSignalsTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ASignalRepeatedWithinASecondIsTheSameRequest()
    {
        Npy.Write(_temp.File("data.npy"), NdArray.Create(TestRecordings.NoisyOscillation(), 300, 3));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "lowrank.dll"), "fit", "--data", _temp.File("data.npy"), "--out", _temp.File("model"),
            "--rank", "2", "--units", "9", "--particles", "10000", "--batch", "5", "--window", "20", "--windows", "10", "--epochs", "100",
            "--checkpoint-every", "1", "--evaluate-every", "0", "--threads", "1",
        })
        {
            start.ArgumentList.Add(arg);
        }

        string checkpoint = _temp.File("model/checkpoint.lrck");
        using var process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(checkpoint) && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(5);
        }

        Assert.True(File.Exists(checkpoint), "no checkpoint appeared: " + (process.HasExited ? await error : "timeout"));
        // The second signal comes after the first was handled (signals sent back to back merge into one), while the
        // epoch under way (2,000 windows) still runs.
        Assert.True(ProcessSignals.Send(process.Id, PosixSignal.SIGTERM));
        await Task.Delay(200);
        Assert.True(ProcessSignals.Send(process.Id, PosixSignal.SIGTERM), "the fit ended before the second signal: " + await error);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        await output;

        Assert.Equal(ExitCodes.Terminated, process.ExitCode);
        Assert.Contains("stopped by SIGTERM after epoch ", await error, StringComparison.Ordinal);
    }
}
