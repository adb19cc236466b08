using System.Text.Json;
using LowRank.Formats;

namespace LowRank.Sweeps;

/// <summary>
/// The directory of one run (<c>DIR/runs/NAME</c>): <c>command.txt</c> (the exact command lines), <c>status.json</c>
/// (<see cref="RunStatus"/>), per step <c>STEP.json</c> (its figures) and <c>STEP.stdout.log</c>/<c>STEP.stderr.log</c>
/// (appended, one header per attempt), and whatever outputs the spec puts under <c>{out}</c>.
/// </summary>
public sealed class RunDirectory
{
    public const string CommandFile = "command.txt";

    public const string StatusFile = "status.json";

    public RunDirectory(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The run's directory, absolute.</summary>
    public string Root { get; }

    public string StatusPath => Path.Combine(Root, StatusFile);

    public string CommandPath => Path.Combine(Root, CommandFile);

    /// <summary>The figures file of <paramref name="step"/>, which the step writes with its <c>--json</c>.</summary>
    public string FiguresOf(string step) => Path.Combine(Root, step + ".json");

    /// <summary>The log of <paramref name="step"/>'s standard output.</summary>
    public string StdoutOf(string step) => Path.Combine(Root, step + ".stdout.log");

    /// <summary>The log of <paramref name="step"/>'s standard error (progress, errors).</summary>
    public string StderrOf(string step) => Path.Combine(Root, step + ".stderr.log");

    /// <summary>The run's status; <see cref="RunStatus.Pending"/> when none was written yet.</summary>
    public RunStatus ReadStatus()
    {
        string path = StatusPath;
        if (!File.Exists(path))
        {
            return RunStatus.Pending;
        }

        try
        {
            return JsonSerializer.Deserialize<RunStatus>(File.ReadAllText(path), JsonFile.Options)
                ?? throw new JsonException("the file holds null.");
        }
        catch (JsonException ex)
        {
            throw new InputException($"run status '{path}' is damaged: {ex.Message}", $"delete '{path}' to run that run again from its start.", ex);
        }
    }

    /// <summary>Writes the run's status (atomically).</summary>
    public void WriteStatus(RunStatus status) => JsonFile.Write(StatusPath, status);

    /// <summary>Writes <c>command.txt</c> (atomically): one line per entry.</summary>
    public void WriteCommands(IEnumerable<string> lines) =>
        AtomicFile.WriteText(CommandPath, string.Join('\n', lines) + "\n");
}
