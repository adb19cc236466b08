using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;

namespace LowRank.Tests.Formats;

/// <summary>How long one read may take and how much it may allocate.</summary>
/// <param name="Hang">How long a read may run before the run stops as hung (a read that breaks <paramref name="Limit"/> still fails once it returns).</param>
internal sealed record FuzzBounds(TimeSpan Limit, long MaxAllocated, TimeSpan Hang)
{
    /// <summary>Refusals allowed to break the bounds for a reason outside the reader's own code, or none.</summary>
    public KnownOverrun? Known { get; init; }
}

/// <summary>
/// Refusals that may break the bounds for a documented reason outside the reader's own code: those whose message
/// <paramref name="Message"/> matches, at most <paramref name="MaxCases"/> of them (a ratchet: lower it as the cause is fixed).
/// </summary>
internal sealed record KnownOverrun(string Reason, Regex Message, int MaxCases);

/// <summary>What a fuzz run saw: how many mutants read, how many were refused with an input error, how many broke the bounds for the known reason, and the slowest and hungriest case.</summary>
internal sealed record FuzzSummary(int Cases, int Read, int Refused, int KnownOverruns, int DistinctMessages, TimeSpan Slowest, long MostAllocated)
{
    public override string ToString() =>
        $"{Cases} cases: {Read} read, {Refused} refused ({DistinctMessages} distinct messages, {KnownOverruns} over the bounds for the known reason); " +
        $"slowest {Slowest.TotalMilliseconds:F1} ms, most allocated {MostAllocated / 1024} KiB";
}

/// <summary>
/// Mutates valid files and checks that a reader either reads each mutant or refuses it with an
/// <see cref="InputException"/> that has a message and a hint, never another exception, within a time and
/// an allocation bound. The cases are drawn with CsCheck generators from one fixed seed, in order, so a run
/// is the same on every machine; they are then read in parallel.
/// </summary>
internal static class FileFuzzer
{
    /// <summary>One byte-level mutation: flips, overwrites (random or boundary bytes), insertions, deletions and truncations.</summary>
    public static Gen<Mutation> Mutations { get; } = Gen.Frequency(
        (4, Gen.Select(Gen.UInt, Gen.Int[0, 7], (at, bit) => (Mutation)new FlipBit(at, bit))),
        (3, Gen.Select(Gen.UInt, Gen.Byte.Array[1, 8], (at, with) => (Mutation)new Overwrite(at, with))),
        (2, Gen.Select(Gen.UInt, Gen.OneOf<byte>(0x00, 0xFF, 0x7F, 0x80).Array[1, 8], (at, with) => (Mutation)new Overwrite(at, with))),
        (2, Gen.Select(Gen.UInt, Gen.Byte.Array[1, 16], (at, bytes) => (Mutation)new Insert(at, bytes))),
        (2, Gen.Select(Gen.UInt, Gen.Int[1, 64], (at, count) => (Mutation)new Delete(at, count))),
        (2, Gen.UInt.Select(at => (Mutation)new Truncate(at))));

    /// <summary>Mutants of <paramref name="seeds"/>: up to three field edits and up to three byte mutations, at least one change in all.</summary>
    public static Gen<FuzzCase> Cases(IReadOnlyList<FuzzSeed> seeds) =>
        Gen.Int[0, seeds.Count - 1].SelectMany(index =>
        {
            FuzzSeed seed = seeds[index];
            Gen<FieldEdit[]> edits = seed.Fields.Count == 0
                ? Gen.Const(Array.Empty<FieldEdit>())
                : Edits(seed).Array[0, 3];
            return Gen.Select(edits, Mutations.Array[0, 3], (e, m) => new FuzzCase(seed, e, m));
        }).Where(c => c.Edits.Length + c.Mutations.Length > 0);

