namespace LowRank.Cli.Reports;

/// <summary>
/// A private temporary folder in which the plotting adapters (which write PNG files) draw a report's figures, to be
/// read back as bytes and embedded; the folder and everything in it is deleted on <see cref="Dispose"/>.
/// </summary>
internal sealed class FigureScratch : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lowrank-report-").FullName;
    private int _count;

    /// <summary>Draws a figure through <paramref name="save"/> (handed a fresh .png path) and returns its bytes.</summary>
    public byte[] Render(Action<string> save)
    {
        ArgumentNullException.ThrowIfNull(save);
        string path = Path.Combine(_directory, $"figure-{_count++}.png");
        save(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
