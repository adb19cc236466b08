using System.Numerics;
using System.Runtime.Intrinsics;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Smc;

namespace LowRank.Tests.Smc;

/// <summary>
/// The R = 4 fused transition kernels for one particle, and the four-particle kernels for R = 3 and 4, against a scalar double reference written
/// from the equations, for every piecewise-linear activation, with and without the input offset w, and with N
/// below, across and at a multiple of the vector width (so the vector loop and the scalar tail both run).
/// </summary>
/// <remarks>
/// <code>
/// x = Mᵀᵀ z + w;  r = φ(x; h);  f = a z + Ñ r                                  // x, r [N]; f [R]
/// ḡr = Ñᵀ ḡ;  ḡx = ḡr ⊙ ∂φ/∂x;  ḡh += ḡr ⊙ ∂φ/∂h;  ḡw += ḡx
/// ḡÑ += ḡ rᵀ;  ḡMᵀ += z ḡxᵀ;  ḡz = a ḡ + Mᵀ ḡx;  ḡa += ḡ·z
/// </code>
/// Every output is compared as |fused − reference| ≤ tol · bound, where bound is the same expression evaluated on
/// absolute values (the error bound of a sum, which does not shrink under cancellation): tol = 1e−12 in double,
/// 1e−5 in float. The gradient accumulators start from random values, so "adds" and "overwrites" are both checked.
/// </remarks>
public sealed class FusedUnitKernelsRank4Tests
{
    private const int Rank = 4;

