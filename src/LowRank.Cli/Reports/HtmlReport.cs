using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LowRank.Cli.Reports;

/// <summary>
/// A self-contained HTML document: a title, a table of contents and sections of paragraphs, notes, tables and images
/// (PNG bytes embedded as <c>data:</c> URIs), styled by one inline style sheet. Nothing in it refers to another file or
/// to the network, and it runs no script. The output is HTML5 that is also well-formed XML (every element closed, no
/// named entities but the five XML ones), so an XML parser reads it.
/// </summary>
internal sealed partial class HtmlReport(string title)
{
    private readonly List<HtmlSection> _sections = [];

    public string Title { get; } = title;

    /// <summary>Lines under the title (where the report came from, when it was made).</summary>
    public List<string> Subtitle { get; } = [];

    public IReadOnlyList<HtmlSection> Sections => _sections;

    /// <summary>Adds a section with the anchor <paramref name="id"/> (letters, digits and <c>-</c>).</summary>
    public HtmlSection AddSection(string id, string heading)
    {
        if (id.Length == 0 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ArgumentException($"a section id is letters, digits and '-', got '{id}'.", nameof(id));
        }

        if (_sections.Any(s => s.Id == id))
        {
            throw new ArgumentException($"two sections share the id '{id}'.", nameof(id));
        }

        var section = new HtmlSection(id, heading);
        _sections.Add(section);
        return section;
    }

    /// <summary>The whole document.</summary>
    public string Render()
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
            .Append("<title>").Append(Escape(Title)).Append("</title>\n")
            .Append("<style>").Append(StyleSheet).Append("</style>\n</head>\n<body>\n<header>\n<h1>").Append(Escape(Title)).Append("</h1>\n");
        foreach (string line in Subtitle)
        {
            html.Append("<p class=\"subtitle\">").Append(Escape(line)).Append("</p>\n");
        }

        html.Append("<nav><ul>");
        foreach (HtmlSection section in _sections)
        {
            html.Append("<li><a href=\"#").Append(section.Id).Append("\">").Append(Escape(section.Heading)).Append("</a></li>");
        }

        html.Append("</ul></nav>\n</header>\n<main>\n");
        foreach (HtmlSection section in _sections)
        {
            section.Render(html);
        }

        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>
    /// Text as HTML character data and attribute values: <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>, <c>"</c> and <c>'</c>
    /// escaped, and characters XML does not allow (controls other than tab and line breaks, lone surrogates) replaced by U+FFFD.
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '&': escaped.Append("&amp;"); break;
                case '<': escaped.Append("&lt;"); break;
                case '>': escaped.Append("&gt;"); break;
                case '"': escaped.Append("&quot;"); break;
                case '\'': escaped.Append("&#39;"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        escaped.Append(c).Append(text[++i]);
                    }
                    else if (char.IsSurrogate(c) || (c < ' ' && c is not '\t' and not '\n' and not '\r') || c is '\uFFFE' or '\uFFFF')
                    {
                        escaped.Append('\uFFFD');
                    }
                    else
                    {
                        escaped.Append(c);
                    }

