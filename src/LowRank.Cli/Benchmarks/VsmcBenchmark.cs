using System.Diagnostics;
using LowRank.Data;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Smc;
using LowRank.Training;

namespace LowRank.Cli.Benchmarks;

/// <summary>What <see cref="VsmcBenchmark.Run"/> measures.</summary>
/// <param name="Recording">One continuous recording [steps, X], row-major.</param>
/// <param name="RecordingSteps">Its number of steps.</param>
/// <param name="Channels">X.</param>
/// <param name="Iterations">Timed training iterations.</param>
/// <param name="WarmupIterations">Untimed iterations first (JIT, workspaces).</param>
/// <param name="Threads">Worker threads over the batch.</param>
/// <param name="Seed">Seed of the model, the windows and the filter.</param>
public sealed record VsmcBenchmarkOptions(
    double[] Recording, int RecordingSteps, int Channels, int Iterations = 200, int WarmupIterations = 20, int Threads = 2, long Seed = 1);

/// <summary>Timing of full training iterations.</summary>
/// <param name="MsPerIteration">Median milliseconds per iteration (forward, backward, Adam step).</param>
/// <param name="MeanMsPerIteration">Mean milliseconds per iteration.</param>
/// <param name="CpuMsPerIteration">Process CPU time per iteration, all threads (less sensitive to a busy machine than wall time).</param>
/// <param name="Threads">Worker threads used.</param>
/// <param name="Iterations">Timed iterations.</param>
public sealed record VsmcBenchmarkResult(double MsPerIteration, double MeanMsPerIteration, double CpuMsPerIteration, int Threads, int Iterations);

/// <summary>
/// Times full training iterations of the published EEG configuration (DESIGN §3): B = 10 random
/// windows of T = 50 steps, K = 10 particles, R = 3, N = 512, clipped relu, optimal proposal, full Σz
/// and Σ0, float32 kernels; each iteration samples the windows, evaluates the objective and its
/// gradient and takes one Adam step.
/// </summary>
public static class VsmcBenchmark
{
    public const int Sequences = 10;
    public const int Steps = 50;

    /// <summary>The published EEG model for <paramref name="channels"/> channels.</summary>
    public static ModelOptions EegModel(int channels) => new()
    {
        Rank = 3,
        Units = 512,
        Channels = channels,
        Activation = Activation.ClippedRelu,
        TransitionNoise = NoiseShape.Full,
        InitialNoise = NoiseShape.Full,
        TrainInitialMean = true,
    };

    /// <summary>The published EEG filter settings.</summary>
    public static VsmcOptions EegFilter(int threads) => new()
    {
        Particles = 10,
        Proposal = ProposalKind.Optimal,
        Resampling = ResamplingScheme.Systematic,
        Precision = KernelPrecision.Single,
        Threads = threads,
    };

    public static VsmcBenchmarkResult Run(VsmcBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.RecordingSteps < Steps)
        {
            throw new InputException(
                $"the recording has {options.RecordingSteps} steps but the benchmark needs windows of {Steps}.",
                $"pass a recording with at least {Steps} time steps.");
        }

        if (options.Iterations < 1 || options.Threads < 1)
        {
            throw new InputException(
                $"iterations ({options.Iterations}) and threads ({options.Threads}) must be at least 1.",
                "pass --iterations 1 or more and --threads 1 or more.");
        }

        ModelOptions model = EegModel(options.Channels);
        var objective = new VsmcObjective(model, EegFilter(options.Threads));
        double[] theta = ModelInitializer.Create(model, options.Seed).Theta;
        var gradient = new double[theta.Length];
        var firstMoment = new double[theta.Length];
        var secondMoment = new double[theta.Length];
        var windows = new double[Sequences * Steps * options.Channels];
        var batch = new SequenceBatch(Sequences, Steps, options.Channels, windows);
        Rng rng = Rng.Create(options.Seed, 1_000_003);
        var times = new double[options.Iterations];
        int total = options.WarmupIterations + options.Iterations;
        TimeSpan cpuStart = TimeSpan.Zero;
        for (int iteration = 0; iteration < total; iteration++)
        {
            if (iteration == options.WarmupIterations)
            {
                cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            }

            long start = Stopwatch.GetTimestamp();
            for (int b = 0; b < Sequences; b++)
            {
                int first = rng.NextInt(options.RecordingSteps - Steps + 1);
                Array.Copy(options.Recording, first * options.Channels, windows, b * Steps * options.Channels, Steps * options.Channels);
            }

            objective.Evaluate(theta, batch, iteration, gradient);
            AdamStep(theta, gradient, firstMoment, secondMoment, iteration + 1, 1e-3);
            double elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (iteration >= options.WarmupIterations)
            {
                times[iteration - options.WarmupIterations] = elapsed;
            }
        }

        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds / options.Iterations;
        double mean = times.Average();
        Array.Sort(times);
        double median = times.Length % 2 == 1 ? times[times.Length / 2] : 0.5 * (times[times.Length / 2 - 1] + times[times.Length / 2]);
        return new VsmcBenchmarkResult(median, mean, cpu, options.Threads, options.Iterations);
    }

    /// <summary>One Adam ascent step (β1 = 0.9, β2 = 0.999), as a stand-in for the trainer's optimiser.</summary>
    private static void AdamStep(double[] theta, double[] gradient, double[] firstMoment, double[] secondMoment, int step, double learningRate)
    {
        const double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
        double correction1 = 1 - Math.Pow(beta1, step), correction2 = 1 - Math.Pow(beta2, step);
        for (int i = 0; i < theta.Length; i++)
        {
            double g = gradient[i];
            if (!double.IsFinite(g))
            {
                continue;
            }

            firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * g;
            secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * g * g;
            theta[i] += learningRate * (firstMoment[i] / correction1) / (Math.Sqrt(secondMoment[i] / correction2) + epsilon);
        }
    }
}
