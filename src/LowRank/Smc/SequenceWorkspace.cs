using System.Numerics;
using LowRank.Model;

namespace LowRank.Smc;

/// <summary>
/// Everything one sequence needs for a forward and reverse pass, allocated once for a given (K, T):
/// stored particles, ancestors, weights, unit-space scratch and the sequence's gradient accumulators.
/// </summary>
/// <remarks>Shapes: Z, F, Eps [T,K,R]; Ancestors, LogW, Weights [T,K]; Wv, GWv [T,N]; V [T,U].</remarks>
internal sealed class SequenceWorkspace<TReal>
    where TReal : unmanaged, IFloatingPointIeee754<TReal>
{
    public SequenceWorkspace(ModelView<TReal> model, int particles, int steps, GradientBuffer<TReal> gradient, int proposalStateLength, int observationStateLength)
    {
        int k = particles, r = model.Rank, n = model.Units, u = model.Inputs;
        Particles = k;
        Steps = steps;
        Rank = r;
        Units = n;
        Inputs = u;
        Channels = model.Channels;
        V = new double[steps * u];
        Wv = new TReal[u > 0 ? steps * n : 0];
        GWv = new TReal[u > 0 ? steps * n : 0];
        Z = new double[steps * k * r];
        F = new double[steps * k * r];
        Eps = new double[steps * k * r];
        Ancestors = new int[steps * k];
        LogW = new double[steps * k];
        Weights = new double[steps * k];
        LogSumExp = new double[steps];
        Transition = new double[k * r];
        Used = new bool[k];
        UsedList = new int[k];
        Carry = new double[k * r];
        CarryPrevious = new double[k * r];
        GZ = new double[k * r];
        GF = new double[k * r];
        GFByAncestor = new double[k * r];
        GLogW = new double[k];
        NormalScratch = new double[NormalSampler.ScratchLength(k * r)];
        InitialMean = new double[r];
        Currents = new TReal[n];
        Rates = new TReal[n];
        GRates = new TReal[n];
        GCurrents = new TReal[n];
        UnitScratch = new double[Math.Max(n, model.Channels)];
        UnitScratch2 = new double[Math.Max(n, model.Channels)];
        Gradient = gradient;
        ProposalState = new double[proposalStateLength];
        ObservationState = new double[observationStateLength];
    }

    public int Particles { get; }

    public int Steps { get; }

    public int Rank { get; }

    public int Units { get; }

    public int Inputs { get; }

    public int Channels { get; }

    /// <summary>y [T,X] of this sequence.</summary>
    public ReadOnlyMemory<double> Observations { get; set; }

    /// <summary>u [T,U] of this sequence (empty without inputs).</summary>
    public ReadOnlyMemory<double> RawInputs { get; set; }

    /// <summary>v [T,U]: the inputs the units see (raw or filtered).</summary>
    public double[] V { get; }

    /// <summary>W v_t [T,N].</summary>
    public TReal[] Wv { get; }

    /// <summary>∂/∂(W v_t) [T,N].</summary>
    public TReal[] GWv { get; }

    public double[] Z { get; }

    /// <summary>Prior means of the particles: f_t^k for t ≥ 1, m_0 for t = 0.</summary>
    public double[] F { get; }

    public double[] Eps { get; }

    public int[] Ancestors { get; }

    public double[] LogW { get; }

    public double[] Weights { get; }

    public double[] LogSumExp { get; }

    /// <summary>Transition means from each particle of the previous step [K,R].</summary>
    public double[] Transition { get; }

    public bool[] Used { get; }

    /// <summary>Indices of the used particles, increasing.</summary>
    public int[] UsedList { get; }

    public double[] Carry { get; }

    public double[] CarryPrevious { get; }

    public double[] GZ { get; }

    public double[] GF { get; }

    public double[] GFByAncestor { get; }

    public double[] GLogW { get; }

    /// <summary>Scratch of <see cref="NormalSampler.Fill"/> for K·R draws.</summary>
    public double[] NormalScratch { get; }

    /// <summary>m_0 [R].</summary>
    public double[] InitialMean { get; }

    public TReal[] Currents { get; }

    public TReal[] Rates { get; }

    public TReal[] GRates { get; }

    public TReal[] GCurrents { get; }

    /// <summary>Double scratch of length max(N, X).</summary>
    public double[] UnitScratch { get; }

    /// <summary>Second double scratch of length max(N, X).</summary>
    public double[] UnitScratch2 { get; }

    public GradientBuffer<TReal> Gradient { get; }

    /// <summary>Per-sequence storage owned by the proposal.</summary>
    public double[] ProposalState { get; }

    /// <summary>Per-sequence objects a proposal creates on first use (e.g. the constants of steps with missing entries).</summary>
    public object? ProposalScratch { get; set; }

    /// <summary>Per-sequence objects an observation model creates on first use.</summary>
    public object? ObservationScratch { get; set; }

    /// <summary>Per-sequence storage owned by the observation model.</summary>
    public double[] ObservationState { get; }

    /// <summary>Objective of this sequence: (1/T) Σ_t [logsumexp_k log w_t^k − log K].</summary>
    public double Objective { get; set; }

    /// <summary>y_t [X].</summary>
    public ReadOnlySpan<double> ObservationAt(int t) => Observations.Span.Slice(t * Channels, Channels);

    /// <summary>W v_t [N] (empty without inputs).</summary>
    public Span<TReal> WvAt(int t) => Inputs > 0 ? Wv.AsSpan(t * Units, Units) : Span<TReal>.Empty;

    /// <summary>∂/∂(W v_t) [N] (empty without inputs).</summary>
    public Span<TReal> GWvAt(int t) => Inputs > 0 ? GWv.AsSpan(t * Units, Units) : Span<TReal>.Empty;

    /// <summary>Row [K,R] of a [T,K,R] array.</summary>
    public Span<double> Row(double[] array, int t) => array.AsSpan(t * Particles * Rank, Particles * Rank);
}
