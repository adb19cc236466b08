using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LowRank.Data;
using LowRank.Formats;
using static LowRank.InputException;

namespace LowRank.Model;

/// <summary>Where a saved model came from.</summary>
/// <param name="Created">UTC time of saving, ISO 8601.</param>
/// <param name="Tool">Tool name and version that wrote it.</param>
/// <param name="Command">The command line, when saved by the CLI.</param>
/// <param name="Data">The data file it was fitted to, if any.</param>
/// <param name="DataSha256">SHA-256 of that file.</param>
/// <param name="Seed">The seed used.</param>
public sealed record ModelProvenance(string Created, string Tool, string? Command = null, string? Data = null, string? DataSha256 = null, long? Seed = null);

/// <summary>
/// The <c>model.json</c> of a stochastic low-rank RNN: format version, kind, options, provenance and, for a
/// fitted model, the record of how it was trained (its type belongs to the fitter, e.g. the VSMC fit record) and
/// what was done to its data before fitting (<see cref="RecordingPreprocessing"/>: channels, z-scoring; null: nothing),
/// which is done again to later data.
/// </summary>
/// <typeparam name="TTraining">The training section's record (<see cref="JsonObject"/> reads any as raw JSON).</typeparam>
public sealed record ModelDocument<TTraining>(
    int FormatVersion,
    string Kind,
    ModelOptions Options,
    ModelProvenance? Provenance,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TTraining? Training,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RecordingPreprocessing? Preprocessing = null)
    where TTraining : class;

/// <summary>A model read back from its directory, with its model.json.</summary>
public sealed record StoredModel<TTraining>(LowRankRnn Model, ModelDocument<TTraining> Document)
    where TTraining : class
{
    /// <summary>Where the model came from, when recorded.</summary>
    public ModelProvenance? Provenance => Document.Provenance;

    /// <summary>What the fit did to its data (channels, z-scoring), to do again to later data; null: nothing.</summary>
    public RecordingPreprocessing? Preprocessing => Document.Preprocessing;
}

/// <summary>
/// Saves and loads a stochastic low-rank RNN as a directory (docs/file-formats.md, "Model directories"): <c>model.json</c> (format
/// version, kind, options, provenance, extra sections such as the training summary) and
/// <c>params.npz</c> with constrained values readable by NumPy: <c>m</c> [N,R], <c>n</c> [R,N],
/// <c>h</c> [N], <c>w_in</c> [N,U] (when U &gt; 0), <c>decay</c> [], <c>chol_z</c>, <c>chol_0</c> [R,R],
/// <c>mu_0</c> [R], <c>c</c> ([X,R] or [X]), <c>d</c> [X], <c>var_x</c> [X] (Gaussian).
/// </summary>
public static class ModelStore
{
    public const string ModelFile = "model.json";
    public const string ParametersFile = "params.npz";
    public const string Kind = "stochastic_low_rank_rnn";

    /// <summary>
    /// The newest format version: 2 adds the <c>preprocessing</c> section. A model without one is written as version 1,
    /// which older lowrank versions read; one with it is version 2, which they refuse rather than misread its data.
    /// </summary>
    public const int FormatVersion = 2;

    /// <summary>The oldest format version this lowrank reads.</summary>
    public const int OldestFormatVersion = 1;

    /// <summary>The checkpoint a fit keeps inside its output directory while it runs; replaced by the model when it ends.</summary>
    public const string CheckpointFile = "checkpoint.lrck";

    /// <summary>
    /// A directory a fit or <c>simulate</c> may replace (<see cref="OutputPolicy"/>): one holding a stochastic model,
    /// or the checkpoint of an interrupted fit.
    /// </summary>
    public static DirectoryKind OutputKind { get; } =
        new("stochastic model directory", d => JsonFile.TryReadString(Path.Combine(d, ModelFile), "kind") == Kind || File.Exists(Path.Combine(d, CheckpointFile)));

    /// <summary>Whether <paramref name="path"/> is a directory with a model.json.</summary>
    public static bool IsModelDirectory(string path) => Directory.Exists(path) && File.Exists(Path.Combine(path, ModelFile));

