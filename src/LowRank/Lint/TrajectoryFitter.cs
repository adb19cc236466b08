using LowRank.Data;
using LowRank.Numerics;
using LowRank.RateNetworks;
using LowRank.Tasks;
using LowRank.Training;
using MathNet.Numerics.LinearAlgebra;
using static LowRank.InputException;

namespace LowRank.Lint;

/// <summary>How a student network's connectivity starts.</summary>
public enum FitInitialization
{
    /// <summary>From the truncated SVD of the teacher's J: m_r = u_r s_r √N, ñ_r = v_r √N.</summary>
    Svd,

    /// <summary>m, ñ ~ N(0, 1).</summary>
    Random,
}

/// <summary>Options of <see cref="TrajectoryFitter"/>.</summary>
/// <param name="Rank">R of the fitted network.</param>
/// <param name="Epochs">Full-batch gradient steps.</param>
/// <param name="LearningRate">Adam learning rate (published: 1e-2).</param>
/// <param name="Initialization">SVD of the teacher (teacher fits only) or random.</param>
/// <param name="Seed">Seed of the split, the unit subset, the initialisation and the teacher's trials.</param>
/// <param name="Threads">Worker threads (results do not depend on it).</param>
/// <param name="HeldOutFraction">Fraction of conditions held out (recordings).</param>
/// <param name="Subsample">Fraction p of the teacher's units that are observed (teacher fits).</param>
/// <param name="TrainTrials">Teacher trials used for fitting.</param>
/// <param name="HeldOutTrials">Teacher trials used for R².</param>
/// <param name="EvaluationTrials">Trials of the accuracy estimate (teacher fits).</param>
/// <param name="HiddenUnits">Unrecorded units added to a fit of recordings: the network has the recorded neurons first, then these (DESIGN §6).</param>
public sealed record TrajectoryFitOptions(
    int Rank,
    int Epochs,
    double LearningRate,
    FitInitialization Initialization,
    long Seed,
    int Threads,
    double HeldOutFraction = 0.25,
    double Subsample = 1.0,
    int TrainTrials = 256,
    int HeldOutTrials = 128,
    int EvaluationTrials = 512,
    int HiddenUnits = 0)
{
    /// <summary>Throws <see cref="InputException"/> naming the first setting out of range (the rank is checked against the units by the fit).</summary>
    public void Validate()
    {
        if (!(Subsample > 0 && Subsample <= 1))
        {
            throw new InputException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Ref(nameof(Subsample))} must lie in (0, 1], got {Subsample}."),
                $"pass the observed fraction of units, e.g. {Ref(nameof(Subsample))} 0.05.") { Setting = nameof(Subsample) };
        }

        RequireCount(nameof(Epochs), Epochs);
        RequireCount(nameof(TrainTrials), TrainTrials);
        RequireCount(nameof(HeldOutTrials), HeldOutTrials);
        RequireCount(nameof(EvaluationTrials), EvaluationTrials);
        if (!(HeldOutFraction > 0 && HeldOutFraction < 1))
        {
            throw new InputException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Ref(nameof(HeldOutFraction))} must lie in (0, 1), got {HeldOutFraction}."),
                $"pass the held-out fraction of conditions, e.g. {Ref(nameof(HeldOutFraction))} 0.25.") { Setting = nameof(HeldOutFraction) };
        }

        if (!(LearningRate > 0))
        {
            throw new InputException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Ref(nameof(LearningRate))} must be positive, got {LearningRate}."),
                $"pass a positive learning rate, e.g. {Ref(nameof(LearningRate))} 0.01.") { Setting = nameof(LearningRate) };
        }

        RequireCount(nameof(Threads), Threads);
        if (HiddenUnits < 0)
        {
            throw new InputException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Ref(nameof(HiddenUnits))} must be 0 or more, got {HiddenUnits}."),
                $"pass the number of unrecorded units to add, e.g. {Ref(nameof(HiddenUnits))} 50.") { Setting = nameof(HiddenUnits) };
        }
    }
}

