namespace LowRank.Formats;

/// <summary>
/// Writes files and directories under a temporary name in the destination folder (<c>.NAME.tmp-GUID</c>) and
/// renames them into place only when complete, so a crash or a failed validation never leaves half an output;
/// <see cref="OutputPolicy.RemoveStaleTemporaries"/> clears what a killed process left.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; the file appears only if it returns.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        OutputPolicy.CheckFile(path, "output file");
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full) ?? ".");
        string temp = OutputPolicy.TemporaryFor(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Writes UTF-8 text atomically.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true);
            w.Write(text);
        });

    /// <summary>
    /// Fills a temporary sibling directory through <paramref name="fill"/>, then replaces <paramref name="path"/>
    /// with it. An existing directory at <paramref name="path"/> is replaced whole, and only when it is empty or
    /// of <paramref name="kind"/> (<see cref="OutputPolicy.CheckDirectory"/>, checked before and after the fill).
    /// </summary>
    public static void WriteDirectory(string path, DirectoryKind kind, Action<string> fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        OutputPolicy.CheckDirectory(path, kind, "output directory");
        string full = OutputPolicy.Trim(Path.GetFullPath(path));
        Directory.CreateDirectory(Path.GetDirectoryName(full) ?? ".");
        string temp = OutputPolicy.TemporaryFor(full);
        Directory.CreateDirectory(temp);
        try
        {
            fill(temp);
            if (Directory.Exists(full))
            {
                OutputPolicy.CheckDirectory(path, kind, "output directory");
                string old = temp + ".old";
                Directory.Move(full, old);
                Directory.Move(temp, full);
                Directory.Delete(old, recursive: true);
            }
            else
            {
                Directory.Move(temp, full);
            }
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }
}
