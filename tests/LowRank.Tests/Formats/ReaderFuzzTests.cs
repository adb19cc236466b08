using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LowRank.Formats;
using Xunit.Abstractions;

namespace LowRank.Tests.Formats;

/// <summary>
/// Random mutations and truncations of valid files give either a successful read or an <see cref="InputException"/>,
/// never another exception, each within a time and an allocation bound (<see cref="FileFuzzer"/>). Each reader is read
/// through the stream overload its path overload uses, so nothing touches the disk.
/// </summary>
public sealed class ReaderFuzzTests(ITestOutputHelper output)
{
    /// <summary>The CsCheck seed every run draws its cases from: the same mutants on every machine.</summary>
    private const string Seed = "0LowRankFuzz";
    private const int Cases = 10_000;

    /// <summary>
    /// Seeds are at most a few KiB and read in well under a millisecond: a read that takes a second is looping or
    /// decoding what it should have refused, and one that allocates 64 MiB believed a size it should have checked.
    /// </summary>
    private static readonly FuzzBounds Bounds = new(TimeSpan.FromSeconds(1), 64L << 20, Hang: TimeSpan.FromSeconds(60));

    [Fact]
    public void NpyReader()
    {
        FuzzSeed[] seeds =
        [
            WrittenNpy("f8 [3, 2]", [3, 2], DType.Float64),
            WrittenNpy("f4 [5]", [5], DType.Float32),
            WrittenNpy("f8 []", [], DType.Float64),
            WrittenNpy("f8 [2, 0, 3]", [2, 0, 3], DType.Float64),
            .. new[] { "i4_1d", "u1_1d", "b1_1d", "fortran_i4_2d", "fortran_f8_3d", "v2_f8_2d", "v3_f8_2d" }
                .Select(name => NpySeed($"numpy {name}.npy", File.ReadAllBytes(Fixtures.Npy(name + ".npy")))),
        ];
        Fuzz(seeds, bytes => Npy.Read(new MemoryStream(bytes), "fuzz.npy"));
    }

    [Fact]
    public void NpzReader()
    {
        FuzzSeed[] seeds =
        [
            WrittenNpz("stored f8 data + inputs", DType.Float64, compressed: false),
            WrittenNpz("deflated f8 data + inputs", DType.Float64, compressed: true),
            WrittenNpz("stored f4 data + inputs", DType.Float32, compressed: false),
            NpzSeed("numpy mixed_stored.npz", File.ReadAllBytes(Fixtures.Npz("mixed_stored.npz"))),
            NpzSeed("numpy recording_compressed.npz", File.ReadAllBytes(Fixtures.Npz("recording_compressed.npz"))),
        ];
        Fuzz(seeds, bytes => Npz.Read(new MemoryStream(bytes), "fuzz.npz"));
    }

    [Fact]
    public void CsvReader()
    {
        FuzzSeed[] seeds =
        [
            CsvSeed("two columns", "left,right\n1,2\n3,4\n"),
            CsvSeed("quoted, padded, CRLF, NaN", "\"a\", b ,c\r\n1.5,-2e3,NaN\r\n\r\n4,5,Infinity\r\n-0.25,1E-3,7\r\n"),
            CsvSeed("one column", "x\n1\n2\n3\n"),
            CsvSeed("byte order mark", "\uFEFFt,u\n0.1,0.2\n"),
        ];
        Fuzz(seeds, bytes => Csv.ReadTable(new MemoryStream(bytes), "fuzz.csv"));
    }

    [Fact]
    public void EdfReader()
    {
        FuzzSeed[] seeds =
        [
            EdfSeed("EDF+C, two signals and annotations", EdfBuilder.TwoChannels()),
            EdfSeed("plain EDF, two signals and annotations", EdfBuilder.TwoChannels("")),
            EdfSeed("one signal, record count -1", EdfBuilder.Build(
                [new("A", "mV", -1, 1, -32768, 32767, 3, [1, -2, 3, 32767, -32768, 0])], records: 2, recordDuration: 1, recordField: -1)),
        ];
        // The header-only read (no signal selected, as --channels resolves labels first) and the full read.
        Fuzz(seeds, bytes =>
        {
            Edf.Read(new MemoryStream(bytes), "fuzz.edf", static _ => false);
            Edf.Read(new MemoryStream(bytes), "fuzz.edf");
        });
    }

    [Fact]
    public void NwbReader() => Fuzz(
        [Hdf5Seed("h5py units.nwb", File.ReadAllBytes(Fixtures.Nwb("units.nwb")))],
        bytes => Nwb.ReadUnits(new MemoryStream(bytes), "fuzz.nwb"),
        Bounds with { Known = PureHdfAllocation });

