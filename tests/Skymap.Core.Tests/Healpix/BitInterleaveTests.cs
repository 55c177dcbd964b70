using HP = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Healpix;

/// <summary>The portable bit interleave equals the BMI2 one (and a bit-by-bit reference) on every machine.</summary>
public sealed class BitInterleaveTests
{
    private static ulong SpreadReference(ulong v)
    {
        ulong r = 0;
        for (var b = 0; b < 32; b++)
        {
            r |= ((v >> b) & 1) << (2 * b);
        }

        return r;
    }

    [Fact]
    public void Spread_and_compress_match_the_bitwise_reference_and_each_other()
    {
        var rng = new Random(11);
        var values = new List<ulong> { 0, 1, 2, 3, (1UL << 29) - 1, 0x1555_5555, 0x0AAA_AAAA, 0xFFFF_FFFF };
        for (var i = 0; i < 10_000; i++)
        {
            values.Add((ulong)rng.NextInt64(1L << 32));
        }

        foreach (var v in values)
        {
            var spread = SpreadReference(v);
            Assert.Equal(spread, HP.SpreadBitsPortable(v));
            Assert.Equal(spread, HP.SpreadBits(v));
            Assert.Equal(v, HP.CompressBitsPortable(spread));
            Assert.Equal(v, HP.CompressBits(spread));
            Assert.Equal(v, HP.CompressBitsPortable((spread << 1) | spread) & 0xFFFF_FFFF);
        }
    }

    [Fact]
    public void Nest_coordinates_round_trip_at_every_order()
    {
        var rng = new Random(12);
        for (var order = 0; order <= HP.MaxOrder; order++)
        {
            var n = 1L << order;
            for (var i = 0; i < 200; i++)
            {
                long x = rng.NextInt64(n), y = rng.NextInt64(n);
                var f = rng.Next(12);
                HP.Nest2Xyf(HP.Xyf2Nest(x, y, f, order), order, out var x2, out var y2, out var f2);
                Assert.Equal((x, y, f), (x2, y2, f2));
            }
        }
    }
}
