using LowRank.Formats;
using LowRank.Simulation;
using LowRank.Tasks;

namespace LowRank.Cli;

/// <summary>Writes simulated trials as an npz with the names of docs/file-formats.md.</summary>
internal static class SimulationWriter
{
    /// <summary>The trials, and <paramref name="conditions"/> [trials] as 'condition' when given (copied from the inputs' file).</summary>
    public static void Write(string path, SimulationResult result, double[]? conditions = null)
    {
        int n = result.Trials, t = result.Steps;
        var arrays = new List<KeyValuePair<string, NdArray>>
        {
            new("samples", NdArray.Create(result.Samples, n, t, result.Channels)),
            new("latents", NdArray.Create(result.Latents, n, t, result.Rank)),
            new("rates", NdArray.Create(result.Rates, n, t, result.Channels)),
        };
        if (result.InputCount > 0)
        {
            arrays.Add(new("inputs", NdArray.Create(result.Inputs, n, t, result.InputCount)));
        }

        if (conditions is not null)
        {
            arrays.Add(new("condition", NdArray.Create(conditions, n)));
        }

        Npz.Write(path, arrays, DType.Float32);
    }

    /// <summary>A spiking teacher's trials: samples, rates, inputs, targets [S, T, ·], condition [S], units [K].</summary>
    public static void Write(string path, SpikingTeacherResult result)
    {
        int n = result.Trials, t = result.Steps;
        Npz.Write(
            path,
            [
                new("samples", NdArray.Create(ToDouble(result.Counts), n, t, result.Channels)),
                new("rates", NdArray.Create(ToDouble(result.Rates), n, t, result.Channels)),
                new("inputs", NdArray.Create(ToDouble(result.Inputs), n, t, result.InputCount)),
                new("targets", NdArray.Create(ToDouble(result.Targets), n, t, result.OutputCount)),
                new("condition", NdArray.Create(result.Conditions, n)),
                new("units", NdArray.Create([.. result.Units.Select(u => (double)u)], result.Channels)),
            ],
            DType.Float32);
    }

    public static string Describe(SpikingTeacherResult result) =>
        $"samples [{result.Trials},{result.Steps},{result.Channels}] (spike counts), rates, inputs [{result.Trials},{result.Steps},{result.InputCount}], targets, condition [{result.Trials}], units [{result.Channels}]";

    private static double[] ToDouble(float[] values) => [.. values.Select(v => (double)v)];

    public static string Describe(SimulationResult result) =>
        $"samples [{result.Trials},{result.Steps},{result.Channels}], latents [{result.Trials},{result.Steps},{result.Rank}], rates [{result.Trials},{result.Steps},{result.Channels}]"
        + (result.InputCount > 0 ? $", inputs [{result.Trials},{result.Steps},{result.InputCount}]" : string.Empty);
}
