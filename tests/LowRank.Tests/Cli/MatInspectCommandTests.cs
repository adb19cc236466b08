using System.Text.Json;

namespace LowRank.Tests.Cli;

/// <summary><c>lowrank inspect</c> on MAT files: the variables, one variable by its address, and each malformed file refused.</summary>
public sealed class MatInspectCommandTests : IDisposable
{
    private const string DamagedHint = "the file is damaged or was not written by MATLAB or a MAT writer; save it again, e.g. save(path, 'x', '-v7') in MATLAB or scipy.io.savemat.";

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private string JsonOut => _temp.File("out.json");

    // ---- Listing and addressing -------------------------------------------------------------------

    [Fact]
    public void ListsVariablesWithClassesAndShapes()
    {
        string path = Fixtures.Mat("v5_cells_structs.mat");
        CliResult result = CliHarness.Run("inspect", path, "--json", JsonOut);
        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        string expected = string.Join(Environment.NewLine,
            $"MAT file '{path}': 3 variables",
            "c  shape [1, 3]  class cell",
            "s  shape [1, 1]  class struct  fields a, b, inner",
            "  s.a  shape [1, 1]  class double",
            "    all: min 1.5  max 1.5  mean 1.5  sd 0",
            "    channel 0: min 1.5  max 1.5  mean 1.5  sd 0",
            "  s.b  shape [1, 4]  class char  'text'",
            "  s.inner  shape [1, 1]  class struct  fields v",
            "    s.inner.v  shape [1, 3]  class double",
            "      all: min 1  max 3  mean 2  sd 0.816497",
            "      channel 0: min 1  max 1  mean 1  sd 0",
            "      channel 1: min 2  max 2  mean 2  sd 0",
            "      channel 2: min 3  max 3  mean 3  sd 0",
            "people  shape [1, 3]  class struct  fields name, age",
            "");
        Assert.Equal(expected, result.Output);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(JsonOut));
        Assert.Equal("mat", json.RootElement.GetProperty("format").GetString());
        JsonElement people = json.RootElement.GetProperty("variables")[6];
        Assert.Equal("people", people.GetProperty("name").GetString());
        Assert.Equal("struct", people.GetProperty("class").GetString());
        Assert.Equal(2, people.GetProperty("fields").GetArrayLength());
    }

    [Fact]
    public void ShowsOneVariableByItsAddress()
    {
        string path = Fixtures.Mat("v5_numeric_compressed.mat");
        CliResult result = CliHarness.Run("inspect", $"{path}:cube");
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"MAT file '{path}:cube': 1 variable{Environment.NewLine}cube  shape [2, 3, 4]  class double{Environment.NewLine}  all: min 0  max 23", result.Output, StringComparison.Ordinal);

        CliResult field = CliHarness.Run("inspect", $"{Fixtures.Mat("v5_cells_structs.mat")}:people(2).age");
        Assert.Equal(0, field.ExitCode);
        Assert.Contains("people(2).age  shape [1, 1]  class uint8", field.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ListsComplexAndSparseAndRefusesThemWhenAddressed()
    {
        string path = Fixtures.Mat("v5_unsupported.mat");
        CliResult list = CliHarness.Run("inspect", path);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("z  shape [1, 2]  class complex double  (not read: complex numbers are not supported)", list.Output, StringComparison.Ordinal);
        Assert.Contains("sp  shape [2, 2]  class sparse double  (not read: sparse matrices are not supported)", list.Output, StringComparison.Ordinal);
        AssertBadInput(
            $"{path}:sp",
            $"'sp' in MAT file '{path}' is a sparse double array: sparse matrices are not supported.",
            "convert it to a full matrix in MATLAB before saving: x = full(x); save(path, 'x').");
    }

    [SharedDataFact("pfc/firingRates_pref_null.mat")]
    public void ListsThePfcFile()
    {
        string path = Fixtures.SharedData("pfc/firingRates_pref_null.mat")!;
        CliResult result = CliHarness.Run("inspect", path);
        Assert.Equal(0, result.ExitCode);
        string[] lines = result.Output.Split(Environment.NewLine);
        Assert.Equal($"MAT file '{path}': 3 variables", lines[0]);
        Assert.Contains("delete_unit  shape [0, 1]  class double", lines); // stored as uint8, which SciPy's loadmat reports
        Assert.Contains("firingRates  shape [319, 2, 2, 34, 530]  class double", lines);
        Assert.Contains("preferred_direction  shape [1, 319]  class double", lines);
        Assert.Contains(lines, line => line.StartsWith("  all: ", StringComparison.Ordinal) && line.EndsWith("(19048432 NaN, 0 Inf left out)", StringComparison.Ordinal));
    }

    [SharedDataFact("pfc/firingRates_early_delay.mat")]
    public void ShowsAFieldOfThePfcStructArray()
    {
        string path = Fixtures.SharedData("pfc/firingRates_early_delay.mat")!;
        CliResult result = CliHarness.Run("inspect", $"{path}:data.time");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("data.time  shape [1, 10]  class double", result.Output, StringComparison.Ordinal);
        Assert.Contains("all: min 0  max 450  mean 225", result.Output, StringComparison.Ordinal);
    }

    // ---- Malformed files: exit 2, error and hint, nothing written ---------------------------------

    [Fact]
    public void TruncatedFile()
    {
        byte[] full = File.ReadAllBytes(Fixtures.Mat("v5_numeric.mat"));
        string path = Write("cut.mat", full[..200]);
        AssertBadInput(
            path,
            $"MAT file '{path}' is truncated: the element at byte 128 needs 96 bytes but only 64 follow its tag.",
            "the file was cut short (an interrupted copy or save?); copy or save it again.");
    }

    [Fact]
    public void TruncatedHeader()
    {
        byte[] full = File.ReadAllBytes(Fixtures.Mat("v5_numeric.mat"));
        string path = Write("cut-header.mat", full[..100]);
        AssertBadInput(
            path,
            $"MAT file '{path}' is truncated: it ends after 100 bytes, inside its 128-byte header.",
            "the file was cut short (an interrupted copy or save?); copy or save it again.");
    }

    [Fact]
    public void WrongMagic()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Mat("v5_numeric.mat"));
        bytes[126] = (byte)'X';
        bytes[127] = (byte)'Y';
        string path = Write("magic.mat", bytes);
        AssertBadInput(
            path,
            $"MAT file '{path}' is not a MAT file of version 5 or 7.3: its 128-byte header does not end in the byte-order mark 'IM' or 'MI'.",
            "lowrank reads MAT files MATLAB writes with save(path, 'x', '-v7') or '-v7.3' (and scipy.io.savemat); save version 4 files again in one of those.");
    }

    [Fact]
    public void CompressedElementThatDoesNotInflate()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Mat("v5_numeric_compressed.mat"));
        Assert.Equal(15, bytes[128]); // miCOMPRESSED; its zlib stream starts at byte 136 (header 0x78 0x9c)
        bytes[138] = 0xFF; // first deflate block: final, of the reserved type 3
        string path = Write("inflate.mat", bytes);
        CliResult result = CliHarness.Run("inspect", path, "--json", JsonOut);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: MAT file '{path}' is damaged: the compressed element at byte 128 does not inflate (zlib: ", result.Error, StringComparison.Ordinal);
        Assert.EndsWith(
            $"{Environment.NewLine}  hint: the file was corrupted in storage or transfer; copy it again, or save it again in MATLAB (save(path, 'x', '-v7')).{Environment.NewLine}",
            result.Error,
            StringComparison.Ordinal);
        Assert.Equal("", result.Output);
        Assert.False(File.Exists(JsonOut));
    }

    [Fact]
    public void DimensionsThatDisagreeWithTheData()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Mat("v5_numeric.mat"));
        // The first variable, d (2×3 double): tag at 128, array flags at 136, dimensions tag at 152, values 2 and 3 at 160.
        Assert.Equal(3, BitConverter.ToInt32(bytes, 164));
        BitConverter.GetBytes(4).CopyTo(bytes, 164);
        string path = Write("dims.mat", bytes);
        AssertBadInput(
            path,
            $"MAT file '{path}' is damaged: 'd' has dimensions [2, 4] (8 values) but its data holds 48 bytes, 6 values of 8 bytes.",
            DamagedHint);
    }

    [Fact]
    public void VariableThatIsNotThere()
    {
        string path = Fixtures.Mat("v5_unsupported.mat");
        AssertBadInput(
            $"{path}:firingRates",
            $"MAT file '{path}' has no variable 'firingRates' (it has: z, sp, ok).",
            $"name one of its variables after the colon: {path}:NAME.");
    }

    [Fact]
    public void BinWidthIsRefusedForAMatFile()
    {
        string path = Fixtures.Mat("v5_numeric.mat");
        CliResult result = CliHarness.Run("inspect", path, "--bin-width", "0.02");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"error: MAT file '{path}' holds arrays, not spike times, so --bin-width has nothing to bin.{Environment.NewLine}  hint: drop --bin-width (and --start, --stop, --align-trials).{Environment.NewLine}",
            result.Error);
    }

    private void AssertBadInput(string path, string message, string hint)
    {
        CliResult result = CliHarness.Run("inspect", path, "--json", JsonOut);
        Assert.Equal($"error: {message}{Environment.NewLine}  hint: {hint}{Environment.NewLine}", result.Error);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.False(File.Exists(JsonOut), "no --json file may be written on bad input");
    }

    private string Write(string name, byte[] bytes)
    {
        string path = _temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
