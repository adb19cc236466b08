using LowRank.Decoding;
using LowRank.Numerics;

namespace LowRank.Tests.Decoding;

public sealed class RidgeDecoderTests
{
    /// <summary>
    /// The closed form against the normal equations of the same objective written out directly: with D = [1, Z] (Z the
    /// features standardised by their training mean and population sd) and P = diag(0, λT, …, λT),
    /// (DᵀD + P) β = Dᵀ Y, solved by Gaussian elimination with partial pivoting.
    /// </summary>
    [Theory]
    [InlineData(40, 3, 2, 0.3)]
    [InlineData(7, 1, 1, 1e-3)]
    [InlineData(25, 5, 3, 2.0)]
    [InlineData(12, 9, 1, 0.05)] // more features than half the rows
    public void ClosedFormSolvesTheNormalEquations(int steps, int features, int outputs, double ridge)
    {
        Rng rng = Rng.Create(31, steps);
        double[] x = Features(rng, steps, features);
        var y = new double[steps * outputs];
        rng.FillGaussian(y);
        double[] fresh = Features(rng, 6, features);

        var decoder = RidgeDecoder.Fit(x, features, y, outputs, ridge);
        double[] predicted = decoder.Predict(fresh);

        double[] expected = NormalEquationsPrediction(x, y, fresh, steps, features, outputs, ridge);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], predicted[i], 1e-9);
        }
    }

    [Fact]
    public void ALargePenaltyShrinksThePredictionToTheTrainingMean()
    {
        Rng rng = Rng.Create(32);
        double[] x = Features(rng, 50, 2);
        double[] y = [.. Enumerable.Range(0, 50).Select(t => x[2 * t] + (3 * x[(2 * t) + 1]) + 10)];
        var loose = RidgeDecoder.Fit(x, 2, y, 1, 1e-8);
        var tight = RidgeDecoder.Fit(x, 2, y, 1, 1e8);
        double mean = y.Average();
        Assert.Equal(mean, tight.Intercept[0], 12);
        Assert.All(tight.Predict(x), v => Assert.Equal(mean, v, 1e-5));

        // An exact linear map is recovered when the penalty is negligible.
        double[] recovered = loose.Predict(x);
        for (int t = 0; t < y.Length; t++)
        {
            Assert.Equal(y[t], recovered[t], 1e-6);
        }
    }

    [Fact]
    public void PredictionsDoNotDependOnTheFeaturesUnitsAndAConstantFeatureGetsNoWeight()
    {
        Rng rng = Rng.Create(33);
        double[] x = Features(rng, 30, 2);
        var y = new double[30];
        rng.FillGaussian(y);
        double[] rescaled = [.. x.Select((v, i) => i % 2 == 0 ? 1000 * v - 7 : v)];
        double[] withConstant = [.. Enumerable.Range(0, 30).SelectMany(t => new[] { x[2 * t], 0.1, x[(2 * t) + 1] })];

        double[] reference = RidgeDecoder.Fit(x, 2, y, 1, 0.01).Predict(x);
        double[] fromRescaled = RidgeDecoder.Fit(rescaled, 2, y, 1, 0.01).Predict(rescaled);
        var constantDecoder = RidgeDecoder.Fit(withConstant, 3, y, 1, 0.01);
        double[] fromConstant = constantDecoder.Predict(withConstant);
        Assert.InRange(Math.Abs(constantDecoder.StandardisedWeights[1]), 0, 1e-20); // rounding leaves z ≈ 1e-17, not 0
        for (int t = 0; t < 30; t++)
        {
            Assert.Equal(reference[t], fromRescaled[t], 1e-9);
            Assert.Equal(reference[t], fromConstant[t], 1e-12);
        }
    }

    [Fact]
    public void ANonPositivePenaltyOrMismatchedShapesAreProgrammerErrors()
    {
        double[] x = [1, 2, 3, 4];
        double[] y = [1, 0, 1, 0];
        Assert.Throws<ArgumentOutOfRangeException>(() => RidgeDecoder.Fit(x, 1, y, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RidgeDecoder.Fit(x, 1, y, 1, double.NaN));
        Assert.Throws<ArgumentException>(() => RidgeDecoder.Fit(x, 1, y.AsSpan(0, 3), 1, 1e-3));
    }

    /// <summary>Features with different offsets and scales per column [T, F].</summary>
    private static double[] Features(Rng rng, int steps, int features)
    {
        var x = new double[steps * features];
        for (int t = 0; t < steps; t++)
        {
            for (int f = 0; f < features; f++)
            {
                x[(t * features) + f] = (f + 1) * 3 * rng.NextGaussian() + (5 * f) - 2;
            }
        }

        return x;
    }

    private static double[] NormalEquationsPrediction(double[] x, double[] y, double[] fresh, int steps, int features, int outputs, double ridge)
    {
        var mean = new double[features];
        var sd = new double[features];
        for (int f = 0; f < features; f++)
        {
            double[] column = [.. Enumerable.Range(0, steps).Select(t => x[(t * features) + f])];
            mean[f] = column.Average();
            sd[f] = Math.Sqrt(column.Select(v => (v - mean[f]) * (v - mean[f])).Sum() / steps);
        }

        int p = features + 1;
        double Design(double[] rows, int t, int j) => j == 0 ? 1 : (rows[(t * features) + j - 1] - mean[j - 1]) / sd[j - 1];
        var beta = new double[p, outputs];
        for (int b = 0; b < outputs; b++)
        {
            var a = new double[p, p + 1];
            for (int i = 0; i < p; i++)
            {
                for (int j = 0; j < p; j++)
                {
                    for (int t = 0; t < steps; t++)
                    {
                        a[i, j] += Design(x, t, i) * Design(x, t, j);
                    }
                }

                if (i > 0)
                {
                    a[i, i] += ridge * steps;
                }

                for (int t = 0; t < steps; t++)
                {
                    a[i, p] += Design(x, t, i) * y[(t * outputs) + b];
                }
            }

            double[] solution = GaussianElimination(a, p);
            for (int i = 0; i < p; i++)
            {
                beta[i, b] = solution[i];
            }
        }

        int freshSteps = fresh.Length / features;
        var predicted = new double[freshSteps * outputs];
        for (int t = 0; t < freshSteps; t++)
        {
            for (int b = 0; b < outputs; b++)
            {
                for (int j = 0; j < p; j++)
                {
                    predicted[(t * outputs) + b] += Design(fresh, t, j) * beta[j, b];
                }
            }
        }

        return predicted;
    }

    private static double[] GaussianElimination(double[,] a, int n)
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

            for (int k = 0; k <= n; k++)
            {
                (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
            }

            for (int row = col + 1; row < n; row++)
            {
                double factor = a[row, col] / a[col, col];
                for (int k = col; k <= n; k++)
                {
                    a[row, k] -= factor * a[col, k];
                }
            }
        }

        var solution = new double[n];
        for (int row = n - 1; row >= 0; row--)
        {
            double sum = a[row, n];
            for (int k = row + 1; k < n; k++)
            {
                sum -= a[row, k] * solution[k];
            }

            solution[row] = sum / a[row, row];
        }

        return solution;
    }
}
