using System.Globalization;
using LowRank.Data;
using LowRank.Model;
using static LowRank.InputException;

namespace LowRank.Smc;

/// <summary>What the likelihood of a model asks of its data, and the data-driven start of its readout offsets.</summary>
public static class ObservationData
{
    /// <summary>
    /// Throws <see cref="InputException"/> when <paramref name="data"/> cannot be observations of a model with
    /// <paramref name="options"/>: with a Poisson likelihood every observed value must be a non-negative whole count.
    /// Missing entries (NaN) are allowed for every likelihood.
    /// </summary>
    public static void Check(ModelOptions options, SequenceSet data, IReadOnlyList<string>? channelNames, string source)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        if (options.Likelihood != Likelihood.Poisson)
        {
            return;
        }

        ReadOnlySpan<double> y = data.Observations;
        int x = data.Channels, steps = data.Steps;
        for (int i = 0; i < y.Length; i++)
        {
            double v = y[i];
            if (double.IsNaN(v) || (v >= 0 && v == Math.Floor(v) && v <= int.MaxValue))
            {
                continue;
            }

            int c = i % x, t = i / x % steps, trial = i / x / steps;
            string where = data.Count > 1 ? $"step {t} of trial {trial}" : $"step {t}";
            string problem = v < 0 ? "is negative" : "is not a whole number";
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"{source} holds {v:G6} at {where}, {Recording.DescribeChannel(c, channelNames)}, which {problem}: a Poisson likelihood needs spike counts per bin (0, 1, 2, …)."),
                $"bin spike times into counts, or use {Ref(nameof(ModelOptions.Likelihood))} gaussian for continuous signals (z-scored rates, EEG).") { Setting = nameof(ModelOptions.Likelihood) };
        }
    }

    /// <summary>
    /// For a Poisson likelihood, sets each readout offset so that the link gives the channel's mean count over
    /// <paramref name="data"/> at zero latent input, <c>d_i = g⁻¹(max(mean_i, 1e−3))</c> (a recording of sparse spikes
    /// starts near its rates instead of at g(0) ≈ 0.7 counts per bin); a Gaussian model is left as initialised.
    /// </summary>
    public static void InitialiseReadout(LowRankRnn model, SequenceSet data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (model.Options.Likelihood != Likelihood.Poisson)
        {
            return;
        }

        int x = data.Channels;
        var sums = new double[x];
        var counts = new long[x];
        ReadOnlySpan<double> y = data.Observations;
        for (int i = 0; i < y.Length; i++)
        {
            if (!double.IsNaN(y[i]))
            {
                sums[i % x] += y[i];
                counts[i % x]++;
            }
        }

        Span<double> d = model.D;
        for (int c = 0; c < x; c++)
        {
            double mean = Math.Max(counts[c] > 0 ? sums[c] / counts[c] : 0, 1e-3);
            d[c] = model.Options.Link switch
            {
                Link.Exp => Math.Log(mean),
                Link.Softplus => mean > 30 ? mean : Math.Log(double.ExpM1(mean)),
                _ => mean,
            };
        }
    }
}
