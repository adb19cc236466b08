using System.Numerics;
using LowRank.Data;
using LowRank.Numerics;
using LowRank.RateNetworks;
using LowRank.Training;

namespace LowRank.Populations;

/// <summary>
/// The task loss of a network of N units whose loadings are drawn afresh from the Gaussian mixture φ at every
/// step (<see cref="MixtureParameters"/>), with its gradient in φ: a stochastic gradient of E_ξ[L], so the
/// populations cannot rely on one finite realisation.
/// </summary>
/// <remarks>
/// Step k draws ξ [N, D] from stream 2⁵⁰ + k of the seed, builds θ, runs the BPTT kernel on the batch
/// (<see cref="BpttObjective.BatchGradient"/>, float32) and chains ∂L/∂θ to ∂L/∂φ (<see cref="MixtureParameters.Backward"/>).
/// Trial i of a batch in epoch e draws its state noise from stream 2⁴⁰ + e·n + i (n training trials).
/// </remarks>
public sealed class SampledMixtureObjective : IDifferentiableObjective<TrialBatch>
{
    /// <summary>First stream of the per-step loadings draws.</summary>
    public const long DrawStreamBase = 1L << 50;

    private readonly MixtureParameters _mixture;
    private readonly IReadOnlyList<Trial> _trials;
    private readonly long _seed;
    private readonly ParallelOptions _parallel;
    private readonly MixtureWorkspace<float> _workspace;
    private readonly double[] _xi;

    /// <param name="mixture">The layout of φ and of the network it generates.</param>
    /// <param name="trials">Training trials; batches index into them.</param>
    /// <param name="batchSize">The largest batch.</param>
    /// <param name="seed">Seed of the loadings draws and of the state noise.</param>
    /// <param name="threads">Worker threads (results do not depend on it).</param>
    public SampledMixtureObjective(MixtureParameters mixture, IReadOnlyList<Trial> trials, int batchSize, long seed, int threads)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        ArgumentNullException.ThrowIfNull(trials);
        _mixture = mixture;
        _trials = trials;
        _seed = seed;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        _workspace = new MixtureWorkspace<float>(mixture, batchSize);
        _xi = new double[mixture.Network.Spec.Units * mixture.Dimension];
    }

    public int ParameterCount => _mixture.Length;

    public double Evaluate(ReadOnlySpan<double> phi, TrialBatch batch, Span<double> gPhi)
    {
        Rng.Create(_seed, DrawStreamBase + batch.Step).FillGaussian(_xi);
        return BatchGradient(_mixture, phi, _xi, _trials, batch.Trials, _seed, BpttObjective.NoiseStreamBase + (long)batch.Epoch * _trials.Count, _workspace, gPhi, _parallel);
    }

    /// <summary>
    /// Loss of one batch at φ with loadings drawn from ξ [N, D], and ∂L/∂φ into <paramref name="gPhi"/>. The loss is the
    /// masked mean squared error of <see cref="BpttObjective"/>; trial <c>index</c> draws its state noise from stream
    /// <c>noiseStream + index</c> of <paramref name="seed"/>.
    /// </summary>
    /// <typeparam name="T">float for training, double for gradient checks.</typeparam>
    internal static double BatchGradient<T>(
        MixtureParameters mixture,
        ReadOnlySpan<double> phi,
        ReadOnlySpan<double> xi,
        IReadOnlyList<Trial> trials,
        ReadOnlyMemory<int> batch,
        long seed,
        long noiseStream,
        MixtureWorkspace<T> workspace,
        Span<double> gPhi,
        ParallelOptions parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(mixture);
        ArgumentNullException.ThrowIfNull(workspace);
        RateNetworkLayout layout = mixture.Network;
        mixture.Loadings<T>(phi, xi, workspace.Theta);
        T scale = T.CreateTruncating(BpttObjective.LossScale(trials, batch.Span));
        double loss = BpttObjective.BatchGradient(layout, workspace.Theta, trials, batch, [], scale, seed, noiseStream, workspace.Buffers, workspace.GTheta, parallel, workspace.Workspaces);
        mixture.Backward(phi, xi, workspace.GTheta, gPhi);
        return loss;
    }
}

/// <summary>Buffers of <see cref="SampledMixtureObjective.BatchGradient"/>: θ, one gradient buffer per batch trial and ∂L/∂θ.</summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
internal sealed class MixtureWorkspace<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public MixtureWorkspace(MixtureParameters mixture, int batch)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        int length = mixture.Network.Length;
        Theta = new T[length];
        Buffers = Enumerable.Range(0, Math.Max(1, batch)).Select(_ => new T[length]).ToArray();
        GTheta = new double[length];
        Workspaces = new RateNetworkWorkspace<T>?[Math.Max(1, batch)];
    }

    /// <summary>θ of the current draw (b = x0 = 0).</summary>
    public T[] Theta { get; }

    /// <summary>[batch][θ length].</summary>
    public T[][] Buffers { get; }

    /// <summary>∂L/∂θ of the last batch.</summary>
    public double[] GTheta { get; }

    /// <summary>The kernels' per-worker workspaces, made on first use and kept for every batch.</summary>
    public RateNetworkWorkspace<T>?[] Workspaces { get; }
}