    /// <summary>
    /// PureHDF 2.2.0 allocates the buffer a length field of a structure claims (a link name, an attribute's data, a
    /// local heap) before it reads it; the NWB reader refuses the read that follows, but only after that allocation of up
    /// to 2 GiB, which can also take seconds. Fixing it needs PureHDF to check lengths, or an HDF5 reader that does.
    /// </summary>
    private static readonly KnownOverrun PureHdfAllocation = new(
        "PureHDF allocates what a damaged length field claims before the NWB reader can refuse the read",
        new Regex("^NWB 'fuzz.nwb' is not a readable HDF5 file \\(a structure at byte [0-9]+ needs [0-9]+ bytes, but the file ends at byte [0-9]+\\)\\.$"),
        MaxCases: 5);

    private void Fuzz(FuzzSeed[] seeds, Action<byte[]> read, FuzzBounds? bounds = null)
    {
        FuzzSummary summary = FileFuzzer.Run(seeds, read, Cases, Seed, bounds ?? Bounds);
        output.WriteLine(summary.ToString());
        Assert.Equal(Cases, summary.Read + summary.Refused);
        // Both outcomes occur, so the mutants reach past the first check and the reader's checks do fire.
        Assert.InRange(summary.Read, 1, Cases - 1);
        Assert.InRange(summary.Refused, 1, Cases - 1);
    }

    // ---- npy ------------------------------------------------------------------------------------

    private static FuzzSeed WrittenNpy(string name, int[] shape, DType type)
    {
        var data = new double[NdArray.CountElements(shape)];
        for (int k = 0; k < data.Length; k++)
        {
            data[k] = k / 7.0 - 1;
        }

        using var stream = new MemoryStream();
        Npy.Write(stream, new NdArray(shape, data), type);
        return NpySeed($"written {name}", stream.ToArray());
    }

    private static FuzzSeed NpySeed(string name, byte[] bytes) => new(name, bytes, NpyFields(bytes, 0, ""));

    private static readonly string[] Dimensions =
        ["0", "1", "7", "65536", "16777216", "268435455", "2147483591", "2147483647", "2147483648", "4294967296", "99999999999999999999", "-1", "", "1,", "3L", " 2 ", "1e3", "0x10"];

    private static readonly string[] Shapes =
        ["()", "(1,)", "(,)", "(100000000,)", "(2147483591,)", "(2147483647, 2147483647)", "(46341, 46341)", "(0, 2147483647, 2147483647)", "(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)", "(", "[3, 2]", "(3 2)"];

    private static readonly string[] Descrs =
        ["<f8", "<f4", "<i4", "<i8", "|u1", "|b1", "|i1", "<i2", "<u2", "<u4", "<u8", ">f8", "|f8", "<f2", "<c16", "|O", "<U5", "|V8", "", "<M8[ns]", "f8", "=f8"];

