using LowRank.Formats;

namespace LowRank.Cli;

/// <summary>
/// A command's inputs and outputs, declared before any work and checked together (docs/cli.md, "Outputs"):
/// no output is an input, lies inside an input directory or holds an input; no two outputs overlap; each
/// output obeys <see cref="OutputPolicy"/> (writable, a directory replaced only when of its kind). Passing
/// <see cref="Check"/> also clears temporaries an interrupted earlier run left beside the outputs.
/// </summary>
internal sealed class OutputPlan
{
    private readonly List<Entry> _inputs = [];
    private readonly List<Entry> _outputs = [];

    /// <summary>A file or directory the command reads (ignored when null).</summary>
    public OutputPlan Reads(string? path, string flag)
    {
        if (path is not null)
        {
            _inputs.Add(new Entry(path, flag, Full(path), false, null));
        }

        return this;
    }

    /// <summary>A file the command writes (ignored when null).</summary>
    public OutputPlan WritesFile(string? path, string flag)
    {
        if (path is not null)
        {
            _outputs.Add(new Entry(path, flag, Full(path), false, null));
        }

        return this;
    }

    /// <summary>A directory the command writes whole, replacing only an empty one or one of <paramref name="kind"/> (ignored when null).</summary>
    public OutputPlan WritesDirectory(string? path, string flag, DirectoryKind kind)
    {
        if (path is not null)
        {
            _outputs.Add(new Entry(path, flag, Full(path), true, kind));
        }

        return this;
    }

    /// <summary>
    /// A directory the command writes files into (overwriting its own earlier files) rather than replacing whole:
    /// it too must be absent, empty or of <paramref name="kind"/>, but other outputs may lie inside it.
    /// </summary>
    public OutputPlan WritesInto(string path, string flag, DirectoryKind kind)
    {
        _outputs.Add(new Entry(path, flag, Full(path), false, kind));
        return this;
    }

    /// <summary>Throws the first violation as an <see cref="InputException"/>; then clears stale temporaries of the outputs.</summary>
    public void Check()
    {
        foreach (Entry output in _outputs)
        {
            foreach (Entry input in _inputs)
            {
                CheckAgainstInput(output, input);
            }
        }

        for (int i = 0; i < _outputs.Count; i++)
        {
            for (int j = 0; j < _outputs.Count; j++)
            {
                if (i != j)
                {
                    CheckAgainstOutput(_outputs[i], _outputs[j], i < j);
                }
            }
        }

        foreach (Entry output in _outputs)
        {
            if (output.Kind is { } kind)
            {
                OutputPolicy.CheckDirectory(output.Path, kind, output.Flag, output.ReplacedWhole);
            }
            else
            {
                OutputPolicy.CheckFile(output.Path, output.Flag);
            }
        }

        foreach (Entry output in _outputs)
        {
            OutputPolicy.RemoveStaleTemporaries(output.Path);
        }
    }

    private static void CheckAgainstInput(Entry output, Entry input)
    {
        if (output.Full == input.Full)
        {
            throw new InputException(
                $"{output.Flag} '{output.Path}' is also the input {input.Flag}; writing it would destroy that input.",
                $"pass another path to {output.Flag}.");
        }

        if (System.IO.Directory.Exists(input.Full) && OutputPolicy.Contains(input.Full, output.Full))
        {
            throw new InputException(
                $"{output.Flag} '{output.Path}' lies inside the input {input.Flag} '{input.Path}'; writing there would change that input.",
                $"pass a path outside '{input.Path}' to {output.Flag}.");
        }

        if (output.Kind is not null && OutputPolicy.Contains(output.Full, input.Full))
        {
            throw new InputException(
                $"{output.Flag} '{output.Path}' holds the input {input.Flag} '{input.Path}', and it {(output.ReplacedWhole ? "is replaced whole when written" : "is written into")}.",
                $"pass a new folder to {output.Flag}.");
        }
    }

    private static void CheckAgainstOutput(Entry first, Entry second, bool reportEqual)
    {
        if (first.Full == second.Full)
        {
            if (reportEqual)
            {
                throw new InputException(
                    $"{first.Flag} and {second.Flag} are the same path '{first.Path}'; the second write would replace the first.",
                    $"pass different paths to {first.Flag} and {second.Flag}.");
            }

            return;
        }

        if (second.ReplacedWhole && OutputPolicy.Contains(second.Full, first.Full))
        {
            throw new InputException(
                $"{first.Flag} '{first.Path}' lies inside {second.Flag} '{second.Path}', which is replaced whole when written.",
                $"pass a path outside '{second.Path}' to {first.Flag}.");
        }
    }

    private static string Full(string path) => OutputPolicy.Trim(Path.GetFullPath(path));

    private sealed record Entry(string Path, string Flag, string Full, bool ReplacedWhole, DirectoryKind? Kind);
}
