using Skymap.Core.Healpix;
using HP = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Healpix;

/// <summary>Parents and children (SCANNER.md §2: RING → ring2nest → NEST children 4q…4q+3 → nest2ring).</summary>
public sealed class HierarchyTests
{
    [Theory]
    [InlineData(1L, 2L)]
    [InlineData(8L, 64L)]
    [InlineData(64L, 512L)]
    [InlineData(1L << 27, 1L << 29)]
    public void Children_ring_are_the_nest_block_renumbered_and_sorted(long nside, long childNside)
    {
        var rng = new Random(3);
        for (var i = 0; i < 100; i++)
        {
            var p = rng.NextInt64(HP.NPix(nside));
            var q = HP.Ring2Nest(nside, p);
            var expected = Enumerable.Range(0, (int)(childNside / nside * (childNside / nside)))
                .Select(k => HP.Nest2Ring(childNside, (q * (childNside / nside) * (childNside / nside)) + k))
                .Order()
                .ToArray();
            Assert.Equal(expected, HP.Children(nside, p, childNside));
        }
    }

    [Fact]
    public void Children_by_repeated_quartering_equal_children_in_one_step()
    {
        const long n = 8;
        for (var p = 0L; p < HP.NPix(n); p++)
        {
            var twoSteps = HP.Children(n, p, 16).SelectMany(c => HP.Children(16, c, 32)).Order().ToArray();
            Assert.Equal(twoSteps, HP.Children(n, p, 32));
        }
    }

    [Fact]
    public void Children_nest_are_the_contiguous_block()
    {
        Assert.Equal([20L, 21, 22, 23], HP.Children(1, 5, 2, HealpixOrdering.Nest));
        Assert.Equal(Enumerable.Range(0, 16).Select(k => (5L * 16) + k), HP.Children(4, 5, 16, HealpixOrdering.Nest));
        Assert.Equal([7L], HP.Children(4, 7, 4, HealpixOrdering.Nest));
    }

    [Theory]
    [InlineData(HealpixOrdering.Ring)]
    [InlineData(HealpixOrdering.Nest)]
    public void Parent_inverts_Children_and_contains_the_child_centre(HealpixOrdering ordering)
    {
        var rng = new Random(5);
        foreach (var (nside, child) in new[] { (1L, 4L), (8L, 64L), (64L, 512L), (1L << 20, 1L << 29) })
        {
            for (var i = 0; i < 50; i++)
            {
                var p = rng.NextInt64(HP.NPix(nside));
                foreach (var c in HP.Children(nside, p, Math.Min(child, nside * 8), ordering))
                {
                    Assert.Equal(p, HP.Parent(Math.Min(child, nside * 8), c, nside, ordering));
                    var (t, f) = HP.Pix2Ang(Math.Min(child, nside * 8), c, ordering);
                    Assert.Equal(p, HP.Ang2Pix(nside, t, f, ordering));
                }

                var deep = rng.NextInt64(HP.NPix(child));
                var parent = HP.Parent(child, deep, nside, ordering);
                var (tt, ff) = HP.Pix2Ang(child, deep, ordering);
                Assert.Equal(HP.Ang2Pix(nside, tt, ff, ordering), parent);
            }
        }
    }

    [Fact]
    public void Parent_at_the_same_nside_is_the_pixel()
    {
        Assert.Equal(123L, HP.Parent(64, 123, 64));
        Assert.Equal([123L], HP.Children(64, 123, 64));
    }

    [Fact]
    public void Parent_and_Children_reject_the_wrong_direction()
    {
        Assert.Equal("parentNside", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Parent(8, 0, 16)).ParamName);
        Assert.Equal("childNside", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Children(8, 0, 4)).ParamName);
        Assert.Equal("childNside", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Children(1, 0, 1L << 29)).ParamName);
        Assert.Equal("parentNside", Assert.Throws<ArgumentOutOfRangeException>(() => HP.Parent(8, 0, 3)).ParamName);
    }
}
