using LowRank.Data;
using LowRank.Numerics;

namespace LowRank.Tasks;

/// <summary>
/// Centre-out reaching: a target cue (cos θ, sin θ), a delay, a go cue, then a 2-D hand velocity that follows a
/// bell-shaped speed profile towards the target and returns to rest.
/// </summary>
/// <remarks>
/// Inputs (U = 3): cos θ and sin θ during the cue epoch, a go pulse of 1 on channel 2; noise sd 0.01 on every
/// step of every channel. Outputs (O = 2): the hand velocity, target
/// <c>v_t = b(τ_t) (cos θ, sin θ)</c> with the minimum-jerk speed profile <c>b(τ) = 16 τ² (1 − τ)²</c> (peak 1 at
/// mid-reach, integral 8/15 over the reach) on τ_t = (t − go + ½)/reach steps, and zero before the go cue and after
/// the reach. Epochs (fixed, so every trial has the same 85 steps): fixation 200 ms, cue 400, delay 400, reach
/// 500 (the go pulse lasts its first 100 ms), hold 200. The mask covers every step: holding still before the go
/// cue is part of the task.
///
/// Training trials draw θ from <see cref="TrainingDirections"/> equally spaced directions (8 by default, from 0°);
/// the evaluation task (<see cref="ForEvaluation"/>) draws θ uniformly on the circle; <see cref="GenerateFor"/>
/// builds a trial for a chosen angle (a condition). A trial succeeds when its end-point (the summed output
/// velocity) points within <see cref="SuccessAngleDeg"/> of the target and its velocity R² is at least
/// <see cref="SuccessR2"/>. The task's scores are the pooled velocity R² over trials and steps, and the median
/// end-point angle error (<see cref="Score"/>).
/// </remarks>
public sealed class ReachingTask : CognitiveTask
{
    public const double NoiseStd = 0.01;

    /// <summary>Largest end-point angle error of a successful trial, degrees.</summary>
    public const double SuccessAngleDeg = 5;

    /// <summary>Smallest velocity R² of a successful trial.</summary>
    public const double SuccessR2 = 0.95;

    /// <summary>Training directions of the default task.</summary>
    public const int DefaultDirections = 8;

    public static readonly int FixationSteps = Steps(200);
    public static readonly int CueSteps = Steps(400);
    public static readonly int DelaySteps = Steps(400);
    public static readonly int GoSteps = Steps(100);
    public static readonly int ReachSteps = Steps(500);
    public static readonly int HoldSteps = Steps(200);

    /// <summary>The first step of the go pulse and of the reach.</summary>
    public static int GoStep => FixationSteps + CueSteps + DelaySteps;

    /// <summary>T, the same for every trial.</summary>
    public static int TotalSteps => GoStep + ReachSteps + HoldSteps;

