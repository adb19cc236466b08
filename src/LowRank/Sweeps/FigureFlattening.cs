using System.Globalization;
using System.Text.Json;

namespace LowRank.Sweeps;

/// <summary>One number a step's JSON reported, under its flattened key (<c>evaluate.d_stsp</c>, <c>evaluate.d_h_per_channel.0</c>).</summary>
/// <param name="Key">The step's name, then the path of object members and array indices, joined by '.'.</param>
/// <param name="Value">The number.</param>
/// <param name="InArray">Whether it is an element of a list (per channel, per seed, …) rather than a figure of its own.</param>
public readonly record struct Figure(string Key, double Value, bool InArray);

/// <summary>The numbers of a JSON document, each under a flat key.</summary>
public static class FigureFlattening
{
    /// <summary>
    /// Every number in <paramref name="element"/>, in document order, keyed by <paramref name="prefix"/> and the path
    /// to it (object members joined with '.', list elements by their index). The strings <c>NaN</c>, <c>Infinity</c>
    /// and <c>-Infinity</c> are numbers (that is how the project writes non-finite figures); other strings, booleans
    /// and nulls are not figures.
    /// </summary>
    public static List<Figure> Flatten(JsonElement element, string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var figures = new List<Figure>();
        Walk(element, prefix, false, figures);
        return figures;
    }

    private static void Walk(JsonElement element, string key, bool inArray, List<Figure> figures)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    Walk(property.Value, key + "." + property.Name, inArray, figures);
                }

                break;
            case JsonValueKind.Array:
                int index = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Walk(item, key + "." + index.ToString(CultureInfo.InvariantCulture), true, figures);
                    index++;
                }

                break;
            case JsonValueKind.Number:
                figures.Add(new Figure(key, element.GetDouble(), inArray));
                break;
            case JsonValueKind.String:
                string text = element.GetString()!;
                if (text is "NaN" or "Infinity" or "-Infinity")
                {
                    figures.Add(new Figure(key, double.Parse(text, CultureInfo.InvariantCulture), inArray));
                }

                break;
        }
    }
}
