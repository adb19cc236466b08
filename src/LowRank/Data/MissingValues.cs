namespace LowRank.Data;

/// <summary>
/// Missing observations: a NaN in a recording means "not observed" (docs/file-formats.md, "Missing values"). The
/// entry drops out of the likelihood; ±∞ is never a missing value and is refused on loading.
/// </summary>
public static class MissingValues
{
    /// <summary>Whether any entry of <paramref name="values"/> is NaN.</summary>
    public static bool Any(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
        {
            if (double.IsNaN(v))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Number of NaN entries of <paramref name="values"/>.</summary>
    public static int Count(ReadOnlySpan<double> values)
    {
        int count = 0;
        foreach (double v in values)
        {
            if (double.IsNaN(v))
            {
                count++;
            }
        }

        return count;
    }
}
