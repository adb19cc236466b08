using LowRank.Sweeps;

namespace LowRank.Tests.Sweeps;

public sealed class SweepPointsTests
{
    private static SweepSpec Spec(string axes) => SweepSpecReader.Parse("""{"command": "fit", "axes": """ + axes + "}", "spec.json");

    [Fact]
    public void PointsAreTheCartesianProductInSpecOrderTheLastAxisFastest()
    {
        IReadOnlyList<SweepPoint> points = SweepPoints.Expand(Spec("""{"rank": [1, 2], "seed": {"from": 1, "to": 3}}"""));

        Assert.Equal(
            ["rank-1_seed-1", "rank-1_seed-2", "rank-1_seed-3", "rank-2_seed-1", "rank-2_seed-2", "rank-2_seed-3"],
            points.Select(p => p.Name));
        Assert.Equal(Enumerable.Range(0, 6), points.Select(p => p.Index));
        Assert.Equal("2", points[4].ValueOf("rank").Text);
        Assert.Equal("2", points[4].ValueOf("seed").Text);
        Assert.Equal(["rank", "seed"], points[4].Values.Select(v => v.Name));
    }

    [Fact]
    public void OneAxisGivesOnePointPerValue()
    {
        IReadOnlyList<SweepPoint> points = SweepPoints.Expand(Spec("""{"lr": [1e-3, 0.01, "x"]}"""));
        Assert.Equal(["lr-1e-3", "lr-0.01", "lr-x"], points.Select(p => p.Name));
    }

    [Fact]
    public void RunNamesKeepLettersDigitsDotsPlusAndMinus()
    {
        IReadOnlyList<SweepPoint> points = SweepPoints.Expand(Spec("""{"data": ["../a/b c.npy", "", "-1", true]}"""));
        Assert.Equal(["data--a-b-c.npy", "data-x", "data--1", "data-true"], points.Select(p => p.Name));
    }

    [Fact]
    public void TwoPointsWithTheSameRunNameAreRefused()
    {
        var error = Assert.Throws<InputException>(() => SweepPoints.Expand(Spec("""{"data": ["a/b.npy", "a b.npy"]}""")));
        Assert.Equal("two runs of the sweep would share the directory name 'data-a-b.npy': data = \"a/b.npy\" and data = \"a b.npy\".", error.Message);
    }

    [Fact]
    public void LongValuesAreCut()
    {
        string value = new('a', 100);
        IReadOnlyList<SweepPoint> points = SweepPoints.Expand(Spec($$$"""{"data": ["{{{value}}}"]}"""));
        Assert.Equal("data-" + new string('a', SweepPoints.MaxValueLength), points[0].Name);
    }
}
