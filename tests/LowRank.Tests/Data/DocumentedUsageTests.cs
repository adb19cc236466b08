using LowRank.Data;
using LowRank.Formats;

namespace LowRank.Tests.Data;

/// <summary>The C# snippet of docs/file-formats.md, run against the fixtures.</summary>
public sealed class DocumentedUsageTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void SnippetFromFileFormatsRuns()
    {
        NdArray eeg = Npy.Read(Fixtures.Npy("f4_2d.npy"));
        double v = eeg[2, 1];
        Assert.Equal(eeg.Data[2 * 4 + 1], v);

        OrderedDictionary<string, NdArray> arrays = Npz.Read(Fixtures.Npz("recording_stored.npz"));
        NdArray data = Npz.RequireArray(arrays, "data", "session.npz");

        NdArray samples = data;
        NdArray latents = arrays["inputs"];
        Npz.Write(_temp.File("out.npz"), new OrderedDictionary<string, NdArray> { ["samples"] = samples }, DType.Float32);
        Npy.Write(_temp.File("latents.npy"), latents);

        Recording rec = RecordingLoader.Load(Fixtures.Nwb("units.nwb"), new RecordingOptions { Binning = new SpikeBinning { BinWidth = 0.02 } });
        Assert.Equal(3, rec.Channels);
        Assert.Equal([2, 50, 3], Npz.Read(_temp.File("out.npz"))["samples"].Shape);
        Assert.Equal(latents.Data, Npy.Read(_temp.File("latents.npy")).Data);
    }
}
