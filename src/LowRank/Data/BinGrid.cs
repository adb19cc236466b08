using System.Globalization;

namespace LowRank.Data;

/// <summary>
/// Bins <c>[t0 + k·w, t0 + (k+1)·w)</c> of width w from t0, with the bin of a time decided exactly at the edges.
/// </summary>
/// <remarks>
/// <see cref="IndexOf"/> effectively computes <c>k = ⌊(t − t0)/w⌋</c> on the decimal values that t, t0 and w print as
/// (their shortest round-trip form: what NumPy and .NET print). In double precision <c>(0.3 − 0)/0.1</c> is
/// 2.9999999999999996 and would put a spike at 0.3 s into bin 2; on the decimals it is exactly 3. The quotient in
/// double is off by a few units in the last place of the inputs, so only a quotient within 1e-9 (relative to the
/// magnitudes involved) of a whole number is decided again in <see cref="decimal"/>, without allocating; times beyond
/// ±10¹⁵ s, where no decimal check is possible, keep the double quotient.
/// </remarks>
internal readonly struct BinGrid
{
    private const double DecimalLimit = 1e15;
    private readonly decimal _originDecimal, _widthDecimal;
    private readonly bool _exact;

    /// <summary>The grid from <paramref name="origin"/> in steps of <paramref name="width"/> (positive, finite).</summary>
    public BinGrid(double origin, double width)
    {
        if (!(width > 0) || !double.IsFinite(width) || !double.IsFinite(origin))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "a bin grid needs a finite origin and a positive, finite width.");
        }

        Origin = origin;
        Width = width;
        _exact = TryDecimal(origin, out _originDecimal) & TryDecimal(width, out _widthDecimal) && _widthDecimal > 0;
    }

    /// <summary>t0, seconds.</summary>
    public double Origin { get; }

    /// <summary>w, seconds.</summary>
    public double Width { get; }

    /// <summary>The bin holding <paramref name="t"/>: <c>⌊(t − t0)/w⌋</c>, exact at the edges (negative before t0).</summary>
    public long IndexOf(double t)
    {
        double q = (t - Origin) / Width;
        double whole = Math.Round(q);
        double tolerance = 1e-9 * (1 + Math.Abs(q) + (Math.Abs(t) + Math.Abs(Origin)) / Width);
        if (!_exact || Math.Abs(q - whole) > tolerance || Math.Abs(whole) > DecimalLimit || !TryDecimal(t, out decimal time))
        {
            return (long)Math.Floor(q);
        }

        // t lies on or next to the edge t0 + n·w: decide on which side, exactly.
        decimal offset = time - _originDecimal - (decimal)whole * _widthDecimal;
        return offset >= 0 ? (long)whole : (long)whole - 1;
    }

    /// <summary>The edge <c>t0 + k·w</c>: the double nearest its decimal value, so <see cref="IndexOf"/> of it is <paramref name="k"/>.</summary>
    public double Edge(long k) =>
        _exact && Math.Abs((double)k) <= DecimalLimit
            ? double.Parse((_originDecimal + k * _widthDecimal).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) // correctly rounded
            : Origin + k * Width;

    /// <summary>
    /// The shortest decimal that reads back as <paramref name="value"/> (as "R" prints it); false beyond ±10¹⁵ or when
    /// the digits do not fit a <see cref="decimal"/>.
    /// </summary>
    private static bool TryDecimal(double value, out decimal result)
    {
        result = 0;
        if (!(Math.Abs(value) <= DecimalLimit))
        {
            return false;
        }

        Span<char> text = stackalloc char[32];
        return value.TryFormat(text, out int length, "R", CultureInfo.InvariantCulture)
            && decimal.TryParse(text[..length], NumberStyles.Float, CultureInfo.InvariantCulture, out result)
            && (result != 0 || value == 0);
    }
}
