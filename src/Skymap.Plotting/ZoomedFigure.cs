using System.Globalization;
using SkiaSharp;
using Skymap.Core.Geometry;
using Skymap.Core.Maps;
using HealpixMath = Skymap.Core.Healpix.Healpix;

namespace Skymap.Plotting;

/// <summary>
/// The zoomed plot (skyreader's <c>create_plot_zoomed</c>): a cartesian view rotated onto the best fit (healpy
/// <c>cartview</c> with <c>rot=(ra, dec, 0)</c>), east (increasing RA) to the left; half-widths from the bounding box
/// of the outermost contour plus a tenth (RA 3°–15°, Dec 2°–15°); 2ΔLLH on 0–40 in plasma_r; RA/Dec graticule with labels; contours
/// labelled with their areas; best-fit star; optional truth, reported circles and 90 % bounding rectangle; colour bar.
/// </summary>
internal sealed class ZoomedFigure : Figure
{
    public const double ColourMaximum = 40.0;
    private const float MarginLeft = 70;
    private const float MarginTop = 50;
    private const float MaxPanelWidth = 620;
    private const float MaxPanelHeight = 520;
    private const double Deg = Math.PI / 180;
    private const double ExtentMargin = 1.1;

    private readonly Vector3D _centre;
    private readonly Vector3D _east;
    private readonly Vector3D _north;

    public ZoomedFigure(SkymapAnalysis analysis, SkymapFigureOptions options)
        : base(analysis, options)
    {
        _centre = analysis.BestDirection;
        var east = new Vector3D(0, 0, 1).Cross(_centre);
        _east = east.Length < 1e-12 ? new Vector3D(0, 1, 0) : east.Normalized();
        _north = _centre.Cross(_east);

        var outer = analysis.RectangularErrors(analysis.Levels[^1].Value);
        var raExtent = Math.Max(outer.RaPlus, outer.RaMinus);
        var decExtent = Math.Max(outer.DecPlus, outer.DecMinus);
        // skyreader's bounds are the contour's extent itself, which draws a contour that reaches them along the frame;
        // a tenth more keeps the whole line inside (the 3°/2° minima and 15° maxima are skyreader's).
        RaBound = double.IsFinite(raExtent) ? Math.Min(15, Math.Max(3, ExtentMargin * raExtent)) : 3;
        DecBound = double.IsFinite(decExtent) ? Math.Min(15, Math.Max(2, ExtentMargin * decExtent)) : 2;
        Scale = (float)Math.Min(MaxPanelWidth / (2 * RaBound), MaxPanelHeight / (2 * DecBound));
        Panel = new SKRect(MarginLeft, MarginTop, MarginLeft + (float)(2 * RaBound * Scale), MarginTop + (float)(2 * DecBound * Scale));
    }

    /// <summary>Half-width of the view in (rotated) longitude, degrees.</summary>
    public double RaBound { get; }

    /// <summary>Half-height of the view in (rotated) latitude, degrees.</summary>
    public double DecBound { get; }

    /// <summary>Points per degree.</summary>
    public float Scale { get; }

    /// <summary>The map panel (points).</summary>
    public SKRect Panel { get; }

    public override float Width => MathF.Ceiling(Panel.Right + 30);

    public override float Height => MathF.Ceiling(Panel.Bottom + 92);

    /// <summary>Projects a direction to figure points (NaN behind the view).</summary>
    public SKPoint Project(Vector3D v)
    {
        var c = v.Dot(_centre);
        var lon = Math.Atan2(v.Dot(_east), c);
        var lat = Math.Asin(Math.Clamp(v.Dot(_north), -1, 1));
        if (Math.Abs(lon) > Math.PI / 2)
        {
            return new SKPoint(float.NaN, float.NaN);
        }

        return new SKPoint(Panel.MidX - (float)(lon / Deg * Scale), Panel.MidY - (float)(lat / Deg * Scale));
    }

    /// <summary>Projects (RA, Dec) in radians.</summary>
    public SKPoint Project(double ra, double dec) => Project(Vector3D.FromSpherical((Math.PI / 2) - dec, ra));

    /// <summary>The direction at a figure point.</summary>
    public Vector3D Unproject(double x, double y)
    {
        var lon = -(x - Panel.MidX) / Scale * Deg;
        var lat = -(y - Panel.MidY) / Scale * Deg;
        var cl = Math.Cos(lat);
        return ((cl * Math.Cos(lon)) * _centre) + ((cl * Math.Sin(lon)) * _east) + (Math.Sin(lat) * _north);
    }

