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

        var matrix = Matrix<double>.Build.Dense(rank, rank);
        for (int r = 0; r < rank; r++)
        {
            for (int s = 0; s < rank; s++)
            {
                matrix[r, s] = jacobian[r * rank + s];
            }
        }

        Complex[] values = matrix.Evd().EigenValues.ToArray();
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
