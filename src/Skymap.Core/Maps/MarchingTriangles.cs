using Skymap.Core.Geometry;

namespace Skymap.Core.Maps;

/// <summary>
/// Contour lines of values sampled at points of a spherical triangulation (marching triangles, as meander's
/// <c>spherical_contours</c>). A vertex is inside when its value is below the level; the crossing point on an
/// edge is interpolated linearly along the chord and projected back onto the sphere.
/// </summary>
internal static class MarchingTriangles
{
    /// <summary>Traces all closed lines of one level.</summary>
    /// <param name="points">Unit vectors.</param>
    /// <param name="values">Finite values, one per point.</param>
    /// <param name="triangles">Index triples, counter-clockwise seen from outside (a closed surface).</param>
    /// <param name="level">The level.</param>
    /// <returns>Closed polylines, the inside on the left seen from outside; the first vertex is not repeated.</returns>
    public static List<Vector3D[]> Trace(IReadOnlyList<Vector3D> points, ReadOnlySpan<double> values, ReadOnlySpan<int> triangles, double level)
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
                line.Add(Crossing(points, values, edge, level));
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

    private static Vector3D Crossing(IReadOnlyList<Vector3D> points, ReadOnlySpan<double> values, long key, double level)
    {
        var u = (int)(key >> 32);
        var v = (int)(key & 0xFFFF_FFFF);
        var t = (level - values[u]) / (values[v] - values[u]);
        var p = points[u] + (t * (points[v] - points[u]));
        return p.Normalized();
    }
}
