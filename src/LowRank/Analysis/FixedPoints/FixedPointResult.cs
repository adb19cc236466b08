using System.Numerics;

namespace LowRank.Analysis.FixedPoints;

/// <summary>One fixed point z = F(z) with the eigenvalues of its cell Jacobian <c>a I + Ñ D M</c>.</summary>
/// <param name="Z">The point, [R].</param>
/// <param name="Eigenvalues">Eigenvalues of the Jacobian, by decreasing modulus.</param>
/// <param name="Stability">Discrete-time type.</param>
/// <param name="Residual">‖F(z) − z‖₂ evaluated with the full map.</param>
public sealed record FixedPoint(double[] Z, Complex[] Eigenvalues, StabilityKind Stability, double Residual);

/// <summary>Result of a fixed-point search.</summary>
/// <param name="FixedPoints">Fixed points in canonical order (lexicographic in z).</param>
/// <param name="Cells">Cells (activation patterns) whose systems were solved.</param>
/// <param name="SingularCells">Cells whose system <c>(I − J) z = b</c> was singular (no isolated fixed point; not reported).</param>
public sealed record FixedPointResult(IReadOnlyList<FixedPoint> FixedPoints, long Cells, long SingularCells);

/// <summary>A period-p cycle z₁ → z₂ → … → z_p → z₁ with the eigenvalues of the product of its Jacobians.</summary>
/// <param name="Points">The p points, [p][R], starting at the point whose activation pattern sorts first (a canonical rotation).</param>
/// <param name="Eigenvalues">Eigenvalues of <c>J_p ⋯ J_1</c>, by decreasing modulus.</param>
/// <param name="Stability">Discrete-time type of the p-th iterate.</param>
/// <param name="Residual">Largest ‖F(z_t) − z_{t+1}‖₂ along the cycle.</param>
public sealed record Cycle(double[][] Points, Complex[] Eigenvalues, StabilityKind Stability, double Residual)
{
    public int Period => Points.Length;
}
