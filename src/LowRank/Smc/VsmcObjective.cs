using LowRank.Data;
using LowRank.Model;
using LowRank.Training;

namespace LowRank.Smc;

/// <summary>
/// The variational SMC objective of a stochastic low-rank RNN (docs/vsmc.md) and its exact gradient:
/// <c>L(θ) = (1/B) Σ_b (1/T) Σ_t [logsumexp_k log w_t^k − log K]</c>, reparameterised samples,
/// ancestor indices held constant.
/// </summary>
/// <remarks>
/// Workspaces are sized on the first call for a given (B, T) and reused; an evaluation allocates
/// nothing in its time loops. Sequence b draws from stream b of the seed, and per-sequence gradients
/// are summed in sequence order, so the result does not depend on <see cref="VsmcOptions.Threads"/>.
/// A NaN log-weight makes the objective NaN; a step where every log-weight is −∞ makes it −∞; in
/// both cases the gradient is filled with NaN so the trainer can roll back. Not thread-safe: one
/// evaluation at a time per instance.
/// </remarks>
public sealed class VsmcObjective : IDifferentiableObjective<SeededBatch>
{
    private readonly VsmcEngine<float>? _single;
    private readonly VsmcEngine<double>? _double;

    public VsmcObjective(ModelOptions model, VsmcOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        model.Validate();
        options.Validate(model);
        ModelOptions = model;
        Options = options;
        ParameterCount = ModelLayout.Of(model).Length;
        if (options.Precision == KernelPrecision.Single)
        {
            _single = new VsmcEngine<float>(model, options);
        }
        else
        {
            _double = new VsmcEngine<double>(model, options);
        }
    }

    public ModelOptions ModelOptions { get; }

    public VsmcOptions Options { get; }

    public int ParameterCount { get; }

    /// <summary>The objective on the batch's sequences with the batch's seed, and its gradient.</summary>
    public double Evaluate(ReadOnlySpan<double> theta, SeededBatch batch, Span<double> gradient) =>
        Evaluate(theta, batch.Sequences, batch.Seed, gradient);

    /// <summary>
    /// The objective averaged over the batch, and ∂objective/∂θ into <paramref name="gradient"/> (overwritten).
    /// Sequence b draws from stream b of <paramref name="seed"/>.
    /// </summary>
    public double Evaluate(ReadOnlySpan<double> theta, SequenceSet batch, long seed, Span<double> gradient)
    {
        Check(theta, batch, gradient.Length);
        return _single is not null
            ? _single.Evaluate(theta, batch, seed, gradient, computeGradient: true, frozenAncestors: null)
            : _double!.Evaluate(theta, batch, seed, gradient, computeGradient: true, frozenAncestors: null);
    }

    /// <summary>The objective alone (no reverse pass).</summary>
    public double Value(ReadOnlySpan<double> theta, SequenceSet batch, long seed)
    {
        Check(theta, batch, gradient: null);
        return _single is not null
            ? _single.Evaluate(theta, batch, seed, Span<double>.Empty, computeGradient: false, frozenAncestors: null)
            : _double!.Evaluate(theta, batch, seed, Span<double>.Empty, computeGradient: false, frozenAncestors: null);
    }

    /// <summary>
    /// Test hook: evaluates with the ancestors of sequence b replaced by <paramref name="frozenAncestors"/>[b]
    /// ([T·K], row 0 unused) when given; returns the ancestors actually used.
    /// </summary>
    internal double EvaluateWithAncestors(
        ReadOnlySpan<double> theta, SequenceSet batch, long seed, Span<double> gradient, bool computeGradient, int[][]? frozenAncestors, out int[][] usedAncestors)
    {
        double value;
        if (_single is not null)
        {
            value = _single.Evaluate(theta, batch, seed, gradient, computeGradient, frozenAncestors);
            usedAncestors = _single.Sequences.Select(s => (int[])s.Ancestors.Clone()).ToArray();
        }
        else
        {
            value = _double!.Evaluate(theta, batch, seed, gradient, computeGradient, frozenAncestors);
            usedAncestors = _double.Sequences.Select(s => (int[])s.Ancestors.Clone()).ToArray();
        }

        return value;
    }

    private void Check(ReadOnlySpan<double> theta, SequenceSet batch, int? gradient)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (theta.Length != ParameterCount)
        {
            throw new ArgumentException($"θ has {theta.Length} entries but the model needs {ParameterCount}.", nameof(theta));
        }

        if (gradient is { } length && length != ParameterCount)
        {
            throw new ArgumentException($"the gradient has {length} entries but the model needs {ParameterCount}.", nameof(gradient));
        }

        if (batch.Channels != ModelOptions.Channels)
        {
            throw new ArgumentException($"the batch has {batch.Channels} channels but the model expects {ModelOptions.Channels}.", nameof(batch));
        }

        if (batch.Inputs != ModelOptions.Inputs)
        {
            throw new ArgumentException($"the batch has {batch.Inputs} inputs but the model expects {ModelOptions.Inputs}.", nameof(batch));
        }
    }
}
