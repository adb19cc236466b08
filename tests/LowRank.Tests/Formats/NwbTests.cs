using LowRank.Data;
using LowRank.Formats;

namespace LowRank.Tests.Formats;

public sealed class NwbTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ReadsTheRaggedSpikeTimesColumn()
    {
        NwbUnits units = Nwb.ReadUnits(Fixtures.Nwb("units.nwb"));
        Assert.Equal([10L, 11, 12], units.UnitIds);
        Assert.Equal([0.0012, 0.0131, 0.0142, 0.0505], units.SpikeTimes[0]);
        Assert.Empty(units.SpikeTimes[1]);
        Assert.Equal([0.0205, 0.0995], units.SpikeTimes[2]);
    }

    [Fact]
    public void BinsSpikesIntoCounts()
    {
        NdArray counts = Nwb.BinCounts(Nwb.ReadUnits(Fixtures.Nwb("units.nwb")), 0.01);
        Assert.Equal([10, 3], counts.Shape);
        double[] expected = new double[30];
        expected[0 * 3 + 0] = 1; // 0.0012
        expected[1 * 3 + 0] = 2; // 0.0131, 0.0142
        expected[5 * 3 + 0] = 1; // 0.0505
        expected[2 * 3 + 2] = 1; // 0.0205
        expected[9 * 3 + 2] = 1; // 0.0995
        Assert.Equal(expected, counts.Data);
    }

    [Fact]
    public void BinsStartAtTheEarliestSpike()
    {
        var units = new NwbUnits([1, 2], [[100.25, 100.75], [101.5]]);
        NdArray counts = Nwb.BinCounts(units, 0.5);
        Assert.Equal([4, 2], counts.Shape); // bins from 100.0: [100, 100.5), …, [101.5, 102)
        Assert.Equal([1.0, 0, 1, 0, 0, 0, 0, 1], counts.Data);
    }

    [Fact]
    public void LoadsAsARecording()
    {
        Recording recording = RecordingLoader.Load(Fixtures.Nwb("units.nwb"), new RecordingOptions { BinWidth = 0.02 });
        Assert.Equal([1, 5, 3], recording.Observations.Shape);
        Assert.Equal(["10", "11", "12"], recording.ChannelNames!);
        Assert.Equal(50.0, recording.SampleRate);
        Assert.Equal(4.0, recording.Observations.Data.Where((_, i) => i % 3 == 0).Sum());
    }

    [Fact]
    public void RecordingNeedsABinWidth()
    {
        string path = Fixtures.Nwb("units.nwb");
        var error = Assert.Throws<InputException>(() => RecordingLoader.Load(path));
        Assert.Equal($"recording '{path}' holds spike times, which need a positive bin width to become counts (got none).", error.Message);
    }

    [Fact]
    public void RejectsFilesWithoutUnits()
    {
        string path = Fixtures.Nwb("no_units.nwb");
        var error = Assert.Throws<InputException>(() => Nwb.ReadUnits(path));
        Assert.Equal($"NWB '{path}' has no units table with spike times (/units/spike_times and /units/spike_times_index).", error.Message);
    }

    [Fact]
    public void ReadsFromAStream()
    {
        NwbUnits units = Nwb.ReadUnits(new MemoryStream(File.ReadAllBytes(Fixtures.Nwb("units.nwb"))), "units.nwb");
        Assert.Equal([10L, 11, 12], units.UnitIds);
        Assert.Equal([0.0205, 0.0995], units.SpikeTimes[2]);
        Assert.Throws<ArgumentException>(() => Nwb.ReadUnits(new ForwardOnlyStream(File.ReadAllBytes(Fixtures.Nwb("units.nwb"))), "pipe.nwb"));
    }

    [Fact]
    public void DamagedStructuresAreAnInputError()
    {
        string path = Damaged("damaged.nwb", 6144, "damaged!"u8); // the units group's symbol table node, signature 'SNOD'
        var error = Assert.Throws<InputException>(() => Nwb.ReadUnits(path));
        Assert.Equal($"NWB '{path}' is not a readable HDF5 file (The actual signature 'dama' does not match the expected signature 'SNOD').", error.Message);
        Assert.Equal(DamagedHint, error.Hint);
    }

    [Fact]
    public void LengthPastTheEndOfTheFileIsAnInputError()
    {
        byte[] size = new byte[8];
        BitConverter.TryWriteBytes(size, 100_000L);
        string path = Damaged("heap.nwb", 1032, size); // the local heap's data segment size, 88
        var error = Assert.Throws<InputException>(() => Nwb.ReadUnits(path));
        Assert.Equal($"NWB '{path}' is not a readable HDF5 file (a structure at byte 1056 needs 100000 bytes, but the file ends at byte 8267).", error.Message);
        Assert.Equal(DamagedHint, error.Hint);
    }

    [Fact]
    public void ExtentLargerThanTheFileFailsBeforeReading()
    {
        byte[] extent = new byte[16];
        BitConverter.TryWriteBytes(extent.AsSpan(0, 8), 100_000_000L); // 800 MB of float64: one array could hold it, the file cannot
        BitConverter.TryWriteBytes(extent.AsSpan(8), 100_000_000L);
        string path = Damaged("extent.nwb", 6504, extent); // spike_times' extent and maximum extent, 6 each
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InputException>(() => Nwb.ReadUnits(path));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16 << 20);
        Assert.Equal($"NWB '{path}' claims 100000000 values of 8 bytes in /units/spike_times, more than its 8267 bytes can hold.", error.Message);
        Assert.Equal("the file is damaged (an interrupted copy or download?); copy or export it again.", error.Hint);
    }

    private const string DamagedHint = "the file is damaged (an interrupted copy or download?) or not HDF5; copy it again, or export it again with pynwb.";

    /// <summary>A copy of units.nwb with <paramref name="bytes"/> written at <paramref name="offset"/>.</summary>
    private string Damaged(string name, int offset, ReadOnlySpan<byte> bytes)
    {
        byte[] file = File.ReadAllBytes(Fixtures.Nwb("units.nwb"));
        bytes.CopyTo(file.AsSpan(offset));
        string path = _temp.File(name);
        File.WriteAllBytes(path, file);
        return path;
    }

    [Fact]
    public void RejectsFilesThatAreNotHdf5()
    {
        string path = _temp.File("fake.nwb");
        File.WriteAllText(path, new string('x', 2000));
        var error = Assert.Throws<InputException>(() => Nwb.ReadUnits(path));
        Assert.Equal($"NWB '{path}' is not an HDF5 file (no HDF5 signature found).", error.Message);
    }

    [Fact]
    public void ASpikeFarFromTheRestIsRefusedBeforeAllocatingItsBins()
    {
        // One damaged spike time 10⁷ s after the others: about 10¹⁰ bins of 1 ms for 2 units.
        var units = new NwbUnits([1, 2], [[0.5, 1.5], [0.7, 1e7]]);
        InputException error = Assert.Throws<InputException>(() => Nwb.BinCounts(units, 0.001));
        Assert.Equal("binning 1E+07 s of spikes at 0.001 s needs the counts [bins, units]: [9999999501 × 2] = 19,999,999,002 values in one array, more than an array can hold (2,147,483,591); in all it needs 149.0 GiB (159,999,992,016 bytes).", error.Message);
        Assert.Equal("choose a wider bin, or check the spike times (one far from the rest stretches the recording).", error.Hint);
    }
}
