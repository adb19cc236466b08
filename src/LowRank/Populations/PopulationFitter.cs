namespace LowRank.Populations;

/// <summary>Options of <see cref="PopulationFitter.Fit"/>.</summary>
/// <param name="Model">Source model directory (LINT low-rank or stochastic).</param>
/// <param name="Components">P, or null to choose P ∈ 1…MaxComponents by BIC.</param>
/// <param name="MaxComponents">Largest P tried when choosing by BIC.</param>
/// <param name="Restarts">EM restarts per P.</param>
/// <param name="Ridge">Relative covariance ridge.</param>
/// <param name="Seed">Seed of the EM restarts.</param>
/// <param name="Threads">Worker threads (results do not depend on it).</param>
public sealed record PopulationFitOptions(string Model, int? Components, int MaxComponents, int Restarts, double Ridge, long Seed, int Threads);

/// <summary>The fitted populations with the loadings and the population of each source unit (for plots).</summary>
public sealed record PopulationFitResult(PopulationModel Populations, UnitLoadings Loadings, int[] Labels);

/// <summary>Fits a Gaussian mixture over the per-unit loadings of a low-rank network (DESIGN §6, last item).</summary>
public static class PopulationFitter
{
    public static PopulationFitResult Fit(PopulationFitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Components is int p && p < 1)
        {
            throw new InputException($"--components must be a positive count or 'auto', got {p}.", "pass --components 1, 2, … or auto.");
        }

        if (options.MaxComponents < 1)
        {
            throw new InputException($"--max-components must be at least 1, got {options.MaxComponents}.", "pass --max-components 1, 2, ….");
        }

        if (options.Restarts < 1)
        {
            throw new InputException($"--restarts must be at least 1, got {options.Restarts}.", "pass --restarts 1, 2, ….");
        }

        UnitLoadings loadings = UnitLoadings.Load(options.Model);
        var fitOptions = new MixtureFitOptions(options.Components ?? 1, options.Restarts, Ridge: options.Ridge, Seed: options.Seed, Threads: options.Threads);
        if (options.Components is int requested && requested > loadings.Units)
        {
            throw new InputException(
                $"--components {requested} exceeds the {loadings.Units} units of '{options.Model}'.",
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
