using System.Runtime.CompilerServices;

namespace LowRank.Model;

/// <summary>The unit nonlinearities φ(x; h) in double (the simulator; the filter has its own SIMD kernels with derivatives).</summary>
/// <remarks>
/// relu: <c>max(0, x − h)</c>; clipped relu: <c>max(0, x + h) − max(0, x)</c>;
/// tanh: <c>tanh(x − h)</c>; identity: <c>x − h</c>.
/// </remarks>
internal static class ActivationFunctions
{
    /// <summary>φ(x; h).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Value(Activation kind, double x, double h) => kind switch
    {
        Activation.Relu => Math.Max(0, x - h),
        Activation.ClippedRelu => Math.Max(0, x + h) - Math.Max(0, x),
        Activation.Tanh => Math.Tanh(x - h),
        _ => x - h,
    };

    /// <summary><c>rates[i] = φ(currents[i]; h[i])</c>.</summary>
    public static void Apply(Activation kind, ReadOnlySpan<double> currents, ReadOnlySpan<double> h, Span<double> rates)
    {
        if (currents.Length != h.Length || rates.Length != h.Length)
        {
            throw new ArgumentException($"currents ({currents.Length}), thresholds ({h.Length}) and rates ({rates.Length}) must have one entry per unit.");
        }

        for (int i = 0; i < rates.Length; i++)
        {
            rates[i] = Value(kind, currents[i], h[i]);
        }
    }
}
