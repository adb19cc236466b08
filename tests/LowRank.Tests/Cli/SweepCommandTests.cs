using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using LowRank.Cli;
using LowRank.Cli.Commands;
using LowRank.Cli.Sweeps;
using LowRank.Formats;
using LowRank.Model;
using LowRank.Sweeps;

namespace LowRank.Tests.Cli;

public sealed class SweepCommandTests : IDisposable
{
    /// <summary>A small, fast fit (the options of <see cref="FitCommandTests"/>), as spec options.</summary>
    private const string TinyFit = """
        "rank": 2, "units": 9, "particles": 4, "batch": 5, "window": 20, "windows": 10, "evaluate-every": 0, "checkpoint-every": 1
        """;

    private readonly TempDir _temp = new();

    public void Dispose()
    {
        SweepCommand.SearchPathForTests = null;
        _temp.Dispose();
    }

    private string PathOf(string name) => _temp.File(name);

    private string WriteSpec(string json, string name = "spec.json")
    {
        File.WriteAllText(PathOf(name), json);
        return PathOf(name);
    }

    private void WriteData(string name) => Npy.Write(PathOf(name), NdArray.Create(TestRecordings.NoisyOscillation(), 300, 3));

    private static Dictionary<string, double[]> Parameters(string modelDirectory) =>
        Npz.Read(Path.Combine(modelDirectory, ModelStore.ParametersFile)).ToDictionary(p => p.Key, p => p.Value.Data);

