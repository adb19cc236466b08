using LowRank.Cli.Sweeps;

namespace LowRank.Tests.Cli.Sweeps;

public sealed class SweepExecutorsTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void FindsAnExecutableInTheFirstFolderOfThePathThatHasIt()
    {
        string a = _temp.File("a"), b = _temp.File("b"), c = _temp.File("c");
        Directory.CreateDirectory(a);
        Directory.CreateDirectory(b);
        Directory.CreateDirectory(c);
        File.WriteAllText(Path.Combine(a, "sbatch"), "not executable");
        foreach (string folder in new[] { b, c })
        {
            File.WriteAllText(Path.Combine(folder, "sbatch"), "#!/bin/sh\n");
            File.SetUnixFileMode(Path.Combine(folder, "sbatch"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        string path = string.Join(Path.PathSeparator, [_temp.File("none"), a, b, c]);
        Assert.Equal(Path.Combine(b, "sbatch"), SweepExecutors.FindOnPath("sbatch", path));
        Assert.Null(SweepExecutors.FindOnPath("squeue", path));
        Assert.Null(SweepExecutors.FindOnPath("sbatch", null));
    }

    [Fact]
    public void TheLocalExecutorIsAlwaysAvailable() =>
        SweepExecutors.CheckAvailable(SweepExecutors.Local, null);
}