/// <summary>A fitted student and its scores.</summary>
/// <param name="Student">The fitted low-rank network.</param>
/// <param name="Observed">Fitted units: the teacher units that student units 0…k−1 stand for (teacher fits), or every recorded neuron.</param>
/// <param name="R2">Held-out R² over all observed values (one grand mean).</param>
/// <param name="R2PerNeuron">Mean over observed neurons of each neuron's held-out R².</param>
/// <param name="Accuracy">Task accuracy through the teacher's readout (teacher fits only).</param>
/// <param name="Summary">Training summary.</param>
/// <param name="TrainConditions">Conditions (trials) fitted.</param>
/// <param name="HeldOutConditions">Conditions (trials) scored.</param>
public sealed record TrajectoryFitResult(
    RateNetwork Student,
    int[] Observed,
    double R2,
    double R2PerNeuron,
    double? Accuracy,
    TrainingSummary Summary,
    int TrainConditions,
    int HeldOutConditions);

/// <summary>A fit by the split-half protocol: the fit (R² against the other half) and the noise ceiling.</summary>
/// <param name="Fit">The fit, its <see cref="TrajectoryFitResult.R2"/> scored against the other half's averages.</param>
/// <param name="Ceiling">Global R² of the fitted half's averages as a prediction of the other half's.</param>
/// <param name="CeilingPerNeuron">The same, the mean over neurons of each neuron's R².</param>
public sealed record SplitHalfFitResult(TrajectoryFitResult Fit, double Ceiling, double CeilingPerNeuron)
{
    /// <summary>R² / ceiling (NaN when the ceiling is not positive).</summary>
    public double FractionOfCeiling => Ceiling > 0 ? Fit.R2 / Ceiling : double.NaN;
}

/// <summary>What a LINT fit trains and scores: the student's start, its observed units, the trials and what learns.</summary>
/// <param name="Initial">The student before training.</param>
/// <param name="Observed">The student units whose ψ(x) is fitted.</param>
/// <param name="Reported">The units reported as observed: the teacher units the student's units stand for, or every recorded neuron.</param>
/// <param name="Train">Trials fitted.</param>
/// <param name="HeldOut">Trials scored.</param>
/// <param name="Trainable">Parameter groups that learn.</param>
/// <param name="Task">The teacher's task, whose accuracy the student is scored on (teacher fits only).</param>
public sealed record TrajectoryFitProblem(
    RateNetwork Initial, int[] Observed, int[] Reported, Trial[] Train, Trial[] HeldOut, ParameterGroups Trainable, CognitiveTask? Task)
{
    /// <summary>The BPTT settings of the fit: full batch, Adam at the fit's rate, gradient-norm clip 1.</summary>
    public BpttOptions Training(TrajectoryFitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new BpttOptions(options.Epochs, Train.Length, options.LearningRate, 1.0, Trainable, options.Seed, options.Threads);
    }
}

/// <summary>
/// LINT: fits a low-rank rate network to unit trajectories by BPTT on the masked mean squared error
/// between ψ(x) of the observed units and the targets (docs/lint.md, "Fitting trajectories").
/// </summary>
/// <remarks>
/// Conventions: the value fitted at step t is ψ(x_{t+1}), reached after input u_t; x_0 = x0.
/// Recordings: N = number of recorded neurons, all observed; m, ñ, W_in, b and x0 are trained, ψ = identity
/// (the recorded activity is matched by the states).
/// Teacher: a random fraction p of the teacher's units (k units) is observed; the student has one unit per
/// observed unit, with their W_in, b and x0 and the teacher's readout restricted to them, as in the
/// published subsampling fits (p = 1: the student has all N units). m, ñ and W_in are trained on the
/// noise-free rates φ(x) = tanh(x) of the observed units (ψ = tanh, the task readout's non-linearity; the
/// published teacher fits match and score rates, not states), and its task accuracy is measured through
/// the restricted teacher readout.
/// </remarks>
public static class TrajectoryFitter
{
    private const long HeldOutIndex = 1L << 32;

