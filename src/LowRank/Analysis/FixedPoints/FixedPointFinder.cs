using System.Numerics;
using LowRank.Numerics;

namespace LowRank.Analysis.FixedPoints;

/// <summary>Options of the exact enumeration.</summary>
/// <param name="MaxDegreeOfParallelism">Threads (−1: all cores). Results do not depend on it.</param>
/// <param name="Seed">Seed of the generic direction and of the tie-breaking shifts (results do not depend on it for generic networks).</param>
/// <param name="Progress">Receives progress of the top-level sweep (null: none).</param>
public sealed record ExactSearchOptions(int MaxDegreeOfParallelism = -1, long Seed = 0x5EED, IProgressSink? Progress = null);

/// <summary>Options of the SCYFI-style approximate search.</summary>
/// <param name="Restarts">Independent random starts; restart i draws from <c>Rng.Create(Seed, i)</c>.</param>
/// <param name="MaxIterations">Cell jumps per restart before giving up.</param>
/// <param name="Seed">Seed of the random starts.</param>
/// <param name="StartPoints">Optional start points (e.g. one per cell of interest); when given they replace the random starts.</param>
/// <param name="MaxDegreeOfParallelism">Threads (−1: all cores). Results do not depend on it.</param>
public sealed record ApproximateSearchOptions(
    int Restarts = 200,
    int MaxIterations = 100,
    long Seed = 0,
    IReadOnlyList<double[]>? StartPoints = null,
    int MaxDegreeOfParallelism = -1);

/// <summary>
/// Fixed points and cycles of the piecewise-linear low-rank map <c>F(z) = a z + Ñ φ(M z + c; h)</c> (docs/fixed-points.md).
/// </summary>
/// <remarks>
/// On the cell with activation pattern D (diagonal 0/1 over the P kinks) F is affine with Jacobian
/// <c>J = a I + Ñ D M</c>, so the cell's candidate solves <c>(I − J) z = b_D</c> and is a fixed point iff its
/// own pattern is D. <see cref="Enumerate"/> visits every cell of the kink arrangement exactly once
/// (O(P^R) cells, see <see cref="ArrangementEnumerator"/>); <see cref="SearchApproximate"/> jumps from cell
/// to cell (SCYFI); <see cref="FindCycles"/> does the same for the p-fold composed map.
/// </remarks>
public static class FixedPointFinder
{
    /// <summary>All isolated fixed points, by exact enumeration of the kink arrangement.</summary>
    public static FixedPointResult Enumerate(PiecewiseLinearMap map, ExactSearchOptions? options = null)
    {
        options ??= new ExactSearchOptions();
        Hinges hinges = Hinges.FromMap(map);
        var enumerator = new ArrangementEnumerator(hinges, options.MaxDegreeOfParallelism, options.Progress);
        enumerator.Run(options.Seed);
        return new FixedPointResult(Describe(map, hinges, enumerator.Found), enumerator.Cells, enumerator.SingularCells);
    }

    /// <summary>
    /// SCYFI-style search: from a start point take its cell, solve the cell's system, move to the cell of
    /// the solution, repeat until the solution lies in its own cell. Finds a subset of <see cref="Enumerate"/>.
    /// </summary>
    public static FixedPointResult SearchApproximate(PiecewiseLinearMap map, ApproximateSearchOptions? options = null)
    {
        options ??= new ApproximateSearchOptions();
        Hinges hinges = Hinges.FromMap(map);
        int rank = hinges.Rank;
        int starts = CheckStarts(options, rank);
        double spread = TypicalScale(hinges);
        var results = new double[]?[starts];
        long cells = 0, singular = 0;
        Parallel.For(
            0,
            starts,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
            i =>
            {
                double[] z = StartPoint(options, i, rank, spread);

                var pattern = new byte[hinges.Count];
                var next = new byte[hinges.Count];
                var jacobian = new double[rank * rank];
                var offset = new double[rank];
                hinges.Pattern(z, pattern);
                long localCells = 0, localSingular = 0;
                for (int iteration = 0; iteration < options.MaxIterations; iteration++)
                {
                    localCells++;
                    hinges.CellMap(pattern, jacobian, offset);
                    if (!SolveFixedPoint(jacobian, offset, z, rank))
                    {
                        localSingular++;
                        break;
                    }

                    hinges.Pattern(z, next);
                    if (next.AsSpan().SequenceEqual(pattern))
                    {
                        results[i] = z;
                        break;
                    }

                    (pattern, next) = (next, pattern);
                }

                Interlocked.Add(ref cells, localCells);
                Interlocked.Add(ref singular, localSingular);
            });

        // The same fixed point reached from several starts: keep one (same pattern ⇒ same point).
        var unique = new Dictionary<string, double[]>();
        var key = new byte[hinges.Count];
        foreach (double[]? z in results)
        {
            if (z is null)
            {
                continue;
            }

            hinges.Pattern(z, key);
            unique.TryAdd(Convert.ToBase64String(key), z);
        }

        return new FixedPointResult(Describe(map, hinges, [.. unique.Values]), cells, singular);
    }

