using Skymap.Core.Healpix;
using HP = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Healpix;

/// <summary>
/// Neighbours at nside 128 … 2^29 and pixel boundaries at nside 1 … 2^29 against healpy, on samples that include every
/// face's corner pixels and pixels along every face edge (fixture neighbours-boundaries.hpxf.gz).
/// </summary>
public sealed class NeighbourAndBoundaryTests
{
    private static HpxfFile Fixture => HpxfFile.Load("neighbours-boundaries.hpxf.gz");

    public static TheoryData<long> NeighbourNsides() => new() { 128, 1024, 1L << 20, 1L << 29 };

    public static TheoryData<long, int> BoundaryCases()
    {
        var data = new TheoryData<long, int>();
        foreach (var nside in new[] { 1L, 2, 8, 64, 1024, 1L << 20, 1L << 29 })
        {
            data.Add(nside, 1);
            data.Add(nside, 3);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NeighbourNsides))]
    public void GetAllNeighbours_matches_healpy_at_face_edges_corners_and_random_pixels(long nside)
    {
        Span<long> actual = stackalloc long[8];
        foreach (var (scheme, ordering) in new[] { ("ring", HealpixOrdering.Ring), ("nest", HealpixOrdering.Nest) })
        {
            var pix = Fixture.Longs($"neighbours/n{nside}/{scheme}_pixel");
            var expected = Fixture.Longs($"neighbours/n{nside}/{scheme}");
            for (var i = 0; i < pix.Length; i++)
            {
                HP.GetAllNeighbours(nside, pix[i], actual, ordering);
                for (var k = 0; k < 8; k++)
                {
                    if (actual[k] != expected[(8 * i) + k])
                    {
                        Assert.Fail($"{ordering} pixel {pix[i]}: neighbour {k} is {actual[k]}, healpy says {expected[(8 * i) + k]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Neighbours_returns_the_same_as_GetAllNeighbours()
    {
        const long nside = 1L << 29;
        var pix = Fixture.Longs($"neighbours/n{nside}/ring_pixel");
        Span<long> span = stackalloc long[8];
        foreach (var p in pix.Take(200))
        {
            HP.GetAllNeighbours(nside, p, span);
            Assert.Equal(span.ToArray(), HP.Neighbours(nside, p));
        }
    }

    [Fact]
    public void Neighbours_are_missing_exactly_at_the_eight_three_face_vertices()
    {
        foreach (var nside in new[] { 1L, 2, 16, 1L << 29 })
        {
            var n = nside - 1;
            var corners = new HashSet<long>();
            for (var face = 0; face < 12; face++)
            {
                foreach (var (x, y) in new[] { (0L, 0L), (0L, n), (n, 0L), (n, n) })
                {
                    corners.Add(HP.Xyf2Nest(x, y, face, HP.Order(nside)));
                }
            }

            var missing = corners.Sum(p => HP.Neighbours(nside, p, HealpixOrdering.Nest).Count(q => q < 0));

            // 8 vertices (z = ±2/3 between polar faces) with 3 faces each: 24 pixels, one missing neighbour each.
            Assert.Equal(24, missing);
        }
    }

    [Theory]
    [MemberData(nameof(BoundaryCases))]
    public void Boundaries_match_healpy(long nside, int step)
    {
        var pix = Fixture.Longs($"boundaries/n{nside}/step{step}/ring_pixel");
        var ring = Fixture.Doubles($"boundaries/n{nside}/step{step}/ring");
        var nest = Fixture.Doubles($"boundaries/n{nside}/step{step}/nest");
        var m = 4 * step;
        for (var i = 0; i < pix.Length; i++)
        {
            var b = HP.Boundaries(nside, pix[i], step);
            var bn = HP.Boundaries(nside, HP.Ring2Nest(nside, pix[i]), step, HealpixOrdering.Nest);
            Assert.Equal(m, b.Length);
            for (var k = 0; k < m; k++)
            {
                var o = 3 * ((i * m) + k);
                AngleAssert.Vector(ring[o], ring[o + 1], ring[o + 2], b[k], $"RING pixel {pix[i]} point {k}");
                AngleAssert.Vector(nest[o], nest[o + 1], nest[o + 2], bn[k], $"NEST pixel of RING {pix[i]} point {k}");
            }
        }
    }

    [Fact]
    public void Boundaries_corners_are_within_MaxPixelRadius_of_the_centre()
    {
        var rng = new Random(7);
        foreach (var nside in new[] { 1L, 4, 64, 1L << 15, 1L << 29 })
        {
            var limit = HP.MaxPixelRadius(nside) * (1 + 1e-9);
            for (var i = 0; i < 500; i++)
            {
                var p = rng.NextInt64(HP.NPix(nside));
                var c = HP.Pix2Vec(nside, p);
                foreach (var corner in HP.Boundaries(nside, p))
                {
                    Assert.InRange(corner.AngleTo(c), 0, limit);
                }
            }
        }
    }
}
