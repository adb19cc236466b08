using LowRank.Cli.Commands;

namespace LowRank.Tests.Cli;

/// <summary>Arrays named on the command line in a MAT file (<c>--behaviour FILE.mat:NAME</c>), beside .npy and .npz.</summary>
public sealed class MatArrayReferenceTests
{
    [Fact]
    public void ReadsTheNamedVariableOrField()
    {
        string path = Fixtures.Mat("v5_cells_structs.mat");
        ArrayReference reference = ArrayReference.Parse($"{path}:s.inner.v", "--behaviour");
        Assert.Equal(new ArrayReference(path, "s.inner.v"), reference);
        Assert.Equal([1.0, 2.0, 3.0], reference.Read("--behaviour", defaultArray: null).Data);
    }

    [Fact]
    public void AFileWithOneNumericVariableNeedsNoName()
    {
        ArrayReference reference = ArrayReference.Parse(Fixtures.Mat("v5_unsupported.mat"), "--behaviour");
        Assert.Null(reference.Array);
        Assert.Equal([1.0, 2.0], reference.Read("--behaviour", defaultArray: null).Data);
    }

    [Fact]
    public void AFileWithSeveralNeedsOne()
    {
        string path = Fixtures.Mat("v5_numeric.mat");
        var error = Assert.Throws<InputException>(() => ArrayReference.Parse(path, "--behaviour").Read("--behaviour", defaultArray: null));
        Assert.StartsWith($"--behaviour '{path}' holds 16 numeric variables (d, s, ", error.Message, StringComparison.Ordinal);
        Assert.Equal($"name one of them after a colon: --behaviour {path}:NAME.", error.Hint);

        var missing = Assert.Throws<InputException>(() => ArrayReference.Parse($"{path}:speed", "--behaviour").Read("--behaviour", defaultArray: null));
        Assert.StartsWith($"MAT file '{path}' has no variable 'speed' (it has: d, s, ", missing.Message, StringComparison.Ordinal);
    }
}
