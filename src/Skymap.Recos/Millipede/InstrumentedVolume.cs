using System.Collections.Concurrent;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Physics;

namespace Skymap.Recos;

/// <summary>
/// The instrumented volume of PHYSICS.md §4: (x, y) within the convex hull of the strings' positions grown by
/// 60 m, and z within the DOMs' z-range ± 60 m.
/// </summary>
internal sealed class InstrumentedVolume
{
    private static readonly ConcurrentDictionary<DetectorGeometry, InstrumentedVolume> Cache = new();
    private readonly (double X, double Y)[] _hull;

    private InstrumentedVolume((double X, double Y)[] hull, double zMin, double zMax, double margin)
    {
        _hull = hull;
        ZMin = zMin;
        ZMax = zMax;
        Margin = margin;
    }

    /// <summary>Lowest DOM z minus the margin [m].</summary>
    public double ZMin { get; }

    /// <summary>Highest DOM z plus the margin [m].</summary>
    public double ZMax { get; }

    /// <summary>The growth of the hull [m].</summary>
    public double Margin { get; }

    /// <summary>The hull's vertices, counter-clockwise.</summary>
    public IReadOnlyList<(double X, double Y)> Hull => _hull;

    /// <summary>The volume of a geometry (cached): all strings, all DOMs, margin 60 m.</summary>
    public static InstrumentedVolume Of(DetectorGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        return Cache.GetOrAdd(geometry, static g => Build(g, PhysicsConstants.InstrumentedVolumeMargin));
    }

    /// <summary>True when the point lies inside the volume.</summary>
    public bool Contains(Vector3D p)
    {
        if (p.Z < ZMin || p.Z > ZMax)
        {
            return false;
        }

        var inside = true;
        var best = double.PositiveInfinity;
        for (var i = 0; i < _hull.Length; i++)
        {
            var a = _hull[i];
            var b = _hull[(i + 1) % _hull.Length];
            double ex = b.X - a.X, ey = b.Y - a.Y, px = p.X - a.X, py = p.Y - a.Y;
            if ((ex * py) - (ey * px) < 0)
            {
                inside = false;
            }

            var len2 = (ex * ex) + (ey * ey);
            var t = len2 > 0 ? Math.Clamp(((px * ex) + (py * ey)) / len2, 0, 1) : 0;
            double qx = px - (t * ex), qy = py - (t * ey);
            best = Math.Min(best, (qx * qx) + (qy * qy));
        }

        return inside || best <= Margin * Margin;
    }

    private static InstrumentedVolume Build(DetectorGeometry geometry, double margin)
    {
        var strings = geometry.Doms.GroupBy(d => d.String)
            .Select(g => (X: g.Average(d => d.Position.X), Y: g.Average(d => d.Position.Y)))
            .ToArray();
        var zMin = geometry.Doms.Min(d => d.Position.Z) - margin;
        var zMax = geometry.Doms.Max(d => d.Position.Z) + margin;
        return new InstrumentedVolume(ConvexHull(strings), zMin, zMax, margin);
    }

    /// <summary>Andrew's monotone chain; counter-clockwise, collinear points dropped.</summary>
    private static (double X, double Y)[] ConvexHull((double X, double Y)[] points)
    {
        var p = points.Distinct().OrderBy(q => q.X).ThenBy(q => q.Y).ToArray();
        if (p.Length < 3)
        {
            return p;
        }

        var hull = new (double X, double Y)[2 * p.Length];
        var k = 0;
        static double Cross((double X, double Y) o, (double X, double Y) a, (double X, double Y) b) =>
            ((a.X - o.X) * (b.Y - o.Y)) - ((a.Y - o.Y) * (b.X - o.X));
        for (var i = 0; i < p.Length; i++)
        {
            while (k >= 2 && Cross(hull[k - 2], hull[k - 1], p[i]) <= 0)
            {
                k--;
            }

            hull[k++] = p[i];
        }

        for (int i = p.Length - 2, lower = k + 1; i >= 0; i--)
        {
            while (k >= lower && Cross(hull[k - 2], hull[k - 1], p[i]) <= 0)
            {
                k--;
            }

            hull[k++] = p[i];
        }

        return hull[..(k - 1)];
    }
}
