using LowRank.Formats;

namespace LowRank.Tests.Formats;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-atomic-").FullName;

    private static readonly DirectoryKind TestKind = DirectoryKind.WithFile("test directory", "a.txt");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FailedWriteLeavesNothing()
    {
        string path = Path.Combine(_dir, "out.bin");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.WriteByte(1);
            throw new InvalidOperationException("boom");
        }));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void FailedDirectoryWriteKeepsOldContents()
    {
        string path = Path.Combine(_dir, "model");
        AtomicFile.WriteDirectory(path, TestKind, d => File.WriteAllText(Path.Combine(d, "a.txt"), "old"));
        Assert.Throws<InvalidOperationException>(() => AtomicFile.WriteDirectory(path, TestKind, d =>
        {
            File.WriteAllText(Path.Combine(d, "a.txt"), "new");
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("old", File.ReadAllText(Path.Combine(path, "a.txt")));
        Assert.Single(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void ADirectoryOfAnotherKindIsNeverReplaced()
    {
        string path = Path.Combine(_dir, "mine");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "b.txt"), "mine");
        var error = Assert.Throws<InputException>(() => AtomicFile.WriteDirectory(path, TestKind, d => File.WriteAllText(Path.Combine(d, "a.txt"), "new")));
        Assert.Equal($"output directory '{path}' is a folder that is not a test directory (it holds 'b.txt'); it would be replaced whole.", error.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(path, "b.txt")));
        Assert.Single(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void AReplacementCutBetweenItsRenamesIsUndoneOnTheNextRun()
    {
        // Killed after "model" became ".model.tmp-G.old" and before ".model.tmp-G" became "model".
        string path = Path.Combine(_dir, "model");
        string temp = Path.Combine(_dir, ".model.tmp-0123456789abcdef0123456789abcdef");
        Directory.CreateDirectory(temp + ".old");
        File.WriteAllText(Path.Combine(temp + ".old", "a.txt"), "previous");
        Directory.CreateDirectory(temp);
        File.WriteAllText(Path.Combine(temp, "a.txt"), "unfinished");

        OutputPolicy.RemoveStaleTemporaries(path);

        Assert.Equal("previous", File.ReadAllText(Path.Combine(path, "a.txt")));
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir));
    }

    [Theory]
    [InlineData(".model.tmp-0123456789abcdef0123456789abcdef", true)]
    [InlineData(".model.tmp-0123456789abcdef0123456789abcdef.old", true)]
    [InlineData(".model.tmp-0123456789ABCDEF0123456789abcdef", false)]
    [InlineData(".model.tmp-0123456789abcdef", false)]
    [InlineData(".model.tmp-0123456789abcdef0123456789abcdef.bak", false)]
    [InlineData(".model2.tmp-0123456789abcdef0123456789abcdef", false)]
    [InlineData("model.tmp-0123456789abcdef0123456789abcdef", false)]
    public void OnlyOurTemporariesAreRecognised(string name, bool ours) =>
        Assert.Equal(ours, OutputPolicy.IsTemporaryOf(name, "model"));
}
