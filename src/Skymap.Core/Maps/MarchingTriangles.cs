using Skymap.Core.Geometry;

namespace Skymap.Core.Maps;

/// <summary>
/// Contour lines of values sampled at points of a spherical triangulation (marching triangles, as meander's
/// <c>spherical_contours</c>). A vertex is inside when its value is below the level; the crossing point on an
/// edge is interpolated along the chord and projected back onto the sphere.
/// </summary>
/// <remarks>
/// Without gradients the interpolation is linear, as meander's. With gradients it is the monotone cubic Hermite
/// interpolant of the two values and the two slopes along the edge (Fritsch–Carlson limits, so the crossing is
/// unique): exact on a quadratic surface, where linear interpolation between the centres of a bowl-shaped
/// likelihood lies above the surface and puts every crossing too far inside (a region of a few dozen pixels
/// loses several per cent of its area).
/// </remarks>
internal static class MarchingTriangles
{
    /// <summary>Traces all closed lines of one level.</summary>
    /// <param name="points">Unit vectors.</param>
    /// <param name="values">Finite values, one per point.</param>
    /// <param name="triangles">Index triples, counter-clockwise seen from outside (a closed surface).</param>
    /// <param name="level">The level.</param>
    /// <param name="gradients">Optional surface gradients, one per point (NaN where unknown): cubic Hermite crossings.</param>
    /// <returns>Closed polylines, the inside on the left seen from outside; the first vertex is not repeated.</returns>
    public static List<Vector3D[]> Trace(IReadOnlyList<Vector3D> points, ReadOnlySpan<double> values, ReadOnlySpan<int> triangles, double level, IReadOnlyList<Vector3D>? gradients = null)
    {
        // Each crossing triangle contributes one directed segment from one crossed edge to another; an edge is
        // keyed by its two vertex ids (low, high). On a closed surface every crossed edge starts exactly one
        // segment and ends exactly one, so following "start edge → segment" closes every line.
        var next = new Dictionary<long, long>();
        for (var t = 0; t + 2 < triangles.Length; t += 3)
        {
            int a = triangles[t], b = triangles[t + 1], c = triangles[t + 2];
            var ia = values[a] < level;
            var ib = values[b] < level;
            var ic = values[c] < level;
            var count = (ia ? 1 : 0) + (ib ? 1 : 0) + (ic ? 1 : 0);
            if (count is 0 or 3)
            {
                continue;
            }

            // Rotate so that the odd vertex (the single inside one, or the single outside one) comes first.
            int o, j, k;
            var odd = count == 1 ? (ia ? 0 : ib ? 1 : 2) : (!ia ? 0 : !ib ? 1 : 2);
            (o, j, k) = odd switch { 0 => (a, b, c), 1 => (b, c, a), _ => (c, a, b) };
            if (count == 1)
            {
                // Inside vertex o, counter-clockwise next j, previous k: the segment runs (o,j) → (k,o).
                next[EdgeKey(o, j)] = EdgeKey(k, o);
            }
            else
            {
                // Outside vertex o: the segment runs (k,o) → (o,j).
                next[EdgeKey(k, o)] = EdgeKey(o, j);
            }
        }

        var lines = new List<Vector3D[]>();
        var line = new List<Vector3D>();
        while (next.Count > 0)
        {
            long start = default;
            foreach (var key in next.Keys)
            {
                start = key;
                break;
            }

            line.Clear();
            var edge = start;
            while (next.Remove(edge, out var to))
            {
                line.Add(Crossing(points, values, gradients, edge, level));
                edge = to;
            }

            if (line.Count >= 3)
            {
                lines.Add([.. line]);
            }
        }

        return lines;
    }

    private static long EdgeKey(int u, int v) => u < v ? ((long)u << 32) | (uint)v : ((long)v << 32) | (uint)u;

    private static Vector3D Crossing(IReadOnlyList<Vector3D> points, ReadOnlySpan<double> values, IReadOnlyList<Vector3D>? gradients, long key, double level)
    {
        var u = (int)(key >> 32);
        var v = (int)(key & 0xFFFF_FFFF);
        var chord = points[v] - points[u];
        var t = gradients is null
            ? (level - values[u]) / (values[v] - values[u])
            : HermiteCrossing(values[u], values[v], gradients[u].Dot(chord), gradients[v].Dot(chord), level);
        var p = points[u] + (t * chord);
        return p.Normalized();
    }

    /// <summary>
    /// Where the monotone cubic Hermite interpolant of <paramref name="f0"/>, <paramref name="f1"/> with end slopes
    /// <paramref name="m0"/>, <paramref name="m1"/> (per unit of t) reaches <paramref name="level"/>, t in [0, 1];
    /// the linear crossing when a slope is unknown. <paramref name="level"/> lies between the two values.
    /// </summary>
    internal static double HermiteCrossing(double f0, double f1, double m0, double m1, double level)
    {
        var delta = f1 - f0;
        var linear = (level - f0) / delta;
        if (!double.IsFinite(m0) || !double.IsFinite(m1) || delta == 0)
        {
            return linear;
        }

        // Fritsch–Carlson: slopes against the secant's direction become 0, and α² + β² ≤ 9 keeps the cubic monotone.
        var alpha = Math.Max(0.0, m0 / delta);
        var beta = Math.Max(0.0, m1 / delta);
        var norm = (alpha * alpha) + (beta * beta);
        if (norm > 9)
        {
            var s = 3 / Math.Sqrt(norm);
            alpha *= s;
            beta *= s;
        }

        // Normalised cubic h(t) = (f(t) − f0)/Δ rises monotonically from 0 to 1; find h(t) = target by bisection.
        var target = linear;
        double lo = 0, hi = 1;
        for (var i = 0; i < 60; i++)
        {
            var mid = 0.5 * (lo + hi);
            var t2 = mid * mid;
            var t3 = t2 * mid;
            var h = (alpha * (t3 - (2 * t2) + mid)) + (-2 * t3) + (3 * t2) + (beta * (t3 - t2));
            if (h < target)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return 0.5 * (lo + hi);
    }
}
