using System.IO.Compression;
using LowRank.Cli;
using LowRank.Formats;

namespace LowRank.Tests.Cli;

/// <summary>
/// Damaged files reach the commands as input errors, never as data: a byte flipped inside an npz member (which NumPy
/// refuses by its CRC-32) fails a fit's data and a model's parameters alike.
/// </summary>
public sealed class CorruptInputCommandTests : IDisposable
{
    private const string DamagedHint = "the file was corrupted in storage or transfer; copy or save it again (np.savez).";

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Flips one bit in the middle of the data of the member <paramref name="member"/> of the stored npz <paramref name="path"/>.</summary>
    private static void FlipInside(string path, string member)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long offset;
        using (var archive = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read))
        {
            ZipArchiveEntry entry = archive.GetEntry(member)!;
            Assert.Equal(entry.Length, entry.CompressedLength); // stored, so the data bytes are the member's bytes
            int index = archive.Entries.IndexOf(entry);
            long header = 0;
            for (int i = 0; i <= index; i++)
            {
                int nameLength = BitConverter.ToUInt16(bytes, (int)header + 26), extraLength = BitConverter.ToUInt16(bytes, (int)header + 28);
                long data = header + 30 + nameLength + extraLength;
                offset = data + archive.Entries[i].CompressedLength - 3;
                header = data + archive.Entries[i].CompressedLength;
                if (i == index)
                {
                    bytes[offset] ^= 0x10;
                }
            }
        }

        File.WriteAllBytes(path, bytes);
    }

    private static void AssertDamaged(string path, string member, params string[] args)
    {
        CliResult result = CliHarness.Run(args);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        string[] lines = result.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches($"^error: member '{member}' of npz '{System.Text.RegularExpressions.Regex.Escape(path)}' is damaged: its CRC-32 is [0-9a-f]{{8}} but the archive records [0-9a-f]{{8}}\\.$", lines[0]);
        Assert.Equal("  hint: " + DamagedHint, lines[1]);
    }

    [Fact]
    public void ADamagedRecordingIsNotFitted()
    {
        string data = _temp.File("d.npz");
        Assert.Equal(0, CliHarness.Run("simulate", "--units", "16", "--channels", "3", "--steps", "100", "--threads", "1", "--out", data).ExitCode);
        Npz.Write(data, Npz.Read(data), DType.Float64, compressed: false);
        FlipInside(data, "samples.npy");
        AssertDamaged(data, "samples.npy", "fit", "--data", data, "--out", _temp.File("fit"));
        AssertDamaged(data, "samples.npy", "inspect", data);
        Assert.False(Directory.Exists(_temp.File("fit")));
    }

    [Fact]
    public void ADamagedModelIsNotLoaded()
    {
        string model = _temp.File("m");
        Assert.Equal(0, CliHarness.Run("simulate", "--units", "16", "--channels", "3", "--steps", "10", "--threads", "1", "--out", _temp.File("d.npz"), "--model-out", model).ExitCode);
        string parameters = Path.Combine(model, "params.npz");
        Npz.Write(parameters, Npz.Read(parameters), DType.Float64, compressed: false);
        FlipInside(parameters, "m.npy");
        AssertDamaged(parameters, "m.npy", "generate", "--model", model, "--out", _temp.File("g.npz"));
        Assert.False(File.Exists(_temp.File("g.npz")));
    }

    [SharedDataFact("hippocampus/hc11_buddy.npz")]
    public void TheSharedHippocampusRecordingInspects()
    {
        // Its side arrays are int8 and bool: every NumPy integer and bool dtype reads.
        CliResult result = CliHarness.Run("inspect", Fixtures.SharedData("hippocampus/hc11_buddy.npz")!);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains("int8", result.Output);
    }
}
