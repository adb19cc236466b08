using System.Globalization;

namespace LowRank;

/// <summary>
/// The arrays a computation is about to allocate, checked before any of them is: each must fit a .NET array
/// and all together the memory available to this process, or the computation is refused with an
/// <see cref="InputException"/> that states the bytes needed. Sizes are multiplied in double precision, so
/// counts of any size (2·10⁹ trials × 10⁶ steps) are measured without overflow.
/// </summary>
/// <example>
/// <code>
/// new MemoryBudget("the simulation").Doubles("samples", trials, steps, channels).Check($"lower {InputException.Ref("Trials")}.");
/// </code>
/// </example>
public sealed class MemoryBudget(string task)
{
    private readonly List<Part> _parts = [];

    /// <summary>Bytes available to this process: physical memory or the container's limit, as the runtime sees it.</summary>
    public static long Available => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>The bytes of every array added so far.</summary>
    public double Bytes => _parts.Sum(p => p.Bytes);

    /// <summary>Adds one array of doubles with the given dimensions (its length is their product).</summary>
    public MemoryBudget Doubles(string what, params double[] dimensions) => Add(what, 1, sizeof(double), dimensions);

    /// <summary>Adds <paramref name="count"/> arrays of doubles, each with the given dimensions (e.g. one per sequence of a batch).</summary>
    public MemoryBudget DoublesEach(string what, double count, params double[] dimensions) => Add(what, count, sizeof(double), dimensions);

    /// <summary>Adds <paramref name="count"/> arrays of <paramref name="elementSize"/>-byte elements, each with the given dimensions.</summary>
    public MemoryBudget Add(string what, double count, int elementSize, params double[] dimensions)
    {
        _parts.Add(new Part(what, Math.Max(count, 0), elementSize, dimensions));
        return this;
    }

    /// <summary>
    /// Throws unless every array fits a .NET array (at most <see cref="Array.MaxLength"/> elements) and the total fits
    /// <paramref name="available"/> bytes (default: <see cref="Available"/>); <paramref name="hint"/> says what to lower.
    /// </summary>
    public void Check(string hint, long? available = null)
    {
        foreach (Part part in _parts.Where(p => p.Count > 0 && p.Length > Array.MaxLength))
        {
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"{task} needs {part.What}: {part.Shape} = {part.Length:N0} values in one array, more than an array can hold ({Array.MaxLength:N0}); in all it needs {Describe(Bytes)}."),
                hint);
        }

        long limit = available ?? Available;
        if (Bytes > limit)
        {
            Part largest = _parts.MaxBy(p => p.Bytes)!;
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"{task} needs {Describe(Bytes)} of memory, but {Describe(limit)} is available (the largest part, {largest.What}: {largest.Shape}, takes {Describe(largest.Bytes)})."),
                hint);
        }
    }

    /// <summary>A byte count as a binary multiple with the exact count, e.g. <c>16.0 GiB (17,179,869,184 bytes)</c>.</summary>
    public static string Describe(double bytes)
    {
        string[] units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]} ({bytes:N0} bytes)");
    }

    private sealed record Part(string What, double Count, int ElementSize, double[] Dimensions)
    {
        public double Length => Dimensions.Aggregate(1.0, (p, d) => p * Math.Max(d, 0));

        public double Bytes => Count * Length * ElementSize;

        public string Shape =>
            (Count == 1 ? "" : Count.ToString("0", CultureInfo.InvariantCulture) + " arrays of ")
            + "[" + string.Join(" × ", Dimensions.Select(d => d.ToString("0", CultureInfo.InvariantCulture))) + "]";
    }
}
