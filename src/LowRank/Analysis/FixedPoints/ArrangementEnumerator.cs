using System.Runtime.CompilerServices;
using LowRank.Numerics;

namespace LowRank.Analysis.FixedPoints;

/// <summary>
/// Visits every cell of the hyperplane arrangement of the hinges exactly once, solves the cell's
/// affine fixed-point system and keeps the solution iff its activation pattern is the cell's.
/// </summary>
/// <remarks>
/// <para><b>Attribution.</b> Coordinates are rotated by a random orthogonal Q (fixed seed) so that the
/// first axis e₁ is a generic direction. A cell that is bounded below along e₁ has a unique lowest
/// vertex; at a simple vertex v with defining hinges J (|J| = r) the cell for which v is lowest is the
/// cone whose sign on hinge j is <c>sign(e₁ᵀ u_j)</c>, where u_j are the columns of <c>G_J⁻¹</c> (the
/// edge directions). So every vertex owns exactly one cell, tested locally. Cells unbounded below
/// along e₁ are exactly the cells that meet the hyperplane <c>y₁ = c</c> with c below every vertex;
/// they are the cells of the (r−1)-dimensional arrangement induced on that hyperplane, enumerated the
/// same way, down to dimension 0 (a single point, a single cell). Cells without vertices (all normals
/// in a proper subspace) contain a line not orthogonal to e₁ and are found on the lower levels too.
/// In general position the count is Σ_{k≤R} C(P, k) (Zaslavsky).</para>
/// <para><b>Sweep.</b> In dimension r every (r−1)-subset L of hinges defines a line
/// <c>y(t) = p + t u</c>. The crossings <c>t_k</c> of all other hinges are sorted and walked; the
/// activation pattern and the cell sums <c>Σ_S w_k g_kᵀ</c>, <c>Σ_S w_k β_k</c> are updated by one
/// rank-1 term per crossing. The vertex L ∪ {k} is counted on this line iff k &gt; max L (for R = 3 only
/// half of the lines are swept, see <see cref="SweepLine3"/>). Per cell:
/// O(R²) to form the system, O(R³) to solve, then an early-exit check of the solution's pattern.
/// Memory O(P·R²) per thread; nothing is stored per vertex.</para>
/// <para><b>Degeneracies.</b> Every kink is shifted towards "inactive" by a tiny, hinge-specific
/// amount <c>ε(1 + u_k)</c> before enumeration, which makes parallel, coincident and concurrent
/// hyperplanes generic. Each realised pattern (including that of a point lying on kinks, which count
/// as inactive) is then a cell of the shifted arrangement; solutions are always checked against
/// the exact, unshifted map.</para>
/// </remarks>
[SkipLocalsInit]
internal sealed class ArrangementEnumerator
{
    private const double ParallelTolerance = 1e-12;
    private const double RelativeShift = 1e-9;

    private readonly Hinges _hinges;
    private readonly int _rank;
    private readonly int _count;
    private readonly int _threads;
    private readonly IProgressSink _progress;
    private long _progressDone;
    private long _progressTotal;
    private readonly object _gate = new();
    private readonly List<double[]> _found = [];
    private long _cells;
    private long _singular;

    public ArrangementEnumerator(Hinges hinges, int maxDegreeOfParallelism, IProgressSink? progress = null)
    {
        _progress = progress ?? NullProgress.Instance;
        _hinges = hinges;
        _rank = hinges.Rank;
        _count = hinges.Count;
        _threads = maxDegreeOfParallelism;
    }

    public long Cells => _cells;

    public long SingularCells => _singular;

    /// <summary>Fixed points found (unsorted).</summary>
    public List<double[]> Found => _found;

    public void Run(long seed)
    {
        int rank = _rank;
        int count = _count;
        var rng = Rng.Create(seed, 0);
        double[] rotation = RandomOrthogonal(rng, rank); // Q [R, R], columns = new axes

        // Level-r normals in rotated coordinates y = Qᵀ z, and shifted offsets.
        var normal = new double[count * rank];
        var offset = new double[count];
        double scale = 1;
        for (int k = 0; k < count; k++)
        {
            scale = Math.Max(scale, Math.Abs(_hinges.Offset[k]));
        }

        var shiftRng = Rng.Create(seed, 1);
        for (int k = 0; k < count; k++)
        {
            for (int m = 0; m < rank; m++)
            {
                double sum = 0;
                for (int n = 0; n < rank; n++)
                {
                    sum += _hinges.Normal[k * rank + n] * rotation[n * rank + m];
                }

                normal[k * rank + m] = sum;
            }

            offset[k] = _hinges.Offset[k] - RelativeShift * scale * (1 + shiftRng.NextDouble());
        }

        for (int dim = rank; dim >= 1; dim--)
        {
            double lowest = SweepLevel(dim, normal, offset);
            double level = double.IsPositiveInfinity(lowest) ? 0 : lowest - 1 - 0.1 * Math.Abs(lowest);

            // Restrict to the hyperplane y₁ = level: drop the first coordinate.
            var next = new double[count * (dim - 1)];
            for (int k = 0; k < count; k++)
            {
                offset[k] += normal[k * dim] * level;
                for (int m = 1; m < dim; m++)
                {
                    next[k * (dim - 1) + m - 1] = normal[k * dim + m];
                }
            }

            normal = next;
        }

        // Dimension 0: one point, one cell.
        var workspace = new Workspace(rank, count);
        for (int k = 0; k < count; k++)
        {
            workspace.Active[k] = offset[k] > 0 ? (byte)1 : (byte)0;
        }

        _hinges.CellMap(workspace.Active, workspace.Jacobian, workspace.CellOffset);
        _cells++;
        if (SolveCell(workspace))
        {
            Accept(workspace);
        }

        _singular += workspace.Singular;
    }

