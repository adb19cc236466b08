using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace LowRank.Formats;

/// <summary>One signal of an EDF file, scaled to physical units.</summary>
/// <param name="Label">Signal label, trimmed (e.g. <c>Fc5.</c>, <c>EDF Annotations</c>).</param>
/// <param name="PhysicalDimension">Unit of <paramref name="Values"/>, e.g. <c>uV</c>.</param>
/// <param name="SampleRate">Samples per second.</param>
/// <param name="Values">Physical values, one per sample; empty for signals that were not selected.</param>
public sealed record EdfSignal(string Label, string PhysicalDimension, double SampleRate, double[] Values)
{
    /// <summary>True for the EDF+ annotation channel, which holds text, not samples.</summary>
    public bool IsAnnotation => Label == Edf.AnnotationLabel;
}

/// <summary>An EDF or EDF+ (continuous) file: the recording's start and its signals.</summary>
public sealed record EdfFile(string PatientId, string RecordingId, string StartDate, string StartTime, double RecordDuration, int RecordCount, EdfSignal[] Signals);

/// <summary>
/// Reads European Data Format files (EDF, and continuous EDF+ "EDF+C"): a 256-byte ASCII header, 256
/// header bytes per signal, then data records in which each signal contributes its samples as
/// little-endian 16-bit integers. Digital values d become physical values
/// <c>pmin + (d − dmin) · (pmax − pmin) / (dmax − dmin)</c>.
/// </summary>
public static class Edf
{
    /// <summary>The label of the EDF+ annotation signal.</summary>
    public const string AnnotationLabel = "EDF Annotations";

    private const int FixedHeaderBytes = 256;
    private const int SignalHeaderBytes = 256;

    /// <summary>
    /// Reads the EDF file at <paramref name="path"/>; only the signals <paramref name="select"/> accepts
    /// (all when null) get their values decoded, the others come back with empty <see cref="EdfSignal.Values"/>.
    /// </summary>
    public static EdfFile Read(string path, Func<string, bool>? select = null)
    {
        using FileStream stream = DataFile.OpenRead(path);
        return ReadFrom(stream, $"EDF '{path}'", select);
    }

    /// <summary>
    /// Reads the header of the EDF file at <paramref name="path"/> (labels, units, sample rates; checked as
    /// <see cref="Read(string, Func{string, bool}?)"/> checks them) without decoding samples: every
    /// <see cref="EdfSignal.Values"/> is empty.
    /// </summary>
    public static EdfFile ReadHeader(string path)
    {
        using FileStream stream = DataFile.OpenRead(path);
        return ReadFrom(stream, $"EDF '{path}'", static _ => false);
    }

    /// <summary>
    /// Reads an EDF file from <paramref name="stream"/> (seekable: its length bounds the data records);
    /// <paramref name="name"/> identifies it in error messages, <paramref name="select"/> as for <see cref="Read(string, Func{string, bool}?)"/>.
    /// </summary>
    public static EdfFile Read(Stream stream, string name, Func<string, bool>? select = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("EDF reading needs a seekable stream (its length bounds the data records).", nameof(stream));
        }

