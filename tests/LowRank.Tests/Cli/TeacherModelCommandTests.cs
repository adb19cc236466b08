using LowRank.Formats;

namespace LowRank.Tests.Cli;

/// <summary><c>simulate --teacher-model</c> (a task-trained rate network observed through spikes) and <c>generate --inputs FILE.npz</c>.</summary>
public sealed class TeacherModelCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-teacher-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private void TrainReachTeacher() =>
        Assert.Equal(0, CliHarness.Run(
            "task", "train", "--task", "reach", "--units", "24", "--epochs", "1", "--trials", "8", "--batch", "8", "--eval-trials", "8",
            "--threads", "1", "--out", PathOf("teacher")).ExitCode);

    [Fact]
    public void TeacherSpikesCarryInputsAndConditionsAndGenerateCopiesThem()
    {
        TrainReachTeacher();
        CliResult simulated = CliHarness.Run(
            "simulate", "--teacher-model", PathOf("teacher"), "--conditions", "0,90,180", "--trials", "6", "--channels", "5", "--seed", "3", "--out", PathOf("spikes.npz"));
        Assert.Equal(0, simulated.ExitCode);
        var arrays = Npz.Read(PathOf("spikes.npz"));
        Assert.Equal([6, 85, 5], arrays["samples"].Shape);
        Assert.Equal([6, 85, 5], arrays["rates"].Shape);
        Assert.Equal([6, 85, 3], arrays["inputs"].Shape);
        Assert.Equal([6, 85, 2], arrays["targets"].Shape);
        Assert.Equal([0.0, 90, 180, 0, 90, 180], arrays["condition"].Data);
        Assert.Equal([5], arrays["units"].Shape);
        Assert.All(arrays["samples"].Data, c => Assert.Equal(Math.Round(c), c));

        Assert.Equal(0, CliHarness.Run(
            "fit", "--data", PathOf("spikes.npz"), "--likelihood", "poisson", "--rank", "2", "--units", "12", "--epochs", "2", "--batch", "3",
            "--particles", "4", "--evaluate-every", "0", "--threads", "1", "--out", PathOf("student")).ExitCode);
        CliResult generated = CliHarness.Run("generate", "--model", PathOf("student"), "--inputs", PathOf("spikes.npz"), "--seed", "1", "--out", PathOf("gen.npz"));
        Assert.Equal(0, generated.ExitCode);
        var gen = Npz.Read(PathOf("gen.npz"));
        Assert.Equal([6, 85, 5], gen["samples"].Shape);
        Assert.Equal(arrays["inputs"].Data, gen["inputs"].Data);
        Assert.Equal(arrays["condition"].Data, gen["condition"].Data);
    }

    [Fact]
    public void BadTeachersAndInputsExitTwoWithoutOutput()
    {
        TrainReachTeacher();
        Assert.Equal(0, CliHarness.Run("simulate", "--teacher", "ring", "--units", "20", "--channels", "3", "--steps", "5", "--out", PathOf("ring.npz"), "--model-out", PathOf("ring")).ExitCode);
        string[] before = Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories);
        Npy.Write(PathOf("wide.npy"), NdArray.Create(new double[2 * 4 * 3], 2, 4, 3), DType.Float32);
        Npy.Write(PathOf("long.npy"), NdArray.Create(new double[2 * 7 * 2], 2, 7, 2), DType.Float32);
        Npz.Write(PathOf("none.npz"), [new("u", NdArray.Create(new double[4], 1, 2, 2))]);
        before = [.. before, PathOf("wide.npy"), PathOf("long.npy"), PathOf("none.npz")];

        (string[] Args, string Error, string Hint)[] cases =
        [
            (["simulate", "--teacher-model", PathOf("ring"), "--out", PathOf("x.npz")],
                $"error: '{PathOf("ring")}/model.json' describes a model of kind 'stochastic_low_rank_rnn', not a LINT network", "  hint: pass a model written by 'lowrank task train'"),
            (["simulate", "--teacher-model", PathOf("teacher"), "--units", "10", "--out", PathOf("x.npz")],
                "error: --units describes a built-in teacher, but --teacher-model runs a trained rate network.", "  hint: drop --units"),
            (["simulate", "--teacher-model", PathOf("teacher"), "--channels", "25", "--out", PathOf("x.npz")],
                "error: --channels must be at most the network's 24 units", "  hint:"),
            (["simulate", "--teacher-model", PathOf("teacher"), "--conditions", "0,east", "--out", PathOf("x.npz")],
                "error: --conditions '0,east' is not a comma-separated list of numbers ('east').", "  hint: pass e.g. --conditions 0,45,90."),
            (["simulate", "--conditions", "0,90", "--out", PathOf("x.npz")],
                "error: --conditions applies to a trained teacher network only.", "  hint: pass --teacher-model DIR"),
            (["generate", "--model", PathOf("ring"), "--steps", "4", "--trials", "2", "--out", PathOf("g.npz")],
                $"error: model '{PathOf("ring")}' has 2 inputs but no --inputs file was given.", "  hint: pass --inputs FILE.npy with shape [2, 4, 2]"),
            (["generate", "--model", PathOf("ring"), "--inputs", PathOf("wide.npy"), "--out", PathOf("g.npz")],
                $"error: --inputs '{PathOf("wide.npy")}' has 3 inputs per step (shape [2, 4, 3]) but model '{PathOf("ring")}' was fitted with U = 2.", "  hint: pass inputs [trials, steps, 2]"),
            (["generate", "--model", PathOf("ring"), "--inputs", PathOf("long.npy"), "--steps", "5", "--out", PathOf("g.npz")],
                $"error: --inputs '{PathOf("long.npy")}' has shape [2, 7, 2] but [trials, steps, inputs] = [2, 5, 2] is needed.", "  hint: match --trials and --steps"),
            (["generate", "--model", PathOf("ring"), "--inputs", PathOf("none.npz"), "--out", PathOf("g.npz")],
                $"error: --inputs '{PathOf("none.npz")}' has no array 'inputs' (it has: u).", "  hint: pass an .npz with inputs [trials, T, U]"),
        ];
        foreach ((string[] args, string error, string hint) in cases)
        {
            CliResult result = CliHarness.Run(args);
            Assert.True(result.ExitCode == 2, $"{string.Join(' ', args)}: exit {result.ExitCode}\n{result.Error}");
            string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith(error, lines[0]);
            Assert.StartsWith(hint, lines[1]);
            Assert.Equal(before.Order(), Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Order());
        }
    }
}
