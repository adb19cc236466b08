using System.Text;

namespace LowRank.Tests.Formats;

/// <summary>A valid file to mutate, with the header fields a format-aware edit may rewrite.</summary>
/// <param name="Name">What the file is, for failure reports (e.g. <c>stored npz, f8 [3, 2]</c>).</param>
internal sealed record FuzzSeed(string Name, byte[] Bytes, IReadOnlyList<FuzzField> Fields);

/// <summary>Bytes <c>[Offset, Offset + Length)</c> of a seed hold the field <paramref name="Name"/>; <paramref name="Values"/> are replacements worth trying.</summary>
/// <param name="Padded">
/// The field is followed, before the next newline, by space padding that absorbs a change of its length (as in an npy
/// header): an edit keeps every later byte where it was, so the file stays consistent around the edited value.
/// </param>
internal sealed record FuzzField(string Name, int Offset, int Length, IReadOnlyList<byte[]> Values, bool Padded = false);

/// <summary>One change to a file's bytes; positions are taken modulo the length they apply to, so any value is valid.</summary>
internal abstract record Mutation
{
    /// <summary>The mutated bytes and a description that names the actual offsets.</summary>
    public abstract (byte[] Bytes, string Description) Apply(byte[] bytes);
}

internal sealed record FlipBit(uint At, int Bit) : Mutation
{
    public override (byte[], string) Apply(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return (bytes, "flip (empty file)");
        }

        int at = (int)(At % (uint)bytes.Length);
        byte[] result = [.. bytes];
        result[at] ^= (byte)(1 << Bit);
        return (result, $"flip bit {Bit} of byte {at}");
    }
}

internal sealed record Overwrite(uint At, byte[] With) : Mutation
{
    public override (byte[], string) Apply(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return (bytes, "overwrite (empty file)");
        }

        int at = (int)(At % (uint)bytes.Length);
        int count = Math.Min(With.Length, bytes.Length - at);
        byte[] result = [.. bytes];
        With.AsSpan(0, count).CopyTo(result.AsSpan(at));
        return (result, $"overwrite bytes {at}..{at + count - 1} with {Convert.ToHexString(With, 0, count)}");
    }
}

internal sealed record Insert(uint At, byte[] Bytes) : Mutation
{
    public override (byte[], string) Apply(byte[] bytes)
    {
        int at = (int)(At % (uint)(bytes.Length + 1));
        return ([.. bytes.AsSpan(0, at), .. Bytes, .. bytes.AsSpan(at)], $"insert {Convert.ToHexString(Bytes)} at {at}");
    }
}

internal sealed record Delete(uint At, int Count) : Mutation
{
    public override (byte[], string) Apply(byte[] bytes)
    {
        int at = (int)(At % (uint)(bytes.Length + 1));
        int count = Math.Min(Count, bytes.Length - at);
        return ([.. bytes.AsSpan(0, at), .. bytes.AsSpan(at + count)], $"delete bytes {at}..{at + count - 1}");
    }
}

internal sealed record Truncate(uint At) : Mutation
{
    public override (byte[], string) Apply(byte[] bytes)
    {
        int length = (int)(At % (uint)(bytes.Length + 1));
        return (bytes[..length], $"truncate to {length} bytes");
    }
}

/// <summary>A format-aware edit of a seed: the field's bytes replaced by <paramref name="Value"/> (which may be longer or shorter).</summary>
internal sealed record FieldEdit(FuzzField Field, byte[] Value);

/// <summary>A seed, the field edits made to it (applied first, at the seed's offsets), then the byte mutations.</summary>
internal sealed record FuzzCase(FuzzSeed Seed, FieldEdit[] Edits, Mutation[] Mutations)
{
    public (byte[] Bytes, string Description) Build()
    {
        var description = new StringBuilder($"seed '{Seed.Name}' ({Seed.Bytes.Length} bytes)");
        byte[] bytes = Seed.Bytes;
        // Later fields first, so each edit finds its field where the seed had it.
        foreach (FieldEdit edit in Edits.DistinctBy(e => e.Field).OrderByDescending(e => e.Field.Offset))
        {
            FuzzField field = edit.Field;
            bytes = [.. bytes.AsSpan(0, field.Offset), .. edit.Value, .. bytes.AsSpan(field.Offset + field.Length)];
            if (field.Padded)
            {
                bytes = Repad(bytes, field.Offset + edit.Value.Length, edit.Value.Length - field.Length);
            }
            description.Append($"; set {field.Name} (bytes {field.Offset}..{field.Offset + field.Length - 1}) to {Show(edit.Value)}");
        }

        foreach (Mutation mutation in Mutations)
        {
            (bytes, string what) = mutation.Apply(bytes);
            description.Append("; ").Append(what);
        }

        return (bytes, description.ToString());
    }

    /// <summary>Takes <paramref name="grown"/> spaces from (or gives them to) the padding before the first newline after <paramref name="from"/>, if there is room.</summary>
    private static byte[] Repad(byte[] bytes, int from, int grown)
    {
        int newline = Array.IndexOf(bytes, (byte)'\n', from);
        int spaces = 0;
        while (newline > from + spaces && bytes[newline - spaces - 1] == (byte)' ')
        {
            spaces++;
        }

        if (newline < 0 || grown > spaces)
        {
            return bytes;
        }

        return grown >= 0
            ? [.. bytes.AsSpan(0, newline - grown), .. bytes.AsSpan(newline)]
            : [.. bytes.AsSpan(0, newline), .. Enumerable.Repeat((byte)' ', -grown), .. bytes.AsSpan(newline)];
    }

    private static string Show(byte[] value) =>
        Array.TrueForAll(value, b => b is >= 0x20 and < 0x7F) ? $"'{Encoding.ASCII.GetString(value)}'" : $"0x{Convert.ToHexString(value)}";
}

