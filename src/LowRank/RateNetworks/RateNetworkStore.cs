using System.Text.Json;
using LowRank.Formats;
using static LowRank.InputException;

namespace LowRank.RateNetworks;

/// <summary>Training summary stored in <c>model.json</c>.</summary>
public sealed record RateNetworkTrainingRecord(
    string Source,
    int Epochs,
    long Steps,
    int BatchSize,
    double LearningRate,
    double InitialLoss,
    double BestLoss,
    int BestEpoch,
    double Seconds,
    double? Accuracy,
    double? R2,
    double? R2PerNeuron,
    long Seed);

/// <summary>The <c>model.json</c> of a LINT network (docs/file-formats.md, "Model directories").</summary>
public sealed record RateNetworkDocument(
    int FormatVersion,
    string Kind,
    string? Task,
    double Alpha,
    int Units,
    int Rank,
    int Inputs,
    int Outputs,
    double NoiseStd,
    ReadoutKind Readout,
    RateNetworkTrainingRecord? Training);

/// <summary>
/// A LINT model directory: <c>model.json</c> + <c>params.npz</c> with <c>m</c>, <c>n</c> [N,R],
/// <c>w_in</c> [U,N], <c>w_out</c> [N,O], <c>b</c> [N], <c>x0</c> [N], <c>alpha</c> [] and, for
/// full-rank networks, <c>j</c> [N,N]. On reading, <c>b</c> and <c>x0</c> are optional (zero when absent),
/// so that networks built elsewhere (e.g. resampled from a population fit) need only the loadings.
/// </summary>
public static class RateNetworkStore
{
    public const string KindLowRank = "lint_low_rank";
    public const string KindFullRank = "lint_full_rank";
    public const int FormatVersion = 1;

    /// <summary>A directory a LINT model may replace: one holding a LINT model (<see cref="OutputPolicy"/>).</summary>
    public static DirectoryKind OutputKind { get; } =
        new("LINT model directory", d => JsonFile.TryReadString(Path.Combine(d, "model.json"), "kind") is KindLowRank or KindFullRank);

    /// <summary>Writes the model directory atomically (replacing an existing LINT model directory).</summary>
    public static void Save(string directory, RateNetwork network, string? task, RateNetworkTrainingRecord? training, int[]? observed = null)
    {
        RateNetworkSpec spec = network.Spec;
        var info = new RateNetworkDocument(
            FormatVersion,
            spec.IsFullRank ? KindFullRank : KindLowRank,
            task,
            spec.Alpha,
            spec.Units,
            spec.IsFullRank ? spec.Units : spec.Rank,
            spec.Inputs,
            spec.Outputs,
            spec.NoiseStd,
            spec.Readout,
            training);
        AtomicFile.WriteDirectory(directory, OutputKind, temp =>
        {
            JsonFile.Write(Path.Combine(temp, "model.json"), info);
            IEnumerable<KeyValuePair<string, NdArray>> arrays = Arrays(network);
            if (observed is not null)
            {
                // Units whose trajectories were fitted (teacher fits: the teacher units that the student's units stand for).
                arrays = arrays.Append(Pair("observed", [observed.Length], observed.Select(i => (double)i).ToArray()));
            }

            Npz.Write(Path.Combine(temp, "params.npz"), arrays, DType.Float64, compressed: false);
        });
    }

    /// <summary>The named arrays of <c>params.npz</c>.</summary>
    public static IEnumerable<KeyValuePair<string, NdArray>> Arrays(RateNetwork network)
    {
        RateNetworkSpec spec = network.Spec;
        RateNetworkLayout layout = network.Layout;
        int n = spec.Units;
        int rank = spec.IsFullRank ? 0 : spec.Rank;
        yield return Pair("m", [n, rank], Flatten(network.LeftVectors()));
        yield return Pair("n", [n, rank], Flatten(network.RightVectors()));
        if (spec.IsFullRank)
        {
            yield return Pair("j", [n, n], layout.J.Of<double>(network.Theta).ToArray());
        }

        yield return Pair("w_in", [spec.Inputs, n], layout.InputWeights.Of<double>(network.Theta).ToArray());
        yield return Pair("w_out", [n, spec.Outputs], Flatten(network.OutputWeights()));
        yield return Pair("b", [n], layout.Bias.Of<double>(network.Theta).ToArray());
        yield return Pair("x0", [n], layout.InitialState.Of<double>(network.Theta).ToArray());
        yield return Pair("alpha", [], [spec.Alpha]);
    }

