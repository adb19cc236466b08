using System.Runtime.CompilerServices;

namespace LowRank.Model;

/// <summary>Observation links g(η) and their derivatives (docs/model.md, "Observation models").</summary>
/// <remarks>identity: η; exp: e^η; softplus: ln(1 + e^η) + 1e−6; relu: max(0, η) + 1e−10.</remarks>
internal static class LinkFunctions
{
    /// <summary>g(η).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Value(Link link, double eta) => link switch
    {
        Link.Identity => eta,
        Link.Exp => Math.Exp(eta),
        Link.Softplus => Softplus(eta) + 1e-6,
        _ => Math.Max(0, eta) + 1e-10,
    };

    /// <summary>g'(η).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Slope(Link link, double eta) => link switch
    {
        Link.Identity => 1,
        Link.Exp => Math.Exp(eta),
        Link.Softplus => 1 / (1 + Math.Exp(-eta)),
        _ => eta > 0 ? 1 : 0,
    };

    /// <summary>The η where g(η) = <paramref name="value"/> &gt; 0, ignoring the small floors of softplus and relu.</summary>
    public static double Inverse(Link link, double value) => link switch
    {
        Link.Identity => value,
        Link.Exp => Math.Log(value),
        Link.Softplus => Math.Log(double.ExpM1(value)),
        _ => value,
    };

    /// <summary>ln(1 + e^η) without overflow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Softplus(double eta) => eta > 0 ? eta + Math.Log(1 + Math.Exp(-eta)) : Math.Log(1 + Math.Exp(eta));
}
