using System.Diagnostics;
using System.Text;

namespace LowRank.Cli.Sweeps;

/// <summary>What a Slurm command ended with: its exit code and what it wrote.</summary>
internal sealed record SlurmReply(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The last line it wrote to stderr (else stdout), for a message.</summary>
    public string LastWords =>
        (Error.Trim().Length > 0 ? Error : Output).Trim().Split('\n').LastOrDefault()?.Trim() is { Length: > 0 } line ? line : $"exit code {ExitCode}";
}

/// <summary>
/// Slurm's user commands (<c>sbatch</c>, <c>squeue</c>, <c>scontrol</c>, <c>scancel</c>, <c>sacct</c>) found on a PATH and
/// run as processes, their output captured. Nothing here knows a sweep.
/// </summary>
internal sealed class SlurmClient
{
    /// <summary>The commands the Slurm executor cannot do without.</summary>
    public static readonly string[] Required = ["sbatch", "squeue", "scontrol", "scancel"];

    /// <summary>How long one command may take before it counts as failed (a controller that does not answer).</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly Dictionary<string, string?> _tools;

    private SlurmClient(Dictionary<string, string?> tools) => _tools = tools;

    /// <summary>The commands on <paramref name="searchPath"/> (the PATH variable); <c>sacct</c> is optional.</summary>
    public static SlurmClient Find(string? searchPath) =>
        new(Required.Append("sacct").ToDictionary(name => name, name => SweepExecutors.FindOnPath(name, searchPath), StringComparer.Ordinal));

    /// <summary>The required commands not found.</summary>
    public IReadOnlyList<string> Missing => [.. Required.Where(name => _tools[name] is null)];

    /// <summary>Where <paramref name="name"/> was found, or null.</summary>
    public string? PathOf(string name) => _tools.GetValueOrDefault(name);

    /// <summary>Runs <c>NAME ARGUMENTS</c>, feeding it <paramref name="input"/> when given; null where the command is absent.</summary>
    public SlurmReply? Run(string name, IEnumerable<string> arguments, string? input = null)
    {
        if (PathOf(name) is not { } path)
        {
            return null;
        }

        var start = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start '{path}'.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        try
        {
            if (input is not null)
            {
                process.StandardInput.Write(input);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It ended without reading its input (it refused its arguments): its exit code and stderr say why.
        }

        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new SlurmReply(-1, output.Result, $"{name} did not answer within {Timeout.TotalSeconds:0} s");
        }

        return new SlurmReply(process.ExitCode, output.Result, error.Result);
    }
}
