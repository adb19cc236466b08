using LowRank.Formats;

namespace LowRank.Tests.Formats;

/// <summary>
/// The MAT reader against files SciPy's savemat wrote (make_mat_fixtures.py: the values are recomputed here), a v7.3
/// file laid out by h5py as MATLAB lays it out, big-endian files built by <see cref="MatBuilder"/>, and the two real
/// files of ../shared/data/pfc.
/// </summary>
public sealed class MatTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    // ---- Numeric classes, logical, char, empty (SciPy, uncompressed and compressed) ------------

    [Theory]
    [InlineData("v5_numeric.mat")]
    [InlineData("v5_numeric_compressed.mat")]
    public void ReadsEveryNumericClassLogicalAndChar(string name)
    {
        MatFile file = MatFile.Read(Fixtures.Mat(name));
        Assert.Equal("5", file.Version);
        Assert.Equal(
            ["d", "s", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "flags", "label", "rows", "cube", "column", "scalar", "empty", "gappy"],
            file.Variables.Keys);

        AssertArray(file, "d", "double", DType.Float64, [2, 3], Fixtures.Sevenths(6));
        AssertArray(file, "s", "single", DType.Float32, [2, 3], [-1, -0.75, -0.5, -0.25, 0, 0.25]);
        AssertArray(file, "i8", "int8", DType.Int8, [1, 4], [-128, -1, 0, 127]);
        AssertArray(file, "u8", "uint8", DType.UInt8, [1, 4], [0, 1, 128, 255]);
        AssertArray(file, "i16", "int16", DType.Int16, [1, 4], [-32768, -1, 0, 32767]);
        AssertArray(file, "u16", "uint16", DType.UInt16, [1, 4], [0, 1, 32768, 65535]);
        AssertArray(file, "i32", "int32", DType.Int32, [1, 4], [int.MinValue, -1, 0, int.MaxValue]);
        AssertArray(file, "u32", "uint32", DType.UInt32, [1, 4], [0, 1, 2147483648, 4294967295]);
        AssertArray(file, "i64", "int64", DType.Int64, [1, 4], [-1e15, -1, 0, 1e15]);
        AssertArray(file, "u64", "uint64", DType.UInt64, [1, 4], [0, 1, Math.Pow(2, 40), Math.Pow(2, 52)]);
        AssertArray(file, "flags", "logical", DType.Bool, [2, 2], [1, 0, 0, 1]);
        AssertArray(file, "cube", "double", DType.Float64, [2, 3, 4], [.. Enumerable.Range(0, 24).Select(k => (double)k)]);
        AssertArray(file, "column", "double", DType.Float64, [3, 1], Fixtures.Sevenths(3));
        AssertArray(file, "scalar", "double", DType.Float64, [1, 1], [3.25]);
        AssertArray(file, "empty", "double", DType.Float64, [0, 3], []);
        AssertArray(file, "gappy", "double", DType.Float64, [1, 3], [1, double.NaN, 3]);

        var label = Assert.IsType<MatChar>(file.Variables["label"]);
        Assert.Equal([1, 5], label.Shape);
        Assert.Equal("hello", label.Text);
        var rows = Assert.IsType<MatChar>(file.Variables["rows"]);
        Assert.Equal([2, 2], rows.Shape);
        Assert.Equal(["ab", "cd"], rows.Rows);
    }

    [Fact]
    public void CubeIsInCOrderWithMatlabsShape()
    {
        // SciPy saved the C array arange(24).reshape(2, 3, 4): MATLAB's x(2, 3, 4) is its element [1, 2, 3] = 23.
        NdArray cube = MatFile.Read(Fixtures.Mat("v5_numeric.mat")).ReadArray("cube");
        Assert.Equal(23, cube[1, 2, 3]);
        Assert.Equal(1 * 12 + 0 * 4 + 2, cube[1, 0, 2]);
    }

    [Theory]
    [InlineData(new[] { 5 })]
    [InlineData(new[] { 37, 70 })]
    [InlineData(new[] { 1, 65 })]
    [InlineData(new[] { 3, 1, 4, 2, 33 })]
    [InlineData(new[] { 40, 2, 3, 1 })]
    [InlineData(new[] { 2, 0, 3 })]
    public void ColumnMajorToRowMajorMovesEveryElement(int[] dims)
    {
        // Element [i0, …, iN] of a column-major buffer holds its own C-order index, so the result must count 0, 1, 2, ….
        int count = (int)NdArray.CountElements(dims);
        var columnMajor = new double[count];
        var walk = new ColumnMajorWalk(dims);
        for (int c = 0; c < count; c++)
        {
            columnMajor[walk.Offset] = c;
            walk.Advance();
        }

        var rowMajor = new double[count];
        ColumnMajorWalk.ToRowMajor(columnMajor, rowMajor, dims);
        Assert.Equal([.. Enumerable.Range(0, count).Select(k => (double)k)], rowMajor);
    }

    // ---- Cells and structs ------------------------------------------------------------------------

    [Fact]
    public void ReadsCellsStructsAndStructArrays()
    {
        MatFile file = MatFile.Read(Fixtures.Mat("v5_cells_structs.mat"));
        var cell = Assert.IsType<MatCell>(file.Variables["c"]);
        Assert.Equal([1, 3], cell.Shape);
        Assert.Equal([1.0], Assert.IsType<MatNumeric>(cell.Elements[0]).Array.Data);
        Assert.Equal("two", Assert.IsType<MatChar>(file.Resolve("c{2}")).Text);
        Assert.Equal([3.0, 4.0], file.ReadArray("c{3}").Data);

        var s = Assert.IsType<MatStruct>(file.Variables["s"]);
        Assert.Equal(["a", "b", "inner"], s.FieldNames);
        Assert.Equal([1.5], file.ReadArray("s.a").Data);
        Assert.Equal("text", Assert.IsType<MatChar>(file.Resolve("s.b")).Text);
        Assert.Equal([1.0, 2.0, 3.0], file.ReadArray("s.inner.v").Data);

        var people = Assert.IsType<MatStruct>(file.Variables["people"]);
        Assert.Equal([1, 3], people.Shape);
        Assert.Equal(["name", "age"], people.FieldNames);
        Assert.Equal("bo", Assert.IsType<MatChar>(file.Resolve("people(2).name")).Text);
        MatNumeric age = Assert.IsType<MatNumeric>(file.Resolve("people(3).age"));
        Assert.Equal("uint8", age.ClassName);
        Assert.Equal([53.0], age.Array.Data);
    }

    [Fact]
    public void AddressesThatNameNothingAreInputErrors()
    {
        string path = Fixtures.Mat("v5_cells_structs.mat");
        MatFile file = MatFile.Read(path);
        var missing = Assert.Throws<InputException>(() => file.Resolve("nope"));
        Assert.Equal($"MAT file '{path}' has no variable 'nope' (it has: c, s, people).", missing.Message);
        Assert.Equal($"name one of its variables after the colon: {path}:NAME.", missing.Hint);

        var field = Assert.Throws<InputException>(() => file.Resolve("s.zz"));
        Assert.Equal($"'s' in MAT file '{path}' has no field 'zz' (it has: a, b, inner).", field.Message);

        var array = Assert.Throws<InputException>(() => file.Resolve("people.name"));
        Assert.Equal($"'people' in MAT file '{path}' is a 1×3 struct array, so '.name' needs an element first.", array.Message);
        Assert.Equal($"pick one element by its 1-based index, e.g. {path}:people(1).name.", array.Hint);

        var range = Assert.Throws<InputException>(() => file.Resolve("c{4}"));
        Assert.Contains("has 3 elements", range.Message, StringComparison.Ordinal);
        Assert.Throws<InputException>(() => file.Resolve("c(1)"));
        Assert.Throws<InputException>(() => file.Resolve("s.a.b"));
        Assert.Throws<InputException>(() => file.Resolve("s..a"));
        Assert.Throws<InputException>(() => file.ReadArray("s"));
    }

    [Theory]
    [InlineData("data.mat:x", "data.mat", "x")]
    [InlineData("dir/data.MAT:s.f", "dir/data.MAT", "s.f")]
    [InlineData(@"C:\data\x.mat", @"C:\data\x.mat", null)]
    [InlineData(@"C:\data\x.mat:v(2).f", @"C:\data\x.mat", "v(2).f")]
    [InlineData("data.npz:x", "data.npz:x", null)]
    public void SplitsFileAndAddress(string text, string path, string? address)
    {
        Assert.Equal((path, address), MatFile.SplitAddress(text));
    }

    // ---- Complex and sparse -----------------------------------------------------------------------

    [Fact]
    public void ComplexAndSparseAreListedButRefused()
    {
        string path = Fixtures.Mat("v5_unsupported.mat");
        MatFile file = MatFile.Read(path);
        Assert.Equal(["z", "sp", "ok"], file.Variables.Keys);
        Assert.Equal("complex double", file.Variables["z"].ClassName);
        Assert.Equal([1, 2], file.Variables["z"].Shape);
        Assert.Equal("sparse double", file.Variables["sp"].ClassName);
        Assert.Equal([1.0, 2.0], file.ReadArray("ok").Data);

        var complex = Assert.Throws<InputException>(() => file.ReadArray("z"));
        Assert.Equal($"'z' in MAT file '{path}' is a complex double array: complex numbers are not supported.", complex.Message);
        var sparse = Assert.Throws<InputException>(() => file.ReadArray("sp"));
        Assert.Equal($"'sp' in MAT file '{path}' is a sparse double array: sparse matrices are not supported.", sparse.Message);
        Assert.Equal("convert it to a full matrix in MATLAB before saving: x = full(x); save(path, 'x').", sparse.Hint);
    }

    // ---- Byte order -------------------------------------------------------------------------------

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsBothByteOrders(bool bigEndian)
    {
        byte[] bytes = new MatBuilder(bigEndian)
            .Double("x", [2, 3], [1, 4, 2, 5, 3, 6])
            .Double("zipped", [3, 1], [0.5, -1.5, 2.5], compress: true)
            .Int16("ints", [1, 3], [-2, 0, 300])
            .Char("name", "pfc")
            .Struct("st", ("alpha", 0.25), ("beta", -8))
            .Build();
        string path = _temp.File(bigEndian ? "big.mat" : "little.mat");
        File.WriteAllBytes(path, bytes);
        MatFile file = MatFile.Read(path);
        Assert.Equal(bigEndian ? "MI" : "IM", System.Text.Encoding.ASCII.GetString(bytes, 126, 2));
        AssertArray(file, "x", "double", DType.Float64, [2, 3], [1, 2, 3, 4, 5, 6]);
        AssertArray(file, "zipped", "double", DType.Float64, [3, 1], [0.5, -1.5, 2.5]);
        AssertArray(file, "ints", "int16", DType.Int16, [1, 3], [-2, 0, 300]);
        Assert.Equal("pfc", Assert.IsType<MatChar>(file.Variables["name"]).Text);
        Assert.Equal([0.25], file.ReadArray("st.alpha").Data);
        Assert.Equal([-8.0], file.ReadArray("st.beta").Data);
    }

    // ---- v7.3 -------------------------------------------------------------------------------------

    [Fact]
    public void ReadsV73()
    {
        string path = Fixtures.Mat("v73.mat");
        MatFile file = MatFile.Read(path);
        Assert.Equal("7.3", file.Version);
        Assert.Equal(["c", "cube", "d", "empty", "flags", "i16", "label", "s", "z"], file.Variables.Keys);
        AssertArray(file, "d", "double", DType.Float64, [2, 3], Fixtures.Sevenths(6));
        AssertArray(file, "cube", "double", DType.Float64, [2, 3, 4], [.. Enumerable.Range(0, 24).Select(k => (double)k)]);
        AssertArray(file, "i16", "int16", DType.Int16, [1, 4], [-32768, -1, 0, 32767]);
        AssertArray(file, "flags", "logical", DType.Bool, [2, 2], [1, 0, 0, 1]);
        AssertArray(file, "empty", "double", DType.Float64, [0, 3], []);
        Assert.Equal("hello", Assert.IsType<MatChar>(file.Variables["label"]).Text);
        Assert.Equal([1.5], file.ReadArray("s.a").Data);
        Assert.Equal([1.0, 2.0, 3.0], file.ReadArray("s.inner.v").Data);
        var cell = Assert.IsType<MatCell>(file.Variables["c"]);
        Assert.Equal([1, 2], cell.Shape);
        Assert.Equal([1.0], file.ReadArray("c{1}").Data);
        Assert.Equal("two", Assert.IsType<MatChar>(file.Resolve("c{2}")).Text);
        Assert.Equal("complex double", file.Variables["z"].ClassName);
        Assert.Throws<InputException>(() => file.ReadArray("z"));
    }

    // ---- The real files ---------------------------------------------------------------------------

    [SharedDataFact("pfc/firingRates_pref_null.mat")]
    public void ReadsThePfcFiringRates()
    {
        MatFile file = MatFile.Read(Fixtures.SharedData("pfc/firingRates_pref_null.mat")!);
        Assert.Equal(["delete_unit", "firingRates", "preferred_direction"], file.Variables.Keys);
        NdArray rates = file.ReadArray("firingRates");
        Assert.Equal([319, 2, 2, 34, 530], rates.Shape);
        Assert.Equal(DType.Float64, rates.SourceType);
        Assert.Equal(19048432, rates.Data.Count(double.IsNaN));
        // Values SciPy's loadmat gives: firingRates[0, 0, 0, 0, :5] and [1, 1, 0, 3, 2].
        Assert.Equal([20.0, 40, 20, 40, 20], rates.Data[..5]);
        Assert.Equal(20.0, rates[1, 1, 0, 3, 2]);

        NdArray preferred = file.ReadArray("preferred_direction");
        Assert.Equal([1, 319], preferred.Shape);
        Assert.Equal(175.43026538, preferred[0, 0], 1e-8);
        Assert.Equal(-77.90915931, preferred[0, 1], 1e-8);

        // MATLAB's class is double; its (no) values are stored as uint8, the type SciPy's loadmat reports without mat_dtype=True.
        MatNumeric deleted = Assert.IsType<MatNumeric>(file.Variables["delete_unit"]);
        Assert.Equal("double", deleted.ClassName);
        Assert.Equal([0, 1], deleted.Shape);
    }

    [SharedDataFact("pfc/firingRates_early_delay.mat")]
    public void ReadsThePfcStructArray()
    {
        MatFile file = MatFile.Read(Fixtures.SharedData("pfc/firingRates_early_delay.mat")!);
        Assert.Equal(["data"], file.Variables.Keys);
        var data = Assert.IsType<MatStruct>(file.Variables["data"]);
        Assert.Equal(["unit", "time"], data.FieldNames);

        NdArray time = file.ReadArray("data.time");
        Assert.Equal([1, 10], time.Shape);
        Assert.Equal(DType.Float64, time.SourceType); // class double, stored as uint16
        Assert.Equal([0.0, 50, 100, 150, 200, 250, 300, 350, 400, 450], time.Data);

        var units = Assert.IsType<MatStruct>(file.Resolve("data.unit"));
        Assert.Equal([1, 319], units.Shape);
        Assert.Equal(["response", "task_variable", "dimension"], units.FieldNames);
        NdArray first = file.ReadArray("data.unit(1).response");
        Assert.Equal([557, 10], first.Shape);
        Assert.Equal([0.0, 20, 40, 20, 20], first.Data[..5]);
        Assert.Equal(60, first[1, 2]);
        Assert.Equal([557, 1], file.ReadArray("data.unit(1).task_variable.look").Shape);
        Assert.Equal("unit_1", Assert.IsType<MatChar>(file.Resolve("data.unit(1).dimension")).Text);
        NdArray last = file.ReadArray("data.unit(319).response");
        Assert.Equal([162, 10], last.Shape);
        Assert.Equal(60, last[0, 0]);
        Assert.Equal(80, last[161, 9]);
    }

    private static void AssertArray(MatFile file, string name, string className, DType type, int[] shape, double[] values)
    {
        MatNumeric numeric = Assert.IsType<MatNumeric>(file.Variables[name]);
        Assert.Equal(className, numeric.ClassName);
        Assert.Equal(shape, numeric.Shape);
        Assert.Equal(shape, numeric.Array.Shape);
        Assert.Equal(type, numeric.Array.SourceType);
        Assert.Equal(values, numeric.Array.Data);
    }
}
