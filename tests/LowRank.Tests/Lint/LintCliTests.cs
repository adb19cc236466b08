using LowRank.Data;
using LowRank.RateNetworks;
using LowRank.Tests.Cli;

namespace LowRank.Tests.Lint;

public sealed class LintCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lint-cli-" + Guid.NewGuid().ToString("N"));

    public LintCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out => Path.Combine(_dir, "out");

    private void AssertInputError(CliResult result, string message, string hint)
    {
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {message}\n  hint: {hint}\n", result.Error.Replace("\r\n", "\n"));
        Assert.False(Directory.Exists(Out));
        Assert.False(File.Exists(Out));
    }

    [Fact]
    public void TaskTrainRejectsZeroUnits() =>
        AssertInputError(
            CliHarness.Run("task", "train", "--task", "rdm", "--units", "0", "--out", Out),
            "--units must be at least 1, got 0.", "pass --units with a value that is at least 1.");

    [Fact]
    public void TaskTrainRejectsRankAboveUnits() =>
        AssertInputError(
            CliHarness.Run("task", "train", "--task", "rdm", "--units", "4", "--rank", "5", "--out", Out),
            "--rank must be between 1 and --units (4), got 5.", "pass --rank with a value that is between 1 and --units (4).");

    [Fact]
    public void TaskTrainRejectsATargetAccuracyAboveOne() =>
        AssertInputError(
            CliHarness.Run("task", "train", "--task", "rdm", "--target-accuracy", "1.5", "--out", Out),
            "--target-accuracy must be between 0 and 1, got 1.5.", "pass --target-accuracy with a value that is between 0 and 1.");

    [Fact]
    public void TaskTrainRejectsNegativeRestarts() =>
        AssertInputError(
            CliHarness.Run("task", "train", "--task", "rdm", "--restarts", "-1", "--out", Out),
            "--restarts must be non-negative, got -1.", "pass --restarts with a value that is non-negative.");

    [Fact]
    public void TaskTrainRejectsNegativePatience() =>
        AssertInputError(
            CliHarness.Run("task", "train", "--task", "rdm", "--patience", "-1", "--out", Out),
            "--patience must be non-negative, got -1.", "pass --patience with a value that is non-negative.");

    [Fact]
    public void TaskTrainRejectsUnknownTask()
    {
        CliResult result = CliHarness.Run("task", "train", "--task", "xor", "--out", Out);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains("xor", result.Error);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void TaskEvalRejectsMissingModel()
    {
        string missing = Path.Combine(_dir, "nope");
        AssertInputError(
            CliHarness.Run("task", "eval", "--model", missing),
            $"model directory '{missing}' does not exist.", "pass the --out directory of 'lowrank task train' or 'lowrank lint fit'.");
    }

    [Fact]
    public void LintFitNeedsExactlyOneSource() =>
        AssertInputError(
            CliHarness.Run("lint", "fit", "--rank", "1", "--out", Out),
            "give exactly one of --data FILE.npz or --teacher DIR.", "fit recordings with --data, or a trained network with --teacher.");

    [Fact]
    public void LintFitNeedsARank()
    {
        string teacher = SmallTeacher();
        AssertInputError(
            CliHarness.Run("lint", "fit", "--teacher", teacher, "--out", Out),
            "give exactly one of --rank R or --ranks LIST.", "e.g. --rank 1, or --ranks 1..5 for a sweep.");
    }

    [Fact]
    public void LintFitRejectsBadRankList()
    {
        string teacher = SmallTeacher();
        AssertInputError(
            CliHarness.Run("lint", "fit", "--teacher", teacher, "--ranks", "3..1", "--out", Out),
            "--ranks '3..1' is not a range of positive ranks.", "write a range like 1..5 or a list like 1,2,4 of positive ranks.");
    }

    [Fact]
    public void LintFitRejectsSubsampleOutOfRange()
    {
        string teacher = SmallTeacher();
        AssertInputError(
            CliHarness.Run("lint", "fit", "--teacher", teacher, "--rank", "1", "--subsample", "1.5", "--out", Out),
            "--subsample must lie in (0, 1], got 1.5.", "pass the observed fraction of units, e.g. --subsample 0.05.");
    }

    [Fact]
    public void LintFitRejectsSubsampleWithData()
    {
        string data = Path.Combine(_dir, "y.npz");
        File.WriteAllBytes(data, [1, 2, 3]);
        AssertInputError(
            CliHarness.Run("lint", "fit", "--data", data, "--rank", "1", "--subsample", "0.5", "--out", Out),
            "--subsample applies to --teacher fits only.", "with --data every recorded neuron is fitted; drop --subsample.");
    }

    [Fact]
    public void LintFitRejectsTrajectoriesOfWrongRank()
    {
        string data = Path.Combine(_dir, "y.npz");
        LowRank.Formats.Npz.Write(data, [KeyValuePair.Create("trajectories", new LowRank.Formats.NdArray([3, 4], new double[12]))]);
        AssertInputError(
            CliHarness.Run("lint", "fit", "--data", data, "--rank", "1", "--out", Out),
            $"'trajectories' in '{data}' has shape [3, 4]; expected [conditions, T, neurons].",
            "save a 3-D array, e.g. np.savez(path, trajectories=y, inputs=u).");
    }

    [Fact]
    public void LintFitRejectsNonFiniteTrajectories()
    {
        string data = Path.Combine(_dir, "y.npz");
        var values = new double[2 * 3 * 2];
        values[5] = double.NegativeInfinity;
        LowRank.Formats.Npz.Write(data, [KeyValuePair.Create("trajectories", new LowRank.Formats.NdArray([2, 3, 2], values))]);
        AssertInputError(
            CliHarness.Run("lint", "fit", "--data", data, "--rank", "1", "--init", "random", "--out", Out),
            $"'trajectories' in '{data}' holds a non-finite value (-Infinity) at [0, 2, 1].",
            "NaN marks a missing value, but an infinite one has no meaning: replace it with NaN or a recorded value.");

        // NaN is a missing value, but a recording of nothing but missing values has nothing to fit.
        Array.Fill(values, double.NaN);
        LowRank.Formats.Npz.Write(data, [KeyValuePair.Create("trajectories", new LowRank.Formats.NdArray([2, 3, 2], values))]);
        AssertInputError(
            CliHarness.Run("lint", "fit", "--data", data, "--rank", "1", "--init", "random", "--out", Out),
            "every value of the trajectories is NaN (missing): there is nothing to fit.",
            "NaN marks a missing value; give the recorded values.");
    }

    [Fact]
    public void LintAnalyzeRejectsFullRankModel()
    {
        string teacher = SmallTeacher();
        AssertInputError(
            CliHarness.Run("lint", "analyze", "--model", teacher, "--out", Out),
            "latent analysis needs a low-rank network; this model is full rank.",
            "fit a low-rank network to it first with 'lowrank lint fit --teacher DIR --rank R'.");
    }

    [Fact]
    public void TeacherFitSweepAndAnalysisRunEndToEnd()
    {
        string teacher = SmallTeacher();
        string json = Path.Combine(_dir, "fit.json");
        CliResult fit = CliHarness.Run(
            "lint", "fit", "--teacher", teacher, "--ranks", "1..2", "--epochs", "5", "--train-trials", "4", "--held-out-trials", "4",
            "--eval-trials", "8", "--subsample", "0.5", "--seed", "1", "--out", Out, "--json", json);
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.True(File.Exists(Path.Combine(Out, "r2_vs_rank.png")));
        Assert.True(File.Exists(Path.Combine(Out, "rank_2", "params.npz")));
        string text = File.ReadAllText(json);
        Assert.Contains("\"r2\"", text);
        Assert.Contains("\"r2_per_neuron\"", text);
        Assert.Contains("\"accuracy\"", text);

        string analysis = Path.Combine(_dir, "analysis");
        CliResult analyze = CliHarness.Run("lint", "analyze", "--model", Path.Combine(Out, "rank_2"), "--trials", "3", "--out", analysis);
        Assert.True(analyze.ExitCode == 0, analyze.Error);
        Assert.True(File.Exists(Path.Combine(analysis, "flow_field.png")));
        Assert.True(File.Exists(Path.Combine(analysis, "kappa.npz")));

        CliResult eval = CliHarness.Run("task", "eval", "--model", Path.Combine(Out, "rank_1"), "--eval-trials", "8", "--json", json);
        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.Contains("\"accuracy\"", File.ReadAllText(json));
    }

    [Fact]
    public void TaskEvalRejectsParamsThatDisagreeWithModelJson()
    {
        string teacher = SmallTeacher();
        string npz = Path.Combine(teacher, "params.npz");
        var arrays = LowRank.Formats.Npz.Read(npz);
        arrays["w_in"] = new LowRank.Formats.NdArray([2, 10], new double[20]);
        LowRank.Formats.Npz.Write(npz, arrays);
        CliResult result = CliHarness.Run("task", "eval", "--model", teacher, "--json", Out);
        AssertInputError(
            result,
            $"array 'w_in' in '{npz}' has shape [2, 10] but model.json implies [1, 10].",
            "model.json and params.npz disagree: retrain or refit the model.");
    }

    [Fact]
    public void RecordingFitWritesModelAndScores()
    {
        // Trajectories of a rank-1 network on 6 conditions of the rdm task, observed on all 12 units.
        RateNetwork teacher = TrajectoryFitterTests.RankOneTeacher(12, 4);
        var task = new LowRank.Tasks.RandomDotDecisionTask();
        Trial[] trials = task.GenerateMany(1, 0, 6);
        int steps = trials[0].Steps;
        var values = new double[6 * steps * 12];
        var inputs = new double[6 * steps];
        RateNetworkRunner.Run(teacher.Layout, teacher.Theta, trials, [], 0, 0, 1, (i, workspace) =>
        {
            for (int t = 0; t < steps; t++)
            {
                inputs[i * steps + t] = trials[i].InputValues[t];
                for (int k = 0; k < 12; k++)
                {
                    values[(i * steps + t) * 12 + k] = workspace.States[(t + 1) * 12 + k];
                }
            }
        });
        string data = Path.Combine(_dir, "rec.npz");
        LowRank.Formats.Npz.Write(data, [
            KeyValuePair.Create("trajectories", new LowRank.Formats.NdArray([6, steps, 12], values)),
            KeyValuePair.Create("inputs", new LowRank.Formats.NdArray([6, steps, 1], inputs)),
        ]);
        string json = Path.Combine(_dir, "rec.json");
        CliResult fit = CliHarness.Run("lint", "fit", "--data", data, "--rank", "1", "--init", "random", "--epochs", "20", "--seed", "2", "--out", Out, "--json", json);
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.True(File.Exists(Path.Combine(Out, "params.npz")));
        string text = File.ReadAllText(json);
        Assert.Contains("\"r2\"", text);
        Assert.Contains("\"accuracy\": null", text);
        Assert.Contains("\"held_out_conditions\": 2", text);
    }

    /// <summary>Rank-2 trajectories of 16 conditions on 20 units, the first 14 recorded, every fifth entry NaN (or ∞ where asked).</summary>
    private string RecordingWithGaps(double fill = double.NaN)
    {
        (double[] states, double[] inputs, int steps) = TrajectoryFitterTests.RankTwoTrajectories(20, 16, 4);
        var values = new double[16 * steps * 14];
        for (int c = 0; c < 16 * steps; c++)
        {
            for (int k = 0; k < 14; k++)
            {
                int i = c * 14 + k;
                values[i] = i % 5 == 3 ? fill : states[c * 20 + k];
            }
        }

        string data = Path.Combine(_dir, "gaps.npz");
        Directory.CreateDirectory(_dir);
        LowRank.Formats.Npz.Write(data, [
            KeyValuePair.Create("trajectories", new LowRank.Formats.NdArray([16, steps, 14], values)),
            KeyValuePair.Create("inputs", new LowRank.Formats.NdArray([16, steps, 2], inputs)),
        ]);
        return data;
    }

    [Fact]
    public void RecordingsWithMissingValuesFitWithHiddenUnits()
    {
        string json = Path.Combine(_dir, "gaps.json");
        CliResult fit = CliHarness.Run("lint", "fit", "--data", RecordingWithGaps(), "--rank", "2", "--hidden-units", "6", "--init", "random", "--epochs", "30", "--seed", "1", "--out", Out, "--json", json);
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("[14 units + 6 hidden, 12 fitted / 4 held-out conditions", fit.Output, StringComparison.Ordinal);
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        System.Text.Json.JsonElement root = document.RootElement;
        Assert.Equal(6, root.GetProperty("hidden_units").GetInt32());
        Assert.Equal(14, root.GetProperty("observed_units").GetInt32());
        Assert.True(double.IsFinite(root.GetProperty("r2").GetDouble()));
        (RateNetwork model, _) = RateNetworkStore.Load(Out);
        Assert.Equal(20, model.Spec.Units);
    }

    [Fact]
    public void HiddenUnitsAndMissingValuesRefuseWhatTheyCannotMean()
    {
        AssertInputError(
            CliHarness.Run("lint", "fit", "--data", RecordingWithGaps(), "--rank", "2", "--hidden-units", "-1", "--init", "random", "--out", Out),
            "--hidden-units must be 0 or more, got -1.",
            "pass the number of unrecorded units to add, e.g. --hidden-units 50.");
        AssertInputError(
            CliHarness.Run("lint", "fit", "--teacher", SmallTeacher(), "--rank", "1", "--hidden-units", "3", "--out", Out),
            "--hidden-units applies to fits of recordings (--data) only.",
            "a teacher's unobserved units are its own; choose the observed fraction with --subsample, or drop --hidden-units.");
        string infinite = RecordingWithGaps(double.PositiveInfinity);
        CliResult result = CliHarness.Run("lint", "fit", "--data", infinite, "--rank", "2", "--init", "random", "--out", Out);
        AssertInputError(
            result,
            $"'trajectories' in '{infinite}' holds a non-finite value (Infinity) at [0, 0, 3].",
            "NaN marks a missing value, but an infinite one has no meaning: replace it with NaN or a recorded value.");
    }

    /// <summary>A trial array [neuron 6, direction 2, time 20, trial 5] in an npz as 'rates', rank-2 states plus noise, unused slots NaN.</summary>
    private string TrialArray()
    {
        (double[] states, _, int steps) = TrajectoryFitterTests.RankTwoTrajectories(6, 2, 3);
        var data = new double[6 * 2 * steps * 5];
        LowRank.Numerics.Rng rng = LowRank.Numerics.Rng.Create(1, 0);
        for (int x = 0; x < 6; x++)
        {
            for (int c = 0; c < 2; c++)
            {
                for (int t = 0; t < steps; t++)
                {
                    for (int k = 0; k < 5; k++)
                    {
                        data[((x * 2 + c) * steps + t) * 5 + k] = k == 4 && x == 1 ? double.NaN : states[(c * steps + t) * 6 + x] + 0.1 * rng.NextGaussian();
                    }
                }
            }
        }

        Directory.CreateDirectory(_dir);
        string path = Path.Combine(_dir, "trials.npz");
        LowRank.Formats.Npz.Write(path, [KeyValuePair.Create("rates", new LowRank.Formats.NdArray([6, 2, steps, 5], data))]);
        return path;
    }

    [Fact]
    public void TrialDataFitsBySplitHalvesWithTheNoiseCeiling()
    {
        string json = Path.Combine(_dir, "split.json");
        CliResult fit = CliHarness.Run(
            "lint", "fit", "--data", TrialArray() + ":rates", "--axes", "neuron,direction,time,trial", "--inputs", "direction:5-25",
            "--split-half", "--rank", "2", "--epochs", "20", "--seed", "1", "--out", Out, "--json", json);
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("6 neurons × 2 conditions (direction 2) × 60 time bins, 2 inputs; split-half protocol", fit.Output, StringComparison.Ordinal);
        Assert.Contains("2 fitted / 2 scored conditions", fit.Output, StringComparison.Ordinal);
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        System.Text.Json.JsonElement root = document.RootElement;
        double r2 = root.GetProperty("r2").GetDouble(), ceiling = root.GetProperty("r2_ceiling").GetDouble();
        Assert.InRange(ceiling, 0, 1);
        Assert.Equal(r2 / ceiling, root.GetProperty("r2_fraction_of_ceiling").GetDouble(), 12);
        Assert.True(double.IsFinite(root.GetProperty("r2_ceiling_per_neuron").GetDouble()));

        // Without --split-half the trials are averaged and conditions held out, as for trajectories.
        CliResult averaged = CliHarness.Run(
            "lint", "fit", "--data", TrialArray() + ":rates", "--axes", "neuron,direction,time,trial", "--rank", "1", "--epochs", "5", "--out", Path.Combine(_dir, "avg"), "--json", json);
        Assert.True(averaged.ExitCode == 0, averaged.Error);
        Assert.Contains("1 fitted / 1 held-out conditions", averaged.Output, StringComparison.Ordinal);
        using var plain = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, plain.RootElement.GetProperty("r2_ceiling").ValueKind);
    }

    [Fact]
    public void TrialDataOptionsRefuseWhatTheyCannotMean()
    {
        string data = TrialArray();
        AssertInputError(
            CliHarness.Run("lint", "fit", "--data", data + ":rates", "--axes", "neuron,time,trial", "--rank", "1", "--out", Out),
            $"the axis list 'neuron,time,trial' names 3 axes, but {data}:rates has 4 ([6, 2, 60, 5]).",
            "name each of its 4 axes in order, e.g. neuron,condition1,time,trial.");
        AssertInputError(
            CliHarness.Run("lint", "fit", "--data", data, "--axes", "neuron,direction,time,trial", "--rank", "1", "--out", Out),
            $"'{data}' names an npz archive but not the array that holds the trials (it has: rates).",
            $"name it after a colon: {data}:NAME.");
        AssertInputError(
            CliHarness.Run("lint", "fit", "--data", data + ":rates", "--split-half", "--rank", "1", "--out", Out),
            "--split-half applies to trial data, which --axes describes.",
            "name the axes of the trial array with --axes (e.g. --data rates.mat:firingRates --axes neuron,direction,task,time,trial), or drop the option.");
        AssertInputError(
            CliHarness.Run("lint", "fit", "--data", data + ":rates", "--axes", "neuron,direction,time,trial", "--inputs", "task:0-3", "--rank", "1", "--out", Out),
            "the input spec names 'task', which is not a condition axis (the condition axes are: direction).",
            "name a condition axis of the axis list in each part of the input spec.");
    }

    [Fact]
    public void AnalyzeSimulatesTheConditionsOfTrialData()
    {
        string data = TrialArray() + ":rates";
        string[] trialData = ["--data", data, "--axes", "neuron,direction,time,trial", "--inputs", "direction:5-25"];
        CliResult fit = CliHarness.Run(["lint", "fit", .. trialData, "--split-half", "--rank", "2", "--epochs", "10", "--out", Out]);
        Assert.True(fit.ExitCode == 0, fit.Error);
        string analysis = Path.Combine(_dir, "analysis");
        CliResult analyze = CliHarness.Run(["lint", "analyze", "--model", Out, .. trialData, "--step-ms", "50", "--input-at", "30", "--input-trial", "1", "--out", analysis]);
        Assert.True(analyze.ExitCode == 0, analyze.Error);
        var kappa = LowRank.Formats.Npz.Read(Path.Combine(analysis, "kappa.npz"))["kappa"];
        Assert.Equal([2, 61, 2], kappa.Shape); // the initial state and 60 steps
        Assert.True(File.Exists(Path.Combine(analysis, "flow_field.png")));
        Assert.Contains("at input (0, 0)", analyze.Output, StringComparison.Ordinal);

        CliResult badStep = CliHarness.Run(["lint", "analyze", "--model", Out, .. trialData, "--step-ms", "0", "--out", Path.Combine(_dir, "bad")]);
        Assert.Equal(2, badStep.ExitCode);
        Assert.Equal("error: --step-ms must be a positive duration, got 0.\n  hint: pass the duration of one time step (bin) in ms, e.g. --step-ms 50.\n", badStep.Error.Replace("\r\n", "\n"));
        Assert.False(Directory.Exists(Path.Combine(_dir, "bad")));
    }

    [SharedDataFact("pfc/firingRates_pref_null.mat")]
    public void ThePrefrontalTrialsFitBySplitHalves()
    {
        string data = Fixtures.SharedData("pfc/firingRates_pref_null.mat")! + ":firingRates";
        string json = Path.Combine(_dir, "pfc.json");
        CliResult fit = CliHarness.Run(
            "lint", "fit", "--data", data, "--axes", "neuron,direction,task,time,trial", "--inputs", "direction:10-14,task:0-34",
            "--split-half", "--rank", "1", "--epochs", "3", "--seed", "1", "--out", Out, "--json", json);
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("319 neurons × 4 conditions (direction 2 × task 2) × 34 time bins, 4 inputs", fit.Output, StringComparison.Ordinal);
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        Assert.InRange(document.RootElement.GetProperty("r2_ceiling").GetDouble(), 0.5, 1);
    }

    private string SmallTeacher()
    {
        string dir = Path.Combine(_dir, "teacher");
        var spec = new RateNetworkSpec(10, 0, 1, 1, 0.2, 0.0, ReadoutKind.Tanh);
        RateNetworkStore.Save(dir, RateNetwork.CreateRandom(spec, 1), "rdm", null);
        return dir;
    }
}
