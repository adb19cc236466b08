using System.Text.Json;
using LowRank.Cli;
using LowRank.Cli.Commands;
using LowRank.Data;
using LowRank.Fitting;
using LowRank.Formats;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Smc;
using LowRank.Training;

namespace LowRank.Tests.Cli;

public sealed class FitCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-fit-").FullName;

    public FitCommandTests()
    {
        double[] values = TestRecordings.NoisyOscillation();
        Npy.Write(PathOf("data.npy"), NdArray.Create(values, 300, 3));
    }

    public void Dispose()
    {
        FitCommand.InterruptAfterEpoch = null;
        Directory.Delete(_dir, recursive: true);
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>A small, fast fit of the test recording; <paramref name="extra"/> options replace the defaults of the same name.</summary>
    private string[] Fit(string outName, params string[] extra)
    {
        var options = new List<(string Name, string? Value)>
        {
            ("--data", PathOf("data.npy")), ("--out", PathOf(outName)), ("--rank", "2"), ("--units", "9"), ("--particles", "4"),
            ("--batch", "5"), ("--window", "20"), ("--windows", "10"), ("--epochs", "4"), ("--evaluate-every", "2"),
            ("--checkpoint-every", "1"), ("--seed", "5"), ("--threads", "1"),
        };
        for (int i = 0; i < extra.Length; i++)
        {
            bool hasValue = i + 1 < extra.Length && !extra[i + 1].StartsWith("--", StringComparison.Ordinal);
            (string Name, string? Value) option = (extra[i], hasValue ? extra[++i] : null);
            int at = options.FindIndex(o => o.Name == option.Name);
            if (at >= 0)
            {
                options[at] = option;
            }
            else
            {
                options.Add(option);
            }
        }

        var args = new List<string> { "fit" };
        foreach ((string name, string? value) in options)
        {
            args.Add(name);
            if (value is not null)
            {
                args.Add(value);
            }
        }

        return [.. args];
    }

    private static Dictionary<string, double[]> Parameters(string dir) =>
        Npz.Read(Path.Combine(dir, ModelStore.ParametersFile)).ToDictionary(p => p.Key, p => p.Value.Data);

    [Fact]
    public void WritesTheModelDirectory()
    {
        CliResult result = CliHarness.Run(Fit("model", "--json", PathOf("fit.json")));
        Assert.Equal(0, result.ExitCode);
        Assert.All(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("epoch ", line));
        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"fitted a rank-2 network of 9 units to 3 channels of '{PathOf("data.npy")}'", lines[0]);
        Assert.StartsWith("4 epochs in ", lines[1]);
        Assert.Equal($"wrote {PathOf("model")}: model.json, params.npz, training-summary.json, learning-curve.png", lines[2]);

        string[] files = Directory.GetFiles(PathOf("model")).Select(Path.GetFileName).Order().ToArray()!;
        Assert.Equal(["learning-curve.png", "model.json", "params.npz", "training-summary.json"], files);
        var stored = ModelStore.Load(PathOf("model"));
        Assert.Equal(3, stored.Model.Channels);
        Assert.Equal(9, stored.Model.Units);
        Assert.Equal(5, stored.Provenance!.Seed);
        Assert.Equal(64, stored.Provenance.DataSha256!.Length);

        JsonElement training = JsonDocument.Parse(stored.Document.Training!.ToJsonString()).RootElement;
        Assert.Equal(JsonValueKind.Null, training.GetProperty("preset").ValueKind);
        Assert.Equal(4, training.GetProperty("epochs_completed").GetInt32());
        Assert.Equal(4, training.GetProperty("objective_per_epoch").GetArrayLength());
        Assert.Equal(4, training.GetProperty("objective").GetProperty("particles").GetInt32());
        Assert.Equal("optimal", training.GetProperty("objective").GetProperty("proposal").GetString());
        Assert.Equal(20, training.GetProperty("trainer").GetProperty("window_length").GetInt32());

        JsonElement summary = JsonDocument.Parse(File.ReadAllText(PathOf("model/training-summary.json"))).RootElement;
        Assert.Equal(4, summary.GetProperty("objective").GetArrayLength());
        Assert.Equal(2, summary.GetProperty("evaluations").GetArrayLength());
        Assert.Equal(4, JsonDocument.Parse(File.ReadAllText(PathOf("fit.json"))).RootElement.GetProperty("epochs").GetInt32());
        byte[] png = File.ReadAllBytes(PathOf("model/learning-curve.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    [Fact]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        Assert.Equal(0, CliHarness.Run(Fit("one")).ExitCode);
        Assert.Equal(0, CliHarness.Run(Fit("two", "--threads", "2")).ExitCode);
        Dictionary<string, double[]> a = Parameters(PathOf("one")), b = Parameters(PathOf("two"));
        Assert.Equal(a.Keys, b.Keys);
        foreach (string key in a.Keys)
        {
            Assert.Equal(a[key], b[key]);
        }
    }

    [Fact]
    public void InterruptedFitResumesBitIdentically()
    {
        Assert.Equal(0, CliHarness.Run(Fit("straight")).ExitCode);

        FitCommand.InterruptAfterEpoch = 2;
        CliResult stopped = CliHarness.Run(Fit("resumed"));
        FitCommand.InterruptAfterEpoch = null;
        Assert.Equal(ExitCodes.Interrupted, stopped.ExitCode);
        string checkpoint = PathOf("resumed/checkpoint.lrck");
        Assert.EndsWith($"stopped by Ctrl+C (SIGINT) after epoch 2: the checkpoint is in '{checkpoint}'.\n  continue with the same command and --resume.\n", stopped.Error);
        Assert.True(File.Exists(checkpoint));

        CliResult resumed = CliHarness.Run(Fit("resumed", "--resume"));
        Assert.Equal(0, resumed.ExitCode);
        Assert.False(File.Exists(checkpoint));
        Dictionary<string, double[]> a = Parameters(PathOf("straight")), b = Parameters(PathOf("resumed"));
        foreach (string key in a.Keys)
        {
            Assert.Equal(a[key], b[key]);
        }

        JsonElement training = JsonDocument.Parse(ModelStore.Load(PathOf("resumed")).Document.Training!.ToJsonString()).RootElement;
        Assert.Equal(2, training.GetProperty("resumed_from_epoch").GetInt32());
    }

    [Fact]
    public void InterruptedStartsResumeToTheUninterruptedFit()
    {
        Assert.Equal(0, CliHarness.Run(Fit("straight", "--starts", "2")).ExitCode);

        FitCommand.InterruptAfterEpoch = 2;
        CliResult stopped = CliHarness.Run(Fit("resumed", "--starts", "2"));
        FitCommand.InterruptAfterEpoch = null;
        Assert.Equal(ExitCodes.Interrupted, stopped.ExitCode);
        Assert.Contains($"of the 2 starts: their checkpoints are in '{PathOf("resumed")}'.\n  continue with the same command and --resume.\n", stopped.Error);
        Assert.True(File.Exists(PathOf("resumed/checkpoint.start-1.lrck")) || File.Exists(PathOf("resumed/checkpoint.lrck")));

        CliResult resumed = CliHarness.Run(Fit("resumed", "--starts", "2", "--resume"));
        Assert.Equal(0, resumed.ExitCode);
        Assert.False(File.Exists(PathOf("resumed/checkpoint.start-1.lrck")));
        Dictionary<string, double[]> a = Parameters(PathOf("straight")), b = Parameters(PathOf("resumed"));
        foreach (string key in a.Keys)
        {
            Assert.Equal(a[key], b[key]);
        }
    }

    /// <summary>
    /// A real signal to a real process: the fit (the lowrank executable, in its own process) stops after the epoch
    /// under way, writes its checkpoint and exits with 128 + the signal; resuming gives the parameters of an
    /// uninterrupted fit.
    /// </summary>
    [Theory]
    [InlineData(15, "SIGTERM", ExitCodes.Terminated)]
    [InlineData(2, "Ctrl+C (SIGINT)", ExitCodes.Interrupted)]
    public async Task ASignalStopsTheFitWithACheckpointThatResumes(int signal, string name, int exitCode)
    {
        string[] args = Fit("signalled", "--epochs", "400", "--threads", "1");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "lowrank.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        string checkpoint = PathOf("signalled/checkpoint.lrck");
        using var process = System.Diagnostics.Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(checkpoint) && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(5);
        }

        Assert.True(File.Exists(checkpoint), "no checkpoint appeared: " + (process.HasExited ? await error : "timeout"));
        Assert.Equal(0, Kill(process.Id, signal));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (IgnoredByInheritance(signal))
        {
            // A job a non-interactive shell starts in the background inherits SIGINT ignored (POSIX), and so does the fit
            // started from it: there an interrupt must not stop it, and the fit ends normally.
            Assert.Equal(0, process.ExitCode);
            Assert.True(File.Exists(PathOf("signalled/model.json")), await error);
            return;
        }

        Assert.Equal(exitCode, process.ExitCode);
        int epoch = TrainingCheckpoint.Read(checkpoint).Epoch;
        Assert.InRange(epoch, 1, 399);
        Assert.EndsWith(
            $"stopped by {name} after epoch {epoch}: the checkpoint is in '{checkpoint}'.\n  continue with the same command and --resume.\n",
            await error);
        Assert.False(File.Exists(PathOf("signalled/model.json")), await output);

        Assert.Equal(0, CliHarness.Run([.. args, "--resume"]).ExitCode);
        Assert.Equal(0, CliHarness.Run(Fit("straight", "--epochs", "400", "--threads", "1")).ExitCode);
        Dictionary<string, double[]> a = Parameters(PathOf("straight")), b = Parameters(PathOf("signalled"));
        foreach (string key in a.Keys)
        {
            Assert.Equal(a[key], b[key]);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Whether this process ignores <paramref name="signal"/> (the SigIgn mask of /proc/self/status), as its children then do too.</summary>
    private static bool IgnoredByInheritance(int signal)
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        ulong mask = line is null ? 0 : Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        return (mask & (1UL << (signal - 1))) != 0;
    }

    [Fact]
    public void ResumeWithOtherSettingsNamesEachDifferingSetting()
    {
        FitCommand.InterruptAfterEpoch = 1;
        Assert.Equal(ExitCodes.Interrupted, CliHarness.Run(Fit("m", "--lr", "0.01")).ExitCode);
        FitCommand.InterruptAfterEpoch = null;
        CliResult result = CliHarness.Run(Fit("m", "--resume", "--particles", "5", "--lr", "0.02"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "error: the checkpoint was written by a fit with other settings:\n"
            + "  trainer.learning_rate: 0.01 in the checkpoint, 0.02 now\n"
            + "  objective.particles: 4 in the checkpoint, 5 now\n"
            + "  hint: resume with the options of the interrupted fit, or start a new fit without --resume.\n",
            result.Error);
    }

    [Fact]
    public void ResumeOnOtherDataOfTheSameShapeIsRefused()
    {
        FitCommand.InterruptAfterEpoch = 1;
        Assert.Equal(ExitCodes.Interrupted, CliHarness.Run(Fit("m")).ExitCode);
        FitCommand.InterruptAfterEpoch = null;
        NdArray data = Npy.Read(PathOf("data.npy"));
        double[] changed = (double[])data.Data.Clone();
        changed[17] += 1e-9;
        Npy.Write(PathOf("other.npy"), new NdArray(data.Shape, changed));
        byte[] checkpoint = File.ReadAllBytes(PathOf("m/checkpoint.lrck"));

        CliResult result = CliHarness.Run(Fit("m", "--resume", "--data", PathOf("other.npy")));

        Assert.Equal(2, result.ExitCode);
        string before = RecordingLoader.Load(PathOf("data.npy")).Data.ContentHash(), after = RecordingLoader.Load(PathOf("other.npy")).Data.ContentHash();
        Assert.NotEqual(before, after);
        Assert.Equal(
            "error: the checkpoint was written by a fit with other settings:\n"
            + $"  data.sha256: \"{before}\" in the checkpoint, \"{after}\" now\n"
            + "  hint: resume with the options of the interrupted fit, or start a new fit without --resume.\n",
            result.Error);
        Assert.Equal(checkpoint, File.ReadAllBytes(PathOf("m/checkpoint.lrck")));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(-1)]
    public void ADamagedCheckpointIsRefused(int offset)
    {
        FitCommand.InterruptAfterEpoch = 1;
        Assert.Equal(ExitCodes.Interrupted, CliHarness.Run(Fit("m")).ExitCode);
        FitCommand.InterruptAfterEpoch = null;
        string path = PathOf("m/checkpoint.lrck");
        byte[] bytes = File.ReadAllBytes(path);
        bytes[offset >= 0 ? offset : bytes.Length + offset] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        CliResult result = CliHarness.Run(Fit("m", "--resume"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"error: the checkpoint '{path}' is damaged: its SHA-256 checksum does not match its contents.\n"
            + "  hint: the file was changed or corrupted after it was written; start the fit again without --resume.\n",
            result.Error);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.False(File.Exists(PathOf("m/model.json")));
    }

    [Fact]
    public void PresetEegSetsThePublishedRecipeAndOptionsOverrideIt()
    {
        CliResult result = CliHarness.Run(
            "fit", "--data", PathOf("data.npy"), "--out", PathOf("eeg"), "--preset", "eeg", "--units", "7", "--epochs", "1", "--windows", "10", "--threads", "1");
        Assert.Equal(0, result.ExitCode);
        var stored = ModelStore.Load(PathOf("eeg"));
        Assert.Equal(3, stored.Model.Rank);
        Assert.Equal(7, stored.Model.Units);
        Assert.Equal(Activation.ClippedRelu, stored.Model.Options.Activation);
        Assert.Equal(NoiseShape.Full, stored.Model.Options.TransitionNoise);
        JsonElement training = JsonDocument.Parse(stored.Document.Training!.ToJsonString()).RootElement;
        Assert.Equal("eeg", training.GetProperty("preset").GetString());
        Assert.Equal(10, training.GetProperty("objective").GetProperty("particles").GetInt32());
        Assert.Equal("systematic", training.GetProperty("objective").GetProperty("resampling").GetString());
        JsonElement trainer = training.GetProperty("trainer");
        Assert.Equal(10, trainer.GetProperty("batch_size").GetInt32());
        Assert.Equal(50, trainer.GetProperty("window_length").GetInt32());
        Assert.Equal(1e-3, trainer.GetProperty("learning_rate").GetDouble());
        Assert.Equal(FitPresets.EegFinalLearningRate, trainer.GetProperty("final_learning_rate").GetDouble());

        // The preset fits three starts and records them; the kept one is the lowest selection D_stsp.
        Assert.Contains("3 starts in ", result.Output);
        JsonElement starts = training.GetProperty("starts");
        JsonElement scores = starts.GetProperty("scores");
        Assert.Equal(FitPresets.EegStarts, scores.GetArrayLength());
        int chosen = starts.GetProperty("chosen").GetInt32();
        Assert.Equal(scores.EnumerateArray().Min(s => s.GetProperty("d_stsp").GetDouble()), scores[chosen].GetProperty("d_stsp").GetDouble());
    }

    [Fact]
    public void StartsAreReportedInTheJsonAndOneStartRecordsNone()
    {
        CliResult result = CliHarness.Run([.. Fit("multi", "--starts", "2"), "--json", PathOf("multi.json")]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("2 starts in ", result.Output);
        Assert.Contains("  <- kept", result.Output);
        JsonElement report = JsonDocument.Parse(File.ReadAllText(PathOf("multi.json"))).RootElement;
        Assert.Equal(2, report.GetProperty("starts").GetInt32());
        int chosen = report.GetProperty("chosen_start").GetInt32();
        JsonElement scores = report.GetProperty("start_scores");
        Assert.Equal(2, scores.GetArrayLength());
        Assert.All(scores.EnumerateArray(), s => Assert.True(s.GetProperty("d_stsp").GetDouble() > 0 && s.GetProperty("d_h").GetDouble() >= 0));
        Assert.Equal(scores.EnumerateArray().Min(s => s.GetProperty("d_stsp").GetDouble()), scores[chosen].GetProperty("d_stsp").GetDouble());

        CliResult single = CliHarness.Run([.. Fit("single"), "--json", PathOf("single.json")]);
        Assert.Equal(0, single.ExitCode);
        JsonElement one = JsonDocument.Parse(File.ReadAllText(PathOf("single.json"))).RootElement;
        Assert.Equal(1, one.GetProperty("starts").GetInt32());
        Assert.Equal(JsonValueKind.Null, one.GetProperty("chosen_start").ValueKind);
        Assert.DoesNotContain("starts in", single.Output);
    }

    [Fact]
    public void HoldoutFitsOnTheFirstPartAndRecordsTheSplit()
    {
        CliResult result = CliHarness.Run([.. Fit("held", "--holdout", "0.2"), "--json", PathOf("held.json")]);
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"fitted a rank-2 network of 9 units to 3 channels of '{PathOf("data.npy")}' (first 240 of 300 steps; the last 60 held out)", result.Output);

        // The held-out objective is the evaluation after the last epoch (4, with --evaluate-every 2), printed and in the JSON.
        JsonElement report = JsonDocument.Parse(File.ReadAllText(PathOf("held.json"))).RootElement;
        double heldOut = report.GetProperty("held_out_objective").GetDouble();
        JsonElement evaluations = JsonDocument.Parse(File.ReadAllText(Path.Combine(PathOf("held"), "training-summary.json"))).RootElement.GetProperty("evaluations");
        JsonElement last = evaluations[evaluations.GetArrayLength() - 1];
        Assert.Equal(4, last.GetProperty("epoch").GetInt32());
        Assert.Equal(last.GetProperty("value").GetDouble(), heldOut);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"held-out objective {heldOut:0.0000} per step"), result.Output);
        JsonElement holdout = JsonDocument.Parse(ModelStore.Load(PathOf("held")).Document.Training!["holdout"]!.ToJsonString()).RootElement;
        Assert.Equal(0.2, holdout.GetProperty("holdout").GetDouble());
        Assert.Equal(240, holdout.GetProperty("train_end").GetInt32());
        Assert.Equal("steps", holdout.GetProperty("unit").GetString());
    }

    [Fact]
    public void TrialDataIsFittedWholeTrialsAndHeldOutByTrial()
    {
        Rng rng = Rng.Create(4);
        var values = new double[6 * 30 * 3];
        rng.FillGaussian(values);
        Npy.Write(PathOf("trials.npy"), NdArray.Create(values, 6, 30, 3));
        CliResult result = CliHarness.Run(Fit("trials", "--data", PathOf("trials.npy"), "--holdout", "0.5", "--batch", "2"));
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"fitted a rank-2 network of 9 units to 3 channels of '{PathOf("trials.npy")}' (first 3 of 6 trials; the last 3 held out)", result.Output);
        JsonElement summary = JsonDocument.Parse(File.ReadAllText(PathOf("trials/training-summary.json"))).RootElement;
        Assert.Equal(4, summary.GetProperty("objective").GetArrayLength());
    }

    [Theory]
    [InlineData(new[] { "--holdout", "1.5" }, "error: the held-out fraction must lie strictly between 0 and 1 (got 1.5).\n  hint: pass a fraction such as --holdout 0.2.\n")]
    [InlineData(new[] { "--window", "400" }, "error: the window length 400 does not fit the recording of 300 steps.\n  hint: pass --window between 1 and 300.\n")]
    [InlineData(new[] { "--lr", "0" }, "error: learning rates must be positive and finite (got --lr 0, --lr-end 0.0001).\n  hint: pass positive rates such as --lr 1e-3 --lr-end 1e-6.\n")]
    [InlineData(new[] { "--starts", "0" }, "error: --starts must be at least 1 (got 0).\n  hint: pass --starts 1 or more.\n")]
    [InlineData(new[] { "--epochs", "0" }, "error: --epochs must be at least 1 (got 0).\n  hint: pass --epochs 1 or more.\n")]
    [InlineData(new[] { "--clip", "-1" }, "error: --clip must be positive (got -1).\n  hint: pass a positive gradient-norm bound such as --clip 10, or leave it out.\n")]
    [InlineData(new[] { "--rank", "10" }, "error: rank 10 exceeds the number of units 9.\n  hint: use --rank at most --units.\n")]
    public void BadSettingsAreInputErrors(string[] extra, string expected)
    {
        CliResult result = CliHarness.Run(Fit("bad", extra));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(expected, result.Error);
        Assert.False(Directory.Exists(PathOf("bad")));
    }

    [Fact]
    public void ResumeWithoutCheckpointIsAnInputError()
    {
        CliResult result = CliHarness.Run(Fit("none", "--resume"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: no checkpoint to resume from: '{PathOf("none/checkpoint.lrck")}' does not exist.\n  hint: run the fit without --resume first, or pass the --out directory of an interrupted fit.\n", result.Error);
    }

    [Fact]
    public void RefusesToReplaceADirectoryThatIsNotAModel()
    {
        Directory.CreateDirectory(PathOf("precious"));
        File.WriteAllText(PathOf("precious/notes.txt"), "keep me");
        CliResult result = CliHarness.Run(Fit("precious"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: --out '{PathOf("precious")}' is a folder that is not a stochastic model directory (it holds 'notes.txt'); it would be replaced whole.\n  hint: pass a new or empty folder, or an earlier stochastic model directory to replace it.\n", result.Error);
        Assert.True(File.Exists(PathOf("precious/notes.txt")));
    }

    [Fact]
    public void UnknownPresetIsAParseError()
    {
        CliResult result = CliHarness.Run(Fit("p", "--preset", "mnist"));
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains("mnist", result.Error);
    }
}
