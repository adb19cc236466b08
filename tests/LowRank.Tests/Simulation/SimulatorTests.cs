using LowRank.Model;
using LowRank.Numerics;
using LowRank.Simulation;

namespace LowRank.Tests.Simulation;

public sealed class SimulatorTests
{
    [Fact]
    public void LinearLatentCovarianceMatchesLyapunovSolution()
    {
        // Identity activation with h = 0: z_{t+1} = (a I + Ñ M) z_t + ε_t, stationary covariance S = A S Aᵀ + Σz.
        var options = new ModelOptions { Rank = 2, Units = 20, Channels = 3, Activation = Activation.Identity, InitTransitionNoiseScale = 0.3 };
        LowRankRnn model = ModelInitializer.Create(options, seed: 3);
        model.H.Clear();
        const int r = 2;
        double[] a = SmallMatrix.Multiply(model.N, model.M, r, options.Units, r);
        a[0] += model.Decay;
        a[3] += model.Decay;
        double[] lz = model.TransitionCholesky();
        double[] sigmaZ = SmallMatrix.Multiply(lz, SmallMatrix.Transpose(lz, r, r), r, r, r);
        double[] expected = SmallMatrix.DiscreteLyapunov(a, sigmaZ, r);

        const int trials = 6000;
        SimulationResult result = Simulator.Run(model, new SimulationOptions { Steps = 1, Trials = trials, BurnIn = 300, Seed = 17 });
        var covariance = new double[r * r];
        for (int trial = 0; trial < trials; trial++)
        {
            for (int i = 0; i < r; i++)
            {
                for (int j = 0; j < r; j++)
                {
                    covariance[i * r + j] += result.Latents[trial * r + i] * result.Latents[trial * r + j] / trials;
                }
            }
        }

        for (int i = 0; i < r; i++)
        {
            for (int j = 0; j < r; j++)
            {
                // For zero-mean Gaussians Var(z_i z_j) = S_ii S_jj + S_ij².
                double se = Math.Sqrt((expected[i * r + i] * expected[j * r + j] + expected[i * r + j] * expected[i * r + j]) / trials);
                Assert.InRange(covariance[i * r + j], expected[i * r + j] - 3 * se, expected[i * r + j] + 3 * se);
            }
        }
    }

    [Fact]
    public void PoissonSampleMeansMatchRates()
    {
        LowRankRnn teacher = Teachers.Create(new TeacherOptions { Kind = TeacherKind.Oscillator, Units = 64, Channels = 8, Likelihood = Likelihood.Poisson, Seed = 4 });
        SimulationResult result = Simulator.Run(teacher, new SimulationOptions { Steps = 400, Trials = 20, Seed = 5 });
        double residual = 0, rateSum = 0;
        for (int i = 0; i < result.Samples.Length; i++)
        {
            Assert.True(result.Samples[i] >= 0 && result.Samples[i] == Math.Floor(result.Samples[i]), "Poisson samples are counts.");
            residual += result.Samples[i] - result.Rates[i];
            rateSum += result.Rates[i];
        }

        // Σ (y − λ) has variance Σ λ given the rates.
        double se = Math.Sqrt(rateSum);
        Assert.InRange(residual, -3 * se, 3 * se);
        Assert.True(rateSum / result.Samples.Length > 0.05, "rates should not be degenerate");
    }

    [Theory]
    [InlineData(InputFilter.Raw)]
    [InlineData(InputFilter.Filtered)]
    public void SameSeedGivesBitIdenticalOutputWithOneOrTwoThreads(InputFilter filter)
    {
        LowRankRnn ring = Teachers.Create(new TeacherOptions { Kind = TeacherKind.Ring, Units = 50, Channels = 4, Seed = 8 });
        var model = new LowRankRnn(ring.Options with { InputFilter = filter }, ring.Theta);
        double[] cues = Teachers.RingCues(5, 120, seed: 9);
        var options = new SimulationOptions { Steps = 120, Trials = 5, Seed = 10, Threads = 1 };
        SimulationResult one = Simulator.Run(model, options, cues);
        SimulationResult two = Simulator.Run(model, options with { Threads = 2 }, cues);
        Assert.Equal(one.Latents, two.Latents);
        Assert.Equal(one.Samples, two.Samples);
        Assert.Equal(one.Rates, two.Rates);
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.ClippedRelu)]
    public void OscillatorTeacherOscillatesNearItsPeriod(Activation activation)
    {
        const double period = 25;
        LowRankRnn teacher = Teachers.Create(new TeacherOptions { Kind = TeacherKind.Oscillator, Units = 256, Channels = 4, Activation = activation, Period = period, Seed = 2 });
        SimulationResult result = Simulator.Run(teacher, new SimulationOptions { Steps = 2000, Trials = 1, BurnIn = 200, Seed = 3 });
        // The period option sets the linearisation at the origin; the saturated limit cycle turns more slowly.
        double measured = DominantPeriod(result.Latents, 2000, 2);
        Assert.InRange(measured, 0.9 * period, 1.5 * period);

        // A limit cycle keeps its amplitude well above the noise level.
        double power = 0;
        for (int i = 0; i < result.Latents.Length; i++)
        {
            power += result.Latents[i] * result.Latents[i];
        }

        Assert.True(Math.Sqrt(power / 2000) > 0.3, $"latent RMS {Math.Sqrt(power / 2000)} too small for a limit cycle");
    }

    [Fact]
    public void OscillatorTeacherRejectsOtherRanks()
    {
        var ex = Assert.Throws<InputException>(() => Teachers.Create(new TeacherOptions { Kind = TeacherKind.Oscillator, Rank = 3 }));
        Assert.Equal("the oscillator teacher has rank 2, but rank 3 was requested.", ex.Message);
    }

    /// <summary>Period (in steps) of the largest peak of the first latent's periodogram (naive DFT).</summary>
    private static double DominantPeriod(double[] latents, int steps, int rank)
    {
        double best = 0;
        int bestK = 1;
        for (int k = 1; k < steps / 2; k++)
        {
            double re = 0, im = 0;
            for (int t = 0; t < steps; t++)
            {
                (double sin, double cos) = Math.SinCos(2 * Math.PI * k * t / steps);
                re += latents[t * rank] * cos;
                im += latents[t * rank] * sin;
            }

            double p = re * re + im * im;
            if (p > best)
            {
                best = p;
                bestK = k;
            }
        }

        return (double)steps / bestK;
    }
}
