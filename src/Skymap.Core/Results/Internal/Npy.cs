using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Skymap.Core.Results.Internal;

/// <summary>One field of a numpy structured dtype, as found in an <c>.npy</c> header.</summary>
/// <param name="Name">Field name.</param>
/// <param name="Descr">The type string, e.g. <c>&lt;i8</c>, <c>|b1</c>, <c>&lt;U6</c>.</param>
/// <param name="Kind">Type kind: 'i', 'u', 'f', 'b' or 'U'.</param>
/// <param name="BigEndian">Byte order.</param>
/// <param name="Size">Item size in bytes.</param>
/// <param name="Offset">Byte offset inside a record.</param>
internal sealed record NpyField(string Name, string Descr, char Kind, bool BigEndian, int Size, int Offset)
{
    public long ReadInt64(ReadOnlySpan<byte> record)
    {
        var b = record.Slice(Offset, Size);
        return (Kind, Size) switch
        {
            ('i', 8) => BigEndian ? BinaryPrimitives.ReadInt64BigEndian(b) : BinaryPrimitives.ReadInt64LittleEndian(b),
            ('i', 4) => BigEndian ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b),
            ('i', 2) => BigEndian ? BinaryPrimitives.ReadInt16BigEndian(b) : BinaryPrimitives.ReadInt16LittleEndian(b),
            ('i', 1) => (sbyte)b[0],
            ('u', 4) => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b),
            ('u', 2) => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b),
            ('u', 1) => b[0],
            _ => throw new InvalidOperationException($"field {Name} ({Descr}) is not a 64-bit-representable integer"),
        };
    }

    public double ReadDouble(ReadOnlySpan<byte> record)
    {
        var b = record.Slice(Offset, Size);
        return (Kind, Size) switch
        {
            ('f', 8) => BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b),
            ('f', 4) => BigEndian ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b),
            _ => throw new InvalidOperationException($"field {Name} ({Descr}) is not a float"),
        };
    }

    public bool ReadBool(ReadOnlySpan<byte> record) => record[Offset] != 0;

    /// <summary>A numpy <c>U</c> string: UTF-32 code points, trailing NULs stripped.</summary>
    public string ReadString(ReadOnlySpan<byte> record)
    {
        var b = record.Slice(Offset, Size);
        var sb = new StringBuilder(Size / 4);
        for (var i = 0; i + 4 <= b.Length; i += 4)
        {
            var cp = BigEndian ? BinaryPrimitives.ReadInt32BigEndian(b[i..]) : BinaryPrimitives.ReadInt32LittleEndian(b[i..]);
            if (!Rune.IsValid(cp))
            {
                throw new InvalidOperationException($"field {Name} holds an invalid code point {cp}");
            }

            sb.Append(char.ConvertFromUtf32(cp));
        }

        return sb.ToString().TrimEnd('\0');
    }

    public bool IsInteger => Kind is 'i' or 'u' && (Kind == 'i' ? Size is 1 or 2 or 4 or 8 : Size is 1 or 2 or 4);

    public bool IsFloat => Kind == 'f' && Size is 4 or 8;
}

/// <summary>A parsed <c>.npy</c> file holding a one-dimensional structured array.</summary>
internal sealed class NpyArray
{
    public required IReadOnlyList<NpyField> Fields { get; init; }

    public required int ItemSize { get; init; }

    public required long Count { get; init; }

    public required ReadOnlyMemory<byte> Data { get; init; }

    public ReadOnlySpan<byte> Record(long i) => Data.Span.Slice((int)(i * ItemSize), ItemSize);

    public NpyField? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);
}

