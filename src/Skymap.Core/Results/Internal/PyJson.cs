using System.Globalization;
using System.Text;

namespace Skymap.Core.Results.Internal;

/// <summary>Kinds of values in Python's JSON dialect.</summary>
internal enum PyJsonKind
{
    Object,
    Array,
    String,
    Integer,
    Float,
    NonFinite,
    True,
    False,
    Null,
}

/// <summary>
/// A parsed JSON value in Python's <c>json.load</c> dialect: integers kept apart from floats, bare
/// <c>NaN</c>/<c>Infinity</c>/<c>-Infinity</c> tokens accepted, object key order kept.
/// </summary>
internal sealed class PyJsonValue
{
    private PyJsonValue(PyJsonKind kind) => Kind = kind;

    public PyJsonKind Kind { get; }

    /// <summary>String value, or the raw text of an integer.</summary>
    public string? Text { get; private init; }

    /// <summary>Numeric value (floats, non-finite tokens, integers as double).</summary>
    public double Number { get; private init; }

    /// <summary>Integer value when it fits in 64 bits.</summary>
    public long? Int64 { get; private init; }

    public List<PyJsonValue>? Items { get; private init; }

    public List<KeyValuePair<string, PyJsonValue>>? Members { get; private init; }

    public bool IsNumber => Kind is PyJsonKind.Integer or PyJsonKind.Float or PyJsonKind.NonFinite;

    /// <summary>Short description used in error messages.</summary>
    public string Describe() => Kind switch
    {
        PyJsonKind.Object => "an object",
        PyJsonKind.Array => "an array",
        PyJsonKind.String => $"the string \"{Text}\"",
        PyJsonKind.Integer => $"the integer {Text}",
        PyJsonKind.Float => $"the float {PythonFloat.Repr(Number)}",
        PyJsonKind.NonFinite => double.IsNaN(Number) ? "NaN" : Number > 0 ? "Infinity" : "-Infinity",
        PyJsonKind.True => "true",
        PyJsonKind.False => "false",
        _ => "null",
    };