    /// <summary>Enumerates the vertex-owned cells of the r-dimensional arrangement; returns min y₁ over its vertices.</summary>
    private double SweepLevel(int dim, double[] normal, double[] offset)
    {
        int count = _count;
        double lowest = double.PositiveInfinity;
        if (dim == 1)
        {
            var workspace = new Workspace(_rank, count);
            SweepLine(dim, normal, offset, [], workspace);
            Merge(workspace, ref lowest);
            return lowest;
        }

        // Progress on the top level (the bulk of the work): hinge `first` starts about count − first − 1 lines.
        bool report = dim == _rank;
        _progressDone = 0;
        _progressTotal = (long)count * (count - 1) / 2;
        var options = new ParallelOptions { MaxDegreeOfParallelism = _threads };
        Parallel.For(
            0,
            count,
            options,
            () => new Workspace(_rank, count),
            (first, _, workspace) =>
            {
                if (dim == 3 && _rank == 3)
                {
                    // Only lines of two hinges of equal index parity: every triple has such a pair.
                    for (int second = first + 2; second < count; second += 2)
                    {
                        SweepLine3(normal, offset, first, second, workspace);
                    }
                }
                else if (dim == 2 && _rank == 2)
                {
                    SweepLine2(normal, offset, first, workspace);
                }
                else
                {
                    Span<int> line = stackalloc int[dim - 1];
                    line[0] = first;
                    ForEachTail(dim, normal, offset, line, 1, first + 1, workspace);
                }

                if (report)
                {
                    ReportProgress(count - first - 1);
                }

                return workspace;
            },
            workspace => Merge(workspace, ref lowest));
        return lowest;
    }

    private void ReportProgress(long weight)
    {
        long done = Interlocked.Add(ref _progressDone, weight);
        lock (_gate)
        {
            _progress.Report(new ProgressUpdate("fixed points", done, _progressTotal, $"{_count} kinks, rank {_rank}"));
        }
    }

    private void ForEachTail(int dim, double[] normal, double[] offset, Span<int> line, int position, int start, Workspace workspace)
    {
        if (position == line.Length)
        {
            SweepLine(dim, normal, offset, line, workspace);
            return;
        }

        for (int j = start; j < _count; j++)
        {
            line[position] = j;
            ForEachTail(dim, normal, offset, line, position + 1, j + 1, workspace);
        }
    }

    private void Merge(Workspace workspace, ref double lowest)
    {
        lock (_gate)
        {
            _cells += workspace.Cells;
            _singular += workspace.Singular;
            lowest = Math.Min(lowest, workspace.Lowest);
            _found.AddRange(workspace.Found);
        }
    }

