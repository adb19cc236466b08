using System.Text.Json;
using System.Text.Json.Nodes;
using LowRank.Model;
using LowRank.RateNetworks;
using static LowRank.InputException;

namespace LowRank.Populations;

/// <summary>The LINT network a set of loadings came from: what a resampled network needs besides loadings.</summary>
/// <param name="Task">The task recorded in the source's model.json, if any.</param>
/// <param name="Rank">R.</param>
/// <param name="Inputs">U.</param>
/// <param name="Outputs">O.</param>
/// <param name="Alpha">α = Δt/τ.</param>
/// <param name="NoiseStd">σ of the state noise.</param>
/// <param name="Readout">ψ.</param>
public sealed record LintSourceNetwork(string? Task, int Rank, int Inputs, int Outputs, double Alpha, double NoiseStd, ReadoutKind Readout);

/// <summary>
/// One loading vector per unit, the rows of <see cref="Values"/> [N, D], with a name per column.
/// </summary>
/// <remarks>
/// Columns, in order: <c>m1…mR</c>, <c>n1…nR</c> (the right vectors ñ_r), <c>w_in1…w_inU</c>, then for LINT
/// networks <c>w_out1…w_outO</c>, and <c>b</c> and <c>x0</c> when the source has a non-zero bias or initial state.
/// LINT networks: J = M Ñᵀ / N and the readout is ψ(x) W_out / N, so loadings are O(1) per unit and a network
/// of any N built from them has the same mean-field behaviour. Stochastic models contribute m [N,R],
/// n (stored [R,N], transposed here) and w_in [N,U].
/// </remarks>
/// <param name="Names">Column names [D].</param>
/// <param name="Units">N.</param>
/// <param name="Values">[N, D] row-major.</param>
/// <param name="SourceKind">model.json <c>kind</c> of the source.</param>
/// <param name="Lint">The LINT source network, or null for a stochastic model.</param>
public sealed record UnitLoadings(string[] Names, int Units, double[] Values, string SourceKind, LintSourceNetwork? Lint)
{
    /// <summary>D.</summary>
    public int Dimension => Names.Length;

    /// <summary>Column index of <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name) => Array.IndexOf(Names, name);

    /// <summary>Reads the loadings of the model in <paramref name="directory"/> (LINT low-rank or stochastic).</summary>
    public static UnitLoadings Load(string directory)
    {
        string jsonPath = Path.Combine(directory, "model.json");
        if (!Directory.Exists(directory) || !File.Exists(jsonPath))
        {
            throw new InputException(
                $"model directory '{directory}' does not exist or has no model.json.",
                $"pass the {Ref("Out")} directory of 'lowrank task train', 'lowrank lint fit' or 'lowrank fit'.");
        }

        string? kind;
        try
        {
            kind = JsonNode.Parse(File.ReadAllText(jsonPath))?["kind"]?.GetValue<string>();
        }
        catch (JsonException ex)
        {
            throw new InputException($"'{jsonPath}' is not a valid model description ({ex.Message}).", "retrain or refit the model.", ex);
        }
        catch (InvalidOperationException ex)
        {
            // "kind" present but not a string
            throw new InputException($"'{jsonPath}' is not a valid model description ({ex.Message}).", "retrain or refit the model.", ex);
        }

        switch (kind)
        {
            case RateNetworkStore.KindLowRank:
                (RateNetwork network, RateNetworkDocument info) = RateNetworkStore.Load(directory);
                return FromLint(network, info.Task);
            case RateNetworkStore.KindFullRank:
                throw new InputException(
                    $"model '{directory}' is a full-rank LINT network; populations are defined over low-rank loadings.",
                    $"fit a low-rank network to it first: 'lowrank lint fit {Ref("Teacher")} DIR {Ref("Rank")} R', or train with {Ref("Rank")} R.");
            case ModelStore.Kind:
                return FromStochastic(ModelStore.Load(directory).Model);
            default:
                throw new InputException(
                    $"model '{directory}' has kind '{kind}', which has no per-unit loadings.",
                    $"pass a {RateNetworkStore.KindLowRank} or {ModelStore.Kind} model directory.");
        }
    }

