using System.Security.Cryptography;
using LowRank.Cli;

namespace LowRank.Tests.Cli;

/// <summary>
/// Inputs for <see cref="OutputPolicyCommandTests"/>, made once: a stochastic model <c>m</c> with its data
/// <c>d.npz</c>, a rank-1 LINT network <c>r</c> and its populations <c>p</c>.
/// </summary>
public sealed class OutputPolicyInputs : IDisposable
{
    public OutputPolicyInputs()
    {
        Require(CliHarness.Run("simulate", "--teacher", "ring", "--rank", "2", "--units", "16", "--channels", "3", "--steps", "40", "--threads", "1", "--out", PathOf("d.npz"), "--model-out", PathOf("m")));
        Require(CliHarness.Run("task", "train", "--task", "cdi", "--units", "16", "--rank", "1", "--epochs", "1", "--trials", "8", "--batch", "8", "--eval-trials", "8", "--threads", "1", "--out", PathOf("r")));
        Require(CliHarness.Run("populations", "fit", "--model", PathOf("r"), "--components", "1", "--restarts", "1", "--threads", "1", "--out", PathOf("p")));
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("lowrank-outputs-").FullName;

    public string PathOf(string name) => Path.Combine(Root, name);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static void Require(CliResult result) => Assert.True(result.ExitCode == 0, result.Error);
}

/// <summary>
/// The one output policy (docs/cli.md, "Outputs"), command by command: each case exits 2 with the exact message
/// and leaves every file as it was.
/// </summary>
public sealed class OutputPolicyCommandTests(OutputPolicyInputs inputs) : IClassFixture<OutputPolicyInputs>, IDisposable
{
    private const string FolderHint = "pass a new or empty folder, or an earlier {0} to replace it.";

    private readonly TempDir _user = new();

    public void Dispose() => _user.Dispose();

    private string In(string name) => inputs.PathOf(name);

    /// <summary>A folder of the user's own files.</summary>
    private string UserFolder()
    {
        File.WriteAllText(_user.File("notes.txt"), "my notes");
        File.WriteAllText(_user.File("results.csv"), "1,2,3");
        return _user.Path;
    }

    /// <summary>Runs the command; asserts exit code 2, the exact error and hint, and that no file under the input and user folders changed.</summary>
    private void AssertRefused(string message, string hint, params string[] args)
    {
        Dictionary<string, string> before = Snapshot();
        CliResult result = CliHarness.Run(args);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal($"error: {message}{Environment.NewLine}  hint: {hint}{Environment.NewLine}", result.Error);
        Assert.Equal("", result.Output);
        Assert.Equal(before, Snapshot());
    }

    private Dictionary<string, string> Snapshot()
    {
        var files = new Dictionary<string, string>();
        foreach (string root in new[] { inputs.Root, _user.Path })
        {
            foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
            {
                files[path] = File.Exists(path) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) : "dir";
            }
        }

        return files;
    }

    // ---- An output that is an input, or lies inside one --------------------------------------------

    [Fact]
    public void InspectJsonOntoItsInput() =>
        AssertRefused(
            $"--json '{In("d.npz")}' is also the input PATH; writing it would destroy that input.",
            "pass another path to --json.",
            "inspect", In("d.npz"), "--json", In("d.npz"));

    [Fact]
    public void FitJsonOntoItsData() =>
        AssertRefused(
            $"--json '{In("d.npz")}' is also the input --data; writing it would destroy that input.",
            "pass another path to --json.",
            "fit", "--data", In("d.npz"), "--out", _user.File("fit"), "--json", In("d.npz"));

    [Fact]
    public void EvaluateJsonOntoItsData() =>
        AssertRefused(
            $"--json '{In("d.npz")}' is also the input --data; writing it would destroy that input.",
            "pass another path to --json.",
            "evaluate", "--model", In("m"), "--data", In("d.npz"), "--json", In("d.npz"));

    [Fact]
    public void GenerateIntoItsModel() =>
        AssertRefused(
            $"--out '{In("m/params.npz")}' lies inside the input --model '{In("m")}'; writing there would change that input.",
            $"pass a path outside '{In("m")}' to --out.",
            "generate", "--model", In("m"), "--out", In("m/params.npz"));

