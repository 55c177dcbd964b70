using Skymap.Core.Geometry;
using Skymap.Core.Healpix;
using HP = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Healpix;

/// <summary>Invalid arguments throw and name the parameter.</summary>
public sealed class ArgumentTests
{
    public static TheoryData<long> BadNsides() => new() { 0, -1, 3, 12, 1L << 30, long.MaxValue, long.MinValue };

    [Theory]
    [MemberData(nameof(BadNsides))]
    public void Every_function_rejects_an_invalid_nside(long nside)
    {
        var v = new Vector3D(1, 0, 0);
        Assert.False(HP.IsValidNside(nside));
        var calls = new Action[]
        {
            () => HP.Order(nside),
            () => HP.NPix(nside),
            () => HP.PixelArea(nside),
            () => HP.Resolution(nside),
            () => HP.MaxPixelRadius(nside),
            () => HP.Ang2Pix(nside, 1, 1),
            () => HP.Pix2Ang(nside, 0),
            () => HP.Vec2Pix(nside, v),
            () => HP.Pix2Vec(nside, 0),
            () => HP.Ring2Nest(nside, 0),
            () => HP.Nest2Ring(nside, 0),
            () => HP.Neighbours(nside, 0),
            () => HP.QueryDisc(nside, v, 0.1),
            () => HP.Boundaries(nside, 0),
            () => HP.Parent(nside, 0, 1),
            () => HP.Children(nside, 0, 1L << 29),
        };
        foreach (var call in calls)
        {
            Assert.Equal("nside", Assert.Throws<ArgumentOutOfRangeException>(call).ParamName);
        }
    }

    [Theory]
    [InlineData(1L, -1L)]
    [InlineData(1L, 12L)]
    [InlineData(64L, 49152L)]
    [InlineData(1L << 29, 12L << 58)]
    [InlineData(1L << 29, long.MinValue)]
    public void Every_function_rejects_an_out_of_range_pixel(long nside, long pixel)
    {
        Span<long> nb = stackalloc long[8];
        var calls = new Action[]
        {
            () => HP.Pix2Ang(nside, pixel),
            () => HP.Pix2Ang(nside, pixel, HealpixOrdering.Nest),
            () => HP.Pix2Vec(nside, pixel),
            () => HP.Ring2Nest(nside, pixel),
            () => HP.Nest2Ring(nside, pixel),
            () => HP.Neighbours(nside, pixel, HealpixOrdering.Nest),
            () => HP.Boundaries(nside, pixel),
            () => HP.Parent(nside, pixel, 1),
            () => HP.Children(nside, pixel, nside),
        };
        foreach (var call in calls)
        {
            Assert.Equal("pixel", Assert.Throws<ArgumentOutOfRangeException>(call).ParamName);
        }
    }

    [Theory]
    [InlineData(-1e-300)]
    [InlineData(3.1415926535897936)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Ang2Pix_rejects_theta_outside_0_to_pi(double theta)
    {
        Assert.Equal("theta", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Ang2Pix(8, theta, 0)).ParamName);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void Ang2Pix_rejects_a_non_finite_phi(double phi)
    {
        Assert.Equal("phi", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Ang2Pix(8, 1, phi)).ParamName);
    }

    [Fact]
    public void Ang2Pix_accepts_the_closed_interval_and_any_finite_phi()
    {
        Assert.Equal(0, HP.Ang2Pix(8, 0, 0));
        Assert.Equal(HP.NPix(8) - 4, HP.Ang2Pix(8, Math.PI, 0));
        Assert.Equal(HP.Ang2Pix(8, 1, 0.5), HP.Ang2Pix(8, 1, 0.5 + (6 * Math.PI)));
    }

    [Fact]
    public void Vector_functions_reject_degenerate_vectors()
    {
        Assert.Equal("v", Assert.Throws<ArgumentException>(() => HP.Vec2Pix(8, Vector3D.Zero)).ParamName);
        Assert.Equal("v", Assert.Throws<ArgumentException>(() => HP.Vec2Pix(8, new Vector3D(double.NaN, 0, 1))).ParamName);
        Assert.Equal("centre", Assert.Throws<ArgumentException>(() => HP.QueryDisc(8, Vector3D.Zero, 0.1)).ParamName);
        Assert.Equal("centre", Assert.Throws<ArgumentException>(() => HP.QueryDisc(8, new Vector3D(double.PositiveInfinity, 0, 0), 0.1)).ParamName);
    }

    [Fact]
    public void QueryDisc_rejects_a_negative_or_NaN_radius()
    {
        var v = new Vector3D(0, 0, 1);
        Assert.Equal("radius", Assert.Throws<ArgumentOutOfRangeException>(() => HP.QueryDisc(8, v, -0.1)).ParamName);
        Assert.Equal("radius", Assert.Throws<ArgumentOutOfRangeException>(() => HP.QueryDisc(8, v, double.NaN, true)).ParamName);
        Assert.Equal("radius", Assert.Throws<ArgumentOutOfRangeException>(() => HP.QueryDisc(1L << 20, v, 1.0)).ParamName);
    }

    [Fact]
    public void Unknown_ordering_is_rejected()
    {
        var bad = (HealpixOrdering)7;
        Assert.Equal("ordering", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Ang2Pix(8, 1, 1, bad)).ParamName);
        Assert.Equal("ordering", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Pix2Ang(8, 1, bad)).ParamName);
        Assert.Equal("ordering", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Neighbours(8, 1, bad)).ParamName);
        Assert.Equal("ordering", Assert.Throws<ArgumentOutOfRangeException>(() => HP.QueryDisc(8, new Vector3D(1, 0, 0), 0.1, false, bad)).ParamName);
        Assert.Equal("ordering", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Children(8, 1, 16, bad)).ParamName);
    }

    [Fact]
    public void Short_destination_and_bad_step_are_rejected()
    {
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => HP.GetAllNeighbours(8, 0, new long[7])).ParamName);
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Boundaries(8, 0, 0)).ParamName);
    }
}
