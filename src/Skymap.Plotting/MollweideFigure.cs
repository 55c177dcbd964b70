using System.Globalization;
using SkiaSharp;
using Skymap.Core.Geometry;
using Skymap.Core.Maps;
using HealpixMath = Skymap.Core.Healpix.Healpix;

namespace Skymap.Plotting;

/// <summary>
/// The full-sky plot (skyreader's <c>create_plot</c>): a Mollweide projection in the astronomical convention (RA
/// increasing to the left, 12h in the centre), the finest-nside 2ΔLLH map in plasma_r with unscanned pixels grey,
/// a 30° graticule with hour and degree labels, the contour lines, the best fit, a colour bar and the title.
/// </summary>
internal sealed class MollweideFigure : Figure
{
    private const float FigureWidth = 900;
    private const float FigureHeight = 570;
    private static readonly double Sqrt2 = Math.Sqrt(2.0);

    public MollweideFigure(SkymapAnalysis analysis, SkymapFigureOptions options)
        : base(analysis, options)
    {
        var max = analysis.MapMaximum;
        ColourMaximum = max > 0 ? max : 1.0;
    }

    public override float Width => FigureWidth;

    public override float Height => FigureHeight;

    /// <summary>The top of the colour scale: the largest 2ΔLLH of the map.</summary>
    public double ColourMaximum { get; }

    /// <summary>Centre of the ellipse (points).</summary>
    public static SKPoint Centre => new(450, 272);

    /// <summary>Half-width of the ellipse (points); the half-height is half of it.</summary>
    public const float HalfWidth = 400;

    /// <summary>Projects (RA, Dec) in radians to figure points.</summary>
    public static SKPoint Project(double ra, double dec)
    {
        var lambda = Math.PI - SkymapAnalysisNormalize(ra);
        var theta = AuxiliaryAngle(dec);
        var x = 2 * Sqrt2 / Math.PI * lambda * Math.Cos(theta);
        var y = Sqrt2 * Math.Sin(theta);
        var s = HalfWidth / (2 * Sqrt2);
        return new SKPoint(Centre.X + (float)(x * s), Centre.Y - (float)(y * s));
    }

    /// <summary>The (RA, Dec) in radians of a figure point, or null outside the ellipse.</summary>
    public static (double Ra, double Dec)? Unproject(double px, double py)
    {
        var s = HalfWidth / (2 * Sqrt2);
        var x = (px - Centre.X) / s;
        var y = -(py - Centre.Y) / s;
        if ((x * x / 8) + (y * y / 2) > 1)
        {
            return null;
        }

        var theta = Math.Asin(Math.Clamp(y / Sqrt2, -1, 1));
        var dec = Math.Asin(Math.Clamp(((2 * theta) + Math.Sin(2 * theta)) / Math.PI, -1, 1));
        var cos = Math.Cos(theta);
        var lambda = cos < 1e-12 ? 0 : Math.PI * x / (2 * Sqrt2 * cos);
        if (Math.Abs(lambda) > Math.PI)
        {
            return null;
        }

        return (SkymapAnalysisNormalize(Math.PI - lambda), dec);
    }