    /// <summary>
    /// Fits recordings: <paramref name="trajectories"/> of C conditions, observations [C, T, X] (X recorded neurons) with
    /// inputs [C, T, U] (U may be 0). A NaN observation is a missing entry, left out of the loss and of R²; with
    /// <see cref="TrajectoryFitOptions.HiddenUnits"/> H the network has X + H units, of which the first X are fitted.
    /// </summary>
    public static TrajectoryFitResult FitRecordings(SequenceSet trajectories, TrajectoryFitOptions options, IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(trajectories);
        ArgumentNullException.ThrowIfNull(options);
        int conditions = trajectories.Count;
        if (conditions < 2)
        {
            throw new InputException(
                $"the trajectories hold {conditions} condition(s); fitting needs at least 2 (one to fit, one held out).",
                "record more conditions, or pass trajectories shaped [conditions, T, neurons].");
        }

        Trial[] trials = RecordingTrials(trajectories);
        options.Validate();

        // Held-out conditions: a seeded random subset, at least one, at most C − 1.
        int heldOut = Math.Clamp((int)Math.Round(options.HeldOutFraction * conditions), 1, conditions - 1);
        int[] order = Rng.Create(options.Seed, 101).Permutation(conditions);
        Trial[] held = order.Take(heldOut).Order().Select(i => trials[i]).ToArray();
        Trial[] train = order.Skip(heldOut).Order().Select(i => trials[i]).ToArray();
        return Fit(RecordingProblem(trajectories, train, held, options), options, progress);
    }

    /// <summary>
    /// The noise-ceiling protocol for few conditions (docs/lint.md, "Split halves"): fits every condition of
    /// <paramref name="fitted"/> (the averages of one half of each neuron's trials) and scores R² against
    /// <paramref name="scored"/> (the other half's averages, the same conditions and inputs); the ceiling is the R² of
    /// the first half's averages as a prediction of the second's.
    /// </summary>
    public static SplitHalfFitResult FitSplitHalf(SequenceSet fitted, SequenceSet scored, TrajectoryFitOptions options, IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        ArgumentNullException.ThrowIfNull(scored);
        ArgumentNullException.ThrowIfNull(options);
        if (fitted.Count != scored.Count || fitted.Steps != scored.Steps || fitted.Channels != scored.Channels || fitted.Inputs != scored.Inputs)
        {
            throw new ArgumentException("the two halves must have the same conditions, steps, neurons and inputs.", nameof(scored));
        }

        Trial[] train = RecordingTrials(fitted);
        Trial[] held = RecordingTrials(scored);
        options.Validate();
        TrajectoryFitResult result = Fit(RecordingProblem(fitted, train, held, options), options, progress);
        int k = fitted.Channels;
        (double ceiling, double ceilingPerNeuron) = RSquared(held, [.. train.Select(t => t.Targets)], k);
        return new SplitHalfFitResult(result, ceiling, ceilingPerNeuron);
    }

    /// <summary>One trial per condition of recorded trajectories: targets [T, X] (NaN: missing), inputs [T, U], every step counted.</summary>
    private static Trial[] RecordingTrials(SequenceSet trajectories)
    {
        int conditions = trajectories.Count, steps = trajectories.Steps, neurons = trajectories.Channels, inputCount = trajectories.Inputs;
        var trials = new Trial[conditions];
        for (int c = 0; c < conditions; c++)
        {
            var target = new float[steps * neurons];
            var u = new float[steps * inputCount];
            for (int i = 0; i < target.Length; i++)
            {
                target[i] = (float)trajectories.Observations[(long)c * steps * neurons + i];
            }

            for (int i = 0; i < u.Length; i++)
            {
                u[i] = (float)trajectories.InputValues[(long)c * steps * inputCount + i];
            }

            var mask = new float[steps];
            Array.Fill(mask, 1f);
            trials[c] = new Trial(steps, inputCount, neurons, u, target, mask);
        }

        if (trials.All(t => t.WeightedEntries() == 0))
        {
            throw new InputException(
                "every value of the trajectories is NaN (missing): there is nothing to fit.",
                "NaN marks a missing value; give the recorded values.");
        }

        return trials;
    }

