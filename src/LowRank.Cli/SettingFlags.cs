using System.Text.RegularExpressions;

namespace LowRank.Cli;

/// <summary>
/// The one table that maps the library's settings (properties of its options records, as
/// <see cref="InputException.Ref"/> names them in messages) to the flags of <c>lowrank</c>, so that every error a
/// user sees names the flag to change.
/// </summary>
/// <remarks>
/// A reference is a property name, or <c>Record.Property</c> where the same property name is spelled differently
/// by different commands (a training-trial count is <c>--trials</c> for <c>task train</c> and
/// <c>--train-trials</c> for <c>lint fit</c>). The qualified entry is looked up first, then the property alone.
/// </remarks>
internal static partial class SettingFlags
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["Account"] = "--account",
        ["Activation"] = "--activation",
        ["AlignTrials"] = "--align-trials",
        ["Baseline"] = "--baseline",
        ["BatchSize"] = "--batch",
        ["BinWidth"] = "--bin-width",
        ["BurnIn"] = "--burn-in",
        ["Channels"] = "--channels",
        ["CheckpointEvery"] = "--checkpoint-every",
        ["ClipNorm"] = "--clip",
        ["Components"] = "--components",
        ["Conditions"] = "--conditions",
        ["CorrelationBins"] = "--corr-bins",
        ["CpusPerTask"] = "--cpus-per-task",
        ["DecoderWindows"] = "--decoder-windows",
        ["Directions"] = "--directions",
        ["Epochs"] = "--epochs",
        ["Executor"] = "--executor",
        ["ExtraArguments"] = "--sbatch-arg",
        ["EvaluateEvery"] = "--evaluate-every",
        ["EvaluationTrials"] = "--eval-trials",
        ["FinalLearningRate"] = "--lr-end",
        ["EncoderChannels"] = "--encoder-channels",
        ["EncoderKernels"] = "--encoder-kernels",
        ["Gain"] = "--gain",
        ["Generations"] = "--generations",
        ["HeldOutFraction"] = "--held-out",
        ["HeldOutTrials"] = "--held-out-trials",
        ["HeldOutUnits"] = "--heldout-units",
        ["HiddenUnits"] = "--hidden-units",
        ["Holdout"] = "--holdout",
        ["Input"] = "--input",
        ["Iterations"] = "--iterations",
        ["Jobs"] = "--jobs",
        ["KappaTrials"] = "--kappa-trials",
        ["KappaUnits"] = "--kappa-units",
        ["LearningRate"] = "--lr",
        ["Likelihood"] = "--likelihood",
        ["Link"] = "--link",
        ["MaxComponents"] = "--max-components",
        ["Memory"] = "--mem",
        ["Metrics"] = "--metrics",
        ["ModelOut"] = "--model-out",
        ["NoiseScale"] = "--noise-scale",
        ["NoiseStd"] = "--noise",
        ["Out"] = "--out",
        ["Particles"] = "--particles",
        ["Partition"] = "--partition",
        ["Patience"] = "--patience",
        ["Preprocessed"] = "--preprocessed",
        ["Preset"] = "--preset",
        ["Proposal"] = "--proposal",
        ["PsthSmoothing"] = "--psth-smoothing",
        ["Rank"] = "--rank",
        ["Resamples"] = "--resamples",
        ["Restarts"] = "--restarts",
        ["Resume"] = "--resume",
        ["Ridge"] = "--ridge",
        ["Seed"] = "--seed",
        ["Seeds"] = "--seeds",
        ["SeenConditions"] = "--seen-conditions",
        ["SmoothBins"] = "--smooth-bins",
        ["Spread"] = "--init-spread",
        ["Start"] = "--start",
        ["Starts"] = "--starts",
        ["StateNoise"] = "--state-noise",
        ["Steps"] = "--steps",
        ["Stop"] = "--stop",
        ["Subsample"] = "--subsample",
        ["TargetAccuracy"] = "--target-accuracy",
        ["Task"] = "--task",
        ["Teacher"] = "--teacher",
        ["Threads"] = "--threads",
        ["Throttle"] = "--throttle",
        ["TimeLimit"] = "--time",
        ["TrainFraction"] = "--train-fraction",
        ["TrainTrials"] = "--train-trials",
        ["Trials"] = "--trials",
        ["Units"] = "--units",
        ["WindowLength"] = "--window",
        ["WindowsPerEpoch"] = "--windows",
        ["ZScore"] = "--zscore",
        ["MixtureTrainingOptions.Start"] = "--init",
        ["MixtureTrainingOptions.TrainTrials"] = "--trials",
        ["TaskTrainingOptions.TrainTrials"] = "--trials",
    };

    /// <summary>Every setting reference the table knows.</summary>
    public static IReadOnlyCollection<string> References => Flags.Keys;

    /// <summary>The flag of a setting reference (qualified first, then the property alone).</summary>
    public static string Of(string reference)
    {
        if (Flags.TryGetValue(reference, out string? flag))
        {
            return flag;
        }

        string property = reference[(reference.LastIndexOf('.') + 1)..];
        return Flags.TryGetValue(property, out flag) ? flag : "--" + KebabBoundary().Replace(property, "-$1").ToLowerInvariant();
    }

    /// <summary>The message of <paramref name="error"/> as the user sees it, settings named by their flags.</summary>
    public static string Message(InputException error) => error.RenderMessage(Of);

    /// <summary>The hint of <paramref name="error"/> as the user sees it, settings named by their flags.</summary>
    public static string Hint(InputException error) => error.RenderHint(Of);

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex KebabBoundary();
}
