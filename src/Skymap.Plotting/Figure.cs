using System.Globalization;
using SkiaSharp;
using Skymap.Core.Maps;

namespace Skymap.Plotting;

/// <summary>
/// A figure drawn once on an <see cref="SKCanvas"/> in points and written as PNG, SVG or PDF from the same code.
/// </summary>
internal abstract class Figure
{
    /// <summary>Contour colours of skyreader: black, red, green (matplotlib 'k', 'r', 'g').</summary>
    public static readonly SKColor[] LevelColours = [SKColors.Black, new(0xff, 0x00, 0x00), new(0x00, 0x80, 0x00)];

    protected Figure(SkymapAnalysis analysis, SkymapFigureOptions options)
    {
        Analysis = analysis;
        Options = options;
    }

    public SkymapAnalysis Analysis { get; }

    public SkymapFigureOptions Options { get; }

    /// <summary>Width in points.</summary>
    public abstract float Width { get; }

    /// <summary>Height in points.</summary>
    public abstract float Height { get; }

    /// <summary>The figure's title: skyreader's "Run: R Event: E Type: T MJD: M".</summary>
    public string Title
    {
        get
        {
            var m = Analysis.Result.Metadata;
            var mjd = double.IsFinite(m.Mjd) ? m.Mjd.ToString("R", CultureInfo.InvariantCulture) : "unknown";
            return string.Create(CultureInfo.InvariantCulture, $"Run: {m.RunId} Event: {m.EventId} Type: {m.EventType} MJD: {mjd}");
        }
    }

    /// <summary>Draws the figure; <paramref name="rasterScale"/> is the resolution (pixels per point) of embedded images.</summary>
    public abstract void Draw(SKCanvas canvas, float rasterScale);

    /// <summary>Writes the figure in a format.</summary>
    public void Write(FigureFormat format, Stream destination)
    {
        var scale = Math.Clamp(Options.PngScale, 0.25f, 8f);
        switch (format)
        {
            case FigureFormat.Png:
            {
                var w = (int)Math.Round(Width * scale);
                var h = (int)Math.Round(Height * scale);
                using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
                using (var canvas = new SKCanvas(bitmap))
                {
                    canvas.Clear(SKColors.White);
                    canvas.Scale(scale);
                    Draw(canvas, scale);
                }

                using var image = SKImage.FromBitmap(bitmap);
                using var data = image.Encode(SKEncodedImageFormat.Png, 100);
                data.SaveTo(destination);
                break;
            }

            case FigureFormat.Svg:
            {
                using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, Width, Height), destination))
                {
                    canvas.Clear(SKColors.White);
                    Draw(canvas, scale);
                }

