using LowRank.Metrics;
using LowRank.Numerics;

namespace LowRank.Tests.Metrics;

public sealed class SpectraTests
{
    [Theory]
    [InlineData(0.04)]
    [InlineData(0.1234)]
    [InlineData(0.3)]
    public void FindsTheFrequencyOfANoisySinusoid(double frequency)
    {
        const int steps = 4000;
        Rng rng = Rng.Create(1);
        var series = new double[steps * 2];
        for (int t = 0; t < steps; t++)
        {
            series[2 * t] = Math.Cos(2 * Math.PI * frequency * t) + 0.3 * rng.NextGaussian();
            series[2 * t + 1] = Math.Sin(2 * Math.PI * frequency * t + 0.4) + 0.3 * rng.NextGaussian();
        }

        // Bin width 1/256 ≈ 0.0039; interpolation must land well inside one bin.
        Assert.Equal(frequency, Spectra.DominantFrequency(series, steps, 2), 0.002);
    }

    [Fact]
    public void ShortSeriesUseOneWholeSegmentAndTooShortOnesGiveNaN()
    {
        const int steps = 200;
        var series = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            series[t] = Math.Sin(2 * Math.PI * 0.1 * t);
        }

        Assert.Equal(Spectra.DominantFrequency(series, steps, 1, steps), Spectra.DominantFrequencyOrNaN(series, steps, 1));
        Assert.Equal(0.1, Spectra.DominantFrequencyOrNaN(series, steps, 1), 0.005);
        Assert.True(double.IsNaN(Spectra.DominantFrequencyOrNaN(series.AsSpan(0, Spectra.MinimumSteps - 1), Spectra.MinimumSteps - 1, 1)));
    }

    [Fact]
    public void AnOscillationOnTopOfAOneOverFBackgroundIsThePeakNotTheLowestBin()
    {
        // A random walk (power ∝ 1/f², largest at the lowest bin) plus a sinusoid at 0.0625 cycles per step.
        Assert.Equal(0.0625, Spectra.DominantFrequency(WalkWithOscillation(2), Steps, 1), 0.002);
    }

    [Fact]
    public void AOneOverFSeriesHasTheSamePowerPerOctaveEverywhereSoAnOscillationDecides()
    {
        // Without the oscillation the same 1/f² walk peaks at the lowest frequencies (f·P ∝ 1/f).
        Assert.True(Spectra.DominantFrequency(WalkWithOscillation(0), Steps, 1) < 4.0 / 256, "a random walk's most power per octave is at its lowest frequencies");
    }

    private const int Steps = 8000;

    /// <summary>An AR(1) walk (coefficient 0.995, seed 2) plus a sinusoid of <paramref name="amplitude"/> at 0.0625 cycles per step.</summary>
    private static double[] WalkWithOscillation(double amplitude)
    {
        Rng rng = Rng.Create(2);
        var series = new double[Steps];
        double walk = 0;
        for (int t = 0; t < Steps; t++)
        {
            walk = 0.995 * walk + rng.NextGaussian();
            series[t] = walk + amplitude * Math.Sin(2 * Math.PI * 0.0625 * t);
        }

        return series;
    }
}