    public override void Draw(SKCanvas canvas, float rasterScale)
    {
        var a = Analysis;
        PlotFont.Draw(canvas, Title, FigureWidth / 2, 30, 15, SKColors.Black, 0.5f);

        // Map.
        var map = a.FinestMap.ToArray();
        var nside = a.MaxNside;
        var box = new SKRect(Centre.X - HalfWidth, Centre.Y - (HalfWidth / 2), Centre.X + HalfWidth, Centre.Y + (HalfWidth / 2));
        var anyUnscanned = false;
        DrawMapImage(canvas, box, rasterScale, (x, y) =>
        {
            if (Unproject(x, y) is not { } sky)
            {
                return null;
            }

            var pixel = HealpixMath.Ang2Pix(nside, Math.Clamp((Math.PI / 2) - sky.Dec, 0, Math.PI), sky.Ra);
            var v = map[pixel];
            if (double.IsNaN(v))
            {
                anyUnscanned = true;
            }

            return Plasma.Reversed(v, ColourMaximum);
        });

        // Graticule every 30°.
        var grid = new SKColor(0, 0, 0, 128);
        for (var raDeg = 0; raDeg < 360; raDeg += 30)
        {
            var ra = raDeg * Math.PI / 180;
            StrokePolyline(canvas, Enumerable.Range(0, 181).Select(k => Project(ra == 0 ? 1e-9 : ra, (k - 90) * Math.PI / 180)), grid, 0.6f);
        }

        for (var decDeg = -60; decDeg <= 60; decDeg += 30)
        {
            var dec = decDeg * Math.PI / 180;
            StrokePolyline(canvas, Enumerable.Range(0, 361).Select(k => Project(Math.Min(k, 359.999999) * Math.PI / 180, dec)), grid, 0.6f);
        }

        using (var outline = new SKPaint { Color = SKColors.Black, StrokeWidth = 1f, IsAntialias = true, Style = SKPaintStyle.Stroke })
        {
            canvas.DrawOval(box, outline);
        }

        // Contours, breaking lines at the RA = 0 seam.
        for (var l = 0; l < a.Levels.Count; l++)
        {
            foreach (var contour in a.Contours(a.Levels[l].Value))
            {
                StrokePolyline(canvas, SeamBroken(contour.Vertices), LevelColours[l % LevelColours.Length], 1.2f, closed: true);
            }
        }

        using (var star = Star(Project(a.BestRa, a.BestDec), 6))
        using (var fill = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        using (var edge = new SKPaint { Color = SKColors.White, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 0.8f })
        {
            canvas.DrawPath(star, edge);
            canvas.DrawPath(star, fill);
        }

        // Labels: hours along the equator, degrees at the left rim.
        for (var raDeg = 30; raDeg < 360; raDeg += 30)
        {
            var p = Project(raDeg * Math.PI / 180, 0);
            var hours = (raDeg / 15).ToString(CultureInfo.InvariantCulture) + "h";
            PlotFont.Draw(canvas, hours, p.X, p.Y + 12, 10, SKColors.Black, 0.5f, halo: true);
        }

        for (var decDeg = -60; decDeg <= 60; decDeg += 30)
        {
            if (decDeg == 0)
            {
                continue;
            }

            var p = Project((360 - 1e-6) * Math.PI / 180, decDeg * Math.PI / 180);
            var text = (decDeg < 0 ? "−" : "") + Math.Abs(decDeg).ToString(CultureInfo.InvariantCulture) + "°";
            PlotFont.Draw(canvas, text, p.X - 4, p.Y + 4, 10, SKColors.Black, 1f, halo: true);
        }

        PlotFont.Draw(canvas, "0°", Centre.X - HalfWidth - 4, Centre.Y + 4, 10, SKColors.Black, 1f, halo: true);

        // Legend (top right) and colour bar.
        var legendY = 62f;
        for (var l = 0; l < a.Levels.Count; l++)
        {
            var colour = LevelColours[l % LevelColours.Length];
            StrokePolyline(canvas, [new SKPoint(760, legendY - 4), new SKPoint(782, legendY - 4)], colour, 1.5f);
            PlotFont.Draw(canvas, a.Levels[l].Label, 788, legendY, 10, SKColors.Black);
            legendY += 14;
        }

        if (anyUnscanned)
        {
            using var grey = new SKPaint { Color = Plasma.Unscanned, Style = SKPaintStyle.Fill };
            canvas.DrawRect(new SKRect(762, legendY - 10, 780, legendY), grey);
            PlotFont.Draw(canvas, "not scanned", 788, legendY, 10, SKColors.Black);
        }

        var bar = new SKRect(270, 505, 630, 519);
        var marks = a.Levels.Select((lv, i) => (lv.Value, LevelColours[i % LevelColours.Length])).ToList();
        DrawColourBar(canvas, bar, ColourMaximum, NiceTicks(ColourMaximum), "−2Δln L", marks);
    }

    private static IEnumerable<SKPoint> SeamBroken(IReadOnlyList<Vector3D> vertices)
    {
        SKPoint? previous = null;
        foreach (var v in vertices.Append(vertices[0]))
        {
            var ra = SkymapAnalysisNormalize(Math.Atan2(v.Y, v.X));
            var dec = Math.Asin(Math.Clamp(v.Z, -1, 1));
            var p = Project(ra, dec);
            if (previous is { } q && Math.Abs(p.X - q.X) > HalfWidth)
            {
                yield return new SKPoint(float.NaN, float.NaN);
            }

            yield return p;
            previous = p;
        }
    }

    private static double AuxiliaryAngle(double dec)
    {
        if (Math.Abs(Math.Abs(dec) - (Math.PI / 2)) < 1e-12)
        {
            return dec;
        }

        var target = Math.PI * Math.Sin(dec);
        var theta = dec;
        for (var i = 0; i < 50; i++)
        {
            var f = (2 * theta) + Math.Sin(2 * theta) - target;
            var d = 2 + (2 * Math.Cos(2 * theta));
            if (Math.Abs(d) < 1e-15)
            {
                break;
            }

            var step = f / d;
            theta -= step;
            if (Math.Abs(step) < 1e-13)
            {
                break;
            }
        }

        return theta;
    }

    private static double SkymapAnalysisNormalize(double ra)
    {
        var r = ra % (2 * Math.PI);
        if (r < 0)
        {
            r += 2 * Math.PI;
        }

        return r >= 2 * Math.PI ? 0.0 : r;
    }
}
