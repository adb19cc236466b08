using System.Numerics;
using LowRank.Model;
using LowRank.Numerics;
using static LowRank.InputException;

namespace LowRank.Simulation;

/// <summary>Built-in ground-truth networks for teacher–student experiments.</summary>
public enum TeacherKind
{
    /// <summary>Rank 2; a stable limit cycle (for saturating activations) or a noise-driven damped oscillation (identity).</summary>
    Oscillator,

    /// <summary>Rank 2; a ring of attracting states, moved along the ring by angular input cues (U = 2).</summary>
    Ring,

    /// <summary>Any rank; random structured connectivity.</summary>
    Random,
}

/// <summary>What a teacher is built from.</summary>
public sealed record TeacherOptions
{
    public TeacherKind Kind { get; init; } = TeacherKind.Oscillator;

    public int Rank { get; init; } = 2;

    public int Units { get; init; } = 256;

    public int Channels { get; init; } = 16;

    public Activation Activation { get; init; } = Activation.Tanh;

    public Likelihood Likelihood { get; init; } = Likelihood.Gaussian;

    /// <summary>Observation link; null takes identity for Gaussian and exp for Poisson observations.</summary>
    public Link? Link { get; init; }

    /// <summary>Latent noise standard deviation (Σz = s² I).</summary>
    public double LatentNoise { get; init; } = 0.05;

    /// <summary>
    /// Oscillation period in steps of the linearisation at the origin (oscillator only); the saturated
    /// limit cycle turns more slowly (about 1.3× this period for tanh).
    /// </summary>
    public double Period { get; init; } = 25;

    public double Decay { get; init; } = 0.9;

    public long Seed { get; init; }
}

/// <summary>
/// Builds teacher networks. With M ~ N(0, 1) entries, (1/N) Mᵀ D M ≈ g I where g is the fraction of
/// units on the slope-1 part of φ, so Ñ = (κ/N) A Mᵀ gives a latent linearisation ≈ a I + κ g A.
/// </summary>
public static class Teachers
{
    /// <summary>The teacher network for <paramref name="options"/>.</summary>
    public static LowRankRnn Create(TeacherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Kind is TeacherKind.Oscillator or TeacherKind.Ring && options.Rank != 2)
        {
            throw new InputException(
                $"the {ModelNames.Of(options.Kind)} teacher has rank 2, but rank {options.Rank} was requested.",
                $"pass {Ref("Rank")} 2, or use {Ref("Teacher")} random for other ranks.");
        }

        if (!(options.LatentNoise > 0))
        {
            throw new InputException($"latent noise must be positive (got {options.LatentNoise}).", "pass a positive latent noise level.");
        }

        if (!(options.Period > 2))
        {
            throw new InputException($"the oscillation period must exceed 2 steps (got {options.Period}).", "pass a period such as 25.");
        }

