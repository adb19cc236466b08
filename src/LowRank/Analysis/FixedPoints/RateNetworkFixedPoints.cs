using System.Diagnostics;
using System.Numerics;
using LowRank.Numerics;

namespace LowRank.Analysis.FixedPoints;

/// <summary>Options of <see cref="RateNetworkFixedPoints.Find"/>.</summary>
public sealed record RateNetworkFixedPointOptions
{
    /// <summary>Newton starts, drawn uniformly in the box <see cref="RateNetworkLatentMap.FixedPointBound"/>.</summary>
    public int Starts { get; init; } = 200;

    /// <summary>Start i draws from <c>Rng.Create(Seed, i)</c>.</summary>
    public long Seed { get; init; }

    /// <summary>Worker threads (−1: all cores); the result does not depend on it.</summary>
    public int Threads { get; init; } = -1;

    /// <summary>Newton iterations per start.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>A start has converged when ‖F(κ)‖₂ ≤ Tolerance · max(1, max_r B_r).</summary>
    public double Tolerance { get; init; } = 1e-10;

    /// <summary>Throws <see cref="InputException"/> for a non-positive number of starts.</summary>
    public void Validate()
    {
        InputException.RequireCount("Starts", Starts);
        if (!(Tolerance > 0) || MaxIterations < 1)
        {
            throw new ArgumentException($"need a positive tolerance and at least one iteration, got {Tolerance} and {MaxIterations}.");
        }
    }
}

/// <summary>Fixed points of a rate network's κ dynamics at one constant input.</summary>
/// <param name="FixedPoints">
/// Distinct fixed points in lexicographic order of κ: <c>Z</c> = κ* [R], <c>Eigenvalues</c> μ of the step Jacobian
/// ∂G/∂κ = I + α ∂F/∂κ by decreasing modulus, <c>Stability</c> the discrete-time type (|μ| &lt; 1 is stable),
/// <c>Residual</c> = ‖F(κ*)‖₂ (per τ).
/// </param>
/// <param name="Bound">The half-widths B [R] of the box of starts, which holds every fixed point.</param>
/// <param name="Starts">Newton starts run.</param>
/// <param name="Converged">Starts that reached a fixed point (before deduplication).</param>
/// <param name="Seconds">Wall-clock time.</param>
public sealed record RateNetworkFixedPointResult(IReadOnlyList<FixedPoint> FixedPoints, double[] Bound, int Starts, int Converged, double Seconds)
{
    /// <summary>Fixed points whose every |μ| &lt; 1.</summary>
    public int StableCount => FixedPoints.Count(p => p.Stability is StabilityKind.StableNode or StabilityKind.StableSpiral);
}

/// <summary>
/// Fixed points of a low-rank tanh rate network's κ dynamics (<see cref="RateNetworkLatentMap"/>): damped Newton
/// iterations on F(κ) = 0 from many random starts, deduplicated.
/// </summary>
/// <remarks>
/// Each start κ₀ ~ U(−B, B) (the box that holds every fixed point) runs Newton steps Δ = −(∂F/∂κ)⁻¹ F(κ) with
/// backtracking: the step length t = 1, ½, ¼, … is the first with ‖F(κ + tΔ)‖ ≤ (1 − 10⁻⁴ t) ‖F(κ)‖. A start
/// stops at convergence, at a singular Jacobian or when no step length decreases ‖F‖ (a local minimum of ‖F‖ that
/// is not a root). Converged points closer than 10⁻⁶ · max(1, max_r B_r) are one fixed point (the one with the
/// smallest residual is kept). Newton finds the roots its starts reach: with enough starts all of them in practice,
/// but not with a proof, unlike the exact enumeration of piecewise-linear models (<see cref="FixedPointFinder"/>).
/// Start i uses only <c>Rng.Create(Seed, i)</c> and merging runs in start order, so the result does not depend on
/// the thread count.
/// </remarks>
public static class RateNetworkFixedPoints
{
    private const double Sufficient = 1e-4;
    private const int MaxHalvings = 40;
    private const double MergeDistance = 1e-6;

