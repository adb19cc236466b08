using MathNet.Numerics.LinearAlgebra;

namespace LowRank.Populations;

/// <summary>
/// Gauss–Hermite quadrature for standard-normal expectations:
/// <c>E[f(ξ)] ≈ Σ_k w_k f(x_k)</c>, ξ ~ N(0, 1), exact for polynomials of degree ≤ 2K − 1.
/// </summary>
/// <remarks>
/// Nodes are the roots of the probabilists' Hermite polynomial He_K (weight e^{−x²/2}/√(2π)).
/// Golub–Welsch: they are the eigenvalues of the symmetric tridiagonal Jacobi matrix with zero
/// diagonal and off-diagonal √k (k = 1 … K − 1). Each node is then polished by Newton's method on the
/// orthonormal recurrence <c>h_{k+1} = (x h_k − √k h_{k−1}) / √(k+1)</c> (h_k = He_k/√k!, h_K' = √K h_{K−1}),
/// and its weight is <c>w = 1 / (K h_{K−1}(x)²)</c>, which sums to 1.
/// </remarks>
public sealed class GaussHermite
{
    private GaussHermite(double[] nodes, double[] weights)
    {
        Nodes = nodes;
        Weights = weights;
    }

    /// <summary>x_k [K], ascending.</summary>
    public double[] Nodes { get; }

    /// <summary>w_k [K], summing to 1.</summary>
    public double[] Weights { get; }

    /// <summary>K.</summary>
    public int Order => Nodes.Length;

    /// <summary>The K-point rule.</summary>
    public static GaussHermite Create(int order)
    {
        if (order < 1 || order > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, "the quadrature order must lie in 1…200.");
        }

        var jacobi = Matrix<double>.Build.Dense(order, order);
        for (int k = 1; k < order; k++)
        {
            jacobi[k - 1, k] = Math.Sqrt(k);
            jacobi[k, k - 1] = Math.Sqrt(k);
        }

        double[] nodes = jacobi.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Select(v => v.Real).ToArray();
        Array.Sort(nodes);
        var weights = new double[order];
        for (int i = 0; i < order; i++)
        {
            double x = nodes[i];
            for (int step = 0; step < 3; step++)
            {
                (double h, double hPrevious) = Orthonormal(order, x);
                x -= h / (Math.Sqrt(order) * hPrevious);
            }

            nodes[i] = x;
            double last = Orthonormal(order, x).Previous;
            weights[i] = 1.0 / (order * last * last);
        }