                break;
            }

            case FigureFormat.Pdf:
            {
                var metadata = new SKDocumentPdfMetadata
                {
                    Title = Title,
                    Creator = "Skymap.Plotting",
                    Producer = "Skymap.Plotting (SkiaSharp)",
                    RasterDpi = 72 * scale,
                };
                using var document = SKDocument.CreatePdf(destination, metadata);
                var canvas = document.BeginPage(Width, Height);
                canvas.Clear(SKColors.White);
                Draw(canvas, scale);
                document.EndPage();
                document.Close();
                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown figure format.");
        }
    }

    /// <summary>A map image: each pixel's colour from a function of the point at its centre (null: transparent).</summary>
    protected static void DrawMapImage(SKCanvas canvas, SKRect rect, float rasterScale, Func<double, double, SKColor?> colourAt)
    {
        var w = Math.Max(1, (int)Math.Round(rect.Width * rasterScale));
        var h = Math.Max(1, (int)Math.Round(rect.Height * rasterScale));
        using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        var pixels = new int[w * h];
        Parallel.For(0, h, j =>
        {
            var y = rect.Top + ((j + 0.5) * rect.Height / h);
            for (var i = 0; i < w; i++)
            {
                var x = rect.Left + ((i + 0.5) * rect.Width / w);
                var c = colourAt(x, y);
                pixels[(j * w) + i] = c is { } colour ? colour.Red | (colour.Green << 8) | (colour.Blue << 16) | unchecked((int)0xff000000) : 0;
            }
        });

        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        bitmap.NotifyPixelsChanged();
        using var image = SKImage.FromBitmap(bitmap);
        canvas.DrawImage(image, rect, new SKSamplingOptions(SKFilterMode.Nearest));
    }

    /// <summary>Strokes a polyline; breaks where <paramref name="points"/> holds NaN.</summary>
    protected static void StrokePolyline(SKCanvas canvas, IEnumerable<SKPoint> points, SKColor colour, float width, bool closed = false, float[]? dash = null)
    {
        using var path = new SKPath();
        var open = false;
        SKPoint? first = null;
        var broken = false;
        foreach (var p in points)
        {
            if (float.IsNaN(p.X) || float.IsNaN(p.Y))
            {
                open = false;
                broken = true;
                continue;
            }

            if (!open)
            {
                path.MoveTo(p);
                open = true;
                first ??= p;
            }
            else
            {
                path.LineTo(p);
            }
        }

        if (closed && !broken && first is not null)
        {
            path.Close();
        }

        using var effect = dash is null ? null : SKPathEffect.CreateDash(dash, 0);
        using var paint = new SKPaint
        {
            Color = colour, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = width,
            StrokeJoin = SKStrokeJoin.Round, StrokeCap = SKStrokeCap.Round, PathEffect = effect,
        };
        canvas.DrawPath(path, paint);
    }

    /// <summary>A five-pointed star path.</summary>
    protected static SKPath Star(SKPoint centre, float radius)
    {
        var path = new SKPath();
        for (var k = 0; k < 10; k++)
        {
            var r = k % 2 == 0 ? radius : radius * 0.4f;
            var a = (-Math.PI / 2) + (k * Math.PI / 5);
            var p = new SKPoint(centre.X + (float)(r * Math.Cos(a)), centre.Y + (float)(r * Math.Sin(a)));
            if (k == 0)
            {
                path.MoveTo(p);
            }
            else
            {
                path.LineTo(p);
            }
        }

        path.Close();
        return path;
    }

    /// <summary>Draws a horizontal colour bar of plasma_r over [0, max] with ticks and a label below it.</summary>
    protected static void DrawColourBar(SKCanvas canvas, SKRect rect, double maximum, IReadOnlyList<double> ticks, string label, IReadOnlyList<(double Value, SKColor Colour)> marks)
    {
        const int steps = 256;
        for (var i = 0; i < steps; i++)
        {
            var x0 = rect.Left + (i * rect.Width / steps);
            var x1 = rect.Left + ((i + 1) * rect.Width / steps);
            using var fill = new SKPaint { Color = Plasma.Reversed((i + 0.5) / steps * maximum, maximum), Style = SKPaintStyle.Fill };
            canvas.DrawRect(new SKRect(x0, rect.Top, x1 + 0.3f, rect.Bottom), fill);
        }

        // Level marks, only where a reader can tell them from the bar's edge and from each other (on a full-sky bar
        // up to thousands of 2ΔLLH units the contour levels would pile up as one smudge at 0).
        var lastMark = float.NegativeInfinity;
        foreach (var (value, colour) in marks)
        {
            var x = rect.Left + (float)(value / maximum * rect.Width);
            if (value >= 0 && value <= maximum && x - rect.Left >= 3 && rect.Right - x >= 3 && x - lastMark >= 3)
            {
                using var line = new SKPaint { Color = colour, StrokeWidth = 1.5f, IsAntialias = true, Style = SKPaintStyle.Stroke };
                canvas.DrawLine(x, rect.Top, x, rect.Bottom, line);
                lastMark = x;
            }
        }

        using var frame = new SKPaint { Color = SKColors.Black, StrokeWidth = 0.8f, IsAntialias = true, Style = SKPaintStyle.Stroke };
        canvas.DrawRect(rect, frame);
        foreach (var t in ticks)
        {
            var x = rect.Left + (float)(t / maximum * rect.Width);
            canvas.DrawLine(x, rect.Bottom, x, rect.Bottom + 4, frame);
            PlotFont.Draw(canvas, FormatTick(t), x, rect.Bottom + 15, 10, SKColors.Black, 0.5f);
        }

        PlotFont.Draw(canvas, label, rect.MidX, rect.Bottom + 30, 11, SKColors.Black, 0.5f);
    }

    /// <summary>About five round tick values on [0, max].</summary>
    protected static List<double> NiceTicks(double maximum, int target = 5)
    {
        var raw = maximum / target;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2.0, 2.5, 5.0, 10.0 }.Select(f => f * magnitude).First(s => s >= raw);
        var ticks = new List<double>();
        for (var t = 0.0; t <= maximum * (1 + 1e-9); t += step)
        {
            ticks.Add(Math.Round(t / step) * step);
        }

        return ticks;
    }

    protected static string FormatTick(double value) =>
        Math.Abs(value - Math.Round(value)) < 1e-9
            ? Math.Round(value).ToString("0", CultureInfo.InvariantCulture)
            : value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The label of a level as skyreader writes it (σ for 3 sigma).</summary>
    protected static string LevelLabel(ContourLevel level) => level.Label;
}
