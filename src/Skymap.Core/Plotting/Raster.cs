namespace Skymap.Core.Plotting;

/// <summary>An RGB raster with anti-aliased polylines and polygons, enough for the PNG plot.</summary>
internal sealed class Raster
{
    private readonly float[] _coverage;
    private readonly List<int> _touched = [];

    public Raster(int width, int height, (byte R, byte G, byte B) background)
    {
        Width = width;
        Height = height;
        Pixels = new byte[width * height * 3];
        _coverage = new float[width * height];
        for (var i = 0; i < width * height; i++)
        {
            Pixels[3 * i] = background.R;
            Pixels[(3 * i) + 1] = background.G;
            Pixels[(3 * i) + 2] = background.B;
        }
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Pixels { get; }

    public void Set(int x, int y, (byte R, byte G, byte B) c)
    {
        if ((uint)x < (uint)Width && (uint)y < (uint)Height)
        {
            var i = 3 * ((y * Width) + x);
            Pixels[i] = c.R;
            Pixels[i + 1] = c.G;
            Pixels[i + 2] = c.B;
        }
    }

    public void FillRect(int x0, int y0, int x1, int y1, (byte R, byte G, byte B) c)
    {
        for (var y = Math.Max(0, y0); y < Math.Min(Height, y1); y++)
        {
            for (var x = Math.Max(0, x0); x < Math.Min(Width, x1); x++)
            {
                Set(x, y, c);
            }
        }
    }

    /// <summary>Draws a polyline of the given width; NaN points split it. Overlaps within one line do not darken.</summary>
    public void Polyline(IReadOnlyList<(double X, double Y)> points, double width, (byte R, byte G, byte B) c, double alpha, bool close = false)
    {
        var n = points.Count;
        var segments = close ? n : n - 1;
        for (var s = 0; s < segments; s++)
        {
            var a = points[s];
            var b = points[(s + 1) % n];
            if (double.IsNaN(a.X) || double.IsNaN(a.Y) || double.IsNaN(b.X) || double.IsNaN(b.Y))
            {
                continue;
            }

            Segment(a, b, width / 2);
        }

        Flush(c, alpha);
    }

    /// <summary>Fills a polygon (even-odd rule) with 4×4 supersampling.</summary>
    public void FillPolygon(IReadOnlyList<(double X, double Y)> points, (byte R, byte G, byte B) c)
    {
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var (x, y) in points)
        {
            minX = Math.Min(minX, x);
            minY = Math.Min(minY, y);
            maxX = Math.Max(maxX, x);
            maxY = Math.Max(maxY, y);
        }

        for (var py = Math.Max(0, (int)Math.Floor(minY)); py <= Math.Min(Height - 1, (int)Math.Ceiling(maxY)); py++)
        {
            for (var px = Math.Max(0, (int)Math.Floor(minX)); px <= Math.Min(Width - 1, (int)Math.Ceiling(maxX)); px++)
            {
                var inside = 0;
                for (var sy = 0; sy < 4; sy++)
                {
                    for (var sx = 0; sx < 4; sx++)
                    {
                        if (Contains(points, px + ((sx + 0.5) / 4), py + ((sy + 0.5) / 4)))
                        {
                            inside++;
                        }
                    }
                }

                if (inside > 0)
                {
                    Cover(px, py, inside / 16f);
                }
            }
        }

        Flush(c, 1.0);
    }

    private static bool Contains(IReadOnlyList<(double X, double Y)> polygon, double x, double y)
    {
        var inside = false;
        for (int i = 0, j = polygon.Count - 1; i < polygon.Count; j = i++)
        {
            var (xi, yi) = polygon[i];
            var (xj, yj) = polygon[j];
            if ((yi > y) != (yj > y) && x < ((xj - xi) * (y - yi) / (yj - yi)) + xi)
            {
                inside = !inside;
            }
        }

        return inside;
    }

    private void Segment((double X, double Y) a, (double X, double Y) b, double half)
    {
        var x0 = (int)Math.Floor(Math.Min(a.X, b.X) - half - 1);
        var x1 = (int)Math.Ceiling(Math.Max(a.X, b.X) + half + 1);
        var y0 = (int)Math.Floor(Math.Min(a.Y, b.Y) - half - 1);
        var y1 = (int)Math.Ceiling(Math.Max(a.Y, b.Y) + half + 1);
        var dx = b.X - a.X;
        var dy = b.Y - a.Y;
        var len2 = (dx * dx) + (dy * dy);
        for (var y = Math.Max(0, y0); y <= Math.Min(Height - 1, y1); y++)
        {
            for (var x = Math.Max(0, x0); x <= Math.Min(Width - 1, x1); x++)
            {
                var cx = x + 0.5 - a.X;
                var cy = y + 0.5 - a.Y;
                var t = len2 > 0 ? Math.Clamp(((cx * dx) + (cy * dy)) / len2, 0, 1) : 0;
                var ex = cx - (t * dx);
                var ey = cy - (t * dy);
                var d = Math.Sqrt((ex * ex) + (ey * ey));
                var cover = Math.Clamp(half + 0.5 - d, 0, 1);
                if (cover > 0)
                {
                    Cover(x, y, (float)cover);
                }
            }
        }
    }

    private void Cover(int x, int y, float cover)
    {
        var i = (y * Width) + x;
        if (_coverage[i] == 0)
        {
            _touched.Add(i);
        }

        _coverage[i] = Math.Max(_coverage[i], cover);
    }

    private void Flush((byte R, byte G, byte B) c, double alpha)
    {
        foreach (var i in _touched)
        {
            var a = _coverage[i] * alpha;
            _coverage[i] = 0;
            var p = 3 * i;
            Pixels[p] = Blend(Pixels[p], c.R, a);
            Pixels[p + 1] = Blend(Pixels[p + 1], c.G, a);
            Pixels[p + 2] = Blend(Pixels[p + 2], c.B, a);
        }

        _touched.Clear();
    }

    private static byte Blend(byte under, byte over, double alpha) => (byte)Math.Round(under + ((over - under) * alpha));
}
