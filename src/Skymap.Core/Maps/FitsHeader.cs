using System.Globalization;
using System.Text;

namespace Skymap.Core.Maps;

/// <summary>
/// Builds a FITS header: 80-character ASCII cards in fixed format (values right-justified to column 30, strings
/// from column 11), HIERARCH cards for keywords longer than 8 characters, the CONTINUE long-string convention,
/// <c>END</c> and space padding to 2880-byte blocks.
/// </summary>
internal sealed class FitsHeader
{
    /// <summary>FITS block size in bytes.</summary>
    public const int BlockSize = 2880;

    private const int CardLength = 80;
    private readonly List<string> _cards = [];

    /// <summary>The cards written so far (without END).</summary>
    public IReadOnlyList<string> Cards => _cards;

    /// <summary>Adds a logical value.</summary>
    public FitsHeader Logical(string key, bool value, string? comment = null) =>
        Add(key, (value ? "T" : "F").PadLeft(20), comment);

    /// <summary>Adds an integer value.</summary>
    public FitsHeader Integer(string key, long value, string? comment = null) =>
        Add(key, value.ToString(CultureInfo.InvariantCulture).PadLeft(20), comment);

    /// <summary>Adds a real value (shortest round-trip digits, always with a decimal point).</summary>
    /// <exception cref="ArgumentException">The value is NaN or infinite (FITS headers cannot hold them).</exception>
    public FitsHeader Real(string key, double value, string? comment = null)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"FITS header value of {key} must be finite, not {value}.", nameof(value));
        }

        return Add(key, FormatReal(value).PadLeft(20), comment);
    }

    /// <summary>Adds a string value, continued over CONTINUE cards when it does not fit one card.</summary>
    public FitsHeader String(string key, string value, string? comment = null)
    {
        var escaped = value.Replace("'", "''", StringComparison.Ordinal);
        var prefix = Prefix(key);
        var room = CardLength - prefix.Length - 2; // two quotes
        if (escaped.Length <= room)
        {
            var quoted = "'" + escaped.PadRight(8) + "'";
            _cards.Add(WithComment(prefix + quoted, comment));
            return this;
        }

        // Long string: each piece ends with '&' inside the quotes; a quote pair must not be split.
        var first = true;
        var rest = escaped;
        while (rest.Length > 0)
        {
            var head = first ? prefix : "CONTINUE  ";
            var capacity = CardLength - head.Length - 3; // quotes and '&'
            var take = Math.Min(capacity, rest.Length);
            if (take < rest.Length)
            {
                // Break after a space when one is near the end, as astropy does.
                var space = rest.LastIndexOf(' ', take - 1, take);
                if (space >= capacity / 2)
                {
                    take = space + 1;
                }
            }

            if (take < rest.Length && CountTrailingQuotes(rest[..take]) % 2 == 1)
            {
                take--;
            }

            var piece = rest[..take];
            rest = rest[take..];
            var card = head + "'" + piece + (rest.Length > 0 ? "&'" : "'");
            _cards.Add(rest.Length > 0 ? card : WithComment(card, comment));
            first = false;
        }

        return this;
    }

    /// <summary>The header bytes: the cards, END, padded with spaces to a multiple of 2880 bytes.</summary>
    public byte[] ToBytes()
    {
        var sb = new StringBuilder((_cards.Count + 1) * CardLength);
        foreach (var card in _cards)
        {
            sb.Append(card.PadRight(CardLength));
        }

        sb.Append("END".PadRight(CardLength));
        var length = ((sb.Length + BlockSize - 1) / BlockSize) * BlockSize;
        sb.Append(' ', length - sb.Length);
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>A real in FITS form: round-trip digits, a decimal point, upper-case exponent.</summary>
    internal static string FormatReal(double value)
    {
        var s = value.ToString("R", CultureInfo.InvariantCulture).Replace("e", "E", StringComparison.Ordinal);
        var e = s.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? s : s[..e];
        if (!mantissa.Contains('.', StringComparison.Ordinal))
        {
            mantissa += ".0";
        }

        return e < 0 ? mantissa : mantissa + s[e..];
    }

    private FitsHeader Add(string key, string value, string? comment)
    {
        var prefix = Prefix(key);
        var text = prefix.StartsWith("HIERARCH", StringComparison.Ordinal) ? prefix + value.Trim() : prefix + value;
        if (text.Length > CardLength)
        {
            throw new ArgumentException($"FITS card for {key} is longer than 80 characters.", nameof(key));
        }

        _cards.Add(WithComment(text, comment));
        return this;
    }

    private static string Prefix(string key)
    {
        foreach (var c in key)
        {
            if (c is < ' ' or > '~')
            {
                throw new ArgumentException($"FITS keyword '{key}' must be printable ASCII.", nameof(key));
            }
        }

        var standard = key.Length <= 8 && key.All(static c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_');
        return standard ? key.PadRight(8) + "= " : "HIERARCH " + key + " = ";
    }

    private static string WithComment(string card, string? comment)
    {
        if (string.IsNullOrEmpty(comment))
        {
            return card;
        }

        var withComment = card + " / " + comment;
        return withComment.Length <= CardLength ? withComment : withComment[..CardLength];
    }

    private static int CountTrailingQuotes(string s)
    {
        var n = 0;
        for (var i = s.Length - 1; i >= 0 && s[i] == '\''; i--)
        {
            n++;
        }

        return n;
    }
}
