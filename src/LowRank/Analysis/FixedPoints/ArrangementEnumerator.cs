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
/// rank-1 term per crossing. The vertex L ∪ {k} is counted on this line iff k &gt; max L. Per cell:
/// O(R²) to form the system, O(R³) to solve, then an early-exit check of the solution's pattern.
/// Memory O(P·R²) per thread; nothing is stored per vertex.</para>
/// <para><b>Degeneracies.</b> Every kink is shifted towards "inactive" by a tiny, hinge-specific
/// amount <c>ε(1 + u_k)</c> before enumeration, which makes parallel, coincident and concurrent
/// hyperplanes generic. Each realised pattern (including that of a point lying on kinks, which count
/// as inactive) is then a cell of the shifted arrangement; solutions are always checked against
/// the exact, unshifted map.</para>
/// </remarks>
internal sealed class ArrangementEnumerator
{
    private const double ParallelTolerance = 1e-12;
    private const double RelativeShift = 1e-9;

    private readonly Hinges _hinges;
    private readonly int _rank;
    private readonly int _count;
    private readonly int _threads;
    private readonly object _gate = new();
    private readonly List<double[]> _found = [];
    private long _cells;
    private long _singular;

    public ArrangementEnumerator(Hinges hinges, int maxDegreeOfParallelism)
    {
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

        var options = new ParallelOptions { MaxDegreeOfParallelism = _threads };
        Parallel.For(
            0,
            count,
            options,
            () => new Workspace(_rank, count),
            (first, _, workspace) =>
            {
                Span<int> line = stackalloc int[dim - 1];
                line[0] = first;
                ForEachTail(dim, normal, offset, line, 1, first + 1, workspace);
                return workspace;
            },
            workspace => Merge(workspace, ref lowest));
        return lowest;
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

        Array.Sort(keys, order, 0, crossings);
        Span<int> defining = stackalloc int[dim];
        Span<bool> sign = stackalloc bool[dim];
        line.CopyTo(defining);
        for (int c = 0; c < crossings; c++)
        {
            int k = order[c];
            bool before = rising[k] == 0;
            if (k > last)
            {
                defining[dim - 1] = k;
                if (OwnedCell(dim, normal, defining, sign))
                {
                    double t = keys[c];
                    ws.Lowest = Math.Min(ws.Lowest, p[0] + t * u[0]);
                    ws.Cells++;
                    EvaluateVertexCell(ws, defining, sign, k, before);
                }
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

    /// <summary>
    /// Signs of the cell owned by the vertex of <paramref name="defining"/> (rows G_J): sign_j = e₁ᵀ u_j &gt; 0,
    /// i.e. x solves G_Jᵀ x = e₁. False when the defining normals are dependent.
    /// </summary>
    private static bool OwnedCell(int dim, double[] normal, ReadOnlySpan<int> defining, Span<bool> sign)
    {
        Span<double> matrix = stackalloc double[dim * dim];
        Span<double> rhs = stackalloc double[dim];
        Span<double> x = stackalloc double[dim];
        for (int row = 0; row < dim; row++)
        {
            for (int col = 0; col < dim; col++)
            {
                matrix[row * dim + col] = normal[defining[col] * dim + row]; // transpose
            }
        }

        rhs[0] = 1;
        if (!SmallLinear.Solve(matrix, rhs, x, dim))
        {
            return false;
        }

        for (int j = 0; j < dim; j++)
        {
            sign[j] = x[j] > 0;
        }

        return true;
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
            // Recompute the cell map exactly from the pattern (the swept sums carry rounding), re-solve, re-check.
            _hinges.CellMap(ws.Active, ws.Jacobian, ws.CellOffset);
            if (SolveCell(ws) && PatternMatches(ws))
            {
                ws.Found.Add((double[])ws.Z.Clone());
            }
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

        if (SmallLinear.Solve(system, ws.CellOffset, ws.Z, rank))
        {
            return true;
        }

        ws.Singular++;
        return false;
    }

    /// <summary>Whether the pattern of <c>ws.Z</c> under the exact map equals <c>ws.Active</c> (early exit).</summary>
    private bool PatternMatches(Workspace ws)
    {
        int rank = _rank;
        int count = _count;
        double[] g = _hinges.Normal;
        double[] beta = _hinges.Offset;
        byte[] active = ws.Active;
        double[] z = ws.Z;
        if (rank == 3)
        {
            double z0 = z[0], z1 = z[1], z2 = z[2];
            for (int k = 0; k < count; k++)
            {
                double x = beta[k] + g[3 * k] * z0 + g[3 * k + 1] * z1 + g[3 * k + 2] * z2;
                if ((x > 0) != (active[k] != 0))
                {
                    return false;
                }
            }

            return true;
        }

        for (int k = 0; k < count; k++)
        {
            double x = beta[k];
            for (int r = 0; r < rank; r++)
            {
                x += g[k * rank + r] * z[r];
            }

            if ((x > 0) != (active[k] != 0))
            {
                return false;
            }
        }

        return true;
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

            double cofactor = SmallLinear.Determinant(minor, rows);
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
        return SmallLinear.SolveGeneral(system, rhs, p, dim);
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

        public long Singular { get; set; }

        public double Lowest { get; set; } = double.PositiveInfinity;
    }
}