    /// <summary>Writes the model directory of an untrained model (a teacher, an initialisation) atomically.</summary>
    public static void Save(string directory, LowRankRnn model, ModelProvenance? provenance = null) =>
        Save<JsonObject>(directory, model, provenance, null);

    /// <summary>
    /// Writes the model directory atomically: model.json with <paramref name="training"/> as its training section
    /// (left out when null), <paramref name="preprocessing"/> as its preprocessing section (left out when null) and
    /// params.npz; <paramref name="extraFiles"/> may write more files into the temporary directory.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="model"/> is one <see cref="Load{TTraining}"/> would refuse (<see cref="RequireLoadable"/>); nothing is written.
    /// </exception>
    public static void Save<TTraining>(
        string directory,
        LowRankRnn model,
        ModelProvenance? provenance,
        TTraining? training,
        Action<string>? extraFiles = null,
        RecordingPreprocessing? preprocessing = null)
        where TTraining : class
    {
        ArgumentNullException.ThrowIfNull(model);
        preprocessing?.Validate(model.Channels, "the model to save");
        List<KeyValuePair<string, NdArray>> arrays = ToArrays(model);
        RequireLoadable(model, arrays);
        var document = new ModelDocument<TTraining>(preprocessing is null ? OldestFormatVersion : FormatVersion, Kind, model.Options, provenance, training, preprocessing);
        AtomicFile.WriteDirectory(directory, OutputKind, temp =>
        {
            File.WriteAllText(Path.Combine(temp, ModelFile), JsonFile.Serialize(document) + "\n");
            Npz.Write(Path.Combine(temp, ParametersFile), arrays);
            extraFiles?.Invoke(temp);
        });
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="arrays"/>, the params.npz of <paramref name="model"/>,
    /// pass the loader's checks (<see cref="FromArrays"/>): a finite θ can still have constrained values params.npz
    /// cannot hold, e.g. a = exp(−exp α) underflows to 0 for α &gt; 6.6, which no α reproduces. Saving such a model is a
    /// caller's bug (a fit checks its parameters before it ends), so it is refused rather than written unloadable.
    /// </summary>
    private static void RequireLoadable(LowRankRnn model, List<KeyValuePair<string, NdArray>> arrays)
    {
        try
        {
            FromArrays(model.Options, arrays.ToDictionary(), ParametersFile);
        }
        catch (InputException ex)
        {
            throw new ArgumentException($"the model cannot be saved: its {ParametersFile} would not load ({ex.Message})", nameof(model), ex);
        }
    }

    /// <summary>Reads a model directory, its training section as raw JSON; every inconsistency is an <see cref="InputException"/>.</summary>
    public static StoredModel<JsonObject> Load(string directory) => Load<JsonObject>(directory);

    /// <summary>Reads a model directory with its training section as <typeparamref name="TTraining"/>; every inconsistency is an <see cref="InputException"/>.</summary>
    public static StoredModel<TTraining> Load<TTraining>(string directory)
        where TTraining : class
    {
        string jsonPath = Path.Combine(directory, ModelFile);
        string paramsPath = Path.Combine(directory, ParametersFile);
        if (!Directory.Exists(directory))
        {
            throw new InputException($"model directory '{directory}' does not exist.", $"pass the {Ref("Out")} directory of a fit or of 'lowrank simulate {Ref("ModelOut")}'.");
        }

        if (!File.Exists(jsonPath))
        {
            throw new InputException($"'{directory}' is not a model directory: it has no {ModelFile}.", $"pass the {Ref("Out")} directory of a fit or of 'lowrank simulate {Ref("ModelOut")}'.");
        }

        JsonObject document = ReadDocument(jsonPath);
        string? kind = document["kind"]?.GetValue<string>();
        if (kind != Kind)
        {
            throw new InputException(
                $"model '{directory}' is a {kind ?? "model of unknown kind"}, not a stochastic low-rank RNN.",
                $"this command needs a model made by 'lowrank fit' or 'lowrank simulate {Ref("ModelOut")}'.");
        }

        int version = document["format_version"]?.GetValue<int>() ?? 0;
        if (version < OldestFormatVersion || version > FormatVersion)
        {
            throw new InputException($"{jsonPath} has format version {version}; this lowrank reads versions {OldestFormatVersion} to {FormatVersion}.", "re-save the model with a matching lowrank version.");
        }

        ModelOptions options;
        ModelProvenance? provenance;
        TTraining? training;
        RecordingPreprocessing? preprocessing;
        try
        {
            options = document["options"].Deserialize<ModelOptions>(JsonFile.Options)
                ?? throw new InputException($"{jsonPath} has no 'options' section.", "restore model.json from the fit that wrote params.npz.");
            provenance = document["provenance"].Deserialize<ModelProvenance>(JsonFile.Options);
            training = document["training"].Deserialize<TTraining>(JsonFile.Options);
            preprocessing = document["preprocessing"].Deserialize<RecordingPreprocessing>(JsonFile.Options);
        }
        catch (JsonException ex)
        {
            throw new InputException($"{jsonPath} has an invalid options section: {ex.Message}", "restore model.json from the fit that wrote params.npz.", ex);
        }

        try
        {
            options.Validate();
        }
        catch (InputException ex)
        {
            throw new InputException($"{jsonPath} describes a model that cannot be loaded: {ex.Message}", "model.json was edited or damaged: restore it from the fit that wrote params.npz.", ex);
        }

        if (!File.Exists(paramsPath))
        {
            throw new InputException($"model directory '{directory}' has no {ParametersFile}.", "restore params.npz from the fit that wrote model.json.");
        }

        preprocessing?.Validate(options.Channels, jsonPath);
        OrderedDictionary<string, NdArray> arrays = Npz.Read(paramsPath);
        LowRankRnn model = FromArrays(options, arrays, paramsPath);
        return new StoredModel<TTraining>(model, new ModelDocument<TTraining>(version, Kind, options, provenance, training, preprocessing));
    }

    /// <summary>The named arrays of params.npz for <paramref name="model"/>.</summary>
    public static List<KeyValuePair<string, NdArray>> ToArrays(LowRankRnn model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int r = model.Rank, n = model.Units, u = model.Inputs, x = model.Channels;
        var arrays = new List<KeyValuePair<string, NdArray>>
        {
            new("m", NdArray.Create(model.M.ToArray(), n, r)),
            new("n", NdArray.Create(model.N.ToArray(), r, n)),
            new("h", NdArray.Create(model.H.ToArray(), n)),
        };
        if (u > 0)
        {
            arrays.Add(new("w_in", NdArray.Create(model.W.ToArray(), n, u)));
        }

        arrays.Add(new("decay", NdArray.Scalar(model.Decay)));
        arrays.Add(new("chol_z", NdArray.Create(model.TransitionCholesky(), r, r)));
        arrays.Add(new("chol_0", NdArray.Create(model.InitialCholesky(), r, r)));
        arrays.Add(new("mu_0", NdArray.Create(model.InitialMean(), r)));
        arrays.Add(new("c", model.Options.Readout == Readout.Latent ? NdArray.Create(model.C.ToArray(), x, r) : NdArray.Create(model.C.ToArray(), x)));
        arrays.Add(new("d", NdArray.Create(model.D.ToArray(), x)));
        if (model.Options.Likelihood == Likelihood.Gaussian)
        {
            arrays.Add(new("var_x", NdArray.Create(model.ObservationVariance(), x)));
        }

        if (model.Options.Encoder is { } encoder)
        {
            foreach ((string name, int[] shape) in encoder.Slices(x, r))
            {
                arrays.Add(new(name, NdArray.Create(model.Layout[name].Of(model.Theta).ToArray(), shape)));
            }
        }

        return arrays;
    }

    /// <summary>Rebuilds θ from params.npz arrays, checking every shape against the options.</summary>
    public static LowRankRnn FromArrays(ModelOptions options, IReadOnlyDictionary<string, NdArray> arrays, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(arrays);
        var layout = ModelLayout.Of(options);
        var model = new LowRankRnn(options, new double[layout.Length]);
        int r = options.Rank, n = options.Units, u = options.Inputs, x = options.Channels;
        Copy(arrays, "m", path, [n, r], model.M);
        Copy(arrays, "n", path, [r, n], model.N);
        Copy(arrays, "h", path, [n], model.H);
        if (u > 0)
        {
            Copy(arrays, "w_in", path, [n, u], model.W);
        }

        double decay = Get(arrays, "decay", path, []).Data[0];
        if (!(decay > 0 && decay < 1))
        {
            throw new InputException($"{path}: decay = {decay} but it must lie in (0, 1).", "restore params.npz from the fit that wrote model.json.");
        }

        model.Decay = decay;
        CovarianceParameters.FromCholesky(options.TransitionNoise, r, Get(arrays, "chol_z", path, [r, r]).Data, layout[ParameterNames.TransitionNoiseRaw].Of(model.Theta), $"{path}: chol_z");
        CovarianceParameters.FromCholesky(options.InitialNoise, r, Get(arrays, "chol_0", path, [r, r]).Data, layout[ParameterNames.InitialNoiseRaw].Of(model.Theta), $"{path}: chol_0");
        NdArray mu = Get(arrays, "mu_0", path, [r]);
        if (options.TrainInitialMean)
        {
            mu.Data.CopyTo(layout[ParameterNames.InitialMean].Of(model.Theta));
        }
        else if (mu.Data.Any(v => v != 0))
        {
            throw new InputException($"{path}: mu_0 is non-zero but model.json says the initial mean is fixed at 0.", "set train_initial_mean to true in model.json, or store zeros.");
        }

        Copy(arrays, "c", path, options.Readout == Readout.Latent ? [x, r] : [x], model.C);
        Copy(arrays, "d", path, [x], model.D);
        if (options.Likelihood == Likelihood.Gaussian)
        {
            NdArray variance = Get(arrays, "var_x", path, [x]);
            Span<double> raw = layout[ParameterNames.LogObservationVariance].Of(model.Theta);
            for (int i = 0; i < x; i++)
            {
                if (!(variance.Data[i] > 0))
                {
                    throw new InputException($"{path}: var_x[{i}] = {variance.Data[i]} but variances must be positive.", "restore params.npz from the fit that wrote model.json.");
                }

                raw[i] = Math.Log(variance.Data[i]);
            }
        }

        if (options.Encoder is { } encoder)
        {
            foreach ((string name, int[] shape) in encoder.Slices(x, r))
            {
                Copy(arrays, name, path, shape, layout[name].Of(model.Theta));
            }
        }

        foreach (double value in model.Theta)
        {
            if (!double.IsFinite(value))
            {
                throw new InputException($"{path} contains NaN or infinite parameters.", $"the fit diverged; refit with a lower {Ref("LearningRate")}.");
            }
        }

        return model;
    }

    private static JsonObject ReadDocument(string jsonPath)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(jsonPath)) as JsonObject
                ?? throw new InputException($"{jsonPath} is not a JSON object.", "restore model.json from the fit that wrote params.npz.");
        }
        catch (JsonException ex)
        {
            throw new InputException($"{jsonPath} is not valid JSON: {ex.Message}", "restore model.json from the fit that wrote params.npz.", ex);
        }
    }

    private static NdArray Get(IReadOnlyDictionary<string, NdArray> arrays, string name, string path, int[] shape)
    {
        NdArray array = Npz.RequireArray(arrays, name, path);
        if (!array.Shape.AsSpan().SequenceEqual(shape))
        {
            throw new InputException(
                $"{path}: '{name}' has shape {NdArray.FormatShape(array.Shape)} but model.json implies {NdArray.FormatShape(shape)}.",
                "model.json and params.npz disagree on dimensions; restore both from the same fit.");
        }

        return array;
    }

    private static void Copy(IReadOnlyDictionary<string, NdArray> arrays, string name, string path, int[] shape, Span<double> destination) =>
        Get(arrays, name, path, shape).Data.CopyTo(destination);
}
