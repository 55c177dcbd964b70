using Skymap.Core.Geometry;
using Skymap.Core.Maps;
using HealpixMath = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Plotting;

/// <summary>
/// What the zoomed panel shows, shared by the SVG and the PNG: projection about the best fit, the half width,
/// the colour scale, the graticule and the pixels to draw.
/// </summary>
internal sealed class ZoomView
{
    private const double Deg = Math.PI / 180.0;

    public ZoomView(SkymapAnalysis analysis, SkymapPlotOptions options)
    {
        Analysis = analysis;
        Projection = new ZoomProjection(analysis.BestDirection);
        ColorMax = options.ColorScaleMaximum ?? (analysis.Systematics ? 100.0 : 40.0);
        HalfWidthDegrees = options.HalfWidthDegrees ?? AutomaticHalfWidth(analysis);
        TanHalfWidth = Math.Tan(HalfWidthDegrees * Deg);
        (DecStep, RaStep) = GridSteps(HalfWidthDegrees, analysis.BestDecDegrees);
    }

    public SkymapAnalysis Analysis { get; }

    public ZoomProjection Projection { get; }

    public double ColorMax { get; }

    public double HalfWidthDegrees { get; }

    public double TanHalfWidth { get; }

    public double DecStep { get; }

    public double RaStep { get; }

    /// <summary>Projects a direction to panel coordinates in [−1, 1]² (x right, y up); NaN behind the tangent plane.</summary>
    public (double U, double V) ToPanel(Vector3D v)
    {
        var (x, y) = Projection.Project(v);
        return (x / TanHalfWidth, y / TanHalfWidth);
    }

    /// <summary>Direction of a panel point in [−1, 1]².</summary>
    public Vector3D FromPanel(double u, double v) => Projection.Unproject(u * TanHalfWidth, v * TanHalfWidth);

    /// <summary>
    /// The scanned pixels to draw, coarse first: those near the view and not wholly covered by scanned pixels of
    /// the next nside.
    /// </summary>
    public List<ScannedPixel> VisiblePixels()
    {
        var result = Analysis.Result;
        var nsides = result.Nsides;
        var viewRadius = Math.Atan(TanHalfWidth * Math.Sqrt(2)) * 1.02;
        var list = new List<ScannedPixel>();
        foreach (var pixel in Analysis.Pixels)
        {
            var radius = viewRadius + HealpixMath.MaxPixelRadius(pixel.Nside);
            if (HealpixMath.Pix2Vec(pixel.Nside, pixel.Index).Dot(Projection.Centre) < Math.Cos(Math.Min(radius, Math.PI / 2.1)))
            {
                continue;
            }

            var k = IndexOf(nsides, pixel.Nside);
            if (k + 1 < nsides.Count && result.TryGetBlock(nsides[k + 1], out var finer))
            {
                var children = HealpixMath.Children(pixel.Nside, pixel.Index, finer.Nside);
                if (Array.TrueForAll(children, c => finer.TryGetRow(c, out _)))
                {
                    continue;
                }
            }

            list.Add(pixel);
        }

        return list;
    }

    /// <summary>Boundary points per edge for a pixel of an nside, so that curved edges look curved.</summary>
    public int BoundaryStep(long nside)
    {
        var ratio = HealpixMath.Resolution(nside) / (HalfWidthDegrees * Deg / 12.0);
        return (int)Math.Clamp(Math.Ceiling(ratio), 1, 12);
    }

    /// <summary>Right-ascension grid values (degrees, possibly outside [0, 360)) to draw.</summary>
    public IEnumerable<double> RaLines()
    {
        var span = RaSpan();
        var ra0 = Analysis.BestRaDegrees;
        var first = Math.Ceiling((ra0 - span) / RaStep) * RaStep;
        for (var ra = first; ra <= ra0 + span + 1e-9; ra += RaStep)
        {
            yield return ra;
        }
    }

    /// <summary>Declination grid values (degrees) to draw.</summary>
    public IEnumerable<double> DecLines()
    {
        var (lo, hi) = DecRange();
        var first = Math.Ceiling(lo / DecStep) * DecStep;
        for (var dec = first; dec <= hi + 1e-9; dec += DecStep)
        {
            if (Math.Abs(dec) < 90 - 1e-9)
            {
                yield return dec;
            }
        }
    }

