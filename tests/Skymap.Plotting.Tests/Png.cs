using SkiaSharp;

namespace Skymap.Plotting.Tests;

/// <summary>A decoded RGBA image for pixel checks.</summary>
internal sealed class Png
{
    private readonly SKColor[] _pixels;

    private Png(int width, int height, SKColor[] pixels)
    {
        Width = width;
        Height = height;
        _pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public SKColor this[int x, int y] => _pixels[(y * Width) + x];

    public static Png Decode(byte[] bytes)
    {
        using var bitmap = SKBitmap.Decode(bytes) ?? throw new InvalidDataException("not an image");
        return new Png(bitmap.Width, bitmap.Height, bitmap.Pixels);
    }

    public static Png Read(string path) => Decode(File.ReadAllBytes(path));

    public static byte[] Render(Figure figure, FigureFormat format)
    {
        using var ms = new MemoryStream();
        figure.Write(format, ms);
        return ms.ToArray();
    }

    /// <summary>Whether some pixel within <paramref name="radius"/> of (x, y) satisfies a predicate.</summary>
    public bool Near(double x, double y, int radius, Func<SKColor, bool> predicate)
    {
        for (var dy = -radius; dy <= radius; dy++)
        {
            for (var dx = -radius; dx <= radius; dx++)
            {
                var (px, py) = ((int)Math.Round(x) + dx, (int)Math.Round(y) + dy);
                if (px >= 0 && py >= 0 && px < Width && py < Height && predicate(this[px, py]))
                {
                    return true;
                }
            }
        }

        return false;
    }

    public static int Distance(SKColor a, SKColor b) =>
        Math.Max(Math.Abs(a.Red - b.Red), Math.Max(Math.Abs(a.Green - b.Green), Math.Abs(a.Blue - b.Blue)));
}
