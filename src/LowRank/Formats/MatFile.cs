using System.Globalization;

namespace LowRank.Formats;

/// <summary>
/// The variables of a MATLAB MAT file: version 5 (MATLAB's <c>-v6</c> and <c>-v7</c>, SciPy's <c>savemat</c>; both
/// byte orders, zlib-compressed elements) or 7.3 (HDF5 after a 512-byte MATLAB header, read through PureHDF).
/// </summary>
/// <remarks>
/// Numeric arrays of every class and logical arrays become <see cref="NdArray"/>s of doubles in C (row-major) order
/// with MATLAB's shape: MATLAB's <c>x(i, j, k)</c> is <c>array[i − 1, j − 1, k − 1]</c>, although MATLAB stores the
/// first index fastest. Char arrays are text, cell and struct arrays hold further values. Complex and sparse arrays,
/// objects and function handles are listed but refused when asked for. A variable is addressed as
/// <c>name</c>, <c>name.field</c>, <c>name(k).field</c> (element k of a struct array) or <c>name{k}</c> (cell k), with
/// MATLAB's 1-based, column-major linear index k (<see cref="Resolve"/>).
/// </remarks>
public sealed class MatFile
{
    private const int V73HeaderBytes = 512;

    private MatFile(string path, string version, OrderedDictionary<string, MatValue> variables)
    {
        Path = path;
        Version = version;
        Variables = variables;
    }

    /// <summary>The file as messages name it.</summary>
    public string Path { get; }

    /// <summary><c>5</c> or <c>7.3</c>.</summary>
    public string Version { get; }

    /// <summary>The variables, in file order.</summary>
    public OrderedDictionary<string, MatValue> Variables { get; }

    private string Source => $"MAT file '{Path}'";

    /// <summary>Reads every variable of the MAT file at <paramref name="path"/>.</summary>
    public static MatFile Read(string path)
    {
        using FileStream stream = DataFile.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads every variable of the MAT file in <paramref name="stream"/> (seekable); <paramref name="name"/> identifies it in error messages.</summary>
    public static MatFile Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("MAT reading needs a seekable stream.", nameof(stream));
        }

        string source = $"MAT file '{name}'";
        Span<byte> header = stackalloc byte[MatV5Reader.HeaderBytes];
        stream.Position = 0;
        int got = DataFile.ReadUpTo(stream, header);
        if (got == 0)
        {
            throw new InputException($"{source} is empty (0 bytes).", "save the variables again in MATLAB (save(path, 'x')) or with scipy.io.savemat.");
        }

        bool looksLikeMat = got >= 6 && header[..6].SequenceEqual("MATLAB"u8);
        if (got < MatV5Reader.HeaderBytes)
        {
            throw looksLikeMat
                ? MatV5Reader.Truncated(source, $"it ends after {got} bytes, inside its 128-byte header")
                : WrongMagic(source);
        }

        bool? bigEndian = (header[126], header[127]) switch
        {
            ((byte)'I', (byte)'M') => false,
            ((byte)'M', (byte)'I') => true,
            _ => null,
        };
        if (bigEndian is not { } big || header[..4].IndexOf((byte)0) >= 0)
        {
            throw WrongMagic(source);
        }

