using System.Diagnostics;
using System.Text;

namespace LowRank.Cli.Sweeps;

/// <summary>What a step's process ended with: its exit code and the last lines it wrote to stderr.</summary>
internal sealed record StepExit(int ExitCode, IReadOnlyList<string> ErrorTail);

/// <summary>
/// Starts <c>lowrank</c> as a child process: the very executable running now — the apphost (<c>lowrank</c>, a
/// dotnet tool shim, a self-contained publish) as it is, or <c>dotnet lowrank.dll</c> when the process is the
/// <c>dotnet</c> host or another program that loaded the CLI (a test host).
/// </summary>
internal sealed class LowRankProcess
{
    /// <summary>Lines of a step's stderr kept to explain a failure.</summary>
    private const int TailLines = 100;

    private LowRankProcess(string fileName, IReadOnlyList<string> prefix)
    {
        FileName = fileName;
        Prefix = prefix;
    }

    /// <summary>The program started.</summary>
    public string FileName { get; }

    /// <summary>Arguments before the command's (the dll, when the program is the dotnet host).</summary>
    public IReadOnlyList<string> Prefix { get; }

    /// <summary>How this process was started, to start the same <c>lowrank</c> again.</summary>
    public static LowRankProcess Current()
    {
        string assembly = typeof(CliApp).Assembly.Location;
        string? process = Environment.ProcessPath;
        bool entryIsCli = System.Reflection.Assembly.GetEntryAssembly() == typeof(CliApp).Assembly;
        if (process is not null && entryIsCli && !IsDotnetHost(process))
        {
            return new LowRankProcess(process, []);
        }

        string host = process is not null && IsDotnetHost(process)
            ? process
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        return new LowRankProcess(host, [assembly]);
    }

    /// <summary>
    /// Runs <c>lowrank ARGUMENTS</c> in <paramref name="workingDirectory"/>, appending its stdout and stderr to the two
    /// logs (after <paramref name="header"/>); <paramref name="started"/> receives its process id; a stop request passes
    /// the signal on to it (it stops as a Ctrl+C'd command does: a fit writes its checkpoint first).
    /// </summary>
    public StepExit Run(IReadOnlyList<string> arguments, string workingDirectory, string stdoutLog, string stderrLog, string header, Action<int> started, StopSignals stop)
    {
        var start = new ProcessStartInfo(FileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in Prefix.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var stdout = new StreamWriter(stdoutLog, append: true, new UTF8Encoding(false));
        using var stderr = new StreamWriter(stderrLog, append: true, new UTF8Encoding(false));
        stdout.WriteLine(header);
        stderr.WriteLine(header);
        stdout.Flush();
        stderr.Flush();

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start '{FileName}'.");
        process.StandardInput.Close();
        started(process.Id);
        using CancellationTokenRegistration forward = stop.Token.Register(() =>
        {
            if (!process.HasExited)
            {
                ProcessSignals.Send(process.Id, stop.Signal);
            }
        });
        var tail = new Queue<string>();
        Task copyOut = Task.Run(() => Copy(process.StandardOutput, stdout, null));
        Task copyErr = Task.Run(() => Copy(process.StandardError, stderr, tail));
        process.WaitForExit();
        Task.WaitAll(copyOut, copyErr);
        return new StepExit(process.ExitCode, [.. tail]);
    }

    /// <summary>A command line as a shell reads it, e.g. <c>lowrank fit --data 'my data.npy'</c>.</summary>
    public static string Display(IEnumerable<string> arguments) => "lowrank " + string.Join(' ', arguments.Select(Quote));

    /// <summary>A word quoted for a POSIX shell where it needs it.</summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        bool plain = word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=+,@%".Contains(c));
        return plain ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static bool IsDotnetHost(string path) =>
        Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase);

    private static void Copy(StreamReader from, StreamWriter to, Queue<string>? tail)
    {
        while (from.ReadLine() is { } line)
        {
            to.WriteLine(line);
            to.Flush();
            if (tail is not null)
            {
                tail.Enqueue(line);
                if (tail.Count > TailLines)
                {
                    tail.Dequeue();
                }
            }
        }
    }
}