    [Fact]
    public void FixedPointsIntoItsModel() =>
        AssertRefused(
            $"--out '{In("m/model.json")}' lies inside the input --model '{In("m")}'; writing there would change that input.",
            $"pass a path outside '{In("m")}' to --out.",
            "fixed-points", "--model", In("m"), "--out", In("m/model.json"));

    [Fact]
    public void LintFitOntoItsTeacher() =>
        AssertRefused(
            $"--out '{In("r")}' is also the input --teacher; writing it would destroy that input.",
            "pass another path to --out.",
            "lint", "fit", "--teacher", In("r"), "--rank", "1", "--out", In("r"));

    [Fact]
    public void LintAnalyzeIntoItsModel() =>
        AssertRefused(
            $"--out '{In("r/analysis")}' lies inside the input --model '{In("r")}'; writing there would change that input.",
            $"pass a path outside '{In("r")}' to --out.",
            "lint", "analyze", "--model", In("r"), "--out", In("r/analysis"));

    [Fact]
    public void TaskEvalJsonIntoItsModel() =>
        AssertRefused(
            $"--json '{In("r/model.json")}' lies inside the input --model '{In("r")}'; writing there would change that input.",
            $"pass a path outside '{In("r")}' to --json.",
            "task", "eval", "--model", In("r"), "--json", In("r/model.json"));

    [Fact]
    public void PopulationsResampleIntoItsPopulations() =>
        AssertRefused(
            $"--out '{In("p/net")}' lies inside the input --populations '{In("p")}'; writing there would change that input.",
            $"pass a path outside '{In("p")}' to --out.",
            "populations", "resample", "--populations", In("p"), "--units", "8", "--out", In("p/net"));

    [Fact]
    public void PopulationsEvalPlotIntoItsPopulations() =>
        AssertRefused(
            $"--plot '{In("p/kappa.png")}' lies inside the input --populations '{In("p")}'; writing there would change that input.",
            $"pass a path outside '{In("p")}' to --plot.",
            "populations", "eval", "--populations", In("p"), "--plot", In("p/kappa.png"));

    [Fact]
    public void PopulationsFitOverFolderHoldingItsModel() =>
        AssertRefused(
            $"--out '{inputs.Root}' holds the input --model '{In("r")}', and it is replaced whole when written.",
            "pass a new folder to --out.",
            "populations", "fit", "--model", In("r"), "--out", inputs.Root);

    [Fact]
    public void PopulationsTrainOntoItsInit() =>
        AssertRefused(
            $"--out '{In("p")}' is also the input --init; writing it would destroy that input.",
            "pass another path to --out.",
            "populations", "train", "--task", "cdi", "--rank", "1", "--components", "1", "--init", In("p"), "--out", In("p"));

    [Fact]
    public void BenchVsmcJsonOntoItsData() =>
        AssertRefused(
            $"--json '{In("d.npz")}' is also the input --data; writing it would destroy that input.",
            "pass another path to --json.",
            "bench", "vsmc", "--data", In("d.npz"), "--json", In("d.npz"));

    [Fact]
    public void BenchLintJsonIntoItsTeacher() =>
        AssertRefused(
            $"--json '{In("r/bench.json")}' lies inside the input --teacher '{In("r")}'; writing there would change that input.",
            $"pass a path outside '{In("r")}' to --json.",
            "bench", "lint", "--teacher", In("r"), "--json", In("r/bench.json"));

    // ---- Outputs that overlap ----------------------------------------------------------------------

    [Fact]
    public void SimulateDataInsideItsModelOut() =>
        AssertRefused(
            $"--out '{_user.File("t/data.npz")}' lies inside --model-out '{_user.File("t")}', which is replaced whole when written.",
            $"pass a path outside '{_user.File("t")}' to --out.",
            "simulate", "--out", _user.File("t/data.npz"), "--model-out", _user.File("t"));