    /// <summary>Walks the line defined by the hinges in <paramref name="line"/> (dimension <paramref name="dim"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SweepLine(int dim, double[] normal, double[] offset, ReadOnlySpan<int> line, Workspace ws)
    {
        int rank = _rank;
        int rr = rank * rank;
        int count = _count;
        Span<double> u = stackalloc double[dim];
        Span<double> p = stackalloc double[dim];
        if (!LineThrough(dim, normal, offset, line, u, p))
        {
            return;
        }

        double uNorm = 0;
        for (int m = 0; m < dim; m++)
        {
            uNorm += u[m] * u[m];
        }

        uNorm = Math.Sqrt(uNorm);
        int last = line.Length == 0 ? -1 : line[^1];

        // Initial state at t → −∞: pattern, cell sums over active hinges not on the line.
        double[] sum = ws.Sum;   // [R, R] Σ w gᵀ
        double[] sumOffset = ws.SumOffset; // [R] Σ w β
        Array.Clear(sum);
        Array.Clear(sumOffset);
        byte[] active = ws.Active;
        byte[] rising = ws.Rising;
        double[] keys = ws.Keys;
        int[] order = ws.Order;
        double[] outer = _hinges.Outer;
        double[] outerOffset = _hinges.OutputOffset;
        int crossings = 0;
        for (int k = 0; k < count; k++)
        {
            if (Contains(line, k))
            {
                continue;
            }

            double gp = offset[k];
            double gu = 0;
            double gNorm = 0;
            for (int m = 0; m < dim; m++)
            {
                double g = normal[k * dim + m];
                gp += g * p[m];
                gu += g * u[m];
                gNorm += g * g;
            }

            bool on;
            if (Math.Abs(gu) <= ParallelTolerance * Math.Sqrt(gNorm) * uNorm)
            {
                on = gp > 0;
                rising[k] = 2; // never crossed
            }
            else
            {
                keys[crossings] = -gp / gu;
                order[crossings] = k;
                crossings++;
                rising[k] = gu > 0 ? (byte)1 : (byte)0;
                on = gu < 0;
            }

            active[k] = on ? (byte)1 : (byte)0;
            if (on)
            {
                for (int e = 0; e < rr; e++)
                {
                    sum[e] += outer[k * rr + e];
                }

                for (int r = 0; r < rank; r++)
                {
                    sumOffset[r] += outerOffset[k * rank + r];
                }
            }
        }

        SortCrossings(ws, crossings);

        // Owned cell at the vertex L ∪ {k}: sign_q = (g_kᵀ a_q) / det for q ∈ L, sign_k = u₀ / (g_kᵀ u),
        // with det = det[G_L; g_k] = (−1)^{r−1} g_kᵀ u (see SignFunctionals).
        int lineCount = line.Length;
        Span<double> functionals = stackalloc double[Math.Max(1, lineCount * dim)];
        SignFunctionals(dim, normal, line, functionals);
        double detSign = (dim - 1) % 2 == 0 ? 1 : -1;
        Span<int> defining = stackalloc int[dim];
        Span<bool> sign = stackalloc bool[dim];
        line.CopyTo(defining);
        for (int c = 0; c < crossings; c++)
        {
            int k = order[c];
            bool before = rising[k] == 0;
            if (k > last)
            {
                double gu = 0;
                for (int m = 0; m < dim; m++)
                {
                    gu += normal[k * dim + m] * u[m];
                }

                double det = detSign * gu;
                for (int q = 0; q < lineCount; q++)
                {
                    double numerator = 0;
                    for (int m = 1; m < dim; m++)
                    {
                        numerator += normal[k * dim + m] * functionals[q * dim + m];
                    }

                    sign[q] = numerator / det > 0;
                }

                sign[dim - 1] = u[0] / gu > 0;
                defining[dim - 1] = k;
                double t = keys[c];
                ws.Lowest = Math.Min(ws.Lowest, p[0] + t * u[0]);
                ws.Cells++;
                EvaluateVertexCell(ws, defining, sign, k, before);
            }

            // Cross hinge k: rank-1 update of the cell sums.
            double direction = rising[k] == 1 ? 1 : -1;
            for (int e = 0; e < rr; e++)
            {
                sum[e] += direction * outer[k * rr + e];
            }

            for (int r = 0; r < rank; r++)
            {
                sumOffset[r] += direction * outerOffset[k * rank + r];
            }

            active[k] = rising[k];
        }
    }

    /// <summary>
    /// For the line of L (q-th hinge of L), the vector a_q with <c>(adj[G_L; g])_{0,q} = gᵀ a_q</c> for every
    /// last row g: <c>a_q[m] = (−1)^{q + r − 3 + m} det(G_{L∖q}</c> without columns 0 and m<c>)</c>, a_q[0] = 0.
    /// Then e₁ᵀ u_q = gᵀ a_q / det, the sign of the owned cell on hinge q.
    /// </summary>
    private static void SignFunctionals(int dim, double[] normal, ReadOnlySpan<int> line, Span<double> functionals)
    {
        int lineCount = line.Length;
        int size = dim - 2;
        Span<double> minor = stackalloc double[Math.Max(1, size * size)];
        for (int q = 0; q < lineCount; q++)
        {
            functionals[q * dim] = 0;
            for (int m = 1; m < dim; m++)
            {
                int row = 0;
                for (int j = 0; j < lineCount; j++)
                {
                    if (j == q)
                    {
                        continue;
                    }

                    int col = 0;
                    for (int cc = 1; cc < dim; cc++)
                    {
                        if (cc != m)
                        {
                            minor[row * size + col++] = normal[line[j] * dim + cc];
                        }
                    }

                    row++;
                }

                double det = size == 0 ? 1 : SmallMatrix.Determinant(minor, size);
                functionals[q * dim + m] = ((q + dim - 3 + m) % 2 == 0 ? 1 : -1) * det;
            }
        }
    }

