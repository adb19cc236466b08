using LowRank.Formats;
using LowRank.Model;

namespace LowRank.Tests.Model;

public sealed class ModelStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<ModelOptions> Variants() =>
    [
        new ModelOptions { Rank = 3, Units = 17, Channels = 5 },
        new ModelOptions { Rank = 1, Units = 4, Channels = 2, Inputs = 2, TransitionNoise = NoiseShape.Diagonal, InitialNoise = NoiseShape.Scalar, TrainInitialMean = false, Activation = Activation.Tanh },
        new ModelOptions { Rank = 2, Units = 6, Channels = 6, Readout = Readout.Rates, Likelihood = Likelihood.Poisson, Link = Link.Softplus, InputFilter = InputFilter.Filtered, Inputs = 1 },
        new ModelOptions { Rank = 2, Units = 5, Channels = 5, Readout = Readout.Currents, Activation = Activation.Relu },
    ];

    [Theory]
    [MemberData(nameof(Variants))]
    public void SaveThenLoadGivesTheSameParameters(ModelOptions options)
    {
        LowRankRnn model = ModelInitializer.Create(options, seed: 9);
        string path = Path.Combine(_dir, "model");
        ModelStore.Save(path, model);
        var loaded = ModelStore.Load(path);
        Assert.Equal(options, loaded.Model.Options);
        Assert.Equal(model.Theta.Length, loaded.Model.Theta.Length);
        for (int i = 0; i < model.Theta.Length; i++)
        {
            Assert.Equal(model.Theta[i], loaded.Model.Theta[i], 12);
        }
    }

    /// <summary>
    /// Save refuses exactly what Load refuses: over raw decays α from −40 to 10 (a = exp(−exp α) is 1 in double precision
    /// below −36.7 and 0 above 6.6), and NaN, every model Save writes loads back with its decay, and every other one is
    /// an <see cref="ArgumentException"/> that writes nothing.
    /// </summary>
    [Fact]
    public void EveryModelSaveWritesLoads()
    {
        var options = new ModelOptions { Rank = 1, Units = 3, Channels = 2 };
        int slot = ModelLayout.Of(options)[ParameterNames.DecayRaw].Offset;
        int saved = 0, refused = 0;
        double[] raws = [.. Enumerable.Range(0, 101).Select(i => -40 + 0.5 * i), 6.6, 6.62, -36.7, -36.8, double.NaN];
        foreach (double raw in raws)
        {
            LowRankRnn model = ModelInitializer.Create(options, seed: 3);
            model.Theta[slot] = raw;
            string path = Path.Combine(_dir, $"m{saved + refused}");
            double decay = model.Decay;
            if (decay > 0 && decay < 1)
            {
                ModelStore.Save(path, model);
                Assert.Equal(decay, ModelStore.Load(path).Model.Decay, 1e-15);
                saved++;
            }
            else
            {
                var error = Assert.Throws<ArgumentException>(() => ModelStore.Save(path, model));
                Assert.StartsWith($"the model cannot be saved: its params.npz would not load (params.npz: decay = {decay} but it must lie in (0, 1).)", error.Message);
                Assert.False(Directory.Exists(path));
                refused++;
            }
        }

        Assert.Equal(raws.Length, saved + refused);
        Assert.Equal(6 + 8 + 1, refused); // α = −40 … −37.5 (a = 1), 6.62 and 7 … 10 (a = 0), NaN
    }

    [Fact]
    public void ParamsUseTheDocumentedNamesAndShapes()
    {
        var options = new ModelOptions { Rank = 3, Units = 7, Channels = 4, Inputs = 2 };
        ModelStore.Save(Path.Combine(_dir, "m"), ModelInitializer.Create(options, 1));
        var arrays = Npz.Read(Path.Combine(_dir, "m", "params.npz"));
        Assert.Equal(["m", "n", "h", "w_in", "decay", "chol_z", "chol_0", "mu_0", "c", "d", "var_x"], arrays.Keys.ToArray());
        Assert.Equal([7, 3], arrays["m"].Shape);
        Assert.Equal([3, 7], arrays["n"].Shape);
        Assert.Equal([7, 2], arrays["w_in"].Shape);
        Assert.Empty(arrays["decay"].Shape);
        Assert.Equal(0.9, arrays["decay"].Data[0], 12);
        Assert.Equal([4, 3], arrays["c"].Shape);
        Assert.Equal(0.01, arrays["var_x"].Data[0], 12);
    }

    [Fact]
    public void DimensionMismatchIsReported()
    {
        string path = Path.Combine(_dir, "m");
        ModelStore.Save(path, ModelInitializer.Create(new ModelOptions { Rank = 2, Units = 8, Channels = 3 }, 1));
        string json = File.ReadAllText(Path.Combine(path, "model.json")).Replace("\"units\": 8", "\"units\": 9");
        File.WriteAllText(Path.Combine(path, "model.json"), json);
        var ex = Assert.Throws<InputException>(() => ModelStore.Load(path));
        Assert.Equal($"{Path.Combine(path, "params.npz")}: 'm' has shape [8, 2] but model.json implies [9, 2].", ex.Message);
    }
}
