using System.Numerics;
using System.Numerics.Tensors;
using LowRank.Model;

namespace LowRank.Smc;

/// <summary>
/// Gradient accumulators of one sequence (or the batch total), in the layouts of <see cref="ModelView{TReal}"/>:
/// unit-space arrays in <typeparamref name="TReal"/>, the rest in double. Proposals and observation
/// models keep their own intermediate gradients in <see cref="Auxiliary"/>.
/// </summary>
internal sealed class GradientBuffer<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    public GradientBuffer(int rank, int units, int inputs, int readoutLength, int channels, int auxiliaryLength)
    {
        Mt = new TReal[rank * units];
        Nt = new TReal[rank * units];
        H = new TReal[units];
        M = new double[units * rank];
        W = new double[units * inputs];
        Decay = new double[1];
        TransitionCholesky = new double[rank * rank];
        InitialCholesky = new double[rank * rank];
        InitialMean = new double[rank];
        ReadoutWeights = new double[readoutLength];
        ReadoutBias = new double[channels];
        Variance = new double[channels];
        Auxiliary = new double[auxiliaryLength];
    }

    /// <summary>∂/∂Mᵀ [R,N].</summary>
    public TReal[] Mt { get; }

    /// <summary>∂/∂Ñ [R,N].</summary>
    public TReal[] Nt { get; }

    /// <summary>∂/∂h [N].</summary>
    public TReal[] H { get; }

    /// <summary>Further ∂/∂M [N,R] in double (input projection, unit readout).</summary>
    public double[] M { get; }

    /// <summary>∂/∂W [N,U].</summary>
    public double[] W { get; }

    /// <summary>∂/∂a [1].</summary>
    public double[] Decay { get; }

    /// <summary>∂/∂Lz [R,R].</summary>
    public double[] TransitionCholesky { get; }

    /// <summary>∂/∂L0 [R,R].</summary>
    public double[] InitialCholesky { get; }

    /// <summary>∂/∂μ0 [R].</summary>
    public double[] InitialMean { get; }

    /// <summary>∂/∂C or ∂/∂c.</summary>
    public double[] ReadoutWeights { get; }

    /// <summary>∂/∂d [X].</summary>
    public double[] ReadoutBias { get; }

    /// <summary>∂/∂σx² [X] (the clamped variance).</summary>
    public double[] Variance { get; }

    /// <summary>Proposal- and observation-specific intermediate gradients.</summary>
    public double[] Auxiliary { get; }

    public void Clear()
    {
        Array.Clear(Mt);
        Array.Clear(Nt);
        Array.Clear(H);
        Array.Clear(M);
        Array.Clear(W);
        Array.Clear(Decay);
        Array.Clear(TransitionCholesky);
        Array.Clear(InitialCholesky);
        Array.Clear(InitialMean);
        Array.Clear(ReadoutWeights);
        Array.Clear(ReadoutBias);
        Array.Clear(Variance);
        Array.Clear(Auxiliary);
    }

    /// <summary>this += other (the fixed-order batch reduction).</summary>
    public void Add(GradientBuffer<TReal> other)
    {
        TensorPrimitives.Add(Mt, other.Mt, Mt);
        TensorPrimitives.Add(Nt, other.Nt, Nt);
        TensorPrimitives.Add(H, other.H, H);
        TensorPrimitives.Add(M, other.M, M);
        TensorPrimitives.Add(W, other.W, W);
        TensorPrimitives.Add(Decay, other.Decay, Decay);
        TensorPrimitives.Add(TransitionCholesky, other.TransitionCholesky, TransitionCholesky);
        TensorPrimitives.Add(InitialCholesky, other.InitialCholesky, InitialCholesky);
        TensorPrimitives.Add(InitialMean, other.InitialMean, InitialMean);
        TensorPrimitives.Add(ReadoutWeights, other.ReadoutWeights, ReadoutWeights);
        TensorPrimitives.Add(ReadoutBias, other.ReadoutBias, ReadoutBias);
        TensorPrimitives.Add(Variance, other.Variance, Variance);
        TensorPrimitives.Add(Auxiliary, other.Auxiliary, Auxiliary);
    }
}
