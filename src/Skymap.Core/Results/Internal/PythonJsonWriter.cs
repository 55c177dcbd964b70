using System.Globalization;

namespace Skymap.Core.Results.Internal;

/// <summary>How a writer spells non-finite doubles.</summary>
internal enum NonFiniteStyle
{
    /// <summary>NaN and ±∞ become the string <c>"&lt;skyreader.nan&gt;"</c> (result files).</summary>
    SkyreaderSentinel,

    /// <summary>Python <c>json.dump</c>'s bare tokens <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>.</summary>
    PythonTokens,
}

/// <summary>
/// A forward-only JSON writer that produces what Python's <c>json.dump(obj, f, indent=N)</c> produces:
/// one element per line, item separator "," at line ends, key separator ": ", empty containers as
/// <c>[]</c>/<c>{}</c>, non-ASCII escaped as <c>\uXXXX</c>, floats as <c>repr</c>, no trailing newline.
/// </summary>
internal sealed class PythonJsonWriter
{
    /// <summary>The NaN sentinel skyreader ≥ 1.4.6 writes.</summary>
    public const string NanSentinel = "<skyreader.nan>";

    private readonly TextWriter _out;
    private readonly int _indent;
    private readonly NonFiniteStyle _nonFinite;
    private readonly Stack<(bool IsObject, bool HasItems)> _stack = new();
    private readonly List<string> _newLines = [];
    private bool _afterKey;

    public PythonJsonWriter(TextWriter output, int indent, NonFiniteStyle nonFinite)
    {
        _out = output;
        _indent = indent;
        _nonFinite = nonFinite;
    }

    public void StartObject()
    {
        BeforeValue();
        _out.Write('{');
        _stack.Push((true, false));
    }

    public void EndObject() => End('}');

    public void StartArray()
    {
        BeforeValue();
        _out.Write('[');
        _stack.Push((false, false));
    }

    public void EndArray() => End(']');

    public void Key(string name)
    {
        var (isObject, hasItems) = _stack.Peek();
        if (!isObject || _afterKey)
        {
            throw new InvalidOperationException("A key is only valid inside an object, before its value.");
        }

        NewItem(hasItems);
        WriteString(name);
        _out.Write(": ");
        _afterKey = true;
    }

    public void Value(long value)
    {
        BeforeValue();
        Span<char> buffer = stackalloc char[20];
        value.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture);
        _out.Write(buffer[..written]);
    }

    public void Value(bool value)
    {
        BeforeValue();
        _out.Write(value ? "true" : "false");
    }

    public void Value(string value)
    {
        BeforeValue();
        WriteString(value);
    }

    public void Value(double value)
    {
        BeforeValue();
        if (double.IsFinite(value))
        {
            Span<char> buffer = stackalloc char[PythonFloat.MaxLength];
            _out.Write(buffer[..PythonFloat.Format(value, buffer)]);
        }
        else if (_nonFinite == NonFiniteStyle.SkyreaderSentinel)
        {
            WriteString(NanSentinel);
        }
        else
        {
            _out.Write(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private void BeforeValue()
    {
        if (_afterKey)
        {
            _afterKey = false;
            return;
        }

        if (_stack.Count == 0)
        {
            return;
        }

        var (isObject, hasItems) = _stack.Peek();
        if (isObject)
        {
            throw new InvalidOperationException("A value inside an object needs a key first.");
        }

        NewItem(hasItems);
    }

    private void NewItem(bool hasItems)
    {
        if (hasItems)
        {
            _out.Write(',');
        }

        var top = _stack.Pop();
        _stack.Push((top.IsObject, true));
        NewLine(_stack.Count);
    }

    private void End(char close)
    {
        var (_, hasItems) = _stack.Pop();
        if (hasItems)
        {
            NewLine(_stack.Count);
        }

        _out.Write(close);
    }

    private void NewLine(int depth)
    {
        while (_newLines.Count <= depth)
        {
            _newLines.Add("\n" + new string(' ', _newLines.Count * _indent));
        }

        _out.Write(_newLines[depth]);
    }

    /// <summary>Python's <c>ensure_ascii</c> string encoding.</summary>
    private void WriteString(string s)
    {
        _out.Write('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    _out.Write("\\\"");
                    break;
                case '\\':
                    _out.Write("\\\\");
                    break;
                case '\n':
                    _out.Write("\\n");
                    break;
                case '\r':
                    _out.Write("\\r");
                    break;
                case '\t':
                    _out.Write("\\t");
                    break;
                case '\b':
                    _out.Write("\\b");
                    break;
                case '\f':
                    _out.Write("\\f");
                    break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        // UTF-16 code units, i.e. surrogate pairs for astral characters, as Python does.
                        _out.Write("\\u");
                        _out.Write(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        _out.Write(c);
                    }

                    break;
            }
        }

        _out.Write('"');
    }
}
