using Skymap.Core.Healpix;
using HP = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Healpix;

/// <summary>The span-based batch calls return exactly what the scalar calls return, on random and on edge inputs.</summary>
public sealed class BatchTests
{
    public static TheoryData<long, HealpixOrdering> Cases()
    {
        var data = new TheoryData<long, HealpixOrdering>();
        foreach (var nside in new[] { 1L, 8, 1024, 1L << 20, 1L << 29 })
        {
            data.Add(nside, HealpixOrdering.Ring);
            data.Add(nside, HealpixOrdering.Nest);
        }

        return data;
    }

    /// <summary>Directions on pixel edges and corners, on z = ±2/3, at the θ = 0.01 switch, on face meridians, and random.</summary>
    private static (double[] Theta, double[] Phi) EdgeDirections(long nside)
    {
        var rng = new Random((int)(nside % 1000) + 17);
        var theta = new List<double>();
        var phi = new List<double>();
        void Add(double t, double f)
        {
            theta.Add(Math.Clamp(t, 0, Math.PI));
            phi.Add(f);
        }

        for (var i = 0; i < 3000; i++)
        {
            var p = rng.NextInt64(HP.NPix(nside));
            foreach (var v in HP.Boundaries(nside, p, 3))
            {
                Add(Math.Atan2(Math.Sqrt((v.X * v.X) + (v.Y * v.Y)), v.Z), Math.Atan2(v.Y, v.X));
            }
        }

        var zb = Math.Acos(2.0 / 3.0);
        foreach (var t0 in new[] { zb, Math.PI - zb, 0.01, 3.14159 - 0.01, Math.Acos(0.99), Math.Acos(-0.99), Math.PI / 2 })
        {
            for (var k = -3; k <= 3; k++)
            {
                var t = t0;
                for (var s = 0; s < Math.Abs(k); s++)
                {
                    t = k > 0 ? Math.BitIncrement(t) : Math.BitDecrement(t);
                }

                for (var j = 0; j < 50; j++)
                {
                    Add(t, j % 2 == 0 ? rng.NextDouble() * 2 * Math.PI : (j - 25) * Math.PI / 4);
                }
            }
        }

        for (var i = 0; i < 20_000; i++)
        {
            Add(Math.Acos((2 * rng.NextDouble()) - 1), (rng.NextDouble() * 40) - 20);
        }

        return (theta.ToArray(), phi.ToArray());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ang2Pix_batch_equals_the_scalar_call_on_edges_and_random_directions(long nside, HealpixOrdering ordering)
    {
        var (theta, phi) = EdgeDirections(nside);
        var batch = new long[theta.Length];
        HP.Ang2Pix(nside, theta, phi, batch, ordering);
        for (var i = 0; i < theta.Length; i++)
        {
            var scalar = HP.Ang2Pix(nside, theta[i], phi[i], ordering);
            if (scalar != batch[i])
            {
                Assert.Fail($"theta {theta[i]:R} phi {phi[i]:R}: batch {batch[i]}, scalar {scalar}");
            }
        }
    }

    [Theory]
    [InlineData(1L << 10)]
    [InlineData(1L << 20)]
    [InlineData(1L << 29)]
    public void Ang2Pix_batch_matches_healpy_on_the_fixture_directions(long nside)
    {
        var angles = HpxfFile.Load("random-angles.hpxf.gz");
        var theta = angles.Doubles("theta");
        var phi = angles.Doubles("phi");
        var ring = new long[theta.Length];
        var nest = new long[theta.Length];
        HP.Ang2Pix(nside, theta, phi, ring);
        HP.Ang2Pix(nside, theta, phi, nest, HealpixOrdering.Nest);
        Assert.Equal(angles.Longs($"n{nside}/ang2pix_ring"), ring);
        Assert.Equal(angles.Longs($"n{nside}/ang2pix_nest"), nest);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pix2Ang_batch_equals_the_scalar_call(long nside, HealpixOrdering ordering)
    {
        var rng = new Random(5);
        var pixels = Enumerable.Range(0, 20_000).Select(_ => rng.NextInt64(HP.NPix(nside))).Append(0).Append(HP.NPix(nside) - 1).ToArray();
        var theta = new double[pixels.Length];
        var phi = new double[pixels.Length];
        HP.Pix2Ang(nside, pixels, theta, phi, ordering);
        for (var i = 0; i < pixels.Length; i++)
        {
            Assert.Equal(HP.Pix2Ang(nside, pixels[i], ordering), (theta[i], phi[i]));
        }
    }

    [Fact]
    public void Batch_calls_validate_their_arguments()
    {
        var t = new double[] { 1, 2 };
        var f = new double[] { 0, 1 };
        Assert.Equal("phi", Assert.Throws<ArgumentException>(() => HP.Ang2Pix(8, t, f.AsSpan(0, 1), new long[2])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => HP.Ang2Pix(8, t, f, new long[1])).ParamName);
        Assert.Equal("theta", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Ang2Pix(8, new[] { 1, 4.0 }, f, new long[2])).ParamName);
        Assert.Equal("phi", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Ang2Pix(8, t, new[] { 0, double.NaN }, new long[2])).ParamName);
        Assert.Equal("nside", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Ang2Pix(6, t, f, new long[2])).ParamName);
        Assert.Equal("pixels", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Pix2Ang(1, new long[] { 12 }, new double[1], new double[1])).ParamName);
        Assert.Equal("theta", Assert.Throws<ArgumentException>(() => HP.Pix2Ang(1, new long[] { 1 }, Array.Empty<double>(), new double[1])).ParamName);
        Assert.Equal("phi", Assert.Throws<ArgumentException>(() => HP.Pix2Ang(1, new long[] { 1 }, new double[1], Array.Empty<double>())).ParamName);
    }
}
