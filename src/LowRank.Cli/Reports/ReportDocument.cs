using System.Text.Json;
using System.Text.Json.Serialization;
using LowRank.Formats;

namespace LowRank.Cli.Reports;

/// <summary>
/// What <c>lowrank report --json</c> writes: the figures the report shows, with the metrics under the keys
/// <c>lowrank evaluate --json</c> uses (<c>d_stsp</c>, <c>d_h</c>, …; <c>rate_r</c>, … for spikes). Figures a report
/// does not show are left out; <see cref="Notes"/> says what was left out and why.
/// </summary>
internal sealed class ReportDocument
{
    /// <summary>The report's subject: <c>stochastic_low_rank_rnn</c>, <c>lint_low_rank</c>, <c>lint_full_rank</c> or <c>sweep</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The model or sweep directory, absolute.</summary>
    public required string Path { get; init; }

    /// <summary>The HTML file written.</summary>
    public string? Report { get; set; }

    public int? Epochs { get; set; }

    public double? FinalObjective { get; set; }

    public double? HeldOutObjective { get; set; }

    /// <summary>Rate networks: the task accuracy of the training record.</summary>
    public double? Accuracy { get; set; }

    /// <summary>Rate networks: the held-out R² of a LINT fit.</summary>
    public double? R2 { get; set; }

    /// <summary><c>eeg</c> or <c>spikes</c>: which metrics were computed (none without a recording).</summary>
    public string? Metrics { get; set; }

    /// <summary>The recording the metrics scored, absolute.</summary>
    public string? Data { get; set; }

    [JsonPropertyName("d_stsp")]
    public double? DStsp { get; set; }

    [JsonPropertyName("d_stsp_sd")]
    public double? DStspSd { get; set; }

    [JsonPropertyName("d_stsp_sd_over")]
    public string? DStspSdOver { get; set; }

    [JsonPropertyName("d_stsp_per_seed")]
    public double[]? DStspPerSeed { get; set; }

    [JsonPropertyName("d_h")]
    public double? DH { get; set; }

    [JsonPropertyName("d_h_sd")]
    public double? DHSd { get; set; }

    [JsonPropertyName("d_h_per_channel")]
    public double[]? DHPerChannel { get; set; }

    public double? RateR { get; set; }

    public double? PairwiseCorrR { get; set; }

    public double? IsiCvError { get; set; }

    public double? RateRSd { get; set; }

    public double? PairwiseCorrRSd { get; set; }

    public double? IsiCvErrorSd { get; set; }

    public int? Generations { get; set; }

    public int? Seeds { get; set; }

    public long? Seed { get; set; }

    public int? Steps { get; set; }

    public int? FirstStep { get; set; }

    public int? BurnIn { get; set; }

    public string? InitialState { get; set; }

    public double? Holdout { get; set; }

    public FixedPointFigures? FixedPoints { get; set; }

    /// <summary>Sweeps: runs per state.</summary>
    public IReadOnlyDictionary<string, int>? Runs { get; set; }

    /// <summary>Sweeps: the axes, in the spec's order.</summary>
    public IReadOnlyList<string>? Axes { get; set; }

    /// <summary>Sweeps: one entry per run, as results.json has it.</summary>
    public IReadOnlyList<SweepRunFigures>? Results { get; set; }

    /// <summary>Sweeps: the figure-against-axis plots shown.</summary>
    public IReadOnlyList<SweepPlotEntry>? Plots { get; set; }

    /// <summary>A rank sweep's rank selection (sweep only; null where it does not apply), as <c>sweep collect</c> makes it.</summary>
    [JsonPropertyName("rank_selection")]
    public LowRank.Sweeps.RankSelectionResult? RankSelection { get; set; }

    /// <summary>A seed sweep's comparison of its restarts (sweep only; null where it does not apply).</summary>
    [JsonPropertyName("seed_ensemble")]
    public LowRank.Sweeps.SeedEnsembleResult? SeedEnsemble { get; set; }

    /// <summary>What the report left out or approximated, and why.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Writes the document (nulls left out) atomically.</summary>
    public void Write(string path) => AtomicFile.WriteText(path, JsonSerializer.Serialize(this, Options) + "\n");

    private static readonly JsonSerializerOptions Options = new(JsonFile.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}

/// <summary>The fixed points a model report shows.</summary>
/// <param name="Method"><c>exact</c> or <c>approximate</c>.</param>
/// <param name="Kinks">P: kink hyperplanes of the arrangement (N for relu, 2N for clipped relu).</param>
/// <param name="CellsBound">Σ_{k≤R} C(P, k), the most cells the arrangement can have.</param>
/// <param name="Cells">Cells whose systems were solved.</param>
/// <param name="Count">Fixed points found.</param>
/// <param name="Stable">Of them, stable nodes and spirals.</param>
/// <param name="Points">Each point, its type and spectral radius.</param>
internal sealed record FixedPointFigures(string Method, int Kinks, double CellsBound, long Cells, int Count, int Stable, IReadOnlyList<FixedPointFigure> Points);

/// <summary>One fixed point: z [R], its type, the largest eigenvalue modulus of its Jacobian and ‖F(z) − z‖.</summary>
internal sealed record FixedPointFigure(double[] Z, string Stability, double SpectralRadius, double Residual);

/// <summary>One run of a sweep: its name, state, axis values (as written in the spec) and figures.</summary>
internal sealed record SweepRunFigures(string Run, string State, IReadOnlyDictionary<string, string> Axes, IReadOnlyDictionary<string, double> Figures);

/// <summary>One plot of a sweep report.</summary>
internal sealed record SweepPlotEntry(string Figure, string Axis);
