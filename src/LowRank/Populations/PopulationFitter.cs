using static LowRank.InputException;

namespace LowRank.Populations;

/// <summary>Options of <see cref="PopulationFitter.Fit"/>.</summary>
/// <param name="Model">Source model directory (LINT low-rank or stochastic).</param>
/// <param name="Components">P, or null to choose P ∈ 1…MaxComponents by BIC.</param>
/// <param name="MaxComponents">Largest P tried when choosing by BIC.</param>
/// <param name="Restarts">EM restarts per P.</param>
/// <param name="Ridge">Relative covariance ridge.</param>
/// <param name="Seed">Seed of the EM restarts.</param>
/// <param name="Threads">Worker threads (results do not depend on it).</param>
public sealed record PopulationFitOptions(string Model, int? Components, int MaxComponents, int Restarts, double Ridge, long Seed, int Threads)
{
    /// <summary>Throws <see cref="InputException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(Ridge > 0 && double.IsFinite(Ridge)))
        {
            throw new InputException($"{Ref(nameof(Ridge))} must be positive, got {Ridge}.", $"pass {Ref(nameof(Ridge))} with a small positive value, e.g. 1e-6.") { Setting = nameof(Ridge) };
        }

        RequireCount(nameof(Threads), Threads);
        if (Components is int p && p < 1)
        {
            throw new InputException($"{Ref(nameof(Components))} must be a positive count or 'auto', got {p}.", $"pass {Ref(nameof(Components))} 1, 2, … or auto.") { Setting = nameof(Components) };
        }

        if (MaxComponents < 1)
        {
            throw new InputException($"{Ref(nameof(MaxComponents))} must be at least 1, got {MaxComponents}.", $"pass {Ref(nameof(MaxComponents))} 1, 2, ….") { Setting = nameof(MaxComponents) };
        }

        if (Restarts < 1)
        {
            throw new InputException($"{Ref(nameof(Restarts))} must be at least 1, got {Restarts}.", $"pass {Ref(nameof(Restarts))} 1, 2, ….") { Setting = nameof(Restarts) };
        }
    }
}

/// <summary>The fitted populations with the loadings and the population of each source unit (for plots).</summary>
public sealed record PopulationFitResult(PopulationModel Populations, UnitLoadings Loadings, int[] Labels);

/// <summary>Fits a Gaussian mixture over the per-unit loadings of a low-rank network (docs/populations.md).</summary>
public static class PopulationFitter
{
    public static PopulationFitResult Fit(PopulationFitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        UnitLoadings loadings = UnitLoadings.Load(options.Model);
        var fitOptions = new MixtureFitOptions(options.Components ?? 1, options.Restarts, Ridge: options.Ridge, Seed: options.Seed, Threads: options.Threads);
        if (options.Components is int requested && requested > loadings.Units)
        {
            throw new InputException(
                $"{Ref("Components")} {requested} exceeds the {loadings.Units} units of '{options.Model}'.",
                "pass fewer components.");
        }

        MixtureFit fit;
        List<BicEntry>? bicTable = null;
        if (options.Components is null)
        {
            MixtureSelection selection = GaussianMixtureFitter.FitAuto(loadings.Values, loadings.Dimension, options.MaxComponents, fitOptions);
            fit = selection.Best;
            bicTable = selection.Fits.Select(f => new BicEntry(f.Mixture.Components, f.LogLikelihood, f.Bic)).ToList();
        }
        else
        {
            fit = GaussianMixtureFitter.Fit(loadings.Values, loadings.Dimension, fitOptions);
        }

        GaussianMixture mixture = fit.Mixture;
        int[] labels = mixture.Assign(loadings.Values);
        var sizes = new int[mixture.Components];
        foreach (int label in labels)
        {
            sizes[label]++;
        }

        var populations = new PopulationModel(
            PopulationModel.CurrentFormatVersion,
            options.Model,
            loadings.SourceKind,
            loadings.Units,
            loadings.Names,
            mixture.Components,
            mixture.Weights,
            mixture.Means,
            mixture.Covariances.Select(c => PopulationModel.Square(c, mixture.Dimension)).ToArray(),
            fit.LogLikelihood,
            fit.Bic,
            bicTable,
            sizes,
            options.Seed,
            options.Restarts,
            options.Ridge,
            loadings.Lint);
        return new PopulationFitResult(populations, loadings, labels);
    }
}
