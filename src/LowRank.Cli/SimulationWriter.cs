using LowRank.Formats;
using LowRank.Simulation;

namespace LowRank.Cli;

/// <summary>Writes simulated trials as an npz with the names of docs/file-formats.md.</summary>
internal static class SimulationWriter
{
    public static void Write(string path, SimulationResult result)
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

        Npz.Write(path, arrays, DType.Float32);
    }

    public static string Describe(SimulationResult result) =>
        $"samples [{result.Trials},{result.Steps},{result.Channels}], latents [{result.Trials},{result.Steps},{result.Rank}], rates [{result.Trials},{result.Steps},{result.Channels}]"
        + (result.InputCount > 0 ? $", inputs [{result.Trials},{result.Steps},{result.InputCount}]" : string.Empty);
}
