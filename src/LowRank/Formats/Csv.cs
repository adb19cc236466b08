using System.Globalization;

namespace LowRank.Formats;

/// <summary>A numeric CSV table: column names from the header row and the values as <c>[T, X]</c>.</summary>
public sealed record CsvTable(string[] Columns, NdArray Values);

/// <summary>
/// Reads numeric CSV files: one header row naming the channels, then one row per time step with one
/// number per channel, separated by commas. Blank lines are skipped; cells may be padded with spaces
/// and header names quoted. Numbers use '.' as decimal point; <c>NaN</c> and <c>Infinity</c> parse (a recording then rejects them).
/// </summary>
public static class Csv
{
    private const string ExportHint = "write one header row, then one row per time step with one number per channel, e.g. pandas df.to_csv(path, index=False).";

    /// <summary>Reads the values of the CSV file at <paramref name="path"/> as <c>[T, X]</c>.</summary>
    public static NdArray Read(string path) => ReadTable(path).Values;

    /// <summary>Reads the CSV file at <paramref name="path"/> with its column names.</summary>
    public static CsvTable ReadTable(string path)
    {
        using FileStream stream = DataFile.OpenRead(path);
        return ReadTable(stream, path);
    }

    /// <summary>Reads CSV bytes from <paramref name="stream"/> (UTF-8, or the encoding its byte order mark names); <paramref name="name"/> identifies it in error messages.</summary>
    public static CsvTable ReadTable(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, leaveOpen: true);
        return ReadTable(reader, name);
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>; <paramref name="name"/> identifies it in error messages.</summary>
    public static CsvTable ReadTable(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int lineNumber = 0;
        string? header = NextLine(reader, ref lineNumber);
        if (header is null)
        {
            throw new InputException($"csv '{name}' is empty.", ExportHint);
        }

        string[] columns = header.Split(',');
        for (int i = 0; i < columns.Length; i++)
        {
            columns[i] = columns[i].Trim().Trim('"');
        }

        if (Array.TrueForAll(columns, c => TryParseNumber(c, out _)))
        {
            throw new InputException(
                $"csv '{name}' has no header row: line {lineNumber} holds numbers ({Shorten(header)}).",
                "add a first line naming the channels, e.g. ch0,ch1,…");
        }

        int width = columns.Length;
        var values = new List<double>();
        int rows = 0;
        while (NextLine(reader, ref lineNumber) is { } line)
        {
            ParseRow(line, lineNumber, columns, values, name);
            rows++;
        }

        if (rows == 0)
        {
            throw new InputException(
                $"csv '{name}' has a header row ({width} columns) but no data rows.",
                ExportHint);
        }

        return new CsvTable(columns, new NdArray([rows, width], values.ToArray()));
    }

    private static void ParseRow(string line, int lineNumber, string[] columns, List<double> values, string name)
    {
        ReadOnlySpan<char> rest = line;
        int cells = 0;
        while (true)
        {
            int comma = rest.IndexOf(',');
            ReadOnlySpan<char> cell = (comma < 0 ? rest : rest[..comma]).Trim();
            cells++;
            if (cells <= columns.Length)
            {
                if (!TryParseNumber(cell, out double value))
                {
                    throw new InputException(
                        $"csv '{name}' line {lineNumber}, column {cells} ('{columns[cells - 1]}'): '{Shorten(cell.ToString())}' is not a number.",
                        "every cell after the header must be a number ('.' as decimal point, ',' between cells); remove or fill the text cells.");
                }

                values.Add(value);
            }

            if (comma < 0)
            {
                break;
            }

            rest = rest[(comma + 1)..];
        }

        if (cells != columns.Length)
        {
            throw new InputException(
                $"csv '{name}' line {lineNumber} has {cells} cells but the header has {columns.Length} columns.",
                "every row needs one value per header column; fix or remove the ragged row.");
        }
    }

    private static bool TryParseNumber(ReadOnlySpan<char> cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>The next line that is not blank, counting every line read.</summary>
    private static string? NextLine(TextReader reader, ref int lineNumber)
    {
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                return line;
            }
        }

        return null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
