using Skymap.Core.Healpix;
using HP = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Healpix;

/// <summary>Every pixel at nside 1 … 64 against healpy (fixture pixels.hpxf.gz).</summary>
public sealed class PixelTableTests
{
    public static TheoryData<long, HealpixOrdering> NsidesAndOrderings()
    {
        var data = new TheoryData<long, HealpixOrdering>();
        for (var k = 0; k <= 6; k++)
        {
            data.Add(1L << k, HealpixOrdering.Ring);
            data.Add(1L << k, HealpixOrdering.Nest);
        }

        return data;
    }

    public static TheoryData<long> Nsides() => new() { 1, 2, 4, 8, 16, 32, 64 };

    private static HpxfFile Fixture => HpxfFile.Load("pixels.hpxf.gz");

    private static string Key(long nside, HealpixOrdering ordering, string what) =>
        $"n{nside}/{(ordering == HealpixOrdering.Ring ? "ring" : "nest")}/{what}";

    [Theory]
    [MemberData(nameof(NsidesAndOrderings))]
    public void Pix2Ang_matches_healpy_for_every_pixel(long nside, HealpixOrdering ordering)
    {
        var theta = Fixture.Doubles(Key(nside, ordering, "theta"));
        var phi = Fixture.Doubles(Key(nside, ordering, "phi"));
        Assert.Equal(HP.NPix(nside), theta.Length);
        for (var p = 0L; p < theta.Length; p++)
        {
            var (t, f) = HP.Pix2Ang(nside, p, ordering);
            AngleAssert.Theta(theta[p], t, $"nside {nside} {ordering} pixel {p}");
            AngleAssert.Phi(phi[p], f, $"nside {nside} {ordering} pixel {p}");
        }
    }

    [Theory]
    [MemberData(nameof(NsidesAndOrderings))]
    public void Pix2Vec_matches_healpy_for_every_pixel(long nside, HealpixOrdering ordering)
    {
        var vec = Fixture.Doubles(Key(nside, ordering, "vec"));
        for (var p = 0L; p < HP.NPix(nside); p++)
        {
            var v = HP.Pix2Vec(nside, p, ordering);
            AngleAssert.Vector(vec[3 * p], vec[(3 * p) + 1], vec[(3 * p) + 2], v, $"nside {nside} {ordering} pixel {p}");
        }
    }

    [Theory]
    [MemberData(nameof(NsidesAndOrderings))]
    public void Neighbours_match_healpy_for_every_pixel(long nside, HealpixOrdering ordering)
    {
        var expected = Fixture.Longs(Key(nside, ordering, "neighbours"));
        Span<long> actual = stackalloc long[8];
        for (var p = 0L; p < HP.NPix(nside); p++)
        {
            HP.GetAllNeighbours(nside, p, actual, ordering);
            for (var i = 0; i < 8; i++)
            {
                if (expected[(8 * p) + i] != actual[i])
                {
                    Assert.Fail($"nside {nside} {ordering} pixel {p}: neighbour {i} is {actual[i]}, healpy says {expected[(8 * p) + i]}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Nsides))]
    public void Ring2Nest_and_Nest2Ring_match_healpy_for_every_pixel(long nside)
    {
        var r2n = Fixture.Longs($"n{nside}/ring2nest");
        var n2r = Fixture.Longs($"n{nside}/nest2ring");
        for (var p = 0L; p < HP.NPix(nside); p++)
        {
            Assert.Equal(r2n[p], HP.Ring2Nest(nside, p));
            Assert.Equal(n2r[p], HP.Nest2Ring(nside, p));
        }
    }

    [Theory]
    [MemberData(nameof(NsidesAndOrderings))]
    public void Ang2Pix_of_every_pixel_centre_is_the_pixel(long nside, HealpixOrdering ordering)
    {
        for (var p = 0L; p < HP.NPix(nside); p++)
        {
            var (t, f) = HP.Pix2Ang(nside, p, ordering);
            Assert.Equal(p, HP.Ang2Pix(nside, t, f, ordering));
            Assert.Equal(p, HP.Vec2Pix(nside, HP.Pix2Vec(nside, p, ordering), ordering));
        }
    }

    [Fact]
    public void Nside_scalars_match_healpy_for_every_order()
    {
        var nsides = Fixture.Longs("scalars/nside");
        var npix = Fixture.Longs("scalars/npix");
        var area = Fixture.Doubles("scalars/pixarea");
        var resol = Fixture.Doubles("scalars/resol");
        var pixrad = Fixture.Doubles("scalars/max_pixrad");
        Assert.Equal(HP.MaxOrder + 1, nsides.Length);
        for (var k = 0; k <= HP.MaxOrder; k++)
        {
            Assert.True(HP.IsValidNside(nsides[k]));
            Assert.Equal(k, HP.Order(nsides[k]));
            Assert.Equal(npix[k], HP.NPix(nsides[k]));
            Assert.Equal(area[k], HP.PixelArea(nsides[k]), 1e-15 * area[k]);
            Assert.Equal(resol[k], HP.Resolution(nsides[k]), 1e-15 * resol[k]);
            Assert.Equal(pixrad[k], HP.MaxPixelRadius(nsides[k]), 1e-15 * pixrad[k]);
        }
    }

    [Theory]
    [InlineData(8, 53.71)]
    [InlineData(64, 0.8393)]
    [InlineData(512, 0.01311)]
    public void PixelArea_matches_the_areas_quoted_in_SCANNER_md(long nside, double squareDegrees)
    {
        var deg2 = HP.PixelArea(nside) * (180 / Math.PI) * (180 / Math.PI);
        Assert.Equal(squareDegrees, deg2, 5e-4 * squareDegrees);
    }
}
