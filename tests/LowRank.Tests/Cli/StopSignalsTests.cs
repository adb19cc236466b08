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
            "--rank", "2", "--units", "9", "--particles", "40000", "--batch", "5", "--window", "20", "--windows", "10", "--epochs", "100",
            "--checkpoint-every", "1", "--evaluate-every", "0", "--threads", "1",
        })
        {
            start.ArgumentList.Add(arg);
        }

        string checkpoint = _temp.File("model/checkpoint.lrck");
        using var process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        Task<string> output = process.StandardOutput.ReadToEndAsync();

        // On a thread of its own, so that a busy thread pool cannot delay the signals: the first well inside epoch 2
        // (40,000 particles: about two seconds per epoch on 2 cores), 100 ms after the first checkpoint; the second
        // after the first was handled (signals sent back to back merge into one), while that epoch still runs.
        (bool Checkpointed, bool First, bool Second) sent = await Task.Factory.StartNew(
            () =>
            {
                var clock = Stopwatch.StartNew();
                while (!File.Exists(checkpoint) && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
                {
                    Thread.Sleep(5);
                }

                if (!File.Exists(checkpoint))
                {
                    return (false, false, false);
                }

                Thread.Sleep(100);
                bool first = ProcessSignals.Send(process.Id, PosixSignal.SIGTERM);
                Thread.Sleep(200);
                return (true, first, ProcessSignals.Send(process.Id, PosixSignal.SIGTERM));
            },
            TaskCreationOptions.LongRunning);

        Assert.True(sent.Checkpointed, "no checkpoint appeared: " + (process.HasExited ? await error : "timeout"));
        Assert.True(sent.First);
        Assert.True(sent.Second, "the fit ended before the second signal: " + await error);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        await output;

        Assert.Equal(ExitCodes.Terminated, process.ExitCode);
        Assert.Contains("stopped by SIGTERM after epoch ", await error, StringComparison.Ordinal);
    }
}
