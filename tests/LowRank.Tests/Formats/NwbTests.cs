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
    public void LoadsAsARecording()
    {
        Recording recording = RecordingLoader.Load(Fixtures.Nwb("units.nwb"), new RecordingOptions { Binning = new SpikeBinning { BinWidth = 0.02 } });
        Assert.Equal([1, 5, 3], recording.Observations.Shape);
        Assert.Equal(["10", "11", "12"], recording.ChannelNames!);
        Assert.Equal(50.0, recording.SampleRate);
        Assert.Equal(4.0, recording.Observations.Data.Where((_, i) => i % 3 == 0).Sum());
        Assert.Equal(0, recording.Binning!.Applied.Start);
        Assert.Equal(0.1, recording.Binning.Applied.Stop);
    }

    [Fact]
    public void RecordingNeedsABinWidth()
    {
        string path = Fixtures.Nwb("units.nwb");
        var error = Assert.Throws<InputException>(() => RecordingLoader.Load(path));
        Assert.Equal($"recording '{path}' holds spike times, which need a bin width to become counts.", error.Message);
        Assert.Equal("give the bin width in seconds with BinWidth, e.g. 0.02 for 20 ms bins.", error.Hint);
    }

    [Fact]
    public void ReadsTheTrialsTable()
    {
        string path = NwbBuilder.Write(_temp.File("trials.nwb"), [[0.5, 1.5], [2.5]], trials: [(0, 1), (1, 2.5), (3, 3.25)]);
        NwbTrials trials = Nwb.ReadTrials(path)!;
        Assert.Equal([0.0, 1, 3], trials.StartTimes);
        Assert.Equal([1.0, 2.5, 3.25], trials.StopTimes);
        Assert.Null(Nwb.ReadTrials(Fixtures.Nwb("units.nwb")));
    }

    [Fact]
    public void ReadsUnitsWrittenByPureHdf()
    {
        string path = NwbBuilder.Write(_temp.File("written.nwb"), [[0.25, 0.75], [], [1.5]], ids: [4, 7, 9]);
        NwbUnits units = Nwb.ReadUnits(path);
        Assert.Equal([4L, 7, 9], units.UnitIds);
        Assert.Equal([0.25, 0.75], units.SpikeTimes[0]);
        Assert.Empty(units.SpikeTimes[1]);
        Assert.Equal([1.5], units.SpikeTimes[2]);
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
}
