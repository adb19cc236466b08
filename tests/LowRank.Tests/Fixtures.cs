namespace LowRank.Tests;

/// <summary>Paths of the committed test fixtures (copied next to the test assembly) and the shared data.</summary>
internal static class Fixtures
{
    public static string Npy(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "npy", name);

    public static string Npz(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "npz", name);

    public static string Nwb(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "nwb", name);

    public static string Mat(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mat", name);

    /// <summary>A file under <c>../shared/data</c> relative to the repository root (the folder holding LowRank.slnx), or null.</summary>
    public static string? SharedData(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LowRank.slnx")))
            {
                string path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", relative));
                return File.Exists(path) ? path : null;
            }
        }

        return null;
    }

    /// <summary>k / 7 − 1 for k = 0, 1, …: the values make_fixtures.py gives its writer fixtures.</summary>
    public static double[] Sevenths(int count)
    {
        var values = new double[count];
        for (int k = 0; k < count; k++)
        {
            values[k] = k / 7.0 - 1.0;
        }

        return values;
    }
}

/// <summary>A temporary folder deleted after the test.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("lowrank-data-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>A fact that needs a file under <c>../shared/data</c>; skipped, with the reason, when the file is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string relative)
    {
        if (Fixtures.SharedData(relative) is null)
        {
            Skip = $"../shared/data/{relative} is absent on this machine.";
        }
    }
}