    public static RateNetworkFixedPointResult Find(RateNetworkLatentMap map, RateNetworkFixedPointOptions options)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        int rank = map.Rank;
        double[] bound = map.FixedPointBound();
        double scale = Math.Max(1, bound.Max());
        double tolerance = options.Tolerance * scale;
        var roots = new (double[] Kappa, double Residual)?[options.Starts];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : -1 };
        Parallel.For(0, options.Starts, parallel, i =>
        {
            Rng rng = Rng.Create(options.Seed, i);
            var kappa = new double[rank];
            for (int r = 0; r < rank; r++)
            {
                kappa[r] = rng.NextUniform(-bound[r], bound[r]);
            }

            roots[i] = Newton(map, kappa, tolerance, options.MaxIterations);
        });

        // Merge in start order, keeping the smallest residual of each cluster.
        var distinct = new List<(double[] Kappa, double Residual)>();
        int converged = 0;
        foreach ((double[] Kappa, double Residual)? root in roots)
        {
            if (root is not { } found)
            {
                continue;
            }

            converged++;
            int match = distinct.FindIndex(d => Distance(d.Kappa, found.Kappa) <= MergeDistance * scale);
            if (match < 0)
            {
                distinct.Add(found);
            }
            else if (found.Residual < distinct[match].Residual)
            {
                distinct[match] = found;
            }
        }

        distinct.Sort((x, y) => Lexicographic(x.Kappa, y.Kappa));
        var points = new List<FixedPoint>(distinct.Count);
        var jacobian = new double[rank * rank];
        foreach ((double[] kappa, double residual) in distinct)
        {
            // Step Jacobian ∂G/∂κ = I + α ∂F/∂κ.
            map.Jacobian(kappa, jacobian);
            for (int k = 0; k < jacobian.Length; k++)
            {
                jacobian[k] *= map.Alpha;
            }

            for (int r = 0; r < rank; r++)
            {
                jacobian[r * rank + r] += 1;
            }

            Complex[] eigenvalues = Stability.Eigenvalues(jacobian, rank);
            points.Add(new FixedPoint(kappa, eigenvalues, Stability.Classify(eigenvalues), residual));
        }

        return new RateNetworkFixedPointResult(points, bound, options.Starts, converged, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Damped Newton from <paramref name="kappa"/> (overwritten); the root and ‖F‖ there, or null.</summary>
    private static (double[] Kappa, double Residual)? Newton(RateNetworkLatentMap map, double[] kappa, double tolerance, int maxIterations)
    {
        int rank = map.Rank;
        var f = new double[rank];
        var jacobian = new double[rank * rank];
        var negative = new double[rank];
        var step = new double[rank];
        var trial = new double[rank];
        var fTrial = new double[rank];
        map.Velocity(kappa, f);
        double norm = Norm(f);
        for (int iteration = 0; iteration < maxIterations && norm > tolerance; iteration++)
        {
            // Δ solves (∂F/∂κ) Δ = −F.
            map.Jacobian(kappa, jacobian);
            for (int r = 0; r < rank; r++)
            {
                negative[r] = -f[r];
            }

            if (!SmallMatrix.Solve(jacobian, negative, step, rank))
            {
                return null;
            }

            double length = 1;
            bool accepted = false;
            for (int halving = 0; halving <= MaxHalvings; halving++, length /= 2)
            {
                for (int r = 0; r < rank; r++)
                {
                    trial[r] = kappa[r] + length * step[r];
                }

                map.Velocity(trial, fTrial);
                double trialNorm = Norm(fTrial);
                if (trialNorm <= (1 - Sufficient * length) * norm)
                {
                    trial.CopyTo(kappa, 0);
                    fTrial.CopyTo(f, 0);
                    norm = trialNorm;
                    accepted = true;
                    break;
                }
            }

            if (!accepted)
            {
                return null;
            }
        }

        return norm <= tolerance ? (kappa, norm) : null;
    }

    private static double Norm(ReadOnlySpan<double> v)
    {
        double sum = 0;
        foreach (double x in v)
        {
            sum += x * x;
        }

        return Math.Sqrt(sum);
    }

    private static double Distance(double[] a, double[] b)
    {
        double sum = 0;
        for (int r = 0; r < a.Length; r++)
        {
            sum += (a[r] - b[r]) * (a[r] - b[r]);
        }

        return Math.Sqrt(sum);
    }

    private static int Lexicographic(double[] a, double[] b)
    {
        for (int r = 0; r < a.Length; r++)
        {
            int order = a[r].CompareTo(b[r]);
            if (order != 0)
            {
                return order;
            }
        }

        return 0;
    }
}
