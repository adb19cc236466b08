using System.Numerics;

namespace LowRank.RateNetworks;

/// <summary>
/// Per-trial buffers of the rate-network kernels, sized once for the longest trial and reused:
/// the time loop allocates nothing.
/// </summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
internal sealed class RateNetworkWorkspace<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _units;
    private readonly int _rank;
    private readonly int _outputs;
    private readonly int _inputs;

    public RateNetworkWorkspace(RateNetworkSpec spec, int observedCount, int steps)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _units = spec.Units;
        _rank = spec.IsFullRank ? 0 : spec.Rank;
        _outputs = observedCount > 0 ? observedCount : spec.Outputs;
        _inputs = spec.Inputs;
        Gx = new T[_units];
        Gr = new T[_units];
        Scratch = new T[_units];
        Noise = new T[_units];
        RankCoefficients = new T[Math.Max(_rank, 1)];
        ScaledInputs = new T[Math.Max(spec.Inputs, 1)];
        States = [];
        Rates = [];
        Kappa = [];
        Outputs = [];
        ScaledGradients = [];
        StateGradients = [];
        PreActivationGradients = [];
        KappaGradients = [];
        StepInputs = [];
        EnsureSteps(steps);
    }

    /// <summary>[T + 1, N]: x_0 … x_T of the last forward pass.</summary>
    public T[] States { get; private set; }

    /// <summary>[T, N]: φ(x_t + b).</summary>
    public T[] Rates { get; private set; }

    /// <summary>[T, R]: κ_t = Ñᵀ φ(x_t + b) / N (low rank only).</summary>
    public T[] Kappa { get; private set; }

    /// <summary>[T, N]: α ∂L/∂x_{t+1} of the last backward pass (full rank only).</summary>
    internal T[] ScaledGradients { get; private set; }

    /// <summary>[T, N]: g_t = ∂L/∂x_{t+1} of the last backward pass, output term included.</summary>
    internal T[] StateGradients { get; private set; }

    /// <summary>[T, N]: ∂L/∂(x_t + b) of the last backward pass.</summary>
    internal T[] PreActivationGradients { get; private set; }

    /// <summary>[T, R]: ∂L/∂κ_t / N of the last backward pass (low rank).</summary>
    internal T[] KappaGradients { get; private set; }

    /// <summary>[T, U]: the trial's inputs u_t as <typeparamref name="T"/>.</summary>
    internal T[] StepInputs { get; private set; }

    /// <summary>[T, O]: outputs (readout, or ψ of the observed units' states).</summary>
    public T[] Outputs { get; private set; }

    /// <summary>[N]: ∂L/∂x_{t+1} during the backward pass.</summary>
    internal T[] Gx { get; }

    /// <summary>[N]: ∂L/∂r_t (full rank: J r_t in the forward pass).</summary>
    internal T[] Gr { get; }

    /// <summary>[N]: ψ(x_{t+1}) of the readout.</summary>
    internal T[] Scratch { get; }

    /// <summary>[N]: σ ξ_t of one step.</summary>
    internal T[] Noise { get; }

    /// <summary>[R]: α κ_t of one forward step.</summary>
    internal T[] RankCoefficients { get; }

    /// <summary>[U]: α u_t of one step.</summary>
    internal T[] ScaledInputs { get; }

    /// <summary>Steps the buffers hold.</summary>
    public int Capacity { get; private set; }

    /// <summary>Grows the buffers (outside any time loop) to hold <paramref name="steps"/> steps.</summary>
    public void EnsureSteps(int steps)
    {
        if (steps <= Capacity)
        {
            return;
        }

        Capacity = steps;
        States = new T[(steps + 1) * _units];
        Rates = new T[steps * _units];
        Kappa = new T[steps * Math.Max(_rank, 1)];
        Outputs = new T[steps * Math.Max(_outputs, 1)];
        ScaledGradients = _rank == 0 ? new T[steps * _units] : [];
        StateGradients = new T[steps * _units];
        PreActivationGradients = new T[steps * _units];
        KappaGradients = new T[steps * Math.Max(_rank, 1)];
        StepInputs = new T[steps * Math.Max(_inputs, 1)];
    }
}