    public PyJsonValue? Get(string key)
    {
        if (Members is null)
        {
            return null;
        }

        foreach (var (k, v) in Members)
        {
            if (k == key)
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>Parses a whole document (one value, surrounded by optional whitespace).</summary>
    /// <exception cref="SkyScanResultFormatException">The text is not JSON in Python's dialect.</exception>
    public static PyJsonValue Parse(string text)
    {
        var parser = new Parser(text);
        return parser.ParseDocument();
    }

    private ref struct Parser
    {
        private readonly string _s;
        private int _i;

        public Parser(string s)
        {
            _s = s;
            _i = s.Length > 0 && s[0] == '\uFEFF' ? 1 : 0;
        }

        public PyJsonValue ParseDocument()
        {
            SkipWhitespace();
            var value = ParseValue(0);
            SkipWhitespace();
            if (_i != _s.Length)
            {
                throw Error("extra data after the top-level value");
            }

            return value;
        }

        private PyJsonValue ParseValue(int depth)
        {
            if (depth > 64)
            {
                throw Error("nesting deeper than 64 levels");
            }

            if (_i >= _s.Length)
            {
                throw Error("unexpected end of input, expecting a value");
            }

            var c = _s[_i];
            switch (c)
            {
                case '{':
                    return ParseObject(depth);
                case '[':
                    return ParseArray(depth);
                case '"':
                    return new PyJsonValue(PyJsonKind.String) { Text = ParseString() };
                case 't':
                    Expect("true");
                    return new PyJsonValue(PyJsonKind.True);
                case 'f':
                    Expect("false");
                    return new PyJsonValue(PyJsonKind.False);
                case 'n':
                    Expect("null");
                    return new PyJsonValue(PyJsonKind.Null);
                case 'N':
                    Expect("NaN");
                    return new PyJsonValue(PyJsonKind.NonFinite) { Number = double.NaN };
                case 'I':
                    Expect("Infinity");
                    return new PyJsonValue(PyJsonKind.NonFinite) { Number = double.PositiveInfinity };
                case '-' when _i + 1 < _s.Length && _s[_i + 1] == 'I':
                    _i++;
                    Expect("Infinity");
                    return new PyJsonValue(PyJsonKind.NonFinite) { Number = double.NegativeInfinity };
                default:
                    if (c == '-' || (c >= '0' && c <= '9'))
                    {
                        return ParseNumber();
                    }

                    throw Error($"unexpected character '{c}', expecting a value");
            }
        }

        private PyJsonValue ParseObject(int depth)
        {
            _i++; // {
            var members = new List<KeyValuePair<string, PyJsonValue>>();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            SkipWhitespace();
            if (Peek() == '}')
            {
                _i++;
                return new PyJsonValue(PyJsonKind.Object) { Members = members };
            }

            while (true)
            {
                SkipWhitespace();
                if (Peek() != '"')
                {
                    throw Error("expecting a property name in double quotes");
                }

                var keyAt = _i;
                var key = ParseString();
                if (!keys.Add(key))
                {
                    _i = keyAt;
                    throw Error($"duplicate key \"{key}\"");
                }

                SkipWhitespace();
                if (Peek() != ':')
                {
                    throw Error("expecting ':' after a property name");
                }

                _i++;
                SkipWhitespace();
                members.Add(new(key, ParseValue(depth + 1)));
                SkipWhitespace();
                var c = Peek();
                _i++;
                if (c == '}')
                {
                    return new PyJsonValue(PyJsonKind.Object) { Members = members };
                }

                if (c != ',')
                {
                    _i--;
                    throw Error("expecting ',' or '}' in an object");
                }
            }
        }

        private PyJsonValue ParseArray(int depth)
        {
            _i++; // [
            var items = new List<PyJsonValue>();
            SkipWhitespace();
            if (Peek() == ']')
            {
                _i++;
                return new PyJsonValue(PyJsonKind.Array) { Items = items };
            }

            while (true)
            {
                SkipWhitespace();
                items.Add(ParseValue(depth + 1));
                SkipWhitespace();
                var c = Peek();
                _i++;
                if (c == ']')
                {
                    return new PyJsonValue(PyJsonKind.Array) { Items = items };
                }

                if (c != ',')
                {
                    _i--;
                    throw Error("expecting ',' or ']' in an array");
                }
            }
        }

        private PyJsonValue ParseNumber()
        {
            var start = _i;
            if (_s[_i] == '-')
            {
                _i++;
            }

            if (_i >= _s.Length || !char.IsAsciiDigit(_s[_i]))
            {
                throw Error("invalid number");
            }

            if (_s[_i] == '0')
            {
                _i++;
            }
            else
            {
                SkipDigits();
            }

            var isInteger = true;
            if (_i < _s.Length && _s[_i] == '.' && _i + 1 < _s.Length && char.IsAsciiDigit(_s[_i + 1]))
            {
                isInteger = false;
                _i++;
                SkipDigits();
            }

            if (_i < _s.Length && (_s[_i] == 'e' || _s[_i] == 'E'))
            {
                var save = _i;
                _i++;
                if (_i < _s.Length && (_s[_i] == '+' || _s[_i] == '-'))
                {
                    _i++;
                }

                if (_i < _s.Length && char.IsAsciiDigit(_s[_i]))
                {
                    isInteger = false;
                    SkipDigits();
                }
                else
                {
                    _i = save; // as Python: the number ends before a dangling exponent
                }
            }

            var text = _s[start.._i];
            if (isInteger)
            {
                long? asLong = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : null;
                return new PyJsonValue(PyJsonKind.Integer)
                {
                    Text = text,
                    Int64 = asLong,
                    Number = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
                };
            }

            return new PyJsonValue(PyJsonKind.Float)
            {
                Number = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
        }

        private void SkipDigits()
        {
            while (_i < _s.Length && char.IsAsciiDigit(_s[_i]))
            {
                _i++;
            }
        }

        private string ParseString()
        {
            _i++; // opening quote
            StringBuilder? sb = null;
            var runStart = _i;
            while (true)
            {
                if (_i >= _s.Length)
                {
                    throw Error("unterminated string");
                }

                var c = _s[_i];
                if (c == '"')
                {
                    string result;
                    if (sb is null)
                    {
                        result = _s[runStart.._i];
                    }
                    else
                    {
                        result = sb.Append(_s, runStart, _i - runStart).ToString();
                    }

                    _i++;
                    return result;
                }

                if (c < ' ')
                {
                    throw Error("invalid control character in a string");
                }

                if (c != '\\')
                {
                    _i++;
                    continue;
                }

                sb ??= new StringBuilder();
                sb.Append(_s, runStart, _i - runStart);
                _i++;
                if (_i >= _s.Length)
                {
                    throw Error("unterminated string");
                }

                var e = _s[_i++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (_i + 4 > _s.Length
                            || !int.TryParse(_s.AsSpan(_i, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        {
                            throw Error("invalid \\u escape");
                        }

                        sb.Append((char)code);
                        _i += 4;
                        break;
                    default:
                        _i--;
                        throw Error($"invalid escape '\\{e}'");
                }

                runStart = _i;
            }
        }

        private void Expect(string word)
        {
            if (string.CompareOrdinal(_s, _i, word, 0, word.Length) != 0)
            {
                throw Error("invalid literal");
            }

            _i += word.Length;
        }

        private readonly char Peek() => _i < _s.Length ? _s[_i] : '\0';

        private void SkipWhitespace()
        {
            while (_i < _s.Length && _s[_i] is ' ' or '\t' or '\n' or '\r')
            {
                _i++;
            }
        }

        private readonly SkyScanResultFormatException Error(string what)
        {
            var line = 1;
            var column = 1;
            for (var k = 0; k < _i && k < _s.Length; k++)
            {
                if (_s[k] == '\n')
                {
                    line++;
                    column = 1;
                }
                else
                {
                    column++;
                }
            }

            return new SkyScanResultFormatException($"Invalid JSON at line {line}, column {column}: {what}.");
        }
    }
}
