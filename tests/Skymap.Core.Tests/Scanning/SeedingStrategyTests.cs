using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Physics;
using Skymap.Core.Recos;

namespace Skymap.Core.Tests.Scanning;

public class SeedingStrategyTests
{
    [Fact]
    public void Rotation_maps_the_z_axis_onto_the_travel_direction()
    {
        // Rz(φt)·Ry(θt) takes +z to the travel direction (θt = π − zenith, φt = azimuth + π).
        var rng = new Random(3);
        for (var i = 0; i < 100; i++)
        {
            var dir = new LocalDirection(Math.PI * rng.NextDouble(), 2 * Math.PI * rng.NextDouble());
            var rotated = SeedingStrategy.RotateIntoTrackFrame(new Vector3D(0, 0, 1), dir);
            var travel = dir.Travel;
            Assert.Equal(travel.X, rotated.X, 12);
            Assert.Equal(travel.Y, rotated.Y, 12);
            Assert.Equal(travel.Z, rotated.Z, 12);
        }
    }

    [Fact]
    public void Rotation_preserves_lengths_of_the_cylinder_offsets()
    {
        var dir = new LocalDirection(1.1, 4.2);
        foreach (var v in VertexVariationSets.Cylinder)
        {
            Assert.Equal(v.Length, SeedingStrategy.RotateIntoTrackFrame(v, dir).Length, 10);
        }
    }

    [Fact]
    public void Refined_time_uses_the_dom_closest_to_the_track()
    {
        var travel = new Vector3D(1, 0, 0);
        var doms = new[]
        {
            new HitDom(0, new Vector3D(100, 50, 0), 1000, 1, 1),
            new HitDom(1, new Vector3D(200, 10, 0), 2000, 1, 1),
        };
        var t = SeedingStrategy.RefineVertexTime(Vector3D.Zero, 0, travel, doms);
        var expected = 2000 - ((200 + (10 * PhysicsConstants.TanCherenkov)) / PhysicsConstants.C);
        Assert.Equal(expected, t, 9);
        Assert.Equal(123.0, SeedingStrategy.RefineVertexTime(Vector3D.Zero, 123.0, travel, []));
    }

    [Fact]
    public void Cylinder_generator_matches_the_upstream_layout()
    {
        var c = VertexVariationSets.Cylinder;
        Assert.Equal(7, c.Count);
        Assert.Equal(Vector3D.Zero, c[0]);
        Assert.Equal(150, c[1].X, 12);
        Assert.Equal(-40, c[1].Z);
        Assert.Equal(150 * Math.Cos(Math.PI / 3), c[4].X, 12);
        Assert.Equal(40, c[4].Z);
        Assert.Equal(7, VertexVariationSets.Octahedron(20).Count);
        Assert.Equal(new Vector3D(0, 0, 20), VertexVariationSets.Octahedron(20)[6]);
    }
}
