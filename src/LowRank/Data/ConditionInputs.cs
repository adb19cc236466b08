using System.Globalization;

namespace LowRank.Data;

/// <summary>One condition axis driving inputs: one input per value of the axis, 1 on time bins [From, To) of its conditions.</summary>
/// <param name="Axis">The condition axis's name.</param>
/// <param name="From">First time bin the input is on.</param>
/// <param name="To">First time bin after it (exclusive).</param>
public sealed record ConditionInputWindow(string Axis, int From, int To);

/// <summary>
/// Inputs per condition from a small spec (docs/lint.md, "Trial data"): <c>direction:10-20,task:0-34</c> gives one
/// input per value of the condition axis <c>direction</c>, on (1) during time bins 10 … 19 of the conditions with that
/// value, then one per value of <c>task</c>, on during bins 0 … 33; every other entry is 0.
/// </summary>
public static class ConditionInputs
{
    /// <summary>Parses <paramref name="text"/> against the condition axes of <paramref name="averages"/>; throws <see cref="InputException"/> on a bad spec.</summary>
    public static IReadOnlyList<ConditionInputWindow> Parse(string text, TrialAverages averages)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(averages);
        string axes = averages.ConditionAxes.Count == 0 ? "none" : string.Join(", ", averages.ConditionAxes.Select(a => a.Name));
        var windows = new List<ConditionInputWindow>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] pieces = part.Split(':');
            string[] range = pieces.Length == 2 ? pieces[1].Split('-') : [];
            if (range.Length != 2
                || !int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out int from)
                || !int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out int to))
            {
                throw new InputException(
                    $"the input spec part '{part}' is not AXIS:FROM-TO.",
                    "give one AXIS:FROM-TO per condition axis that drives inputs, e.g. direction:10-20,task:0-34 (time bins, FROM included, TO not).");
            }

            string axis = pieces[0];
            if (!averages.ConditionAxes.Any(a => a.Name == axis))
            {
                throw new InputException(
                    $"the input spec names '{axis}', which is not a condition axis (the condition axes are: {axes}).",
                    "name a condition axis of the axis list in each part of the input spec.");
            }

            if (windows.Any(w => w.Axis == axis))
            {
                throw new InputException($"the input spec names '{axis}' twice.", "give each condition axis at most one window.");
            }

            if (from >= to || to > averages.Steps)
            {
                throw new InputException(
                    string.Create(CultureInfo.InvariantCulture, $"the input window {from}-{to} of '{axis}' is not a non-empty range of the {averages.Steps} time bins."),
                    string.Create(CultureInfo.InvariantCulture, $"give FROM < TO ≤ {averages.Steps}, e.g. {axis}:0-{averages.Steps}."));
            }

            windows.Add(new ConditionInputWindow(axis, from, to));
        }

        return windows;
    }

    /// <summary>The inputs [C, T, U] of <paramref name="windows"/> (U = Σ the sizes of their axes) and U.</summary>
    public static (double[] Values, int Inputs) Build(IReadOnlyList<ConditionInputWindow> windows, TrialAverages averages)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(averages);
        int inputs = windows.Sum(w => averages.ConditionAxes.First(a => a.Name == w.Axis).Size);
        var values = new double[averages.Conditions * averages.Steps * inputs];
        int channel = 0;
        foreach (ConditionInputWindow window in windows)
        {
            int axis = averages.ConditionAxes.ToList().FindIndex(a => a.Name == window.Axis);
            for (int c = 0; c < averages.Conditions; c++)
            {
                int u = channel + averages.ConditionIndex[c][axis];
                for (int t = window.From; t < window.To; t++)
                {
                    values[(c * averages.Steps + t) * inputs + u] = 1;
                }
            }

            channel += averages.ConditionAxes[axis].Size;
        }

        return (values, inputs);
    }
}
