using System.Globalization;
using LowRank.Formats;
using LowRank.Numerics;

namespace LowRank.Data;

// Dimension legend: C conditions (the product of the condition axes), T time bins, X neurons, K trial slots.

/// <summary>
/// The named axes of a stored trial-resolved array, e.g. <c>neuron,direction,task,time,trial</c>: exactly one
/// <c>neuron</c> and one <c>time</c> axis, at most one <c>trial</c> axis, and any others as condition axes (their
/// combinations, first axis outermost, are the conditions).
/// </summary>
public sealed record TrialAxes(IReadOnlyList<string> Names)
{
    /// <summary>The neuron axis's name.</summary>
    public const string Neuron = "neuron";

    /// <summary>The time axis's name.</summary>
    public const string Time = "time";

    /// <summary>The trial axis's name (averaged over).</summary>
    public const string Trial = "trial";

    /// <summary>Position of the neuron axis.</summary>
    public int NeuronAxis => IndexOf(Neuron);

    /// <summary>Position of the time axis.</summary>
    public int TimeAxis => IndexOf(Time);

    /// <summary>Position of the trial axis, or −1.</summary>
    public int TrialAxis => IndexOf(Trial);

    /// <summary>Positions of the condition axes, in order.</summary>
    public int[] ConditionAxes => [.. Enumerable.Range(0, Names.Count).Where(i => Names[i] is not (Neuron or Time or Trial))];

