using LowRank.Formats;
using Xunit.Abstractions;

namespace LowRank.Tests.Formats;

/// <summary>
/// The MAT v5 reader under <see cref="FileFuzzer"/>, as <see cref="ReaderFuzzTests"/> runs the other readers: every
/// mutant of SciPy's fixtures and of a big-endian file is read or refused with an <see cref="InputException"/>, within a
/// second and 64 MiB. (The v7.3 reader is PureHDF's, fuzzed through the NWB reader.)
/// </summary>
public sealed class MatFuzzTests(ITestOutputHelper output)
{
    private const string Seed = "0LowRankFuzz";
    private const int Cases = 10_000;
    private static readonly FuzzBounds Bounds = new(TimeSpan.FromSeconds(1), 64L << 20, Hang: TimeSpan.FromSeconds(60));

    [Fact]
    public void MatV5Reader()
    {
        FuzzSeed[] seeds =
        [
            Uncompressed("scipy v5_numeric.mat", File.ReadAllBytes(Fixtures.Mat("v5_numeric.mat"))),
            new("scipy v5_numeric_compressed.mat", File.ReadAllBytes(Fixtures.Mat("v5_numeric_compressed.mat")), []),
            new("scipy v5_cells_structs.mat", File.ReadAllBytes(Fixtures.Mat("v5_cells_structs.mat")), []),
            new("scipy v5_unsupported.mat", File.ReadAllBytes(Fixtures.Mat("v5_unsupported.mat")), []),
            new("big-endian, compressed, struct", new MatBuilder(bigEndian: true)
                .Double("x", [2, 3], [1, 4, 2, 5, 3, 6])
                .Double("zipped", [3, 1], [0.5, -1.5, 2.5], compress: true)
                .Struct("st", ("alpha", 0.25), ("beta", -8))
                .Build(), []),
        ];
        FuzzSummary summary = FileFuzzer.Run(seeds, bytes => MatFile.Read(new MemoryStream(bytes), "fuzz.mat"), Cases, Seed, Bounds);
        output.WriteLine(summary.ToString());
        Assert.Equal(Cases, summary.Read + summary.Refused);
        Assert.InRange(summary.Read, 1, Cases - 1);
        Assert.InRange(summary.Refused, 1, Cases - 1);
    }

    /// <summary>The first variable's byte count (at 132) and dimensions (at 160, 164) as fields worth editing.</summary>
    private static FuzzSeed Uncompressed(string name, byte[] bytes)
    {
        byte[][] lengths = [BitConverter.GetBytes(0), BitConverter.GetBytes(int.MaxValue), BitConverter.GetBytes(-1), BitConverter.GetBytes(1 << 20)];
        byte[][] dims = [BitConverter.GetBytes(0), BitConverter.GetBytes(1), BitConverter.GetBytes(int.MaxValue), BitConverter.GetBytes(-1), BitConverter.GetBytes(65536)];
        return new FuzzSeed(name, bytes, [new FuzzField("byte count", 132, 4, lengths), new FuzzField("rows", 160, 4, dims), new FuzzField("columns", 164, 4, dims)]);
    }
}
