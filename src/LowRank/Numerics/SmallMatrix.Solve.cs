namespace LowRank.Numerics;

internal static partial class SmallMatrix
{
    /// <summary>Relative size below which a determinant counts as zero (singular or parallel).</summary>
    public const double SingularTolerance = 1e-12;

    /// <summary>
    /// Solves <c>matrix · x = rhs</c> (n×n row-major; closed forms for n ≤ 3) into <paramref name="x"/>; returns false when the
    /// matrix is singular relative to its scale. <paramref name="matrix"/> is overwritten for n &gt; 3.
    /// </summary>
    public static bool Solve(Span<double> matrix, ReadOnlySpan<double> rhs, Span<double> x, int n)
    {
        switch (n)
        {
            case 1:
                if (Math.Abs(matrix[0]) == 0)
                {
                    return false;
                }

                x[0] = rhs[0] / matrix[0];
                return true;
            case 2:
            {
                double a = matrix[0], b = matrix[1], c = matrix[2], d = matrix[3];
                double det = a * d - b * c;
                double scale = (Math.Abs(a) + Math.Abs(b)) * (Math.Abs(c) + Math.Abs(d));
                if (!(Math.Abs(det) > SingularTolerance * scale))
                {
                    return false;
                }

                x[0] = (d * rhs[0] - b * rhs[1]) / det;
                x[1] = (a * rhs[1] - c * rhs[0]) / det;
                return true;
            }

            case 3:
                return Solve3(matrix, rhs, x);
            default:
                return SolveGeneral(matrix, rhs, x, n);
        }
    }

    /// <summary>Cramer's rule for 3×3 with a relative singularity test.</summary>
    public static bool Solve3(ReadOnlySpan<double> m, ReadOnlySpan<double> rhs, Span<double> x)
    {
        double a00 = m[0], a01 = m[1], a02 = m[2];
        double a10 = m[3], a11 = m[4], a12 = m[5];
        double a20 = m[6], a21 = m[7], a22 = m[8];

        // Cofactors of the first row and the determinant.
        double c00 = a11 * a22 - a12 * a21;
        double c01 = a12 * a20 - a10 * a22;
        double c02 = a10 * a21 - a11 * a20;
        double det = a00 * c00 + a01 * c01 + a02 * c02;
        double scale = (Math.Abs(a00) + Math.Abs(a01) + Math.Abs(a02))
            * (Math.Abs(a10) + Math.Abs(a11) + Math.Abs(a12))
            * (Math.Abs(a20) + Math.Abs(a21) + Math.Abs(a22));
        if (!(Math.Abs(det) > SingularTolerance * scale))
        {
            return false;
        }

        double inv = 1.0 / det;
        double b0 = rhs[0], b1 = rhs[1], b2 = rhs[2];

        // x = adj(A) b / det.
        x[0] = (c00 * b0 + (a02 * a21 - a01 * a22) * b1 + (a01 * a12 - a02 * a11) * b2) * inv;
        x[1] = (c01 * b0 + (a00 * a22 - a02 * a20) * b1 + (a02 * a10 - a00 * a12) * b2) * inv;
        x[2] = (c02 * b0 + (a01 * a20 - a00 * a21) * b1 + (a00 * a11 - a01 * a10) * b2) * inv;
        return true;
    }

    /// <summary>Gaussian elimination with partial pivoting; overwrites <paramref name="a"/>.</summary>
    public static bool SolveGeneral(Span<double> a, ReadOnlySpan<double> rhs, Span<double> x, int n)
    {
        rhs[..n].CopyTo(x);
        double scale = 0;
        for (int e = 0; e < n * n; e++)
        {
            scale = Math.Max(scale, Math.Abs(a[e]));
        }

        if (scale == 0)
        {
            return false;
        }

        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < n; row++)
            {
                if (Math.Abs(a[row * n + col]) > Math.Abs(a[pivot * n + col]))
                {
                    pivot = row;
                }
            }

            if (!(Math.Abs(a[pivot * n + col]) > SingularTolerance * scale))
            {
                return false;
            }

            if (pivot != col)
            {
                for (int c = 0; c < n; c++)
                {
                    (a[col * n + c], a[pivot * n + c]) = (a[pivot * n + c], a[col * n + c]);
                }

                (x[col], x[pivot]) = (x[pivot], x[col]);
            }

            for (int row = col + 1; row < n; row++)
            {
                double f = a[row * n + col] / a[col * n + col];
                if (f == 0)
                {
                    continue;
                }

                for (int c = col; c < n; c++)
                {
                    a[row * n + c] -= f * a[col * n + c];
                }

                x[row] -= f * x[col];
            }
        }

        for (int row = n - 1; row >= 0; row--)
        {
            double sum = x[row];
            for (int c = row + 1; c < n; c++)
            {
                sum -= a[row * n + c] * x[c];
            }

            x[row] = sum / a[row * n + row];
        }

        return true;
    }

    /// <summary>Determinant by elimination (n small); overwrites <paramref name="a"/>.</summary>
    public static double Determinant(Span<double> a, int n)
    {
        double det = 1;
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < n; row++)
            {
                if (Math.Abs(a[row * n + col]) > Math.Abs(a[pivot * n + col]))
                {
                    pivot = row;
                }
            }

            if (a[pivot * n + col] == 0)
            {
                return 0;
            }

            if (pivot != col)
            {
                for (int c = 0; c < n; c++)
                {
                    (a[col * n + c], a[pivot * n + c]) = (a[pivot * n + c], a[col * n + c]);
                }

                det = -det;
            }

            det *= a[col * n + col];
            for (int row = col + 1; row < n; row++)
            {
                double f = a[row * n + col] / a[col * n + col];
                for (int c = col; c < n; c++)
                {
                    a[row * n + c] -= f * a[col * n + c];
                }
            }
        }

        return det;
    }
}
