namespace LowRank.Numerics;

/// <summary>Angles in degrees on the circle: the angle of a vector, wrapped differences and the circular mean.</summary>
public static class Angles
{
    /// <summary>The angle of (x, y) = (cos θ, sin θ)·r in degrees, in [0, 360).</summary>
    public static double OfVector(double x, double y) => Normalise(Math.Atan2(y, x) * 180 / Math.PI);

    /// <summary><paramref name="degrees"/> brought into [0, 360).</summary>
    public static double Normalise(double degrees)
    {
        double wrapped = degrees % 360;
        wrapped = wrapped < 0 ? wrapped + 360 : wrapped;
        return wrapped >= 360 ? 0 : wrapped;
    }

    /// <summary>The signed difference <c>a − b</c> wrapped into (−180, 180] degrees.</summary>
    public static double Difference(double a, double b)
    {
        double d = Normalise(a - b);
        return d > 180 ? d - 360 : d;
    }

    /// <summary>The angle error |wrap(a − b)| in [0, 180] degrees.</summary>
    public static double Error(double a, double b) => Math.Abs(Difference(a, b));

    /// <summary>The circular mean <c>atan2(Σ sin θ, Σ cos θ)</c> of <paramref name="degrees"/> in [0, 360); NaN for none or a zero resultant.</summary>
    public static double CircularMean(IEnumerable<double> degrees)
    {
        ArgumentNullException.ThrowIfNull(degrees);
        double x = 0, y = 0;
        int count = 0;
        foreach (double d in degrees)
        {
            x += Math.Cos(d * Math.PI / 180);
            y += Math.Sin(d * Math.PI / 180);
            count++;
        }

        // A resultant far below one unit vector's rounding has no direction.
        return count == 0 || Math.Sqrt((x * x) + (y * y)) <= 1e-12 * count ? double.NaN : OfVector(x, y);
    }
}
