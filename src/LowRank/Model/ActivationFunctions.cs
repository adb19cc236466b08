using System.Runtime.CompilerServices;

namespace LowRank.Model;

/// <summary>The unit nonlinearities φ(x; h) and their derivatives ∂φ/∂x (= −∂φ/∂h, except clipped relu).</summary>
/// <remarks>
/// relu: <c>max(0, x − h)</c>; clipped relu: <c>max(0, x + h) − max(0, x)</c>;
/// tanh: <c>tanh(x − h)</c>; identity: <c>x − h</c>.
/// Derivatives at kinks take the right-hand value of the indicator (x &gt; kink).
/// </remarks>
public static class ActivationFunctions
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

    /// <summary>∂φ/∂x at (x; h).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SlopeX(Activation kind, double x, double h) => kind switch
    {
        Activation.Relu => x > h ? 1 : 0,
        Activation.ClippedRelu => (x + h > 0 ? 1 : 0) - (x > 0 ? 1 : 0),
        Activation.Tanh => 1 - Square(Math.Tanh(x - h)),
        _ => 1,
    };

    /// <summary>∂φ/∂h at (x; h).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SlopeH(Activation kind, double x, double h) => kind switch
    {
        Activation.Relu => x > h ? -1 : 0,
        Activation.ClippedRelu => x + h > 0 ? 1 : 0,
        Activation.Tanh => -(1 - Square(Math.Tanh(x - h))),
        _ => -1,
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

    private static double Square(double v) => v * v;
}
