using SkiaSharp;

namespace Skymap.Plotting;

/// <summary>The embedded DejaVu Sans typeface and text drawn as outlines (identical in PNG, SVG and PDF).</summary>
internal static class PlotFont
{
    private static readonly Lazy<SKTypeface> Face = new(Load);

    public static SKTypeface Typeface => Face.Value;

    /// <summary>Width of a text at a size (points).</summary>
    public static float Measure(string text, float size)
    {
        using var font = new SKFont(Typeface, size);
        return font.MeasureText(text);
    }

    /// <summary>
    /// Draws a text as filled outlines. <paramref name="align"/>: 0 left, 0.5 centre, 1 right of <paramref name="x"/>;
    /// <paramref name="y"/> is the baseline. With <paramref name="halo"/> a white stroke is drawn below the glyphs.
    /// </summary>
    public static void Draw(SKCanvas canvas, string text, float x, float y, float size, SKColor colour, float align = 0, bool halo = false, float rotateDegrees = 0)
    {
        using var font = new SKFont(Typeface, size);
        var width = font.MeasureText(text);
        using var path = font.GetTextPath(text, new SKPoint(-align * width, 0));
        canvas.Save();
        canvas.Translate(x, y);
        if (rotateDegrees != 0)
        {
            canvas.RotateDegrees(rotateDegrees);
        }

        if (halo)
        {
            using var stroke = new SKPaint { Color = SKColors.White, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = size * 0.18f, StrokeJoin = SKStrokeJoin.Round };
            canvas.DrawPath(path, stroke);
        }

        using var fill = new SKPaint { Color = colour, IsAntialias = true, Style = SKPaintStyle.Fill };
        canvas.DrawPath(path, fill);
        canvas.Restore();
    }

    private static SKTypeface Load()
    {
        using var stream = typeof(PlotFont).Assembly.GetManifestResourceStream("Skymap.Plotting.DejaVuSans.ttf")
            ?? throw new InvalidOperationException("The embedded DejaVu Sans font is missing from Skymap.Plotting.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        using var data = SKData.CreateCopy(copy.ToArray());
        return SKTypeface.FromData(data) ?? throw new InvalidOperationException("The embedded DejaVu Sans font could not be loaded.");
    }
}
