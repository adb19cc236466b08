using LowRank.Populations;
using LowRank.RateNetworks;
using LowRank.Tests.Cli;

namespace LowRank.Tests.Populations;

public sealed class PopulationsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-populations-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string SaveRandomNetwork(string name, int rank = 1)
    {
        var spec = new RateNetworkSpec(120, rank, 4, 1, 0.2, 0.05, ReadoutKind.Tanh);
        RateNetworkStore.Save(PathOf(name), RateNetwork.CreateRandom(spec, 7), "cdi", null);
        return PathOf(name);
    }

    [Fact]
    public void FitResampleAndEvalRunEndToEnd()
    {
        string model = SaveRandomNetwork("net");
        CliResult fit = CliHarness.Run("populations", "fit", "--model", model, "--components", "auto", "--max-components", "3", "--restarts", "2", "--out", PathOf("pop"), "--json", PathOf("fit.json"));
        Assert.Equal("", fit.Error);
        Assert.Equal(0, fit.ExitCode);
        Assert.True(File.Exists(PathOf("pop/loadings.png")));
        PopulationModel populations = PopulationModel.Load(PathOf("pop"));
        Assert.Equal(["m1", "n1", "w_in1", "w_in2", "w_in3", "w_in4", "w_out1"], populations.LoadingNames);
        Assert.Equal(3, populations.BicPerComponents!.Count);
        Assert.Equal(1, populations.Components); // i.i.d. Gaussian loadings: BIC must prefer one population

        CliResult resample = CliHarness.Run("populations", "resample", "--populations", PathOf("pop"), "--units", "256", "--seed", "1", "--out", PathOf("big"));
        Assert.Equal(0, resample.ExitCode);
        CliResult eval = CliHarness.Run("task", "eval", "--model", PathOf("big"), "--eval-trials", "8");
        Assert.Equal(0, eval.ExitCode);
        Assert.Contains("accuracy", eval.Output);

        CliResult reduce = CliHarness.Run("populations", "eval", "--populations", PathOf("pop"), "--units", "200", "--resamples", "2", "--eval-trials", "8", "--kappa-trials", "2", "--bootstrap", "--json", PathOf("eval.json"));
        Assert.Equal(0, reduce.ExitCode);
        Assert.Contains("κ relative RMS", reduce.Output);
        Assert.Contains("bootstrap of the source's units", reduce.Output);
        Assert.True(File.Exists(PathOf("eval.json")));
    }

    [Fact]
    public void TrainWritesPopulationsThatResampleAndEvalRead()
    {
        CliResult train = CliHarness.Run(
            "populations", "train", "--task", "rdm", "--components", "2", "--units", "64", "--epochs", "2", "--trials", "16", "--batch", "8",
            "--eval-trials", "16", "--threads", "1", "--seed", "4", "--out", PathOf("pop"), "--network-out", PathOf("net"), "--json", PathOf("train.json"));
        Assert.Equal(0, train.ExitCode);
        Assert.DoesNotContain("error", train.Error);
        PopulationModel populations = PopulationModel.Load(PathOf("pop"));
        Assert.Equal(["m1", "n1", "w_in1", "w_out1"], populations.LoadingNames);
        Assert.Equal([0.5, 0.5], populations.Weights);
        Assert.Equal(MixtureNetworkTrainer.SourceKind, populations.SourceKind);
        Assert.Equal(PathOf("net"), populations.SourceModel);
        string json = File.ReadAllText(PathOf("train.json"));
        Assert.Contains("\"accuracy\":", json);
        Assert.Contains("\"covariances\":", json);

        // the written network is resample 0 of the same seed, so 'task eval' and 'populations eval' agree on it
        CliResult eval = CliHarness.Run("task", "eval", "--model", PathOf("net"), "--eval-trials", "16", "--json", PathOf("eval.json"));
        Assert.Equal(0, eval.ExitCode);
        CliResult reduce = CliHarness.Run("populations", "eval", "--populations", PathOf("pop"), "--units", "64", "--resamples", "1", "--seed", "4", "--eval-trials", "16", "--kappa-trials", "2", "--threads", "1");
        Assert.Equal(0, reduce.ExitCode);
        string accuracy = eval.Output.Split('\n').Single(l => l.StartsWith("accuracy", StringComparison.Ordinal)).Split(' ')[1];
        Assert.Contains($"accuracy median {accuracy}", reduce.Output);
    }

    [Fact]
    public void TrainOnTheMeanFieldObjectiveReportsBothAccuracies()
    {
        CliResult train = CliHarness.Run(
            "populations", "train", "--task", "rdm", "--components", "1", "--units", "64", "--epochs", "2", "--trials", "16", "--batch", "8",
            "--objective", "mean_field", "--eval-trials", "16", "--threads", "1", "--seed", "4", "--out", PathOf("pop"), "--json", PathOf("train.json"));
        Assert.Equal(0, train.ExitCode);
        Assert.Contains("; mean field ", train.Output);
        string json = File.ReadAllText(PathOf("train.json"));
        Assert.Contains("\"objective\": \"mean_field\"", json);
        Assert.Contains("\"mean_field_accuracy\":", json);
        Assert.Equal(MixtureNetworkTrainer.SourceKind, PopulationModel.Load(PathOf("pop")).SourceKind);

        CliResult bad = CliHarness.Run("populations", "train", "--task", "rdm", "--objective", "exact", "--out", PathOf("bad"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("mean_field", bad.Error);
        Assert.False(Directory.Exists(PathOf("bad")));
    }

    [Fact]
    public void TrainRejectsStartPopulationsOfAnotherShape()
    {
        string model = SaveRandomNetwork("net");
        Assert.Equal(0, CliHarness.Run("populations", "fit", "--model", model, "--components", "1", "--restarts", "1", "--out", PathOf("pop")).ExitCode);
        CliResult result = CliHarness.Run("populations", "train", "--task", "cdi", "--components", "2", "--init", PathOf("pop"), "--out", PathOf("out"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "error: the --init populations have P = 1 over loadings [m1, n1, w_in1, w_in2, w_in3, w_in4, w_out1], but --task cdi --rank 1 --components 2 needs P = 2 over [m1, n1, w_in1, w_in2, w_in3, w_in4, w_out1].\n"
            + "  hint: pass --components and --rank matching the --init populations, fitted to a network of the same task without bias or initial state.\n",
            result.Error.Replace("\r\n", "\n"));
        Assert.False(Directory.Exists(PathOf("out")));

        // Without --components, P is that of the --init populations (not the task's default of 2).
        CliResult fromInit = CliHarness.Run("populations", "train", "--task", "cdi", "--init", PathOf("pop"), "--units", "64", "--epochs", "1", "--target-accuracy", "0", "--eval-trials", "16", "--out", PathOf("out"));
        Assert.Equal(0, fromInit.ExitCode);
        Assert.Equal(1, PopulationModel.Load(PathOf("out")).Components);
    }

    public static TheoryData<string[], string> BadInputs() => new()
    {
        { ["populations", "fit", "--model", "MISSING", "--out", "OUT"], "error: model directory 'MISSING' does not exist or has no model.json.\n  hint: pass the --out directory of 'lowrank task train', 'lowrank lint fit' or 'lowrank fit'.\n" },
        { ["populations", "fit", "--model", "NET", "--components", "0", "--out", "OUT"], "error: --components must be a positive count or 'auto', got '0'.\n  hint: pass --components 1, 2, … or auto.\n" },
        { ["populations", "fit", "--model", "NET", "--components", "500", "--out", "OUT"], "error: --components 500 exceeds the 120 units of 'NET'.\n  hint: pass fewer components.\n" },
        { ["populations", "fit", "--model", "NET", "--ridge", "0", "--out", "OUT"], "error: --ridge must be positive, got 0.\n  hint: pass --ridge with a small positive value, e.g. 1e-6.\n" },
        { ["populations", "train", "--task", "cdi", "--components", "0", "--out", "OUT"], "error: --components must be between 1 and --units (2048), got 0.\n  hint: pass --components with a value that is between 1 and --units (2048).\n" },
        { ["populations", "train", "--task", "cdi", "--units", "4", "--components", "5", "--out", "OUT"], "error: --components must be between 1 and --units (4), got 5.\n  hint: pass --components with a value that is between 1 and --units (4).\n" },
        { ["populations", "train", "--task", "dms", "--rank", "0", "--out", "OUT"], "error: --rank must be at least 1, got 0.\n  hint: pass --rank with a value that is at least 1.\n" },
        { ["populations", "train", "--task", "cdi", "--lr", "0", "--out", "OUT"], "error: --lr must be positive, got 0.\n  hint: pass --lr with a value that is positive.\n" },
        { ["populations", "train", "--task", "cdi", "--target-accuracy", "2", "--out", "OUT"], "error: --target-accuracy must be between 0 and 1, got 2.\n  hint: pass --target-accuracy with a value that is between 0 and 1.\n" },
        { ["populations", "train", "--task", "cdi", "--restarts", "-1", "--out", "OUT"], "error: --restarts must be non-negative, got -1.\n  hint: pass --restarts with a value that is non-negative.\n" },
        { ["populations", "train", "--task", "cdi", "--patience", "-2", "--out", "OUT"], "error: --patience must be non-negative, got -2.\n  hint: pass --patience with a value that is non-negative.\n" },
        { ["populations", "train", "--task", "cdi", "--threads", "0", "--out", "OUT"], "error: --threads must be at least 1, got 0.\n  hint: pass --threads with a positive count.\n" },
        { ["populations", "train", "--task", "cdi", "--start", "dms-gating", "--out", "OUT"], "error: --start dms-gating is a rank-2, two-population start for the dms task, not --task cdi --rank 1 --components 2.\n  hint: pass --task dms --rank 2 --components 2 with it, or use --start generic.\n" },
        { ["populations", "train", "--task", "dms", "--rank", "2", "--components", "2", "--start", "dms-gating", "--init", "MISSING", "--out", "OUT"], "error: --init and --start dms-gating both choose the start.\n  hint: pass one of them.\n" },
        { ["populations", "resample", "--populations", "MISSING", "--units", "10", "--out", "OUT"], "error: 'MISSING' has no populations.json.\n  hint: pass the --out directory of 'lowrank populations fit'.\n" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void AnticipatedUserErrorsExitWithCodeTwoAndWriteNothing(string[] args, string expected)
    {
        string model = SaveRandomNetwork("net");
        string[] resolved = args.Select(a => a switch { "MISSING" => PathOf("missing"), "NET" => model, "OUT" => PathOf("out"), _ => a }).ToArray();
        string expectedResolved = expected.Replace("'MISSING'", $"'{PathOf("missing")}'").Replace("'NET'", $"'{model}'");
        CliResult result = CliHarness.Run(resolved);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(expectedResolved, result.Error.Replace("\r\n", "\n"));
        Assert.False(Directory.Exists(PathOf("out")));
    }

    [Fact]
    public void StochasticModelsGiveLoadingsButCannotBeResampled()
    {
        Assert.Equal(0, CliHarness.Run("simulate", "--teacher", "ring", "--units", "40", "--channels", "5", "--steps", "30", "--trials", "2", "--seed", "2", "--out", PathOf("x.npz"), "--model-out", PathOf("teacher")).ExitCode);
        CliResult fit = CliHarness.Run("populations", "fit", "--model", PathOf("teacher"), "--components", "1", "--restarts", "1", "--out", PathOf("pop"));
        Assert.Equal("", fit.Error);
        PopulationModel populations = PopulationModel.Load(PathOf("pop"));
        Assert.Equal(["m1", "m2", "n1", "n2", "w_in1", "w_in2"], populations.LoadingNames);
        Assert.Null(populations.Network);

        // the loadings are the model's own m [N,R], n [R,N] (transposed) and w_in [N,U]
        UnitLoadings loadings = UnitLoadings.Load(PathOf("teacher"));
        LowRank.Model.LowRankRnn model = LowRank.Model.ModelStore.Load(PathOf("teacher")).Model;
        Assert.Equal(model.M[3 * 2 + 1], loadings.Values[3 * 6 + 1]);
        Assert.Equal(model.N[1 * 40 + 3], loadings.Values[3 * 6 + 3]);
        Assert.Equal(model.W[3 * 2 + 1], loadings.Values[3 * 6 + 5]);

        CliResult resample = CliHarness.Run("populations", "resample", "--populations", PathOf("pop"), "--units", "10", "--out", PathOf("out"));
        Assert.Equal(2, resample.ExitCode);
        Assert.Equal(
            $"error: the populations in '{PathOf("teacher")}' come from a stochastic_low_rank_rnn model, which is not a LINT rate network.\n  hint: fit populations to a LINT network ('lowrank task train --rank R' or 'lowrank lint fit') to build or reduce networks.\n",
            resample.Error.Replace("\r\n", "\n"));
        Assert.False(Directory.Exists(PathOf("out")));
    }

    [Fact]
    public void ResampleRejectsNonPositiveUnits()
    {
        string model = SaveRandomNetwork("net");
        Assert.Equal(0, CliHarness.Run("populations", "fit", "--model", model, "--components", "1", "--restarts", "1", "--out", PathOf("pop")).ExitCode);
        CliResult result = CliHarness.Run("populations", "resample", "--populations", PathOf("pop"), "--units", "0", "--out", PathOf("out"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --units must be at least 1, got 0.\n  hint: pass --units N with N ≥ 1.\n", result.Error.Replace("\r\n", "\n"));
        Assert.False(Directory.Exists(PathOf("out")));
    }
}