    /// <summary>
    /// Reads <paramref name="cases"/> mutants of <paramref name="seeds"/> with <paramref name="read"/> and fails, naming
    /// the first case of each kind of failure, if any read throws anything but an <see cref="InputException"/> with a
    /// message and a hint, or breaks <paramref name="bounds"/> other than as <see cref="FuzzBounds.Known"/> allows.
    /// </summary>
    public static FuzzSummary Run(IReadOnlyList<FuzzSeed> seeds, Action<byte[]> read, int cases, string seed, FuzzBounds bounds)
    {
        foreach (FuzzSeed valid in seeds)
        {
            read(valid.Bytes); // every seed is a valid file (and the reader is warmed up)
        }

        Gen<FuzzCase> gen = Cases(seeds);
        var pcg = PCG.Parse(seed);
        var drawn = new FuzzCase[cases];
        for (int i = 0; i < cases; i++)
        {
            drawn[i] = gen.Generate(pcg, null, out _);
        }

        Outcome[] outcomes = ReadAll(drawn, read, bounds.Hang);

        // Failures grouped by kind (exception type and message, or the bound broken), the first case of each shown.
        var kinds = new SortedDictionary<string, (int First, int Count, string Problem)>(StringComparer.Ordinal);
        void Fail(int i, string kind, string problem) =>
            kinds[kind] = kinds.TryGetValue(kind, out var seen) ? seen with { Count = seen.Count + 1 } : (i, 1, problem);
        int known = 0;
        for (int i = 0; i < cases; i++)
        {
            Outcome outcome = outcomes[i];
            string? broken = outcome.Elapsed > bounds.Limit ? $"took {outcome.Elapsed.TotalMilliseconds:F0} ms (limit {bounds.Limit.TotalMilliseconds:F0} ms)"
                : outcome.Allocated > bounds.MaxAllocated ? $"allocated {outcome.Allocated} bytes (limit {bounds.MaxAllocated})"
                : null;
            switch (outcome.Error)
            {
                case null or InputException when broken is null:
                    break;
                case InputException input when bounds.Known is { } allowed && allowed.Message.IsMatch(input.Message):
                    known++;
                    break;
                case null or InputException:
                    Fail(i, broken!.StartsWith("took", StringComparison.Ordinal) ? "too slow" : "allocated too much", $"{broken}: {outcome.Error?.Message ?? "read"}");
                    break;
                default:
                    Fail(i, $"{outcome.Error.GetType().Name}: {MessageShape(outcome.Error.Message)}", $"threw {outcome.Error}");
                    break;
            }

            if (outcome.Error is InputException refusal && (string.IsNullOrWhiteSpace(refusal.Message) || string.IsNullOrWhiteSpace(refusal.Hint)))
            {
                Fail(i, "input error without message or hint", refusal.Message);
            }
        }

        var report = new StringBuilder();
        if (bounds.Known is { } overrun && known > overrun.MaxCases)
        {
            report.AppendLine($"{known} mutants broke the bounds because {overrun.Reason}; at most {overrun.MaxCases} may.");
        }

        if (kinds.Count > 0 || report.Length > 0)
        {
            foreach ((string kind, (int first, int count, string problem)) in kinds.OrderBy(k => k.Value.First).Take(8))
            {
                report.AppendLine($"{count} × {kind}")
                    .AppendLine($"  first: case {first}: {drawn[first].Build().Description}")
                    .AppendLine($"  {problem}");
            }

            int failed = kinds.Values.Sum(k => k.Count);
            Assert.Fail($"{failed} of {cases} mutants failed, {kinds.Count} kinds of failure:{Environment.NewLine}{report}");
        }

        return new FuzzSummary(
            cases,
            Read: outcomes.Count(o => o.Error is null),
            Refused: outcomes.Count(o => o.Error is InputException),
            KnownOverruns: known,
            DistinctMessages: outcomes.Where(o => o.Error is not null).Select(o => MessageShape(o.Error!.Message)).Distinct().Count(),
            Slowest: outcomes.Max(o => o.Elapsed),
            MostAllocated: outcomes.Max(o => o.Allocated));
    }

    /// <summary>
    /// Reads every mutant on one dedicated thread per core, each case timed and its allocations counted; a watchdog
    /// fails the run, naming the case, when a read has not returned after <paramref name="hang"/>.
    /// </summary>
    private static Outcome[] ReadAll(FuzzCase[] drawn, Action<byte[]> read, TimeSpan hang)
    {
        var outcomes = new Outcome[drawn.Length];
        int threads = Math.Max(2, Environment.ProcessorCount);
        var began = new long[threads]; // Stopwatch timestamp at which each worker's current case began, 0 while idle
        var current = new int[threads];
        int next = -1;
        var workers = new Thread[threads];
        for (int w = 0; w < threads; w++)
        {
            int worker = w;
            workers[w] = new Thread(() =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < drawn.Length)
                {
                    (byte[] bytes, _) = drawn[i].Build();
                    Volatile.Write(ref current[worker], i);
                    Volatile.Write(ref began[worker], Stopwatch.GetTimestamp());
                    outcomes[i] = Attempt(read, bytes);
                    Volatile.Write(ref began[worker], 0);
                }
            })
            { IsBackground = true, Name = $"fuzz worker {w}" };
            workers[w].Start();
        }

        foreach (Thread worker in workers)
        {
            while (!worker.Join(50))
            {
                for (int w = 0; w < threads; w++)
                {
                    long start = Volatile.Read(ref began[w]);
                    if (start != 0 && Stopwatch.GetElapsedTime(start) > hang)
                    {
                        int i = Volatile.Read(ref current[w]);
                        Assert.Fail($"case {i} has not returned after {hang}: {drawn[i].Build().Description}");
                    }
                }
            }
        }

        return outcomes;
    }

    private static Gen<FieldEdit> Edits(FuzzSeed seed) =>
        Gen.Int[0, seed.Fields.Count - 1].SelectMany(f =>
        {
            FuzzField field = seed.Fields[f];
            Gen<byte[]> value = Gen.Frequency(
                (3, Gen.Int[0, field.Values.Count - 1].Select(v => field.Values[v])),
                (1, Gen.Byte.Array[field.Length]));
            return value.Select(v => new FieldEdit(field, v));
        });

    /// <summary>
    /// Reads one mutant, timing it without the garbage-collector pauses that fell into it (a collection another
    /// worker's allocation started is not this read's work; its own allocations are bounded separately).
    /// </summary>
    private static Outcome Attempt(Action<byte[]> read, byte[] bytes)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        TimeSpan pausedBefore = GC.GetTotalPauseDuration();
        long began = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            read(bytes);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(began) - (GC.GetTotalPauseDuration() - pausedBefore);
        return new Outcome(error, elapsed, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
    }

    /// <summary>A message with its numbers blanked, so messages that differ only in values count once.</summary>
    private static string MessageShape(string message) => Regex.Replace(message, "[0-9]+", "#");

    private readonly record struct Outcome(Exception? Error, TimeSpan Elapsed, long Allocated);
}