    /// <summary>
    /// <see cref="SweepLine"/> specialised to R = 3 at the top level (the hot path: C(P, 3) vertices). Only
    /// lines of two hinges i &lt; j of equal index parity are swept (half of them): every triple contains such
    /// a pair, and vertex {i, j, k} is counted on this line iff k has the other parity or k &gt; j, so each vertex
    /// is counted exactly once while the per-line cost (sort and walk) is paid half as often. The line of
    /// hinges i, j has direction u = g_i × g_j; the signs of the owned cell at
    /// vertex {i, j, k} are sign(g_kᵀ(e₁ × g_j) / d), sign(g_kᵀ(g_i × e₁) / d), sign(u₀ / d) with d = g_kᵀ u;
    /// cell sums live in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SweepLine3(double[] normal, double[] offset, int i, int j, Workspace ws)
    {
        int count = _count;
        double gi0 = normal[3 * i], gi1 = normal[3 * i + 1], gi2 = normal[3 * i + 2];
        double gj0 = normal[3 * j], gj1 = normal[3 * j + 1], gj2 = normal[3 * j + 2];
        double u0 = gi1 * gj2 - gi2 * gj1, u1 = gi2 * gj0 - gi0 * gj2, u2 = gi0 * gj1 - gi1 * gj0;
        double uu = u0 * u0 + u1 * u1 + u2 * u2;
        double tolerance2 = ParallelTolerance * ParallelTolerance;
        if (!(uu > tolerance2 * (gi0 * gi0 + gi1 * gi1 + gi2 * gi2) * (gj0 * gj0 + gj1 * gj1 + gj2 * gj2)))
        {
            return;
        }

        // Point of the line closest to the origin: p = (−β_i (g_j × u) − β_j (u × g_i)) / |u|².
        double bi = -offset[i] / uu, bj = -offset[j] / uu;
        double p0 = bi * (gj1 * u2 - gj2 * u1) + bj * (u1 * gi2 - u2 * gi1);
        double p1 = bi * (gj2 * u0 - gj0 * u2) + bj * (u2 * gi0 - u0 * gi2);
        double p2 = bi * (gj0 * u1 - gj1 * u0) + bj * (u0 * gi1 - u1 * gi0);

        byte[] active = ws.Active;
        byte[] rising = ws.Rising;
        double[] keys = ws.Keys;
        int[] order = ws.Order;
        double[] outer = _hinges.Outer;
        double[] outerOffset = _hinges.OutputOffset;
        double s00 = 0, s01 = 0, s02 = 0, s10 = 0, s11 = 0, s12 = 0, s20 = 0, s21 = 0, s22 = 0;
        double o0 = 0, o1 = 0, o2 = 0;
        double tolerance2uu = tolerance2 * uu;
        int crossings = 0;
        for (int k = 0; k < count; k++)
        {
            if (k == i || k == j)
            {
                continue;
            }

            double g0 = normal[3 * k], g1 = normal[3 * k + 1], g2 = normal[3 * k + 2];
            double gp = offset[k] + g0 * p0 + g1 * p1 + g2 * p2;
            double gu = g0 * u0 + g1 * u1 + g2 * u2;
            bool on;
            if (gu * gu <= tolerance2uu * (g0 * g0 + g1 * g1 + g2 * g2))
            {
                on = gp > 0;
                rising[k] = 2;
            }
            else
            {
                keys[crossings] = -gp / gu;
                order[crossings] = k;
                crossings++;
                rising[k] = gu > 0 ? (byte)1 : (byte)0;
                on = gu < 0;
            }

            active[k] = on ? (byte)1 : (byte)0;
            if (on)
            {
                int e = 9 * k;
                s00 += outer[e]; s01 += outer[e + 1]; s02 += outer[e + 2];
                s10 += outer[e + 3]; s11 += outer[e + 4]; s12 += outer[e + 5];
                s20 += outer[e + 6]; s21 += outer[e + 7]; s22 += outer[e + 8];
                o0 += outerOffset[3 * k]; o1 += outerOffset[3 * k + 1]; o2 += outerOffset[3 * k + 2];
            }
        }

        SortCrossings(ws, crossings);
        double diagonal = 1 - _hinges.Decay;
        double c0 = _hinges.Constant[0], c1 = _hinges.Constant[1], c2 = _hinges.Constant[2];
        double[] z = ws.Z;
        for (int c = 0; c < crossings; c++)
        {
            int k = order[c];
            bool before = rising[k] == 0;
            if (k > j || ((k ^ i) & 1) != 0)
            {
                double g0 = normal[3 * k], g1 = normal[3 * k + 1], g2 = normal[3 * k + 2];
                double gu = g0 * u0 + g1 * u1 + g2 * u2;
                bool positive = gu > 0;
                double numeratorI = g2 * gj1 - g1 * gj2;
                double numeratorJ = g1 * gi2 - g2 * gi1;
                bool signI = numeratorI != 0 && (numeratorI > 0) == positive;
                bool signJ = numeratorJ != 0 && (numeratorJ > 0) == positive;
                bool signK = u0 != 0 && (u0 > 0) == positive;
                ws.Lowest = Math.Min(ws.Lowest, p0 + keys[c] * u0);
                ws.Cells++;

                // Cell sums: swept sums, minus hinge k's "before" term, plus the defining hinges that are on.
                double a00 = s00, a01 = s01, a02 = s02, a10 = s10, a11 = s11, a12 = s12, a20 = s20, a21 = s21, a22 = s22;
                double r0 = o0 + c0, r1 = o1 + c1, r2 = o2 + c2;
                if (before)
                {
                    Add(outer, outerOffset, k, -1, ref a00, ref a01, ref a02, ref a10, ref a11, ref a12, ref a20, ref a21, ref a22, ref r0, ref r1, ref r2);
                }

                if (signI)
                {
                    Add(outer, outerOffset, i, 1, ref a00, ref a01, ref a02, ref a10, ref a11, ref a12, ref a20, ref a21, ref a22, ref r0, ref r1, ref r2);
                }

                if (signJ)
                {
                    Add(outer, outerOffset, j, 1, ref a00, ref a01, ref a02, ref a10, ref a11, ref a12, ref a20, ref a21, ref a22, ref r0, ref r1, ref r2);
                }

                if (signK)
                {
                    Add(outer, outerOffset, k, 1, ref a00, ref a01, ref a02, ref a10, ref a11, ref a12, ref a20, ref a21, ref a22, ref r0, ref r1, ref r2);
                }

                // (I − a I − Σ_S w gᵀ) z = r by Cramer's rule.
                a00 = diagonal - a00; a01 = -a01; a02 = -a02;
                a10 = -a10; a11 = diagonal - a11; a12 = -a12;
                a20 = -a20; a21 = -a21; a22 = diagonal - a22;
                double k00 = a11 * a22 - a12 * a21;
                double k01 = a12 * a20 - a10 * a22;
                double k02 = a10 * a21 - a11 * a20;
                double det = a00 * k00 + a01 * k01 + a02 * k02;
                double scale = (Math.Abs(a00) + Math.Abs(a01) + Math.Abs(a02))
                    * (Math.Abs(a10) + Math.Abs(a11) + Math.Abs(a12))
                    * (Math.Abs(a20) + Math.Abs(a21) + Math.Abs(a22));
                if (!(Math.Abs(det) > SmallMatrix.SingularTolerance * scale))
                {
                    ws.Singular++;
                }
                else
                {
                    double inv = 1 / det;
                    z[0] = (k00 * r0 + (a02 * a21 - a01 * a22) * r1 + (a01 * a12 - a02 * a11) * r2) * inv;
                    z[1] = (k01 * r0 + (a00 * a22 - a02 * a20) * r1 + (a02 * a10 - a00 * a12) * r2) * inv;
                    z[2] = (k02 * r0 + (a01 * a20 - a00 * a21) * r1 + (a00 * a11 - a01 * a10) * r2) * inv;
                    active[i] = signI ? (byte)1 : (byte)0;
                    active[j] = signJ ? (byte)1 : (byte)0;
                    active[k] = signK ? (byte)1 : (byte)0;
                    if (PatternMatches(ws))
                    {
                        Polish(ws);
                    }

                    active[k] = before ? (byte)1 : (byte)0;
                }
            }

            // Cross hinge k: rank-1 update of the swept sums.
            double direction = rising[k] == 1 ? 1 : -1;
            Add(outer, outerOffset, k, direction, ref s00, ref s01, ref s02, ref s10, ref s11, ref s12, ref s20, ref s21, ref s22, ref o0, ref o1, ref o2);
            active[k] = rising[k];
        }
    }

