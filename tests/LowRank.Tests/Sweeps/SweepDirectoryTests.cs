using LowRank.Sweeps;

namespace LowRank.Tests.Sweeps;

public sealed class SweepDirectoryTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static SweepSpec Spec(string seeds = "[1, 2]") =>
        SweepSpecReader.Parse("""{"command": "fit", "options": {"rank": 2}, "axes": {"seed": """ + seeds + "}}", "spec.json");

    [Fact]
    public void ADirectoryHoldsTheSweepItWasCreatedFor()
    {
        string dir = _temp.File("sweep");
        SweepSpec spec = Spec();
        SweepDirectory.CheckHolds(dir, spec); // new: fine
        SweepDirectory.Create(dir, spec, SweepPoints.Expand(spec));
        Assert.True(SweepDirectory.OutputKind.Recognises(dir));

        SweepDirectory.CheckHolds(dir, Spec("{\"from\": 1, \"to\": 2}")); // the same sweep written otherwise
        OpenedSweep opened = SweepDirectory.Open(dir);
        Assert.Equal(spec.ToCanonicalJson(), opened.Spec.ToCanonicalJson());
        Assert.Equal(["seed-1", "seed-2"], opened.Points.Select(p => p.Name));
        Assert.Equal(Path.Combine(dir, "runs", "seed-2"), opened.RunOf(opened.Points[1]).Root);
    }

    [Fact]
    public void ADirectoryOfAnotherSweepIsRefusedNamingWhatDiffers()
    {
        string dir = _temp.File("sweep");
        SweepSpec spec = Spec();
        SweepDirectory.Create(dir, spec, SweepPoints.Expand(spec));

        var error = Assert.Throws<InputException>(() => SweepDirectory.CheckHolds(dir, Spec("[1, 2, 3]")));
        Assert.StartsWith($"Out '{dir}' holds a different sweep: its axes differ from this spec's (hash {spec.Hash()[..12]} there, ", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(dir, "sweep.json"), error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void OpeningAFolderThatIsNoSweepIsAnInputError()
    {
        var error = Assert.Throws<InputException>(() => SweepDirectory.Open(_temp.Path));
        Assert.Equal($"'{_temp.Path}' is not a sweep directory: it holds no sweep.json.", error.Message);

        File.WriteAllText(_temp.File("sweep.json"), """{"kind": "lint_sweep"}""");
        error = Assert.Throws<InputException>(() => SweepDirectory.Open(_temp.Path));
        Assert.Contains("is not a sweep manifest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RunStatusRoundTripsAndIsPendingWhenAbsent()
    {
        var run = new RunDirectory(_temp.File("runs/seed-1"));
        Assert.Equal(RunStatus.Pending, run.ReadStatus());

        var status = new RunStatus
        {
            State = RunState.Failed, Reason = "fit: error: no data", ExitCode = 2, Step = "fit", StepsDone = 0, Attempts = 2,
            Started = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), Ended = new DateTimeOffset(2025, 1, 2, 3, 4, 6, TimeSpan.Zero), Executor = "local",
        };
        run.WriteStatus(status);
        Assert.Equal(status, run.ReadStatus());
        Assert.Contains("\"state\": \"failed\"", File.ReadAllText(run.StatusPath), StringComparison.Ordinal);

        File.WriteAllText(run.StatusPath, "{\"state\": ");
        Assert.Contains("is damaged", Assert.Throws<InputException>(run.ReadStatus).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARunKeepsItsFilesUnderTheStepNames()
    {
        var run = new RunDirectory(_temp.File("r"));
        Assert.Equal(_temp.File("r/evaluate.json"), run.FiguresOf("evaluate"));
        Assert.Equal(_temp.File("r/fit.stdout.log"), run.StdoutOf("fit"));
        Assert.Equal(_temp.File("r/fit.stderr.log"), run.StderrOf("fit"));
        run.WriteCommands(["cd /x", "lowrank fit"]);
        Assert.Equal("cd /x\nlowrank fit\n", File.ReadAllText(run.CommandPath));
    }
}
