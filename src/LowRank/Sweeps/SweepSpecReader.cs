using System.Text.Json;
using System.Text.RegularExpressions;

namespace LowRank.Sweeps;

/// <summary>
/// Reads a sweep spec (JSON; comments and trailing commas allowed) into a <see cref="SweepSpec"/>, refusing with an
/// <see cref="InputException"/> anything malformed: unknown fields, values of the wrong kind, an empty axis, a range
/// that counts nothing, a placeholder that names no axis. Whether the commands and options exist is the command
/// line's to check; this reader knows the file format only (docs/sweeps.md).
/// </summary>
public static partial class SweepSpecReader
{
    public const string CommandField = "command";
    public const string OptionsField = "options";
    public const string AxesField = "axes";
    public const string FollowUpField = "follow_up";
    public const string NameField = "name";
    public const string FromField = "from";
    public const string ToField = "to";
    public const string StepField = "step";

    /// <summary>Values one axis may take at most.</summary>
    public const int MaxAxisValues = 10_000;

    /// <summary>Points (runs) a sweep may have at most.</summary>
    public const long MaxPoints = 100_000;

    /// <summary>Names an axis may not take: the placeholders' own and the results table's columns.</summary>
    public static readonly IReadOnlyList<string> ReservedAxisNames = [Placeholders.RunDirectory, Placeholders.RunName, "state"];

    /// <summary>A step name a figures file could not take (<c>status.json</c> is the run's status).</summary>
    public const string ReservedStepName = "status";

    private const string SeeDocs = "see docs/sweeps.md for the format";

    /// <summary>Reads the spec file at <paramref name="path"/>.</summary>
    public static SweepSpec Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException($"sweep spec '{path}' does not exist.", $"pass the path of a sweep spec (a .json file); {SeeDocs}.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"sweep spec '{path}' cannot be read: {ex.Message}", "check the path and its permissions.", ex);
        }