/// <summary>Reads and writes numpy <c>.npy</c> (format 1.0 when writing; 1.0–3.0 when reading).</summary>
internal static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>numpy's GROWTH_AXIS_MAX_DIGITS: spare spaces after the header dict.</summary>
    private const int GrowthAxisMaxDigits = 21;

    /// <summary>numpy's ARRAY_ALIGN.</summary>
    private const int ArrayAlign = 64;

    /// <summary>
    /// The bytes numpy writes before the data of a 1-d structured array: magic, version 1.0, header length,
    /// the dict literal with numpy's spare space, padded with spaces and a newline to a multiple of 64.
    /// </summary>
    public static byte[] Header(IEnumerable<(string Name, string Descr)> fields, long count)
    {
        var descr = "[" + string.Join(", ", fields.Select(f => $"({PyRepr(f.Name)}, {PyRepr(f.Descr)})")) + "]";
        var countText = count.ToString(CultureInfo.InvariantCulture);
        var dict = $"{{'descr': {descr}, 'fortran_order': False, 'shape': ({countText},), }}"
                   + new string(' ', Math.Max(0, GrowthAxisMaxDigits - countText.Length));
        var hlen = dict.Length + 1;
        var padlen = ArrayAlign - ((Magic.Length + 2 + 2 + hlen) % ArrayAlign);
        var total = hlen + padlen;
        if (total > ushort.MaxValue)
        {
            throw new InvalidOperationException("npy header too long for format 1.0");
        }

        var bytes = new byte[10 + total];
        Magic.CopyTo(bytes, 0);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)total);
        Encoding.ASCII.GetBytes(dict, bytes.AsSpan(10));
        bytes.AsSpan(10 + dict.Length, padlen).Fill((byte)' ');
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    /// <summary>Python <c>repr</c> of an ASCII string (single quotes).</summary>
    private static string PyRepr(string s)
    {
        if (s.Any(c => c is < ' ' or > '~' or '\'' or '\\'))
        {
            throw new ArgumentException($"npy field name or type '{s}' must be plain ASCII without quotes", nameof(s));
        }

        return "'" + s + "'";
    }

    /// <summary>Parses an <c>.npy</c> holding a 1-d structured array.</summary>
    /// <exception cref="FormatException">Not such a file (message says why).</exception>
    public static NpyArray Parse(ReadOnlyMemory<byte> file)
    {
        var s = file.Span;
        if (s.Length < 10 || !s[..6].SequenceEqual(Magic))
        {
            throw new FormatException("not an .npy file (bad magic)");
        }

        int major = s[6], headerStart, headerLength;
        Encoding encoding;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(s[8..]);
                headerStart = 10;
                encoding = Encoding.Latin1;
                break;
            case 2 or 3 when s.Length >= 12:
                headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(s[8..]));
                headerStart = 12;
                encoding = major == 2 ? Encoding.Latin1 : Encoding.UTF8;
                break;
            default:
                throw new FormatException($"unsupported .npy format version {major}.{s[7]}");
        }

        if (headerStart + headerLength > s.Length)
        {
            throw new FormatException("truncated .npy header");
        }

        var headerText = encoding.GetString(s.Slice(headerStart, headerLength));
        if (PyLiteral.Parse(headerText) is not Dictionary<string, object?> dict)
        {
            throw new FormatException("the .npy header is not a dict");
        }

        if (!dict.TryGetValue("descr", out var descrObj) || !dict.TryGetValue("shape", out var shapeObj)
            || !dict.TryGetValue("fortran_order", out var fortran))
        {
            throw new FormatException("the .npy header lacks 'descr', 'fortran_order' or 'shape'");
        }

        if (fortran is not bool)
        {
            throw new FormatException("'fortran_order' must be True or False");
        }

        if (shapeObj is not PyTuple { Items: [long count] } || count < 0)
        {
            throw new FormatException($"the array must be one-dimensional (shape {PyLiteral.Show(shapeObj)})");
        }

        if (descrObj is not List<object?> descrList)
        {
            throw new FormatException($"the array must be a structured array (descr {PyLiteral.Show(descrObj)})");
        }

        var fields = new List<NpyField>();
        var offset = 0;
        foreach (var entry in descrList)
        {
            if (entry is not PyTuple { Items: [string name, string type] })
            {
                throw new FormatException($"unsupported field in descr: {PyLiteral.Show(entry)}");
            }

            var field = ParseField(name, type, offset);
            if (name.Length > 0)
            {
                fields.Add(field); // unnamed fields are numpy padding
            }

            offset += field.Size;
        }

        var dataStart = headerStart + headerLength;
        var expected = (long)offset * count;
        if (s.Length - dataStart != expected)
        {
            throw new FormatException($"data holds {s.Length - dataStart} bytes, expected {count} records of {offset} bytes");
        }

        return new NpyArray { Fields = fields, ItemSize = offset, Count = count, Data = file[dataStart..] };
    }

    private static NpyField ParseField(string name, string type, int offset)
    {
        if (type.Length < 3 || type[0] is not ('<' or '>' or '|' or '='))
        {
            throw new FormatException($"field '{name}' has unsupported type '{type}'");
        }

        var kind = type[1];
        if (!int.TryParse(type.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            throw new FormatException($"field '{name}' has unsupported type '{type}'");
        }

        var size = kind switch
        {
            'i' or 'u' or 'f' or 'b' or 'V' => n,
            'U' => checked(n * 4),
            _ => throw new FormatException($"field '{name}' has unsupported type '{type}'"),
        };
        return new NpyField(name, type, kind, type[0] == '>', size, offset);
    }

    /// <summary>Encodes a string as numpy <c>&lt;U{length}</c>: UTF-32LE code points, NUL padded.</summary>
    public static void WriteUtf32(string value, Span<byte> destination)
    {
        destination.Clear();
        var i = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination[i..], rune.Value);
            i += 4;
        }
    }

    /// <summary>Number of code points (numpy's length of a str).</summary>
    public static int CodePoints(string value) => value.EnumerateRunes().Count();
}

