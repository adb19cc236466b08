using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LowRank.Data;
using LowRank.Numerics;
using LowRank.Training;

namespace LowRank.RateNetworks;

/// <summary>
/// The masked mean squared error of a rate network on batches of trials, with its exact gradient by
/// back-propagation through time (<see cref="RateNetworkKernel{T}"/>), float32 and parallel over the trials
/// of a batch.
/// </summary>
/// <remarks>
/// Loss of a batch: <c>L = Σ_trials Σ_t mask_t Σ_k (o_{t,k} − y_{t,k})² / (O · Σ_trials Σ_t mask_t)</c>.
/// Trial i of a batch in epoch e draws its state noise from stream <c>2⁴⁰ + e·n + i</c> of the noise seed
/// (n training trials). Each trial back-propagates into its own gradient buffer; buffers are summed in
/// batch order, so the result is bit-identical for any thread count. Entries of frozen parameter groups
/// are reported as zero.
/// </remarks>
public sealed class BpttObjective : IDifferentiableObjective<TrialBatch>
{
    /// <summary>First noise stream of the training epochs.</summary>
    public const long NoiseStreamBase = 1L << 40;

    private readonly RateNetworkLayout _layout;
    private readonly IReadOnlyList<Trial> _trials;
    private readonly int[] _observed;
    private readonly long _noiseSeed;
    private readonly ParallelOptions _parallel;
    private readonly double[] _frozen;
    private readonly float[] _thetaF;
    private readonly double[] _gradient;
    private readonly double[] _entries;
    private readonly RateNetworkWorkspace<float>?[] _workspaces;
    private float[][] _buffers = [];

    /// <param name="layout">θ layout.</param>
    /// <param name="trials">Training trials; batches index into them.</param>
    /// <param name="observed">Observed unit indices (trajectory fitting), or empty to use the readout.</param>
    /// <param name="trainable">Parameter groups that learn; the gradient is zero elsewhere.</param>
    /// <param name="noiseSeed">Seed of the state noise.</param>
    /// <param name="threads">Worker threads (results do not depend on it).</param>
    public BpttObjective(RateNetworkLayout layout, IReadOnlyList<Trial> trials, int[] observed, ParameterGroups trainable, long noiseSeed, int threads)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(observed);
        _layout = layout;
        _trials = trials;
        _observed = observed;
        _noiseSeed = noiseSeed;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        _frozen = layout.RateScales(trainable);
        _thetaF = new float[layout.Length];
        _gradient = new double[layout.Length];
        _entries = new double[trials.Count];
        for (int i = 0; i < trials.Count; i++)
        {
            _entries[i] = trials[i].WeightedEntries();
        }

