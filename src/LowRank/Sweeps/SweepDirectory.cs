using System.Text.Json;
using LowRank.Formats;

namespace LowRank.Sweeps;

/// <summary>What <c>sweep.json</c> holds: the spec in canonical form and its hash, which make the directory this sweep's.</summary>
public sealed record SweepManifest(string Kind, int FormatVersion, string SpecSha256, JsonElement Spec, IReadOnlyList<string> Runs);

/// <summary>A sweep directory opened for reading: its spec, its points and where they run.</summary>
public sealed record OpenedSweep(string Directory, SweepSpec Spec, IReadOnlyList<SweepPoint> Points)
{
    /// <summary>The run directory of <paramref name="point"/>.</summary>
    public RunDirectory RunOf(SweepPoint point) => SweepDirectory.RunOf(Directory, point);
}

/// <summary>
/// The layout of a sweep directory: <c>sweep.json</c> (<see cref="SweepManifest"/>), <c>runs/NAME/</c> per point
/// (<see cref="RunDirectory"/>), and what collecting writes: <c>results.csv</c>, <c>results.json</c>, <c>plots/</c>.
/// A directory holds one sweep: running another spec into it is refused.
/// </summary>
public static class SweepDirectory
{
    public const string ManifestFile = "sweep.json";

    public const string RunsFolder = "runs";

    public const string ResultsCsv = "results.csv";

    public const string ResultsJson = "results.json";

    public const string PlotsFolder = "plots";

    /// <summary>The file a process running the sweep holds locked, so that two never run it at once.</summary>
    public const string LockFile = ".lock";

    /// <summary>The manifest's <c>kind</c>.</summary>
    public const string Kind = "lowrank_sweep";

    public const int FormatVersion = 1;

    /// <summary>A directory holding a sweep (its <c>sweep.json</c> of <see cref="Kind"/>).</summary>
    public static DirectoryKind OutputKind { get; } =
        new("sweep directory", d => JsonFile.TryReadString(Path.Combine(d, ManifestFile), "kind") == Kind);

    /// <summary>The directory of <paramref name="point"/>'s run.</summary>
    public static RunDirectory RunOf(string directory, SweepPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        return new RunDirectory(Path.Combine(directory, RunsFolder, point.Name));
    }

    /// <summary>
    /// Throws unless <paramref name="directory"/> is new or holds this very sweep (the same canonical spec): a sweep
    /// directory of another spec is refused, naming what differs.
    /// </summary>
    public static void CheckHolds(string directory, SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string path = Path.Combine(directory, ManifestFile);
        if (!File.Exists(path))
        {
            return;
        }

        SweepManifest manifest = ReadManifest(path);
        if (manifest.SpecSha256 == spec.Hash())
        {
            return;
        }

        using JsonDocument now = JsonDocument.Parse(spec.ToCanonicalJson());
        string[] differing = [.. new[] { SweepSpecReader.CommandField, SweepSpecReader.OptionsField, SweepSpecReader.AxesField, SweepSpecReader.FollowUpField }
            .Where(field => !SameField(manifest.Spec, now.RootElement, field))];
        string what = differing.Length == 0 ? "its spec differs" : $"its {string.Join(" and ", differing)} differ";
        throw new InputException(
            $"{InputException.Ref("Out")} '{directory}' holds a different sweep: {what} from this spec's (hash {manifest.SpecSha256[..12]} there, {spec.Hash()[..12]} here).",
            $"pass a new {InputException.Ref("Out")} folder for this spec, or continue that sweep with the spec it was run with (kept in '{path}').");
    }

    /// <summary>Writes <c>sweep.json</c> unless it is there (then it holds this spec: <see cref="CheckHolds"/>).</summary>
    public static void Create(string directory, SweepSpec spec, IReadOnlyList<SweepPoint> points)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(points);
        string path = Path.Combine(directory, ManifestFile);
        if (File.Exists(path))
        {
            return;
        }

        using JsonDocument canonical = JsonDocument.Parse(spec.ToCanonicalJson());
        JsonFile.Write(path, new SweepManifest(Kind, FormatVersion, spec.Hash(), canonical.RootElement.Clone(), [.. points.Select(p => p.Name)]));
    }

    /// <summary>Opens the sweep in <paramref name="directory"/> (for its status or its results).</summary>
    public static OpenedSweep Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string path = Path.Combine(directory, ManifestFile);
        if (!File.Exists(path))
        {
            throw new InputException(
                $"'{directory}' is not a sweep directory: it holds no {ManifestFile}.",
                "pass the folder a sweep was run into (the output folder of the sweep's run).");
        }

        SweepManifest manifest = ReadManifest(path);
        SweepSpec spec = SweepSpecReader.Parse(manifest.Spec.GetRawText(), path);
        return new OpenedSweep(Path.GetFullPath(directory), spec, SweepPoints.Expand(spec));
    }

    private static SweepManifest ReadManifest(string path)
    {
        SweepManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<SweepManifest>(File.ReadAllText(path), JsonFile.Options);
        }
        catch (JsonException ex)
        {
            throw new InputException($"sweep manifest '{path}' is damaged: {ex.Message}", "restore it, or start the sweep again in a new folder.", ex);
        }

        if (manifest is null || manifest.Kind != Kind || manifest.SpecSha256 is null || manifest.Spec.ValueKind != JsonValueKind.Object)
        {
            throw new InputException($"'{path}' is not a sweep manifest (kind {Kind} with its spec and hash).", "restore it, or start the sweep again in a new folder.");
        }

        if (manifest.FormatVersion > FormatVersion)
        {
            throw new InputException($"sweep manifest '{path}' has format version {manifest.FormatVersion}; this lowrank reads version {FormatVersion}.", "use the lowrank version that ran the sweep, or a newer one.");
        }

        return manifest;
    }

    private static bool SameField(JsonElement a, JsonElement b, string field)
    {
        // Compact both: the manifest is written indented.
        string? left = a.TryGetProperty(field, out JsonElement x) ? JsonSerializer.Serialize(x) : null;
        string? right = b.TryGetProperty(field, out JsonElement y) ? JsonSerializer.Serialize(y) : null;
        return left == right;
    }
}
