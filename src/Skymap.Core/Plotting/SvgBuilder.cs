using System.Globalization;
using System.Text;

namespace Skymap.Core.Plotting;

/// <summary>A small SVG text builder: invariant numbers with one decimal, escaped text.</summary>
internal sealed class SvgBuilder
{
    private readonly StringBuilder _sb = new(1 << 16);

    public SvgBuilder Raw(string text)
    {
        _sb.Append(text);
        return this;
    }

    public SvgBuilder Line(string text)
    {
        _sb.Append(text).Append('\n');
        return this;
    }

    /// <summary>Appends a text element.</summary>
    public SvgBuilder Text(double x, double y, string text, string attributes = "")
    {
        _sb.Append("<text x=\"").Append(N(x)).Append("\" y=\"").Append(N(y)).Append('"');
        if (attributes.Length > 0)
        {
            _sb.Append(' ').Append(attributes);
        }

        _sb.Append('>').Append(Escape(text)).Append("</text>\n");
        return this;
    }

    /// <summary>Path data "M x y L x y …" of a polyline; NaN points split it into pieces.</summary>
    public static string PathData(IEnumerable<(double X, double Y)> points, bool close)
    {
        var sb = new StringBuilder();
        var pen = false;
        foreach (var (x, y) in points)
        {
            if (double.IsNaN(x) || double.IsNaN(y))
            {
                pen = false;
                continue;
            }

            sb.Append(pen ? 'L' : 'M').Append(N(x)).Append(' ').Append(N(y));
            pen = true;
        }

        if (close && sb.Length > 0)
        {
            sb.Append('Z');
        }

        return sb.ToString();
    }

    /// <summary>A coordinate with at most one decimal.</summary>
    public static string N(double value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);

    public static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);

    public override string ToString() => _sb.ToString();
}