        var modelOptions = new ModelOptions
        {
            Rank = options.Rank,
            Units = options.Units,
            Inputs = options.Kind == TeacherKind.Ring ? 2 : 0,
            Channels = options.Channels,
            Activation = options.Activation,
            Likelihood = options.Likelihood,
            Link = options.Link ?? (options.Likelihood == Likelihood.Poisson ? Link.Exp : Link.Identity),
            TrainInitialMean = true,
            InitDecay = options.Decay,
            InitTransitionNoiseScale = options.LatentNoise,
            InitInitialNoiseScale = 1.0,
            InitObservationScale = 0.1,
        };
        LowRankRnn model = ModelInitializer.Create(modelOptions, options.Seed);
        Rng rng = Rng.Create(options.Seed, 1);
        int n = options.Units, r = options.Rank;
        Span<double> m = model.M;
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = rng.NextGaussian();
        }

        // Thresholds: keep units on their slope-1 segment near the origin where φ allows it.
        Span<double> h = model.H;
        for (int i = 0; i < n; i++)
        {
            h[i] = options.Activation switch
            {
                Activation.Relu => -rng.NextUniform(0.5, 1.5),
                Activation.ClippedRelu => rng.NextUniform(0.5, 1.5),
                _ => 0.0,
            };
        }

        // Gain at the origin: fraction of units on slope 1 (clipped relu sits on its kink at x = 0).
        double gain = options.Activation == Activation.ClippedRelu ? 0.5 : 1.0;
        double a = options.Decay;
        double[] mixing = options.Kind switch
        {
            TeacherKind.Oscillator => OscillatorMixing(options, a, gain),
            TeacherKind.Ring => RingMixing(options, a, gain),
            _ => RandomMixing(options, a, gain, rng),
        };

        // Ñ = (1/N) A Mᵀ with A = κ·(shape) folded into mixing [R,R].
        Span<double> nTilde = model.N;
        for (int p = 0; p < r; p++)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int q = 0; q < r; q++)
                {
                    sum += mixing[p * r + q] * m[i * r + q];
                }

                nTilde[p * n + i] = sum / n;
            }
        }

        if (options.Kind == TeacherKind.Ring)
        {
            // Inputs enter along M: x = M (z + β v), so a cue shifts the latent state towards its angle.
            Span<double> w = model.W;
            const double beta = 2.0;
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < 2; k++)
                {
                    w[i * 2 + k] = beta * m[i * r + k];
                }
            }
        }

        // Readout: C ~ N(0, 1/R); Poisson teachers fire around e^{-1} per bin at z = 0 (d = g⁻¹(e^{-1}) for their link).
        Span<double> c = model.C;
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = rng.NextGaussian() / Math.Sqrt(r);
        }

        double rest = Math.Exp(-1);
        model.D.Fill(options.Likelihood != Likelihood.Poisson ? 0.0 : LinkFunctions.Inverse(modelOptions.Link, rest));
        return model;
    }

    /// <summary>
    /// Angular cues for the ring teacher: [trials, T, 2]; each trial gets pulses of (cos θ, sin θ) lasting
    /// 5 steps at random times (on average every 60 steps) with random angles θ.
    /// </summary>
    public static double[] RingCues(int trials, int steps, long seed)
    {
        var cues = new double[trials * steps * 2];
        for (int trial = 0; trial < trials; trial++)
        {
            Rng rng = Rng.Create(seed, 1_000_000 + trial);
            int t = rng.NextInt(30);
            while (t < steps)
            {
                (double sin, double cos) = Math.SinCos(rng.NextUniform(0, 2 * Math.PI));
                for (int s = t; s < Math.Min(steps, t + 5); s++)
                {
                    cues[(trial * steps + s) * 2] = cos;
                    cues[(trial * steps + s) * 2 + 1] = sin;
                }

                t += 30 + rng.NextInt(60);
            }
        }

        return cues;
    }

    /// <summary>κ A with κ g e^{iω} = λ0 − a, λ0 = ρ e^{2πi/period}, A = rotation by ω.</summary>
    private static double[] OscillatorMixing(TeacherOptions options, double a, double gain)
    {
        double modulus = options.Activation == Activation.Identity ? 0.98 : 1.03;
        Complex target = Complex.FromPolarCoordinates(modulus, 2 * Math.PI / options.Period) - a;
        double kappa = target.Magnitude / gain, omega = target.Phase;
        (double sin, double cos) = Math.SinCos(omega);
        return [kappa * cos, -kappa * sin, kappa * sin, kappa * cos];
    }

    /// <summary>κ I with κ g = 1.4 (1 − a): the origin is unstable and saturation holds a ring.</summary>
    private static double[] RingMixing(TeacherOptions options, double a, double gain)
    {
        double kappa = (options.Activation == Activation.Identity ? 0.9 : 1.4) * (1 - a) / gain;
        return [kappa, 0, 0, kappa];
    }

    /// <summary>κ A with A a random Gaussian R×R matrix normalised to unit spectral scale.</summary>
    private static double[] RandomMixing(TeacherOptions options, double a, double gain, Rng rng)
    {
        int r = options.Rank;
        var mixing = new double[r * r];
        double kappa = 1.2 * (1 - a) / gain / Math.Sqrt(r);
        for (int i = 0; i < mixing.Length; i++)
        {
            mixing[i] = kappa * rng.NextGaussian();
        }

        return mixing;
    }
}
