using Skymap.Core.Geometry;
using Skymap.Core.Maps;
using Xunit.Abstractions;
using HealpixMath = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Maps;

/// <summary>Where contours cross the triangulation's edges: monotone cubic Hermite crossings and the slopes they use.</summary>
public sealed class ContourCrossingTests(ITestOutputHelper output)
{
    private static readonly Vector3D Centre = Vector3D.FromSpherical((90 - 23.4) * Math.PI / 180, 77.7 * Math.PI / 180);

    [Theory]
    [InlineData(1.0, 0.0, 0.3)]
    [InlineData(1.0, 0.0, 0.9)]
    [InlineData(2.5, 0.4, 1.1)]
    [InlineData(0.7, 3.0, 7.5)]
    public void Hermite_crossing_is_exact_on_a_parabola(double a, double c, double level)
    {
        // f(t) = a (t + c)², c ≥ 0: rising on [0, 1]; the level is reached at t = √(level/a) − c.
        double F(double t) => a * (t + c) * (t + c);
        var expected = Math.Sqrt(level / a) - c;
        Assert.InRange(expected, 0, 1);
        var t = MarchingTriangles.HermiteCrossing(F(0), F(1), 2 * a * c, 2 * a * (1 + c), level);
        Assert.Equal(expected, t, 12);

        // The linear crossing of the same edge is short of it: the chord lies above a bowl.
        var linear = (level - F(0)) / (F(1) - F(0));
        Assert.True(linear < expected - 0.01, $"linear {linear} vs exact {expected}");
    }

    [Fact]
    public void Hermite_crossing_falls_back_to_linear_without_slopes_and_stays_on_the_edge()
    {
        Assert.Equal(0.25, MarchingTriangles.HermiteCrossing(1, 5, double.NaN, 2, 2), 15);
        Assert.Equal(0.75, MarchingTriangles.HermiteCrossing(5, 1, 3, double.NaN, 2), 15);

        // Any slopes, even against the secant or huge, give a crossing in [0, 1] that rises with the level (monotone).
        var rng = new Random(11);
        for (var i = 0; i < 2000; i++)
        {
            var f0 = (rng.NextDouble() * 10) - 5;
            var f1 = f0 + ((rng.NextDouble() < 0.5 ? -1 : 1) * (0.01 + (rng.NextDouble() * 20)));
            var m0 = (rng.NextDouble() - 0.3) * 100;
            var m1 = (rng.NextDouble() - 0.3) * 100;
            var l1 = f0 + ((f1 - f0) * rng.NextDouble());
            var l2 = f0 + ((f1 - f0) * rng.NextDouble());
            var t1 = MarchingTriangles.HermiteCrossing(f0, f1, m0, m1, l1);
            var t2 = MarchingTriangles.HermiteCrossing(f0, f1, m0, m1, l2);
            Assert.InRange(t1, 0, 1);
            Assert.True(Math.Abs(l2 - f0) >= Math.Abs(l1 - f0) ? t2 >= t1 - 1e-12 : t2 <= t1 + 1e-12);
        }
    }

    [Fact]
    public void Sample_gradients_match_the_analytic_gradient_of_a_bowl()
    {
        // f = (angle to the centre in degrees)² on all nside-32 centres; grad f = 2θ·(unit tangent away from the centre) per radian.
        var points = new List<Vector3D>();
        for (long p = 0; p < HealpixMath.NPix(32); p++)
        {
            points.Add(HealpixMath.Pix2Vec(32, p));
        }

        const double deg = 180 / Math.PI;
        var values = points.Select(p => Math.Pow(p.AngleTo(Centre) * deg, 2)).ToArray();
        var triangles = SphericalDelaunay.Triangulate(points);
        var gradients = SampleGradients.Estimate(points, values, triangles);
        var worst = 0.0;
        for (var i = 0; i < points.Count; i++)
        {
            var theta = points[i].AngleTo(Centre);
            if (theta * deg is < 3 or > 40)
            {
                continue;
            }

            var away = (points[i] - (points[i].Dot(Centre) * Centre)).Normalized(); // not tangent yet
            away = (away - (away.Dot(points[i]) * points[i])).Normalized();
            var expected = 2 * theta * deg * deg * away;
            worst = Math.Max(worst, (gradients[i] - expected).Length / expected.Length);
        }

        output.WriteLine($"worst relative gradient error {worst:P3}");
        Assert.True(worst < 0.01, $"{worst:P3}");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(2.0)]
    public void Polygon_areas_of_a_resolved_gaussian_match_the_analytic_cap(double sigmaDeg)
    {
        // 2ΔLLH = θ²/σ², so the region below L is the cap θ < σ√L. Linear crossings lost 14 % of the σ = 0.5° 50 % region.
        var analysis = new SkymapAnalysis(MapTestData.Gaussian(sigmaDeg, Centre));
        foreach (var level in new[] { ContourLevels.Wilks50, ContourLevels.Wilks90 })
        {
            var radius = sigmaDeg * Math.Sqrt(level) * Math.PI / 180;
            var cap = 2 * Math.PI * (1 - Math.Cos(radius)) * SkymapAnalysis.SquareDegreesPerSteradian;
            var polygon = analysis.PolygonArea(level);
            output.WriteLine($"σ {sigmaDeg}° level {level:F3}: cap {cap:F4} polygon {polygon:F4} ({(polygon / cap) - 1:P2}) pixel-sum {analysis.PixelSumArea(level):F4}");
            Assert.InRange(polygon / cap, 0.985, 1.015);
        }
    }
}
