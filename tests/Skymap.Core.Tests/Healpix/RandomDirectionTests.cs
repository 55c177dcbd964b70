using Skymap.Core.Geometry;
using Skymap.Core.Healpix;
using HP = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Healpix;

/// <summary>
/// 10^5 directions (uniform sky, within 1e-12 … 0.03 rad of the poles, either side of z = ±2/3 and |z| = 0.99, φ outside
/// [0, 2π) and on the face meridians, exact pixel centres) against healpy at nside 2^10, 2^20 and 2^29
/// (fixture random-angles.hpxf.gz); 2·10^4 unnormalised vectors (random-vectors.hpxf.gz).
/// </summary>
public sealed class RandomDirectionTests
{
    private static HpxfFile Angles => HpxfFile.Load("random-angles.hpxf.gz");

    private static HpxfFile Vectors => HpxfFile.Load("random-vectors.hpxf.gz");

    [Fact]
    public void Ang2Pix_ring_matches_healpy_at_nside_2pow10() => Ang2PixMatches(1L << 10, HealpixOrdering.Ring);

    [Fact]
    public void Ang2Pix_ring_matches_healpy_at_nside_2pow20() => Ang2PixMatches(1L << 20, HealpixOrdering.Ring);

    [Fact]
    public void Ang2Pix_ring_matches_healpy_at_nside_2pow29() => Ang2PixMatches(1L << 29, HealpixOrdering.Ring);

    [Fact]
    public void Ang2Pix_nest_matches_healpy_at_nside_2pow10() => Ang2PixMatches(1L << 10, HealpixOrdering.Nest);

    [Fact]
    public void Ang2Pix_nest_matches_healpy_at_nside_2pow20() => Ang2PixMatches(1L << 20, HealpixOrdering.Nest);

    [Fact]
    public void Ang2Pix_nest_matches_healpy_at_nside_2pow29() => Ang2PixMatches(1L << 29, HealpixOrdering.Nest);

    [Theory]
    [InlineData(1L << 10)]
    [InlineData(1L << 20)]
    [InlineData(1L << 29)]
    public void Pix2Ang_of_the_hit_pixels_matches_healpy(long nside)
    {
        var theta = Angles.Doubles("theta");
        var phi = Angles.Doubles("phi");
        var ring = Angles.Longs($"n{nside}/ang2pix_ring");
        var nest = Angles.Longs($"n{nside}/ang2pix_nest");
        var tRing = Angles.XorDoubles($"n{nside}/pix2ang_ring/theta_xor_theta", theta);
        var pRing = Angles.XorDoubles($"n{nside}/pix2ang_ring/phi_xor_phi", phi);
        var tNest = Angles.XorDoubles($"n{nside}/pix2ang_nest/theta_xor_ring", tRing);
        var pNest = Angles.XorDoubles($"n{nside}/pix2ang_nest/phi_xor_ring", pRing);
        for (var i = 0; i < ring.Length; i++)
        {
            var (t, f) = HP.Pix2Ang(nside, ring[i]);
            AngleAssert.Theta(tRing[i], t, $"RING pixel {ring[i]}");
            AngleAssert.Phi(pRing[i], f, $"RING pixel {ring[i]}");
            (t, f) = HP.Pix2Ang(nside, nest[i], HealpixOrdering.Nest);
            AngleAssert.Theta(tNest[i], t, $"NEST pixel {nest[i]}");
            AngleAssert.Phi(pNest[i], f, $"NEST pixel {nest[i]}");
        }
    }

    [Theory]
    [InlineData(1L << 10)]
    [InlineData(1L << 20)]
    [InlineData(1L << 29)]
    public void Ring2Nest_and_Nest2Ring_of_the_hit_pixels_match_healpy(long nside)
    {
        var ring = Angles.Longs($"n{nside}/ang2pix_ring");
        var nest = Angles.Longs($"n{nside}/ang2pix_nest");
        var r2n = Angles.Longs($"n{nside}/ring2nest_of_ring_xor_nest");
        var n2r = Angles.Longs($"n{nside}/nest2ring_of_nest_xor_ring");
        for (var i = 0; i < ring.Length; i++)
        {
            Assert.Equal(r2n[i] ^ nest[i], HP.Ring2Nest(nside, ring[i]));
            Assert.Equal(n2r[i] ^ ring[i], HP.Nest2Ring(nside, nest[i]));
        }
    }

    [Theory]
    [InlineData(1L << 10)]
    [InlineData(1L << 20)]
    [InlineData(1L << 29)]
    public void Vec2Pix_and_Ang2Pix_agree_away_from_pixel_edges(long nside)
    {
        // Vec2Pix (atan2, z/|v|) and Ang2Pix (cos θ) round differently, so only points well inside a pixel must agree:
        // pixel centres moved by at most a tenth of the pixel size.
        var rng = new Random(1234);
        var npix = HP.NPix(nside);
        var step = 0.1 * HP.Resolution(nside);
        for (var i = 0; i < 20_000; i++)
        {
            var p = rng.NextInt64(npix);
            var ordering = (i & 1) == 0 ? HealpixOrdering.Ring : HealpixOrdering.Nest;
            var (t, f) = HP.Pix2Ang(nside, p, ordering);
            var sin = Math.Max(Math.Sin(t), 1e-300);
            t = Math.Clamp(t + (step * ((2 * rng.NextDouble()) - 1)), 0, Math.PI);
            f += Math.Min(Math.PI, step * ((2 * rng.NextDouble()) - 1) / sin);
            var viaAngles = HP.Ang2Pix(nside, t, f, ordering);
            var viaVector = HP.Vec2Pix(nside, 7.5 * Vector3D.FromSpherical(t, f), ordering);
            Assert.Equal(viaAngles, viaVector);
        }
    }

    [Fact]
    public void Vec2Pix_matches_healpy_for_unnormalised_vectors()
    {
        var v = Vectors.Doubles("vec");
        foreach (var nside in Vectors.Longs("nsides"))
        {
            var ring = Vectors.Longs($"n{nside}/ring");
            var nest = Vectors.Longs($"n{nside}/nest");
            for (var i = 0; i < ring.Length; i++)
            {
                var vec = new Vector3D(v[3 * i], v[(3 * i) + 1], v[(3 * i) + 2]);
                Assert.Equal(ring[i], HP.Vec2Pix(nside, vec));
                Assert.Equal(nest[i], HP.Vec2Pix(nside, vec, HealpixOrdering.Nest));
            }
        }
    }

    private static void Ang2PixMatches(long nside, HealpixOrdering ordering)
    {
        var theta = Angles.Doubles("theta");
        var phi = Angles.Doubles("phi");
        var expected = Angles.Longs($"n{nside}/ang2pix_{(ordering == HealpixOrdering.Ring ? "ring" : "nest")}");
        Assert.True(expected.Length >= 100_000);
        for (var i = 0; i < expected.Length; i++)
        {
            var actual = HP.Ang2Pix(nside, theta[i], phi[i], ordering);
            if (actual != expected[i])
            {
                Assert.Fail($"theta {theta[i]:R}, phi {phi[i]:R}: {actual}, healpy says {expected[i]}");
            }
        }
    }
}