    /// <summary>The student of a fit to recordings: the recorded neurons first, then the hidden units; what learns.</summary>
    private static TrajectoryFitProblem RecordingProblem(SequenceSet trajectories, Trial[] train, Trial[] held, TrajectoryFitOptions options)
    {
        int neurons = trajectories.Channels;
        var spec = new RateNetworkSpec(neurons + options.HiddenUnits, options.Rank, trajectories.Inputs, 0, CognitiveTask.Alpha, 0.0, ReadoutKind.Identity);
        RateNetwork initial = RateNetwork.CreateRandom(spec, options.Seed);
        int[] observed = Enumerable.Range(0, neurons).ToArray();
        ParameterGroups trainable = ParameterGroups.M | ParameterGroups.NTilde | ParameterGroups.InputWeights
            | ParameterGroups.Bias | ParameterGroups.InitialState;
        return new TrajectoryFitProblem(initial, observed, observed, train, held, trainable, null);
    }

    /// <summary>Fits a student of rank R to the trajectories of <paramref name="teacher"/> on <paramref name="task"/>.</summary>
    public static TrajectoryFitResult FitTeacher(RateNetwork teacher, CognitiveTask task, TrajectoryFitOptions options, IProgressSink progress) =>
        Fit(PrepareTeacher(teacher, task, options), options, progress);

    /// <summary>The student of rank R, its trials and what learns, for a fit to <paramref name="teacher"/> on <paramref name="task"/>.</summary>
    public static TrajectoryFitProblem PrepareTeacher(RateNetwork teacher, CognitiveTask task, TrajectoryFitOptions options)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        if (options.HiddenUnits != 0)
        {
            throw new InputException(
                $"{Ref(nameof(TrajectoryFitOptions.HiddenUnits))} adds unrecorded units to a fit of recordings, but this fits a teacher network, whose unobserved units are its own.",
                $"drop {Ref(nameof(TrajectoryFitOptions.HiddenUnits))}, or choose the observed fraction with {Ref(nameof(TrajectoryFitOptions.Subsample))}.") { Setting = nameof(TrajectoryFitOptions.HiddenUnits) };
        }
        RateNetworkSpec teacherSpec = teacher.Spec;
        int n = teacherSpec.Units;
        if (teacherSpec.Inputs != task.Inputs || teacherSpec.Outputs != task.Outputs)
        {
            throw new InputException(
                $"the teacher has {teacherSpec.Inputs} inputs and {teacherSpec.Outputs} outputs but task '{task.Name}' needs {task.Inputs} and {task.Outputs}.",
                "fit a teacher trained on this task.");
        }

        options.Validate();
        int count = Math.Max(1, (int)Math.Round(options.Subsample * n));
        int[] observed = Rng.Create(options.Seed, 102).Permutation(n).Take(count).Order().ToArray();

        // Targets: the teacher's noise-free rates ψ(x) of the observed units (ψ = tanh for a task network).
        RateNetwork quietTeacher = teacher.WithSpec(teacherSpec with { NoiseStd = 0 });
        Trial[] train = TeacherTrials(quietTeacher, task.GenerateMany(options.Seed, 0, options.TrainTrials), observed, options.Threads);
        Trial[] held = TeacherTrials(quietTeacher, task.GenerateMany(options.Seed, HeldOutIndex, options.HeldOutTrials), observed, options.Threads);