        return new GaussHermite(nodes, weights);
    }

    /// <summary>Above this Δ the tanh moments are integrated in x rather than by the Gauss–Hermite nodes.</summary>
    public const double WideStd = 1.5;

    /// <summary>E[φ(μ + Δ ξ)] and E[φ'(μ + Δ ξ)] for φ = tanh.</summary>
    /// <remarks>
    /// tanh has poles at ±iπ/2, so a fixed Gauss–Hermite rule loses accuracy as Δ grows: once its node spacing
    /// times Δ exceeds the width (~1) of φ' = sech², the few nodes near x = 0 decide the result (with 100 nodes
    /// the gain was 74 % too small at Δ = 45.6, μ = 4.8). For Δ &gt; <see cref="WideStd"/> the moments are integrated over x instead,
    /// where φ' lives: with X ~ N(μ, Δ²) and the Gaussian density g,
    /// <code>
    /// E[φ'(X)] = ∫_{−L}^{L} sech²(x) g(x) dx
    /// E[φ(X)]  = E[sign X] + ∫ (tanh x − sign x) g(x) dx,   E[sign X] = erf(μ / (Δ√2))
    /// </code>
    /// (both integrands vanish like e^{−2|x|}, so L = 20 leaves &lt; 1e−17), by Simpson's rule with step 0.02 on
    /// [−L, 0] and [0, L] separately because tanh x − sign x jumps at 0 (the tabulated grid of
    /// <see cref="TanhMomentsWithSlopes"/>).
    /// </remarks>
    public (double Mean, double Gain) TanhMoments(double mean, double std)
    {
        if (std > WideStd)
        {
            TanhMomentSlopes wide = WideTanhMomentsWithSlopes(mean, std);
            return (wide.Mean, wide.Gain);
        }

        double value = 0;
        double gain = 0;
        for (int k = 0; k < Nodes.Length; k++)
        {
            double t = Math.Tanh(mean + std * Nodes[k]);
            value += Weights[k] * t;
            gain += Weights[k] * (1 - t * t);
        }

        return (value, gain);
    }

    /// <summary>
    /// E[φ(μ + Δ ξ)] and E[φ'(μ + Δ ξ)] for φ = tanh with their partial derivatives in μ and Δ, as the mean-field
    /// trainer's backward pass needs them: the exact derivatives of the discretised integrals, so that a finite
    /// difference of the returned values reproduces them.
    /// </summary>
    /// <remarks>
    /// Gauss–Hermite regime (Δ ≤ <see cref="WideStd"/>), with t_k = tanh(μ + Δ x_k), φ' = 1 − t², φ'' = −2 t (1 − t²):
    /// <code>
    /// ∂E[φ]/∂μ = Σ w_k φ'(·),   ∂E[φ]/∂Δ = Σ w_k x_k φ'(·),   ∂E[φ']/∂μ = Σ w_k φ''(·),   ∂E[φ']/∂Δ = Σ w_k x_k φ''(·)
    /// </code>
    /// Wide regime: the x-space integrals ∫ f(x) g(x; μ, Δ) dx of <see cref="TanhMoments"/> on a fixed grid (step 0.02 on
    /// [−20, 20]), differentiated through the density, u = (x − μ)/Δ:
    /// <code>
    /// ∂g/∂μ = g u / Δ,   ∂g/∂Δ = g (u² − 1) / Δ,   ∂ erf(μ/(Δ√2))/∂μ = 2 g(0),   ∂ erf(μ/(Δ√2))/∂Δ = −2 g(0) μ / Δ
    /// </code>
    /// </remarks>
    internal TanhMomentSlopes TanhMomentsWithSlopes(double mean, double std)
    {
        if (std > WideStd)
        {
            return WideTanhMomentsWithSlopes(mean, std);
        }

        double value = 0, gain = 0, valueByStd = 0, curvature = 0, gainByStd = 0;
        for (int k = 0; k < Nodes.Length; k++)
        {
            double x = Nodes[k];
            double w = Weights[k];
            double t = Math.Tanh(mean + std * x);
            double slope = 1 - t * t;
            double second = -2 * t * slope;
            value += w * t;
            gain += w * slope;
            valueByStd += w * x * slope;
            curvature += w * second;
            gainByStd += w * x * second;
        }

        return new TanhMomentSlopes(value, gain, gain, valueByStd, curvature, gainByStd);
    }

    private static TanhMomentSlopes WideTanhMomentsWithSlopes(double mean, double std)
    {
        WideGrid grid = WideGrid.Instance;
        double normaliser = 1.0 / (std * Math.Sqrt(2 * Math.PI));
        double inverseStd = 1 / std;
        double gain = 0, gainByMean = 0, gainByStd = 0;
        double correction = 0, correctionByMean = 0, correctionByStd = 0;
        for (int i = 0; i < grid.X.Length; i++)
        {
            double u = (grid.X[i] - mean) * inverseStd;
            double density = grid.Weight[i] * normaliser * Math.Exp(-0.5 * u * u);
            double byMean = density * u * inverseStd;
            double byStd = density * (u * u - 1) * inverseStd;
            double slope = grid.Slope[i];
            double jump = grid.Jump[i];
            gain += slope * density;
            gainByMean += slope * byMean;
            gainByStd += slope * byStd;
            correction += jump * density;
            correctionByMean += jump * byMean;
            correctionByStd += jump * byStd;
        }

        double sign = MathNet.Numerics.SpecialFunctions.Erf(mean / (std * Math.Sqrt(2)));
        double atZero = 2 * normaliser * Math.Exp(-0.5 * mean * mean / (std * std));
        return new TanhMomentSlopes(
            sign + correction, gain, atZero + correctionByMean, -atZero * mean / std + correctionByStd, gainByMean, gainByStd);
    }

    /// <summary>
    /// The fixed x grid of <see cref="WideTanhMomentsWithSlopes"/>: Simpson's rule with step 0.02 on [−20, 0] and [0, 20]
    /// (the point 0 appears twice, once per side, because tanh x − sign x jumps there), with φ' = sech² x and
    /// tanh x − sign x tabulated once.
    /// </summary>
    private sealed class WideGrid
    {
        private const double Limit = 20.0;
        private const int Intervals = 1000; // per side, even

        private WideGrid()
        {
            const double h = Limit / Intervals;
            int points = 2 * (Intervals + 1);
            X = new double[points];
            Weight = new double[points];
            Slope = new double[points];
            Jump = new double[points];
            int k = 0;
            for (int side = -1; side <= 1; side += 2)
            {
                for (int i = 0; i <= Intervals; i++, k++)
                {
                    double x = side * i * h;
                    double t = Math.Tanh(x);
                    X[k] = x;
                    Weight[k] = (i == 0 || i == Intervals ? 1 : (i % 2 == 1 ? 4 : 2)) * h / 3;
                    Slope[k] = 1 - t * t;
                    Jump[k] = t - side;
                }
            }
        }

        public static WideGrid Instance { get; } = new();

        public double[] X { get; }

        public double[] Weight { get; }

        public double[] Slope { get; }

        public double[] Jump { get; }
    }

    /// <summary>(h_K(x), h_{K−1}(x)) of the orthonormal probabilists' Hermite polynomials.</summary>
    private static (double Value, double Previous) Orthonormal(int order, double x)
    {
        double previous = 0;
        double current = 1;
        for (int k = 0; k < order; k++)
        {
            double next = (x * current - Math.Sqrt(k) * previous) / Math.Sqrt(k + 1);
            previous = current;
            current = next;
        }

        return (current, previous);
    }
}

/// <summary>⟨φ⟩ and ⟨φ'⟩ of a Gaussian pre-activation N(μ, Δ²) and their partial derivatives in μ and Δ.</summary>
internal readonly record struct TanhMomentSlopes(double Mean, double Gain, double MeanByMu, double MeanByStd, double GainByMu, double GainByStd);
