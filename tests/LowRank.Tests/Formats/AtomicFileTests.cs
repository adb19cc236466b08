using LowRank.Formats;

namespace LowRank.Tests.Formats;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lowrank-atomic-").FullName;

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
        AtomicFile.WriteDirectory(path, d => File.WriteAllText(Path.Combine(d, "a.txt"), "old"));
        Assert.Throws<InvalidOperationException>(() => AtomicFile.WriteDirectory(path, d =>
        {
            File.WriteAllText(Path.Combine(d, "a.txt"), "new");
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("old", File.ReadAllText(Path.Combine(path, "a.txt")));
        Assert.Single(Directory.GetFileSystemEntries(_dir));
    }
}