/// <summary>A Python tuple in a parsed literal.</summary>
internal sealed record PyTuple(IReadOnlyList<object?> Items);

/// <summary>
/// Parses the Python literals numpy writes in <c>.npy</c> headers: dicts, lists, tuples, strings, ints,
/// True/False/None.
/// </summary>
internal static class PyLiteral
{
    public static object? Parse(string text)
    {
        var i = 0;
        var value = ParseValue(text, ref i);
        SkipWs(text, ref i);
        if (i != text.Length)
        {
            throw new FormatException("trailing characters in the .npy header");
        }

        return value;
    }

    public static string Show(object? value) => value switch
    {
        null => "None",
        string s => "'" + s + "'",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        PyTuple t => "(" + string.Join(", ", t.Items.Select(Show)) + (t.Items.Count == 1 ? ",)" : ")"),
        List<object?> list => "[" + string.Join(", ", list.Select(Show)) + "]",
        Dictionary<string, object?> d => "{" + string.Join(", ", d.Select(kv => $"'{kv.Key}': {Show(kv.Value)}")) + "}",
        _ => value.ToString() ?? "?",
    };

    private static void SkipWs(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }
    }

    private static object? ParseValue(string s, ref int i)
    {
        SkipWs(s, ref i);
        if (i >= s.Length)
        {
            throw new FormatException("unexpected end of the .npy header");
        }

        var c = s[i];
        switch (c)
        {
            case '{':
                {
                    i++;
                    var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var item in ParseSequence(s, ref i, '}', keyed: true))
                    {
                        var (k, v) = ((string, object?))item!;
                        dict[k] = v;
                    }

                    return dict;
                }

            case '[':
                i++;
                return ParseSequence(s, ref i, ']', keyed: false);
            case '(':
                {
                    i++;
                    var items = ParseSequence(s, ref i, ')', keyed: false);
                    return new PyTuple(items);
                }

            case '\'' or '"':
                return ParseString(s, ref i);
            default:
                if (c == '-' || char.IsAsciiDigit(c))
                {
                    var start = i;
                    i++;
                    while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '_'))
                    {
                        i++;
                    }

                    // numpy 1.x on some platforms writes shapes with an 'L' suffix (Python 2 longs).
                    var digits = s[start..i].Replace("_", string.Empty, StringComparison.Ordinal);
                    if (i < s.Length && s[i] == 'L')
                    {
                        i++;
                    }

                    return long.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                }

                foreach (var (word, value) in new (string, object?)[] { ("True", true), ("False", false), ("None", null) })
                {
                    if (string.CompareOrdinal(s, i, word, 0, word.Length) == 0)
                    {
                        i += word.Length;
                        return value;
                    }
                }

                throw new FormatException($"unexpected '{c}' in the .npy header");
        }
    }

    private static List<object?> ParseSequence(string s, ref int i, char close, bool keyed)
    {
        var items = new List<object?>();
        while (true)
        {
            SkipWs(s, ref i);
            if (i < s.Length && s[i] == close)
            {
                i++;
                return items;
            }

            var value = ParseValue(s, ref i);
            if (keyed)
            {
                if (value is not string key)
                {
                    throw new FormatException("dict keys in the .npy header must be strings");
                }

                SkipWs(s, ref i);
                if (i >= s.Length || s[i] != ':')
                {
                    throw new FormatException("expected ':' in the .npy header");
                }

                i++;
                value = (key, ParseValue(s, ref i));
            }

            items.Add(value);
            SkipWs(s, ref i);
            if (i < s.Length && s[i] == ',')
            {
                i++;
                continue;
            }

            SkipWs(s, ref i);
            if (i < s.Length && s[i] == close)
            {
                i++;
                return items;
            }

            throw new FormatException($"expected ',' or '{close}' in the .npy header");
        }
    }

    private static string ParseString(string s, ref int i)
    {
        var quote = s[i++];
        var sb = new StringBuilder();
        while (i < s.Length && s[i] != quote)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                i++;
                sb.Append(s[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', var o => o });
            }
            else
            {
                sb.Append(s[i]);
            }

            i++;
        }

        if (i >= s.Length)
        {
            throw new FormatException("unterminated string in the .npy header");
        }

        i++;
        return sb.ToString();
    }
}
