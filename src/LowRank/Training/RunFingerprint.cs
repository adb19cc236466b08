using System.Text.Json;
using LowRank.Formats;

namespace LowRank.Training;

/// <summary>
/// What identifies a training run for resuming it: one <c>name=value</c> line per setting, names dotted as in
/// the run's JSON (<c>objective.particles=4</c>); a later line of the same name overrides an earlier one. A
/// checkpoint carries it; a resume under a fingerprint that differs is refused with one line per differing
/// setting (<see cref="Differences"/>).
/// </summary>
public static class RunFingerprint
{
    /// <summary>The fingerprint of <paramref name="settings"/>, in the given order.</summary>
    public static string Of(IEnumerable<KeyValuePair<string, string>> settings) =>
        string.Join('\n', settings.Select(s => $"{s.Key}={s.Value}"));

    /// <summary>
    /// The scalar leaves of <paramref name="value"/> serialised with the project's JSON options, named by their
    /// dotted paths (<c>{"model":{"units":9}}</c> gives <c>model.units</c> = <c>9</c>); array elements are named by index.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> Flatten(object value)
    {
        using JsonDocument document = JsonDocument.Parse(JsonFile.Serialize(value, indented: false));
        var leaves = new List<KeyValuePair<string, string>>();
        Collect(document.RootElement, "", leaves);
        return leaves;
    }

    /// <summary>
    /// One line per setting whose value differs between the fingerprint <paramref name="written"/> (of the checkpoint)
    /// and <paramref name="current"/>: <c>name: A in the checkpoint, B now</c> (<c>absent</c> where one lacks it).
    /// </summary>
    public static IReadOnlyList<string> Differences(string written, string current)
    {
        Dictionary<string, string> before = Parse(written), now = Parse(current);
        var lines = new List<string>();
        foreach (string name in Names(written).Concat(Names(current)).Distinct())
        {
            string a = before.GetValueOrDefault(name) ?? "absent", b = now.GetValueOrDefault(name) ?? "absent";
            if (a != b)
            {
                lines.Add($"{name}: {a} in the checkpoint, {b} now");
            }
        }

        return lines;
    }

    private static IEnumerable<string> Names(string fingerprint) =>
        fingerprint.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('=', 2)[0]);

    private static Dictionary<string, string> Parse(string fingerprint)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in fingerprint.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int at = line.IndexOf('=', StringComparison.Ordinal);
            settings[at < 0 ? line : line[..at]] = at < 0 ? "" : line[(at + 1)..];
        }

        return settings;
    }

    private static void Collect(JsonElement element, string path, List<KeyValuePair<string, string>> leaves)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    Collect(property.Value, path.Length == 0 ? property.Name : path + "." + property.Name, leaves);
                }

                break;
            case JsonValueKind.Array:
                int index = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Collect(item, $"{path}[{index++}]", leaves);
                }

                break;
            default:
                leaves.Add(KeyValuePair.Create(path, element.GetRawText()));
                break;
        }
    }
}
