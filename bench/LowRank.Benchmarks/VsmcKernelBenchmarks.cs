using BenchmarkDotNet.Attributes;
using LowRank.Data;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Smc;

namespace LowRank.Benchmarks;

/// <summary>
/// Kernels of the VSMC objective at the EEG size (N = 512, R = 3, K = 10, X = 64): one transition
/// forward and reverse, the filter of one sequence (T = 50) forward and reverse, and the whole batch.
/// </summary>
[MemoryDiagnoser]
public class VsmcKernelBenchmarks
{
    private VsmcEngine<float> _engine = null!;
    private SequenceWorkspace<float> _sequence = null!;
    private VsmcObjective _objective = null!;
    private double[] _theta = null!;
    private double[] _gradient = null!;
    private SequenceSet _batch = null!;
    private readonly double[] _z = [0.3, -0.2, 0.5];
    private readonly double[] _gf = [0.1, 0.4, -0.3];
    private readonly double[] _f = new double[3];
    private readonly double[] _gz = new double[3];

    [GlobalSetup]
    public void Setup()
    {
        FitSettings eeg = FitPresets.Eeg;
        ModelOptions model = eeg.Model with { Channels = 64 };
        VsmcOptions filter = eeg.Objective with { Threads = 1 };
        _theta = ModelInitializer.Create(model, 1).Theta;
        _gradient = new double[_theta.Length];
        var y = new double[eeg.Trainer.BatchSize * eeg.Trainer.WindowLength * 64];
        Rng.Create(2).FillGaussian(y);
        _batch = new SequenceSet(eeg.Trainer.BatchSize, eeg.Trainer.WindowLength, 64, y);
        _engine = new VsmcEngine<float>(model, filter);
        _engine.Evaluate(_theta, _batch, 1, _gradient, true, null);
        _sequence = _engine.Sequences[0];
        _objective = new VsmcObjective(model, filter);
    }

    [Benchmark]
    public void TransitionForward() =>
        UnitKernels.TransitionForward(_engine.Model, ReadOnlySpan<float>.Empty, _z, _sequence.Currents, _sequence.Rates, _f);

    [Benchmark]
    public void TransitionBackward()
    {
        double gDecay = 0;
        UnitKernels.TransitionBackward(
            _engine.Model, ReadOnlySpan<float>.Empty, _z, _gf, _sequence.Currents, _sequence.Rates, _sequence.GRates, _sequence.GCurrents,
            _sequence.Gradient, Span<float>.Empty, _gz, ref gDecay);
    }

    [Benchmark]
    public double SequenceForward() => _engine.Forward(_sequence, Rng.Create(3, 0), default);

    [Benchmark]
    public double SequenceForwardBackward()
    {
        double value = _engine.Forward(_sequence, Rng.Create(3, 0), default);
        _engine.Backward(_sequence);
        return value;
    }

    [Benchmark]
    public double BatchObjectiveAndGradient() => _objective.Evaluate(_theta, _batch, 4, _gradient);
}
