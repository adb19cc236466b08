using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LowRank.Sweeps;

/// <summary>One option of a step: its name without dashes (<c>rank</c>) and its value.</summary>
public sealed record SpecOption(string Name, SpecValue Value);

/// <summary>An axis of a sweep: an option of the main step and the values it takes, in the spec's order.</summary>
public sealed record SweepAxis(string Name, IReadOnlyList<SpecValue> Values);

/// <summary>
/// One command every run executes: its name (the run's figures file is <c>NAME.json</c>, its logs
/// <c>NAME.stdout.log</c> and <c>NAME.stderr.log</c>), its command path (<c>fit</c>, <c>lint fit</c>) and its options,
/// whose string values may hold placeholders (<see cref="Placeholders"/>).
/// </summary>
public sealed record SweepStep(string Name, string Command, IReadOnlyList<SpecOption> Options)
{
    /// <summary>The words of <see cref="Command"/>, e.g. <c>["task", "train"]</c>.</summary>
    public string[] CommandWords => Command.Split(' ');
}

/// <summary>
/// A sweep: a main step run once per point of the cartesian product of <see cref="Axes"/> (in the spec's order, the
/// first axis outermost), each point adding its axis values to the main step's options, then the follow-up steps.
/// Read one with <see cref="SweepSpecReader"/>; docs/sweeps.md gives the file format.
/// </summary>
public sealed record SweepSpec(SweepStep Main, IReadOnlyList<SweepAxis> Axes, IReadOnlyList<SweepStep> FollowUp)
{
    /// <summary>The main step, then the follow-ups.</summary>
    public IReadOnlyList<SweepStep> Steps => [Main, .. FollowUp];

    /// <summary>Points of the sweep: the product of the axis lengths.</summary>
    public long PointCount => Axes.Aggregate(1L, (count, axis) => count * axis.Values.Count);

    /// <summary>
    /// The spec in one canonical form (compact JSON: ranges written out as lists, names without dashes, follow-up steps
    /// named), which reads back to the same spec; two spec files that sweep the same runs have the same canonical form.
    /// </summary>
    public string ToCanonicalJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString(SweepSpecReader.CommandField, Main.Command);
            WriteOptions(writer, Main.Options);
            writer.WriteStartObject(SweepSpecReader.AxesField);
            foreach (SweepAxis axis in Axes)
            {
                writer.WriteStartArray(axis.Name);
                foreach (SpecValue value in axis.Values)
                {
                    value.WriteTo(writer);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WriteStartArray(SweepSpecReader.FollowUpField);
            foreach (SweepStep step in FollowUp)
            {
                writer.WriteStartObject();
                writer.WriteString(SweepSpecReader.NameField, step.Name);
                writer.WriteString(SweepSpecReader.CommandField, step.Command);
                WriteOptions(writer, step.Options);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>SHA-256 of <see cref="ToCanonicalJson"/>, lower-case hex: the sweep's identity.</summary>
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToCanonicalJson())));

    private static void WriteOptions(Utf8JsonWriter writer, IReadOnlyList<SpecOption> options)
    {
        writer.WriteStartObject(SweepSpecReader.OptionsField);
        foreach (SpecOption option in options)
        {
            writer.WritePropertyName(option.Name);
            option.Value.WriteTo(writer);
        }

        writer.WriteEndObject();
    }
}