    public override void Draw(SKCanvas canvas, float rasterScale)
    {
        var a = Analysis;
        PlotFont.Draw(canvas, Title, Panel.MidX, 28, 14, SKColors.Black, 0.5f);

        var map = a.FinestMap.ToArray();
        var nside = a.MaxNside;
        var anyUnscanned = false;
        DrawMapImage(canvas, Panel, rasterScale, (x, y) =>
        {
            var v = map[HealpixMath.Vec2Pix(nside, Unproject(x, y))];
            if (double.IsNaN(v))
            {
                anyUnscanned = true;
            }

            return Plasma.Reversed(v, ColourMaximum);
        });

        canvas.Save();
        canvas.ClipRect(Panel);
        DrawGraticule(canvas, out var raTicks, out var decTicks);

        var legend = new List<(string Text, Action<SKCanvas, SKPoint> Symbol)>();
        for (var l = 0; l < a.Levels.Count; l++)
        {
            var level = a.Levels[l];
            var colour = LevelColours[l % LevelColours.Length];
            foreach (var contour in a.Contours(level.Value))
            {
                StrokePolyline(canvas, contour.Vertices.Select(Project), colour, 2f, closed: true);
            }

            var area = a.PolygonArea(level.Value);
            legend.Add((string.Create(CultureInfo.InvariantCulture, $"{level.Label} - area: {area:F2} sqdeg"), (c, p) => StrokePolyline(c, [p, new SKPoint(p.X + 18, p.Y)], colour, 2f)));
        }

        if (a.Result.Metadata.Calibration is { } calibration && double.IsFinite(calibration.Level90))
        {
            // The event's own 90% level from re-simulation (skymap calibrate), beside Wilks' contours.
            var calibrated = new SKColor(0x1f, 0x77, 0xb4);
            foreach (var contour in a.Contours(calibration.Level90))
            {
                StrokePolyline(canvas, contour.Vertices.Select(Project), calibrated, 2f, closed: true);
            }

            var area = a.PolygonArea(calibration.Level90);
            legend.Add((string.Create(CultureInfo.InvariantCulture, $"calibrated 90%: 2ΔLLH < {calibration.Level90:0.##} - area: {area:F2} sqdeg"),
                (c, p) => StrokePolyline(c, [p, new SKPoint(p.X + 18, p.Y)], calibrated, 2f)));
        }

        if (Options.BoundingBox)
        {
            DrawBoundingBox(canvas, legend);
        }

        foreach (var circle in Options.Circles)
        {
            DrawCircle(canvas, circle);
        }

        if (Options.Circles.Count > 0)
        {
            legend.Add(("Reported online (50%, 90%)", (c, p) => Cross(c, new SKPoint(p.X + 9, p.Y), SKColors.Magenta)));
        }

        if (Options.Truth is { } truth)
        {
            var p = Project(truth.RaDegrees * Deg, truth.DecDegrees * Deg);
            Plus(canvas, p, new SKColor(0x00, 0x9e, 0xe0));
            legend.Add(("true direction", (c, q) => Plus(c, new SKPoint(q.X + 9, q.Y), new SKColor(0x00, 0x9e, 0xe0))));
        }

        var best = Project(a.BestDirection);
        using (var star = Star(best, 7))
        using (var fill = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        {
            canvas.DrawPath(star, fill);
        }

        legend.Insert(0, ("scan best fit", (c, p) =>
        {
            using var s = Star(new SKPoint(p.X + 9, p.Y), 5);
            using var f = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            c.DrawPath(s, f);
        }));
        if (anyUnscanned)
        {
            legend.Add(("not scanned", (c, p) =>
            {
                using var g = new SKPaint { Color = Plasma.Unscanned, Style = SKPaintStyle.Fill };
                c.DrawRect(new SKRect(p.X + 2, p.Y - 5, p.X + 16, p.Y + 5), g);
            }));
        }

        DrawLegend(canvas, legend);
        canvas.Restore();

        using (var frame = new SKPaint { Color = SKColors.Black, StrokeWidth = 1f, IsAntialias = true, Style = SKPaintStyle.Stroke })
        {
            canvas.DrawRect(Panel, frame);
            foreach (var (x, text) in raTicks)
            {
                canvas.DrawLine(x, Panel.Bottom, x, Panel.Bottom + 4, frame);
                PlotFont.Draw(canvas, text, x, Panel.Bottom + 15, 10, SKColors.Black, 0.5f);
            }

            foreach (var (y, text) in decTicks)
            {
                canvas.DrawLine(Panel.Left - 4, y, Panel.Left, y, frame);
                PlotFont.Draw(canvas, text, Panel.Left - 6, y + 3.5f, 10, SKColors.Black, 1f);
            }
        }

        PlotFont.Draw(canvas, "Right ascension", Panel.MidX, Panel.Bottom + 29, 11, SKColors.Black, 0.5f);
        PlotFont.Draw(canvas, "Declination", Panel.Left - 42, Panel.MidY, 11, SKColors.Black, 0.5f, rotateDegrees: -90);

        var barWidth = Math.Min(Panel.Width, 420);
        var bar = new SKRect(Panel.MidX - (barWidth / 2), Panel.Bottom + 38, Panel.MidX + (barWidth / 2), Panel.Bottom + 48);
        var marks = a.Levels.Select((lv, i) => (lv.Value, LevelColours[i % LevelColours.Length])).ToList();
        DrawColourBar(canvas, bar, ColourMaximum, [0, 5, 10, 15, 20, 25, 30, 35, 40], "−2Δln L", marks);
    }

    private void DrawGraticule(SKCanvas canvas, out List<(float X, string Text)> raTicks, out List<(float Y, string Text)> decTicks)
    {
        raTicks = [];
        decTicks = [];
        var bestDec = Analysis.BestDecDegrees;
        var bestRa = Analysis.BestRaDegrees;
        var decLo = Math.Max(-90, bestDec - DecBound - 1);
        var decHi = Math.Min(90, bestDec + DecBound + 1);
        var maxAbsDec = Math.Min(89.0, Math.Max(Math.Abs(decLo), Math.Abs(decHi)));
        var raHalf = Math.Min(180, (RaBound + 1) / Math.Cos(maxAbsDec * Deg));
        var decStep = Step(2 * DecBound);
        var raStep = Step(2 * RaBound / Math.Max(Math.Cos(bestDec * Deg), 0.05));
        var grid = new SKColor(0x40, 0x40, 0x40, 150);

        for (var ra = Math.Floor((bestRa - raHalf) / raStep) * raStep; ra <= bestRa + raHalf; ra += raStep)
        {
            var points = Enumerable.Range(0, 201).Select(k => Project(ra * Deg, (decLo + ((decHi - decLo) * k / 200.0)) * Deg)).ToList();
            StrokePolyline(canvas, points, grid, 0.6f, dash: [3, 3]);
            if (Crossing(points, p => p.Y - Panel.Bottom) is { } at && at.X > Panel.Left + 8 && at.X < Panel.Right - 8)
            {
                raTicks.Add((at.X, DegreesText(((ra % 360) + 360) % 360, raStep)));
            }
        }

        for (var dec = Math.Ceiling(decLo / decStep) * decStep; dec <= decHi; dec += decStep)
        {
            var points = Enumerable.Range(0, 201).Select(k => Project((bestRa - raHalf + (2 * raHalf * k / 200.0)) * Deg, dec * Deg)).ToList();
            StrokePolyline(canvas, points, grid, 0.6f, dash: [3, 3]);
            if (Crossing(points, p => p.X - Panel.Left) is { } at && at.Y > Panel.Top + 6 && at.Y < Panel.Bottom - 6)
            {
                decTicks.Add((at.Y, DegreesText(dec, decStep)));
            }
        }
    }

    private static SKPoint? Crossing(List<SKPoint> points, Func<SKPoint, float> f)
    {
        for (var i = 1; i < points.Count; i++)
        {
            var (p, q) = (points[i - 1], points[i]);
            if (float.IsNaN(p.X) || float.IsNaN(q.X))
            {
                continue;
            }

            var (fp, fq) = (f(p), f(q));
            if ((fp <= 0 && fq > 0) || (fp > 0 && fq <= 0))
            {
                var t = fp / (fp - fq);
                return new SKPoint(p.X + (t * (q.X - p.X)), p.Y + (t * (q.Y - p.Y)));
            }
        }

        return null;
    }

    private static double Step(double span)
    {
        foreach (var s in new[] { 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0 })
        {
            if (span / s <= 8)
            {
                return s;
            }
        }

        return 45.0;
    }

    private static string DegreesText(double value, double step)
    {
        var rounded = Math.Round(value / step) * step;
        var text = Math.Abs(rounded).ToString(step < 1 ? "0.0" : "0", CultureInfo.InvariantCulture) + "°";
        return rounded < -1e-9 ? "−" + text : text;
    }

    private void DrawBoundingBox(SKCanvas canvas, List<(string Text, Action<SKCanvas, SKPoint> Symbol)> legend)
    {
        var e = Analysis.RectangularErrors(Analysis.Level90.Value);
        if (!double.IsFinite(e.RaPlus))
        {
            return;
        }

        double ra = Analysis.BestRaDegrees, dec = Analysis.BestDecDegrees;
        var corners = new List<(double Ra, double Dec)>();
        for (var k = 0; k <= 10; k++)
        {
            corners.Add((ra - e.RaMinus + ((e.RaPlus + e.RaMinus) * k / 10), dec - e.DecMinus));
        }

        for (var k = 0; k <= 10; k++)
        {
            corners.Add((ra + e.RaPlus, dec - e.DecMinus + ((e.DecPlus + e.DecMinus) * k / 10)));
        }

        for (var k = 0; k <= 10; k++)
        {
            corners.Add((ra + e.RaPlus - ((e.RaPlus + e.RaMinus) * k / 10), dec + e.DecPlus));
        }

        for (var k = 0; k <= 10; k++)
        {
            corners.Add((ra - e.RaMinus, dec + e.DecPlus - ((e.DecPlus + e.DecMinus) * k / 10)));
        }

        var red = new SKColor(0xff, 0, 0);
        StrokePolyline(canvas, corners.Select(c => Project(c.Ra * Deg, c.Dec * Deg)), red, 0.9f, closed: true, dash: [5, 3]);

        // Area of the RA/Dec rectangle on the sphere: ΔRA · (sin dec₂ − sin dec₁).
        var area = (e.RaPlus + e.RaMinus) * Deg * (Math.Sin((dec + e.DecPlus) * Deg) - Math.Sin((dec - e.DecMinus) * Deg)) * SkymapAnalysis.SquareDegreesPerSteradian;
        legend.Add((string.Create(CultureInfo.InvariantCulture, $"90% Bounding rectangle - area: {Math.Abs(area):F2} sqdeg"),
            (c, p) => StrokePolyline(c, [p, new SKPoint(p.X + 18, p.Y)], red, 0.9f, dash: [5, 3])));
    }

    private void DrawCircle(SKCanvas canvas, SkyCircle circle)
    {
        var centre = Vector3D.FromSpherical((Math.PI / 2) - (circle.DecDegrees * Deg), circle.RaDegrees * Deg);
        Cross(canvas, Project(centre), SKColors.Magenta);
        var east = new Vector3D(0, 0, 1).Cross(centre);
        east = east.Length < 1e-12 ? new Vector3D(0, 1, 0) : east.Normalized();
        var north = centre.Cross(east);
        foreach (var (scale, dash) in new[] { (1.0, (float[]?)null), (2.1459 / 1.177, new float[] { 6, 3 }) })
        {
            var r = circle.RadiusDegrees * scale * Deg;
            var points = Enumerable.Range(0, 181).Select(k =>
            {
                var t = 2 * Math.PI * k / 180;
                return Project((Math.Cos(r) * centre) + (Math.Sin(r) * ((Math.Cos(t) * east) + (Math.Sin(t) * north))));
            });
            StrokePolyline(canvas, points, SKColors.Magenta, 1.6f, closed: true, dash: dash);
        }
    }

    private static void Cross(SKCanvas canvas, SKPoint p, SKColor colour)
    {
        StrokePolyline(canvas, [new SKPoint(p.X - 4, p.Y - 4), new SKPoint(p.X + 4, p.Y + 4)], colour, 1.5f);
        StrokePolyline(canvas, [new SKPoint(p.X - 4, p.Y + 4), new SKPoint(p.X + 4, p.Y - 4)], colour, 1.5f);
    }

    private static void Plus(SKCanvas canvas, SKPoint p, SKColor colour)
    {
        StrokePolyline(canvas, [new SKPoint(p.X - 6, p.Y), new SKPoint(p.X + 6, p.Y)], colour, 2f);
        StrokePolyline(canvas, [new SKPoint(p.X, p.Y - 6), new SKPoint(p.X, p.Y + 6)], colour, 2f);
    }

    private void DrawLegend(SKCanvas canvas, List<(string Text, Action<SKCanvas, SKPoint> Symbol)> entries)
    {
        const float size = 9;
        const float row = 13;
        var width = entries.Max(e => PlotFont.Measure(e.Text, size)) + 34;
        var height = (entries.Count * row) + 8;
        var box = new SKRect(Panel.Left + 6, Panel.Bottom - 6 - height, Panel.Left + 6 + width, Panel.Bottom - 6);
        using (var bg = new SKPaint { Color = new SKColor(255, 255, 255, 215), Style = SKPaintStyle.Fill })
        using (var edge = new SKPaint { Color = new SKColor(0x80, 0x80, 0x80), Style = SKPaintStyle.Stroke, StrokeWidth = 0.6f, IsAntialias = true })
        {
            canvas.DrawRoundRect(box, 3, 3, bg);
            canvas.DrawRoundRect(box, 3, 3, edge);
        }

        var y = box.Top + 4 + (row / 2);
        foreach (var (text, symbol) in entries)
        {
            symbol(canvas, new SKPoint(box.Left + 6, y));
            PlotFont.Draw(canvas, text, box.Left + 28, y + 3.2f, size, SKColors.Black);
            y += row;
        }
    }
}
