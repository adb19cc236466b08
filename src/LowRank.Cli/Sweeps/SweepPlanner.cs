using System.CommandLine;
using System.CommandLine.Parsing;
using LowRank.Sweeps;

namespace LowRank.Cli.Sweeps;

/// <summary>
/// Checks a sweep spec against the real <c>lowrank</c> command tree (<see cref="CommandCatalog"/>) and turns it into
/// command lines: every step's command must exist, every option must be one of that command's (booleans for flags),
/// the options the sweep sets itself may not be given, outputs must differ between runs, and every run's every step
/// must parse exactly as the command line would. Nothing is written.
/// </summary>
internal static class SweepPlanner
{
    /// <summary>Options a sweep sets on every step itself: the figures file, the thread count, resuming.</summary>
    private static readonly Dictionary<string, string> Owned = new(StringComparer.Ordinal)
    {
        ["json"] = "each step's --json is the run's STEP.json, which 'sweep collect' reads",
        ["threads"] = "the sweep gives each run cores / --jobs threads, so that jobs × threads ≤ cores",
        ["resume"] = "the sweep adds --resume itself when a run's checkpoint is there",
    };

    /// <summary>Commands a sweep may not run.</summary>
    private static readonly string[] Refused = ["sweep"];

    /// <summary>
    /// Checks <paramref name="spec"/> (read from <paramref name="specPath"/>) and plans its runs in <paramref name="directory"/>;
    /// the commands will run in the spec's folder.
    /// </summary>
    public static SweepPlan Plan(SweepSpec spec, IReadOnlyList<SweepPoint> points, string specPath, string directory) =>
        Plan(spec, points, $"sweep spec '{specPath}'", Path.GetDirectoryName(Path.GetFullPath(specPath)) ?? Directory.GetCurrentDirectory(), directory);

