using System.Text.Json.Serialization;
using LowRank.Training;

namespace LowRank.Smc;

/// <summary>How one start of a multi-start fit scored on its training data.</summary>
/// <param name="Start">The start's index (0: the fit's own seed).</param>
/// <param name="Seed">The seed it was fitted with (<see cref="RestartsUntilTarget.AttemptSeed"/>).</param>
/// <param name="DStsp">Mean D_stsp of the 3 series it generated for the choice, scored against the training data (the criterion).</param>
/// <param name="DH">Mean D_H of the same series (reported, not used to choose).</param>
/// <param name="FinalObjective">Objective per step in its last epoch.</param>
public sealed record StartScore(int Start, long Seed, [property: JsonPropertyName("d_stsp")] double DStsp, [property: JsonPropertyName("d_h")] double DH, double FinalObjective);

/// <summary>The starts of a fit and which one was kept (absent from a one-start fit).</summary>
/// <param name="Chosen">Index of the kept start.</param>
/// <param name="Scores">Every start's score, in start order.</param>
/// <param name="WallSeconds">Wall time of all starts and their scoring.</param>
public sealed record StartsRecord(int Chosen, IReadOnlyList<StartScore> Scores, double WallSeconds);
