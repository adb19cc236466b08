namespace LowRank.Sweeps;

/// <summary>
/// What <c>sweep collect</c> concludes from a sweep's results beyond the table: the rank a rank sweep recommends
/// (<see cref="Sweeps.RankSelection"/>) and the comparison of a seed sweep's restarts (<see cref="Sweeps.SeedEnsemble"/>),
/// each null when it does not apply, with a note saying why when the sweep looks meant for it.
/// </summary>
/// <param name="RankSelection">The rank selection, or null.</param>
/// <param name="RankSelectionNote">Why a sweep with a rank axis got none (null otherwise).</param>
/// <param name="SeedEnsemble">The seed ensemble, or null.</param>
/// <param name="SeedEnsembleNote">Why a seed sweep got none (null otherwise).</param>
public sealed record SweepAnalysis(RankSelectionResult? RankSelection, string? RankSelectionNote, SeedEnsembleResult? SeedEnsemble, string? SeedEnsembleNote)
{
    /// <summary>Both analyses of <paramref name="table"/>.</summary>
    public static SweepAnalysis Of(ResultsTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        RankSelectionResult? ranks = Sweeps.RankSelection.Select(table, out string? rankNote);
        SeedEnsembleResult? ensemble = Sweeps.SeedEnsemble.Analyse(table, out string? ensembleNote);
        return new SweepAnalysis(ranks, rankNote, ensemble, ensembleNote);
    }
}
