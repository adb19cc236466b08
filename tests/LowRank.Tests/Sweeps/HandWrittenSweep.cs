using LowRank.Sweeps;

namespace LowRank.Tests.Sweeps;

/// <summary>A sweep directory whose runs' statuses and figures files are written by hand, for the tests of what reads them.</summary>
internal static class HandWrittenSweep
{
    /// <summary>
    /// Creates the sweep of <paramref name="specJson"/> in <paramref name="root"/>: each run is done with the figures files
    /// <paramref name="files"/> gives it (step name → JSON), or, where that gives null, left as <paramref name="other"/>
    /// (default: failed in its first step).
    /// </summary>
    public static OpenedSweep Create(string root, string specJson, Func<SweepPoint, IReadOnlyDictionary<string, string>?> files, RunStatus? other = null)
    {
        SweepSpec spec = SweepSpecReader.Parse(specJson, Path.Combine(Path.GetDirectoryName(root)!, "spec.json"));
        SweepDirectory.Create(root, spec, SweepPoints.Expand(spec));
        OpenedSweep sweep = SweepDirectory.Open(root);
        foreach (SweepPoint point in sweep.Points)
        {
            RunDirectory run = sweep.RunOf(point);
            Directory.CreateDirectory(run.Root);
            if (files(point) is not { } figures)
            {
                run.WriteStatus(other ?? new RunStatus { State = RunState.Failed, Reason = $"{spec.Main.Name}: error: x", Step = spec.Main.Name });
                continue;
            }

            run.WriteStatus(new RunStatus { State = RunState.Done, StepsDone = spec.Steps.Count });
            foreach ((string step, string json) in figures)
            {
                File.WriteAllText(run.FiguresOf(step), json);
            }
        }

        return sweep;
    }
}