    private static JsonElement ReadJson(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private const string FitSpec = """{"command": "fit", "options": {"data": "data.npy", "out": "{out}/model"}, "axes": {"seed": [1, 2]}}""";

    public static TheoryData<string, string, string> BadSpecs => new()
    {
        { """{"command": "fitt", "options": {"data": "data.npy", "out": "{out}/model"}, "axes": {"seed": [1, 2]}}""", "step 'fitt' runs 'lowrank fitt', but 'lowrank' has no command 'fitt'.", "did you mean 'fit'?" },
        { """{"command": "lint fitt", "axes": {"seed": [1, 2]}}""", "step 'lint-fitt' runs 'lowrank lint fitt', but 'lowrank lint' has no command 'fitt'.", "did you mean 'fit'?" },
        { """{"command": "task", "axes": {"seed": [1, 2]}}""", "step 'task' runs 'lowrank task', which needs a command after it.", "\"task train\"" },
        { """{"command": "sweep run", "axes": {"seed": [1, 2]}}""", "a sweep cannot run 'lowrank sweep run'.", "axes" },
        { """{"command": "fit", "options": {"data": "data.npy", "out": "{out}/model", "rnak": 2}, "axes": {"seed": [1, 2]}}""", "the option 'rnak' of step 'fit' is not an option of 'lowrank fit'", "did you mean \"rank\"?" },
        { """{"command": "fit", "options": {"data": "data.npy", "out": "{out}/model"}, "axes": {"sead": [1, 2]}}""", "the axis 'sead' is not an option of 'lowrank fit'; an axis varies an option of the main step.", "did you mean \"seed\"?" },
        { """{"command": "fit", "options": {"data": "data.npy", "out": "{out}/model"}, "axes": {"seed": [1, 2]}, "follow_up": [{"command": "evaluate", "options": {"modle": "{out}/model"}}]}""", "the option 'modle' of step 'evaluate' is not an option of 'lowrank evaluate'", "did you mean \"model\"?" },
        { """{"command": "fit", "options": {"data": "data.npy", "out": "{out}/model"}, "axes": {"seed": []}}""", "the axis 'seed' is empty.", "give it at least one value" },
        { """{"command": "fit", "options": {"data": "data.npy", "out": "{out}/model", "threads": 2}, "axes": {"seed": [1, 2]}}""", "the option 'threads' of step 'fit' is set by the sweep itself", "remove \"threads\"" },
        { """{"command": "fit", "options": {"data": "data.npy", "out": "{out}/model"}, "axes": {"seed": [1, 2], "json": ["a", "b"]}}""", "the axis 'json' is set by the sweep itself", "remove \"json\"" },
        { """{"command": "fit", "options": {"data": "data.npy", "out": "{out}/model", "zscore": 1}, "axes": {"seed": [1, 2]}}""", "is the flag --zscore of 'lowrank fit', which takes true or false, not 1.", "\"zscore\": true" },
        { """{"command": "fit", "options": {"data": "data.npy", "out": "{out}/model", "rank": true}, "axes": {"seed": [1, 2]}}""", "is --rank of 'lowrank fit', which takes a value, not true.", "\"rank\": 2" },
        { """{"command": "fit", "options": {"data": "data.npy", "out": "model"}, "axes": {"seed": [1, 2]}}""", "the option 'out' of step 'fit' is 'model' in every run, so the runs would overwrite each other's output.", "\"out\": \"{out}/model\"" },
        { """{"command": "fit", "options": {"out": "{out}/model"}, "axes": {"seed": [1, 2]}}""", "step 'fit' of run 'seed-1' would not start: Option '--data' is required.", "lowrank fit --help" },
        { """{"command": "fit", "options": {"data": "data.npy", "out": "{out}/model"}, "axes": {"rank": ["two", 2]}}""", "step 'fit' of run 'rank-two' would not start: --rank 'two' is not a whole number.", "lowrank fit --help" },
        { """{"command": "fit", "options": {"data": "data.npy", "out": "{out}/{rnak}"}, "axes": {"rank": [1, 2]}}""", "uses the placeholder {rnak}, which is neither {out}, {run} nor an axis.", "{out}, {run}, {rank}" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void ABadSpecIsRefusedBeforeAnythingIsWritten(string json, string message, string hint)
    {
        string spec = WriteSpec(json);
        CliResult result = CliHarness.Run("sweep", "run", spec, "--out", PathOf("sweep"));

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"error: sweep spec '{spec}': ", lines[0], StringComparison.Ordinal);
        Assert.Contains(message, lines[0], StringComparison.Ordinal);
        Assert.StartsWith("  hint: ", lines[1], StringComparison.Ordinal);
        Assert.Contains(hint, lines[1], StringComparison.Ordinal);
        Assert.Equal("", result.Output);
        Assert.False(Path.Exists(PathOf("sweep")));
    }

    [Fact]
    public void AMissingSpecIsAnInputError()
    {
        CliResult result = CliHarness.Run("sweep", "run", PathOf("none.json"), "--out", PathOf("sweep"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith($"error: sweep spec '{PathOf("none.json")}' does not exist.\n  hint: ", result.Error, StringComparison.Ordinal);
        Assert.False(Path.Exists(PathOf("sweep")));
    }

    [Fact]
    public void AnOutputDirectoryHoldingADifferentSweepIsRefusedAndLeftAlone()
    {
        SweepSpec other = SweepSpecReader.Parse(FitSpec.Replace("[1, 2]", "[1, 2, 3]", StringComparison.Ordinal), "other.json");
        SweepDirectory.Create(PathOf("sweep"), other, SweepPoints.Expand(other));
        string[] before = Directory.GetFileSystemEntries(PathOf("sweep"));

        CliResult result = CliHarness.Run("sweep", "run", WriteSpec(FitSpec), "--out", PathOf("sweep"));

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith($"error: --out '{PathOf("sweep")}' holds a different sweep: its axes differ from this spec's (hash {other.Hash()[..12]} there, ", result.Error, StringComparison.Ordinal);
        Assert.Contains("  hint: pass a new --out folder for this spec, or continue that sweep with the spec it was run with", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFileSystemEntries(PathOf("sweep")));
    }

    [Fact]
    public void AFolderOfOtherFilesIsNoSweepDirectory()
    {
        Directory.CreateDirectory(PathOf("mine"));
        File.WriteAllText(PathOf("mine/notes.txt"), "mine");
        CliResult result = CliHarness.Run("sweep", "run", WriteSpec(FitSpec), "--out", PathOf("mine"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith($"error: --out '{PathOf("mine")}' is a folder that is not a sweep directory (it holds 'notes.txt')", result.Error, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(PathOf("mine")).Select(Path.GetFileName));
    }

    [Fact]
    public void TheSlurmExecutorNeedsSbatchOnThePath()
    {
        Directory.CreateDirectory(PathOf("bin"));
        SweepCommand.SearchPathForTests = PathOf("bin");
        CliResult result = CliHarness.Run("sweep", "run", WriteSpec(FitSpec), "--out", PathOf("sweep"), "--executor", "slurm");
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal(
            "error: --executor slurm submits the runs with sbatch, but sbatch was not found on PATH.\n"
            + "  hint: run the sweep on a Slurm login node (or load its module, e.g. 'module load slurm'; scripts/slurm-local.sh starts a one-node cluster on a Debian machine), or pass --executor local to run it on this machine.\n",
            result.Error);
        Assert.False(Path.Exists(PathOf("sweep")));
    }

    /// <summary>Fake Slurm commands in bin/: each logs its arguments to NAME.args; sbatch answers as <paramref name="sbatch"/> says.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void FakeSlurm(string sbatch, params string[] tools)
    {
        Directory.CreateDirectory(PathOf("bin"));
        foreach (string tool in tools)
        {
            string body = tool == "sbatch" ? sbatch : "exit 0";
            File.WriteAllText(PathOf($"bin/{tool}"), $"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{PathOf(tool + ".args")}'\n{body}\n");
            File.SetUnixFileMode(PathOf($"bin/{tool}"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        SweepCommand.SearchPathForTests = PathOf("bin");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void TheSlurmExecutorNeedsSlurmsOtherCommandsToo()
    {
        FakeSlurm("exit 0", "sbatch", "scontrol");
        CliResult result = CliHarness.Run("sweep", "run", WriteSpec(FitSpec), "--out", PathOf("sweep"), "--executor", "slurm");
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith($"error: --executor slurm follows its job with squeue, scontrol, scancel, but squeue and scancel were not found on PATH (sbatch is at '{PathOf("bin/sbatch")}').\n  hint: ", result.Error, StringComparison.Ordinal);
        Assert.False(Path.Exists(PathOf("sweep")));
    }

    /// <summary>The cluster is asked (sbatch --test-only) whether it takes the job before anything is written.</summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void AJobTheClusterRefusesIsAnInputErrorAndNothingIsWritten()
    {
        WriteData("data.npy");
        FakeSlurm("echo 'sbatch: error: invalid partition specified: nope' >&2; exit 1", "sbatch", "squeue", "scontrol", "scancel");
        CliResult result = CliHarness.Run(
            "sweep", "run", WriteSpec(FitSpec), "--out", PathOf("sweep"), "--executor", "slurm", "--partition", "nope", "--cpus-per-task", "2", "--throttle", "1",
            "--time", "10", "--sbatch-arg=--qos=long", "--sbatch-arg", "--signal=B:TERM@60");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("error: the Slurm cluster refuses the sweep's array job: sbatch: error: invalid partition specified: nope", lines[0]);
        Assert.StartsWith("  hint: check --partition, --account, --time, --mem, --cpus-per-task and --sbatch-arg ('sinfo' lists the partitions and their limits); sbatch was asked: sbatch --job-name=lowrank-sweep-sweep --array=0-1%1 ", lines[1], StringComparison.Ordinal);
        Assert.Equal(
            ["--job-name=lowrank-sweep-sweep", "--array=0-1%1", $"--output={PathOf("sweep")}/slurm/job-%A_%a.log", $"--chdir={_temp.Path}", "--cpus-per-task=2", "--partition=nope", "--time=10", "--qos=long", "--signal=B:TERM@60", "--test-only"],
            File.ReadAllLines(PathOf("sbatch.args")));
        Assert.False(Path.Exists(PathOf("sweep")));
    }

    [Theory]
    [InlineData("--partition", "short")]
    [InlineData("--account", "lab")]
    [InlineData("--time", "1:00:00")]
    [InlineData("--mem", "4G")]
    [InlineData("--cpus-per-task", "2")]
    [InlineData("--throttle", "2")]
    [InlineData("--sbatch-arg", "--qos=long")]
    public void SlurmsOptionsNeedTheSlurmExecutor(string option, string value)
    {
        CliResult result = CliHarness.Run("sweep", "run", WriteSpec(FitSpec), "--out", PathOf("sweep"), option, value);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal($"error: {option} is an option of --executor slurm, but the sweep runs with --executor local.\n  hint: add --executor slurm to run the sweep on a Slurm cluster, or drop {option}.\n", result.Error);
        Assert.False(Path.Exists(PathOf("sweep")));
    }

    [Theory]
    [InlineData(new[] { "--jobs", "2" }, "error: --jobs sets how many runs this machine runs at a time, but the sweep runs with --executor slurm.\n  hint: drop --jobs; --throttle N ")]
    [InlineData(new[] { "--throttle", "0" }, "error: --throttle must be at least 1 (got 0).\n")]
    [InlineData(new[] { "--cpus-per-task", "0" }, "error: --cpus-per-task must be at least 1 (got 0).\n")]
    [InlineData(new[] { "--partition", " " }, "error: --partition is empty.\n  hint: give --partition a value, or leave it out for the cluster's default.\n")]
    [InlineData(new[] { "--sbatch-arg", "qos=long" }, "error: --sbatch-arg 'qos=long' is not an sbatch option (it does not start with '-').\n  hint: pass each sbatch option with its value in one word, e.g. --sbatch-arg=--qos=long ")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void BadSlurmOptionsAreInputErrors(string[] options, string error)
    {
        FakeSlurm("exit 0", "sbatch", "squeue", "scontrol", "scancel");
        CliResult result = CliHarness.Run(["sweep", "run", WriteSpec(FitSpec), "--out", PathOf("sweep"), "--executor", "slurm", .. options]);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith(error, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("sbatch.args")));
        Assert.False(Path.Exists(PathOf("sweep")));
    }

    [Theory]
    [InlineData("0", "error: --jobs must be at least 1 (got 0).")]
    [InlineData("100000", "error: --jobs 100000 is more runs at a time than the ")]
    public void JobsMustBeBetweenOneAndTheCores(string jobs, string error)
    {
        CliResult result = CliHarness.Run("sweep", "run", WriteSpec(FitSpec), "--out", PathOf("sweep"), "--jobs", jobs);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith(error, result.Error, StringComparison.Ordinal);
        Assert.False(Path.Exists(PathOf("sweep")));
    }

    /// <summary>The command a cluster task runs is hidden, and refuses a run number the sweep does not have.</summary>
    [Fact]
    public void TheTaskCommandIsHiddenAndChecksItsRunNumber()
    {
        Assert.DoesNotContain("run-task", CliHarness.Run("sweep", "--help").Output, StringComparison.Ordinal);
        SweepSpec spec = SweepSpecReader.Parse(FitSpec, "spec.json");
        SweepDirectory.Create(PathOf("sweep"), spec, SweepPoints.Expand(spec));

        CliResult result = CliHarness.Run("sweep", "run-task", PathOf("sweep"), "--index", "2", "--threads", "1", "--workdir", _temp.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith($"error: the sweep in '{PathOf("sweep")}' has runs 0 to 1, not 2.\n  hint: ", result.Error, StringComparison.Ordinal);
        Assert.False(Path.Exists(PathOf("sweep/runs")));
    }

    /// <summary>
    /// A run recorded as running while no sweep run holds the sweep is cut off (failed, continued next time) — unless a
    /// Slurm task runs it, which may still be running: then it stays running, and status says which task to look at.
    /// </summary>
    [Fact]
    public void StatusTellsACutOffRunFromOneASlurmTaskMayStillRun()
    {
        SweepSpec spec = SweepSpecReader.Parse(FitSpec, "spec.json");
        IReadOnlyList<SweepPoint> points = SweepPoints.Expand(spec);
        SweepDirectory.Create(PathOf("sweep"), spec, points);
        var running = new RunStatus { State = RunState.Running, Step = "fit", Attempts = 1, Started = DateTimeOffset.UtcNow, Executor = "local", Host = "here", Pid = 1 };
        RunDirectory seed1 = SweepDirectory.RunOf(PathOf("sweep"), points[0]), seed2 = SweepDirectory.RunOf(PathOf("sweep"), points[1]);
        Directory.CreateDirectory(seed1.Root);
        Directory.CreateDirectory(seed2.Root);
        seed1.WriteStatus(running);
        seed2.WriteStatus(running with { Executor = "slurm", Job = "4711_1", Host = "node7" });

        CliResult status = CliHarness.Run("sweep", "status", PathOf("sweep"), "--json", PathOf("status.json"));

        Assert.Equal(0, status.ExitCode);
        Assert.Contains("\n0 pending, 1 running, 0 done, 1 failed\n", status.Output, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"\nseed-1 +failed +fit +cut off in step fit: the sweep run that ran it ended without recording how \(killed\?\); the next sweep run continues it\n"), status.Output);
        Assert.Matches(new Regex(@"\nseed-2 +running +fit +in Slurm task 4711_1, which no sweep run follows now \('squeue -j 4711' shows whether it still runs\); once it has ended, the next sweep run continues what is not done\n"), status.Output);
        JsonElement run = ReadJson(PathOf("status.json")).GetProperty("runs")[1].GetProperty("status");
        Assert.Equal(("4711_1", "slurm", "node7"), (run.GetProperty("job").GetString(), run.GetProperty("executor").GetString(), run.GetProperty("host").GetString()));
    }

    [Theory]
    [InlineData("status")]
    [InlineData("collect")]
    public void StatusAndCollectNeedASweepDirectory(string command)
    {
        CliResult result = CliHarness.Run("sweep", command, _temp.Path);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith($"error: '{_temp.Path}' is not a sweep directory: it holds no sweep.json.\n  hint: ", result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A real local sweep of fit then evaluate over three seeds: seed 1's fit is stopped by SIGTERM mid-fit (as a
    /// scheduler stops a job), seed 2 fails (its recording is missing), seed 3 completes. A second sweep run leaves
    /// seed 3 alone, resumes seed 1 from its checkpoint and reruns seed 2: seed 1's model is the one an uninterrupted
    /// fit gives. Then status and collect.
    /// </summary>
    [Fact]
    public async Task AStoppedFitAndAFailedRunAreCompletedByTheNextSweepRunWithNothingLost()
    {
        WriteData("data-1.npy");
        WriteData("data-3.npy");
        string spec = WriteSpec($$$"""
            {
              "command": "fit",
              "options": {"data": "data-{seed}.npy", "out": "{out}/model", {{{TinyFit}}}, "epochs": 300},
              "axes": {"seed": [1, 2, 3]},
              "follow_up": [{"command": "evaluate", "options": {"model": "{out}/model", "data": "data-{seed}.npy", "seeds": 1, "burn-in": 100}}]
            }
            """);
        string dir = PathOf("sweep");
        RunDirectory seed1 = new(Path.Combine(dir, "runs", "seed-1")), seed3 = new(Path.Combine(dir, "runs", "seed-3"));

        Task<CliResult> first = Task.Factory.StartNew(() => CliHarness.Run("sweep", "run", spec, "--out", dir, "--jobs", "1"), TaskCreationOptions.LongRunning);

        // Watched on a thread of its own, so that a busy thread pool cannot delay the signal past the fit's end.
        string checkpoint = Path.Combine(seed1.Root, "model", ModelStore.CheckpointFile);
        (int? Pid, bool Sent) stop = await Task.Factory.StartNew(
            () =>
            {
                var clock = Stopwatch.StartNew();
                while (!first.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(60))
                {
                    if (File.Exists(checkpoint) && seed1.ReadStatus().Pid is int pid)
                    {
                        return (pid, ProcessSignals.Send(pid, PosixSignal.SIGTERM));
                    }

                    Thread.Sleep(5);
                }

                return ((int?)null, false);
            },
            TaskCreationOptions.LongRunning);

        Assert.True(stop.Pid is not null, "seed 1's fit wrote no checkpoint: " + (first.IsCompleted ? (await first).Error : "timeout"));
        Assert.True(stop.Sent);
        CliResult result = await first;

        Assert.Equal(ExitCodes.RunsFailed, result.ExitCode);
        Assert.Contains($"sweep '{dir}': 1 of 3 runs done, 2 failed\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  failed seed-1: fit stopped by SIGTERM (exit 143); its checkpoint is kept, and the next sweep run resumes it\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  failed seed-2: fit: error: file 'data-2.npy' does not exist.\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("failed  seed-1: fit stopped by SIGTERM", result.Error, StringComparison.Ordinal);
        Assert.Contains("runs 3/3 (100 %)", result.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(checkpoint));
        RunStatus stopped = seed1.ReadStatus();
        Assert.Equal((RunState.Failed, 143, "fit", 0, 1), (stopped.State, stopped.ExitCode, stopped.Step, stopped.StepsDone, stopped.Attempts));
        Assert.Equal(RunState.Done, seed3.ReadStatus().State);
        string[] seed3Files = [seed3.StatusPath, seed3.FiguresOf("fit"), seed3.FiguresOf("evaluate"), Path.Combine(seed3.Root, "model", ModelStore.ParametersFile)];
        byte[][] seed3Before = [.. seed3Files.Select(File.ReadAllBytes)];

        CliResult status = CliHarness.Run("sweep", "status", dir, "--json", PathOf("status.json"));
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("\n0 pending, 0 running, 1 done, 2 failed\n", status.Output, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"\nseed-2 +failed +fit +fit: error: file 'data-2\.npy' does not exist\.\n"), status.Output);
        Assert.Matches(new Regex(@"\nseed-3 +done\n"), status.Output);
        JsonElement report = ReadJson(PathOf("status.json"));
        Assert.Equal(2, report.GetProperty("counts").GetProperty("failed").GetInt32());
        Assert.Equal(2, report.GetProperty("runs")[1].GetProperty("status").GetProperty("exit_code").GetInt32());
        Assert.Equal("3", report.GetProperty("runs")[2].GetProperty("axes").GetProperty("seed").GetString());

        WriteData("data-2.npy");
        CliResult second = CliHarness.Run("sweep", "run", spec, "--out", dir, "--jobs", "1");

        Assert.Equal(0, second.ExitCode);
        Assert.Contains($"sweep '{dir}': 3 of 3 runs done\n", second.Output, StringComparison.Ordinal);
        Assert.Contains("; 2 to run (1 done before), 1 at a time with ", second.Error, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"done    seed-1 in [0-9.]+ s \(resumed from its checkpoint\)\n"), second.Error);
        Assert.Equal(seed3Before, seed3Files.Select(File.ReadAllBytes));
        RunStatus resumed = seed1.ReadStatus();
        Assert.Equal((RunState.Done, 2, 2, true), (resumed.State, resumed.StepsDone, resumed.Attempts, resumed.Resumed));
        string log = File.ReadAllText(seed1.StderrOf("fit"));
        Assert.Contains("=== attempt 1, ", log, StringComparison.Ordinal);
        Assert.Contains("stopped by SIGTERM after epoch ", log, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"=== attempt 2, [^\n]* --resume\n"), log);
        string[] commands = File.ReadAllLines(seed1.CommandPath);
        Assert.Equal("cd " + _temp.Path, commands[0]);
        Assert.StartsWith($"lowrank fit --data data-1.npy --out {seed1.Root}/model --rank 2 ", commands[1], StringComparison.Ordinal);
        Assert.EndsWith($" --seed 1 --json {seed1.FiguresOf("fit")} --threads {Environment.ProcessorCount} --resume", commands[1], StringComparison.Ordinal);
        Assert.StartsWith($"lowrank evaluate --model {seed1.Root}/model --data data-1.npy --seeds 1 --burn-in 100 --json ", commands[2], StringComparison.Ordinal);

        // Nothing lost: the resumed fit is the uninterrupted one.
        CliResult straight = CliHarness.Run(
            "fit", "--data", PathOf("data-1.npy"), "--out", PathOf("straight"), "--rank", "2", "--units", "9", "--particles", "4", "--batch", "5",
            "--window", "20", "--windows", "10", "--evaluate-every", "0", "--checkpoint-every", "1", "--epochs", "300", "--seed", "1", "--threads", "1", "--json", PathOf("straight.json"));
        Assert.Equal(0, straight.ExitCode);
        Dictionary<string, double[]> expected = Parameters(PathOf("straight")), actual = Parameters(Path.Combine(seed1.Root, "model"));
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.All(expected.Keys, key => Assert.Equal(expected[key], actual[key]));
        JsonElement training = JsonDocument.Parse(ModelStore.Load(Path.Combine(seed1.Root, "model")).Document.Training!.ToJsonString()).RootElement;
        Assert.True(training.GetProperty("resumed_from_epoch").GetInt32() > 0);

        CliResult collect = CliHarness.Run("sweep", "collect", dir);
        Assert.Equal(0, collect.ExitCode);
        Assert.StartsWith($"collected 3 runs of '{dir}' (3 done): ", collect.Output, StringComparison.Ordinal);
        string[] csv = File.ReadAllLines(Path.Combine(dir, "results.csv"));
        Assert.Equal(4, csv.Length);
        string[] header = csv[0].Split(',');
        Assert.Equal(["run", "state", "seed", "fit.epochs", "fit.final_objective", "fit.wall_seconds", "fit.rollbacks", "fit.starts", "evaluate.d_stsp"], header[..9]);
        Assert.Contains("evaluate.d_h", header);
        Assert.Contains("evaluate.d_h_per_channel.2", header);
        Assert.Equal(["seed-1", "seed-2", "seed-3"], csv[1..].Select(line => line.Split(',')[0]));
        Assert.All(csv[1..], line => Assert.Equal("done", line.Split(',')[1]));
        double finalObjective = double.Parse(csv[1].Split(',')[Array.IndexOf(header, "fit.final_objective")], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(ReadJson(PathOf("straight.json")).GetProperty("final_objective").GetDouble(), finalObjective);

        JsonElement results = ReadJson(Path.Combine(dir, "results.json"));
        Assert.Equal(3, results.GetProperty("runs").GetArrayLength());
        Assert.All(results.GetProperty("runs").EnumerateArray(), run => Assert.True(run.GetProperty("evaluate.d_stsp").GetDouble() >= 0));
        Assert.Equal(2, results.GetProperty("runs")[1].GetProperty("seed").GetInt32());
        byte[] png = File.ReadAllBytes(Path.Combine(dir, "plots", "evaluate.d_stsp_vs_seed.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    /// <summary>The same sweep run one job at a time and two at a time gives the same models, bit for bit.</summary>
    [Fact]
    public void ResultsDoNotDependOnTheNumberOfJobs()
    {
        WriteData("data.npy");
        string spec = WriteSpec($$$"""
            {"command": "fit", "options": {"data": "data.npy", "out": "{out}/model", {{{TinyFit}}}, "epochs": 6}, "axes": {"rank": [1, 2], "seed": [1, 2]}}
            """.Replace("\"rank\": 2, ", "", StringComparison.Ordinal));
        int jobs = Math.Min(2, Environment.ProcessorCount);
        Assert.Equal(0, CliHarness.Run("sweep", "run", spec, "--out", PathOf("one"), "--jobs", "1").ExitCode);
        Assert.Equal(0, CliHarness.Run("sweep", "run", spec, "--out", PathOf("many"), "--jobs", jobs.ToString(System.Globalization.CultureInfo.InvariantCulture)).ExitCode);

        string[] runs = ["rank-1_seed-1", "rank-1_seed-2", "rank-2_seed-1", "rank-2_seed-2"];
        Assert.Equal(runs, Directory.GetDirectories(PathOf("many/runs")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (string run in runs)
        {
            Dictionary<string, double[]> a = Parameters(PathOf($"one/runs/{run}/model")), b = Parameters(PathOf($"many/runs/{run}/model"));
            Assert.All(a.Keys, key => Assert.Equal(a[key], b[key]));
            Assert.Equal(
                ReadJson(PathOf($"one/runs/{run}/fit.json")).GetProperty("final_objective").GetDouble(),
                ReadJson(PathOf($"many/runs/{run}/fit.json")).GetProperty("final_objective").GetDouble());
        }

        // Different runs differ (the seeds and ranks reach the fits).
        Assert.NotEqual(Parameters(PathOf("one/runs/rank-1_seed-1/model"))["n"], Parameters(PathOf("one/runs/rank-1_seed-2/model"))["n"]);
    }

    /// <summary>Running a finished sweep again runs nothing and changes nothing.</summary>
    [Fact]
    public void RunningAFinishedSweepAgainSkipsEveryRun()
    {
        WriteData("data.npy");
        string spec = WriteSpec($$$"""{"command": "fit", "options": {"data": "data.npy", "out": "{out}/model", {{{TinyFit}}}, "epochs": 2}, "axes": {"seed": [7]}}""");
        Assert.Equal(0, CliHarness.Run("sweep", "run", spec, "--out", PathOf("sweep")).ExitCode);
        string status = PathOf("sweep/runs/seed-7/status.json");
        byte[] before = File.ReadAllBytes(status);

        CliResult again = CliHarness.Run("sweep", "run", spec, "--out", PathOf("sweep"));

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("; 0 to run (1 done before)", again.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(status));
        Assert.Equal(1, new RunDirectory(PathOf("sweep/runs/seed-7")).ReadStatus().Attempts);
    }
}