        int version = big ? header[124] << 8 | header[125] : header[125] << 8 | header[124];
        OrderedDictionary<string, MatValue> variables = version switch
        {
            0x0100 => MatV5Reader.Read(stream, big, source),
            0x0200 => MatV73Reader.Read(stream, V73HeaderBytes, source),
            _ => throw new InputException(
                $"{source} has MAT version 0x{version:x4}; lowrank reads version 5 (0x0100) and 7.3 (0x0200) files.",
                "save it again in MATLAB with save(path, 'x', '-v7') or with scipy.io.savemat."),
        };
        return new MatFile(name, version == 0x0100 ? "5" : "7.3", variables);
    }

    /// <summary>
    /// Splits <c>FILE.mat:ADDRESS</c> at the colon after the last <c>.mat</c> (so <c>C:\x.mat</c> stays whole) into
    /// the file and the variable's address; other paths come back whole with a null address.
    /// </summary>
    public static (string Path, string? Address) SplitAddress(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int at = text.LastIndexOf(".mat:", StringComparison.OrdinalIgnoreCase);
        return at < 0 ? (text, null) : (text[..(at + 4)], text[(at + 5)..]);
    }

    /// <summary>Whether <paramref name="path"/> (without an address) names a MAT file, by its extension.</summary>
    public static bool IsMatPath(string path) => path.EndsWith(".mat", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The value at <paramref name="address"/>: <c>name</c>, then any of <c>.field</c> (of a 1×1 struct, or of the element
    /// chosen before), <c>(k)</c> (element k of a struct array) and <c>{k}</c> (cell k); k is MATLAB's 1-based linear
    /// index. An address that names nothing is an input error listing what is there.
    /// </summary>
    public MatValue Resolve(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        int position = 0;
        string name = ReadIdentifier(address, ref position);
        if (name.Length == 0)
        {
            throw BadAddress(address, "it does not start with a variable name");
        }

        if (!Variables.TryGetValue(name, out MatValue? value))
        {
            string present = Variables.Count == 0 ? "none" : string.Join(", ", Variables.Keys);
            throw new InputException(
                $"{Source} has no variable '{name}' (it has: {present}).",
                $"name one of its variables after the colon: {Path}:NAME.");
        }

        string reached = name;
        while (position < address.Length)
        {
            char step = address[position++];
            if (step == '.')
            {
                string field = ReadIdentifier(address, ref position);
                value = Field(value, reached, field, address);
                reached += "." + field;
            }
            else if (step is '(' or '{')
            {
                char close = step == '(' ? ')' : '}';
                int end = address.IndexOf(close, position);
                if (end < 0 || !int.TryParse(address.AsSpan(position, end - position), NumberStyles.None, CultureInfo.InvariantCulture, out int k))
                {
                    throw BadAddress(address, $"'{step}' at position {position - 1} is not followed by a whole number and '{close}'");
                }

                position = end + 1;
                value = Element(value, reached, step, k);
                reached += $"{step}{k}{close}";
            }
            else
            {
                throw BadAddress(address, $"'{step}' at position {position - 1} is neither '.', '(' nor '{{'");
            }
        }

        return value;
    }

    /// <summary>The numeric or logical array at <paramref name="address"/>; anything else is an input error.</summary>
    public NdArray ReadArray(string address)
    {
        MatValue value = Resolve(address);
        return value switch
        {
            MatNumeric numeric => numeric.Array,
            MatUnsupported unsupported => throw Unsupported(address, unsupported),
            _ => throw new InputException(
                $"'{address}' in {Source} is a {Describe(value)}, not a numeric array.",
                value is MatStruct s
                    ? $"name one of its fields, e.g. {Path}:{address}{(s.Count == 1 ? string.Empty : "(1)")}.{(s.FieldNames.Length > 0 ? s.FieldNames[0] : "FIELD")}."
                    : $"name a numeric variable: {Path}:NAME (inspect {Path} lists them)."),
        };
    }

    /// <summary>The input error for asking for a variable lowrank does not read.</summary>
    public InputException Unsupported(string address, MatUnsupported value) =>
        new($"'{address}' in {Source} is a {value.ClassName} array: {value.Problem}.", value.Hint);

    /// <summary>Class and size as messages show them, e.g. <c>1×319 struct array</c>.</summary>
    public static string Describe(MatValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return $"{string.Join('×', value.Shape)} {value.ClassName} array";
    }

    private MatValue Field(MatValue value, string reached, string field, string address)
    {
        if (value is not MatStruct structure)
        {
            throw new InputException(
                $"'{reached}' in {Source} is a {Describe(value)}, which has no fields ('{address}' asks for '{field}').",
                $"address a field of a struct only: {Path}:STRUCT.FIELD.");
        }

        if (structure.Count != 1)
        {
            throw new InputException(
                $"'{reached}' in {Source} is a {Describe(value)}, so '.{field}' needs an element first.",
                $"pick one element by its 1-based index, e.g. {Path}:{reached}(1).{field}.");
        }

        return structure.Field(0, field) ?? throw new InputException(
            $"'{reached}' in {Source} has no field '{field}' (it has: {(structure.FieldNames.Length == 0 ? "none" : string.Join(", ", structure.FieldNames))}).",
            $"name one of its fields: {Path}:{reached}.FIELD.");
    }

    private MatValue Element(MatValue value, string reached, char bracket, int k)
    {
        bool cell = value is MatCell;
        if ((bracket == '{') != cell || value is not (MatCell or MatStruct))
        {
            throw new InputException(
                $"'{reached}' in {Source} is a {Describe(value)}; '{bracket}k{(bracket == '(' ? ')' : '}')}' picks {(bracket == '{' ? "a cell of a cell array" : "an element of a struct array")}.",
                value is MatCell ? $"pick a cell with braces: {Path}:{reached}{{1}}." : value is MatStruct ? $"pick an element with parentheses: {Path}:{reached}(1)." : "address the whole array by its name.");
        }

        if (k < 1 || k > value.Count)
        {
            throw new InputException(
                $"'{reached}' in {Source} has {value.Count} elements ({Describe(value)}), so there is no element {k}.",
                $"pick an element from 1 to {value.Count} (MATLAB's column-major linear index).");
        }

        int index = new ColumnMajorWalk(value.Shape).CIndex(k - 1);
        return value switch
        {
            MatCell c => c.Elements[index],
            MatStruct s => new MatStruct([1, 1], s.FieldNames, [s.Elements[index]]),
            _ => throw new InvalidOperationException("unreachable"),
        };
    }

    private static string ReadIdentifier(string address, ref int position)
    {
        int start = position;
        while (position < address.Length && (char.IsLetterOrDigit(address[position]) || address[position] == '_'))
        {
            position++;
        }

        return address[start..position];
    }

    private InputException BadAddress(string address, string problem) => new(
        $"'{address}' is not a variable address in {Source}: {problem}.",
        $"address a variable as NAME, a field as NAME.FIELD, an element of a struct array as NAME(k).FIELD and a cell as NAME{{k}}, e.g. {Path}:data.time.");

    private static InputException WrongMagic(string source) => new(
        $"{source} is not a MAT file of version 5 or 7.3: its 128-byte header does not end in the byte-order mark 'IM' or 'MI'.",
        "lowrank reads MAT files MATLAB writes with save(path, 'x', '-v7') or '-v7.3' (and scipy.io.savemat); save version 4 files again in one of those.");
}
