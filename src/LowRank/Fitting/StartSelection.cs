using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using LowRank.Data;
using LowRank.Metrics;
using LowRank.Smc;
using LowRank.Training;
using static LowRank.InputException;

namespace LowRank.Fitting;

/// <summary>A fit of one or more starts: the kept fit and, with several starts, how each scored.</summary>
public sealed record MultiStartFit(FitResult Fit, StartsRecord? Starts);

/// <summary>
/// Multi-start fitting (<see cref="FitSettings.Starts"/>): S fits of the same recipe from S seeds, run side by side,
/// and the one whose generated series best reproduce the training data kept. Why (docs/benchmarks-training.md,
/// issue 13): which solution a fit settles in is decided by its initialisation, and the VSMC objective does not see
/// the difference — a filter with the optimal proposal lets every observation pull the particles back, so a network
/// whose free-running dynamics leave out a direction of the data can score as well as one that does not. What the
/// user wants from the model is that free-running behaviour, so the starts are compared on it: each generates
/// <see cref="SelectionSeries"/> series by the published protocol (posterior initial state, 2400 burn-in steps, the
/// training part's length) scored by D_stsp against the training part, both series Hann-smoothed and z-scored.
/// Only training data is seen: with a held-out split, the held-out part plays no part in the choice.
/// </summary>
public static class StartSelection
{
    /// <summary>Series each start generates to be scored.</summary>
    public const int SelectionSeries = 3;

    /// <summary>
    /// The checkpoint of start <paramref name="start"/>: <paramref name="checkpointPath"/> for start 0 (so a one-start fit
    /// keeps its usual checkpoint), <c>name.start-k.ext</c> beside it for the others.
    /// </summary>
    public static string CheckpointOf(string checkpointPath, int start)
    {
        ArgumentNullException.ThrowIfNull(checkpointPath);
        return start == 0
            ? checkpointPath
            : Path.Combine(Path.GetDirectoryName(checkpointPath) ?? "", string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileNameWithoutExtension(checkpointPath)}.start-{start}{Path.GetExtension(checkpointPath)}"));
    }

    /// <summary>
    /// Runs the <see cref="FitSettings.Starts"/> starts of <paramref name="settings"/> on <paramref name="data"/> (start k
    /// with seed <see cref="RestartsUntilTarget.AttemptSeed"/>(seed, k), otherwise the same recipe; all at once, sharing
    /// the threads, at least one each: a start is mostly sequential, so three starts on two cores finish in about 1.5
    /// single fits' time where running them two and one would take two) and keeps the one with the lowest selection D_stsp. One
    /// start is exactly <see cref="ModelFitter.Fit"/>. With <paramref name="resume"/>, each start continues its own
    /// checkpoint (<see cref="CheckpointOf"/>) where one exists. The result does not depend on the thread count.
    /// </summary>
    public static MultiStartFit Fit(
        SequenceSet data,
        FitSettings settings,
        string? checkpointPath = null,
        bool resume = false,
        IProgressSink? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(settings);
        int starts = settings.Starts;
        if (starts == 1)
        {
            TrainingCheckpoint? checkpoint = resume && checkpointPath is not null ? TrainingCheckpoint.Read(checkpointPath) : null;
            return new MultiStartFit(ModelFitter.Fit(data, settings, checkpointPath, checkpoint, progress, cancellation), null);
        }

        settings.Validate();
        if (!data.IsContinuous)
        {
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"{Ref(nameof(FitSettings.Starts))} {starts} chooses among fits by how well one long generated series matches the recording, but the data holds {data.Count} trials."),
                $"fit trials with {Ref(nameof(FitSettings.Starts))} 1, or pass a continuous recording of shape [T, X].") { Setting = nameof(FitSettings.Starts) };
        }

        if (MissingValues.Any(data.Observations))
        {
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"{Ref(nameof(FitSettings.Starts))} {starts} scores each start by comparing generated series with the recording, but the recording has {MissingValues.Count(data.Observations)} missing values (NaN)."),
                $"fit with {Ref(nameof(FitSettings.Starts))} 1 (the likelihood skips missing entries), or fill the gaps first.") { Setting = nameof(FitSettings.Starts) };
        }

        var clock = Stopwatch.StartNew();
        int threads = settings.Objective.Threads;
        var perStart = new FitSettings[starts];
        for (int k = 0; k < starts; k++)
        {
            perStart[k] = settings with
            {
                Starts = 1,
                Objective = settings.Objective with { Threads = Math.Max(1, threads / starts) },
                Trainer = settings.Trainer with { Seed = RestartsUntilTarget.AttemptSeed(settings.Trainer.Seed, k) },
            };
        }

        var fits = new FitResult[starts];
        var sink = new StartProgress(progress ?? new NullProgress(), starts);
        try
        {
            // One dedicated thread per start (long-running work the thread pool would add only slowly).
            Task[] running = [.. Enumerable.Range(0, starts).Select(k => Task.Factory.StartNew(
                () =>
                {
                    string? path = checkpointPath is null ? null : CheckpointOf(checkpointPath, k);
                    TrainingCheckpoint? checkpoint = resume && path is not null && File.Exists(path) ? TrainingCheckpoint.Read(path) : null;
                    fits[k] = ModelFitter.Fit(data, perStart[k], path, checkpoint, sink.For(k), cancellation);
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default))];
            Task.WaitAll(running);
        }
        catch (AggregateException error)
        {
            // A cancellation stands for all; otherwise the failure of the first failing start in start order.
            Exception first = error.InnerExceptions.FirstOrDefault(e => e is OperationCanceledException) ?? error.InnerExceptions[0];
            ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }

        SequenceSet train = settings.Holdout is double holdout ? data.Split(holdout).Train : data;
        var request = new EvaluationRequest
        {
            Generations = SelectionSeries,
            Seed = settings.Trainer.Seed,
            Threads = threads,
            DataPreprocessing = SeriesPreprocessing.HannSmoothThenZScore,
        };
        var scores = new StartScore[starts];
        int chosen = 0;
        for (int k = 0; k < starts; k++)
        {
            cancellation.ThrowIfCancellationRequested();
            EvaluationResult result = ProtocolEvaluator.Evaluate(fits[k].Model, train, request);
            TrainingSummary summary = fits[k].Training.Summary;
            scores[k] = new StartScore(k, perStart[k].Trainer.Seed, result.DStsp, result.DH, summary.Objective.Count > 0 ? summary.Objective[^1] : double.NaN);
            progress?.Report(new ProgressUpdate("start selection", k + 1, starts, string.Create(CultureInfo.InvariantCulture, $"start {k + 1}: d_stsp {result.DStsp:0.000}  d_h {result.DH:0.0000}")));
            if (scores[k].DStsp < scores[chosen].DStsp)
            {
                chosen = k;
            }
        }

        return new MultiStartFit(fits[chosen], new StartsRecord(chosen, scores, clock.Elapsed.TotalSeconds));
    }

    /// <summary>Passes each start's progress on, one report at a time, its message prefixed with the start.</summary>
    private sealed class StartProgress(IProgressSink inner, int starts)
    {
        private readonly Lock _gate = new();
        private readonly IProgressSink _inner = inner;

        public IProgressSink For(int start) => new Prefixed(this, string.Create(CultureInfo.InvariantCulture, $"start {start + 1}/{starts}: "));

        private sealed class Prefixed(StartProgress owner, string prefix) : IProgressSink
        {
            public void Report(in ProgressUpdate update)
            {
                lock (owner._gate)
                {
                    owner._inner.Report(update with { Message = prefix + update.Message });
                }
            }
        }
    }
}
