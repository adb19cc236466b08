using System.Numerics;

namespace LowRank.Metrics;

/// <summary>Smoothed, normalised power spectra of single channels, as used by D_H.</summary>
public static class PowerSpectrum
{
    /// <summary>Smoothing width (in frequency bins) of the published protocol.</summary>
    public const double PublishedSigma = 20.0;

    /// <summary>Number of bins of the real FFT of <paramref name="length"/> samples: ⌊n/2⌋ + 1 (n the even-trimmed length).</summary>
    public static int BinCount(int length) => EvenLength(length) / 2 + 1;

    /// <summary>The length actually transformed: an odd-length signal loses its last sample, as in the published code.</summary>
    public static int EvenLength(int length) => length - (length & 1);

    /// <summary>
    /// Raw power of the real FFT with orthonormal scaling: <c>power[k] = |F_k|² · 2/n</c> for
    /// k = 0 … n/2, where <c>F_k = n^{−1/2} Σ_t signal[t] e^{−2πi k t/n}</c> (NumPy <c>rfft(norm="ortho")</c>).
    /// </summary>
    /// <remarks>
    /// Works for any length n ≥ 1 (<see cref="FourierPlan"/>: radix-2, or Bluestein's algorithm for lengths that are not powers of two).
    /// <paramref name="power"/> must have n/2 + 1 elements (integer division).
    /// </remarks>
    public static void RealFftPower(ReadOnlySpan<double> signal, Span<double> power)
    {
        int n = signal.Length;
        if (n < 1)
        {
            throw new ArgumentException("The signal must have at least one sample.", nameof(signal));
        }

        if (power.Length != n / 2 + 1)
        {
            throw new ArgumentException($"Expected {n / 2 + 1} power bins for {n} samples, got {power.Length}.", nameof(power));
        }

        var workspace = new SpectrumWorkspace(n);
        RealFftPower(signal, power, workspace);
    }

    internal static void RealFftPower(ReadOnlySpan<double> signal, Span<double> power, SpectrumWorkspace workspace)
    {
        int n = signal.Length;
        Span<Complex> buffer = workspace.Buffer;
        for (int t = 0; t < n; t++)
        {
            buffer[t] = new Complex(signal[t], 0.0);
        }

        // Unscaled transform (exponent −i); the orthonormal 1/√n is applied below: |F|²·2/n = |DFT|²/n · 2/n.
        workspace.Plan.Forward(buffer, workspace.Scratch);
        double scale = 1.0 / n * 2.0 / n;
        for (int k = 0; k < power.Length; k++)
        {
            Complex f = buffer[k];
            power[k] = (f.Real * f.Real + f.Imaginary * f.Imaginary) * scale;
        }
    }

    /// <summary>
    /// The normalised smoothed spectrum of one channel as D_H uses it; <paramref name="destination"/>
    /// receives <see cref="BinCount"/>(length) − 1 values (with <paramref name="dropLastBin"/>) or
    /// <see cref="BinCount"/>(length) values (without).
    /// </summary>
    /// <remarks>
    /// Steps: trim to even length n; z-score (population sd); <see cref="RealFftPower(ReadOnlySpan{double}, Span{double})"/>; Gaussian smoothing with
    /// σ = <paramref name="sigma"/> bins (reflect, truncate 4σ); clip negatives to 0; normalise to sum 1; optionally
    /// drop the last (Nyquist) bin and renormalise. A constant channel has no power: every value is NaN.
    /// </remarks>
    /// <returns>False if there is no power to normalise (a constant channel); the destination then holds NaN.</returns>
    public static bool Normalised(ReadOnlySpan<double> signal, double sigma, bool dropLastBin, Span<double> destination) =>
        Normalised(signal, sigma, dropLastBin, destination, new SpectrumWorkspace(EvenLength(signal.Length)));

    internal static bool Normalised(ReadOnlySpan<double> signal, double sigma, bool dropLastBin, Span<double> destination, SpectrumWorkspace workspace)
    {
        int n = EvenLength(signal.Length);
        if (n < 2)
        {
            throw new ArgumentException($"D_H needs at least 2 samples per channel, got {signal.Length}.", nameof(signal));
        }

        if (workspace.Length != n)
        {
            throw new ArgumentException($"The workspace is for {workspace.Length} samples, the even-trimmed signal has {n}.", nameof(workspace));
        }

        int bins = n / 2 + 1;
        int kept = dropLastBin ? bins - 1 : bins;
        if (destination.Length != kept)
        {
            throw new ArgumentException($"Expected {kept} bins, got {destination.Length}.", nameof(destination));
        }

        double[] standardised = workspace.Standardised;
        signal[..n].CopyTo(standardised);
        Preprocessing.ZScoreInPlace(standardised, n, 1);
        double[] power = workspace.Power, smoothed = workspace.Smoothed;
        RealFftPower(standardised, power, workspace);
        GaussianSmoothing.Smooth(power, sigma, smoothed);

        double total = 0;
        for (int k = 0; k < bins; k++)
        {
            smoothed[k] = Math.Max(smoothed[k], 0.0);
            total += smoothed[k];
        }

        if (!(total > 0))
        {
            destination.Fill(double.NaN);
            return false;
        }

        // Normalise all bins, then (optionally) drop the last one and renormalise what is left.
        double keptTotal = 0;
        for (int k = 0; k < kept; k++)
        {
            destination[k] = smoothed[k] / total;
            keptTotal += destination[k];
        }

        if (dropLastBin)
        {
            if (!(keptTotal > 0))
            {
                destination.Fill(double.NaN);
                return false;
            }

            for (int k = 0; k < kept; k++)
            {
                destination[k] /= keptTotal;
            }
        }

        return true;
    }
}

/// <summary>Buffers for the spectra of signals of one (even-trimmed) length n; one per thread.</summary>
internal sealed class SpectrumWorkspace
{
    public SpectrumWorkspace(int length)
    {
        Length = length;
        Plan = new FourierPlan(Math.Max(1, length));
        Buffer = new Complex[length];
        Scratch = new Complex[Plan.WorkspaceLength];
        Standardised = new double[length];
        Power = new double[length / 2 + 1];
        Smoothed = new double[length / 2 + 1];
    }

    public int Length { get; }

    public FourierPlan Plan { get; }

    public Complex[] Buffer { get; }

    public Complex[] Scratch { get; }

    public double[] Standardised { get; }

    public double[] Power { get; }

    public double[] Smoothed { get; }
}