        return Parse(text, path);
    }

    /// <summary>Reads spec JSON; <paramref name="source"/> names it in messages.</summary>
    public static SweepSpec Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new InputException($"sweep spec '{source}' is not valid JSON: {ex.Message}", $"fix the JSON at the line named; {SeeDocs}.", ex);
        }

        using (document)
        {
            return new Reader(source).Spec(document.RootElement);
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex OptionName();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex StepName();

    private sealed class Reader(string source)
    {
        private InputException Error(string message, string hint) => new($"sweep spec '{source}': {message}", hint);

        public SweepSpec Spec(JsonElement root)
        {
            Dictionary<string, JsonElement> fields = Fields(root, "the spec", [CommandField, OptionsField, AxesField, FollowUpField]);
            if (!fields.TryGetValue(CommandField, out JsonElement command))
            {
                throw Error("it names no command.", $"add e.g. \"{CommandField}\": \"fit\"; {SeeDocs}.");
            }

            string commandPath = Command(command, "the spec");
            SweepStep main = new(commandPath.Replace(' ', '-'), commandPath, fields.TryGetValue(OptionsField, out JsonElement options) ? Options(options, $"the options of '{commandPath}'") : []);
            IReadOnlyList<SweepAxis> axes = fields.TryGetValue(AxesField, out JsonElement axesElement) ? Axes(axesElement, main) : [];
            if (axes.Count == 0)
            {
                throw Error("it has no axes, so it would run the command once.", $"add \"{AxesField}\", e.g. \"{AxesField}\": {{\"seed\": [1, 2, 3]}}; {SeeDocs}.");
            }

            long points = 1;
            foreach (SweepAxis axis in axes)
            {
                points *= axis.Values.Count;
                if (points > MaxPoints)
                {
                    throw Error($"its axes make more than {MaxPoints:N0} runs.", "split it into several sweeps, or use fewer values per axis.");
                }
            }

            List<SweepStep> followUp = fields.TryGetValue(FollowUpField, out JsonElement followElement) ? FollowUp(followElement) : [];
            var names = new HashSet<string>(StringComparer.Ordinal) { main.Name };
            foreach (SweepStep step in followUp)
            {
                if (!names.Add(step.Name))
                {
                    throw Error($"two steps are named '{step.Name}'; each step's figures go to NAME.json in the run's directory.", $"give the follow-up step its own \"{NameField}\", e.g. \"{NameField}\": \"{step.Name}-2\".");
                }
            }

            var spec = new SweepSpec(main, axes, followUp);
            CheckPlaceholders(spec);
            return spec;
        }

        private string Command(JsonElement element, string where)
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                throw Error($"the {CommandField} of {where} is {Describe(element)}, not a string.", $"name a lowrank command, e.g. \"{CommandField}\": \"fit\" or \"{CommandField}\": \"task train\".");
            }

            string[] words = element.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0 || !words.All(w => OptionName().IsMatch(w)))
            {
                throw Error($"'{element.GetString()}' ({where}) is not a command: a command is one or more lower-case words.", $"name a lowrank command, e.g. \"fit\", \"lint fit\" or \"task train\".");
            }

            return string.Join(' ', words);
        }

        private List<SpecOption> Options(JsonElement element, string where)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error($"{where} are {Describe(element)}, not an object.", "write the options as an object of name → value, e.g. {\"rank\": 2, \"zscore\": true}.");
            }

            var options = new List<SpecOption>();
            foreach (JsonProperty property in element.EnumerateObject())
            {
                string name = Name(property.Name, $"an option in {where}");
                if (options.Any(o => o.Name == name))
                {
                    throw Error($"{where} name '{name}' twice.", "keep one of them.");
                }

                options.Add(new SpecOption(name, Value(property.Value, $"option '{name}' in {where}")));
            }

            return options;
        }

        private List<SweepAxis> Axes(JsonElement element, SweepStep main)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error($"the {AxesField} are {Describe(element)}, not an object.", $"write the axes as an object of option → values, e.g. \"{AxesField}\": {{\"seed\": [1, 2, 3]}}.");
            }

            var axes = new List<SweepAxis>();
            foreach (JsonProperty property in element.EnumerateObject())
            {
                string name = Name(property.Name, "an axis");
                if (ReservedAxisNames.Contains(name))
                {
                    throw Error($"an axis may not be named '{name}' (reserved: {string.Join(", ", ReservedAxisNames)}).", "name each axis after the option of the command it varies.");
                }

                if (axes.Any(a => a.Name == name))
                {
                    throw Error($"the axis '{name}' is given twice.", "keep one of them.");
                }

                if (main.Options.Any(o => o.Name == name))
                {
                    throw Error($"'{name}' is both a fixed option and an axis.", $"remove \"{name}\" from the {OptionsField} or from the {AxesField}.");
                }

                axes.Add(new SweepAxis(name, AxisValues(name, property.Value)));
            }

            return axes;
        }

        private List<SpecValue> AxisValues(string axis, JsonElement element)
        {
            List<SpecValue> values;
            if (element.ValueKind == JsonValueKind.Array)
            {
                values = [.. element.EnumerateArray().Select((v, i) => Value(v, $"value {i + 1} of the axis '{axis}'"))];
                if (values.Count == 0)
                {
                    throw Error($"the axis '{axis}' is empty.", $"give it at least one value, e.g. \"{axis}\": [1, 2, 3], or a range {{\"{FromField}\": 1, \"{ToField}\": 3}}.");
                }

                SpecValue? repeated = values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1)?.Key;
                if (repeated is { } r)
                {
                    throw Error($"the axis '{axis}' lists {r.Text} twice, so two runs would be the same.", "list each value once.");
                }
            }
            else if (element.ValueKind == JsonValueKind.Object)
            {
                values = Range(axis, element);
            }
            else
            {
                throw Error($"the axis '{axis}' is {Describe(element)}; an axis is a list of values or a range.", $"write e.g. \"{axis}\": [1, 2, 3] or \"{axis}\": {{\"{FromField}\": 1, \"{ToField}\": 10}}.");
            }

            if (values.Count > MaxAxisValues)
            {
                throw Error($"the axis '{axis}' has {values.Count:N0} values, more than {MaxAxisValues:N0}.", "use fewer values.");
            }

            return values;
        }

        /// <summary>A range <c>{from, to, step}</c>: from, from + step, … up to and including to; decimal arithmetic, so 0.1 steps are exact.</summary>
        private List<SpecValue> Range(string axis, JsonElement element)
        {
            string example = $"e.g. \"{axis}\": {{\"{FromField}\": 1, \"{ToField}\": 10}} or {{\"{FromField}\": 0.1, \"{ToField}\": 0.5, \"{StepField}\": 0.1}}";
            Dictionary<string, JsonElement> fields = Fields(element, $"the range of the axis '{axis}'", [FromField, ToField, StepField]);
            decimal Number(string field, decimal? fallback)
            {
                if (!fields.TryGetValue(field, out JsonElement value))
                {
                    return fallback ?? throw Error($"the range of the axis '{axis}' has no \"{field}\".", $"give \"{FromField}\" and \"{ToField}\" (and optionally \"{StepField}\"), {example}.");
                }

                if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out decimal number))
                {
                    throw Error($"\"{field}\" of the range of the axis '{axis}' is {Describe(value)}, not a number.", $"write numbers, {example}.");
                }

                return number;
            }

            decimal from = Number(FromField, null), to = Number(ToField, null), step = Number(StepField, 1m);
            if (step <= 0)
            {
                throw Error($"the range of the axis '{axis}' has step {step}; a range counts up by a positive step.", $"give a positive \"{StepField}\", {example}.");
            }

            if (to < from)
            {
                throw Error($"the axis '{axis}' is empty: the range from {from} to {to} has no values (a range counts up).", $"make \"{FromField}\" at most \"{ToField}\", {example}.");
            }

            decimal count = decimal.Floor((to - from) / step) + 1;
            if (count > MaxAxisValues)
            {
                throw Error($"the range of the axis '{axis}' has {count:N0} values, more than {MaxAxisValues:N0}.", $"use a larger \"{StepField}\" or a shorter range.");
            }

            return [.. Enumerable.Range(0, (int)count).Select(i => SpecValue.Of(from + i * step))];
        }

        private List<SweepStep> FollowUp(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Array)
            {
                throw Error($"the {FollowUpField} steps are {Describe(element)}, not a list.", $"write a list of steps, e.g. \"{FollowUpField}\": [{{\"{CommandField}\": \"evaluate\", \"{OptionsField}\": {{\"model\": \"{{out}}/model\"}}}}].");
            }

            var steps = new List<SweepStep>();
            int index = 0;
            foreach (JsonElement stepElement in element.EnumerateArray())
            {
                string where = $"follow-up step {++index}";
                Dictionary<string, JsonElement> fields = Fields(stepElement, where, [NameField, CommandField, OptionsField]);
                if (!fields.TryGetValue(CommandField, out JsonElement command))
                {
                    throw Error($"{where} names no command.", $"add e.g. \"{CommandField}\": \"evaluate\".");
                }

                string commandPath = Command(command, where);
                string name = commandPath.Replace(' ', '-');
                if (fields.TryGetValue(NameField, out JsonElement nameElement))
                {
                    name = nameElement.ValueKind == JsonValueKind.String ? nameElement.GetString()! : throw Error($"the {NameField} of {where} is {Describe(nameElement)}, not a string.", $"write e.g. \"{NameField}\": \"evaluate-test\".");
                    if (!StepName().IsMatch(name))
                    {
                        throw Error($"the {NameField} '{name}' of {where} is not a plain file name.", "use lower-case letters, digits, '-' and '_', e.g. evaluate-test.");
                    }
                }

                steps.Add(new SweepStep(name, commandPath, fields.TryGetValue(OptionsField, out JsonElement options) ? Options(options, $"the options of {where} ({commandPath})") : []));
            }

            if (steps.Any(s => s.Name == ReservedStepName))
            {
                throw Error($"a step may not be named '{ReservedStepName}': the run's {ReservedStepName}.json is its status.", $"give that step another \"{NameField}\".");
            }

            return steps;
        }

        private void CheckPlaceholders(SweepSpec spec)
        {
            string[] known = [Placeholders.RunDirectory, Placeholders.RunName, .. spec.Axes.Select(a => a.Name)];
            foreach (SweepStep step in spec.Steps)
            {
                foreach (SpecOption option in step.Options.Where(o => o.Value.Kind == SpecValueKind.String))
                {
                    IReadOnlyList<string>? names = Placeholders.NamesIn(option.Value.Text, out string? problem);
                    if (names is null)
                    {
                        throw Error($"the option '{option.Name}' of step '{step.Name}': {problem}.", "write a placeholder as {out}, {run} or {AXIS}, and a literal brace as {{ or }}.");
                    }

                    if (names.FirstOrDefault(n => !known.Contains(n)) is string unknown)
                    {
                        throw Error($"the option '{option.Name}' of step '{step.Name}' uses the placeholder {{{unknown}}}, which is neither {{{Placeholders.RunDirectory}}}, {{{Placeholders.RunName}}} nor an axis.", $"the placeholders are {string.Join(", ", known.Select(k => "{" + k + "}"))}.");
                    }
                }
            }
        }

        private string Name(string text, string what)
        {
            string name = text.StartsWith("--", StringComparison.Ordinal) ? text[2..] : text;
            if (!OptionName().IsMatch(name))
            {
                throw Error($"'{text}' ({what}) is not an option name.", "name options as the command's flags without the dashes, e.g. \"rank\" or \"lr-end\".");
            }

            return name;
        }

        private SpecValue Value(JsonElement element, string where) =>
            element.ValueKind switch
            {
                JsonValueKind.String => SpecValue.Of(element.GetString()!),
                JsonValueKind.Number => SpecValue.Number(element.GetRawText()),
                JsonValueKind.True => SpecValue.Of(true),
                JsonValueKind.False => SpecValue.Of(false),
                _ => throw Error($"{where} is {Describe(element)}; a value is a string, a number or true/false.", "write one value; to vary it, make it an axis (a list of values)."),
            };

        /// <summary>The fields of an object, refusing other kinds, unknown fields and repeated ones.</summary>
        private Dictionary<string, JsonElement> Fields(JsonElement element, string where, string[] allowed)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error($"{where} is {Describe(element)}, not an object.", SeeDocs + ".");
            }

            var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (JsonProperty property in element.EnumerateObject())
            {
                if (!allowed.Contains(property.Name))
                {
                    throw Error($"{where} has an unknown field '{property.Name}'.", $"the fields are {string.Join(", ", allowed)}; {SeeDocs}.");
                }

                if (!fields.TryAdd(property.Name, property.Value))
                {
                    throw Error($"{where} has the field '{property.Name}' twice.", "keep one of them.");
                }
            }

            return fields;
        }

        private static string Describe(JsonElement element) =>
            element.ValueKind switch
            {
                JsonValueKind.Object => "an object",
                JsonValueKind.Array => "a list",
                JsonValueKind.String => $"the string \"{element.GetString()}\"",
                JsonValueKind.Number => $"the number {element.GetRawText()}",
                JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
                _ => "null",
            };
    }
}
