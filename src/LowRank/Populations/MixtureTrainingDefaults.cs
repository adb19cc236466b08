namespace LowRank.Populations;

/// <summary>
/// The settings <c>populations train</c> takes from the task where the user gives none: what trains each task's
/// mixture at the published rank to accuracy ≥ 0.95 for every seed (docs/benchmarks-lint.md, "Training defaults").
/// </summary>
/// <remarks>
/// <code>
/// task   P   start                        N       lr      ρ     why
/// cdi    2   generic                      2048    0.02    0     P = 1 stays context-blind; lr 0.01 stays on the plateau; draws of 512 units fell to 0.84
/// dms    2   dms-gating (rank 2, P = 2)   16384   0.002   0     generic starts never left the plateau; draws of 512 or 4096 units of the gating
///            generic (other ranks)        4096                  mixture fail (training at 4096 fell to 0.46); at 16384 the start meets the target
/// romo   1   generic                      512     0.02    1.5   ρ = 0 stops at 0.92
/// rdm    1   generic                      512     0.01    0     ρ = 1.5 stops at 0.87
/// </code>
/// </remarks>
/// <param name="Components">P.</param>
/// <param name="Units">N of the networks drawn while training and of the resampled network.</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="Overlap">ρ of the generic start.</param>
/// <param name="DesignedStart">The designed start at <see cref="Components"/> populations, or <see cref="DesignedStarts.Generic"/>.</param>
public sealed record MixtureTrainingDefaults(int Components, int Units, double LearningRate, double Overlap, string DesignedStart)
{
    /// <summary>The defaults of <paramref name="task"/> at <paramref name="rank"/>; unknown tasks get those of rdm (the task name is checked elsewhere).</summary>
    public static MixtureTrainingDefaults For(string task, int rank) => task switch
    {
        "cdi" => new(2, 2048, 0.02, 0, DesignedStarts.Generic),
        "dms" => rank == 2 ? new(2, 16384, 0.002, 0, DesignedStarts.DmsGatingName) : new(2, 4096, 0.002, 0, DesignedStarts.Generic),
        "romo" => new(1, 512, 0.02, 1.5, DesignedStarts.Generic),
        _ => new(1, 512, 0.01, 0, DesignedStarts.Generic),
    };

    /// <summary>The start to use with <paramref name="components"/> populations: the designed one where it fits, else generic.</summary>
    public string StartFor(int components) => components == Components ? DesignedStart : DesignedStarts.Generic;
}
