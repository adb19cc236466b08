using LowRank.Analysis.FixedPoints;

namespace LowRank.Tests.Analysis.FixedPoints;

/// <summary>
/// Independent reference: every one of the 2^P activation patterns (P = N relu kinks or 2N clipped-relu
/// kinks), its affine system built from M, Ñ, h, c directly, kept iff the solution's pattern is the pattern.
/// </summary>
internal static class BruteForce
{
    public static List<double[]> FixedPoints(PiecewiseLinearMap map)
    {
        int units = map.Units, rank = map.Rank;
        int bitsPerUnit = map.Activation == PiecewiseActivation.Relu ? 1 : 2;
        int kinks = units * bitsPerUnit;
        var found = new List<double[]>();
        var system = new double[rank, rank + 1];
        for (long pattern = 0; pattern < 1L << kinks; pattern++)
        {
            // (I − a I − Σ_i ñ_i slope_i m_iᵀ) z = Σ_i ñ_i (slope_i c_i + shift_i)
            Array.Clear(system);
            for (int r = 0; r < rank; r++)
            {
                system[r, r] = 1 - map.Decay;
            }

            for (int i = 0; i < units; i++)
            {
                (double slope, double shift) = Piece(map, i, pattern);
                if (slope == 0 && shift == 0)
                {
                    continue;
                }

                for (int r = 0; r < rank; r++)
                {
                    double n = map.N[r * units + i];
                    for (int s = 0; s < rank; s++)
                    {
                        system[r, s] -= n * slope * map.M[i * rank + s];
                    }

                    system[r, rank] += n * (slope * map.C[i] + shift);
                }
            }

            double[]? z = Gauss(system, rank);
            if (z is not null && PatternOf(map, z) == pattern)
            {
                found.Add(z);
            }
        }

        return found;
    }

    /// <summary>φ on the piece selected by the unit's bits: φ(x) = slope·x + shift.</summary>
    private static (double Slope, double Shift) Piece(PiecewiseLinearMap map, int i, long pattern)
    {
        if (map.Activation == PiecewiseActivation.Relu)
        {
            return ((pattern >> i & 1) == 1) ? (1, -map.H[i]) : (0, 0);
        }

        // max(0, x + h) − max(0, x): bit 2i for x + h > 0, bit 2i+1 for x > 0.
        double slope = 0, shift = 0;
        if ((pattern >> (2 * i) & 1) == 1)
        {
            slope += 1;
            shift += map.H[i];
        }

        if ((pattern >> (2 * i + 1) & 1) == 1)
        {
            slope -= 1;
        }

        return (slope, shift);
    }

    public static long PatternOf(PiecewiseLinearMap map, double[] z)
    {
        long pattern = 0;
        for (int i = 0; i < map.Units; i++)
        {
            double x = map.C[i];
            for (int r = 0; r < map.Rank; r++)
            {
                x += map.M[i * map.Rank + r] * z[r];
            }

            if (map.Activation == PiecewiseActivation.Relu)
            {
                pattern |= (x - map.H[i] > 0 ? 1L : 0) << i;
            }
            else
            {
                pattern |= (x + map.H[i] > 0 ? 1L : 0) << (2 * i);
                pattern |= (x > 0 ? 1L : 0) << (2 * i + 1);
            }
        }

        return pattern;
    }

    private static double[]? Gauss(double[,] a, int n)
    {
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < n; row++)
            {
                if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = row;
                }
            }

            if (Math.Abs(a[pivot, col]) < 1e-13)
            {
                return null;
            }

            for (int c = 0; c <= n; c++)
            {
                (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            }

            for (int row = 0; row < n; row++)
            {
                if (row == col)
                {
                    continue;
                }

                double f = a[row, col] / a[col, col];
                for (int c = col; c <= n; c++)
                {
                    a[row, c] -= f * a[col, c];
                }
            }
        }

        var z = new double[n];
        for (int r = 0; r < n; r++)
        {
            z[r] = a[r, n] / a[r, r];
        }

        return z;
    }
}
