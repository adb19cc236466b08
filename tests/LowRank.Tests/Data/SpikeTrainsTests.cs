using LowRank.Data;
using LowRank.Formats;

namespace LowRank.Tests.Data;

/// <summary>Spike times from an npz (<c>spike_times</c>, <c>spike_units</c>, <c>n_units</c>) and an NWB units table: the rule and each refusal.</summary>
public sealed class SpikeTrainsTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static OrderedDictionary<string, NdArray> Arrays(double[] times, double[] units, double? unitCount = null)
    {
        var arrays = new OrderedDictionary<string, NdArray> { ["spike_times"] = NdArray.FromVector(times), ["spike_units"] = NdArray.FromVector(units) };
        if (unitCount is { } n)
        {
            arrays["n_units"] = NdArray.Scalar(n);
        }

        return arrays;
    }

    private static InputException Refused(double[] times, double[] units, double? unitCount = null) =>
        Assert.Throws<InputException>(() => SpikeTrains.FromNpz(Arrays(times, units, unitCount), "s.npz"));

    [Fact]
    public void EachSpikeGoesToItsUnitInArchiveOrder()
    {
        SpikeTrains spikes = SpikeTrains.FromNpz(Arrays([0.1, 0.5, 0.2, 0.9], [1, 0, 1, 1], unitCount: 3), "s.npz");
        Assert.Equal(3, spikes.Units);
        Assert.Equal([0.5], spikes.Times[0]);
        Assert.Equal([0.1, 0.2, 0.9], spikes.Times[1]);
        Assert.Empty(spikes.Times[2]); // a silent unit, there because n_units says so
        Assert.Equal(["0", "1", "2"], spikes.UnitNames);
        Assert.Equal([1L, 3, 0], spikes.SpikesPerUnit);
        Assert.Equal((0.1, 0.9), spikes.Span);
    }

    [Fact]
    public void WithoutNUnitsTheLargestIdSetsTheUnits()
    {
        SpikeTrains spikes = SpikeTrains.FromNpz(Arrays([0.1, 0.2], [2, 0]), "s.npz");
        Assert.Equal(3, spikes.Units);
        Assert.Empty(spikes.Times[1]);
    }

    [Fact]
    public void TheArrayNamesMarkAnArchiveOfSpikeTimes()
    {
        Assert.True(SpikeTrains.IsSpikeTimeArchive(["spike_times", "spike_units"]));
        Assert.False(SpikeTrains.IsSpikeTimeArchive(["data", "spike_times", "spike_units"]));
        Assert.False(SpikeTrains.IsSpikeTimeArchive(["samples", "spike_times"]));
        Assert.False(SpikeTrains.IsSpikeTimeArchive(["data"]));
    }

    [Fact]
    public void TheLoaderBinsAnArchiveOfSpikeTimesAndRefusesABinWidthForSamples()
    {
        string spikes = _temp.File("spikes.npz");
        Npz.Write(spikes, Arrays([0.05, 0.25, 0.15], [0, 1, 0], unitCount: 2));
        Recording recording = RecordingLoader.Load(spikes, new RecordingOptions { Binning = new SpikeBinning { BinWidth = 0.1 } });
        // Window [0, 0.3): unit 0 at 0.05 (bin 0) and 0.15 (bin 1), unit 1 at 0.25 (bin 2).
        Assert.Equal([1, 3, 2], recording.Observations.Shape);
        Assert.Equal([1.0, 0, 1, 0, 0, 1], recording.Observations.Data);
        Assert.Equal(["0", "1"], recording.ChannelNames!);
        Assert.True(RecordingLoader.HoldsSpikeTimes(spikes));

        string samples = _temp.File("samples.npz");
        Npz.Write(samples, new OrderedDictionary<string, NdArray> { ["data"] = NdArray.Zeros(4, 2), ["spike_times"] = NdArray.FromVector([0.1]) });
        Assert.False(RecordingLoader.HoldsSpikeTimes(samples));
        Assert.Equal([1, 4, 2], RecordingLoader.Load(samples).Observations.Shape); // data wins: a recording of samples
        var error = Assert.Throws<InputException>(() => RecordingLoader.Load(samples, new RecordingOptions { Binning = new SpikeBinning { BinWidth = 0.1 } }));
        Assert.Equal($"recording '{samples}' holds samples, not spike times, so BinWidth has nothing to bin.", error.Message);
    }

    // ---- Refusals -------------------------------------------------------------------------------

    [Fact]
    public void SpikeTimesAndUnitsOfDifferentLengths()
    {
        InputException error = Refused([0.1, 0.2, 0.3], [0, 1]);
        Assert.Equal("npz 's.npz' has 3 spike_times but 2 spike_units; each spike needs one unit id.", error.Message);
        Assert.Equal("save one unit id per spike time (len(spike_times) == len(spike_units)).", error.Hint);
    }

    [Fact]
    public void ANegativeUnitId()
    {
        InputException error = Refused([0.1, 0.2], [0, -1]);
        Assert.Equal("npz 's.npz' has spike_units[1] = -1, which is not a unit id (a whole number from 0).", error.Message);
        Assert.Equal("number the units 0 … U−1 and give each spike its unit's number in spike_units.", error.Hint);
    }

    [Fact]
    public void AUnitIdBeyondNUnits()
    {
        InputException error = Refused([0.1, 0.2], [0, 3], unitCount: 3);
        Assert.Equal("npz 's.npz' has spike_units[1] = 3, but n_units = 3 (unit ids run from 0 to 2).", error.Message);
        Assert.Equal("give each spike the id of its unit, 0 … n_units − 1, or raise n_units.", error.Hint);
    }

    [Fact]
    public void AUnitIdThatIsNotWhole() =>
        Assert.Equal("npz 's.npz' has spike_units[0] = 0.5, which is not a unit id (a whole number from 0).", Refused([0.1], [0.5]).Message);

    [Fact]
    public void SpikeTimesOutOfOrderWithinAUnit()
    {
        // Unit 0's spikes are 0.1 then 0.9, unit 1's 0.4 then 0.3; across units the order does not matter.
        InputException error = Refused([0.1, 0.4, 0.9, 0.3], [0, 1, 0, 1]);
        Assert.Equal("npz 's.npz' unit 1 has its spike 1 at 0.3 s, before its spike 0 at 0.4 s: a unit's spike times must not decrease.", error.Message);
        Assert.Equal("sort the spikes by time (order = np.argsort(t, kind='stable'); save t[order] and u[order]).", error.Hint);
        Assert.Equal([0.1, 0.9], SpikeTrains.FromNpz(Arrays([0.1, 0.4, 0.9], [0, 1, 0]), "s.npz").Times[0]);
    }

    [Fact]
    public void ANegativeSpikeTime()
    {
        InputException error = Refused([-0.5, 0.2], [0, 0]);
        Assert.Equal("npz 's.npz' unit 0 has a spike at -0.5 s, before the start of the recording (times are seconds from its start, 0).", error.Message);
        Assert.Equal("shift the times so that the recording starts at 0 s, or drop the spikes before its start.", error.Hint);
    }

    [Fact]
    public void ANonFiniteSpikeTime() =>
        Assert.Equal("npz 's.npz' unit 0 has spike time NaN.", Refused([double.NaN], [0]).Message);

    [Fact]
    public void SpikeTimesWithoutUnits()
    {
        var error = Assert.Throws<InputException>(() => SpikeTrains.FromNpz(new Dictionary<string, NdArray> { ["spike_times"] = NdArray.FromVector([0.1]) }, "s.npz"));
        Assert.Equal("npz 's.npz' has spike_times but no spike_units, so its spikes belong to no unit.", error.Message);
    }

    [Fact]
    public void ABadUnitCount()
    {
        Assert.Equal("npz 's.npz' has 'n_units' of shape [] = 0; it must be one whole number, at least 1.", Refused([], [], unitCount: 0).Message);
        Assert.Equal("npz 's.npz' has no spikes and no n_units, so it holds no unit.", Refused([], []).Message);
    }

    [Fact]
    public void NwbSpikeTimesOutOfOrderOrNegative()
    {
        var order = Assert.Throws<InputException>(() => SpikeTrains.FromNwb(new NwbUnits([7], [[0.2, 0.1]]), "u.nwb"));
        Assert.Equal("NWB 'u.nwb' unit 7 has its spike 1 at 0.1 s, before its spike 0 at 0.2 s: a unit's spike times must not decrease.", order.Message);
        Assert.Equal("sort each unit's spike times before writing the units table (pynwb keeps the order it is given).", order.Hint);
        var negative = Assert.Throws<InputException>(() => SpikeTrains.FromNwb(new NwbUnits([7], [[-1.0]]), "u.nwb"));
        Assert.Equal("NWB 'u.nwb' unit 7 has a spike at -1 s, before the start of the recording (times are seconds from its start, 0).", negative.Message);
    }
}