    /// <summary>
    /// Period-<paramref name="period"/> cycles (p ≥ 2) by the SCYFI iteration on pattern sequences: the
    /// p patterns along a trajectory define the composed affine map <c>z ↦ Φ z + ψ</c>; its fixed point
    /// z₁ and orbit z₂…z_p give new patterns; repeat until they agree. Only cycles of minimal period p are kept.
    /// </summary>
    public static IReadOnlyList<Cycle> FindCycles(PiecewiseLinearMap map, int period, ApproximateSearchOptions? options = null)
    {
        if (period < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "cycle period must be at least 2 (period 1 = fixed points).");
        }

        options ??= new ApproximateSearchOptions();
        Hinges hinges = Hinges.FromMap(map);
        int rank = hinges.Rank;
        int count = hinges.Count;
        int rr = rank * rank;
        int starts = CheckStarts(options, rank);
        double spread = TypicalScale(hinges);
        var results = new double[][]?[starts];
        Parallel.For(
            0,
            starts,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
            i =>
            {
                double[] z = StartPoint(options, i, rank, spread);

                var patterns = new byte[period * count];
                var orbit = new double[period * rank];
                var jacobians = new double[period * rr];
                var offsets = new double[period * rank];
                var composed = new double[rr];
                var composedOffset = new double[rank];
                var scratch = new double[rr];
                var step = new double[rank];

                // Initial patterns along the trajectory of z.
                for (int t = 0; t < period; t++)
                {
                    hinges.Pattern(z, patterns.AsSpan(t * count, count));
                    map.Evaluate(z, step);
                    step.CopyTo(z, 0);
                }

                for (int iteration = 0; iteration < options.MaxIterations; iteration++)
                {
                    // Φ = J_p ⋯ J_1, ψ accumulated along the way.
                    Array.Clear(composed);
                    Array.Clear(composedOffset);
                    for (int r = 0; r < rank; r++)
                    {
                        composed[r * rank + r] = 1;
                    }

                    for (int t = 0; t < period; t++)
                    {
                        Span<double> jt = jacobians.AsSpan(t * rr, rr);
                        Span<double> bt = offsets.AsSpan(t * rank, rank);
                        hinges.CellMap(patterns.AsSpan(t * count, count), jt, bt);
                        SmallMatrix.Multiply(jt, composed, rank, scratch);
                        scratch.CopyTo(composed, 0);
                        SmallMatrix.MultiplyVector(jt, composedOffset, rank, step);
                        for (int r = 0; r < rank; r++)
                        {
                            composedOffset[r] = step[r] + bt[r];
                        }
                    }

                    if (!SolveFixedPoint(composed, composedOffset, z, rank))
                    {
                        break;
                    }

                    // Orbit under the cell maps, and its patterns.
                    bool same = true;
                    for (int t = 0; t < period; t++)
                    {
                        z.CopyTo(orbit, t * rank);
                        Span<byte> pt = patterns.AsSpan(t * count, count);
                        for (int k = 0; k < count; k++)
                        {
                            byte on = hinges.IsActive(k, z) ? (byte)1 : (byte)0;
                            same &= on == pt[k];
                            pt[k] = on;
                        }

                        SmallMatrix.MultiplyVector(jacobians.AsSpan(t * rr, rr), z, rank, step);
                        for (int r = 0; r < rank; r++)
                        {
                            z[r] = step[r] + offsets[t * rank + r];
                        }
                    }

                    if (same)
                    {
                        if (HasMinimalPeriod(orbit, period, rank))
                        {
                            results[i] = Split(orbit, period, rank);
                        }

                        break;
                    }
                }
            });

        // Deduplicate: rotate each cycle to start at its smallest point pattern (patterns are exact, coordinates
        // carry rounding), then the same pattern sequence means the same cycle.
        var unique = new Dictionary<string, double[][]>();
        var key = new byte[count];
        foreach (double[][]? cycle in results)
        {
            if (cycle is null)
            {
                continue;
            }

            var keys = new string[period];
            for (int t = 0; t < period; t++)
            {
                hinges.Pattern(cycle[t], key);
                keys[t] = Convert.ToBase64String(key);
            }

            int start = 0;
            for (int t = 1; t < period; t++)
            {
                if (string.CompareOrdinal(keys[t], keys[start]) < 0)
                {
                    start = t;
                }
            }

            var rotated = new double[period][];
            for (int t = 0; t < period; t++)
            {
                rotated[t] = cycle[(start + t) % period];
            }

            unique.TryAdd(string.Join('|', Enumerable.Range(0, period).Select(t => keys[(start + t) % period])), rotated);
        }

