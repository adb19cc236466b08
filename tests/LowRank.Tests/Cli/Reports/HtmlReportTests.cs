using System.Xml;
using System.Xml.Linq;
using LowRank.Cli.Reports;

namespace LowRank.Tests.Cli.Reports;

public sealed class HtmlReportTests
{
    private static readonly byte[] TinyPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    [Theory]
    [InlineData("a < b & c > d", "a &lt; b &amp; c &gt; d")]
    [InlineData("\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;")]
    [InlineData("tab\tnew\nline", "tab\tnew\nline")]
    [InlineData("bell\u0007 nul\0", "bell\uFFFD nul\uFFFD")]
    [InlineData("σ ‖m‖ 😀", "σ ‖m‖ 😀")]
    public void EscapeLeavesNoMarkupAndNoCharacterXmlRefuses(string text, string expected) =>
        Assert.Equal(expected, HtmlReport.Escape(text));

    [Fact]
    public void ALoneSurrogateIsReplaced() =>
        Assert.Equal("lone \uFFFD surrogate", HtmlReport.Escape("lone " + (char)0xD800 + " surrogate"));

    [Fact]
    public void HostileTextStaysText()
    {
        const string hostile = "</title><script>alert('x')</script><img src=\"http://example.com/x.png\"/>&nbsp;";
        var report = new HtmlReport(hostile);
        report.Subtitle.Add(hostile);
        HtmlSection section = report.AddSection("one", hostile);
        section.Paragraph(hostile).Note(hostile).Subheading(hostile);
        section.KeyValues([(hostile, hostile)], codeNames: true);
        section.Table([hostile, "value"], [[hostile, "1.5"]]);
        section.Image(TinyPng, hostile, hostile);

        XDocument html = Parse(report.Render());
        Assert.Equal(hostile, html.Descendants("title").Single().Value);
        Assert.DoesNotContain(html.Descendants(), e => e.Name.LocalName == "script");
        Assert.Equal(["data:image/png;base64," + Convert.ToBase64String(TinyPng)], html.Descendants("img").Select(i => i.Attribute("src")!.Value));
        Assert.Equal(hostile, html.Descendants("img").Single().Attribute("alt")!.Value);
    }

    [Fact]
    public void TheContentsLinkToEverySectionInOrder()
    {
        var report = new HtmlReport("t");
        report.AddSection("first", "First").Paragraph("1");
        report.AddSection("second-2", "Second").Paragraph("2");

        XDocument html = Parse(report.Render());
        Assert.Equal(["#first", "#second-2"], html.Descendants("nav").Descendants("a").Select(a => a.Attribute("href")!.Value));
        Assert.Equal(["first", "second-2"], html.Descendants("section").Select(s => s.Attribute("id")!.Value));
        Assert.Equal(["First", "Second"], html.Descendants("h2").Select(h => h.Value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("quote\"")]
    public void ASectionIdIsLettersDigitsAndDashes(string id) =>
        Assert.Throws<ArgumentException>(() => new HtmlReport("t").AddSection(id, "x"));

    [Fact]
    public void TwoSectionsCannotShareAnId()
    {
        var report = new HtmlReport("t");
        report.AddSection("a", "A");
        Assert.Throws<ArgumentException>(() => report.AddSection("a", "B"));
    }

    [Fact]
    public void OnlyPngsAreEmbedded() =>
        Assert.Throws<ArgumentException>(() => new HtmlReport("t").AddSection("a", "A").Image("GIF89a..."u8.ToArray(), "x", "y"));

    [Fact]
    public void KeyValuesFillTheirColumnPairsColumnByColumn()
    {
        var report = new HtmlReport("t");
        report.AddSection("a", "A").KeyValues([("k1", "v1"), ("k2", "v2"), ("k3", "v3")], pairs: 2);

        XElement[] rows = [.. Parse(report.Render()).Descendants("table").Single().Descendants("tr")];
        Assert.Equal(2, rows.Length);
        Assert.Equal(["k1", "v1", "k3", "v3"], rows[0].Elements().Select(e => e.Value));
        Assert.Equal(["k2", "v2", "", ""], rows[1].Elements().Select(e => e.Value));
    }

    [Fact]
    public void NumbersAreRightAlignedTextIsNot()
    {
        var report = new HtmlReport("t");
        report.AddSection("a", "A").Table(["name", "value", "spread", "inf"], [["x", "-1.5e-3", "0.35 ± 0.02", "−∞"]]);

        string[] classes = [.. Parse(report.Render()).Descendants("td").Select(td => td.Attribute("class")?.Value ?? "")];
        Assert.Equal(["", "num", "num", "num"], classes);
    }

    [Fact]
    public void ARowMustHaveACellPerColumn() =>
        Assert.Throws<ArgumentException>(() => new HtmlReport("t").AddSection("a", "A").Table(["one", "two"], [["only"]]));

    [Theory]
    [InlineData(0.000123456, 3, "0.000123")]
    [InlineData(12345678.0, 3, "1.23e7")]
    [InlineData(1.5e-17, 2, "1.5e-17")]
    [InlineData(double.NaN, 3, "NaN")]
    [InlineData(double.NegativeInfinity, 3, "−∞")]
    public void NumbersReadTheSameEverywhere(double value, int digits, string expected) =>
        Assert.Equal(expected, HtmlReport.Number(value, digits));

    [Theory]
    [InlineData(64, 2, 2081)]
    [InlineData(32, 2, 529)]
    [InlineData(1000, 3, 166_667_501)]
    [InlineData(3, 5, 8)]
    [InlineData(0, 2, 1)]
    public void TheCellBoundIsTheSumOfBinomials(int kinks, int rank, double expected) =>
        Assert.Equal(expected, FixedPointSection.CellBound(kinks, rank));

    private static XDocument Parse(string html)
    {
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }
}
