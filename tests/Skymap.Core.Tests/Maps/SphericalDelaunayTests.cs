using Skymap.Core.Geometry;
using Skymap.Core.Maps;
using HealpixMath = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Maps;

public sealed class SphericalDelaunayTests
{
    public static TheoryData<string> Sets => new() { "nside8", "nside8+64disc", "random" };

    private static List<Vector3D> Points(string set)
    {
        var points = new List<Vector3D>();
        if (set == "random")
        {
            var rng = new Random(7);
            for (var i = 0; i < 2000; i++)
            {
                points.Add(Vector3D.FromSpherical(Math.Acos((2 * rng.NextDouble()) - 1), 2 * Math.PI * rng.NextDouble()));
            }

            return points;
        }

        for (long p = 0; p < 768; p++)
        {
            points.Add(HealpixMath.Pix2Vec(8, p));
        }

        if (set != "nside8")
        {
            foreach (var p in HealpixMath.QueryDisc(64, HealpixMath.Pix2Vec(8, 300), 0.2))
            {
                var v = HealpixMath.Pix2Vec(64, p);
                if (points.TrueForAll(q => (q - v).Length > 1e-9))
                {
                    points.Add(v);
                }
            }
        }

        return points;
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void Triangulation_is_a_closed_delaunay_surface(string set)
    {
        var points = Points(set);
        var t = SphericalDelaunay.Triangulate(points);
        var faces = t.Length / 3;
        Assert.Equal((2 * points.Count) - 4, faces); // Euler: every point is a vertex of a closed triangulated sphere

        var edges = new HashSet<(int, int)>();
        for (var f = 0; f < faces; f++)
        {
            for (var e = 0; e < 3; e++)
            {
                Assert.True(edges.Add((t[(3 * f) + e], t[(3 * f) + ((e + 1) % 3)])), "directed edge used twice");
            }
        }

        foreach (var (u, v) in edges)
        {
            Assert.Contains((v, u), edges);
        }

        // Outward orientation, and empty circumcircles up to the jitter: no point lies beyond a face's plane.
        for (var f = 0; f < faces; f++)
        {
            var a = points[t[3 * f]];
            var b = points[t[(3 * f) + 1]];
            var c = points[t[(3 * f) + 2]];
            var n = (b - a).Cross(c - a);
            Assert.True(n.Dot(a) > 0);
            var unit = n.Normalized();
            foreach (var p in points)
            {
                Assert.True(unit.Dot(p - a) < 1e-8);
            }
        }
    }
}
