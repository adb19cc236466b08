using LowRank.Decoding;
using LowRank.Numerics;

namespace LowRank.Tests.Decoding;

public sealed class PrincipalComponentsTests
{
    /// <summary>
    /// x_t = μ + 2 a_t v + 0.1 (b_t u₁ + c_t u₂) with v = (2, 3, 6)/7 and u₁, u₂ orthonormal to it: the first
    /// component is v (its largest entry positive), with variance ≈ 4 against ≈ 0.01 for the others.
    /// </summary>
    [Fact]
    public void TheFirstComponentIsTheKnownPrincipalDirection()
    {
        double[] v = [2 / 7.0, 3 / 7.0, 6 / 7.0];
        double[] u1 = [3 / Math.Sqrt(13), -2 / Math.Sqrt(13), 0]; // ⟂ v
        double[] u2 = [(v[1] * u1[2]) - (v[2] * u1[1]), (v[2] * u1[0]) - (v[0] * u1[2]), (v[0] * u1[1]) - (v[1] * u1[0])]; // v × u₁
        double[] mu = [5, -1, 2];
        Rng rng = Rng.Create(41);
        const int steps = 4000;
        var x = new double[steps * 3];
        for (int t = 0; t < steps; t++)
        {
            double a = rng.NextGaussian(), b = rng.NextGaussian(), c = rng.NextGaussian();
            for (int n = 0; n < 3; n++)
            {
                x[(t * 3) + n] = mu[n] + (2 * a * v[n]) + (0.1 * ((b * u1[n]) + (c * u2[n])));
            }
        }

        var pca = PrincipalComponents.Fit(x, 3, 2);
        ReadOnlySpan<double> first = pca.Component(0);
        for (int n = 0; n < 3; n++)
        {
            Assert.Equal(v[n], first[n], 1e-3);
        }

        // Sample variance of 2a: 4 within 5 standard errors (se = 4·√(2/T) ≈ 0.089).
        Assert.InRange(pca.Variances[0], 4 - 0.45, 4 + 0.45);
        Assert.InRange(pca.Variances[1], 0.005, 0.015);
        Assert.InRange(pca.ExplainedFraction, 0.9975, 1.0);

        // Each component is an eigenvector of the sample covariance, computed here with plain loops.
        double[,] covariance = Covariance(x, steps, 3);
        for (int r = 0; r < 2; r++)
        {
            ReadOnlySpan<double> component = pca.Component(r);
            for (int n = 0; n < 3; n++)
            {
                double cv = 0;
                for (int m = 0; m < 3; m++)
                {
                    cv += covariance[n, m] * component[m];
                }

                Assert.Equal(pca.Variances[r] * component[n], cv, 1e-10);
            }
        }

        // The projection is the component's dot product with the centred step.
        double[] projected = pca.Project(x.AsSpan(0, 3));
        double[] mean = [.. Enumerable.Range(0, 3).Select(n => Enumerable.Range(0, steps).Average(t => x[(t * 3) + n]))];
        double dot = 0;
        for (int n = 0; n < 3; n++)
        {
            dot += pca.Component(0)[n] * (x[n] - mean[n]);
        }

        Assert.Equal(dot, projected[0], 1e-10);
    }

    [Fact]
    public void TheComponentsComeFromTheFittingRowsOnly()
    {
        // Rows 0–99 vary along channel 0, rows 100–199 (not fitted) much more along channel 1.
        Rng rng = Rng.Create(42);
        var x = new double[200 * 2];
        for (int t = 0; t < 200; t++)
        {
            x[(t * 2) + (t < 100 ? 0 : 1)] = (t < 100 ? 1 : 100) * rng.NextGaussian();
        }

        var pca = PrincipalComponents.Fit(x.AsSpan(0, 200), 2, 1);
        Assert.Equal(1, pca.Component(0)[0], 12);
        Assert.Equal(0, pca.Component(0)[1], 12);
    }

    private static double[,] Covariance(double[] x, int steps, int channels)
    {
        var mean = new double[channels];
        for (int t = 0; t < steps; t++)
        {
            for (int n = 0; n < channels; n++)
            {
                mean[n] += x[(t * channels) + n] / steps;
            }
        }

        var c = new double[channels, channels];
        for (int t = 0; t < steps; t++)
        {
            for (int n = 0; n < channels; n++)
            {
                for (int m = 0; m < channels; m++)
                {
                    c[n, m] += (x[(t * channels) + n] - mean[n]) * (x[(t * channels) + m] - mean[m]) / steps;
                }
            }
        }

        return c;
    }
}
