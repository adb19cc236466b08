using System.Globalization;

namespace LowRank.Formats;

/// <summary>What an <c>.npy</c> header says: element type, memory order and shape.</summary>
internal readonly record struct NpyHeader(DType Type, bool FortranOrder, int[] Shape);

/// <summary>
/// Parses the Python dict literal of an <c>.npy</c> header, e.g.
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (9640, 64), }</c>. Only the three keys
/// NumPy writes are accepted, as NumPy itself requires; no Python is evaluated.
/// </summary>
internal sealed class NpyHeaderParser
{
    private const string ConvertHint = "np.save(path, np.asarray(a, dtype=np.float64))";

    private readonly string _text;
    private readonly string _source;
    private int _position;

    private NpyHeaderParser(string text, string source)
    {
        _text = text;
        _source = source;
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="source"/> (e.g. <c>npy 'x.npy'</c>) starts every error message.</summary>
    public static NpyHeader Parse(string text, string source) => new NpyHeaderParser(text, source).Parse();

    /// <summary>Maps a NumPy type string (<c>&lt;f8</c>) to a <see cref="DType"/>, or throws the input error that explains why not.</summary>
    public static DType ParseDescr(string descr, string source)
    {
        char order = descr.Length > 0 ? descr[0] : '\0';
        string code = order is '<' or '>' or '|' or '=' ? descr[1..] : descr;
        DType? type = code switch
        {
            "f4" => DType.Float32,
            "f8" => DType.Float64,
            "i4" => DType.Int32,
            "i8" => DType.Int64,
            "u1" => DType.UInt8,
            "b1" => DType.Bool,
            "i1" => DType.Int8,
            "i2" => DType.Int16,
            "u2" => DType.UInt16,
            "u4" => DType.UInt32,
            "u8" => DType.UInt64,
            _ => null,
        };
        if (type is { } known)
        {
            bool multiByte = known.ItemSize() > 1;
            if (order == '>' && multiByte)
            {
                throw new InputException(
                    $"{source} stores big-endian data (dtype '{descr}'); lowrank reads little-endian only.",
                    $"convert it in NumPy: np.save(path, a.astype('<{code}')).");
            }

            if (order == '|' && multiByte)
            {
                throw Unsupported(descr, "a multi-byte type without byte order", source);
            }

            return known;
        }

        if (code.StartsWith('O'))
        {
            throw new InputException(
                $"{source} holds Python objects (dtype '{descr}'), which cannot be read without pickle.",
                $"save a numeric array instead: {ConvertHint}.");
        }

        string kind = code.Length == 0 ? "empty" : code[0] switch
        {
            'c' => "complex",
            'U' or 'S' or 'a' => "text",
            'M' or 'm' => "date/time",
            'V' => "raw bytes",
            'f' => "floating point of another size",
            'i' or 'u' => "integer of another size",
            _ => "unknown",
        };
        throw Unsupported(descr, kind, source);
    }

    private static InputException Unsupported(string descr, string kind, string source) => new(
        $"{source} has unsupported dtype '{descr}' ({kind}); lowrank reads {DTypes.SupportedList}.",
        $"convert it in NumPy: {ConvertHint}.");

    private NpyHeader Parse()
    {
        string? descr = null;
        bool? fortranOrder = null;
        int[]? shape = null;

        SkipSpace();
        Expect('{');
        while (true)
        {
            SkipSpace();
            if (TryConsume('}'))
            {
                break;
            }

            string key = ReadString();
            SkipSpace();
            Expect(':');
            SkipSpace();
            switch (key)
            {
                case "descr" when descr is null:
                    descr = Peek() is '[' or '(' ? ReadStructuredDescr() : ReadString();
                    break;
                case "fortran_order" when fortranOrder is null:
                    fortranOrder = ReadBool();
                    break;
                case "shape" when shape is null:
                    shape = ReadShape();
                    break;
                case "descr" or "fortran_order" or "shape":
                    throw Malformed($"key '{key}' appears twice");
                default:
                    throw Malformed($"unexpected key '{key}'");
            }

            SkipSpace();
            if (TryConsume('}'))
            {
                break;
            }

            Expect(',');
        }

        SkipSpace();
        if (_position != _text.Length)
        {
            throw Malformed($"unexpected text after the closing brace at position {_position}");
        }

        if (descr is null || fortranOrder is null || shape is null)
        {
            string missing = descr is null ? "descr" : fortranOrder is null ? "fortran_order" : "shape";
            throw Malformed($"key '{missing}' is missing");
        }

        return new NpyHeader(ParseDescr(descr, _source), fortranOrder.Value, shape);
    }

    private string ReadStructuredDescr()
    {
        int start = _position;
        int depth = 0;
        do
        {
            char c = Next();
            depth += c is '[' or '(' ? 1 : c is ']' or ')' ? -1 : 0;
        }
        while (depth > 0);

        throw Unsupported(_text[start.._position], "structured", _source);
    }

    private string ReadString()
    {
        char quote = Next();
        if (quote is not ('\'' or '"'))
        {
            throw Malformed($"expected a quoted string at position {_position - 1}");
        }

        int start = _position;
        int end = _text.IndexOf(quote, start);
        if (end < 0)
        {
            throw Malformed("a string is not closed");
        }

        _position = end + 1;
        return _text[start..end];
    }

    private bool ReadBool()
    {
        if (TryConsumeWord("True"))
        {
            return true;
        }

        if (TryConsumeWord("False"))
        {
            return false;
        }

        throw Malformed($"'fortran_order' must be True or False (position {_position})");
    }

    private int[] ReadShape()
    {
        Expect('(');
        var dimensions = new List<int>();
        while (true)
        {
            SkipSpace();
            if (TryConsume(')'))
            {
                break;
            }

            int start = _position;
            while (_position < _text.Length && char.IsAsciiDigit(_text[_position]))
            {
                _position++;
            }

            if (!int.TryParse(_text.AsSpan(start, _position - start), NumberStyles.None, CultureInfo.InvariantCulture, out int dimension))
            {
                throw Malformed(_position == start
                    ? $"'shape' must be a tuple of non-negative integers (position {start})"
                    : $"dimension {_text[start.._position]} is too large");
            }

            TryConsume('L'); // Python 2 wrote long integers as 3L.
            dimensions.Add(dimension);
            SkipSpace();
            if (TryConsume(')'))
            {
                break;
            }

            Expect(',');
        }

        return [.. dimensions];
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private char Next()
    {
        if (_position >= _text.Length)
        {
            throw Malformed("it ends early");
        }

        return _text[_position++];
    }

    private void SkipSpace()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private bool TryConsume(char c)
    {
        if (Peek() != c)
        {
            return false;
        }

        _position++;
        return true;
    }

    private bool TryConsumeWord(string word)
    {
        if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
        {
            return false;
        }

        _position += word.Length;
        return true;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c))
        {
            throw Malformed($"expected '{c}' at position {_position}");
        }
    }

    private InputException Malformed(string problem)
    {
        string shown = _text.TrimEnd();
        if (shown.Length > 120)
        {
            shown = shown[..117] + "...";
        }

        return new InputException(
            $"{_source} has a malformed header: {problem} (header: {shown}).",
            "the file is damaged or was not written by numpy.save; export it again with np.save(path, a).");
    }
}
