using System.Text.Json;
using LowRank.Formats;
using static LowRank.InputException;

namespace LowRank.Populations;

/// <summary>BIC of one candidate number of populations.</summary>
public sealed record BicEntry(int Components, double LogLikelihood, double Bic);

/// <summary>
/// <c>populations.json</c>: a Gaussian mixture over per-unit loadings and where the loadings came from.
/// </summary>
/// <param name="FormatVersion">Format version (1).</param>
/// <param name="SourceModel">The model directory the loadings were read from.</param>
/// <param name="SourceKind">model.json <c>kind</c> of the source.</param>
/// <param name="Units">N of the source.</param>
/// <param name="LoadingNames">Column names [D] (see <see cref="UnitLoadings"/>).</param>
/// <param name="Components">P.</param>
/// <param name="Weights">π [P].</param>
/// <param name="Means">μ [P][D].</param>
/// <param name="Covariances">Σ [P][D][D].</param>
/// <param name="LogLikelihood">Σ_i log p(loadings_i).</param>
/// <param name="Bic">BIC of the chosen P.</param>
/// <param name="BicPerComponents">Every candidate P with its BIC (with <c>--components auto</c>), else null.</param>
/// <param name="PopulationSizes">Units of the source assigned to each population (most responsible component) [P].</param>
/// <param name="Seed">Seed of the EM restarts.</param>
/// <param name="Restarts">EM restarts per P.</param>
/// <param name="Ridge">Relative covariance ridge.</param>
/// <param name="Network">For LINT sources, the network constants a resampled network needs; null for stochastic models.</param>
public sealed record PopulationModel(
    int FormatVersion,
    string SourceModel,
    string SourceKind,
    int Units,
    string[] LoadingNames,
    int Components,
    double[] Weights,
    double[][] Means,
    double[][][] Covariances,
    double LogLikelihood,
    double Bic,
    IReadOnlyList<BicEntry>? BicPerComponents,
    int[] PopulationSizes,
    long Seed,
    int Restarts,
    double Ridge,
    LintSourceNetwork? Network)
{
    public const string FileName = "populations.json";
    public const int CurrentFormatVersion = 1;

    /// <summary>A directory populations may replace: one holding <c>populations.json</c> (<see cref="OutputPolicy"/>).</summary>
    public static DirectoryKind OutputKind { get; } = DirectoryKind.WithFile("populations directory", FileName);

    /// <summary>The mixture as a <see cref="GaussianMixture"/>.</summary>
    public GaussianMixture ToMixture() =>
        new(Weights, Means, Covariances.Select(Flatten).ToArray());

    /// <summary>Writes <c>populations.json</c> and whatever <paramref name="extraFiles"/> adds into <paramref name="directory"/>, atomically.</summary>
    public void Save(string directory, Action<string>? extraFiles = null) =>
        AtomicFile.WriteDirectory(directory, OutputKind, temp =>
        {
            JsonFile.Write(Path.Combine(temp, FileName), this);
            extraFiles?.Invoke(temp);
        });

    /// <summary>Reads <c>populations.json</c> of <paramref name="directory"/>; every problem is an <see cref="InputException"/>.</summary>
    public static PopulationModel Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new InputException($"'{directory}' has no {FileName}.", $"pass the {Ref("Out")} directory of 'lowrank populations fit'.");
        }

        PopulationModel? model;
        try
        {
            model = JsonSerializer.Deserialize<PopulationModel>(File.ReadAllText(path), JsonFile.Options);
        }
        catch (JsonException ex)
        {
            throw new InputException($"'{path}' is not a valid populations file ({ex.Message}).", "rerun 'lowrank populations fit'.", ex);
        }

        if (model is null || model.FormatVersion != CurrentFormatVersion)
        {
            throw new InputException($"'{path}' has format version {model?.FormatVersion}; this lowrank reads version {CurrentFormatVersion}.", "rerun 'lowrank populations fit'.");
        }

        int d = model.LoadingNames?.Length ?? 0;
        int p = model.Components;
        bool shapesOk = d > 0 && p >= 1
            && model.Weights?.Length == p && model.Means?.Length == p && model.Covariances?.Length == p
            && model.Means.All(m => m?.Length == d)
            && model.Covariances.All(c => c?.Length == d && c.All(row => row?.Length == d));
        if (!shapesOk)
        {
            throw new InputException(
                $"'{path}' is inconsistent: P = {p} components over D = {d} loadings, but the weights, means or covariances have other shapes.",
                "rerun 'lowrank populations fit'.");
        }

        try
        {
            _ = model.ToMixture();
        }
        catch (ArgumentException ex)
        {
            throw new InputException($"'{path}' holds an invalid mixture ({ex.Message}).", "rerun 'lowrank populations fit'.", ex);
        }

        return model;
    }

    /// <summary>Σ [D·D] as [D][D].</summary>
    public static double[][] Square(double[] flat, int dimension) =>
        Enumerable.Range(0, dimension).Select(r => flat.AsSpan(r * dimension, dimension).ToArray()).ToArray();

    private static double[] Flatten(double[][] square) => square.SelectMany(row => row).ToArray();
}