    /// <summary>Points of a line of constant RA in panel coordinates.</summary>
    public List<(double U, double V)> RaLine(double raDeg)
    {
        var (lo, hi) = DecRange();
        var points = new List<(double, double)>();
        const int samples = 120;
        for (var i = 0; i <= samples; i++)
        {
            var dec = lo + ((hi - lo) * i / samples);
            points.Add(ToPanel(ZoomProjection.FromRaDec(raDeg * Deg, dec * Deg)));
        }

        return points;
    }

    /// <summary>Points of a line of constant Dec in panel coordinates.</summary>
    public List<(double U, double V)> DecLine(double decDeg)
    {
        var span = RaSpan();
        var ra0 = Analysis.BestRaDegrees;
        var points = new List<(double, double)>();
        const int samples = 240;
        for (var i = 0; i <= samples; i++)
        {
            var ra = ra0 - span + (2 * span * i / samples);
            points.Add(ToPanel(ZoomProjection.FromRaDec(ra * Deg, decDeg * Deg)));
        }

        return points;
    }

    /// <summary>Label of an RA grid value: degrees in [0, 360) with the decimals the step needs.</summary>
    public string RaLabel(double raDeg) => FormatDegrees(((raDeg % 360) + 360) % 360, RaStep);

    /// <summary>Label of a Dec grid value.</summary>
    public string DecLabel(double decDeg) => FormatDegrees(decDeg, DecStep);

    /// <summary>Degrees with as many decimals as a grid step needs, a true minus sign and °.</summary>
    public static string FormatDegrees(double value, double step)
    {
        var decimals = 0;
        while (decimals < 2 && Math.Abs((step * Math.Pow(10, decimals)) - Math.Round(step * Math.Pow(10, decimals))) > 1e-9)
        {
            decimals++;
        }

        var text = Math.Round(value, decimals).ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture);
        if (text.StartsWith('-'))
        {
            text = text.TrimStart('-');
            text = text.Trim('0', '.').Length == 0 ? text : "\u2212" + text;
        }

        return text + "°";
    }

    private double RaSpan()
    {
        var edge = Math.Abs(Analysis.BestDecDegrees) + (1.6 * HalfWidthDegrees);
        return edge >= 85 ? 180 : Math.Min(180, 1.6 * HalfWidthDegrees / Math.Cos(edge * Deg));
    }

    private (double Lo, double Hi) DecRange()
    {
        var dec0 = Analysis.BestDecDegrees;
        return (Math.Max(-90, dec0 - (1.6 * HalfWidthDegrees)), Math.Min(90, dec0 + (1.6 * HalfWidthDegrees)));
    }

    private static int IndexOf(IReadOnlyList<long> list, long value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    private static double AutomaticHalfWidth(SkymapAnalysis analysis)
    {
        var outer = analysis.Levels[^1].Value;
        var contours = analysis.Contours(outer);
        var best = analysis.BestDirection;
        var reach = 0.0;
        foreach (var contour in contours)
        {
            var far = 0.0;
            foreach (var v in contour.Vertices)
            {
                far = Math.Max(far, best.AngleTo(v));
            }

            // Islands far from the best fit do not set the zoom.
            if (far < 25 * Deg)
            {
                reach = Math.Max(reach, far);
            }
        }

        if (reach == 0)
        {
            reach = 4 * HealpixMath.Resolution(analysis.MaxNside);
        }

        return Math.Clamp(1.4 * reach / Deg, 1.0, 20.0);
    }

    private static (double Dec, double Ra) GridSteps(double halfWidth, double dec0)
    {
        double[] nice = [0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 15, 20, 30, 45, 60, 90];
        var decStep = Pick(nice, 2 * halfWidth / 5);
        var cos = Math.Max(Math.Cos(dec0 * Deg), 0.05);
        var raStep = Pick(nice, decStep / cos);
        return (decStep, raStep);

        static double Pick(double[] steps, double target)
        {
            foreach (var s in steps)
            {
                if (s >= target * 0.999)
                {
                    return s;
                }
            }

            return steps[^1];
        }
    }
}