    [Fact]
    public void PopulationsTrainTwoOutputsOnOnePath() =>
        AssertRefused(
            $"--out and --network-out are the same path '{_user.File("q")}'; the second write would replace the first.",
            "pass different paths to --out and --network-out.",
            "populations", "train", "--task", "cdi", "--rank", "1", "--components", "1", "--out", _user.File("q"), "--network-out", _user.File("q"));

    // ---- Directories that are not ours to replace --------------------------------------------------

    [Fact]
    public void TaskTrainIntoTheCurrentDirectory() =>
        AssertRefused(
            "--out '.' is the current directory (or holds it), and a LINT model directory is replaced whole when written.",
            "name a new folder, e.g. --out result.",
            "task", "train", "--task", "cdi", "--out", ".");

    [Fact]
    public void TaskTrainOverTheUsersFiles() =>
        AssertRefused(
            $"--out '{UserFolder()}' is a folder that is not a LINT model directory (it holds 'notes.txt' and 1 more); it would be replaced whole.",
            string.Format(FolderHint, "LINT model directory"),
            "task", "train", "--task", "cdi", "--out", _user.Path);

    [Fact]
    public void TaskTrainOverAStochasticModel() =>
        AssertRefused(
            $"--out '{In("m")}' is a folder that is not a LINT model directory (it holds 'model.json' and 1 more); it would be replaced whole.",
            string.Format(FolderHint, "LINT model directory"),
            "task", "train", "--task", "cdi", "--out", In("m"));

    [Fact]
    public void FitOverTheUsersFiles() =>
        AssertRefused(
            $"--out '{UserFolder()}' is a folder that is not a stochastic model directory (it holds 'notes.txt' and 1 more); it would be replaced whole.",
            string.Format(FolderHint, "stochastic model directory"),
            "fit", "--data", In("d.npz"), "--out", _user.Path);

    [Fact]
    public void LintFitOverTheUsersFiles() =>
        AssertRefused(
            $"--out '{UserFolder()}' is a folder that is not a LINT model directory (it holds 'notes.txt' and 1 more); it would be replaced whole.",
            string.Format(FolderHint, "LINT model directory"),
            "lint", "fit", "--teacher", In("r"), "--rank", "1", "--out", _user.Path);

    [Fact]
    public void LintSweepOverALintModel()
    {
        string model = _user.File("r2");
        Directory.CreateDirectory(model);
        foreach (string file in Directory.GetFiles(In("r")))
        {
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        }

        AssertRefused(
            $"--out '{model}' is a folder that is not a LINT rank-sweep directory (it holds 'model.json' and 1 more); it would be replaced whole.",
            string.Format(FolderHint, "LINT rank-sweep directory"),
            "lint", "fit", "--teacher", In("r"), "--ranks", "1..2", "--out", model);
    }

    [Fact]
    public void PopulationsFitOverTheUsersFiles() =>
        AssertRefused(
            $"--out '{UserFolder()}' is a folder that is not a populations directory (it holds 'notes.txt' and 1 more); it would be replaced whole.",
            string.Format(FolderHint, "populations directory"),
            "populations", "fit", "--model", In("r"), "--out", _user.Path);

    [Fact]
    public void SimulateModelOutOverTheUsersFiles() =>
        AssertRefused(
            $"--model-out '{UserFolder()}' is a folder that is not a stochastic model directory (it holds 'notes.txt' and 1 more); it would be replaced whole.",
            string.Format(FolderHint, "stochastic model directory"),
            "simulate", "--out", In("x.npz"), "--model-out", _user.Path);

    [Fact]
    public void DemoOverTheUsersFiles() =>
        AssertRefused(
            $"--out '{UserFolder()}' is a folder that is not a demo output directory (it holds 'notes.txt' and 1 more); its files would be overwritten.",
            string.Format(FolderHint, "demo output directory"),
            "demo", "--out", _user.Path);

    // ---- Unwritable locations, found before the work ----------------------------------------------

    [Fact]
    public void FitIntoAnUnwritableFolder() =>
        AssertRefused(
            "--out '/proc/lowrank-x' cannot be written: no file can be created in '/proc'.",
            "pass a path in a folder you can write to, or fix that folder's permissions.",
            "fit", "--data", In("d.npz"), "--out", "/proc/lowrank-x");