    /// <summary>A task whose training trials use <paramref name="directions"/> directions (0: any angle).</summary>
    public ReachingTask(int directions = DefaultDirections)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(directions);
        TrainingDirections = directions;
    }

    /// <summary>Equally spaced training directions from 0°; 0 draws θ uniformly on the circle.</summary>
    public int TrainingDirections { get; }

    public override string Name => "reach";

    public override int Inputs => 3;

    public override int Outputs => 2;

    /// <summary>The angles, in degrees, of the training directions (empty when any angle is drawn).</summary>
    public double[] DirectionAngles() =>
        [.. Enumerable.Range(0, TrainingDirections).Select(k => 360.0 * k / TrainingDirections)];

    /// <summary>The same task with θ drawn uniformly on the circle.</summary>
    public override CognitiveTask ForEvaluation() => new ReachingTask(0);

    public override Trial Generate(long seed, long index)
    {
        Rng rng = Rng.Create(seed, index);
        double degrees = TrainingDirections > 0
            ? 360.0 * rng.NextInt(TrainingDirections) / TrainingDirections
            : rng.NextUniform(0, 360);
        return Build(degrees, rng);
    }

    /// <summary>Trial <paramref name="index"/> of <paramref name="seed"/> with the target at <paramref name="degrees"/> (its noise from the same stream as <see cref="Generate"/>).</summary>
    public override Trial GenerateFor(double degrees, long seed, long index)
    {
        if (!double.IsFinite(degrees))
        {
            throw new InputException($"a reach condition must be a finite angle in degrees (got {degrees}).", "pass angles such as 0,45,90.");
        }

        Rng rng = Rng.Create(seed, index);
        if (TrainingDirections > 0)
        {
            rng.NextInt(TrainingDirections); // the draw Generate spends on the direction: same noise for the same index
        }
        else
        {
            rng.NextUniform(0, 360);
        }

        return Build(degrees, rng);
    }

    /// <summary>b(τ) = 16 τ² (1 − τ)² at step <paramref name="step"/> of the reach.</summary>
    public static double Speed(int step)
    {
        double tau = (step + 0.5) / ReachSteps;
        return 16 * tau * tau * (1 - tau) * (1 - tau);
    }

    private Trial Build(double degrees, Rng rng)
    {
        int steps = TotalSteps;
        (float[] inputs, _, float[] mask) = Allocate(steps, Inputs, NoiseStd, rng);
        (double sin, double cos) = Math.SinCos(degrees * Math.PI / 180);
        AddInput(inputs, Inputs, 0, FixationSteps, FixationSteps + CueSteps, cos);
        AddInput(inputs, Inputs, 1, FixationSteps, FixationSteps + CueSteps, sin);
        AddInput(inputs, Inputs, 2, GoStep, GoStep + GoSteps, 1);
        var targets = new float[steps * Outputs];
        for (int s = 0; s < ReachSteps; s++)
        {
            double b = Speed(s);
            targets[(GoStep + s) * Outputs] = (float)(b * cos);
            targets[(GoStep + s) * Outputs + 1] = (float)(b * sin);
        }

        mask.AsSpan().Fill(1f);
        return new Trial(steps, Inputs, Outputs, inputs, targets, mask) { Condition = Angles.Normalise(degrees) };
    }

    /// <summary>The direction, in degrees on [0, 360), of the summed velocity Σ_t o_t of <paramref name="outputs"/> [T, 2] (NaN when it is zero).</summary>
    public static double EndPointDegrees(ReadOnlySpan<float> outputs)
    {
        double x = 0, y = 0;
        for (int t = 0; t + 1 < outputs.Length; t += 2)
        {
            x += outputs[t];
            y += outputs[t + 1];
        }

        return x == 0 && y == 0 ? double.NaN : Angles.OfVector(x, y);
    }

    /// <summary>The target angle of <paramref name="trial"/>, degrees.</summary>
    public static double TargetDegrees(Trial trial) =>
        EndPointDegrees(trial.Targets);

    /// <summary>1 − Σ(o − v)² / Σ(v − v̄)² over the steps and both components of one trial (v̄ the mean of each component).</summary>
    public static double VelocityR2(Trial trial, ReadOnlySpan<float> outputs)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var sums = new VelocitySums();
        sums.Add(trial, outputs);
        return sums.R2;
    }

    public override bool Succeeds(Trial trial, ReadOnlySpan<float> outputs)
    {
        ArgumentNullException.ThrowIfNull(trial);
        double error = Angles.Error(EndPointDegrees(outputs), TargetDegrees(trial));
        return error <= SuccessAngleDeg && VelocityR2(trial, outputs) >= SuccessR2;
    }

    /// <summary>
    /// The pooled velocity R² (1 − Σ(o − v)² / Σ(v − v̄)² over every trial, step and component, v̄ the mean of each
    /// component over all of them) and the median end-point angle error in degrees.
    /// </summary>
    public static ReachScores Score(IReadOnlyList<Trial> trials, IReadOnlyList<float[]> outputs)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(outputs);
        var sums = new VelocitySums();
        var errors = new double[trials.Count];
        for (int i = 0; i < trials.Count; i++)
        {
            sums.Add(trials[i], outputs[i]);
            errors[i] = Angles.Error(EndPointDegrees(outputs[i]), TargetDegrees(trials[i]));
        }

        return new ReachScores(sums.R2, Statistics.Median(errors));
    }

    /// <summary>Running sums of an R² over pooled steps of both velocity components.</summary>
    private sealed class VelocitySums
    {
        private double _residual, _count;
        private readonly double[] _sum = new double[2], _squares = new double[2];

        public void Add(Trial trial, ReadOnlySpan<float> outputs)
        {
            for (int t = 0; t < trial.Steps; t++)
            {
                for (int k = 0; k < 2; k++)
                {
                    double v = trial.Targets[t * 2 + k], d = outputs[t * 2 + k] - v;
                    _residual += d * d;
                    _sum[k] += v;
                    _squares[k] += v * v;
                }

                _count++;
            }
        }

        public double R2
        {
            get
            {
                double total = 0;
                for (int k = 0; k < 2; k++)
                {
                    total += _squares[k] - _sum[k] * _sum[k] / _count;
                }

                return 1 - _residual / total;
            }
        }
    }
}

/// <summary>Scores of reaching outputs.</summary>
/// <param name="VelocityR2">Pooled R² of the output velocity.</param>
/// <param name="AngleErrorDeg">Median end-point angle error, degrees.</param>
public sealed record ReachScores(double VelocityR2, double AngleErrorDeg);