        return ReadFrom(stream, $"EDF '{name}'", select);
    }

    private static EdfFile ReadFrom(Stream stream, string source, Func<string, bool>? select)
    {
        byte[] fixedHeader = ReadBlock(stream, FixedHeaderBytes, source, "header");
        var header = new FieldReader(fixedHeader, source);
        string version = header.Text(8);
        if (version != "0")
        {
            throw new InputException(
                $"{source} is not an EDF file: its version field is '{version}', not '0'.",
                "lowrank reads 16-bit EDF and EDF+ files; convert BDF or other formats to EDF first (e.g. with MNE-Python).");
        }

        string patient = header.Text(80);
        string recording = header.Text(80);
        string startDate = header.Text(8);
        string startTime = header.Text(8);
        int headerBytes = header.Integer(8, "number of header bytes");
        string reserved = header.Text(44);
        int recordCount = header.Integer(8, "number of data records");
        double recordDuration = header.Number(8, "duration of a data record");
        int signalCount = header.Integer(4, "number of signals");
        if (reserved.StartsWith("EDF+D", StringComparison.Ordinal))
        {
            throw new InputException(
                $"{source} is a discontinuous EDF+ file (EDF+D); lowrank reads continuous recordings only.",
                "export the continuous segments as separate EDF+C files.");
        }

        if (signalCount <= 0 || headerBytes != FixedHeaderBytes + signalCount * SignalHeaderBytes || recordDuration <= 0)
        {
            throw new InputException(
                $"{source} has an inconsistent header: {signalCount} signals, {headerBytes} header bytes, records of {recordDuration} s.",
                "the header needs at least one signal, 256 × (signals + 1) header bytes and a positive record duration; export the file again.");
        }

        byte[] signalHeader = ReadBlock(stream, signalCount * SignalHeaderBytes, source, "signal headers");
        var fields = new FieldReader(signalHeader, source);
        string[] labels = fields.Texts(signalCount, 16);
        fields.Skip(signalCount * 80); // transducer type
        string[] dimensions = fields.Texts(signalCount, 8);
        double[] physicalMin = fields.Numbers(signalCount, 8, "physical minimum");
        double[] physicalMax = fields.Numbers(signalCount, 8, "physical maximum");
        double[] digitalMin = fields.Numbers(signalCount, 8, "digital minimum");
        double[] digitalMax = fields.Numbers(signalCount, 8, "digital maximum");
        fields.Skip(signalCount * 80); // prefiltering
        int[] samplesPerRecord = fields.Integers(signalCount, 8, "number of samples per record");

        long recordBytes = 0;
        for (int s = 0; s < signalCount; s++)
        {
            if (samplesPerRecord[s] <= 0 || (labels[s] != AnnotationLabel && digitalMax[s] <= digitalMin[s]))
            {
                throw new InputException(
                    $"{source} signal '{labels[s]}' has {samplesPerRecord[s]} samples per record and digital range [{digitalMin[s]}, {digitalMax[s]}].",
                    "each signal needs a positive sample count and digital maximum above its minimum; export the file again.");
            }

            if (labels[s] != AnnotationLabel && physicalMax[s] == physicalMin[s])
            {
                string unit = dimensions[s].Length > 0 ? " " + dimensions[s] : "";
                throw new InputException(
                    $"{source} signal '{labels[s]}' has physical minimum and maximum both {physicalMin[s]}{unit}, so every sample would read as {physicalMin[s]}{unit}.",
                    "give the signal the physical values its digital minimum and maximum stand for (e.g. in EDFbrowser's header editor), or export the file again.");
            }

            recordBytes += 2L * samplesPerRecord[s];
        }

        if (recordCount < -1)
        {
            throw new InputException(
                $"{source} header field 'number of data records' is {recordCount}; it must be a count, or -1 while recording.",
                "the file is damaged or not EDF; export it again.");
        }

        long available = stream.Length - stream.Position;
        if (recordCount == -1)
        {
            recordCount = (int)(available / recordBytes); // not known when recording stopped: as many as the file holds
        }

        if (recordCount * recordBytes > available)
        {
            throw new InputException(
                $"{source} is truncated: its header promises {recordCount} data records of {recordBytes} bytes but only {available} bytes follow the header.",
                "the file was cut short (an interrupted copy or download?); copy or export it again.");
        }

        if (recordCount > 0 && recordBytes > Array.MaxLength)
        {
            throw new InputException(
                $"{source} has data records of {recordBytes} bytes, more than one buffer can hold ({Array.MaxLength}).",
                "its samples per record are implausible; export the file again with shorter data records.");
        }

        bool[] decode = new bool[signalCount];
        var values = new double[signalCount][];
        for (int s = 0; s < signalCount; s++)
        {
            decode[s] = labels[s] != AnnotationLabel && (select?.Invoke(labels[s]) ?? true);
            long samples = (long)recordCount * samplesPerRecord[s];
            if (decode[s] && samples > Array.MaxLength)
            {
                throw new InputException(
                    $"{source} signal '{labels[s]}' has {samples} samples, more than one array can hold ({Array.MaxLength}).",
                    "split the recording into shorter files.");
            }

            values[s] = decode[s] ? new double[samples] : [];
        }

        // A record fits in what follows the header (checked above), so the buffer is no larger than the file.
        bool any = Array.IndexOf(decode, true) >= 0;
        var record = new byte[recordCount > 0 && any ? recordBytes : 0];
        for (int r = 0; r < recordCount && any; r++)
        {
            stream.ReadExactly(record);
            int offset = 0;
            for (int s = 0; s < signalCount; s++)
            {
                int count = samplesPerRecord[s];
                if (decode[s])
                {
                    double gain = (physicalMax[s] - physicalMin[s]) / (digitalMax[s] - digitalMin[s]);
                    double bias = physicalMin[s] - gain * digitalMin[s];
                    Span<double> destination = values[s].AsSpan(r * count, count);
                    for (int i = 0; i < count; i++)
                    {
                        destination[i] = gain * BinaryPrimitives.ReadInt16LittleEndian(record.AsSpan(offset + 2 * i)) + bias;
                    }
                }

                offset += 2 * count;
            }
        }

        var signals = new EdfSignal[signalCount];
        for (int s = 0; s < signalCount; s++)
        {
            signals[s] = new EdfSignal(labels[s], dimensions[s], samplesPerRecord[s] / recordDuration, values[s]);
        }

        return new EdfFile(patient, recording, startDate, startTime, recordDuration, recordCount, signals);
    }

    private static byte[] ReadBlock(Stream stream, int length, string source, string what)
    {
        var block = new byte[length];
        int read = DataFile.ReadUpTo(stream, block);
        if (read < length)
        {
            throw new InputException(
                $"{source} is too short for an EDF {what}: it needs {length} bytes but only {read} remain.",
                "check that the file is an EDF recording and was copied completely.");
        }

        return block;
    }

    /// <summary>Reads consecutive fixed-width ASCII fields.</summary>
    private sealed class FieldReader(byte[] bytes, string source)
    {
        private int _position;

        public string Text(int width)
        {
            string text = Encoding.ASCII.GetString(bytes, _position, width).Trim();
            _position += width;
            return text;
        }

        public string[] Texts(int count, int width)
        {
            var texts = new string[count];
            for (int i = 0; i < count; i++)
            {
                texts[i] = Text(width);
            }

            return texts;
        }

        public void Skip(int width) => _position += width;

        public double Number(int width, string field)
        {
            string text = Text(width);
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            {
                throw new InputException(
                    $"{source} header field '{field}' is '{text}', not a number.",
                    "the file is damaged or not EDF; export it again.");
            }

            return value;
        }

        public int Integer(int width, string field)
        {
            double value = Number(width, field);
            if (value != Math.Floor(value) || Math.Abs(value) > int.MaxValue)
            {
                throw new InputException(
                    $"{source} header field '{field}' is {value}, not an integer.",
                    "the file is damaged or not EDF; export it again.");
            }

            return (int)value;
        }

        public int[] Integers(int count, int width, string field)
        {
            var numbers = new int[count];
            for (int i = 0; i < count; i++)
            {
                numbers[i] = Integer(width, field);
            }

            return numbers;
        }

        public double[] Numbers(int count, int width, string field)
        {
            var numbers = new double[count];
            for (int i = 0; i < count; i++)
            {
                numbers[i] = Number(width, field);
            }

            return numbers;
        }
    }
}
