using System.Reflection;
using System.Text.RegularExpressions;
using LowRank.Cli;

namespace LowRank.Tests.Architecture;

/// <summary>
/// The library's architecture, checked on its source (docs/architecture.md): folders depend one way, the library
/// speaks no command line and writes to no console, kernels and workspaces stay internal, and every setting a
/// message names has a flag.
/// </summary>
public sealed partial class ArchitectureTests
{
    /// <summary>The layers of src/LowRank, lowest first: a folder may use folders of lower layers only.</summary>
    private static readonly string[][] Layers =
    [
        ["(root)", "Numerics", "Formats"],
        ["Data", "Encoders", "Sweeps"],
        ["Training"],
        ["Model", "RateNetworks"],
        ["Smc", "Simulation", "Tasks"],
        ["Lint", "Inference"],
        ["Populations"],
        ["Analysis", "Metrics"],
        ["Fitting", "Decoding"],
    ];

    private static string LibraryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LowRank.slnx")))
            {
                return Path.Combine(dir.FullName, "src", "LowRank");
            }
        }

        throw new InvalidOperationException("the repository root (LowRank.slnx) is not above the test assembly.");
    }

    private static IEnumerable<(string Folder, string Path, string Text)> LibrarySources()
    {
        string root = LibraryRoot();
        foreach (string path in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            string relative = System.IO.Path.GetRelativePath(root, path);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal))
            {
                continue;
            }

            string[] parts = relative.Split(System.IO.Path.DirectorySeparatorChar);
            yield return (parts.Length == 1 ? "(root)" : parts[0], relative, File.ReadAllText(path));
        }
    }

    /// <summary>Folder → folders its files use (through <c>using</c> or a qualified name).</summary>
    private static Dictionary<string, HashSet<string>> FolderDependencies()
    {
        string[] folders = [.. Layers.SelectMany(layer => layer)];
        var graph = new Dictionary<string, HashSet<string>>();
        foreach ((string folder, _, string text) in LibrarySources())
        {
            HashSet<string> uses = graph.TryGetValue(folder, out HashSet<string>? set) ? set : graph[folder] = [];
            foreach (Match match in NamespaceUse().Matches(WithoutComments(text)))
            {
                string used = match.Groups[1].Value;
                if (used != folder && folders.Contains(used))
                {
                    uses.Add(used);
                }
            }
        }

        return graph;
    }

    [Fact]
    public void EveryFolderHasALayer()
    {
        string[] folders = [.. Layers.SelectMany(layer => layer)];
        string[] unlayered = [.. FolderDependencies().Keys.Where(f => !folders.Contains(f))];
        Assert.Empty(unlayered);
    }

    [Fact]
    public void FolderDependenciesPointToLowerLayers()
    {
        int LayerOf(string folder) => Array.FindIndex(Layers, layer => layer.Contains(folder));
        var upward = new List<string>();
        foreach ((string folder, HashSet<string> uses) in FolderDependencies())
        {
            upward.AddRange(uses.Where(used => LayerOf(used) >= LayerOf(folder)).Select(used => $"{folder} -> {used}"));
        }

        Assert.Empty(upward);
    }

    [Fact]
    public void FolderDependenciesFormNoCircle()
    {
        Dictionary<string, HashSet<string>> graph = FolderDependencies();
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        List<string>? circle = null;
        bool Visit(string folder)
        {
            state[folder] = 1;
            path.Add(folder);
            foreach (string next in graph.GetValueOrDefault(folder, []))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    circle = [.. path.Skip(path.IndexOf(next)), next];
                    return true;
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next))
                {
                    return true;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[folder] = 2;
            return false;
        }

        foreach (string folder in graph.Keys)
        {
            if (state.GetValueOrDefault(folder) == 0 && Visit(folder))
            {
                break;
            }
        }

        Assert.True(circle is null, circle is null ? "" : "circle: " + string.Join(" -> ", circle));
    }

    [Fact]
    public void TheLibraryNamesNoCommandLineFlag()
    {
        var lines = new List<string>();
        foreach ((_, string path, string text) in LibrarySources())
        {
            string[] source = text.Split('\n');
            for (int i = 0; i < source.Length; i++)
            {
                string line = source[i];
                if (!line.TrimStart().StartsWith("//", StringComparison.Ordinal) && line.Contains('"') && Flag().IsMatch(line))
                {
                    lines.Add($"{path}:{i + 1}: {line.Trim()}");
                }
            }
        }

        Assert.Empty(lines);
    }

    [Fact]
    public void TheLibraryWritesToNoConsoleAndEndsNoProcess()
    {
        var uses = new List<string>();
        foreach ((_, string path, string text) in LibrarySources())
        {
            foreach (Match match in ConsoleOrExit().Matches(WithoutComments(text)))
            {
                uses.Add($"{path}: {match.Value}");
            }
        }

        Assert.Empty(uses);
    }

    [Fact]
    public void KernelsAndWorkspacesAreInternal()
    {
        Assembly library = typeof(InputException).Assembly;
        string[] exposed = [.. library.GetExportedTypes()
            .Select(t => t.Name.Split('`')[0])
            .Where(name => name.EndsWith("Kernel", StringComparison.Ordinal) || name.EndsWith("Kernels", StringComparison.Ordinal)
                || name.EndsWith("Workspace", StringComparison.Ordinal) || name.EndsWith("Runner", StringComparison.Ordinal))];
        Assert.Empty(exposed);
    }

    [Fact]
    public void EverySettingAMessageNamesHasAFlag()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach ((_, _, string text) in LibrarySources())
        {
            foreach (Match match in SettingReference().Matches(text))
            {
                string name = match.Groups["literal"].Success ? match.Groups["literal"].Value : match.Groups["nameof"].Value.Split('.')[^1];
                names.Add(name);
            }
        }

        Assert.NotEmpty(names);
        string[] unmapped = [.. names.Where(name => !SettingFlags.References.Contains(name) && !SettingFlags.References.Contains(name.Split('.')[^1]))];
        Assert.Empty(unmapped);
    }

    [Fact]
    public void MessagesRenderSettingsAsPropertiesInTheLibraryAndAsFlagsInTheTool()
    {
        var error = new InputException(
            $"{InputException.Ref("Units")} must be at least 1, got 0.",
            $"pass {InputException.Ref("TaskTrainingOptions.TrainTrials")} or {InputException.Ref("TrajectoryFitOptions.TrainTrials")}.");
        Assert.Equal("Units must be at least 1, got 0.", error.Message);
        Assert.Equal("pass TrainTrials or TrainTrials.", error.Hint);
        Assert.Equal("--units must be at least 1, got 0.", SettingFlags.Message(error));
        Assert.Equal("pass --trials or --train-trials.", SettingFlags.Hint(error));
    }

    private static string WithoutComments(string text) => LineComment().Replace(text, "");

    [GeneratedRegex(@"\bLowRank\.([A-Z][A-Za-z]+)\b")]
    private static partial Regex NamespaceUse();

    [GeneratedRegex(@"--[a-z][a-z-]+")]
    private static partial Regex Flag();

    [GeneratedRegex(@"\bConsole\.|\bEnvironment\.Exit\b|\bProcess\.Kill\b|\bEnvironment\.FailFast\b")]
    private static partial Regex ConsoleOrExit();

    [GeneratedRegex(@"//.*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\b(?:Ref|RequireCount|RequireAtLeastOne|Require)\(\s*(?:""(?<literal>[A-Za-z.]+)""|\$""\{nameof\([A-Za-z.]+\)\}\.\{nameof\((?<nameof>[A-Za-z.]+)\)\}""|nameof\((?<nameof>[A-Za-z.]+)\))")]
    private static partial Regex SettingReference();
}