    /// <summary>
    /// Parses <paramref name="text"/> (comma-separated names) for an array of <paramref name="shape"/> read from
    /// <paramref name="source"/>; throws <see cref="InputException"/> when the list does not fit the array.
    /// </summary>
    public static TrialAxes Parse(string text, IReadOnlyList<int> shape, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(shape);
        string[] names = [.. text.Split(',', StringSplitOptions.TrimEntries)];
        string shown = NdArray.FormatShape([.. shape]);
        if (names.Length != shape.Count)
        {
            throw new InputException(
                $"the axis list '{text}' names {names.Length} axes, but {source} has {shape.Count} ({shown}).",
                $"name each of its {shape.Count} axes in order, e.g. {string.Join(',', DefaultNames(shape.Count))}.");
        }

        if (names.FirstOrDefault(n => n.Length == 0 || !n.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')) is { } bad)
        {
            throw new InputException(
                $"the axis list '{text}' has a name that is empty or not made of letters, digits, '_' and '-' ('{bad}').",
                "separate the names with commas, e.g. neuron,direction,task,time,trial.");
        }

        if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InputException($"the axis list '{text}' names '{twice.Key}' twice.", "give each axis its own name.");
        }

        foreach (string required in new[] { Neuron, Time })
        {
            if (!names.Contains(required))
            {
                throw new InputException(
                    $"the axis list '{text}' has no '{required}' axis.",
                    $"name the axis of the {(required == Neuron ? "neurons" : "time bins")} '{required}' (and the trials' 'trial'; the others are conditions).");
            }
        }

        return new TrialAxes(names);
    }

    private static IEnumerable<string> DefaultNames(int count) =>
        count switch
        {
            3 => ["neuron", "time", "trial"],
            _ => ["neuron", .. Enumerable.Range(1, Math.Max(0, count - 3)).Select(i => $"condition{i}"), "time", "trial"],
        };

    private int IndexOf(string name)
    {
        for (int i = 0; i < Names.Count; i++)
        {
            if (Names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>
/// Trial-averaged activity shaped for a fit: conditions × time × neurons, with each condition's index along every
/// condition axis. A NaN is a bin no trial of that neuron and condition recorded (a missing value).
/// </summary>
/// <param name="Conditions">C.</param>
/// <param name="Steps">T.</param>
/// <param name="Neurons">X.</param>
/// <param name="Values">[C, T, X].</param>
/// <param name="ConditionIndex">Per condition, its index along each condition axis [C][axes].</param>
/// <param name="ConditionAxes">The condition axes' names and sizes, in order.</param>
public sealed record TrialAverages(int Conditions, int Steps, int Neurons, double[] Values, int[][] ConditionIndex, IReadOnlyList<(string Name, int Size)> ConditionAxes)
{
    /// <summary>The averages as sequences [C, T, X] with the given inputs [C, T, U].</summary>
    public SequenceSet ToSequences(int inputs = 0, double[]? inputValues = null) => new(Conditions, Steps, Neurons, Values, inputs, inputValues);

    /// <summary>Condition c in words: <c>direction 1, task 2</c> (0-based indices).</summary>
    public string Describe(int condition) =>
        ConditionAxes.Count == 0 ? "all" : string.Join(", ", ConditionAxes.Select((a, i) => string.Create(CultureInfo.InvariantCulture, $"{a.Name} {ConditionIndex[condition][i]}")));
}

/// <summary>
/// Averages a trial-resolved array over its trials, whole or in two random halves (docs/lint.md, "Trial data"): the
/// input array's entries are NaN where a neuron has no such trial (unused trial slots), and NaNs are ignored.
/// </summary>
public static class TrialTensor
{
    /// <summary>The mean over each neuron's, condition's and time bin's recorded trials (NaN where there are none).</summary>
    public static TrialAverages Average(NdArray array, TrialAxes axes)
    {
        Layout layout = Layout.Of(array, axes);
        var sums = new double[layout.Conditions * layout.Steps * layout.Neurons];
        var counts = new int[sums.Length];
        layout.ForEachTrial(array, (_, _, _) => true, sums, counts);
        return layout.Averages(sums, counts);
    }

    /// <summary>
    /// Splits each neuron's recorded trials of each condition at random into two halves (sizes ⌈m/2⌉ and ⌊m/2⌋ of its
    /// m trials; a trial is recorded when any of its time bins is not NaN) and averages each half. The split of neuron
    /// x, condition c comes from stream x·C + c of <paramref name="seed"/>, so it does not depend on anything else.
    /// </summary>
    public static (TrialAverages First, TrialAverages Second) SplitHalves(NdArray array, TrialAxes axes, long seed)
    {
        Layout layout = Layout.Of(array, axes);
        if (layout.Trials < 2)
        {
            throw new InputException(
                $"a split into two halves of the trials needs a '{TrialAxes.Trial}' axis with at least 2 trials, but this array has {layout.Trials}.",
                $"name the trials' axis '{TrialAxes.Trial}' in the axis list, or score on held-out conditions instead.");
        }

        // first[x, c] marks the trial slots of the first half.
        var inFirst = new bool[layout.Neurons * layout.Conditions * layout.Trials];
        for (int x = 0; x < layout.Neurons; x++)
        {
            for (int c = 0; c < layout.Conditions; c++)
            {
                int[] recorded = [.. Enumerable.Range(0, layout.Trials).Where(k => layout.TrialRecorded(array, x, c, k))];
                int[] order = Rng.Create(seed, (long)x * layout.Conditions + c).Permutation(recorded.Length);
                int half = (recorded.Length + 1) / 2;
                for (int i = 0; i < half; i++)
                {
                    inFirst[(x * layout.Conditions + c) * layout.Trials + recorded[order[i]]] = true;
                }
            }
        }

        int length = layout.Conditions * layout.Steps * layout.Neurons;
        var firstSums = new double[length];
        var firstCounts = new int[length];
        var secondSums = new double[length];
        var secondCounts = new int[length];
        layout.ForEachTrial(array, (x, c, k) => inFirst[(x * layout.Conditions + c) * layout.Trials + k], firstSums, firstCounts);
        layout.ForEachTrial(array, (x, c, k) => !inFirst[(x * layout.Conditions + c) * layout.Trials + k], secondSums, secondCounts);
        return (layout.Averages(firstSums, firstCounts), layout.Averages(secondSums, secondCounts));
    }

    /// <summary>Where each axis of the array lies: strides, sizes and the condition axes' mixed-radix order.</summary>
    private sealed class Layout
    {
        private readonly int[] _strides;
        private readonly int _neuronAxis;
        private readonly int _timeAxis;
        private readonly int _trialAxis;
        private readonly int[] _conditionAxes;
        private readonly int[] _shape;
        private readonly TrialAxes _axes;

        private Layout(NdArray array, TrialAxes axes)
        {
            _shape = array.Shape;
            _axes = axes;
            _strides = new int[_shape.Length];
            int stride = 1;
            for (int a = _shape.Length - 1; a >= 0; a--)
            {
                _strides[a] = stride;
                stride *= _shape[a];
            }

            _neuronAxis = axes.NeuronAxis;
            _timeAxis = axes.TimeAxis;
            _trialAxis = axes.TrialAxis;
            _conditionAxes = axes.ConditionAxes;
            Neurons = _shape[_neuronAxis];
            Steps = _shape[_timeAxis];
            Trials = _trialAxis < 0 ? 1 : _shape[_trialAxis];
            Conditions = _conditionAxes.Aggregate(1, (p, a) => checked(p * _shape[a]));
        }

        public int Neurons { get; }

        public int Steps { get; }

        public int Trials { get; }

        public int Conditions { get; }

        public static Layout Of(NdArray array, TrialAxes axes)
        {
            ArgumentNullException.ThrowIfNull(array);
            ArgumentNullException.ThrowIfNull(axes);
            if (axes.Names.Count != array.Rank)
            {
                throw new ArgumentException($"{axes.Names.Count} axis names for an array of rank {array.Rank}.", nameof(axes));
            }

            if (array.Shape.Any(s => s == 0))
            {
                throw new InputException(
                    $"the trial array has an empty axis ({NdArray.FormatShape(array.Shape)}).",
                    "give an array with at least one neuron, time bin, trial and condition.");
            }

            return new Layout(array, axes);
        }

        /// <summary>Offset of neuron x, condition c, trial k, time 0 in the array.</summary>
        private int Offset(int x, int c, int k)
        {
            int offset = x * _strides[_neuronAxis] + (_trialAxis < 0 ? 0 : k * _strides[_trialAxis]);
            for (int i = _conditionAxes.Length - 1; i >= 0; i--)
            {
                int axis = _conditionAxes[i];
                offset += c % _shape[axis] * _strides[axis];
                c /= _shape[axis];
            }

            return offset;
        }

        public bool TrialRecorded(NdArray array, int x, int c, int k)
        {
            int offset = Offset(x, c, k), step = _strides[_timeAxis];
            for (int t = 0; t < Steps; t++)
            {
                if (!double.IsNaN(array.Data[offset + t * step]))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Adds every non-NaN value of the trials <paramref name="include"/> keeps into [C, T, X] sums and counts.</summary>
        public void ForEachTrial(NdArray array, Func<int, int, int, bool> include, double[] sums, int[] counts)
        {
            int step = _strides[_timeAxis];
            for (int x = 0; x < Neurons; x++)
            {
                for (int c = 0; c < Conditions; c++)
                {
                    for (int k = 0; k < Trials; k++)
                    {
                        if (!include(x, c, k))
                        {
                            continue;
                        }

                        int offset = Offset(x, c, k);
                        for (int t = 0; t < Steps; t++)
                        {
                            double value = array.Data[offset + t * step];
                            if (double.IsInfinity(value))
                            {
                                throw new InputException(
                                    $"the trial array holds an infinite value at neuron {x}, condition {c}, trial {k}, time {t}.",
                                    "NaN marks an unused trial slot; an infinite rate has no meaning: replace it with NaN or a recorded value.");
                            }

                            if (!double.IsNaN(value))
                            {
                                int at = (c * Steps + t) * Neurons + x;
                                sums[at] += value;
                                counts[at]++;
                            }
                        }
                    }
                }
            }
        }

        public TrialAverages Averages(double[] sums, int[] counts)
        {
            var values = new double[sums.Length];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = counts[i] > 0 ? sums[i] / counts[i] : double.NaN;
            }

            var index = new int[Conditions][];
            for (int c = 0; c < Conditions; c++)
            {
                index[c] = new int[_conditionAxes.Length];
                int rest = c;
                for (int i = _conditionAxes.Length - 1; i >= 0; i--)
                {
                    index[c][i] = rest % _shape[_conditionAxes[i]];
                    rest /= _shape[_conditionAxes[i]];
                }
            }

            return new TrialAverages(Conditions, Steps, Neurons, values, index, [.. _conditionAxes.Select(a => (_axes.Names[a], _shape[a]))]);
        }
    }
}
