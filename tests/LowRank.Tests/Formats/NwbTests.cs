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
    public void RejectsFilesThatAreNotHdf5()
    {
        string path = _temp.File("fake.nwb");
        File.WriteAllText(path, new string('x', 2000));
        var error = Assert.Throws<InputException>(() => Nwb.ReadUnits(path));
        Assert.Equal($"NWB '{path}' is not an HDF5 file (no HDF5 signature found).", error.Message);
    }
}
