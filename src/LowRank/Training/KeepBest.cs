namespace LowRank.Training;

/// <summary>
/// Which parameters a <see cref="Trainer{TBatch}"/> returns: the last ones, or the best ones by a loss
/// criterion (lower is better), with the losses that chose them.
/// </summary>
/// <remarks>
/// The criteria:
/// <list type="bullet">
/// <item><see cref="Last"/>: no criterion; the run returns θ after its last epoch.</item>
/// <item><see cref="OnValidation"/>: a loss of θ (e.g. on held-out trials) scored at the start and after every epoch.</item>
/// <item><see cref="OnEpochLoss"/>: the epoch's mean training loss, credited to θ at the end of the epoch (minibatches).</item>
/// <item><see cref="OnStepLoss"/>: with one full batch per epoch, the loss of each step is that of θ before the step;
/// the final θ, which no step has scored, is scored by a given loss after the last epoch.</item>
/// </list>
/// A policy holds the state of one run; <see cref="Start"/> resets it.
/// </remarks>
public abstract class KeepBest
{
    private double[]? _best;

    /// <summary>Returns the last parameters.</summary>
    public static KeepBest Last() => new LastPolicy();

    /// <summary>Keeps the parameters with the lowest <paramref name="loss"/>, scored at the start and after every epoch.</summary>
    public static KeepBest OnValidation(Func<double[], double> loss) => new ValidationPolicy(loss);

    /// <summary>Keeps the parameters at the end of the epoch with the lowest mean training loss.</summary>
    public static KeepBest OnEpochLoss() => new EpochLossPolicy();

    /// <summary>Keeps the parameters with the lowest full-batch loss before a step; the final ones are scored by <paramref name="finalLoss"/>.</summary>
    public static KeepBest OnStepLoss(Func<double[], double> finalLoss) => new StepLossPolicy(finalLoss);

    /// <summary>Criterion of the starting parameters (NaN for <see cref="Last"/>).</summary>
    public double InitialLoss { get; protected set; } = double.NaN;

    /// <summary>Lowest criterion so far.</summary>
    public double BestLoss { get; protected set; } = double.NaN;

    /// <summary>Epochs completed when the best parameters were reached.</summary>
    public int BestEpoch { get; protected set; } = -1;

    /// <summary>The criterion value of the last completed epoch, where the policy scores one (NaN otherwise).</summary>
    public double LastCriterion { get; protected set; } = double.NaN;

    /// <summary>The parameters to return (null: the last ones).</summary>
    public double[]? Best => _best;

    /// <summary>Whether the policy returns the last parameters rather than the best by a criterion.</summary>
    public virtual bool ReturnsLast => false;

    /// <summary>Called once with the starting parameters.</summary>
    public virtual void Start(double[] theta)
    {
        _best = null;
        InitialLoss = double.NaN;
        BestLoss = double.NaN;
        BestEpoch = -1;
        LastCriterion = double.NaN;
    }

    /// <summary>Called before each gradient step with the loss the objective reported at <paramref name="theta"/>; <paramref name="epoch"/> counts completed epochs.</summary>
    public virtual void BeforeStep(double[] theta, double loss, int epoch)
    {
    }

    /// <summary>Called after every epoch with its mean loss; <paramref name="epochs"/> counts completed epochs.</summary>
    public virtual void AfterEpoch(double[] theta, double epochLoss, int epochs)
    {
    }

    /// <summary>Called once after the last epoch.</summary>
    public virtual void Finish(double[] theta, int epochs)
    {
        if (double.IsPositiveInfinity(InitialLoss))
        {
            InitialLoss = BestLoss;
        }
    }

    /// <summary>Records <paramref name="theta"/> as the best when <paramref name="loss"/> beats the best so far.</summary>
    protected void Offer(double[] theta, double loss, int epoch)
    {
        if (loss < BestLoss)
        {
            BestLoss = loss;
            BestEpoch = epoch;
            _best ??= new double[theta.Length];
            Array.Copy(theta, _best, theta.Length);
        }
    }

    /// <summary>Starts from a criterion: the starting parameters are the best so far.</summary>
    protected void StartFrom(double[] theta, double loss)
    {
        InitialLoss = loss;
        BestLoss = loss;
        BestEpoch = 0;
        _best = (double[])theta.Clone();
    }

    /// <summary>Starts with no score yet (every first loss is an improvement).</summary>
    protected void StartUnscored(double[] theta)
    {
        InitialLoss = double.PositiveInfinity;
        BestLoss = double.PositiveInfinity;
        BestEpoch = 0;
        _best = (double[])theta.Clone();
    }

    private sealed class LastPolicy : KeepBest
    {
        public override bool ReturnsLast => true;

        public override void Finish(double[] theta, int epochs)
        {
        }
    }

    private sealed class ValidationPolicy(Func<double[], double> loss) : KeepBest
    {
        public override void Start(double[] theta)
        {
            base.Start(theta);
            StartFrom(theta, loss(theta));
        }

        public override void AfterEpoch(double[] theta, double epochLoss, int epochs)
        {
            LastCriterion = loss(theta);
            Offer(theta, LastCriterion, epochs);
        }
    }

    private sealed class EpochLossPolicy : KeepBest
    {
        public override void Start(double[] theta)
        {
            base.Start(theta);
            StartUnscored(theta);
        }

        public override void AfterEpoch(double[] theta, double epochLoss, int epochs)
        {
            if (epochs == 1)
            {
                InitialLoss = epochLoss;
            }

            Offer(theta, epochLoss, epochs);
        }
    }

    private sealed class StepLossPolicy(Func<double[], double> finalLoss) : KeepBest
    {
        public override void Start(double[] theta)
        {
            base.Start(theta);
            StartUnscored(theta);
        }

        public override void BeforeStep(double[] theta, double loss, int epoch)
        {
            if (epoch == 0 && double.IsPositiveInfinity(InitialLoss))
            {
                InitialLoss = loss;
            }

            Offer(theta, loss, epoch);
        }

        public override void Finish(double[] theta, int epochs)
        {
            Offer(theta, finalLoss(theta), epochs);
            base.Finish(theta, epochs);
        }
    }
}
