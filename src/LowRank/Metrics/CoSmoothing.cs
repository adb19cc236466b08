using System.Globalization;
using LowRank.Data;
using LowRank.Inference;
using LowRank.Model;
using LowRank.Numerics;
using static LowRank.InputException;

namespace LowRank.Metrics;

// Dimension legend: T scored bins (steps), X units (channels), H held-out units.

/// <summary>The co-smoothing score of held-out units (docs/metrics.md, "Co-smoothing").</summary>
/// <param name="HeldOutUnits">The held-out units' indices, ascending [H].</param>
/// <param name="BitsPerSpike">co-bps: (log L(λ̂) − log L(λ̄)) / (n_sp · ln 2), pooled over the held-out units and bins.</param>
/// <param name="BitsPerSpikePerUnit">The same for each held-out unit alone [H] (NaN for a unit without spikes).</param>
/// <param name="Spikes">n_sp: held-out spikes on the scored bins.</param>
/// <param name="LogLikelihood">log L(λ̂): the Poisson log-likelihood (nats, with the ln y! terms) of the held-out counts under the predicted rates.</param>
/// <param name="NullLogLikelihood">log L(λ̄): the same under each held-out unit's mean count per scored bin.</param>
/// <param name="ZeroRates">Predicted rates that were exactly 0 and taken as <see cref="CoSmoothing.ZeroRate"/>.</param>
public sealed record CoSmoothingScore(int[] HeldOutUnits, double BitsPerSpike, double[] BitsPerSpikePerUnit, long Spikes, double LogLikelihood, double NullLogLikelihood, int ZeroRates);

/// <summary>
/// Co-smoothing (the Neural Latents Benchmark's bits per spike): held-out units are hidden on the scored bins, the
/// model's posterior predicts their rates from the other units, and the Poisson log-likelihood of their counts under
/// the prediction is compared with that under their own mean rates.
/// </summary>
/// <remarks>
/// With y the held-out counts and λ̂ the predicted rates (counts per bin) on the scored bins, λ̄_j unit j's mean count
/// per observed scored bin, and log L(λ) = Σ_{bins, held-out units} [y ln λ − λ − ln y!] over the observed entries:
/// <code>co-bps = (log L(λ̂) − log L(λ̄)) / (n_sp · ln 2),   n_sp = Σ y</code>
/// A rate of exactly 0 (a relu link, or a mean of a unit without spikes) is taken as <see cref="ZeroRate"/>, as
/// nlb_tools does; missing entries (NaN counts) are left out of every sum.
/// </remarks>
public static class CoSmoothing
{
    /// <summary>The rate a rate of exactly 0 is replaced by (nlb_tools' value), so that y ln λ stays finite.</summary>
    public const double ZeroRate = 1e-9;

    /// <summary>Stream of the seed that draws the held-out units.</summary>
    private const long HeldOutStream = 6L << 48;

    /// <summary>
    /// H = max(1, round(<paramref name="fraction"/> · X)) (halves away from zero); an <see cref="InputException"/> when
    /// that leaves no unit to predict from.
    /// </summary>
    public static int HeldOutCount(int units, double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        int count = Math.Max(1, (int)Math.Round(fraction * units, MidpointRounding.AwayFromZero));
        if (count >= units)
        {
            throw new InputException(
                string.Create(CultureInfo.InvariantCulture, $"holding out {Ref(nameof(SpikingOptions.HeldOutUnits))} {fraction} of {units} unit(s) hides {count}, leaving no unit to predict them from."),
                units > 1
                    ? string.Create(CultureInfo.InvariantCulture, $"pass a smaller fraction, such as {Ref(nameof(SpikingOptions.HeldOutUnits))} {1.0 / units:0.##} (one unit).")
                    : "co-smoothing needs a recording of at least 2 units.") { Setting = nameof(SpikingOptions.HeldOutUnits) };
        }

        return count;
    }

    /// <summary>
    /// The held-out units: <see cref="HeldOutCount"/> units drawn without replacement with <paramref name="seed"/> (the
    /// first H entries of a permutation from <c>Rng.Create(seed, 6·2^48)</c>), in ascending order.
    /// </summary>
    public static int[] PickHeldOutUnits(int units, double fraction, long seed)
    {
        int count = HeldOutCount(units, fraction);
        int[] chosen = Rng.Create(seed, HeldOutStream).Permutation(units)[..count];
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>
    /// Hides <paramref name="heldOut"/> on the steps from <paramref name="firstScored"/> on (sets them missing), infers the
    /// posterior of <paramref name="model"/> given the rest of the continuous recording <paramref name="data"/> [T, X]
    /// (every unit before <paramref name="firstScored"/>, the held-in units after it) and scores its expected counts of
    /// the held-out units on the scored steps with <see cref="Score"/>.
    /// </summary>
    public static CoSmoothingScore Evaluate(LowRankRnn model, SequenceSet data, int firstScored, IReadOnlyList<int> heldOut, InferenceOptions inference)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(heldOut);
        if (!data.IsContinuous || firstScored < 0 || firstScored >= data.Steps)
        {
            throw new ArgumentException($"co-smoothing scores steps {firstScored}… of one continuous recording; got {data.Count} sequence(s) of {data.Steps} steps.", nameof(data));
        }

        int steps = data.Steps, x = data.Channels, scored = steps - firstScored;
        double[] hidden = (double[])data.Observations.Clone();
        for (int t = firstScored; t < steps; t++)
        {
            foreach (int unit in heldOut)
            {
                hidden[t * x + unit] = double.NaN;
            }
        }

        Posterior posterior = PosteriorInference.Infer(model, SequenceSet.Continuous(hidden, steps, x, data.InputValues, data.Inputs), inference);
        return Score(
            data.Observations.AsSpan(firstScored * x, scored * x),
            posterior.Rates.AsSpan(firstScored * x, scored * x),
            scored,
            x,
            heldOut);
    }

