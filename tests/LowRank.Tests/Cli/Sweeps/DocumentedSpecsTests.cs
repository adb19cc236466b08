using System.Text.RegularExpressions;
using LowRank.Cli.Sweeps;
using LowRank.Sweeps;

namespace LowRank.Tests.Cli.Sweeps;

/// <summary>Every spec docs/sweeps.md shows is a valid sweep of real commands and options.</summary>
public sealed partial class DocumentedSpecsTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LowRank.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (LowRank.slnx) is not above the test assembly.");
    }

    public static TheoryData<int> Specs => [.. Enumerable.Range(0, JsonBlocks().Count)];

    private static List<string> JsonBlocks() =>
        [.. JsonBlock().Matches(File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "sweeps.md"))).Select(m => m.Groups[1].Value)];

    [Fact]
    public void TheDocumentShowsAnExamplePerUse()
    {
        List<string> blocks = JsonBlocks();
        Assert.Equal(5, blocks.Count);
        Assert.Contains(blocks, b => b.Contains("\"command\": \"fixed-points\"", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.Contains("\"command\": \"task train\"", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.Contains("\"rank\": [1, 2, 3, 4, 6]", StringComparison.Ordinal) && b.Contains("\"command\": \"evaluate\"", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void EachDocumentedSpecChecksAgainstTheCommands(int index)
    {
        string root = RepositoryRoot();
        string specPath = Path.Combine(root, "spec.json");
        SweepSpec spec = SweepSpecReader.Parse(JsonBlocks()[index], specPath);
        IReadOnlyList<SweepPoint> points = SweepPoints.Expand(spec);
        SweepPlan plan = SweepPlanner.Plan(spec, points, specPath, Path.Combine(Path.GetTempPath(), "unused-sweep"));

        Assert.Equal(points.Count, plan.Runs.Count);
        Assert.Equal(root, plan.WorkingDirectory);
        Assert.All(plan.Runs, run => Assert.Equal(spec.Steps.Count, run.Steps.Count));
    }

    [GeneratedRegex("```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
