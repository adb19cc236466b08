using LowRank.Sweeps;

namespace LowRank.Tests.Sweeps;

public sealed class PlaceholdersTests
{
    private static readonly Dictionary<string, string> Values = new() { ["out"] = "/s/runs/rank-2", ["rank"] = "2" };

    [Theory]
    [InlineData("{out}/model", "/s/runs/rank-2/model")]
    [InlineData("r{rank}-{rank}", "r2-2")]
    [InlineData("plain", "plain")]
    [InlineData("{{literal}} {rank}", "{literal} 2")]
    [InlineData("", "")]
    public void SubstitutesEveryPlaceholderAndKeepsEscapedBraces(string text, string expected) =>
        Assert.Equal(expected, Placeholders.Substitute(text, Values));

    [Theory]
    [InlineData("{out}/{rank}", "out,rank")]
    [InlineData("{{out}}", "")]
    public void NamesTheNamesItUses(string text, string expected) =>
        Assert.Equal(expected, string.Join(',', Placeholders.NamesIn(text, out _)!));

    [Theory]
    [InlineData("{out", "opens a placeholder at character 1 that is not closed")]
    [InlineData("a}b", "has a '}' at character 2 that closes no placeholder")]
    [InlineData("{a{b}", "opens a placeholder at character 1 that is not closed")]
    public void AnUnmatchedBraceIsAProblem(string text, string expected)
    {
        Assert.Null(Placeholders.NamesIn(text, out string? problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
