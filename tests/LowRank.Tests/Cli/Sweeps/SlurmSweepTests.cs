using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using LowRank.Cli;
using LowRank.Formats;
using LowRank.Model;
using LowRank.Sweeps;

namespace LowRank.Tests.Cli.Sweeps;

/// <summary>
/// Sweeps through a real Slurm cluster (<c>scripts/slurm-local.sh</c> starts one on this machine): skipped, with the
/// reason, where no cluster answers.
/// </summary>
public sealed class SlurmSweepTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private string PathOf(string name) => _temp.File(name);

    private static Dictionary<string, double[]> Parameters(string modelDirectory) =>
        Npz.Read(Path.Combine(modelDirectory, ModelStore.ParametersFile)).ToDictionary(p => p.Key, p => p.Value.Data);

    private static JsonElement ReadJson(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    /// <summary>
    /// Three fits (then evaluate) as one array job, two tasks at a time with one core each. Seed 2's task is cancelled
    /// with scancel mid-fit: the sweep run reports it with Slurm's state, its status.json says so, and its checkpoint is
    /// kept. A second sweep run submits only seed 2, which resumes. Nothing is lost: every model is, bit for bit, the
    /// model the local executor (with another thread count) makes of the same spec.
    /// </summary>
    [SlurmFact]
    public async Task ACancelledTaskIsResubmittedAndResumedAndTheModelsAreTheLocalExecutors()
    {
        Npy.Write(PathOf("data.npy"), NdArray.Create(TestRecordings.NoisyOscillation(), 300, 3));
        File.WriteAllText(PathOf("spec.json"), """
            {
              "command": "fit",
              "options": {"data": "data.npy", "out": "{out}/model", "rank": 2, "units": 9, "particles": 4, "batch": 5, "window": 20, "windows": 10,
                          "evaluate-every": 0, "checkpoint-every": 1, "epochs": 600},
              "axes": {"seed": [1, 2, 3]},
              "follow_up": [{"command": "evaluate", "options": {"model": "{out}/model", "data": "data.npy", "seeds": 1, "burn-in": 100}}]
            }
            """);
        string spec = PathOf("spec.json"), dir = PathOf("slurm-sweep");
        string[] names = ["seed-1", "seed-2", "seed-3"];
        RunDirectory Run(string sweep, string name) => new(Path.Combine(sweep, "runs", name));
        RunDirectory seed2 = Run(dir, "seed-2");

        Task<CliResult> first = Task.Factory.StartNew(
            () => CliHarness.Run("sweep", "run", spec, "--out", dir, "--executor", "slurm", "--cpus-per-task", "1", "--throttle", "2"),
            TaskCreationOptions.LongRunning);

        // Once seed 2's fit has written a checkpoint, cancel its task as a user would.
        string checkpoint = Path.Combine(seed2.Root, "model", ModelStore.CheckpointFile);
        string? task = await Task.Factory.StartNew(
            () =>
            {
                var clock = Stopwatch.StartNew();
                while (!first.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(90))
                {
                    if (File.Exists(checkpoint) && seed2.ReadStatus() is { State: RunState.Running, Job: { } job })
                    {
                        return job;
                    }

                    Thread.Sleep(20);
                }

                return null;
            },
            TaskCreationOptions.LongRunning);
        Assert.True(task is not null, "seed 2's fit wrote no checkpoint under Slurm: " + (first.IsCompleted ? (await first).Error : "timeout"));
        (int cancelled, string said) = SlurmCluster.Run("scancel", task);
        Assert.True(cancelled == 0, "scancel: " + said);
        CliResult result = await first;

        Assert.Equal(ExitCodes.RunsFailed, result.ExitCode);
        Assert.Matches(new Regex(@"^submitted Slurm array job \d+: 3 tasks \(--array=0-2%2\), script " + Regex.Escape(Path.Combine(dir, "slurm", "submit-1.sh")), RegexOptions.Multiline), result.Error);
        Assert.Contains($"sweep '{dir}': 2 of 3 runs done, 1 failed\n", result.Output, StringComparison.Ordinal);
        string reason = $"Slurm task {task} CANCELLED: fit stopped by SIGTERM (exit 143); its checkpoint is kept, and the next sweep run resumes it";
        Assert.Contains($"  failed seed-2: {reason}\n", result.Output, StringComparison.Ordinal);
        RunStatus stopped = seed2.ReadStatus();
        Assert.Equal((RunState.Failed, reason, "slurm", task, "fit", 0), (stopped.State, stopped.Reason, stopped.Executor, stopped.Job, stopped.Step, stopped.StepsDone));
        Assert.True(File.Exists(checkpoint));
        Assert.Contains("CANCELLED", File.ReadAllText(Path.Combine(dir, "slurm", $"job-{task}.log")), StringComparison.Ordinal);
        string[] kept = [.. new[] { "seed-1", "seed-3" }.SelectMany(n => new[] { Run(dir, n).StatusPath, Run(dir, n).FiguresOf("evaluate"), Path.Combine(Run(dir, n).Root, "model", ModelStore.ParametersFile) })];
        byte[][] keptBefore = [.. kept.Select(File.ReadAllBytes)];
        Assert.All(new[] { "seed-1", "seed-3" }, n => Assert.Equal((RunState.Done, "slurm"), (Run(dir, n).ReadStatus().State, Run(dir, n).ReadStatus().Executor)));

        CliResult status = CliHarness.Run("sweep", "status", dir);
        Assert.Matches(new Regex(@"\nseed-2 +failed +fit +" + Regex.Escape(reason) + "\n"), status.Output);

        CliResult second = CliHarness.Run("sweep", "run", spec, "--out", dir, "--executor", "slurm", "--cpus-per-task", "1", "--throttle", "2");

        Assert.True(second.ExitCode == 0, second.Output + second.Error);
        Assert.Contains("; 1 to run (2 done before), as one Slurm array job, at most 2 tasks at a time, each task with 1 core and as many threads", second.Error, StringComparison.Ordinal);
        Assert.Contains("1 task (--array=1%2), script " + Path.Combine(dir, "slurm", "submit-2.sh"), second.Error, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"done    seed-2 in [0-9.]+ s \(resumed from its checkpoint\)\n"), second.Error);
        Assert.Equal(keptBefore, kept.Select(File.ReadAllBytes));
        RunStatus resumed = seed2.ReadStatus();
        Assert.Equal((RunState.Done, 2, 2, true, "slurm"), (resumed.State, resumed.StepsDone, resumed.Attempts, resumed.Resumed, resumed.Executor));
        Assert.NotEqual(task, resumed.Job);
        Assert.EndsWith(" --threads 1 --resume", File.ReadAllLines(seed2.CommandPath)[1], StringComparison.Ordinal);

        // The same spec on this machine, with all its cores per run: the same models and figures, bit for bit.
        string local = PathOf("local-sweep");
        Assert.Equal(0, CliHarness.Run("sweep", "run", spec, "--out", local, "--jobs", "1").ExitCode);
        foreach (string name in names)
        {
            Dictionary<string, double[]> expected = Parameters(Path.Combine(Run(local, name).Root, "model")), actual = Parameters(Path.Combine(Run(dir, name).Root, "model"));
            Assert.Equal(expected.Keys, actual.Keys);
            Assert.All(expected.Keys, key => Assert.Equal(expected[key], actual[key]));
            Assert.Equal(
                ReadJson(Run(local, name).FiguresOf("fit")).GetProperty("final_objective").GetDouble(),
                ReadJson(Run(dir, name).FiguresOf("fit")).GetProperty("final_objective").GetDouble());
            Assert.Equal(
                ReadJson(Run(local, name).FiguresOf("evaluate")).GetProperty("d_stsp").GetDouble(),
                ReadJson(Run(dir, name).FiguresOf("evaluate")).GetProperty("d_stsp").GetDouble());
        }
    }
}