        // The student has one unit per observed teacher unit (as in the published subsampling fits), with the
        // teacher's W_in, b and x0 of those units and the teacher's readout restricted to them: W_out·k/N, so
        // that its output Σ_{i∈S} ψ(x_i) W_out,i / N is the teacher's readout sum over the observed units.
        var spec = new RateNetworkSpec(count, options.Rank, teacherSpec.Inputs, teacherSpec.Outputs, teacherSpec.Alpha, 0.0, teacherSpec.Readout);
        RateNetwork student = RateNetwork.CreateRandom(spec, options.Seed);
        RateNetworkLayout s = student.Layout;
        RateNetworkLayout t = teacher.Layout;
        Restrict(t.InputWeights.Of<double>(teacher.Theta), n, observed, 1.0, s.InputWeights.Of(student.Theta));
        Restrict(t.OutputWeights.Of<double>(teacher.Theta), n, observed, count / (double)n, s.OutputWeights.Of(student.Theta));
        Restrict(t.Bias.Of<double>(teacher.Theta), n, observed, 1.0, s.Bias.Of(student.Theta));
        Restrict(t.InitialState.Of<double>(teacher.Theta), n, observed, 1.0, s.InitialState.Of(student.Theta));
        if (options.Initialization == FitInitialization.Svd)
        {
            // The teacher's connectivity among the observed units (all of J when every unit is observed).
            double[,] j = teacher.RecurrentWeights();
            var block = new double[count, count];
            for (int a = 0; a < count; a++)
            {
                for (int c = 0; c < count; c++)
                {
                    block[a, c] = j[observed[a], observed[c]];
                }
            }

            InitializeFromSvd(student, block);
        }

