using System.IO.Compression;
using System.Text.Json;
using LowRank.Formats;
using LowRank.Tests.Formats;

namespace LowRank.Tests.Cli;

public sealed class InspectCommandTests : IDisposable
{
    private const string NpyHint = "the file is damaged or was not written by numpy.save; export it again with np.save(path, a).";
    private const string TruncatedHint = "the file was cut short (an interrupted copy or save?); copy or export it again.";
    private const string ConvertHint = "convert it in NumPy: np.save(path, np.asarray(a, dtype=np.float64)).";
    private const string CsvHint = "write one header row, then one row per time step with one number per channel, e.g. pandas df.to_csv(path, index=False).";

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private string JsonOut => _temp.File("out.json");

    // ---- Summaries ----------------------------------------------------------------------------

    [Fact]
    public void SummarisesEachArrayOfAnNpz()
    {
        string path = Fixtures.Npz("mixed_stored.npz");
        CliResult result = CliHarness.Run("inspect", path, "--json", JsonOut);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        string expected = string.Join(Environment.NewLine,
            $"npz '{path}': 3 arrays",
            "scalar  shape []  dtype float64 (<f8)",
            "  all: min 1.5  max 1.5  mean 1.5  sd 0",
            "ints  shape [4]  dtype int32 (<i4)",
            "  all: min 0  max 3  mean 1.5  sd 1.11803",
            "fortran  shape [2, 3]  dtype float64 (<f8)",
            "  all: min 0  max 5  mean 2.5  sd 1.70783",
            "  channel 0: min 0  max 3  mean 1.5  sd 1.5",
            "  channel 1: min 1  max 4  mean 2.5  sd 1.5",
            "  channel 2: min 2  max 5  mean 3.5  sd 1.5",
            "");
        Assert.Equal(expected, result.Output);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(JsonOut));
        JsonElement fortran = json.RootElement.GetProperty("arrays")[2];
        Assert.Equal("fortran", fortran.GetProperty("name").GetString());
        Assert.Equal(3, fortran.GetProperty("channels").GetArrayLength());
        Assert.Equal(3.5, fortran.GetProperty("channels")[2].GetProperty("mean").GetDouble());
        Assert.Equal(6, fortran.GetProperty("all").GetProperty("count").GetInt64());
    }

    [Fact]
    public void WideArraysShowRangesOverChannels()
    {
        string path = _temp.File("wide.npy");
        var data = new double[2 * 9];
        for (int k = 0; k < data.Length; k++)
        {
            data[k] = k;
        }

        data[3] = double.NaN;
        Npy.Write(path, new NdArray([2, 9], data), DType.Float32);
        CliResult result = CliHarness.Run("inspect", path);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("wide.npy  shape [2, 9]  dtype float32 (<f4)", result.Output, StringComparison.Ordinal);
        Assert.Contains("  all: min 0  max 17  mean", result.Output, StringComparison.Ordinal);
        Assert.Contains("(1 NaN, 0 Inf left out)", result.Output, StringComparison.Ordinal);
        Assert.Contains(
            "  9 channels, ranges over channels: min 0 to 12, max 9 to 17, mean 4.5 to 12.5, sd 0 to 4.5",
            result.Output,
            StringComparison.Ordinal);
    }

    [Fact]
    public void CsvShowsChannelNames()
    {
        string path = Write("r.csv", "left,right\n1,2\n3,4\n");
        CliResult result = CliHarness.Run("inspect", path);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("  channel 1 (right): min 2  max 4  mean 3  sd 1", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void EdfShowsEverySignal()
    {
        string path = _temp.File("r.edf");
        File.WriteAllBytes(path, EdfBuilder.TwoChannels());
        CliResult result = CliHarness.Run("inspect", path);
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"edf '{path}': 2 arrays", result.Output, StringComparison.Ordinal);
        Assert.Contains("Cz  shape [12]", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void NwbShowsSpikeTimesAndTheUnits()
    {
        string path = Fixtures.Nwb("units.nwb");
        CliResult result = CliHarness.Run("inspect", path);
        Assert.Equal(0, result.ExitCode);
        string expected = string.Join(Environment.NewLine,
            $"nwb '{path}': 1 array",
            "units/spike_times  shape [6]  dtype float64 (<f8)",
            "  all: min 0.0012  max 0.0995  mean 0.0331667  sd 0.0332798", // np.mean, np.std
            "spike times: 3 units, 6 spikes over 0.0983 s (from the first spike at 0.0012 s to the last at 0.0995 s)",
            "  unit 10: 4 spikes, 40.6918 Hz", // 4 / 0.0983
            "  unit 11: 0 spikes, 0 Hz",
            "  unit 12: 2 spikes, 20.3459 Hz",
            "");
        Assert.Equal(expected, result.Output);
    }

    [Fact]
    public void ModelDirectoryIsDescribed()
    {
        string dir = Path.Combine(_temp.Path, "model");
        Assert.Equal(0, CliHarness.Run("simulate", "--units", "10", "--channels", "2", "--steps", "5", "--out", _temp.File("a.npz"), "--model-out", dir).ExitCode);
        CliResult result = CliHarness.Run("inspect", dir, "--json", JsonOut);
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"model directory '{dir}': stochastic low-rank RNN", result.Output, StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(JsonOut));
        Assert.Equal("model_directory", json.RootElement.GetProperty("kind").GetString());
    }

    // ---- Bad input: one case each, exact stderr, exit code 2, no --json file ---------------------

    [Fact]
    public void MissingFile()
    {
        string path = _temp.File("absent.npy");
        AssertBadInput(path, $"file '{path}' does not exist.", $"check the path; relative paths are resolved from '{Environment.CurrentDirectory}'.");
    }

    [Fact]
    public void UnknownExtension()
    {
        string path = Write("data.txt", "1 2 3");
        AssertBadInput(
            path,
            $"'{path}' has extension '.txt', which lowrank does not read.",
            "inspect reads .npy, .npz, .csv, .edf, .nwb and .mat files, and model directories (holding model.json).");
    }

    [Fact]
    public void DirectoryWithoutModelJson()
    {
        string plain = Directory.CreateDirectory(_temp.File("plain")).FullName;
        AssertBadInput(
            plain,
            $"'{plain}' is a directory without model.json, so it is neither a data file nor a model directory.",
            "pass a .npy, .npz, .csv, .edf or .nwb file, or a model directory written by lowrank.");
    }

    [Fact]
    public void ModelJsonThatIsNotJson()
    {
        string dir = Path.Combine(_temp.Path, "model");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "model.json"), "{ rank: 2");
        CliResult result = CliHarness.Run("inspect", dir, "--json", JsonOut);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: {Path.Combine(dir, "model.json")} is not valid JSON: ", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{Environment.NewLine}  hint: ", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(JsonOut));
    }

    [Fact]
    public void EmptyNpy()
    {
        string path = Write("empty.npy", []);
        AssertBadInput(path, $"npy '{path}' is empty (0 bytes).", "export the array again with np.save(path, a).");
    }

    [Fact]
    public void NpyWithBadMagic()
    {
        string path = Write("text.npy", "hello, this is not numpy");
        AssertBadInput(
            path,
            $"npy '{path}' is not an npy file: it does not start with the bytes \\x93NUMPY.",
            "lowrank reads .npy files written by numpy.save; check the file's type and extension.");
    }

    [Fact]
    public void NpyCutInsideHeader()
    {
        byte[] full = File.ReadAllBytes(Fixtures.Npy("f8_2d.npy"));
        string path = Write("cut-header.npy", full[..40]);
        AssertBadInput(path, $"npy '{path}' is truncated: the header should have 118 bytes but the file ends after 30.", TruncatedHint);
    }

    [Fact]
    public void NpyCutInsideData()
    {
        byte[] full = File.ReadAllBytes(Fixtures.Npy("f8_2d.npy"));
        string path = Write("cut-data.npy", full[..^5]);
        AssertBadInput(
            path,
            $"npy '{path}' is truncated: shape [3, 4] of <f8 needs 96 data bytes but only 91 follow the header.",
            TruncatedHint);
    }

    [Fact]
    public void NpyWithExtraBytes()
    {
        byte[] full = File.ReadAllBytes(Fixtures.Npy("f4_2d.npy"));
        string path = Write("long.npy", [.. full, 0, 0, 0, 0]);
        AssertBadInput(
            path,
            $"npy '{path}' has bytes after the 12 elements its header's shape [3, 4] describes.",
            "the header and the data disagree; export the array again with np.save(path, a).");
    }

    [Fact]
    public void NpyWithMalformedHeader()
    {
        string dict = "{'descr': '<f8', 'shape': (3,), }";
        string path = Write("malformed.npy", NpyTests.NpyBytes(dict, new byte[24]));
        AssertBadInput(path, $"npy '{path}' has a malformed header: key 'fortran_order' is missing (header: {dict}).", NpyHint);
    }

    [Fact]
    public void NpyOfUnknownVersion()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Npy("f8_2d.npy"));
        bytes[6] = 9;
        string path = Write("v9.npy", bytes);
        AssertBadInput(
            path,
            $"npy '{path}' has npy format version 9.0; lowrank reads versions 1.0, 2.0 and 3.0.",
            "save it again with np.save(path, a), which writes version 1.0 unless the header is huge.");
    }

    [Fact]
    public void NpyOfComplexNumbers()
    {
        string path = Copy("complex_c16.npy");
        AssertBadInput(path, $"npy '{path}' has unsupported dtype '<c16' (complex); lowrank reads {DTypes.SupportedList}.", ConvertHint);
    }

    [Fact]
    public void NpyOfStrings()
    {
        string path = Copy("text_u5.npy");
        AssertBadInput(path, $"npy '{path}' has unsupported dtype '<U5' (text); lowrank reads {DTypes.SupportedList}.", ConvertHint);
    }

    [Fact]
    public void NpyOfInt16IsSummarised()
    {
        // Every NumPy integer dtype reads (issue 12): −2 and 300 as little-endian int16.
        string path = Write("i2.npy", NpyTests.NpyBytes("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", [0xFE, 0xFF, 0x2C, 0x01]));
        CliResult result = CliHarness.Run("inspect", path);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("i2.npy  shape [2]  dtype int16 (<i2)", result.Output);
        Assert.Contains("min -2  max 300", result.Output);
    }

    [Fact]
    public void NpyOfFloat16IsRefused()
    {
        string path = Write("f2.npy", NpyTests.NpyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", new byte[4]));
        AssertBadInput(
            path, $"npy '{path}' has unsupported dtype '<f2' (floating point of another size); lowrank reads {DTypes.SupportedList}.", ConvertHint);
    }

    [Fact]
    public void NpyBigEndian()
    {
        string path = Copy("big_endian_f8.npy");
        AssertBadInput(
            path,
            $"npy '{path}' stores big-endian data (dtype '>f8'); lowrank reads little-endian only.",
            "convert it in NumPy: np.save(path, a.astype('<f8')).");
    }

    [Fact]
    public void NpyOfPythonObjects()
    {
        string path = Copy("object.npy");
        AssertBadInput(
            path,
            $"npy '{path}' holds Python objects (dtype '|O'), which cannot be read without pickle.",
            "save a numeric array instead: np.save(path, np.asarray(a, dtype=np.float64)).");
    }

    [Fact]
    public void NpyOfStructuredRecords()
    {
        string path = Write("rec.npy", NpyTests.NpyBytes("{'descr': [('a', '<f8'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,), }", new byte[12]));
        AssertBadInput(
            path,
            $"npy '{path}' has unsupported dtype '[('a', '<f8'), ('b', '<i4')]' (structured); lowrank reads {DTypes.SupportedList}.",
            ConvertHint);
    }

    [Fact]
    public void NpzThatIsNotZip()
    {
        string path = Write("garbage.npz", "this is not a zip archive at all");
        CliResult result = CliHarness.Run("inspect", path, "--json", JsonOut);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: npz '{path}' is not a valid zip archive (", result.Error, StringComparison.Ordinal);
        Assert.EndsWith(
            $"  hint: the file is damaged or not an npz; save it again with np.savez or np.savez_compressed.{Environment.NewLine}",
            result.Error,
            StringComparison.Ordinal);
        Assert.False(File.Exists(JsonOut));
    }

    [Fact]
    public void NpzWithForeignMember()
    {
        string path = Zip("notes.npz", ("readme.txt", "hello"u8.ToArray()));
        AssertBadInput(
            path,
            $"npz '{path}' contains 'readme.txt', which is not an .npy member.",
            "an npz archive holds only NAME.npy members, as np.savez writes them; rebuild it with np.savez.");
    }

    [Fact]
    public void NpzWithTruncatedMember()
    {
        byte[] full = File.ReadAllBytes(Fixtures.Npy("f8_2d.npy"));
        string path = Zip("cut.npz", ("data.npy", full[..^8]));
        AssertBadInput(
            path,
            $"member 'data.npy' of npz '{path}' is truncated: shape [3, 4] of <f8 needs 96 data bytes but only 88 follow the header.",
            TruncatedHint);
    }

    [Fact]
    public void NpzWithBigEndianMember()
    {
        string path = Zip("be.npz", ("data.npy", File.ReadAllBytes(Fixtures.Npy("big_endian_f8.npy"))));
        AssertBadInput(
            path,
            $"member 'data.npy' of npz '{path}' stores big-endian data (dtype '>f8'); lowrank reads little-endian only.",
            "convert it in NumPy: np.save(path, a.astype('<f8')).");
    }

    [Fact]
    public void CsvEmpty()
    {
        string path = Write("empty.csv", "");
        AssertBadInput(path, $"csv '{path}' is empty.", CsvHint);
    }

    [Fact]
    public void CsvWithoutDataRows()
    {
        string path = Write("header.csv", "a,b,c\n");
        AssertBadInput(path, $"csv '{path}' has a header row (3 columns) but no data rows.", CsvHint);
    }

    [Fact]
    public void CsvWithoutHeader()
    {
        string path = Write("noheader.csv", "1,2\n3,4\n");
        AssertBadInput(path, $"csv '{path}' has no header row: line 1 holds numbers (1,2).", "add a first line naming the channels, e.g. ch0,ch1,…");
    }

    [Fact]
    public void CsvRagged()
    {
        string path = Write("ragged.csv", "a,b,c\n1,2,3\n4,5\n");
        AssertBadInput(
            path,
            $"csv '{path}' line 3 has 2 cells but the header has 3 columns.",
            "every row needs one value per header column; fix or remove the ragged row.");
    }

    [Fact]
    public void CsvNonNumeric()
    {
        string path = Write("text.csv", "a,b\n1,2\n3,n/a\n");
        AssertBadInput(
            path,
            $"csv '{path}' line 3, column 2 ('b'): 'n/a' is not a number.",
            "every cell after the header must be a number ('.' as decimal point, ',' between cells); remove or fill the text cells.");
    }

    [Fact]
    public void EdfTruncated()
    {
        string path = _temp.File("cut.edf");
        File.WriteAllBytes(path, EdfBuilder.TwoChannels()[..^2]);
        AssertBadInput(
            path,
            $"EDF '{path}' is truncated: its header promises 3 data records of 32 bytes but only 94 bytes follow the header.",
            "the file was cut short (an interrupted copy or download?); copy or export it again.");
    }

    [Fact]
    public void EdfWithInconsistentHeader()
    {
        byte[] bytes = EdfBuilder.TwoChannels();
        "999     "u8.CopyTo(bytes.AsSpan(184)); // number of header bytes
        string path = _temp.File("header.edf");
        File.WriteAllBytes(path, bytes);
        AssertBadInput(
            path,
            $"EDF '{path}' has an inconsistent header: 3 signals, 999 header bytes, records of 0.5 s.",
            "the header needs at least one signal, 256 × (signals + 1) header bytes and a positive record duration; export the file again.");
    }

    [Fact]
    public void NwbThatIsNotHdf5()
    {
        string path = Write("fake.nwb", "not hdf5");
        AssertBadInput(
            path,
            $"NWB '{path}' is not an HDF5 file (no HDF5 signature found).",
            "NWB 2.x files are HDF5; check that the file is complete and really .nwb (NWB 1.x and Zarr-backed NWB are not supported).");
    }

    [Fact]
    public void NwbWithoutUnits()
    {
        string path = Fixtures.Nwb("no_units.nwb");
        AssertBadInput(
            path,
            $"NWB '{path}' has no units table with spike times (/units/spike_times and /units/spike_times_index).",
            "lowrank reads sorted spikes from NWB; add the units with pynwb (nwbfile.add_unit(spike_times=...)) or export binned data as .npy.");
    }

    [Fact]
    public void NwbTruncated()
    {
        byte[] full = File.ReadAllBytes(Fixtures.Nwb("units.nwb"));
        string path = Write("cut.nwb", full[..3000]);
        AssertBadInput(
            path,
            $"NWB '{path}' is truncated: its HDF5 superblock says the file ends at byte {full.Length} but it has 3000 bytes.",
            "the file was cut short (an interrupted copy or download?); copy or export it again.");
    }

    [Fact]
    public void NwbWithDamagedBytes()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Nwb("units.nwb"));
        "damaged!"u8.CopyTo(bytes.AsSpan(6144)); // over the signature of the units group's symbol table node
        string path = Write("corrupt.nwb", bytes);
        AssertBadInput(
            path,
            $"NWB '{path}' is not a readable HDF5 file (The actual signature 'dama' does not match the expected signature 'SNOD').",
            "the file is damaged (an interrupted copy or download?) or not HDF5; copy it again, or export it again with pynwb.");
    }

    private void AssertBadInput(string path, string message, string hint)
    {
        CliResult result = CliHarness.Run("inspect", path, "--json", JsonOut);
        Assert.Equal($"error: {message}{Environment.NewLine}  hint: {hint}{Environment.NewLine}", result.Error);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.False(File.Exists(JsonOut), "no --json file may be written on bad input");
    }

    private string Write(string name, string text)
    {
        string path = _temp.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Write(string name, byte[] bytes)
    {
        string path = _temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Copy(string fixture)
    {
        string path = _temp.File(fixture);
        File.Copy(Fixtures.Npy(fixture), path);
        return path;
    }

    private string Zip(string name, params (string Member, byte[] Bytes)[] members)
    {
        string path = _temp.File(name);
        using ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach ((string member, byte[] bytes) in members)
        {
            using Stream stream = zip.CreateEntry(member).Open();
            stream.Write(bytes);
        }

        return path;
    }
}