    /// <summary>
    /// Checks <paramref name="spec"/> and plans <paramref name="points"/> in <paramref name="directory"/>, their commands run
    /// in <paramref name="workingDirectory"/>; messages name the spec as <paramref name="where"/>. A cluster task plans its
    /// one run so, from the spec kept in the sweep directory.
    /// </summary>
    public static SweepPlan Plan(SweepSpec spec, IReadOnlyList<SweepPoint> points, string where, string workingDirectory, string directory)
    {
        RootCommand root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, isTerminal: false));
        workingDirectory = Path.GetFullPath(workingDirectory);
        var commands = new Dictionary<string, Command>(StringComparer.Ordinal);
        foreach (SweepStep step in spec.Steps)
        {
            Command command = Resolve(root, step, where);
            commands[step.Name] = command;
            bool isMain = step == spec.Main;
            IEnumerable<(string Name, SpecValue Value, bool IsAxis)> options = step.Options.Select(o => (o.Name, o.Value, false));
            if (isMain)
            {
                options = options.Concat(spec.Axes.SelectMany(a => a.Values.Select(v => (a.Name, v, true))));
            }

            foreach ((string name, SpecValue value, bool isAxis) in options)
            {
                CheckOption(command, step, name, value, isAxis, where);
            }

            if (points.Count > 1)
            {
                CheckOutputsDiffer(step, isMain ? spec.Axes : [], where);
            }
        }

        var runs = new List<RunPlan>(points.Count);
        foreach (SweepPoint point in points)
        {
            RunDirectory run = SweepDirectory.RunOf(directory, point);
            var values = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [Placeholders.RunDirectory] = run.Root,
                [Placeholders.RunName] = point.Name,
            };
            foreach (SpecOption value in point.Values)
            {
                values[value.Name] = value.Value.Text;
            }

            var steps = new List<StepInvocation>();
            foreach (SweepStep step in spec.Steps)
            {
                Command command = commands[step.Name];
                IEnumerable<SpecOption> options = step == spec.Main ? step.Options.Concat(point.Values) : step.Options;
                var arguments = new List<string>(step.CommandWords);
                string? outDirectory = null;
                foreach (SpecOption option in options)
                {
                    if (option.Value.Kind == SpecValueKind.Boolean)
                    {
                        if (option.Value.IsTrue)
                        {
                            arguments.Add("--" + option.Name);
                        }

                        continue;
                    }

                    string text = option.Value.Kind == SpecValueKind.String ? Placeholders.Substitute(option.Value.Text, values) : option.Value.Text;
                    arguments.Add("--" + option.Name);
                    arguments.Add(text);
                    if (option.Name == "out")
                    {
                        outDirectory = Path.GetFullPath(text, workingDirectory);
                    }
                }

                if (Has(command, "json"))
                {
                    arguments.Add("--json");
                    arguments.Add(run.FiguresOf(step.Name));
                }

                bool takesThreads = Has(command, "threads");
                CheckParses(root, step, point, [.. arguments, .. takesThreads ? new[] { "--threads", "1" } : []], where);
                steps.Add(new StepInvocation(step.Name, arguments, takesThreads, Has(command, "resume") ? outDirectory : null));
            }

            runs.Add(new RunPlan(point, run, steps));
        }

        return new SweepPlan(Path.GetFullPath(directory), workingDirectory, spec, runs);
    }

    private static Command Resolve(RootCommand root, SweepStep step, string where)
    {
        if (Refused.Contains(step.CommandWords[0]))
        {
            throw new InputException($"{where}: a sweep cannot run 'lowrank {step.Command}'.", "put every point in one spec's axes instead of nesting sweeps.");
        }

        Command command = root;
        string path = "lowrank";
        foreach (string word in step.CommandWords)
        {
            Command? next = command.Subcommands.FirstOrDefault(c => c.Name == word || c.Aliases.Contains(word));
            if (next is null || next.Hidden)
            {
                string[] names = [.. command.Subcommands.Where(c => !c.Hidden && !Refused.Contains(c.Name)).Select(c => c.Name)];
                string? closest = ParseErrors.Closest(word, names);
                throw new InputException(
                    $"{where}: step '{step.Name}' runs '{path} {word}', but '{path}' has no command '{word}'.",
                    closest is not null ? $"did you mean '{closest}'? The commands are {string.Join(", ", names)}." : $"the commands are {string.Join(", ", names)}.");
            }

            command = next;
            path += " " + word;
        }

        if (command.Subcommands.Count > 0)
        {
            throw new InputException(
                $"{where}: step '{step.Name}' runs '{path}', which needs a command after it.",
                $"name one of {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => $"\"{step.Command} {c.Name}\""))}.");
        }

        return command;
    }

    private static void CheckOption(Command command, SweepStep step, string name, SpecValue value, bool isAxis, string where)
    {
        string what = isAxis ? $"the axis '{name}'" : $"the option '{name}' of step '{step.Name}'";
        string commandPath = "lowrank " + step.Command;
        if (Owned.TryGetValue(name, out string? why))
        {
            throw new InputException($"{where}: {what} is set by the sweep itself: {why}.", $"remove \"{name}\" from the spec.");
        }

        Option? option = Find(command, name);
        if (option is null)
        {
            string[] names = [.. command.Options.Where(o => !o.Hidden && o.Name.StartsWith("--", StringComparison.Ordinal)).Select(o => o.Name[2..]).Where(n => !Owned.ContainsKey(n))];
            string? closest = ParseErrors.Closest(name, names);
            string kind = isAxis ? "an axis varies an option of the main step" : "options are the command's flags without the dashes";
            throw new InputException(
                $"{where}: {what} is not an option of '{commandPath}'; {kind}.",
                closest is not null ? $"did you mean \"{closest}\"? Run '{commandPath} --help' for its options." : $"run '{commandPath} --help' for its options.");
        }

        bool flag = option.ValueType == typeof(bool);
        if (flag && value.Kind != SpecValueKind.Boolean)
        {
            throw new InputException($"{where}: {what} is the flag --{name} of '{commandPath}', which takes true or false, not {value.Text}.", $"write \"{name}\": true to pass --{name}, false to leave it out.");
        }

        if (!flag && value.Kind == SpecValueKind.Boolean)
        {
            throw new InputException($"{where}: {what} is --{name} of '{commandPath}', which takes a value, not {value.Text}.", $"write \"{name}\" with the value to pass, e.g. \"{name}\": 2 or \"{name}\": \"a.npy\".");
        }
    }

    /// <summary>
    /// With several runs, a fixed output option (<c>out</c>, <c>model-out</c>, …) that names the same path in every run
    /// would have them overwrite each other: it must use a placeholder (<c>{out}</c>, <c>{run}</c> or an axis).
    /// </summary>
    private static void CheckOutputsDiffer(SweepStep step, IReadOnlyList<SweepAxis> axes, string where)
    {
        foreach (SpecOption option in step.Options)
        {
            bool isOutput = option.Name == "out" || option.Name.EndsWith("-out", StringComparison.Ordinal);
            if (isOutput && option.Value.Kind == SpecValueKind.String && axes.All(a => a.Name != option.Name)
                && Placeholders.NamesIn(option.Value.Text, out _) is { Count: 0 })
            {
                throw new InputException(
                    $"{where}: the option '{option.Name}' of step '{step.Name}' is '{option.Value.Text}' in every run, so the runs would overwrite each other's output.",
                    $"put it in the run's directory, e.g. \"{option.Name}\": \"{{out}}/{Path.GetFileName(option.Value.Text.TrimEnd('/'))}\".");
            }
        }
    }

    private static void CheckParses(RootCommand root, SweepStep step, SweepPoint point, string[] arguments, string where)
    {
        ParseResult parse = root.Parse(arguments);
        if (parse.Errors.Count > 0)
        {
            (string message, string hint) = ParseErrors.Describe(parse, "lowrank " + step.Command);
            throw new InputException($"{where}: step '{step.Name}' of run '{point.Name}' would not start: {message}", hint);
        }
    }

    private static Option? Find(Command command, string name) =>
        command.Options.FirstOrDefault(o => o.Name == "--" + name || o.Aliases.Contains("--" + name));

    private static bool Has(Command command, string name) => Find(command, name) is not null;
}
