using System.Text.Json;
using System.Text.Json.Serialization;

namespace LowRank.Formats;

/// <summary>JSON reading and atomic writing with the project's conventions (snake_case keys, indented).</summary>
public static class JsonFile
{
    /// <summary>Options shared by every JSON file the project writes: snake_case names, enums as snake_case strings.</summary>
    public static readonly JsonSerializerOptions Options = CreateOptions();

    /// <summary>Serialises <paramref name="value"/> and writes it atomically to <paramref name="path"/>.</summary>
    public static void Write<T>(string path, T value) =>
        AtomicFile.WriteText(path, JsonSerializer.Serialize(value, Options) + "\n");

    /// <summary>
    /// The string property <paramref name="name"/> at the top level of the JSON object in <paramref name="path"/>, or
    /// null when the file is missing, unreadable, not such an object, or lacks the property (a recogniser, not a reader).
    /// </summary>
    public static string? TryReadString(string path, string name)
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            using JsonDocument document = JsonDocument.Parse(stream);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(name, out JsonElement value)
                && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Serialises <paramref name="value"/> to a JSON string with the project's options.</summary>
    public static string Serialize<T>(T value, bool indented = true) =>
        JsonSerializer.Serialize(value, indented ? Options : CompactOptions);

    private static readonly JsonSerializerOptions CompactOptions = new(CreateOptions()) { WriteIndented = false };

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            WriteIndented = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,

            // Files, not HTML: keep '<', '+' and non-ASCII readable ("<f4", "1.0.0+abc", "σ").
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        return options;
    }
}