        ParameterGroups trainable = ParameterGroups.M | ParameterGroups.NTilde | ParameterGroups.InputWeights;
        int[] studentUnits = Enumerable.Range(0, count).ToArray();
        return new TrajectoryFitProblem(student, studentUnits, observed, train, held, trainable, task);
    }

    /// <summary>
    /// Copies the observed units' entries of a per-unit parameter group [G, N] (G rows of N values) into
    /// the student's [G, k], times <paramref name="scale"/>.
    /// </summary>
    private static void Restrict(ReadOnlySpan<double> teacher, int n, int[] observed, double scale, Span<double> student)
    {
        int k = observed.Length;
        int rows = teacher.Length / n;
        for (int g = 0; g < rows; g++)
        {
            for (int a = 0; a < k; a++)
            {
                student[g * k + a] = teacher[g * n + observed[a]] * scale;
            }
        }
    }

    /// <summary>m_r = u_r s_r √N, ñ_r = v_r √N from the SVD J = U S Vᵀ, so that M Ñᵀ / N is J's best rank-R approximation.</summary>
    public static void InitializeFromSvd(RateNetwork student, double[,] teacherJ)
    {
        int n = student.Spec.Units;
        int rank = student.Spec.Rank;
        var svd = Matrix<double>.Build.DenseOfArray(teacherJ).Svd(computeVectors: true);
        Span<double> m = student.Layout.M.Of(student.Theta);
        Span<double> nTilde = student.Layout.NTilde.Of(student.Theta);
        double root = Math.Sqrt(n);
        for (int r = 0; r < rank; r++)
        {
            double singular = r < svd.S.Count ? svd.S[r] : 0.0;
            for (int i = 0; i < n; i++)
            {
                m[r * n + i] = svd.U[i, r] * singular * root;
                nTilde[r * n + i] = svd.VT[r, i] * root;
            }
        }
    }

    /// <summary>Held-out R²: (global, mean per neuron) of <paramref name="network"/>'s observed ψ(x) against the trials' targets.</summary>
    public static (double Global, double PerNeuron) Score(RateNetwork network, IReadOnlyList<Trial> trials, int[] observed, int threads)
    {
        int k = observed.Length;
        var predictions = new float[trials.Count][];
        RateNetworkRunner.Run(network.Layout, network.Theta, trials, observed, 0, 0, threads, (i, workspace) =>
            predictions[i] = workspace.Outputs.AsSpan(0, trials[i].Steps * k).ToArray());

        return RSquared(trials, predictions, k);
    }

    /// <summary>
    /// R² of <paramref name="predictions"/> [trial][T·k] against the trials' targets over their masked steps, leaving out
    /// missing (NaN) targets or predictions: (global, about the grand mean; mean per neuron, about each neuron's mean).
    /// </summary>
    public static (double Global, double PerNeuron) RSquared(IReadOnlyList<Trial> trials, IReadOnlyList<float[]> predictions, int k)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(predictions);

        // Per-neuron sums in trial order (deterministic).
        var count = new double[k];
        var sum = new double[k];
        var sumSquares = new double[k];
        var errors = new double[k];
        for (int i = 0; i < trials.Count; i++)
        {
            Trial trial = trials[i];
            for (int t = 0; t < trial.Steps; t++)
            {
                if (trial.Mask[t] == 0)
                {
                    continue;
                }

                for (int j = 0; j < k; j++)
                {
                    double y = trial.Targets[t * k + j];
                    double prediction = predictions[i][t * k + j];
                    if (double.IsNaN(y) || double.IsNaN(prediction))
                    {
                        continue; // a missing entry is not scored
                    }

                    double e = prediction - y;
                    count[j]++;
                    sum[j] += y;
                    sumSquares[j] += y * y;
                    errors[j] += e * e;
                }
            }
        }

        double totalCount = count.Sum();
        double grandMean = sum.Sum() / totalCount;
        double totalVariance = 0;
        double totalError = errors.Sum();
        double perNeuron = 0;
        int scored = 0;
        for (int j = 0; j < k; j++)
        {
            // Σ (y − ȳ)² = Σ y² − n ȳ², about the grand mean and about the neuron's own mean.
            totalVariance += sumSquares[j] - 2 * grandMean * sum[j] + count[j] * grandMean * grandMean;
            double own = sumSquares[j] - sum[j] * sum[j] / count[j];
            if (own > 1e-12 * Math.Max(1, sumSquares[j]))
            {
                perNeuron += 1 - errors[j] / own;
                scored++;
            }
        }

        double global = totalVariance > 0 ? 1 - totalError / totalVariance : double.NaN;
        return (global, scored > 0 ? perNeuron / scored : double.NaN);
    }

    /// <summary>Trains the problem's student (full-batch BPTT, keep-best) and scores it on the held-out trials.</summary>
    public static TrajectoryFitResult Fit(TrajectoryFitProblem problem, TrajectoryFitOptions options, IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        (RateNetwork initial, int[] observed, _, Trial[] train, Trial[] held, _, CognitiveTask? scoreAccuracy) = problem;
        if (options.Rank < 1 || options.Rank > initial.Spec.Units)
        {
            throw new InputException($"{Ref(nameof(options.Rank))} must be between 1 and the number of units ({initial.Spec.Units}), got {options.Rank}.", $"pass a smaller {Ref(nameof(options.Rank))}.");
        }

        options.Validate();

        (double[] theta, TrainingSummary summary, _) = RateNetworkTraining.Train(initial.Layout, initial.Theta, train, observed, problem.Training(options), null, progress);
        var student = new RateNetwork(initial.Spec, theta);
        (double r2, double r2PerNeuron) = Score(student, held, observed, options.Threads);
        double? accuracy = scoreAccuracy is null
            ? null
            : TaskTrainer.Accuracy(student, scoreAccuracy, TaskTrainer.EvaluationTrialsOf(scoreAccuracy, options.EvaluationTrials), options.Threads);
        return new TrajectoryFitResult(student, problem.Reported, r2, r2PerNeuron, accuracy, summary, train.Length, held.Length);
    }

    private static Trial[] TeacherTrials(RateNetwork teacher, Trial[] taskTrials, int[] observed, int threads)
    {
        int k = observed.Length;
        var result = new Trial[taskTrials.Length];
        RateNetworkRunner.Run(teacher.Layout, teacher.Theta, taskTrials, [], 0, 0, threads, (i, workspace) =>
        {
            Trial trial = taskTrials[i];
            int n = teacher.Spec.Units;
            bool rates = teacher.Spec.Readout == ReadoutKind.Tanh;
            var targets = new float[trial.Steps * k];
            for (int t = 0; t < trial.Steps; t++)
            {
                for (int j = 0; j < k; j++)
                {
                    float x = workspace.States[(t + 1) * n + observed[j]];
                    targets[t * k + j] = rates ? MathF.Tanh(x) : x;
                }
            }

            var mask = new float[trial.Steps];
            Array.Fill(mask, 1f);
            result[i] = new Trial(trial.Steps, trial.Inputs, k, trial.InputValues, targets, mask);
        });
        return result;
    }
}
