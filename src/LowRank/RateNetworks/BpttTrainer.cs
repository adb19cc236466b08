using System.Diagnostics;
using LowRank.Data;
using LowRank.Numerics;
using LowRank.Training;

namespace LowRank.RateNetworks;

/// <summary>Options of <see cref="BpttTrainer"/>.</summary>
/// <param name="Epochs">Passes over the training trials.</param>
/// <param name="BatchSize">Trials per gradient step (the whole set when larger).</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="ClipNorm">Gradient-norm clip (0 = none).</param>
/// <param name="Trainable">Parameter groups that learn.</param>
/// <param name="Seed">Seeds minibatch order and state noise.</param>
/// <param name="Threads">Worker threads (results do not depend on it).</param>
/// <param name="RecurrentRateScale">Learning-rate factor of a free J (Adam moves every entry by about
/// lr per step, so a coherent update changes J's norm by about lr·N; 1/√N keeps full-rank training stable).</param>
public sealed record BpttOptions(
    int Epochs,
    int BatchSize,
    double LearningRate,
    double ClipNorm,
    ParameterGroups Trainable,
    long Seed,
    int Threads,
    double RecurrentRateScale = 1.0);

/// <summary>What a training run did.</summary>
/// <param name="Epochs">Epochs run.</param>
/// <param name="Steps">Gradient steps taken.</param>
/// <param name="InitialLoss">Criterion loss before training.</param>
/// <param name="BestLoss">Lowest criterion loss (the returned parameters).</param>
/// <param name="BestEpoch">Epoch whose parameters are returned (0 = initial).</param>
/// <param name="Seconds">Wall time.</param>
public sealed record TrainingSummary(int Epochs, int Steps, double InitialLoss, double BestLoss, int BestEpoch, double Seconds);

/// <summary>
/// Back-propagation through time with Adam, gradient-norm clipping and keep-best, parallel over the
/// trials of a batch.
/// </summary>
/// <remarks>
/// Loss of a batch: <c>L = Σ_trials Σ_t mask_t Σ_k (o_{t,k} − y_{t,k})² / (O · Σ_trials Σ_t mask_t)</c>
/// (masked mean squared error). Each trial of a batch back-propagates into its own gradient buffer;
/// buffers are summed in trial order, so the result is bit-identical for any thread count.
/// Keep-best criterion: the loss on <c>validation</c> trials after every epoch when given; otherwise the
/// full-batch loss before each step (full batch) or the epoch's mean batch loss (minibatches).
/// </remarks>
public static class BpttTrainer
{
    private const long NoiseStreamBase = 1L << 40;