        _workspaces = new RateNetworkWorkspace<float>?[_parallel.MaxDegreeOfParallelism];
        Outputs = observed.Length > 0 ? observed.Length : layout.Spec.Outputs;
    }

    public int ParameterCount => _layout.Length;

    /// <summary>O: readout outputs, or observed units.</summary>
    public int Outputs { get; }

    public double Evaluate(ReadOnlySpan<double> theta, TrialBatch batch, Span<double> gradient)
    {
        for (int i = 0; i < _thetaF.Length; i++)
        {
            _thetaF[i] = (float)theta[i];
        }

        if (_buffers.Length < batch.Trials.Length)
        {
            _buffers = [.. Enumerable.Range(0, batch.Trials.Length).Select(_ => new float[_layout.Length])];
        }

        // s = 1 / Σ_batch entries (LossScale with the trials' entries counted once, in the constructor)
        double entries = 0;
        foreach (int index in batch.Trials.Span)
        {
            entries += _entries[index];
        }

        float scale = (float)(entries > 0 ? 1.0 / entries : 0);
        double loss = BatchGradient(
            _layout, _thetaF, _trials, batch.Trials, _observed, scale,
            _noiseSeed, NoiseStreamBase + (long)batch.Epoch * _trials.Count, _buffers, _gradient, _parallel, _workspaces);
        for (int i = 0; i < gradient.Length; i++)
        {
            gradient[i] = _frozen[i] == 0 ? 0 : _gradient[i];
        }

        return loss;
    }

    /// <summary>
    /// Loss and gradient ∂L/∂θ of one batch, <paramref name="batch"/> holding trial indices; returns the batch loss.
    /// </summary>
    /// <remarks>
    /// Trial <c>s</c> of the batch runs forward and backward into its own buffer <c>buffers[s]</c> (noise from stream
    /// <c>noiseStream + index</c> of <paramref name="noiseSeed"/>); buffers are summed in batch order into
    /// <paramref name="gradient"/>, so the result is bit-identical for any thread count. Each worker takes the next
    /// trial not yet taken and runs it in its own workspace, <c>workspaces[worker]</c>: pass the same array to every
    /// call (one slot per worker, filled on first use) so that no call allocates them again; without one, each call
    /// allocates its own.
    /// </remarks>
    /// <typeparam name="T">float for training, double for gradient checks.</typeparam>
    internal static double BatchGradient<T>(
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
        ParallelOptions parallel,
        RateNetworkWorkspace<T>?[]? workspaces = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(parallel);
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

        int workers = Math.Min(count, parallel.MaxDegreeOfParallelism > 0 ? parallel.MaxDegreeOfParallelism : Environment.ProcessorCount);
        workspaces ??= new RateNetworkWorkspace<T>?[workers];
        workers = Math.Min(workers, workspaces.Length);
        if (workers < 1 && count > 0)
        {
            throw new ArgumentException("need at least one workspace slot.", nameof(workspaces));
        }

        var losses = new double[count];
        int taken = -1;
        Parallel.For(0, workers, parallel, worker =>
        {
            RateNetworkWorkspace<T> workspace = workspaces[worker] ??= new RateNetworkWorkspace<T>(layout.Spec, observed.Length, maxSteps);
            int s;
            while ((s = Interlocked.Increment(ref taken)) < count)
            {
                int index = batch.Span[s];
                Rng? noise = layout.Spec.NoiseStd > 0 ? Rng.Create(noiseSeed, noiseStream + index) : null;
                Array.Clear(buffers[s]);
                losses[s] = double.CreateTruncating(RateNetworkKernel<T>.Forward(layout, theta, trials[index], observed, noise, workspace, lossScale));
                RateNetworkKernel<T>.Backward(layout, theta, trials[index], observed, workspace, lossScale, buffers[s]);
            }
        });

        SumBuffers(buffers, count, gradient, parallel);
        double loss = 0;
        for (int s = 0; s < count; s++)
        {
            loss += losses[s];
        }

        return loss;
    }

    /// <summary>
    /// s = 1 / Σ_batch Σ_t mask_t · (observed targets at t) — 1 / (O · Σ_batch Σ_t mask_t) when none is missing — the
    /// factor that makes a batch's summed squared error its mean (0 without weighted entries).
    /// </summary>
    public static double LossScale(IReadOnlyList<Trial> trials, ReadOnlySpan<int> batch)
    {
        double entries = 0;
        foreach (int index in batch)
        {
            entries += trials[index].WeightedEntries();
        }

        return entries > 0 ? 1.0 / entries : 0;
    }

    /// <summary>
    /// Masked mean squared error of <paramref name="trials"/> (forward only, float32), trial i's noise from stream
    /// <c>noiseStream + i</c> of <paramref name="noiseSeed"/>.
    /// </summary>
    public static double Loss(RateNetworkLayout layout, double[] theta, IReadOnlyList<Trial> trials, int[] observed, long noiseSeed, long noiseStream, int threads)
    {
        ArgumentNullException.ThrowIfNull(layout);
        double[] losses = RateNetworkRunner.Run(layout, theta, trials, observed, noiseSeed, noiseStream, threads);
        double sum = 0;
        double entries = 0;
        for (int i = 0; i < trials.Count; i++)
        {
            sum += losses[i];
            entries += trials[i].WeightedEntries();
        }

        return entries > 0 ? sum / entries : 0;
    }

    private static void SumBuffers<T>(T[][] buffers, int count, double[] destination, ParallelOptions parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int chunk = 8192;
        int chunks = (destination.Length + chunk - 1) / chunk;
        Parallel.For(0, chunks, parallel, c =>
        {
            int from = c * chunk;
            int length = Math.Min(destination.Length, from + chunk) - from;
            Span<double> sum = destination.AsSpan(from, length);
            sum.Clear();
            for (int s = 0; s < count; s++)
            {
                AddWidened<T>(buffers[s].AsSpan(from, length), sum);
            }
        });
    }

    /// <summary><c>destination[i] += (double)source[i]</c>, 16 floats per register for float32.</summary>
    private static void AddWidened<T>(ReadOnlySpan<T> source, Span<double> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (typeof(T) == typeof(float))
        {
            ref float from = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(source));
            ref double to = ref MemoryMarshal.GetReference(destination);
            for (; i <= source.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                (Vector512<double> lower, Vector512<double> upper) = Vector512.Widen(Vector512.LoadUnsafe(ref from, (nuint)i));
                (Vector512.LoadUnsafe(ref to, (nuint)i) + lower).StoreUnsafe(ref to, (nuint)i);
                (Vector512.LoadUnsafe(ref to, (nuint)(i + Vector512<double>.Count)) + upper).StoreUnsafe(ref to, (nuint)(i + Vector512<double>.Count));
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] += double.CreateTruncating(source[i]);
        }
    }
}