    public static TheoryData<string, Activation, int, bool> Cases()
    {
        var cases = new TheoryData<string, Activation, int, bool>();
        foreach (string precision in new[] { "float", "double" })
        {
            foreach (Activation kind in new[] { Activation.Relu, Activation.ClippedRelu, Activation.Identity })
            {
                foreach (int units in new[] { 5, 37, 512 })
                {
                    cases.Add(precision, kind, units, false);
                    cases.Add(precision, kind, units, true);
                }
            }
        }

        return cases;
    }

    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.ClippedRelu)]
    [InlineData(Activation.Identity)]
    public void QuadKernelsApplyToRank3And4Only(Activation kind)
    {
        bool accelerated = Vector512.IsHardwareAccelerated;
        Assert.Equal(accelerated, FusedUnitKernels.SupportsQuad(kind, 3));
        Assert.Equal(accelerated, FusedUnitKernels.SupportsQuad(kind, 4));
        Assert.False(FusedUnitKernels.SupportsQuad(kind, 2));
        Assert.False(FusedUnitKernels.SupportsQuad(kind, 5));
        Assert.False(FusedUnitKernels.SupportsQuad(Activation.Tanh, 4));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesReference(string precision, Activation kind, int units, bool withOffset)
    {
        if (precision == "double")
        {
            CheckForward<double>(kind, units, withOffset, 1e-12);
        }
        else
        {
            CheckForward<float>(kind, units, withOffset, 1e-5);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesReference(string precision, Activation kind, int units, bool withOffset)
    {
        if (precision == "double")
        {
            CheckBackward<double>(kind, units, withOffset, 1e-12);
        }
        else
        {
            CheckBackward<float>(kind, units, withOffset, 1e-5);
        }
    }

    public static TheoryData<string, Activation, int, int, bool> QuadCases()
    {
        var cases = new TheoryData<string, Activation, int, int, bool>();
        foreach (string precision in new[] { "float", "double" })
        {
            foreach (Activation kind in new[] { Activation.Relu, Activation.ClippedRelu, Activation.Identity })
            {
                foreach (int rank in new[] { 3, 4 })
                {
                    foreach (int units in new[] { 5, 37, 512 })
                    {
                        cases.Add(precision, kind, rank, units, units != 37);
                    }
                }
            }
        }

        return cases;
    }

    /// <summary>Four of seven particles, in scattered order: only their rows of f are written.</summary>
    [Theory]
    [MemberData(nameof(QuadCases))]
    public void QuadForwardMatchesReference(string precision, Activation kind, int rank, int units, bool withOffset)
    {
        if (precision == "double")
        {
            CheckQuadForward<double>(kind, rank, units, withOffset, 1e-12);
        }
        else
        {
            CheckQuadForward<float>(kind, rank, units, withOffset, 1e-5);
        }
    }

    /// <summary>Four of seven particles: their rows of ḡz written, the accumulators (ḡÑ, ḡMᵀ, ḡh, ḡw, ḡa) summed over the four.</summary>
    [Theory]
    [MemberData(nameof(QuadCases))]
    public void QuadBackwardMatchesReference(string precision, Activation kind, int rank, int units, bool withOffset)
    {
        if (precision == "double")
        {
            CheckQuadBackward<double>(kind, rank, units, withOffset, 1e-12);
        }
        else
        {
            CheckQuadBackward<float>(kind, rank, units, withOffset, 1e-5);
        }
    }

    [Fact]
    public void QuadKernelsRejectOtherRanksAndCounts()
    {
        Case<double> c5 = Case<double>.Create(Activation.Relu, units: 9, rank: 5, withOffset: false, seed: 1);
        double[] z = new double[4 * 5], f = new double[4 * 5];
        int[] four = [0, 1, 2, 3];
        ArgumentException error = Assert.Throws<ArgumentException>(() => FusedUnitKernels.TransitionForwardQuad(c5.Model, c5.Offset, z, four, f));
        Assert.Equal("model", error.ParamName);
        Case<double> c3 = Case<double>.Create(Activation.Relu, units: 9, rank: 3, withOffset: false, seed: 1);
        double gDecay = 0;
        error = Assert.Throws<ArgumentException>(
            () => FusedUnitKernels.TransitionBackwardQuad(c3.Model, c3.Offset, z, z, [0, 1, 2], c3.Gradient, c3.GOffset, f, ref gDecay));
        Assert.Equal("particles", error.ParamName);
    }

    private static readonly int[] QuadParticles = [5, 0, 3, 6];

    private static void CheckQuadForward<TReal>(Activation kind, int rank, int units, bool withOffset, double tolerance)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        Case<TReal> c = Case<TReal>.Create(kind, units, rank, withOffset, seed: 15);
        const int particles = 7;
        double[] z = c.Garbage(particles * rank);
        double[] f = c.Garbage(particles * rank);
        double[] before = (double[])f.Clone();
        FusedUnitKernels.TransitionForwardQuad(c.Model, c.Offset, z, QuadParticles, f);

        Reference expected = c.Reference();
        for (int j = 0; j < particles; j++)
        {
            double[] fj = f.AsSpan(j * rank, rank).ToArray();
            if (Array.IndexOf(QuadParticles, j) < 0)
            {
                Assert.Equal(before.AsSpan(j * rank, rank).ToArray(), fj);
                continue;
            }

            expected.Forward(z.AsSpan(j * rank, rank).ToArray());
            AssertClose(expected.F, expected.FBound, fj, tolerance, $"f of particle {j}");
        }
    }

    private static void CheckQuadBackward<TReal>(Activation kind, int rank, int units, bool withOffset, double tolerance)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        Case<TReal> c = Case<TReal>.Create(kind, units, rank, withOffset, seed: 16);
        const int particles = 7;
        double[] z = c.Garbage(particles * rank), gf = c.Garbage(particles * rank);
        for (int i = 0; i < z.Length; i++)
        {
            z[i] = (z[i] - 7) / 1e3;
            gf[i] = (gf[i] - 7) / 1e3;
        }

        double[] gz = c.Garbage(particles * rank);
        double[] before = (double[])gz.Clone();
        double gDecay = c.GDecay;
        FusedUnitKernels.TransitionBackwardQuad(c.Model, c.Offset, z, gf, QuadParticles, c.Gradient, c.GOffset, gz, ref gDecay);

        Reference expected = c.Reference();
        for (int j = 0; j < particles; j++)
        {
            double[] gzj = gz.AsSpan(j * rank, rank).ToArray();
            if (Array.IndexOf(QuadParticles, j) < 0)
            {
                Assert.Equal(before.AsSpan(j * rank, rank).ToArray(), gzj);
                continue;
            }

            expected.Backward(z.AsSpan(j * rank, rank).ToArray(), gf.AsSpan(j * rank, rank).ToArray());
            AssertClose(expected.Gz, expected.GzBound, gzj, tolerance, $"ḡz of particle {j}");
        }

        c.AssertAccumulators(expected, gDecay, tolerance);
    }

    private static void CheckForward<TReal>(Activation kind, int units, bool withOffset, double tolerance)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        Case<TReal> c = Case<TReal>.Create(kind, units, Rank, withOffset, seed: 11);
        double[] f = new double[Rank];
        FusedUnitKernels.TransitionForward(c.Model, c.Offset, c.ZA, f);

        Reference expected = c.Reference();
        expected.Forward(c.ZA);
        AssertClose(expected.F, expected.FBound, f, tolerance, "f");
    }

    private static void CheckBackward<TReal>(Activation kind, int units, bool withOffset, double tolerance)
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        Case<TReal> c = Case<TReal>.Create(kind, units, Rank, withOffset, seed: 12);
        Reference expected = c.Reference();
        expected.Backward(c.ZA, c.GfA);
        double[] gz = c.Garbage(Rank);
        double gDecay = c.GDecay;
        FusedUnitKernels.TransitionBackward(c.Model, c.Offset, c.ZA, c.GfA, c.Gradient, c.GOffset, gz, ref gDecay);

        AssertClose(expected.Gz, expected.GzBound, gz, tolerance, "ḡz");
        c.AssertAccumulators(expected, gDecay, tolerance);
    }

    private static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> bound, ReadOnlySpan<double> actual, double tolerance, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(
                error <= tolerance * bound[i],
                $"{name}[{i}]: fused {actual[i]:R}, reference {expected[i]:R}, |error| {error:E3} > {tolerance:E0} × bound {bound[i]:E3}.");
        }
    }

    /// <summary>One model, offset, a particle with its upstream gradient, and gradient accumulators filled with random values.</summary>
    private sealed class Case<TReal>
        where TReal : unmanaged, IFloatingPointIeee754<TReal>
    {
        private Case(ModelView<TReal> model, int rank, Rng rng, bool withOffset)
        {
            int n = model.Units;
            Model = model;
            Rng = rng;
            ZA = Gaussian(rank);
            GfA = Gaussian(rank);
            Offset = withOffset ? Real(Gaussian(n)) : [];
            GOffset = withOffset ? Real(Gaussian(n)) : [];
            Gradient = new GradientBuffer<TReal>(rank, n, 0, rank, 1, 0);
            Real(Gaussian(rank * n)).CopyTo(Gradient.Mt, 0);
            Real(Gaussian(rank * n)).CopyTo(Gradient.Nt, 0);
            Real(Gaussian(n)).CopyTo(Gradient.H, 0);
            GDecay = rng.NextGaussian();
            GradientMtBefore = Doubles(Gradient.Mt);
            GradientNtBefore = Doubles(Gradient.Nt);
            GradientHBefore = Doubles(Gradient.H);
            GOffsetBefore = Doubles(GOffset);
        }

        public ModelView<TReal> Model { get; }

        public Rng Rng { get; }

        public double[] ZA { get; }

        public double[] GfA { get; }

        public TReal[] Offset { get; }

        public TReal[] GOffset { get; }

        public GradientBuffer<TReal> Gradient { get; }

        public double GDecay { get; }

        private double[] GradientMtBefore { get; }

        private double[] GradientNtBefore { get; }

        private double[] GradientHBefore { get; }

        private double[] GOffsetBefore { get; }

        /// <summary>
        /// Mᵀ, Ñ ~ N(0, 1) and z ~ N(0, 1) put the currents on every side of every kink; h ~ U(0.2, 1.2) keeps the
        /// clipped ReLU's window open.
        /// </summary>
        public static Case<TReal> Create(Activation kind, int units, int rank, bool withOffset, long seed)
        {
            var options = new ModelOptions { Rank = rank, Units = units, Channels = 2, Activation = kind };
            var model = new ModelView<TReal>(options);
            model.Load(SmcTestModels.RandomTheta(options, seed));
            Rng rng = Rng.Create(seed, 5);
            for (int i = 0; i < model.Mt.Length; i++)
            {
                model.Mt[i] = TReal.CreateTruncating(rng.NextGaussian());
                model.Nt[i] = TReal.CreateTruncating(rng.NextGaussian());
            }

            for (int i = 0; i < units; i++)
            {
                model.H[i] = TReal.CreateTruncating(rng.NextUniform(0.2, 1.2));
            }

            return new Case<TReal>(model, rank, rng, withOffset);
        }

        public Reference Reference() =>
            new(Model.Options.Activation, Model.Rank, Doubles(Model.Mt), Doubles(Model.Nt), Doubles(Model.H), Doubles(Offset), Model.Decay,
                GradientMtBefore, GradientNtBefore, GradientHBefore, GOffsetBefore, GDecay);

        /// <summary>Values a kernel must overwrite.</summary>
        public double[] Garbage(int length)
        {
            double[] values = Gaussian(length);
            for (int i = 0; i < length; i++)
            {
                values[i] = 1e3 * values[i] + 7;
            }

            return values;
        }

        public void AssertAccumulators(Reference expected, double gDecay, double tolerance)
        {
            AssertClose(expected.GMt, expected.GMtBound, Doubles(Gradient.Mt), tolerance, "ḡMᵀ");
            AssertClose(expected.GNt, expected.GNtBound, Doubles(Gradient.Nt), tolerance, "ḡÑ");
            AssertClose(expected.GH, expected.GHBound, Doubles(Gradient.H), tolerance, "ḡh");
            AssertClose(expected.GW, expected.GWBound, Doubles(GOffset), tolerance, "ḡw");
            AssertClose([expected.GDecay], [expected.GDecayBound], [gDecay], tolerance, "ḡa");
        }

        private double[] Gaussian(int length)
        {
            double[] values = new double[length];
            Rng.FillGaussian(values);
            return values;
        }

        private static TReal[] Real(double[] values)
        {
            TReal[] result = new TReal[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                result[i] = TReal.CreateTruncating(values[i]);
            }

            return result;
        }

        private static double[] Doubles(TReal[] values)
        {
            double[] result = new double[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                result[i] = double.CreateTruncating(values[i]);
            }

            return result;
        }
    }

    /// <summary>
    /// The transition and its reverse pass in scalar double, unit by unit, with each output's error bound (the same sum
    /// over absolute values). <see cref="Backward"/> accumulates across calls, as the kernels do.
    /// </summary>
    private sealed class Reference(
        Activation kind, int rank, double[] mt, double[] nt, double[] h, double[] w, double decay,
        double[] gMt, double[] gNt, double[] gH, double[] gW, double gDecay)
    {
        private readonly int _units = h.Length;

        public double[] F { get; } = new double[rank];

        public double[] FBound { get; } = new double[rank];

        public double[] Gz { get; } = new double[rank];

        public double[] GzBound { get; } = new double[rank];

        public double[] GMt { get; } = (double[])gMt.Clone();

        public double[] GMtBound { get; } = Abs(gMt);

        public double[] GNt { get; } = (double[])gNt.Clone();

        public double[] GNtBound { get; } = Abs(gNt);

        public double[] GH { get; } = (double[])gH.Clone();

        public double[] GHBound { get; } = Abs(gH);

        public double[] GW { get; } = (double[])gW.Clone();

        public double[] GWBound { get; } = Abs(gW);

        public double GDecay { get; private set; } = gDecay;

        public double GDecayBound { get; private set; } = Math.Abs(gDecay);

        public void Forward(double[] z)
        {
            for (int a = 0; a < rank; a++)
            {
                F[a] = decay * z[a];
                FBound[a] = Math.Abs(decay * z[a]);
            }

            for (int i = 0; i < _units; i++)
            {
                (double x, double xBound) = Current(z, i);
                double r = Rate(x, h[i]);
                double rBound = xBound + Math.Abs(h[i]);
                for (int a = 0; a < rank; a++)
                {
                    F[a] += nt[a * _units + i] * r;
                    FBound[a] += Math.Abs(nt[a * _units + i]) * rBound;
                }
            }
        }

        public void Backward(double[] z, double[] g)
        {
            for (int a = 0; a < rank; a++)
            {
                Gz[a] = decay * g[a];
                GzBound[a] = Math.Abs(decay * g[a]);
                GDecay += g[a] * z[a];
                GDecayBound += Math.Abs(g[a] * z[a]);
            }

            for (int i = 0; i < _units; i++)
            {
                (double x, double xBound) = Current(z, i);
                double r = Rate(x, h[i]);
                double rBound = xBound + Math.Abs(h[i]);
                double gr = 0, grBound = 0;
                for (int a = 0; a < rank; a++)
                {
                    gr += g[a] * nt[a * _units + i];
                    grBound += Math.Abs(g[a] * nt[a * _units + i]);
                }

                (double dx, double dh) = Slopes(x, h[i]);
                double gx = gr * dx;
                GH[i] += gr * dh;
                GHBound[i] += grBound;
                if (w.Length > 0)
                {
                    GW[i] += gx;
                    GWBound[i] += grBound;
                }

                for (int a = 0; a < rank; a++)
                {
                    int at = a * _units + i;
                    GNt[at] += g[a] * r;
                    GNtBound[at] += Math.Abs(g[a]) * rBound;
                    GMt[at] += z[a] * gx;
                    GMtBound[at] += Math.Abs(z[a]) * grBound;
                    Gz[a] += mt[at] * gx;
                    GzBound[a] += Math.Abs(mt[at]) * grBound;
                }
            }
        }

        private (double X, double Bound) Current(double[] z, int i)
        {
            double x = w.Length > 0 ? w[i] : 0;
            double bound = Math.Abs(x);
            for (int a = 0; a < rank; a++)
            {
                x += z[a] * mt[a * _units + i];
                bound += Math.Abs(z[a] * mt[a * _units + i]);
            }

            return (x, bound);
        }

        /// <summary>φ(x; h): ReLU max(x − h, 0), clipped ReLU max(x + h, 0) − max(x, 0), identity x − h.</summary>
        private double Rate(double x, double threshold) => kind switch
        {
            Activation.Relu => Math.Max(x - threshold, 0),
            Activation.ClippedRelu => Math.Max(x + threshold, 0) - Math.Max(x, 0),
            _ => x - threshold,
        };

        /// <summary>(∂φ/∂x, ∂φ/∂h).</summary>
        private (double Dx, double Dh) Slopes(double x, double threshold) => kind switch
        {
            Activation.Relu => x > threshold ? (1, -1) : (0, 0),
            Activation.ClippedRelu => ((x + threshold > 0 ? 1 : 0) - (x > 0 ? 1 : 0), x + threshold > 0 ? 1 : 0),
            _ => (1, -1),
        };

        private static double[] Abs(double[] values)
        {
            double[] result = new double[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                result[i] = Math.Abs(values[i]);
            }

            return result;
        }
    }
}