                    break;
            }
        }

        return escaped.ToString();
    }

    /// <summary>A number as a table shows it: up to <paramref name="digits"/> significant digits, invariant culture; NaN and ±∞ spelled out.</summary>
    public static string Number(double value, int digits = 5) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "∞"
        : double.IsNegativeInfinity(value) ? "−∞"
        : Exponent().Replace(value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), m => "e" + (m.Groups[1].Value == "-" ? "-" : "") + m.Groups[2].Value);

    /// <summary>A count: whole with thousands separators up to 10¹², else as <see cref="Number"/> with 3 digits.</summary>
    public static string Count(double value) =>
        Math.Abs(value) < 1e12 ? value.ToString("#,0", CultureInfo.InvariantCulture) : Number(value, 3);

    /// <summary>The exponent .NET writes (<c>E+07</c>, <c>E-17</c>), to be written <c>e7</c>, <c>e-17</c>.</summary>
    [GeneratedRegex("E([+-])0*([0-9]+)")]
    private static partial Regex Exponent();

    // No '>' or '&' in the style sheet, so that it stays well-formed XML character data.
    private const string StyleSheet = """

        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1d232a; background: #f6f7f9; margin: 0; line-height: 1.45; }
        header { background: #ffffff; border-bottom: 1px solid #d8dde3; padding: 20px 32px 12px 32px; }
        h1 { margin: 0 0 6px 0; font-size: 1.6em; }
        .subtitle { margin: 2px 0; color: #56606b; font-size: 0.92em; }
        nav ul { list-style: none; padding: 0; margin: 12px 0 0 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
        nav a { color: #1f5fa8; text-decoration: none; font-size: 0.95em; }
        main { padding: 8px 32px 40px 32px; max-width: 1400px; }
        section { background: #ffffff; border: 1px solid #d8dde3; border-radius: 6px; padding: 6px 20px 16px 20px; margin: 18px 0; }
        h2 { font-size: 1.25em; border-bottom: 1px solid #e4e8ec; padding-bottom: 6px; }
        h3 { font-size: 1.05em; margin: 18px 0 6px 0; }
        p { margin: 8px 0; }
        .note { background: #fff8e1; border-left: 4px solid #e0a800; padding: 8px 12px; margin: 10px 0; }
        .table-wrap { overflow-x: auto; max-width: 100%; }
        table { border-collapse: collapse; margin: 8px 0; font-size: 0.9em; }
        th, td { border: 1px solid #dde2e7; padding: 4px 10px; text-align: left; vertical-align: top; }
        th { background: #eef1f4; font-weight: 600; }
        table.kv th { text-align: left; white-space: nowrap; }
        table.kv th.gap { border-left: 3px solid #c9d1d9; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tr.bad td { background: #fdecea; }
        code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; background: #f1f3f5; padding: 0 3px; border-radius: 3px; }
        figure { margin: 12px 0; }
        figure img { max-width: 100%; height: auto; border: 1px solid #e4e8ec; background: #ffffff; }
        .gallery { display: flex; flex-wrap: wrap; gap: 4px 20px; }
        .gallery figure { flex: 0 1 600px; }
        td:first-child { white-space: nowrap; }
        figcaption { color: #56606b; font-size: 0.9em; margin-top: 4px; }

        """;
}

/// <summary>One section of an <see cref="HtmlReport"/>: a heading, then blocks in the order they were added.</summary>
internal sealed class HtmlSection(string id, string heading)
{
    private readonly List<Action<StringBuilder>> _blocks = [];

    public string Id { get; } = id;

    public string Heading { get; } = heading;

    /// <summary>Images added so far (their captions), for callers that count what the section shows.</summary>
    public int Images { get; private set; }

    public HtmlSection Paragraph(string text)
    {
        _blocks.Add(html => html.Append("<p>").Append(HtmlReport.Escape(text)).Append("</p>\n"));
        return this;
    }

    /// <summary>A highlighted note: something the reader must know about what the section shows (or leaves out).</summary>
    public HtmlSection Note(string text)
    {
        _blocks.Add(html => html.Append("<p class=\"note\">").Append(HtmlReport.Escape(text)).Append("</p>\n"));
        return this;
    }

    public HtmlSection Subheading(string text)
    {
        _blocks.Add(html => html.Append("<h3>").Append(HtmlReport.Escape(text)).Append("</h3>\n"));
        return this;
    }

    /// <summary>
    /// A table of names and values (a name in <c>code</c> style when <paramref name="codeNames"/>), laid out in
    /// <paramref name="pairs"/> name–value column pairs side by side, filled column by column.
    /// </summary>
    public HtmlSection KeyValues(IEnumerable<(string Name, string Value)> rows, bool codeNames = false, int pairs = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pairs, 1);
        (string Name, string Value)[] all = [.. rows];
        int height = (all.Length + pairs - 1) / pairs;
        var cells = new List<string[]>();
        for (int r = 0; r < height; r++)
        {
            var row = new string[2 * pairs];
            for (int p = 0; p < pairs; p++)
            {
                int i = p * height + r;
                (row[2 * p], row[2 * p + 1]) = i < all.Length ? all[i] : ("", "");
            }

            cells.Add(row);
        }