    /// <summary>
    /// Sorts <c>Keys[0..n)</c> ascending, permuting <c>Order</c> alongside. Each key's order-preserving 64-bit
    /// image has its lowest bits replaced by the crossing's position, so one primitive sort does the work;
    /// runs whose truncated images tie are then put in exact order by insertion sort on the full keys.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SortCrossings(Workspace ws, int n)
    {
        double[] keys = ws.Keys;
        int[] order = ws.Order;
        ulong[] packed = ws.Packed;
        int bits = ws.IndexBits;
        ulong mask = (1UL << bits) - 1;
        for (int c = 0; c < n; c++)
        {
            packed[c] = (OrderedBits(keys[c]) & ~mask) | (uint)c;
        }

        packed.AsSpan(0, n).Sort();
        double[] sortedKeys = ws.SortedKeys;
        int[] sortedOrder = ws.SortedOrder;
        for (int c = 0; c < n; c++)
        {
            int from = (int)(packed[c] & mask);
            sortedKeys[c] = keys[from];
            sortedOrder[c] = order[from];
        }

        // Exact order inside runs of equal truncated keys (rare).
        for (int c = 1; c < n; c++)
        {
            if ((packed[c] & ~mask) != (packed[c - 1] & ~mask))
            {
                continue;
            }

            double key = sortedKeys[c];
            int item = sortedOrder[c];
            int at = c;
            while (at > 0 && (packed[at - 1] & ~mask) == (packed[c] & ~mask) && sortedKeys[at - 1] > key)
            {
                sortedKeys[at] = sortedKeys[at - 1];
                sortedOrder[at] = sortedOrder[at - 1];
                at--;
            }

            sortedKeys[at] = key;
            sortedOrder[at] = item;
        }

        Array.Copy(sortedKeys, keys, n);
        Array.Copy(sortedOrder, order, n);
    }

