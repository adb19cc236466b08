using System.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace LowRank.Analysis.FixedPoints;

/// <summary>Type of a fixed point (or cycle) of a discrete-time map, from the eigenvalues of its Jacobian.</summary>
public enum StabilityKind
{
    /// <summary>All |λ| &lt; 1, all eigenvalues real.</summary>
    StableNode,

    /// <summary>All |λ| &gt; 1, all eigenvalues real.</summary>
    UnstableNode,

    /// <summary>Some |λ| &lt; 1 and some |λ| &gt; 1.</summary>
    Saddle,

    /// <summary>All |λ| &lt; 1, with a complex pair (trajectories rotate in).</summary>
    StableSpiral,

    /// <summary>All |λ| &gt; 1, with a complex pair (trajectories rotate out).</summary>
    UnstableSpiral,

    /// <summary>Some |λ| = 1 (to 1e-9): linearisation does not decide.</summary>
    NonHyperbolic,
}

/// <summary>Eigenvalues and discrete-time classification of a Jacobian.</summary>
public static class Stability
{
    private const double UnitTolerance = 1e-9;
    private const double ImaginaryTolerance = 1e-12;

    /// <summary>Eigenvalues of the R×R row-major <paramref name="jacobian"/>, sorted by decreasing modulus, then real part.</summary>
    public static Complex[] Eigenvalues(ReadOnlySpan<double> jacobian, int rank)
    {
        if (jacobian.Length != rank * rank)
        {
            throw new ArgumentException($"jacobian must have R·R = {rank * rank} entries, got {jacobian.Length}.", nameof(jacobian));
        }

        Complex[] values = rank switch
        {
            1 => [new Complex(jacobian[0], 0)],
            2 => Quadratic(-(jacobian[0] + jacobian[3]), jacobian[0] * jacobian[3] - jacobian[1] * jacobian[2]),
            3 => Eigenvalues3(jacobian),
            _ => General(jacobian, rank),
        };
        for (int i = 0; i < values.Length; i++)
        {
            // Clean the sign of a zero imaginary part so output is reproducible.
            if (Math.Abs(values[i].Imaginary) <= ImaginaryTolerance * Math.Max(1, values[i].Magnitude))
            {
                values[i] = new Complex(values[i].Real, 0);
            }
        }

        Array.Sort(values, (x, y) =>
        {
            int byModulus = y.Magnitude.CompareTo(x.Magnitude);
            if (byModulus != 0)
            {
                return byModulus;
            }

            int byReal = y.Real.CompareTo(x.Real);
            return byReal != 0 ? byReal : y.Imaginary.CompareTo(x.Imaginary);
        });
        return values;
    }

    /// <summary>Roots of λ² + bλ + c (numerically stable form).</summary>
    private static Complex[] Quadratic(double b, double c)
    {
        double discriminant = b * b / 4 - c;
        if (discriminant >= 0)
        {
            double root = Math.Sqrt(discriminant);
            double big = b >= 0 ? -b / 2 - root : -b / 2 + root;
            double small = big != 0 ? c / big : 0;
            return [new Complex(big, 0), new Complex(small, 0)];
        }

        double imaginary = Math.Sqrt(-discriminant);
        return [new Complex(-b / 2, imaginary), new Complex(-b / 2, -imaginary)];
    }

    /// <summary>
    /// Eigenvalues of a 3×3 matrix: one real root of the characteristic polynomial
    /// λ³ − tr λ² + m λ − det (trigonometric or Cardano form, then Newton steps), the other two from
    /// the deflated quadratic.
    /// </summary>
    private static Complex[] Eigenvalues3(ReadOnlySpan<double> a)
    {
        double trace = a[0] + a[4] + a[8];
        double minors = a[0] * a[4] - a[1] * a[3] + a[0] * a[8] - a[2] * a[6] + a[4] * a[8] - a[5] * a[7];
        double det = a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);
        double b = -trace, c = minors, d = -det;

        // Depressed cubic t³ + p t + q = 0 with λ = t − b/3.
        double p = c - b * b / 3;
        double q = 2 * b * b * b / 27 - b * c / 3 + d;
        double discriminant = q * q / 4 + p * p * p / 27;
        double t;
        if (discriminant > 0)
        {
            double root = Math.Sqrt(discriminant);
            t = Math.Cbrt(-q / 2 + root) + Math.Cbrt(-q / 2 - root);
        }
        else if (p < 0)
        {
            double argument = Math.Clamp(3 * q / (2 * p) * Math.Sqrt(-3 / p), -1, 1);
            t = 2 * Math.Sqrt(-p / 3) * Math.Cos(Math.Acos(argument) / 3);
        }
        else
        {
            t = 0;
        }

        double lambda = t - b / 3;
        for (int iteration = 0; iteration < 3; iteration++)
        {
            double value = ((lambda + b) * lambda + c) * lambda + d;
            double slope = (3 * lambda + 2 * b) * lambda + c;
            if (slope == 0)
            {
                break;
            }

            lambda -= value / slope;
        }

        // λ³ + bλ² + cλ + d = (λ − λ₁)(λ² + (b + λ₁)λ + (c + λ₁(b + λ₁))).
        double b1 = b + lambda;
        Complex[] rest = Quadratic(b1, c + lambda * b1);
        return [new Complex(lambda, 0), rest[0], rest[1]];
    }

    private static Complex[] General(ReadOnlySpan<double> jacobian, int rank)
    {
        var matrix = Matrix<double>.Build.Dense(rank, rank);
        for (int r = 0; r < rank; r++)
        {
            for (int s = 0; s < rank; s++)
            {
                matrix[r, s] = jacobian[r * rank + s];
            }
        }

        return matrix.Evd().EigenValues.ToArray();
    }

    /// <summary>Classifies a fixed point of a discrete-time map from its Jacobian's eigenvalues.</summary>
    public static StabilityKind Classify(ReadOnlySpan<Complex> eigenvalues)
    {
        bool anyInside = false, anyOutside = false, anyComplex = false, anyUnit = false;
        foreach (Complex value in eigenvalues)
        {
            double modulus = value.Magnitude;
            anyUnit |= Math.Abs(modulus - 1) <= UnitTolerance;
            anyInside |= modulus < 1;
            anyOutside |= modulus > 1;
            anyComplex |= value.Imaginary != 0;
        }

        if (anyUnit)
        {
            return StabilityKind.NonHyperbolic;
        }

        if (anyInside && anyOutside)
        {
            return StabilityKind.Saddle;
        }

        if (anyOutside)
        {
            return anyComplex ? StabilityKind.UnstableSpiral : StabilityKind.UnstableNode;
        }

        return anyComplex ? StabilityKind.StableSpiral : StabilityKind.StableNode;
    }
}