    /// <summary>Reads a model directory; every problem is an <see cref="InputException"/> naming the file.</summary>
    public static (RateNetwork Network, RateNetworkDocument Info) Load(string directory)
    {
        string jsonPath = Path.Combine(directory, "model.json");
        string npzPath = Path.Combine(directory, "params.npz");
        if (!Directory.Exists(directory))
        {
            throw new InputException($"model directory '{directory}' does not exist.", $"pass the {Ref("Out")} directory of 'lowrank task train' or 'lowrank lint fit'.");
        }

        if (!File.Exists(jsonPath))
        {
            throw new InputException($"model directory '{directory}' has no model.json.", $"pass the {Ref("Out")} directory of 'lowrank task train' or 'lowrank lint fit'.");
        }

        RateNetworkDocument? info;
        try
        {
            info = JsonSerializer.Deserialize<RateNetworkDocument>(File.ReadAllText(jsonPath), JsonFile.Options);
        }
        catch (JsonException ex)
        {
            throw new InputException($"'{jsonPath}' is not a valid LINT model description ({ex.Message}).", "retrain or refit the model.", ex);
        }

        if (info is null || (info.Kind != KindLowRank && info.Kind != KindFullRank))
        {
            throw new InputException(
                $"'{jsonPath}' describes a model of kind '{info?.Kind}', not a LINT network ({KindLowRank} or {KindFullRank}).",
                "pass a model written by 'lowrank task train' or 'lowrank lint fit'.");
        }

        bool fullRank = info.Kind == KindFullRank;
        var spec = new RateNetworkSpec(info.Units, fullRank ? 0 : info.Rank, info.Inputs, info.Outputs, info.Alpha, info.NoiseStd, info.Readout);
        if (info.Units < 1 || info.Rank < 1 || info.Inputs < 0 || info.Outputs < 0 || !(info.Alpha > 0 && info.Alpha <= 1) || !(info.NoiseStd >= 0))
        {
            throw new InputException($"'{jsonPath}' has invalid dimensions or constants ({spec}).", "retrain or refit the model.");
        }

        try
        {
            spec.Validate();
        }
        catch (InputException ex)
        {
            throw new InputException($"'{jsonPath}' describes a network that cannot be loaded: {ex.Message}", "model.json was edited or damaged: restore it, or retrain or refit the model.", ex);
        }

        OrderedDictionary<string, NdArray> arrays = Npz.Read(npzPath);
        var network = new RateNetwork(spec, new double[new RateNetworkLayout(spec).Length]);
        RateNetworkLayout layout = network.Layout;
        int n = spec.Units;
        int rank = spec.IsFullRank ? 0 : spec.Rank;
        double[] Take(string name, params int[] shape)
        {
            NdArray array = Npz.RequireArray(arrays, name, npzPath);

            if (!array.Shape.SequenceEqual(shape))
            {
                throw new InputException(
                    $"array '{name}' in '{npzPath}' has shape [{string.Join(", ", array.Shape)}] but model.json implies [{string.Join(", ", shape)}].",
                    "model.json and params.npz disagree: retrain or refit the model.");
            }

            int bad = Array.FindIndex(array.Data, v => !double.IsFinite(v));
            if (bad >= 0)
            {
                throw new InputException(
                    $"array '{name}' in '{npzPath}' holds {array.Data[bad]} at flat index {bad}; a network's parameters must be finite.",
                    $"the training that wrote it diverged or the file was edited: retrain or refit the model (a lower {Ref("LearningRate")} helps a diverging fit).");
            }

            return array.Data;
        }

        network.SetUnitMajor(layout.M, To2D(Take("m", n, rank), n, rank));
        network.SetUnitMajor(layout.NTilde, To2D(Take("n", n, rank), n, rank));
        if (fullRank)
        {
            Take("j", n, n).CopyTo(layout.J.Of<double>(network.Theta));
        }

        Take("w_in", spec.Inputs, n).CopyTo(layout.InputWeights.Of<double>(network.Theta));
        network.SetUnitMajor(layout.OutputWeights, To2D(Take("w_out", n, spec.Outputs), n, spec.Outputs));
        if (arrays.ContainsKey("b"))
        {
            Take("b", n).CopyTo(layout.Bias.Of<double>(network.Theta));
        }

        if (arrays.ContainsKey("x0"))
        {
            Take("x0", n).CopyTo(layout.InitialState.Of<double>(network.Theta));
        }

        return (network, info);
    }

    private static KeyValuePair<string, NdArray> Pair(string name, int[] shape, double[] data) =>
        KeyValuePair.Create(name, new NdArray(shape, data));

    private static double[] Flatten(double[,] values)
    {
        var result = new double[values.Length];
        int columns = values.GetLength(1);
        for (int i = 0; i < values.GetLength(0); i++)
        {
            for (int k = 0; k < columns; k++)
            {
                result[i * columns + k] = values[i, k];
            }
        }

        return result;
    }

    private static double[,] To2D(double[] data, int rows, int columns)
    {
        var result = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < columns; k++)
            {
                result[i, k] = data[i * columns + k];
            }
        }

        return result;
    }
}
