using BenchmarkDotNet.Attributes;
using LowRank.Formats;

namespace LowRank.Benchmarks.Data;

/// <summary>
/// Reading and writing a [9640, 64] array — the size of the shared EEG recording — as float32 npy.
/// The file is written to a temporary folder first so the benchmark runs without ../shared/data.
/// </summary>
[MemoryDiagnoser]
public class NpyBenchmarks
{
    private const int Steps = 9640;
    private const int Channels = 64;

    private string _dir = "";
    private string _f4Path = "";
    private string _npzPath = "";
    private NdArray _array = NdArray.Zeros(1);

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("lowrank-bench-").FullName;
        var data = new double[Steps * Channels];
        for (int k = 0; k < data.Length; k++)
        {
            data[k] = Math.Sin(k * 1e-3);
        }

        _array = new NdArray([Steps, Channels], data);
        _f4Path = Path.Combine(_dir, "eeg_f4.npy");
        _npzPath = Path.Combine(_dir, "eeg.npz");
        Npy.Write(_f4Path, _array, DType.Float32);
        Npz.Write(_npzPath, [KeyValuePair.Create("data", _array)], DType.Float32);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark]
    public NdArray ReadNpyFloat32() => Npy.Read(_f4Path);

    [Benchmark]
    public int ReadNpzDeflatedFloat32() => Npz.Read(_npzPath).Count;

    [Benchmark]
    public long WriteNpyFloat32ToMemory()
    {
        using var stream = new MemoryStream(Steps * Channels * 4 + 128);
        Npy.Write(stream, _array, DType.Float32);
        return stream.Length;
    }
}
