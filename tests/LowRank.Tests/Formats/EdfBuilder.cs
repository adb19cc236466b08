using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace LowRank.Tests.Formats;

/// <summary>One signal for <see cref="EdfBuilder"/>: digital samples, record by record.</summary>
internal sealed record EdfTestSignal(
    string Label, string Dimension, double PhysicalMin, double PhysicalMax, int DigitalMin, int DigitalMax, int SamplesPerRecord, short[] Digital);

/// <summary>
/// Writes EDF files byte by byte from the specification (Kemp et al. 1992; EDF+ 2003), independently
/// of the reader: fixed-width, space-padded ASCII header fields, then int16 little-endian records.
/// </summary>
internal static class EdfBuilder
{
    public static byte[] Build(
        IReadOnlyList<EdfTestSignal> signals, int records, double recordDuration,
        string reserved = "", string version = "0", int? recordField = null)
    {
        var header = new StringBuilder();
        int ns = signals.Count;
        header.Append(Field(version, 8)).Append(Field("X X X X", 80)).Append(Field("Startdate 22-NOV-2026 X X X", 80));
        header.Append(Field("22.11.26", 8)).Append(Field("20.00.00", 8));
        header.Append(Field(((ns + 1) * 256).ToString(CultureInfo.InvariantCulture), 8)).Append(Field(reserved, 44));
        header.Append(Field((recordField ?? records).ToString(CultureInfo.InvariantCulture), 8));
        header.Append(Field(recordDuration.ToString(CultureInfo.InvariantCulture), 8));
        header.Append(Field(ns.ToString(CultureInfo.InvariantCulture), 4));
        foreach (var s in signals) header.Append(Field(s.Label, 16));
        foreach (var _ in signals) header.Append(Field("AgAgCl electrode", 80));
        foreach (var s in signals) header.Append(Field(s.Dimension, 8));
        foreach (var s in signals) header.Append(Field(s.PhysicalMin.ToString(CultureInfo.InvariantCulture), 8));
        foreach (var s in signals) header.Append(Field(s.PhysicalMax.ToString(CultureInfo.InvariantCulture), 8));
        foreach (var s in signals) header.Append(Field(s.DigitalMin.ToString(CultureInfo.InvariantCulture), 8));
        foreach (var s in signals) header.Append(Field(s.DigitalMax.ToString(CultureInfo.InvariantCulture), 8));
        foreach (var _ in signals) header.Append(Field("HP:0.1Hz", 80));
        foreach (var s in signals) header.Append(Field(s.SamplesPerRecord.ToString(CultureInfo.InvariantCulture), 8));
        foreach (var _ in signals) header.Append(Field("", 32));

        var bytes = new List<byte>(Encoding.ASCII.GetBytes(header.ToString()));
        var sample = new byte[2];
        for (int r = 0; r < records; r++)
        {
            foreach (var s in signals)
            {
                for (int i = 0; i < s.SamplesPerRecord; i++)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(sample, s.Digital[r * s.SamplesPerRecord + i]);
                    bytes.AddRange(sample);
                }
            }
        }

        return [.. bytes];
    }

    /// <summary>Two 8 Hz EEG channels and an annotation channel, 3 records of 0.5 s.</summary>
    public static byte[] TwoChannels(string reserved = "EDF+C") => Build(
        [
            new("Fz", "uV", -100, 100, -2048, 2047, 4, [.. Enumerable.Range(0, 12).Select(i => (short)(i * 100 - 600))]),
            new("Cz", "uV", -50, 150, 0, 1000, 4, [.. Enumerable.Range(0, 12).Select(i => (short)(i * 10))]),
            new("EDF Annotations", "", -1, 1, -32768, 32767, 8, new short[24]),
        ],
        records: 3,
        recordDuration: 0.5,
        reserved: reserved);

    /// <summary>The physical value EDF defines for digital value <paramref name="d"/>.</summary>
    public static double Physical(EdfTestSignal s, double d) =>
        s.PhysicalMin + (d - s.DigitalMin) * (s.PhysicalMax - s.PhysicalMin) / (s.DigitalMax - s.DigitalMin);

    private static string Field(string text, int width) => text.Length > width ? text[..width] : text.PadRight(width);
}