        _blocks.Add(html =>
        {
            html.Append("<div class=\"table-wrap\"><table class=\"kv\">\n<tbody>\n");
            foreach (string[] row in cells)
            {
                html.Append("<tr>");
                for (int c = 0; c < row.Length; c += 2)
                {
                    html.Append(c > 0 ? "<th class=\"gap\">" : "<th>");
                    AppendCell(html, row[c], codeNames && row[c].Length > 0);
                    html.Append("</th><td>");
                    AppendCell(html, row[c + 1], false);
                    html.Append("</td>");
                }

                html.Append("</tr>\n");
            }

            html.Append("</tbody></table></div>\n");
        });
        return this;
    }

    /// <summary>
    /// A table with <paramref name="headers"/> and <paramref name="rows"/> (each as long as the headers); cells that
    /// read as numbers are right-aligned; rows whose index is in <paramref name="highlight"/> are marked.
    /// </summary>
    public HtmlSection Table(IReadOnlyList<string> headers, IReadOnlyList<string[]> rows, bool codeFirstColumn = false, ISet<int>? highlight = null)
    {
        foreach (string[] row in rows)
        {
            if (row.Length != headers.Count)
            {
                throw new ArgumentException($"a row has {row.Length} cells but the table {headers.Count} columns.", nameof(rows));
            }
        }

        _blocks.Add(html =>
        {
            html.Append("<div class=\"table-wrap\"><table>\n<thead><tr>");
            foreach (string h in headers)
            {
                // Long names (results.csv's STEP.PATH keys) may break after '.' and '_'.
                html.Append("<th>").Append(HtmlReport.Escape(h).Replace(".", ".<wbr/>", StringComparison.Ordinal).Replace("_", "_<wbr/>", StringComparison.Ordinal)).Append("</th>");
            }

            html.Append("</tr></thead>\n");

            html.Append("<tbody>\n");
            for (int r = 0; r < rows.Count; r++)
            {
                html.Append(highlight is not null && highlight.Contains(r) ? "<tr class=\"bad\">" : "<tr>");
                for (int c = 0; c < rows[r].Length; c++)
                {
                    string cell = rows[r][c];
                    html.Append(LooksNumeric(cell) ? "<td class=\"num\">" : "<td>");
                    AppendCell(html, cell, codeFirstColumn && c == 0);
                    html.Append("</td>");
                }

                html.Append("</tr>\n");
            }

            html.Append("</tbody></table></div>\n");
        });
        return this;
    }

    /// <summary>A PNG embedded as a <c>data:image/png;base64</c> URI, with its alternative text and a caption.</summary>
    public HtmlSection Image(byte[] png, string alt, string caption)
    {
        string figure = Figure(png, alt, caption);
        _blocks.Add(html => html.Append(figure));
        Images++;
        return this;
    }

    /// <summary>Several images side by side (wrapping to the next row where the page is too narrow).</summary>
    public HtmlSection Gallery(IReadOnlyList<(byte[] Png, string Alt, string Caption)> images)
    {
        string[] figures = [.. images.Select(i => Figure(i.Png, i.Alt, i.Caption))];
        _blocks.Add(html =>
        {
            html.Append("<div class=\"gallery\">\n");
            foreach (string figure in figures)
            {
                html.Append(figure);
            }

            html.Append("</div>\n");
        });
        Images += figures.Length;
        return this;
    }

    private static string Figure(byte[] png, string alt, string caption)
    {
        ArgumentNullException.ThrowIfNull(png);
        if (png.Length < 8 || png[0] != 0x89 || png[1] != (byte)'P' || png[2] != (byte)'N' || png[3] != (byte)'G')
        {
            throw new ArgumentException("the image is not a PNG.", nameof(png));
        }

        return new StringBuilder()
            .Append("<figure><img alt=\"").Append(HtmlReport.Escape(alt)).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\"/>")
            .Append("<figcaption>").Append(HtmlReport.Escape(caption)).Append("</figcaption></figure>\n")
            .ToString();
    }

    internal void Render(StringBuilder html)
    {
        html.Append("<section id=\"").Append(Id).Append("\">\n<h2>").Append(HtmlReport.Escape(Heading)).Append("</h2>\n");
        foreach (Action<StringBuilder> block in _blocks)
        {
            block(html);
        }

        html.Append("</section>\n");
    }

    private static void AppendCell(StringBuilder html, string cell, bool code)
    {
        if (code)
        {
            html.Append("<code>").Append(HtmlReport.Escape(cell)).Append("</code>");
        }
        else
        {
            html.Append(HtmlReport.Escape(cell));
        }
    }

    /// <summary>A number, or a number ± a number (as <see cref="HtmlReport.Number"/> writes them).</summary>
    private static bool LooksNumeric(string cell) =>
        cell.Length > 0 && cell.Split(" ± ").All(part =>
            part is "NaN" or "∞" or "−∞" || double.TryParse(part.Replace('−', '-'), NumberStyles.Float, CultureInfo.InvariantCulture, out _));
}