        var cycles = new List<Cycle>();
        var jacobian = new double[rr];
        var offset = new double[rank];
        var pattern = new byte[count];
        var f = new double[rank];
        foreach (double[][] points in unique.Values)
        {
            var product = new double[rr];
            var scratch = new double[rr];
            for (int r = 0; r < rank; r++)
            {
                product[r * rank + r] = 1;
            }

            double residual = 0;
            for (int t = 0; t < period; t++)
            {
                hinges.Pattern(points[t], pattern);
                hinges.CellMap(pattern, jacobian, offset);
                SmallMatrix.Multiply(jacobian, product, rank, scratch);
                scratch.CopyTo(product, 0);
                map.Evaluate(points[t], f);
                double[] target = points[(t + 1) % period];
                double sq = 0;
                for (int r = 0; r < rank; r++)
                {
                    sq += (f[r] - target[r]) * (f[r] - target[r]);
                }

                residual = Math.Max(residual, Math.Sqrt(sq));
            }

            Complex[] eigenvalues = Stability.Eigenvalues(product, rank);
            cycles.Add(new Cycle(points, eigenvalues, Stability.Classify(eigenvalues), residual));
        }

        cycles.Sort((x, y) => CompareLexicographic(x.Points[0], y.Points[0]));
        return cycles;
    }

    /// <summary>Start i of a search: the given start point, or a draw from N(0, spread² I) on stream i of the seed.</summary>
    private static double[] StartPoint(ApproximateSearchOptions options, int i, int rank, double spread)
    {
        var z = new double[rank];
        if (options.StartPoints is { } points)
        {
            points[i].CopyTo(z, 0);
        }
        else
        {
            var rng = Rng.Create(options.Seed, i);
            for (int r = 0; r < rank; r++)
            {
                z[r] = spread * rng.NextGaussian();
            }
        }

        return z;
    }

    private static int CheckStarts(ApproximateSearchOptions options, int rank)
    {
        if (options.StartPoints is { } points)
        {
            for (int i = 0; i < points.Count; i++)
            {
                if (points[i].Length != rank)
                {
                    throw new ArgumentException($"start point {i} has length {points[i].Length}, expected R = {rank}.", nameof(options));
                }
            }

            return points.Count;
        }

        return options.Restarts;
    }

    /// <summary>Attaches eigenvalues, type and residual to raw fixed points, in canonical (lexicographic) order.</summary>
    private static List<FixedPoint> Describe(PiecewiseLinearMap map, Hinges hinges, List<double[]> points)
    {
        int rank = hinges.Rank;
        var sorted = new List<double[]>(points);
        sorted.Sort(CompareLexicographic);
        var pattern = new byte[hinges.Count];
        var jacobian = new double[rank * rank];
        var offset = new double[rank];
        var result = new List<FixedPoint>(sorted.Count);
        foreach (double[] z in sorted)
        {
            hinges.Pattern(z, pattern);
            hinges.CellMap(pattern, jacobian, offset);
            Complex[] eigenvalues = Stability.Eigenvalues(jacobian, rank);
            result.Add(new FixedPoint(z, eigenvalues, Stability.Classify(eigenvalues), map.Residual(z)));
        }

        return result;
    }

    private static bool SolveFixedPoint(ReadOnlySpan<double> jacobian, ReadOnlySpan<double> offset, Span<double> z, int rank)
    {
        Span<double> system = stackalloc double[rank * rank];
        for (int r = 0; r < rank; r++)
        {
            for (int s = 0; s < rank; s++)
            {
                system[r * rank + s] = (r == s ? 1.0 : 0.0) - jacobian[r * rank + s];
            }
        }

        return SmallMatrix.Solve(system, offset, z, rank);
    }

    /// <summary>False if the orbit repeats with a proper divisor d of p (e.g. a fixed point seen p times).</summary>
    private static bool HasMinimalPeriod(double[] orbit, int period, int rank)
    {
        double scale = 0;
        foreach (double v in orbit)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        double tolerance = 1e-9 * Math.Max(1, scale);
        for (int d = 1; d < period; d++)
        {
            if (period % d != 0)
            {
                continue;
            }

            double distance = 0;
            for (int r = 0; r < rank; r++)
            {
                distance = Math.Max(distance, Math.Abs(orbit[d * rank + r] - orbit[r]));
            }

            if (distance <= tolerance)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The orbit as p points.</summary>
    private static double[][] Split(double[] orbit, int period, int rank)
    {
        var points = new double[period][];
        for (int t = 0; t < period; t++)
        {
            points[t] = orbit.AsSpan(t * rank, rank).ToArray();
        }

        return points;
    }

    private static int CompareLexicographic(double[] x, double[] y)
    {
        for (int r = 0; r < x.Length; r++)
        {
            int c = x[r].CompareTo(y[r]);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    /// <summary>Scale of random start points: twice the largest distance of a kink from the origin (at least 1).</summary>
    private static double TypicalScale(Hinges hinges)
    {
        double scale = 1;
        for (int k = 0; k < hinges.Count; k++)
        {
            double norm = 0;
            for (int r = 0; r < hinges.Rank; r++)
            {
                norm += hinges.Normal[k * hinges.Rank + r] * hinges.Normal[k * hinges.Rank + r];
            }

            scale = Math.Max(scale, 2 * Math.Abs(hinges.Offset[k]) / Math.Sqrt(norm));
        }

        return scale;
    }
}
