using LowRank.Data;
using LowRank.Encoders;
using LowRank.Model;
using LowRank.Numerics;
using LowRank.Smc;
using LowRank.Training;

namespace LowRank.Tests.Smc;

/// <summary>
/// Central finite differences (double, ancestors frozen at those of the unperturbed run) along a
/// random direction inside each parameter group, against the hand-written reverse pass.
/// </summary>
public sealed class VsmcGradientTests
{
    public static TheoryData<string> Cases() => new(CaseNames());

    private static IEnumerable<string> CaseNames() => Configurations().Keys;

    /// <summary>Fraction of observations made missing (NaN) in a case, by name.</summary>
    private static double MissingFraction(string name) => name.Contains("missing", StringComparison.Ordinal) ? 0.2 : 0;

    private static Dictionary<string, (ModelOptions Model, VsmcOptions Vsmc)> Configurations()
    {
        var cases = new Dictionary<string, (ModelOptions, VsmcOptions)>();
        void Add(string name, ModelOptions model, VsmcOptions vsmc) => cases.Add(name, (model, vsmc with { Precision = KernelPrecision.Double, Threads = 1 }));

        // Poisson: every link × readout, with K = 1, R = 1 and odd N among them.
        Link[] links = [Link.Exp, Link.Softplus, Link.Relu];
        foreach (Link link in links)
        {
            string l = ModelNames.Of(link);
            Add(
                $"poisson-{l}-latent-clippedrelu-diag-full-rawinputs",
                new ModelOptions { Rank = 2, Units = 7, Channels = 5, Inputs = 1, Likelihood = Likelihood.Poisson, Link = link, TransitionNoise = NoiseShape.Diagonal },
                new VsmcOptions { Particles = 4, Proposal = ProposalKind.Bootstrap });
            Add(
                $"poisson-{l}-rates-tanh-scalar-scalar-K1-R1-oddN",
                new ModelOptions { Rank = 1, Units = 5, Channels = 5, Readout = Readout.Rates, Likelihood = Likelihood.Poisson, Link = link, Activation = Activation.Tanh, TransitionNoise = NoiseShape.Scalar, InitialNoise = NoiseShape.Scalar },
                new VsmcOptions { Particles = 1, Proposal = ProposalKind.Bootstrap });
            Add(
                $"poisson-{l}-currents-relu-full-diag-filtered-oddN",
                new ModelOptions { Rank = 3, Units = 9, Channels = 9, Inputs = 2, Readout = Readout.Currents, Likelihood = Likelihood.Poisson, Link = link, Activation = Activation.Relu, InitialNoise = NoiseShape.Diagonal, InputFilter = InputFilter.Filtered },
                new VsmcOptions { Particles = 3, Proposal = ProposalKind.Bootstrap, Resampling = ResamplingScheme.Multinomial });
        }

        // Encoder proposal: Gaussian and Poisson, diagonal and full Σz, each padding and activation, K = 1 and R = 1.
        var small = new EncoderOptions { KernelSizes = [3, 2, 1], Channels = [5, 3] };
        Add(
            "encoder-poisson-softplus-latent-clippedrelu-diag-diag",
            new ModelOptions { Rank = 2, Units = 7, Channels = 5, Likelihood = Likelihood.Poisson, Link = Link.Softplus, TransitionNoise = NoiseShape.Diagonal, InitialNoise = NoiseShape.Diagonal, Encoder = small },
            new VsmcOptions { Particles = 4, Proposal = ProposalKind.Encoder });
        Add(
            "encoder-gaussian-latent-tanh-full-full-centred-leakyrelu-rawinputs",
            new ModelOptions { Rank = 3, Units = 7, Channels = 4, Inputs = 1, Activation = Activation.Tanh, Encoder = small with { Padding = EncoderPadding.Centred, Activation = EncoderActivation.LeakyRelu } },
            new VsmcOptions { Particles = 3, Proposal = ProposalKind.Encoder });
        Add(
            "encoder-poisson-exp-rates-relu-scalar-full-acausal-K1-R1-oddN",
            new ModelOptions { Rank = 1, Units = 5, Channels = 5, Readout = Readout.Rates, Likelihood = Likelihood.Poisson, Link = Link.Exp, Activation = Activation.Relu, TransitionNoise = NoiseShape.Scalar, Encoder = small with { Padding = EncoderPadding.Acausal, KernelSizes = [2, 1], Channels = [3] } },
            new VsmcOptions { Particles = 1, Proposal = ProposalKind.Encoder });
        Add(
            "missing-encoder-poisson-relu-latent-clippedrelu-diag-mask",
            new ModelOptions { Rank = 2, Units = 6, Channels = 4, Likelihood = Likelihood.Poisson, Link = Link.Relu, TransitionNoise = NoiseShape.Diagonal, Encoder = small with { MaskInput = true } },
            new VsmcOptions { Particles = 3, Proposal = ProposalKind.Encoder, Resampling = ResamplingScheme.Multinomial });

        // R = 4 (the unrolled single and four-particle kernels of the published hippocampus rank).
        Add(
            "rank4-poisson-softplus-latent-clippedrelu-diag-encoder-rawinputs",
            new ModelOptions { Rank = 4, Units = 37, Channels = 6, Inputs = 1, Likelihood = Likelihood.Poisson, Link = Link.Softplus, TransitionNoise = NoiseShape.Diagonal, InitialNoise = NoiseShape.Diagonal, Encoder = small },
            new VsmcOptions { Particles = 5, Proposal = ProposalKind.Encoder });
        Add(
            "rank4-optimal-latent-relu-full-full",
            new ModelOptions { Rank = 4, Units = 21, Channels = 5, Activation = Activation.Relu },
            new VsmcOptions { Particles = 4 });
        Add(
            "rank4-bootstrap-rates-identity-full-diag",
            new ModelOptions { Rank = 4, Units = 9, Channels = 9, Readout = Readout.Rates, Activation = Activation.Identity, InitialNoise = NoiseShape.Diagonal },
            new VsmcOptions { Particles = 6, Proposal = ProposalKind.Bootstrap });

        // R = 3 and K = 10 (the published EEG rank and particle count): the four-particle kernels, then pairs and singles.
        Add(
            "rank3-optimal-latent-clippedrelu-full-full-K10-rawinputs",
            new ModelOptions { Rank = 3, Units = 37, Channels = 5, Inputs = 1 },
            new VsmcOptions { Particles = 10 });

        // Missing entries (20 % and one whole step): every likelihood and proposal.
        Add(
            "missing-optimal-latent-clippedrelu-full-full-rawinputs",
            new ModelOptions { Rank = 2, Units = 7, Channels = 4, Inputs = 1 },
            new VsmcOptions { Particles = 3 });
        Add(
            "missing-optimal-currents-tanh-diag-scalar-K1-R1",
            new ModelOptions { Rank = 1, Units = 5, Channels = 5, Readout = Readout.Currents, Activation = Activation.Tanh, TransitionNoise = NoiseShape.Diagonal, InitialNoise = NoiseShape.Scalar },
            new VsmcOptions { Particles = 1 });
        Add(
            "missing-bootstrap-rates-clippedrelu-full-full",
            new ModelOptions { Rank = 2, Units = 6, Channels = 6, Readout = Readout.Rates },
            new VsmcOptions { Particles = 4, Proposal = ProposalKind.Bootstrap });
        Add(
            "missing-bootstrap-latent-identity-diag-full",
            new ModelOptions { Rank = 3, Units = 7, Channels = 5, Activation = Activation.Identity, TransitionNoise = NoiseShape.Diagonal },
            new VsmcOptions { Particles = 3, Proposal = ProposalKind.Bootstrap });
        Add(
            "missing-poisson-softplus-latent-clippedrelu",
            new ModelOptions { Rank = 2, Units = 7, Channels = 5, Likelihood = Likelihood.Poisson, Link = Link.Softplus },
            new VsmcOptions { Particles = 3, Proposal = ProposalKind.Bootstrap });
        Add(
            "missing-poisson-exp-rates-relu",
            new ModelOptions { Rank = 2, Units = 5, Channels = 5, Readout = Readout.Rates, Likelihood = Likelihood.Poisson, Link = Link.Exp, Activation = Activation.Relu },
            new VsmcOptions { Particles = 2, Proposal = ProposalKind.Bootstrap });

        Add(
            "optimal-latent-clippedrelu-full-full",
            new ModelOptions { Rank = 2, Units = 7, Channels = 4 },
            new VsmcOptions { Particles = 3 });
        Add(
            "optimal-latent-tanh-diag-scalar-fixedmu-rawinputs-K1-R1",
            new ModelOptions { Rank = 1, Units = 5, Channels = 3, Inputs = 2, Activation = Activation.Tanh, TransitionNoise = NoiseShape.Diagonal, InitialNoise = NoiseShape.Scalar, TrainInitialMean = false },
            new VsmcOptions { Particles = 1 });
        Add(
            "optimal-currents-relu-scalar-diag-filtered",
            new ModelOptions { Rank = 3, Units = 6, Channels = 6, Inputs = 1, Readout = Readout.Currents, Activation = Activation.Relu, TransitionNoise = NoiseShape.Scalar, InitialNoise = NoiseShape.Diagonal, InputFilter = InputFilter.Filtered },
            new VsmcOptions { Particles = 4 });
        Add(
            "optimal-latent-identity-full-full-multinomial-oddN",
            new ModelOptions { Rank = 3, Units = 11, Channels = 5, Activation = Activation.Identity, Inputs = 2 },
            new VsmcOptions { Particles = 6, Resampling = ResamplingScheme.Multinomial });
        Add(
            "bootstrap-latent-identity-full-full-rawinputs",
            new ModelOptions { Rank = 2, Units = 9, Channels = 3, Inputs = 2, Activation = Activation.Identity },
            new VsmcOptions { Particles = 5, Proposal = ProposalKind.Bootstrap });
        Add(
            "bootstrap-latent-clippedrelu-diag-full-filtered",
            new ModelOptions { Rank = 2, Units = 7, Channels = 2, Inputs = 1, InputFilter = InputFilter.Filtered, TransitionNoise = NoiseShape.Diagonal },
            new VsmcOptions { Particles = 4, Proposal = ProposalKind.Bootstrap });
        Add(
            "bootstrap-currents-clippedrelu-diag-full-filtered",
            new ModelOptions { Rank = 2, Units = 5, Channels = 5, Inputs = 1, Readout = Readout.Currents, InputFilter = InputFilter.Filtered, TransitionNoise = NoiseShape.Diagonal },
            new VsmcOptions { Particles = 3, Proposal = ProposalKind.Bootstrap });
        Add(
            "bootstrap-rates-tanh-scalar-scalar-K1-R1",
            new ModelOptions { Rank = 1, Units = 3, Channels = 3, Readout = Readout.Rates, Activation = Activation.Tanh, TransitionNoise = NoiseShape.Scalar, InitialNoise = NoiseShape.Scalar },
            new VsmcOptions { Particles = 1, Proposal = ProposalKind.Bootstrap });
        Add(
            "bootstrap-rates-relu-full-diag-rawinputs-multinomial",
            new ModelOptions { Rank = 2, Units = 5, Channels = 5, Inputs = 2, Readout = Readout.Rates, Activation = Activation.Relu, InitialNoise = NoiseShape.Diagonal },
            new VsmcOptions { Particles = 4, Proposal = ProposalKind.Bootstrap, Resampling = ResamplingScheme.Multinomial });
        Add(
            "bootstrap-rates-clippedrelu-fixedmu",
            new ModelOptions { Rank = 3, Units = 7, Channels = 7, Readout = Readout.Rates, TrainInitialMean = false },
            new VsmcOptions { Particles = 3, Proposal = ProposalKind.Bootstrap });
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryParameterGroupMatchesCentralDifferences(string name)
    {
        (ModelOptions model, VsmcOptions vsmc) = Configurations()[name];
        var objective = new VsmcObjective(model, vsmc);
        double[] theta = SmcTestModels.RandomTheta(model, seed: name.Length);
        SequenceSet batch = SmcTestModels.RandomBatch(model, sequences: 2, steps: 6, seed: 3, missing: MissingFraction(name));
        var gradient = new double[theta.Length];
        double value = objective.EvaluateWithAncestors(theta, batch, 11, gradient, true, null, out int[][] ancestors);
        Assert.True(double.IsFinite(value), $"objective {value}");

        var layout = ModelLayout.Of(model);
        var failures = new List<string>();
        Rng rng = Rng.Create(5, name.Length);
        foreach (ParameterSlice slice in layout.Slices)
        {
            var direction = new double[theta.Length];
            double norm = 0;
            for (int i = 0; i < slice.Length; i++)
            {
                double v = rng.NextGaussian();
                direction[slice.Offset + i] = v;
                norm += v * v;
            }

            double analytic = 0;
            for (int i = 0; i < theta.Length; i++)
            {
                direction[i] /= Math.Sqrt(norm);
                analytic += gradient[i] * direction[i];
            }

            const double step = 1e-5;
            double Shifted(double sign)
            {
                var shifted = (double[])theta.Clone();
                for (int i = 0; i < shifted.Length; i++)
                {
                    shifted[i] += sign * step * direction[i];
                }

                return objective.EvaluateWithAncestors(shifted, batch, 11, Span<double>.Empty, false, ancestors, out _);
            }

            double numeric = (Shifted(1) - Shifted(-1)) / (2 * step);
            double tolerance = 1e-6 * Math.Max(Math.Abs(analytic), Math.Abs(numeric)) + 1e-8;
            if (!(Math.Abs(numeric - analytic) <= tolerance))
            {
                failures.Add($"{slice.Name}: analytic {analytic:R}, numeric {numeric:R}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("; ", failures));
    }
}
