using System.Globalization;
using System.Text.Json;

namespace LowRank.Sweeps;

/// <summary>The JSON kind of a <see cref="SpecValue"/>.</summary>
public enum SpecValueKind
{
    String,
    Number,
    Boolean,
}

/// <summary>
/// One value of a sweep spec, an option's or an axis's, kept as the spec wrote it: a number keeps its JSON text
/// (<c>1e-3</c> stays <c>1e-3</c>), so the command line a run gets shows the value the user typed.
/// </summary>
/// <param name="Kind">String, number or boolean.</param>
/// <param name="Text">The string itself, the number's JSON text, or <c>true</c>/<c>false</c>.</param>
public readonly record struct SpecValue(SpecValueKind Kind, string Text)
{
    public static SpecValue Of(string text) => new(SpecValueKind.String, text);

    public static SpecValue Of(bool value) => new(SpecValueKind.Boolean, value ? "true" : "false");

    public static SpecValue Of(decimal value) => new(SpecValueKind.Number, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A number from its JSON text (e.g. <c>0.5</c> or <c>1e-3</c>).</summary>
    public static SpecValue Number(string jsonText) => new(SpecValueKind.Number, jsonText);

    /// <summary>Whether this is the boolean <c>true</c>.</summary>
    public bool IsTrue => Kind == SpecValueKind.Boolean && Text == "true";

    /// <summary>The value as a double, when it is a number or a string that reads as one.</summary>
    public bool TryGetNumber(out double value)
    {
        value = double.NaN;
        return Kind != SpecValueKind.Boolean && double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Writes the value with its JSON kind.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (Kind)
        {
            case SpecValueKind.String:
                writer.WriteStringValue(Text);
                break;
            case SpecValueKind.Number:
                writer.WriteRawValue(Text);
                break;
            default:
                writer.WriteBooleanValue(IsTrue);
                break;
        }
    }

    public override string ToString() => Text;
}