    /// <summary>The header fields of the npy file that starts at <paramref name="start"/>: version, header length, descr, fortran_order, shape and each dimension.</summary>
    private static List<FuzzField> NpyFields(byte[] bytes, int start, string prefix)
    {
        var fields = new List<FuzzField>
        {
            new($"{prefix}npy version", start + 6, 2, [[1, 0], [2, 0], [3, 0], [4, 0], [1, 1], [0, 0]]),
        };
        int lengthBytes = bytes[start + 6] == 1 ? 2 : 4;
        int headerLength = lengthBytes == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(start + 8))
            : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(start + 8));
        fields.Add(new($"{prefix}npy header length", start + 8, lengthBytes, IntegerValues(headerLength, lengthBytes, bytes.Length)));

        int textStart = start + 8 + lengthBytes;
        string text = Encoding.Latin1.GetString(bytes, textStart, headerLength);
        int descr = text.IndexOf("'descr': '", StringComparison.Ordinal) + "'descr': '".Length;
        fields.Add(TextField($"{prefix}npy descr", textStart + descr, text.IndexOf('\'', descr) - descr, Descrs) with { Padded = true });
        int fortran = text.IndexOf("'fortran_order': ", StringComparison.Ordinal) + "'fortran_order': ".Length;
        fields.Add(TextField($"{prefix}npy fortran_order", textStart + fortran, text.IndexOf(',', fortran) - fortran, ["True", "False", "None", "1", ""]) with { Padded = true });
        int shape = text.IndexOf("'shape': ", StringComparison.Ordinal) + "'shape': ".Length;
        fields.Add(TextField($"{prefix}npy shape", textStart + shape, text.IndexOf(')', shape) + 1 - shape, Shapes) with { Padded = true });
        for (int i = shape + 1, axis = 0; text[i] != ')'; axis++)
        {
            int end = i;
            while (char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            fields.Add(TextField($"{prefix}npy shape[{axis}]", textStart + i, end - i, Dimensions) with { Padded = true });
            i = end;
            while (text[i] is ',' or ' ')
            {
                i++;
            }
        }

        return fields;
    }

    // ---- npz ------------------------------------------------------------------------------------

    private static FuzzSeed WrittenNpz(string name, DType type, bool compressed)
    {
        double[] Values(int count) => [.. Enumerable.Range(0, count).Select(k => Math.Sin(k))];
        using var stream = new MemoryStream();
        Npz.Write(stream, [new("data", new NdArray([2, 5, 3], Values(30))), new("inputs", new NdArray([2, 5, 1], Values(10)))], type, compressed);
        return NpzSeed($"written {name}", stream.ToArray());
    }

    /// <summary>Zip fields of every local header, central directory entry and the end record, and the npy fields of stored members.</summary>
    private static FuzzSeed NpzSeed(string name, byte[] bytes)
    {
        var fields = new List<FuzzField>();
        void Integer(string field, int offset, int width) =>
            fields.Add(new(field, offset, width, IntegerValues(ReadLittleEndian(bytes, offset, width), width, bytes.Length)));
        byte[][] methods = [[0, 0], [8, 0], [9, 0], [12, 0], [14, 0], [99, 0], [0xFF, 0xFF]];

        foreach (int at in Find(bytes, [0x50, 0x4B, 3, 4]))
        {
            Integer($"local header at {at}: flags", at + 6, 2);
            fields.Add(new($"local header at {at}: method", at + 8, 2, methods));
            Integer($"local header at {at}: crc", at + 14, 4);
            Integer($"local header at {at}: compressed size", at + 18, 4);
            Integer($"local header at {at}: size", at + 22, 4);
            Integer($"local header at {at}: name length", at + 26, 2);
            Integer($"local header at {at}: extra length", at + 28, 2);
        }

        foreach (int at in Find(bytes, [0x50, 0x4B, 1, 2]))
        {
            Integer($"central entry at {at}: flags", at + 8, 2);
            fields.Add(new($"central entry at {at}: method", at + 10, 2, methods));
            Integer($"central entry at {at}: crc", at + 16, 4);
            Integer($"central entry at {at}: compressed size", at + 20, 4);
            Integer($"central entry at {at}: size", at + 24, 4);
            Integer($"central entry at {at}: name length", at + 28, 2);
            Integer($"central entry at {at}: extra length", at + 30, 2);
            Integer($"central entry at {at}: comment length", at + 32, 2);
            Integer($"central entry at {at}: local header offset", at + 42, 4);
            int nameLength = (int)ReadLittleEndian(bytes, at + 28, 2);
            fields.Add(TextField($"central entry at {at}: name", at + 46, nameLength, ["data.npy", "x.txt", "dir/", "../a.npy", ".npy", "data.npy\0"]));
        }

        foreach (int at in Find(bytes, [0x50, 0x4B, 5, 6]))
        {
            Integer("end record: entries on disk", at + 8, 2);
            Integer("end record: entries", at + 10, 2);
            Integer("end record: directory size", at + 12, 4);
            Integer("end record: directory offset", at + 16, 4);
            Integer("end record: comment length", at + 20, 2);
        }

        foreach (int at in Find(bytes, [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y']))
        {
            fields.AddRange(NpyFields(bytes, at, $"member at {at}: "));
        }

        return new FuzzSeed(name, bytes, fields);
    }

    // ---- csv ------------------------------------------------------------------------------------

    private static readonly string[] Cells =
        ["", "abc", "NaN", "-Infinity", "1e999", "1,2", "\"x\"", "\n", "\r", "0x10", "1_000", "\u0661", "1.5.2", " ", ",", "\"", "\0", new string('9', 400)];

    /// <summary>Every cell of the table is a field.</summary>
    private static FuzzSeed CsvSeed(string name, string text)
    {
        byte[] bytes = [.. Encoding.UTF8.GetPreamble().AsSpan(0, text.StartsWith('\uFEFF') ? 3 : 0), .. Encoding.UTF8.GetBytes(text.TrimStart('\uFEFF'))];
        int offset = text.StartsWith('\uFEFF') ? 3 : 0;
        var fields = new List<FuzzField>();
        int start = offset;
        for (int i = offset; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] is (byte)',' or (byte)'\n' or (byte)'\r')
            {
                if (i > start)
                {
                    fields.Add(TextField($"cell at {start}", start, i - start, Cells));
                }

                start = i + 1;
            }
        }

        return new FuzzSeed(name, bytes, fields);
    }

    // ---- edf ------------------------------------------------------------------------------------

    private static readonly string[] Numbers =
        ["0", "-1", "1", "-0", "0.5", "1e308", "1E-300", "99999999", "-9999999", "2147483648", "nan", "inf", "", "abc", "+5", "1,5", "2"];

    /// <summary>The fixed header's numeric and identifying fields, and every field of every signal header.</summary>
    private static FuzzSeed EdfSeed(string name, byte[] bytes)
    {
        int signals = int.Parse(Encoding.ASCII.GetString(bytes, 252, 4), CultureInfo.InvariantCulture);
        var fields = new List<FuzzField>
        {
            TextField("version", 0, 8, ["0", "1", "BIOSEMI", ""]),
            TextField("header bytes", 184, 8, [.. Numbers, "256", "512", "768", "1024"]),
            TextField("reserved", 192, 44, ["EDF+C", "EDF+D", "", "BDF+C"]),
            TextField("number of records", 236, 8, Numbers),
            TextField("record duration", 244, 8, Numbers),
            TextField("number of signals", 252, 4, ["0", "1", "2", "3", "4", "9999", "-1", "", "x"]),
        };
        (string Field, int Width)[] layout =
        [
            ("label", 16), ("transducer", 80), ("dimension", 8), ("physical minimum", 8), ("physical maximum", 8),
            ("digital minimum", 8), ("digital maximum", 8), ("prefiltering", 80), ("samples per record", 8), ("reserved", 32),
        ];
        int offset = 256;
        foreach ((string field, int width) in layout)
        {
            for (int s = 0; s < signals; s++)
            {
                // The value of the same field of the other signals, so that e.g. a physical maximum can equal a minimum.
                string[] values = field == "label" ? ["EDF Annotations", "Fz", ""] : [.. Numbers, .. OtherFieldsOfSignal(bytes, signals, s)];
                fields.Add(TextField($"signal {s} {field}", offset + s * width, width, values, pad: true));
            }

            offset += signals * width;
        }

        return new FuzzSeed(name, bytes, fields);
    }

    /// <summary>The physical and digital extremes of signal <paramref name="s"/>, as they stand in its header.</summary>
    private static IEnumerable<string> OtherFieldsOfSignal(byte[] bytes, int signals, int s)
    {
        int physicalMinimum = 256 + 104 * signals;
        for (int k = 0; k < 4; k++)
        {
            yield return Encoding.ASCII.GetString(bytes, physicalMinimum + (k * signals + s) * 8, 8).Trim();
        }
    }

    // ---- hdf5 / nwb -----------------------------------------------------------------------------

    /// <summary>
    /// The fields the NWB reader itself interprets: the version 0 superblock (signature search, end-of-file address,
    /// offset sizes, root group) and, in every version 1 object header, each message's type and size and the
    /// dataspace extents, datatype class and size and data layout of the datasets.
    /// </summary>
    private static FuzzSeed Hdf5Seed(string name, byte[] bytes)
    {
        var fields = new List<FuzzField>();
        void Integer(string field, int offset, int width) =>
            fields.Add(new(field, offset, width, IntegerValues(ReadLittleEndian(bytes, offset, width), width, bytes.Length)));
        foreach ((string field, int offset, int width) in new[]
        {
            ("superblock version", 8, 1), ("superblock offset size", 13, 1), ("superblock length size", 14, 1),
            ("superblock group leaf K", 16, 2), ("superblock group internal K", 18, 2), ("superblock flags", 20, 4),
            ("superblock base address", 24, 8), ("superblock free-space address", 32, 8), ("superblock end-of-file address", 40, 8),
            ("superblock driver information address", 48, 8), ("root entry name offset", 56, 8), ("root entry object header address", 64, 8),
            ("root entry cache type", 72, 4), ("root entry B-tree address", 80, 8), ("root entry heap address", 88, 8),
        })
        {
            Integer(field, offset, width);
        }

        foreach (int header in VersionOneObjectHeaders(bytes))
        {
            int size = (int)ReadLittleEndian(bytes, header + 8, 4);
            for (int message = header + 16; message < header + 16 + size;)
            {
                int type = (int)ReadLittleEndian(bytes, message, 2);
                int length = (int)ReadLittleEndian(bytes, message + 2, 2);
                string at = $"object header at {header}, message {type:x} at {message}";
                Integer($"{at}: type", message, 2);
                Integer($"{at}: size", message + 2, 2);
                int data = message + 8;
                switch (type)
                {
                    case 0x1: // dataspace: version, rank, flags, 5 reserved, then the extents and maximum extents
                        Integer($"{at}: rank", data + 1, 1);
                        for (int axis = 0; axis < 2 * bytes[data + 1] && data + 16 + 8 * axis <= message + 8 + length; axis++)
                        {
                            Integer($"{at}: extent {axis}", data + 8 + 8 * axis, 8);
                        }

                        break;
                    case 0x3: // datatype: class and version, bit field, size
                        Integer($"{at}: class and version", data, 1);
                        Integer($"{at}: element size", data + 4, 4);
                        break;
                    case 0x8: // data layout version 3: class, then a contiguous layout's address and size
                        Integer($"{at}: layout version", data, 1);
                        Integer($"{at}: layout class", data + 1, 1);
                        Integer($"{at}: data address", data + 2, 8);
                        Integer($"{at}: data size", data + 10, 8);
                        break;
                }

                message += 8 + length;
            }
        }

        return new FuzzSeed(name, bytes, fields);
    }

    /// <summary>
    /// Offsets of the version 1 object headers: 8-aligned, version 1, a message count and reference count, and messages
    /// (type, size, flags) that exactly fill the header size.
    /// </summary>
    private static IEnumerable<int> VersionOneObjectHeaders(byte[] bytes)
    {
        for (int at = 0; at + 16 <= bytes.Length; at += 8)
        {
            long messages = ReadLittleEndian(bytes, at + 2, 2);
            long references = ReadLittleEndian(bytes, at + 4, 4);
            long size = ReadLittleEndian(bytes, at + 8, 4);
            if (bytes[at] != 1 || bytes[at + 1] != 0 || messages is < 1 or > 64 || references is < 1 or > 16
                || size < 8 || at + 16 + size > bytes.Length || ReadLittleEndian(bytes, at + 12, 4) != 0)
            {
                continue;
            }

            long end = at + 16 + size;
            long message = at + 16;
            while (message + 8 <= end)
            {
                long type = ReadLittleEndian(bytes, (int)message, 2);
                long length = ReadLittleEndian(bytes, (int)message + 2, 2);
                if (type > 0x18 || length % 8 != 0 || message + 8 + length > end)
                {
                    break;
                }

                message += 8 + length;
            }

            if (message == end)
            {
                yield return at;
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    /// <summary>Replacements for a little-endian integer field of <paramref name="width"/> bytes that holds <paramref name="value"/>.</summary>
    private static byte[][] IntegerValues(long value, int width, int fileLength)
    {
        ulong max = width == 8 ? ulong.MaxValue : (1UL << (8 * width)) - 1;
        ulong[] candidates =
        [
            0, 1, (ulong)value - 1, (ulong)value + 1, (ulong)value * 2, (ulong)fileLength, (ulong)fileLength + 1,
            max, max - 1, max >> 1, (max >> 1) + 1, 1UL << 24, 1UL << 28, (ulong)Array.MaxLength, 1UL << 31, 1UL << 32, 1UL << 40,
        ];
        return [.. candidates.Select(c => c & max).Distinct().Select(c =>
        {
            var bytes = new byte[width];
            for (int b = 0; b < width; b++)
            {
                bytes[b] = (byte)(c >> (8 * b));
            }

            return bytes;
        })];
    }

    private static FuzzField TextField(string name, int offset, int length, IEnumerable<string> values, bool pad = false) =>
        new(name, offset, length, [.. values.Select(v => Encoding.UTF8.GetBytes(pad && v.Length < length ? v.PadRight(length) : v))]);

    private static long ReadLittleEndian(byte[] bytes, int offset, int width)
    {
        long value = 0;
        for (int b = width - 1; b >= 0; b--)
        {
            value = (value << 8) | bytes[offset + b];
        }

        return value;
    }

    private static IEnumerable<int> Find(byte[] bytes, ReadOnlySpan<byte> signature)
    {
        var found = new List<int>();
        for (int at = bytes.AsSpan().IndexOf(signature); at >= 0;)
        {
            found.Add(at);
            int next = bytes.AsSpan(at + 1).IndexOf(signature);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return found;
    }
}