    public static (double[] Theta, TrainingSummary Summary) Train(
        RateNetworkLayout layout,
        double[] initialTheta,
        IReadOnlyList<Trial> trials,
        int[] observed,
        BpttOptions options,
        IReadOnlyList<Trial>? validation,
        IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(options);
        if (initialTheta.Length != layout.Length)
        {
            throw new ArgumentException($"θ has length {initialTheta.Length}, expected {layout.Length}.", nameof(initialTheta));
        }

        if (trials.Count == 0)
        {
            throw new ArgumentException("no training trials.", nameof(trials));
        }

        var clock = Stopwatch.StartNew();
        int parameters = layout.Length;
        int batch = Math.Min(Math.Max(1, options.BatchSize), trials.Count);
        bool fullBatch = batch == trials.Count;
        int stepsPerEpoch = (trials.Count + batch - 1) / batch;
        int outputs = observed.Length > 0 ? observed.Length : layout.Spec.Outputs;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads) };

        double[] theta = (double[])initialTheta.Clone();
        double[] best = (double[])theta.Clone();
        var adam = new Adam(layout.RateScales(options.Trainable, options.RecurrentRateScale), options.LearningRate, options.ClipNorm);
        var buffers = new float[batch][];
        for (int s = 0; s < batch; s++)
        {
            buffers[s] = new float[parameters];
        }

        var gradient = new double[parameters];
        int[] order = Enumerable.Range(0, trials.Count).ToArray();
        var thetaF = new float[parameters];

        double Criterion(double[] at) => ValidationLoss(layout, at, validation!, observed, options);

        double bestLoss = validation is not null ? Criterion(theta) : double.PositiveInfinity;
        double initialLoss = bestLoss;
        int bestEpoch = 0;
        int stepCount = 0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            if (!fullBatch)
            {
                Shuffle(order, Rng.Create(options.Seed, epoch));
            }

            double epochLoss = 0;
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                int start = step * batch;
                int count = Math.Min(batch, trials.Count - start);
                for (int i = 0; i < parameters; i++)
                {
                    thetaF[i] = (float)theta[i];
                }

                float scale = (float)LossScale(trials, order.AsSpan(start, count), outputs);
                double loss = BatchGradient(
                    layout, thetaF, trials, order.AsMemory(start, count), observed, scale,
                    options.Seed, NoiseStreamBase + (long)epoch * trials.Count, buffers, gradient, parallel);
                if (validation is null && fullBatch)
                {
                    if (epoch == 1)
                    {
                        initialLoss = loss;
                    }

                    if (loss < bestLoss)
                    {
                        bestLoss = loss;
                        bestEpoch = epoch - 1;
                        Array.Copy(theta, best, parameters);
                    }
                }

                adam.Step(theta, gradient);
                stepCount++;
                epochLoss += loss * count;
            }

            epochLoss /= trials.Count;
            if (validation is not null)
            {
                double value = Criterion(theta);
                if (value < bestLoss)
                {
                    bestLoss = value;
                    bestEpoch = epoch;
                    Array.Copy(theta, best, parameters);
                }
            }
            else if (!fullBatch)
            {
                if (epoch == 1)
                {
                    initialLoss = epochLoss;
                }

                if (epochLoss < bestLoss)
                {
                    bestLoss = epochLoss;
                    bestEpoch = epoch;
                    Array.Copy(theta, best, parameters);
                }
            }

            progress.Report(new ProgressUpdate("epoch", epoch, options.Epochs, $"loss {epochLoss:0.#####e+0}  best {bestLoss:0.#####e+0}"));
        }

        if (validation is null && fullBatch)
        {
            // The last update has not been scored yet.
            double finalLoss = FullLoss(layout, theta, trials, observed, options, options.Epochs + 1);
            if (finalLoss < bestLoss)
            {
                bestLoss = finalLoss;
                bestEpoch = options.Epochs;
                Array.Copy(theta, best, parameters);
            }
        }

        if (double.IsPositiveInfinity(initialLoss))
        {
            initialLoss = bestLoss;
        }

        var summary = new TrainingSummary(options.Epochs, stepCount, initialLoss, bestLoss, bestEpoch, clock.Elapsed.TotalSeconds);
        return (best, summary);
    }

    /// <summary>
    /// Loss and gradient ∂L/∂θ of one batch, <paramref name="batch"/> holding trial indices; returns the batch loss.
    /// </summary>
    /// <remarks>
    /// Trial <c>s</c> of the batch runs forward and backward into its own buffer <c>buffers[s]</c> (noise from stream
    /// <c>noiseStream + index</c> of <paramref name="noiseSeed"/>); buffers are summed in batch order into
    /// <paramref name="gradient"/>, so the result is bit-identical for any thread count.
    /// </remarks>
    /// <typeparam name="T">float for training, double for gradient checks.</typeparam>
    public static double BatchGradient<T>(
        RateNetworkLayout layout,
        T[] theta,
        IReadOnlyList<Trial> trials,
        ReadOnlyMemory<int> batch,
        int[] observed,
        T lossScale,
        long noiseSeed,
        long noiseStream,
        T[][] buffers,
        double[] gradient,
        ParallelOptions parallel)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layout);
        int count = batch.Length;
        if (buffers.Length < count || gradient.Length != layout.Length)
        {
            throw new ArgumentException($"need {count} buffers and a gradient of length {layout.Length}; got {buffers.Length} and {gradient.Length}.", nameof(buffers));
        }

        int maxSteps = 1;
        ReadOnlySpan<int> indices = batch.Span;
        for (int s = 0; s < count; s++)
        {
            maxSteps = Math.Max(maxSteps, trials[indices[s]].Steps);
        }

        var losses = new double[count];
        Parallel.For(
            0,
            count,
            parallel,
            () => new RateNetworkWorkspace<T>(layout.Spec, observed.Length, maxSteps),
            (s, _, workspace) =>
            {
                int index = batch.Span[s];
                Rng? noise = layout.Spec.NoiseStd > 0 ? Rng.Create(noiseSeed, noiseStream + index) : null;
                Array.Clear(buffers[s]);
                losses[s] = double.CreateTruncating(RateNetworkKernel<T>.Forward(layout, theta, trials[index], observed, noise, workspace, lossScale));
                RateNetworkKernel<T>.Backward(layout, theta, trials[index], observed, workspace, lossScale, buffers[s]);
                return workspace;
            },
            _ => { });

        SumBuffers(buffers, count, gradient, parallel);
        double loss = 0;
        for (int s = 0; s < count; s++)
        {
            loss += losses[s];
        }

        return loss;
    }

    /// <summary>s = 1 / (O · Σ_batch Σ_t mask_t), the factor that makes a batch's summed squared error its mean (0 without masked steps).</summary>
    public static double LossScale(IReadOnlyList<Trial> trials, ReadOnlySpan<int> batch, int outputs)
    {
        double maskSum = 0;
        foreach (int index in batch)
        {
            maskSum += trials[index].MaskSum();
        }

        return maskSum > 0 ? 1.0 / (maskSum * outputs) : 0;
    }

    /// <summary>Masked mean squared error of <paramref name="trials"/> (forward only, noise from the epoch's streams).</summary>
    public static double FullLoss(RateNetworkLayout layout, double[] theta, IReadOnlyList<Trial> trials, int[] observed, BpttOptions options, int epoch)
    {
        int outputs = observed.Length > 0 ? observed.Length : layout.Spec.Outputs;
        double[] losses = RateNetworkRunner.Run(layout, theta, trials, observed, options.Seed, NoiseStreamBase + (long)epoch * trials.Count, options.Threads);
        double sum = 0;
        double maskSum = 0;
        for (int i = 0; i < trials.Count; i++)
        {
            sum += losses[i];
            maskSum += trials[i].MaskSum();
        }

        return maskSum > 0 ? sum / (maskSum * outputs) : 0;
    }

    private static double ValidationLoss(RateNetworkLayout layout, double[] theta, IReadOnlyList<Trial> validation, int[] observed, BpttOptions options) =>
        FullLoss(layout, theta, validation, observed, options with { Seed = options.Seed ^ 0x5EED }, 0);

    private static void SumBuffers<T>(T[][] buffers, int count, double[] destination, ParallelOptions parallel)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        const int chunk = 8192;
        int chunks = (destination.Length + chunk - 1) / chunk;
        Parallel.For(0, chunks, parallel, c =>
        {
            int from = c * chunk;
            int to = Math.Min(destination.Length, from + chunk);
            Array.Clear(destination, from, to - from);
            for (int s = 0; s < count; s++)
            {
                T[] buffer = buffers[s];
                for (int i = from; i < to; i++)
                {
                    destination[i] += double.CreateTruncating(buffer[i]);
                }
            }
        });
    }

    /// <summary>Fisher–Yates shuffle of <paramref name="order"/> in place.</summary>
    public static void Shuffle(int[] order, Rng rng)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int k = rng.NextInt(i + 1);
            (order[i], order[k]) = (order[k], order[i]);
        }
    }
}