    [Fact]
    public void FitJsonOntoADirectory() =>
        AssertRefused(
            $"--json '{_user.Path}' is a directory, but a file is written there.",
            "pass the path of a file (inside that directory or elsewhere), not of the directory.",
            "fit", "--data", In("d.npz"), "--out", _user.File("fit"), "--json", _user.Path);

    [Fact]
    public void FitJsonUnderAFile()
    {
        string notes = Path.Combine(UserFolder(), "notes.txt");
        AssertRefused(
            $"--json '{notes}/fit.json' cannot be created: '{notes}' is a file, not a folder.",
            "pass a path under a folder, e.g. --json fit.json.",
            "fit", "--data", In("d.npz"), "--out", _user.File("fit"), "--json", notes + "/fit.json");
    }

    [Fact]
    public void FixedPointsPlotIntoAnUnwritableFolder() =>
        AssertRefused(
            "--plot '/proc/x.png' cannot be written: no file can be created in '/proc'.",
            "pass a path in a folder you can write to, or fix that folder's permissions.",
            "fixed-points", "--model", In("m"), "--out", _user.File("fp.json"), "--plot", "/proc/x.png");

    [Fact]
    public void BenchFixedPointsJsonIntoAnUnwritableFolder() =>
        AssertRefused(
            "--json '/proc/x.json' cannot be written: no file can be created in '/proc'.",
            "pass a path in a folder you can write to, or fix that folder's permissions.",
            "bench", "fixed-points", "--units", "8", "--rank", "2", "--json", "/proc/x.json");

    [Fact]
    public void SimulateModelOutOntoAFile() =>
        AssertRefused(
            $"--model-out '{In("d.npz")}' is a file, but a stochastic model directory is written there.",
            $"pass a directory path that does not exist yet, e.g. --model-out {In("d")}-out.",
            "simulate", "--out", _user.File("x.npz"), "--model-out", In("d.npz"));

    // ---- What is allowed --------------------------------------------------------------------------

    [Fact]
    public void AModelDirectoryOfTheSameKindIsReplacedAndStaleTemporariesAreCleared()
    {
        string model = _user.File("teacher");
        Assert.Equal(0, CliHarness.Run("simulate", "--teacher", "ring", "--units", "16", "--channels", "3", "--steps", "20", "--out", _user.File("a.npz"), "--model-out", model).ExitCode);
        File.WriteAllText(Path.Combine(model, "stale.txt"), "from an earlier run");
        string staleDirectory = _user.File(".teacher.tmp-0123456789abcdef0123456789abcdef");
        string staleOld = staleDirectory + ".old";
        string staleFile = _user.File(".a.npz.tmp-fedcba9876543210fedcba9876543210");
        string notOurs = _user.File(".teacher.tmp-mine");
        Directory.CreateDirectory(staleDirectory);
        Directory.CreateDirectory(staleOld);
        File.WriteAllText(staleFile, "half a file");
        File.WriteAllText(notOurs, "a file of the user's that merely looks like ours");

        CliResult result = CliHarness.Run("simulate", "--teacher", "ring", "--units", "16", "--channels", "3", "--steps", "20", "--out", _user.File("a.npz"), "--model-out", model);

        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists(Path.Combine(model, "stale.txt")));
        Assert.True(File.Exists(Path.Combine(model, "model.json")));
        Assert.False(Path.Exists(staleDirectory));
        Assert.False(Path.Exists(staleOld));
        Assert.False(Path.Exists(staleFile));
        Assert.True(File.Exists(notOurs));
    }

    [Fact]
    public void AnEmptyFolderMayBeTheOutput()
    {
        string empty = _user.File("empty");
        Directory.CreateDirectory(empty);
        CliResult result = CliHarness.Run("simulate", "--teacher", "ring", "--units", "16", "--channels", "3", "--steps", "20", "--out", _user.File("a.npz"), "--model-out", empty);
        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(empty, "model.json")));
    }
}
