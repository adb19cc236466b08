using System.Text.RegularExpressions;

namespace LowRank.Formats;

/// <summary>
/// What an output directory holds, so that a command replaces an existing directory only when it holds
/// the same kind of result (an earlier model of the same family), never a folder of the user's files.
/// </summary>
/// <param name="Name">What such a directory is called in messages, e.g. "stochastic model directory".</param>
/// <param name="Recognises">Whether an existing, non-empty directory is one of this kind.</param>
public sealed record DirectoryKind(string Name, Func<string, bool> Recognises)
{
    /// <summary>A kind recognised by a marker file at its top level (e.g. <c>populations.json</c>).</summary>
    public static DirectoryKind WithFile(string name, string marker) =>
        new(name, directory => File.Exists(Path.Combine(directory, marker)));

    /// <summary>A directory of this kind or of <paramref name="other"/> (described as this kind).</summary>
    public DirectoryKind Or(Func<string, bool> other) => this with { Recognises = d => Recognises(d) || other(d) };
}

/// <summary>
/// The one output policy of every command (docs/cli.md, "Outputs"): a file output must be creatable, a
/// directory output replaces only an empty directory or one of its own <see cref="DirectoryKind"/>, never the
/// current directory; the location is checked writable before any work; and leftover temporaries of an
/// interrupted write (<c>.NAME.tmp-GUID</c>, see <see cref="AtomicFile"/>) are cleared.
/// </summary>
public static partial class OutputPolicy
{
    /// <summary>Throws unless a file can be written at <paramref name="path"/> (named <paramref name="label"/> in messages).</summary>
    public static void CheckFile(string path, string label)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new InputException(
                $"{label} '{path}' is a directory, but a file is written there.",
                "pass the path of a file (inside that directory or elsewhere), not of the directory.");
        }

        CheckWritableLocation(path, full, label);
    }

    /// <summary>
    /// Throws unless <paramref name="path"/> can become a directory of <paramref name="kind"/>: absent, empty, or
    /// already of that kind; not the current directory or one above it; in a writable location.
    /// </summary>
    /// <param name="path">The directory.</param>
    /// <param name="kind">What it may already hold.</param>
    /// <param name="label">How messages name it (a flag).</param>
    /// <param name="replacedWhole">Whether the directory is replaced whole (else files are written into it).</param>
    public static void CheckDirectory(string path, DirectoryKind kind, string label, bool replacedWhole = true)
    {
        string fate = replacedWhole ? "it would be replaced whole" : "its files would be overwritten";
        ArgumentNullException.ThrowIfNull(kind);
        string full = Trim(Path.GetFullPath(path));
        if (File.Exists(full))
        {
            throw new InputException(
                $"{label} '{path}' is a file, but a {kind.Name} is written there.",
                $"pass a directory path that does not exist yet, e.g. {label} {Path.ChangeExtension(path, null)}-out.");
        }

        if (Contains(full, Trim(Directory.GetCurrentDirectory())))
        {
            throw new InputException(
                $"{label} '{path}' is the current directory (or holds it), and {(replacedWhole ? $"a {kind.Name} is replaced whole when written" : $"files of a {kind.Name} are written into it")}.",
                $"name a new folder, e.g. {label} result.");
        }

        if (Directory.Exists(full))
        {
            string[] entries = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
            if (entries.Length > 0 && !kind.Recognises(full))
            {
                string listed = entries.Length == 1 ? $"'{entries[0]}'" : $"'{entries[0]}' and {entries.Length - 1} more";
                throw new InputException(
                    $"{label} '{path}' is a folder that is not a {kind.Name} (it holds {listed}); {fate}.",
                    $"pass a new or empty folder, or an earlier {kind.Name} to replace it.");
            }
        }

        CheckWritableLocation(path, full, label);
    }

    /// <summary>
    /// Clears what an interrupted <see cref="AtomicFile"/> write to <paramref name="path"/> left beside it: the
    /// temporaries <c>.NAME.tmp-GUID</c>; when the output itself is missing and the previous version is still in
    /// <c>.NAME.tmp-GUID.old</c> (a replacement cut between its two renames), that version is put back first.
    /// </summary>
    public static void RemoveStaleTemporaries(string path)
    {
        string full = Trim(Path.GetFullPath(path));
        string? parent = Path.GetDirectoryName(full);
        string name = Path.GetFileName(full);
        if (parent is null || !Directory.Exists(parent) || name.Length == 0)
        {
            return;
        }

        string[] stale = Directory.EnumerateFileSystemEntries(parent, "." + name + ".tmp-*")
            .Where(p => IsTemporaryOf(Path.GetFileName(p), name))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (!Path.Exists(full) && stale.FirstOrDefault(p => p.EndsWith(".old", StringComparison.Ordinal) && Directory.Exists(p)) is string previous)
        {
            Directory.Move(previous, full);
        }

        foreach (string entry in stale.Where(Path.Exists))
        {
            if (Directory.Exists(entry))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
    }

    /// <summary>The temporary sibling under which <paramref name="fullPath"/> is written.</summary>
    internal static string TemporaryFor(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath) ?? ".", "." + Path.GetFileName(fullPath) + ".tmp-" + Guid.NewGuid().ToString("N"));

    /// <summary>Whether <paramref name="fileName"/> is a temporary of ours for the output named <paramref name="target"/>.</summary>
    internal static bool IsTemporaryOf(string fileName, string target) =>
        fileName.StartsWith("." + target + ".tmp-", StringComparison.Ordinal)
        && TemporarySuffix().IsMatch(fileName.AsSpan(target.Length + 6));

    /// <summary>Whether the directory <paramref name="outer"/> is <paramref name="inner"/> or holds it (full paths).</summary>
    public static bool Contains(string outer, string inner)
    {
        outer = Trim(outer);
        inner = Trim(inner);
        return inner == outer
            || inner.StartsWith(outer.EndsWith(Path.DirectorySeparatorChar) ? outer : outer + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>A full path without a trailing separator (the root stays as it is).</summary>
    public static string Trim(string full) =>
        full.Length > 1 ? full.TrimEnd(Path.DirectorySeparatorChar) : full;

    /// <summary>
    /// The nearest existing ancestor of <paramref name="full"/> must be a directory in which a file can be
    /// created: checked by creating and deleting a probe file there.
    /// </summary>
    private static void CheckWritableLocation(string path, string full, string label)
    {
        string? ancestor = Path.GetDirectoryName(Trim(full));
        while (ancestor is not null && !Path.Exists(ancestor))
        {
            ancestor = Path.GetDirectoryName(ancestor);
        }

        if (ancestor is null)
        {
            return;
        }

        if (File.Exists(ancestor))
        {
            throw new InputException(
                $"{label} '{path}' cannot be created: '{ancestor}' is a file, not a folder.",
                $"pass a path under a folder, e.g. {label} {Path.GetFileName(Trim(full))}.");
        }

        string probe = Path.Combine(ancestor, ".lowrank-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(
                $"{label} '{path}' cannot be written: no file can be created in '{ancestor}'{(ex is UnauthorizedAccessException ? " (permission denied)" : "")}.",
                $"pass a path in a folder you can write to, or fix that folder's permissions.",
                ex);
        }
    }

    [GeneratedRegex("^[0-9a-f]{32}(\\.old)?$")]
    private static partial Regex TemporarySuffix();
}
