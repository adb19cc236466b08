using LowRank.Data;

namespace LowRank.Tests.Data;

public sealed class ChannelSelectionTests
{
    /// <summary>Labels as S001R01.edf writes them: padded with dots to four characters.</summary>
    private static readonly string[] Labels = ["Fc5.", "C3..", "Cz..", "C4..", "T10.", "Iz.."];

    [Theory]
    [InlineData("C3..,Cz..", new[] { 1, 2 })]
    [InlineData("c3, CZ", new[] { 1, 2 })]
    [InlineData("Fc5,T10", new[] { 0, 4 })]
    [InlineData("4,0-2", new[] { 4, 0, 1, 2 })]
    [InlineData("Iz, 1 - 1", new[] { 5, 1 })]
    public void NamesIgnoreCaseAndTrailingDotsAndIndicesAndRangesMix(string text, int[] expected) =>
        Assert.Equal(expected, ChannelSelection.Parse(text).Resolve(Labels, Labels.Length, "EDF 'r.edf'"));

    [Fact]
    public void AnExactLabelWinsOverOneThatDiffersOnlyInDots()
    {
        string[] labels = ["A.", "A"];
        Assert.Equal([1], ChannelSelection.Parse("A").Resolve(labels, 2, "r"));
        Assert.Equal([0], ChannelSelection.Parse("a.").Resolve(labels, 2, "r"));
    }

    [Fact]
    public void UnknownNameListsTheChannels()
    {
        var error = Assert.Throws<InputException>(() => ChannelSelection.Parse("C3,Oz").Resolve(Labels, Labels.Length, "EDF 'r.edf'"));
        Assert.Equal("EDF 'r.edf' has no channel 'Oz' (it has: Fc5., C3.., Cz.., C4.., T10., Iz..).", error.Message);
        Assert.Equal("name channels as the file lists them (trailing dots may be left out) or by 0-based index, e.g. 0-31,40.", error.Hint);
    }

    [Fact]
    public void AmbiguousNameIsRefused()
    {
        var error = Assert.Throws<InputException>(() => ChannelSelection.Parse("A").Resolve(["A.", "A.."], 2, "r"));
        Assert.Equal("channel 'A' of Channels matches 2 channels of r: 0 ('A.'), 1 ('A..').", error.Message);
    }

    [Theory]
    [InlineData("C3,1", "Channels 'C3,1' selects channel 1 ('C3..') twice (as 'C3' and as '1').")]
    [InlineData("0-6", "EDF 'r.edf' has 6 channels (indices 0-5), so it has no channel 6.")]
    public void DuplicatesAndIndicesOutOfRangeAreRefused(string text, string message)
    {
        var error = Assert.Throws<InputException>(() => ChannelSelection.Parse(text).Resolve(Labels, Labels.Length, "EDF 'r.edf'"));
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("C3,,Cz", "Channels 'C3,,Cz' has an empty item.")]
    [InlineData("", "Channels '' has an empty item.")]
    [InlineData("5-2", "Channels '5-2' has the range '5-2', which runs backwards.")]
    public void MalformedSelectionsAreRefused(string text, string message) =>
        Assert.Equal(message, Assert.Throws<InputException>(() => ChannelSelection.Parse(text)).Message);

    [Fact]
    public void NamesNeedARecordingWithNames()
    {
        var error = Assert.Throws<InputException>(() => ChannelSelection.Parse("C3").Resolve(null, 4, "recording 'r.npy'"));
        Assert.Equal("recording 'r.npy' has no channel names, so channel 'C3' cannot be found in it.", error.Message);
    }

    [Fact]
    public void AStoredSelectionPicksByNameWhenTheRecordingHasNamesElseByIndex()
    {
        ChannelSelection stored = ChannelSelection.Stored(["Cz..", "Fc5."], [2, 0], "model 'm'");
        Assert.Equal([1, 0], stored.Resolve(["Fc5.", "Cz.."], 2, "r"));
        Assert.Equal([2, 0], stored.Resolve(null, 3, "r"));
        var missing = Assert.Throws<InputException>(() => stored.Resolve(["Fc5.", "C3.."], 2, "r"));
        Assert.Equal("pass a recording that has the channels model 'm' was fitted to, or declare data whose channels are the model's already with Preprocessed.", missing.Hint);
    }
}
