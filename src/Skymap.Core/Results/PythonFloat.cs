using System.Globalization;

namespace Skymap.Core.Results;

/// <summary>Formats doubles exactly as Python's <c>repr(float)</c> (what <c>json.dump</c> writes).</summary>
public static class PythonFloat
{
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
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        var negative = double.IsNegative(value);
        if (value == 0)
        {
            return negative ? "-0.0" : "0.0";
        }

        // .NET Core 3.0+ "R" yields the shortest round-trip digits (same digit choice as Python's repr).
        var (digits, decpt) = ShortestDigits(Math.Abs(value));
        var sb = new System.Text.StringBuilder(32);
        if (negative)
        {
            sb.Append('-');
        }

        // Python float_repr_style 'short' with repr: exponent form when decpt <= -4 or decpt > 16,
        // where value = 0.d1d2... × 10^decpt.
        if (decpt <= -4 || decpt > 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            var exponent = decpt - 1;
            sb.Append('e').Append(exponent < 0 ? '-' : '+');
            var abs = Math.Abs(exponent);
            if (abs < 10)
            {
                sb.Append('0');
            }

            sb.Append(abs.ToString(CultureInfo.InvariantCulture));
        }
        else if (decpt <= 0)
        {
            sb.Append("0.").Append('0', -decpt).Append(digits);
        }
        else if (decpt < digits.Length)
        {
            sb.Append(digits, 0, decpt).Append('.').Append(digits, decpt, digits.Length - decpt);
        }
        else
        {
            sb.Append(digits).Append('0', decpt - digits.Length).Append(".0");
        }

        return sb.ToString();
    }

    /// <summary>Shortest round-trip significant digits (no leading/trailing zeros) and decimal-point position.</summary>
    private static (string Digits, int DecimalPoint) ShortestDigits(double positive)
    {
        var text = positive.ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        var mantissa = text;
        if (e >= 0)
        {
            exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = text[..e];
        }

        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : string.Empty;
        var all = intPart + fracPart;
        var decpt = intPart.Length + exponent;
        var lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
        {
            lead++;
        }

        decpt -= lead;
        var digits = all[lead..].TrimEnd('0');
        return (digits.Length == 0 ? "0" : digits, decpt);
    }
}
