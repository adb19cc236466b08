namespace LowRank.Analysis.FixedPoints;

/// <summary>
/// The map <c>F</c> rewritten as a sum of P hinges: <c>F(z) = a z + b0 + Σ_k w_k relu(g_kᵀ z + β_k)</c>.
/// </summary>
/// <remarks>
/// Relu unit i gives one hinge (g = m_i, β = c_i − h_i, w = ñ_i); clipped-relu unit i gives two,
/// (m_i, c_i + h_i, +ñ_i) and (m_i, c_i, −ñ_i). Hinges with g = 0 (a zero row of M, or one below 1e−9 of the largest row) never change sign:
/// they are folded into the constant <c>b0</c> and dropped. On the cell with active set S the map is
/// affine, <c>F(z) = (a I + Σ_S w_k g_kᵀ) z + b0 + Σ_S w_k β_k</c>, and hinge k is active at z iff
/// <c>g_kᵀ z + β_k &gt; 0</c> (a point on a kink counts as inactive).
/// Shapes: <c>Normal</c> [P, R], <c>Output</c> [P, R], <c>Offset</c> [P], <c>Outer</c> [P, R·R] (w_k g_kᵀ),
/// <c>OutputOffset</c> [P, R] (w_k β_k), <c>Constant</c> [R].
/// </remarks>
internal sealed class Hinges
{
    private Hinges(int rank, int count, double decay)
    {
        Rank = rank;
        Count = count;
        Decay = decay;
        Normal = new double[count * rank];
        Output = new double[count * rank];
        Offset = new double[count];
        Outer = new double[count * rank * rank];
        OutputOffset = new double[count * rank];
        Constant = new double[rank];
    }

    public int Rank { get; }

    /// <summary>P, the number of hinges with a non-zero normal.</summary>
    public int Count { get; }

    public double Decay { get; }

    public double[] Normal { get; }

    public double[] Output { get; }

    public double[] Offset { get; }

    public double[] Outer { get; }

    public double[] OutputOffset { get; }

    public double[] Constant { get; }

    public static Hinges FromMap(PiecewiseLinearMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        map.Validate();
        int rank = map.Rank;
        int units = map.Units;
        var normals = new List<(int Unit, double Offset, double Sign)>(map.KinkCount);
        var constant = new double[rank];

        // A row of M negligible next to the largest (a trained unit whose m_i collapsed to ~1e-12) is a
        // zero row: its kink would be a numerically arbitrary line, and every fixed point near it would
        // fail the pattern check on both sides.
        double largestRow = 0;
        for (int i = 0; i < units; i++)
        {
            largestRow = Math.Max(largestRow, RowNorm(map.M, i, rank));
        }

        double negligibleRow = NegligibleRowFraction * largestRow;
        Span<(double Offset, double Sign)> kinks = stackalloc (double, double)[2];
        for (int i = 0; i < units; i++)
        {
            bool zeroRow = RowNorm(map.M, i, rank) <= negligibleRow;

            int kinkCount;
            if (map.Activation == PiecewiseActivation.Relu)
            {
                kinks[0] = (map.C[i] - map.H[i], 1.0);
                kinkCount = 1;
            }
            else
            {
                kinks[0] = (map.C[i] + map.H[i], 1.0);
                kinks[1] = (map.C[i], -1.0);
                kinkCount = 2;
            }

            for (int q = 0; q < kinkCount; q++)
            {
                (double offset, double sign) = kinks[q];
                if (!zeroRow)
                {
                    normals.Add((i, offset, sign));
                }
                else if (offset > 0)
                {
                    for (int r = 0; r < rank; r++)
                    {
                        constant[r] += sign * map.N[r * units + i] * offset;
                    }
                }
            }
        }

        var hinges = new Hinges(rank, normals.Count, map.Decay);
        constant.CopyTo(hinges.Constant, 0);
        for (int k = 0; k < normals.Count; k++)
        {
            (int unit, double offset, double sign) = normals[k];
            hinges.Offset[k] = offset;
            for (int r = 0; r < rank; r++)
            {
                hinges.Normal[k * rank + r] = map.M[unit * rank + r];
                hinges.Output[k * rank + r] = sign * map.N[r * units + unit];
                hinges.OutputOffset[k * rank + r] = sign * map.N[r * units + unit] * offset;
            }

            for (int r = 0; r < rank; r++)
            {
                for (int s = 0; s < rank; s++)
                {
                    hinges.Outer[(k * rank + r) * rank + s] = hinges.Output[k * rank + r] * hinges.Normal[k * rank + s];
                }
            }
        }

        return hinges;
    }

    /// <summary>Rows of M whose norm is at most this fraction of the largest row's are treated as zero.</summary>
    public const double NegligibleRowFraction = 1e-9;

    private static double RowNorm(double[] m, int row, int rank)
    {
        double sum = 0;
        for (int r = 0; r < rank; r++)
        {
            sum += m[row * rank + r] * m[row * rank + r];
        }

        return Math.Sqrt(sum);
    }

    /// <summary>Whether hinge k is active at z: <c>g_kᵀ z + β_k &gt; 0</c>.</summary>
    public bool IsActive(int k, ReadOnlySpan<double> z)
    {
        double x = Offset[k];
        for (int r = 0; r < Rank; r++)
        {
            x += Normal[k * Rank + r] * z[r];
        }

        return x > 0;
    }

    /// <summary>Writes the activation pattern of z (1 active, 0 inactive) into <paramref name="pattern"/> [P].</summary>
    public void Pattern(ReadOnlySpan<double> z, Span<byte> pattern)
    {
        for (int k = 0; k < Count; k++)
        {
            pattern[k] = IsActive(k, z) ? (byte)1 : (byte)0;
        }
    }

    /// <summary>
    /// The affine map of the cell with activation pattern <paramref name="pattern"/>:
    /// <c>jacobian = a I + Σ_S w_k g_kᵀ</c> [R, R] and <c>offset = b0 + Σ_S w_k β_k</c> [R].
    /// </summary>
    public void CellMap(ReadOnlySpan<byte> pattern, Span<double> jacobian, Span<double> offset)
    {
        int rr = Rank * Rank;
        jacobian[..rr].Clear();
        Constant.CopyTo(offset);
        for (int k = 0; k < Count; k++)
        {
            if (pattern[k] == 0)
            {
                continue;
            }

            for (int e = 0; e < rr; e++)
            {
                jacobian[e] += Outer[k * rr + e];
            }

            for (int r = 0; r < Rank; r++)
            {
                offset[r] += OutputOffset[k * Rank + r];
            }
        }

        for (int r = 0; r < Rank; r++)
        {
            jacobian[r * Rank + r] += Decay;
        }
    }
}
