using System.Globalization;

namespace Skymap.Core.Results;

/// <summary>Formats doubles exactly as Python's <c>repr(float)</c> (what <c>json.dump</c> writes).</summary>
internal static class PythonFloat
{
    /// <summary>Enough room for any repr: sign, 17 digits, "0." and 4 leading zeros, or an exponent.</summary>
    internal const int MaxLength = 32;

    /// <summary>
    /// Python <c>repr</c> of a double: the shortest digits that round-trip; fixed notation with a decimal
    /// point when 1e-4 ≤ |x| &lt; 1e16 or x is ±0 (<c>1500.0</c>, <c>-0.0</c>, <c>0.0001</c>), otherwise
    /// exponent notation with a signed exponent of at least two digits (<c>1e-05</c>, <c>2.5e+16</c>).
    /// NaN and ±∞ give <c>nan</c>, <c>inf</c>, <c>-inf</c> (callers that write JSON map them first).
    /// </summary>
    /// <param name="value">The value.</param>
    /// <returns>The Python representation.</returns>
    public static string Repr(double value)
    {
        Span<char> buffer = stackalloc char[MaxLength];
        var n = Format(value, buffer);
        return new string(buffer[..n]);
    }

    /// <summary>Writes <see cref="Repr"/> into a buffer of at least <see cref="MaxLength"/> characters.</summary>
    /// <returns>The number of characters written.</returns>
    internal static int Format(double value, Span<char> destination)
    {
        if (!double.IsFinite(value))
        {
            var text = double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
            text.CopyTo(destination);
            return text.Length;
        }

        var pos = 0;
        if (double.IsNegative(value))
        {
            destination[pos++] = '-';
        }

        if (value == 0)
        {
            "0.0".CopyTo(destination[pos..]);
            return pos + 3;
        }

        // .NET Core 3.0+ "R" gives the shortest round-trip digits, the same digit choice as Python's repr
        // (checked against Python on thousands of values in the tests); only the layout differs.
        Span<char> digits = stackalloc char[MaxLength];
        var decpt = ShortestDigits(Math.Abs(value), digits, out var count);

        // Python float_repr_style 'short' with repr: exponent form when decpt <= -4 or decpt > 16,
        // where value = 0.d1d2... × 10^decpt.
        if (decpt <= -4 || decpt > 16)
        {
            destination[pos++] = digits[0];
            if (count > 1)
            {
                destination[pos++] = '.';
                digits[1..count].CopyTo(destination[pos..]);
                pos += count - 1;
            }

            var exponent = decpt - 1;
            destination[pos++] = 'e';
            destination[pos++] = exponent < 0 ? '-' : '+';
            exponent = Math.Abs(exponent);
            if (exponent < 10)
            {
                destination[pos++] = '0';
            }

            exponent.TryFormat(destination[pos..], out var written, default, CultureInfo.InvariantCulture);
            return pos + written;
        }

        if (decpt <= 0)
        {
            destination[pos++] = '0';
            destination[pos++] = '.';
            destination.Slice(pos, -decpt).Fill('0');
            pos += -decpt;
            digits[..count].CopyTo(destination[pos..]);
            return pos + count;
        }

        if (decpt < count)
        {
            digits[..decpt].CopyTo(destination[pos..]);
            pos += decpt;
            destination[pos++] = '.';
            digits[decpt..count].CopyTo(destination[pos..]);
            return pos + count - decpt;
        }

        digits[..count].CopyTo(destination[pos..]);
        pos += count;
        destination.Slice(pos, decpt - count).Fill('0');
        pos += decpt - count;
        destination[pos++] = '.';
        destination[pos++] = '0';
        return pos;
    }

    /// <summary>
    /// Shortest round-trip significant digits of a positive finite value (no leading or trailing zeros)
    /// and the decimal-point position: value = 0.d1d2… × 10^result.
    /// </summary>
    private static int ShortestDigits(double positive, Span<char> digits, out int count)
    {
        Span<char> text = stackalloc char[MaxLength];
        positive.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
        text = text[..length];
        var exponent = 0;
        var e = text.IndexOfAny('E', 'e');
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        count = 0;
        var intDigits = 0;
        var seenDot = false;
        var leadingZeros = 0;
        foreach (var c in text)
        {
            if (c == '.')
            {
                seenDot = true;
                continue;
            }

            if (!seenDot)
            {
                intDigits++;
            }

            if (count == 0 && c == '0')
            {
                leadingZeros++;
                continue;
            }

            digits[count++] = c;
        }

        while (count > 1 && digits[count - 1] == '0')
        {
            count--;
        }

        return intDigits + exponent - leadingZeros;
    }
}