    /// <summary>
    /// co-bps of the held-out units <paramref name="heldOut"/> given observed counts <paramref name="counts"/> [T, X] (NaN:
    /// missing) and predicted rates <paramref name="rates"/> [T, X] (expected counts per bin, ≥ 0; only the held-out
    /// columns are read). Throws <see cref="InputException"/> when the held-out units have no spikes at all.
    /// </summary>
    public static CoSmoothingScore Score(ReadOnlySpan<double> counts, ReadOnlySpan<double> rates, int steps, int units, IReadOnlyList<int> heldOut)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        if (steps < 1 || units < 1 || counts.Length != (long)steps * units || rates.Length != counts.Length)
        {
            throw new ArgumentException($"counts of {counts.Length} and rates of {rates.Length} values are not [{steps}, {units}].", nameof(counts));
        }

        if (heldOut.Count == 0 || heldOut.Any(j => j < 0 || j >= units) || heldOut.Distinct().Count() != heldOut.Count)
        {
            throw new ArgumentException($"held-out units must be distinct indices below {units}; got [{string.Join(", ", heldOut)}].", nameof(heldOut));
        }

        int[] sorted = [.. heldOut.Order()];
        RequireSpikes(counts, steps, units, sorted);
        var perUnit = new double[sorted.Length];
        long spikes = 0;
        double logLikelihood = 0, nullLogLikelihood = 0;
        int zeroRates = 0;
        for (int h = 0; h < sorted.Length; h++)
        {
            int j = sorted[h];

            // λ̄_j: the unit's mean count per observed scored bin.
            long observed = 0, unitSpikes = 0;
            for (int t = 0; t < steps; t++)
            {
                double y = counts[t * units + j];
                if (!double.IsNaN(y))
                {
                    observed++;
                    unitSpikes += (long)y;
                }
            }

            double mean = observed > 0 ? (double)unitSpikes / observed : 0;
            double logMean = Math.Log(mean > 0 ? mean : ZeroRate), nullRate = mean > 0 ? mean : ZeroRate;
            double unitModel = 0, unitNull = 0;
            for (int t = 0; t < steps; t++)
            {
                double y = counts[t * units + j];
                if (double.IsNaN(y))
                {
                    continue;
                }

                double rate = rates[t * units + j];
                if (!(rate >= 0) || double.IsInfinity(rate))
                {
                    throw new ArgumentException($"predicted rate {rate} of unit {j} at step {t} is not a finite non-negative count.", nameof(rates));
                }

                if (rate == 0)
                {
                    rate = ZeroRate;
                    zeroRates++;
                }

                // log Poisson(y | λ) = y ln λ − λ − ln y!
                double logFactorial = Rng.LogFactorial((int)y);
                unitModel += (y > 0 ? y * Math.Log(rate) : 0) - rate - logFactorial;
                unitNull += (y > 0 ? y * logMean : 0) - nullRate - logFactorial;
            }

            spikes += unitSpikes;
            logLikelihood += unitModel;
            nullLogLikelihood += unitNull;
            perUnit[h] = unitSpikes > 0 ? (unitModel - unitNull) / (unitSpikes * Math.Log(2)) : double.NaN;
        }

        return new CoSmoothingScore(sorted, (logLikelihood - nullLogLikelihood) / (spikes * Math.Log(2)), perUnit, spikes, logLikelihood, nullLogLikelihood, zeroRates);
    }

    /// <summary>
    /// Throws <see cref="InputException"/> when the held-out units <paramref name="heldOut"/> have no spike at all in
    /// <paramref name="counts"/> [T, X] (co-bps divides by their spike count); a check to make before any work.
    /// </summary>
    public static void RequireSpikes(ReadOnlySpan<double> counts, int steps, int units, IReadOnlyList<int> heldOut)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        for (int t = 0; t < steps; t++)
        {
            foreach (int j in heldOut)
            {
                if (counts[t * units + j] > 0)
                {
                    return;
                }
            }
        }

        throw new InputException(
            string.Create(CultureInfo.InvariantCulture, $"the held-out unit(s) {string.Join(", ", heldOut)} have no spikes on the {steps} scored steps, so bits per spike (a gain per held-out spike) is undefined."),
            $"hold out other units (another {Ref(nameof(EvaluationRequest.Seed))} or a larger {Ref(nameof(SpikingOptions.HeldOutUnits))}), or score more steps (a larger {Ref(nameof(EvaluationRequest.Holdout))}, or none).") { Setting = nameof(SpikingOptions.HeldOutUnits) };
    }
}