    /// <summary>Maps a double to an unsigned integer with the same order (NaN excluded).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong OrderedBits(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        return bits >= 0 ? (ulong)bits ^ 0x8000000000000000UL : ~(ulong)bits;
    }

    /// <summary>
    /// <see cref="SweepLine"/> specialised to R = 2 at the top level: the line of hinge i has direction
    /// u = (g_i1, −g_i0) and passes through p = −β_i g_i / |g_i|²; at vertex {i, k} (counted iff k &gt; i) the
    /// owned cell has sign(g_k1 / det) on i and sign(u₀ / (g_kᵀ u)) on k, det = −g_kᵀ u.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SweepLine2(double[] normal, double[] offset, int i, Workspace ws)
    {
        int count = _count;
        double gi0 = normal[2 * i], gi1 = normal[2 * i + 1];
        double gii = gi0 * gi0 + gi1 * gi1;
        if (!(gii > 0))
        {
            return;
        }

        double u0 = gi1, u1 = -gi0;
        double p0 = -offset[i] * gi0 / gii, p1 = -offset[i] * gi1 / gii;
        byte[] active = ws.Active;
        byte[] rising = ws.Rising;
        double[] keys = ws.Keys;
        int[] order = ws.Order;
        double[] outer = _hinges.Outer;
        double[] outerOffset = _hinges.OutputOffset;
        double s00 = 0, s01 = 0, s10 = 0, s11 = 0, o0 = 0, o1 = 0;
        double tolerance2uu = ParallelTolerance * ParallelTolerance * gii;
        int crossings = 0;
        for (int k = 0; k < count; k++)
        {
            if (k == i)
            {
                continue;
            }

            double g0 = normal[2 * k], g1 = normal[2 * k + 1];
            double gp = offset[k] + g0 * p0 + g1 * p1;
            double gu = g0 * u0 + g1 * u1;
            bool on;
            if (gu * gu <= tolerance2uu * (g0 * g0 + g1 * g1))
            {
                on = gp > 0;
                rising[k] = 2;
            }
            else
            {
                keys[crossings] = -gp / gu;
                order[crossings] = k;
                crossings++;
                rising[k] = gu > 0 ? (byte)1 : (byte)0;
                on = gu < 0;
            }

            active[k] = on ? (byte)1 : (byte)0;
            if (on)
            {
                s00 += outer[4 * k]; s01 += outer[4 * k + 1]; s10 += outer[4 * k + 2]; s11 += outer[4 * k + 3];
                o0 += outerOffset[2 * k]; o1 += outerOffset[2 * k + 1];
            }
        }

        SortCrossings(ws, crossings);
        double diagonal = 1 - _hinges.Decay;
        double c0 = _hinges.Constant[0], c1 = _hinges.Constant[1];
        double[] z = ws.Z;
        for (int c = 0; c < crossings; c++)
        {
            int k = order[c];
            bool before = rising[k] == 0;
            double sign = rising[k] == 1 ? 1 : -1;
            if (k > i)
            {
                double g0 = normal[2 * k], g1 = normal[2 * k + 1];
                double gu = g0 * u0 + g1 * u1;
                bool signI = g1 != 0 && (g1 > 0) == (gu < 0);
                bool signK = u0 != 0 && (u0 > 0) == (gu > 0);
                ws.Lowest = Math.Min(ws.Lowest, p0 + keys[c] * u0);
                ws.Cells++;
                double a00 = s00, a01 = s01, a10 = s10, a11 = s11, r0 = o0 + c0, r1 = o1 + c1;
                if (before)
                {
                    a00 -= outer[4 * k]; a01 -= outer[4 * k + 1]; a10 -= outer[4 * k + 2]; a11 -= outer[4 * k + 3];
                    r0 -= outerOffset[2 * k]; r1 -= outerOffset[2 * k + 1];
                }

                if (signI)
                {
                    a00 += outer[4 * i]; a01 += outer[4 * i + 1]; a10 += outer[4 * i + 2]; a11 += outer[4 * i + 3];
                    r0 += outerOffset[2 * i]; r1 += outerOffset[2 * i + 1];
                }

                if (signK)
                {
                    a00 += outer[4 * k]; a01 += outer[4 * k + 1]; a10 += outer[4 * k + 2]; a11 += outer[4 * k + 3];
                    r0 += outerOffset[2 * k]; r1 += outerOffset[2 * k + 1];
                }

                // (I − a I − Σ_S w gᵀ) z = r by Cramer's rule.
                a00 = diagonal - a00; a01 = -a01; a10 = -a10; a11 = diagonal - a11;
                double det = a00 * a11 - a01 * a10;
                double scale = (Math.Abs(a00) + Math.Abs(a01)) * (Math.Abs(a10) + Math.Abs(a11));
                if (!(Math.Abs(det) > SmallMatrix.SingularTolerance * scale))
                {
                    ws.Singular++;
                }
                else
                {
                    z[0] = (a11 * r0 - a01 * r1) / det;
                    z[1] = (a00 * r1 - a10 * r0) / det;
                    active[i] = signI ? (byte)1 : (byte)0;
                    active[k] = signK ? (byte)1 : (byte)0;
                    if (PatternMatches(ws))
                    {
                        Polish(ws);
                    }

                    active[k] = before ? (byte)1 : (byte)0;
                }
            }

            // Cross hinge k: rank-1 update of the swept sums.
            s00 += sign * outer[4 * k]; s01 += sign * outer[4 * k + 1]; s10 += sign * outer[4 * k + 2]; s11 += sign * outer[4 * k + 3];
            o0 += sign * outerOffset[2 * k]; o1 += sign * outerOffset[2 * k + 1];
            active[k] = rising[k];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(
        double[] outer, double[] outerOffset, int k, double factor,
        ref double a00, ref double a01, ref double a02, ref double a10, ref double a11, ref double a12,
        ref double a20, ref double a21, ref double a22, ref double r0, ref double r1, ref double r2)
    {
        int e = 9 * k;
        a00 += factor * outer[e]; a01 += factor * outer[e + 1]; a02 += factor * outer[e + 2];
        a10 += factor * outer[e + 3]; a11 += factor * outer[e + 4]; a12 += factor * outer[e + 5];
        a20 += factor * outer[e + 6]; a21 += factor * outer[e + 7]; a22 += factor * outer[e + 8];
        r0 += factor * outerOffset[3 * k]; r1 += factor * outerOffset[3 * k + 1]; r2 += factor * outerOffset[3 * k + 2];
    }

    /// <summary>
    /// The swept sums carry rounding: recompute the cell map exactly from <c>ws.Active</c>, re-solve,
    /// re-check, and keep the point if it still lies in its cell.
    /// </summary>
    private void Polish(Workspace ws)
    {
        _hinges.CellMap(ws.Active, ws.Jacobian, ws.CellOffset);
        if (SolveCell(ws) && PatternMatches(ws))
        {
            ws.Found.Add((double[])ws.Z.Clone());
        }
    }

    private static bool Contains(ReadOnlySpan<int> line, int k)
    {
        foreach (int j in line)
        {
            if (j == k)
            {
                return true;
            }
        }

        return false;
    }

    private void EvaluateVertexCell(Workspace ws, ReadOnlySpan<int> defining, ReadOnlySpan<bool> sign, int crossing, bool crossingBefore)
    {
        int rank = _rank;
        int rr = rank * rank;
        double[] outer = _hinges.Outer;
        double[] outerOffset = _hinges.OutputOffset;
        double[] jacobian = ws.Jacobian;
        double[] cellOffset = ws.CellOffset;
        Array.Copy(ws.Sum, jacobian, rr);
        for (int r = 0; r < rank; r++)
        {
            cellOffset[r] = ws.SumOffset[r] + _hinges.Constant[r];
            jacobian[r * rank + r] += _hinges.Decay;
        }

        // The crossing hinge is still counted in its "before" state: take it out.
        if (crossingBefore)
        {
            for (int e = 0; e < rr; e++)
            {
                jacobian[e] -= outer[crossing * rr + e];
            }

            for (int r = 0; r < rank; r++)
            {
                cellOffset[r] -= outerOffset[crossing * rank + r];
            }
        }

        for (int j = 0; j < defining.Length; j++)
        {
            int k = defining[j];
            ws.Active[k] = sign[j] ? (byte)1 : (byte)0;
            if (!sign[j])
            {
                continue;
            }

            for (int e = 0; e < rr; e++)
            {
                jacobian[e] += outer[k * rr + e];
            }

            for (int r = 0; r < rank; r++)
            {
                cellOffset[r] += outerOffset[k * rank + r];
            }
        }

        if (SolveCell(ws) && PatternMatches(ws))
        {
            Polish(ws);
        }

        ws.Active[crossing] = crossingBefore ? (byte)1 : (byte)0;
    }

    /// <summary>Solves <c>(I − J) z = offset</c> into <c>ws.Z</c>; counts a singular cell and returns false if singular.</summary>
    private bool SolveCell(Workspace ws)
    {
        int rank = _rank;
        double[] system = ws.System;
        for (int r = 0; r < rank; r++)
        {
            for (int s = 0; s < rank; s++)
            {
                system[r * rank + s] = (r == s ? 1.0 : 0.0) - ws.Jacobian[r * rank + s];
            }
        }

        if (SmallMatrix.Solve(system, ws.CellOffset, ws.Z, rank))
        {
            return true;
        }

        ws.Singular++;
        return false;
    }

    /// <summary>Whether the pattern of <c>ws.Z</c> under the exact map equals <c>ws.Active</c> (early exit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool PatternMatches(Workspace ws)
    {
        int rank = _rank;
        int count = _count;
        double[] g = _hinges.Normal;
        double[] beta = _hinges.Offset;
        byte[] active = ws.Active;
        double[] z = ws.Z;

        if (count == 0)
        {
            return true;
        }

        // Candidates of neighbouring vertices tend to fail on the same hinge: try the last one first.
        int last = ws.LastRejected;
        if (!Agrees(last))
        {
            return false;
        }

        if (rank == 3)
        {
            double z0 = z[0], z1 = z[1], z2 = z[2];
            for (int k = 0; k < count; k++)
            {
                double x = beta[k] + g[3 * k] * z0 + g[3 * k + 1] * z1 + g[3 * k + 2] * z2;
                if ((x > 0) != (active[k] != 0))
                {
                    ws.LastRejected = k;
                    return false;
                }
            }

            return true;
        }

        if (rank == 2)
        {
            double z0 = z[0], z1 = z[1];
            for (int k = 0; k < count; k++)
            {
                double x = beta[k] + g[2 * k] * z0 + g[2 * k + 1] * z1;
                if ((x > 0) != (active[k] != 0))
                {
                    ws.LastRejected = k;
                    return false;
                }
            }

            return true;
        }

        for (int k = 0; k < count; k++)
        {
            if (!Agrees(k))
            {
                ws.LastRejected = k;
                return false;
            }
        }

        return true;

        bool Agrees(int k)
        {
            double x = beta[k];
            for (int r = 0; r < rank; r++)
            {
                x += g[k * rank + r] * z[r];
            }

            return (x > 0) == (active[k] != 0);
        }
    }

    private void Accept(Workspace ws)
    {
        if (PatternMatches(ws))
        {
            _found.Add((double[])ws.Z.Clone());
        }
    }

    /// <summary>
    /// Line through the hinges of <paramref name="line"/>: direction u (generalised cross product of
    /// their normals) and the point p on it with pᵀu = 0. False when the normals are dependent.
    /// </summary>
    private static bool LineThrough(int dim, double[] normal, double[] offset, ReadOnlySpan<int> line, Span<double> u, Span<double> p)
    {
        if (dim == 1)
        {
            u[0] = 1;
            p[0] = 0;
            return true;
        }

        int rows = dim - 1;
        Span<double> minor = stackalloc double[rows * rows];
        double scale = 1;
        for (int j = 0; j < rows; j++)
        {
            double norm = 0;
            for (int m = 0; m < dim; m++)
            {
                norm += normal[line[j] * dim + m] * normal[line[j] * dim + m];
            }

            scale *= Math.Sqrt(norm);
        }

        double uNorm = 0;
        for (int m = 0; m < dim; m++)
        {
            for (int j = 0; j < rows; j++)
            {
                int col = 0;
                for (int c = 0; c < dim; c++)
                {
                    if (c != m)
                    {
                        minor[j * rows + col++] = normal[line[j] * dim + c];
                    }
                }
            }

            double cofactor = SmallMatrix.Determinant(minor, rows);
            u[m] = (m % 2 == 0 ? 1 : -1) * cofactor;
            uNorm += u[m] * u[m];
        }

        if (!(Math.Sqrt(uNorm) > ParallelTolerance * scale))
        {
            return false;
        }

        Span<double> system = stackalloc double[dim * dim];
        Span<double> rhs = stackalloc double[dim];
        for (int j = 0; j < rows; j++)
        {
            for (int c = 0; c < dim; c++)
            {
                system[j * dim + c] = normal[line[j] * dim + c];
            }

            rhs[j] = -offset[line[j]];
        }

        for (int c = 0; c < dim; c++)
        {
            system[rows * dim + c] = u[c];
        }

        rhs[rows] = 0;
        return SmallMatrix.SolveGeneral(system, rhs, p, dim);
    }

    /// <summary>A random orthogonal R×R matrix (Gram–Schmidt of Gaussian columns), row-major.</summary>
    private static double[] RandomOrthogonal(Rng rng, int rank)
    {
        var q = new double[rank * rank];
        rng.FillGaussian(q);
        for (int col = 0; col < rank; col++)
        {
            for (int prev = 0; prev < col; prev++)
            {
                double dot = 0;
                for (int r = 0; r < rank; r++)
                {
                    dot += q[r * rank + col] * q[r * rank + prev];
                }

                for (int r = 0; r < rank; r++)
                {
                    q[r * rank + col] -= dot * q[r * rank + prev];
                }
            }

            double norm = 0;
            for (int r = 0; r < rank; r++)
            {
                norm += q[r * rank + col] * q[r * rank + col];
            }

            norm = Math.Sqrt(norm);
            for (int r = 0; r < rank; r++)
            {
                q[r * rank + col] /= norm;
            }
        }

        return q;
    }

    /// <summary>Per-thread buffers: O(P + R²).</summary>
    private sealed class Workspace(int rank, int count)
    {
        public double[] Keys { get; } = new double[count];

        public double[] SortedKeys { get; } = new double[count];

        public int[] SortedOrder { get; } = new int[count];

        public ulong[] Packed { get; } = new ulong[count];

        /// <summary>Bits that hold a crossing's position in <see cref="Packed"/>.</summary>
        public int IndexBits { get; } = Math.Max(1, 64 - global::System.Numerics.BitOperations.LeadingZeroCount((ulong)Math.Max(1, count)));

        public int[] Order { get; } = new int[count];

        public byte[] Active { get; } = new byte[count];

        public byte[] Rising { get; } = new byte[count];

        public double[] Sum { get; } = new double[rank * rank];

        public double[] SumOffset { get; } = new double[rank];

        public double[] Jacobian { get; } = new double[rank * rank];

        public double[] CellOffset { get; } = new double[rank];

        public double[] System { get; } = new double[rank * rank];

        public double[] Z { get; } = new double[rank];

        public List<double[]> Found { get; } = [];

        public long Cells { get; set; }

        public int LastRejected { get; set; }

        public long Singular { get; set; }

        public double Lowest { get; set; } = double.PositiveInfinity;
    }
}