    /// <summary>Loadings of a low-rank LINT network.</summary>
    public static UnitLoadings FromLint(RateNetwork network, string? task)
    {
        ArgumentNullException.ThrowIfNull(network);
        RateNetworkSpec spec = network.Spec;
        if (spec.IsFullRank)
        {
            throw new ArgumentException("a full-rank network has no loadings.", nameof(network));
        }

        int n = spec.Units;
        RateNetworkLayout layout = network.Layout;
        var columns = new List<(string Name, double[] Values)>();
        AddRows(columns, "m", layout.M.Of<double>(network.Theta), spec.Rank, n);
        AddRows(columns, "n", layout.NTilde.Of<double>(network.Theta), spec.Rank, n);
        AddRows(columns, "w_in", layout.InputWeights.Of<double>(network.Theta), spec.Inputs, n);
        AddRows(columns, "w_out", layout.OutputWeights.Of<double>(network.Theta), spec.Outputs, n);
        double[] bias = layout.Bias.Of<double>(network.Theta).ToArray();
        if (bias.Any(v => v != 0))
        {
            columns.Add(("b", bias));
        }

        double[] initial = layout.InitialState.Of<double>(network.Theta).ToArray();
        if (initial.Any(v => v != 0))
        {
            columns.Add(("x0", initial));
        }

        var source = new LintSourceNetwork(task, spec.Rank, spec.Inputs, spec.Outputs, spec.Alpha, spec.NoiseStd, spec.Readout);
        return Assemble(columns, n, RateNetworkStore.KindLowRank, source);
    }

    /// <summary>Loadings m, n, w_in of a stochastic low-rank RNN.</summary>
    public static UnitLoadings FromStochastic(LowRankRnn model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int n = model.Units;
        int rank = model.Rank;
        var columns = new List<(string Name, double[] Values)>();
        ReadOnlySpan<double> m = model.M; // [N, R]
        for (int r = 0; r < rank; r++)
        {
            var column = new double[n];
            for (int i = 0; i < n; i++)
            {
                column[i] = m[i * rank + r];
            }

            columns.Add(($"m{r + 1}", column));
        }

        AddRows(columns, "n", model.N, rank, n); // stored [R, N]
        ReadOnlySpan<double> w = model.W; // [N, U]
        for (int c = 0; c < model.Inputs; c++)
        {
            var column = new double[n];
            for (int i = 0; i < n; i++)
            {
                column[i] = w[i * model.Inputs + c];
            }

            columns.Add(($"w_in{c + 1}", column));
        }

        return Assemble(columns, n, ModelStore.Kind, null);
    }

    /// <summary>A low-rank LINT network whose unit i has loadings row i of <paramref name="values"/> [N, D] (names as <see cref="Names"/>).</summary>
    public static RateNetwork BuildNetwork(LintSourceNetwork source, string[] names, double[] values, int units)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(values);
        int dimension = names.Length;
        if (values.Length != units * dimension)
        {
            throw new ArgumentException($"values has length {values.Length}, expected N·D = {units}·{dimension}.", nameof(values));
        }

        var spec = new RateNetworkSpec(units, source.Rank, source.Inputs, source.Outputs, source.Alpha, source.NoiseStd, source.Readout);
        var network = new RateNetwork(spec, new double[new RateNetworkLayout(spec).Length]);
        RateNetworkLayout layout = network.Layout;
        void Fill(LowRank.Training.ParameterSlice slice, string prefix, bool single)
        {
            Span<double> target = slice.Of<double>(network.Theta);
            for (int row = 0; row < slice.Rows; row++)
            {
                string name = single ? prefix : $"{prefix}{row + 1}";
                int column = Array.IndexOf(names, name);
                if (column < 0)
                {
                    throw new ArgumentException($"loading '{name}' is missing from [{string.Join(", ", names)}].", nameof(names));
                }

                for (int i = 0; i < units; i++)
                {
                    target[row * units + i] = values[i * dimension + column];
                }
            }
        }

        Fill(layout.M, "m", false);
        Fill(layout.NTilde, "n", false);
        Fill(layout.InputWeights, "w_in", false);
        Fill(layout.OutputWeights, "w_out", false);
        if (names.Contains("b"))
        {
            Fill(layout.Bias, "b", true);
        }

        if (names.Contains("x0"))
        {
            Fill(layout.InitialState, "x0", true);
        }

        return network;
    }

    private static void AddRows(List<(string Name, double[] Values)> columns, string prefix, ReadOnlySpan<double> stored, int rows, int n)
    {
        for (int r = 0; r < rows; r++)
        {
            columns.Add(($"{prefix}{r + 1}", stored.Slice(r * n, n).ToArray()));
        }
    }

    private static UnitLoadings Assemble(List<(string Name, double[] Values)> columns, int n, string kind, LintSourceNetwork? source)
    {
        int dimension = columns.Count;
        var values = new double[n * dimension];
        for (int d = 0; d < dimension; d++)
        {
            for (int i = 0; i < n; i++)
            {
                values[i * dimension + d] = columns[d].Values[i];
            }
        }

        return new UnitLoadings(columns.Select(c => c.Name).ToArray(), n, values, kind, source);
    }
}
