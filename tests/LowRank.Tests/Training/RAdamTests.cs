using LowRank.Training;

namespace LowRank.Tests.Training;

public sealed class RAdamTests
{
    [Fact]
    public void StepsMatchHandComputedValues()
    {
        // Reference values computed step by step from the published update rule (β1 0.9, β2 0.999,
        // ε 1e-8, lr 0.1): steps 1–5 are the un-rectified warm-up (ρt ≤ 5), steps 6–8 rectified.
        double[][] gradients =
        [
            [0.5, -1.0], [-1.0, 0.25], [2.0, 2.0], [0.25, -0.5], [1.0, 1.5], [-0.5, 0.0], [3.0, -2.0], [0.1, 0.2],
        ];
        double[][] expected =
        [
            [0.95, -1.9],
            [0.9789473684210526, -1.8657894736842104],
            [0.9234123130704991, -1.9180034958244319],
            [0.8767563084179838, -1.9404954993138184],
            [0.8170740051775257, -1.9941242263290317],
            [0.8161782792085676, -1.995094489667912],
            [0.8142732011941325, -1.994986556771338],
            [0.8122379093372327, -1.994987117774579],
        ];
        var optimizer = new RAdam(2);
        double[] theta = [1.0, -2.0];
        for (int t = 0; t < gradients.Length; t++)
        {
            optimizer.Step(theta, gradients[t], 0.1);
            Assert.Equal(expected[t][0], theta[0], 1e-14);
            Assert.Equal(expected[t][1], theta[1], 1e-14);
        }

        Assert.Equal(8, optimizer.StepCount);
    }

    [Fact]
    public void FirstStepIsBiasCorrectedMomentum()
    {
        // t = 1: m̂ = g, ρ1 = 1 ≤ 5, so θ moves by exactly −η g whatever the scale of g.
        var optimizer = new RAdam(3);
        double[] theta = [0, 0, 0];
        optimizer.Step(theta, [1e-6, -3, 250], 0.01);
        Assert.Equal(-1e-8, theta[0], 1e-20);
        Assert.Equal(0.03, theta[1], 1e-15);
        Assert.Equal(-2.5, theta[2], 1e-13);
    }

    [Fact]
    public void RectificationStartsAtStepSixForDefaultBeta2()
    {
        var optimizer = new RAdam(1);
        Assert.Equal(1999, optimizer.RhoInfinity, 1e-9);
        Assert.Equal(1.0, optimizer.Rho(1), 1e-9);
        Assert.True(optimizer.Rho(5) <= 5);
        Assert.True(optimizer.Rho(6) > 5);
    }

    [Fact]
    public void RectifiedStepApproachesAdamLateInTraining()
    {
        // For large t, r → 1 and the step is Adam's: η m̂ / (√v̂ + ε); with a constant gradient m̂ = g, v̂ = g².
        var optimizer = new RAdam(1);
        double[] theta = [0];
        for (int t = 0; t < 20000; t++)
        {
            double before = theta[0];
            optimizer.Step(theta, [2.0], 1e-3);
            if (t == 19999)
            {
                Assert.Equal(-1e-3, theta[0] - before, 1e-7);
            }
        }
    }

    [Fact]
    public void RestoreContinuesIdentically()
    {
        var a = new RAdam(2);
        double[] thetaA = [1, 2];
        for (int t = 0; t < 10; t++)
        {
            a.Step(thetaA, [Math.Sin(t), Math.Cos(t)], 0.01);
        }

        var b = new RAdam(2);
        b.Restore(a.StepCount, a.FirstMoment, a.SecondMoment);
        double[] thetaB = (double[])thetaA.Clone();
        a.Step(thetaA, [0.3, -0.7], 0.01);
        b.Step(thetaB, [0.3, -0.7], 0.01);
        Assert.Equal(thetaA, thetaB);
    }

    [Fact]
    public void ScheduleDecaysExponentiallyFromFirstToLast()
    {
        var schedule = new LearningRateSchedule(1e-3, 1e-6, 1500);
        Assert.Equal(1e-3, schedule.At(0), 1e-18);
        Assert.Equal(1e-3 * Math.Pow(1e-3, 750.0 / 1500), schedule.At(750), 1e-18);
        // Constant ratio between consecutive epochs: γ = (η_end/η_0)^(1/E).
        double gamma = Math.Pow(1e-3, 1.0 / 1500);
        Assert.Equal(gamma, schedule.At(1000) / schedule.At(999), 1e-12);
        Assert.Equal(1e-6 / gamma, schedule.At(1499), 1e-15);
    }

    [Fact]
    public void ScheduleRejectsBadRates()
    {
        InputException error = Assert.Throws<InputException>(() => new LearningRateSchedule(0, 1e-6, 10));
        Assert.Equal("learning rates must be positive and finite (got --lr 0, --lr-end 1E-06).", LowRank.Cli.SettingFlags.Message(error));
    }

    [Fact]
    public void ClippingBoundsTheNormAndKeepsTheDirection()
    {
        double[] g = [3, 4];
        double norm = GradientClipping.ClipNorm(g, 1);
        Assert.Equal(5, norm, 1e-15);
        Assert.Equal(0.6, g[0], 1e-15);
        Assert.Equal(0.8, g[1], 1e-15);

        double[] small = [0.3, 0.4];
        GradientClipping.ClipNorm(small, 1);
        Assert.Equal([0.3, 0.4], small);
    }
}
