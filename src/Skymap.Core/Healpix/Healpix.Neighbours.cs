namespace Skymap.Core.Healpix;

/// <content>The eight neighbours of a pixel.</content>
public static partial class Healpix
{
    // Face-coordinate steps of the 8 neighbours in healpy's order SW, W, NW, N, NE, E, SE, S.
    private static ReadOnlySpan<sbyte> NeighbourDx => [-1, -1, 0, 1, 1, 1, 0, -1];

    private static ReadOnlySpan<sbyte> NeighbourDy => [0, 1, 1, 1, 0, -1, -1, -1];

    /// <summary>
    /// Writes the 8 neighbours of <paramref name="pixel"/> in healpy's order SW, W, NW, N, NE, E, SE, S
    /// (healpy <c>get_all_neighbours</c>); −1 marks a missing neighbour (only W, N, E or S at the 8 vertices
    /// where three base faces meet).
    /// </summary>
    /// <param name="nside">A valid nside.</param>
    /// <param name="pixel">The pixel id.</param>
    /// <param name="destination">Receives the 8 ids, in the same ordering as <paramref name="pixel"/>; length ≥ 8.</param>
    /// <param name="ordering">Numbering scheme of <paramref name="pixel"/> and of the neighbours.</param>
    /// <exception cref="ArgumentOutOfRangeException">Invalid nside, pixel or ordering.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 8.</exception>
    public static void GetAllNeighbours(long nside, long pixel, Span<long> destination, HealpixOrdering ordering = HealpixOrdering.Ring)
    {
        CheckNside(nside);
        CheckPixel(nside, pixel);
        if (destination.Length < 8)
        {
            throw new ArgumentException("The destination must hold at least 8 elements.", nameof(destination));
        }

        var order = OrderOf(nside);
        Pix2Xyf(nside, order, pixel, ordering, out var ix, out var iy, out var face);

        var nest = ordering == HealpixOrdering.Nest;
        var dx = NeighbourDx;
        var dy = NeighbourDy;
        var interior = ix > 0 && ix < nside - 1 && iy > 0 && iy < nside - 1;
        if (interior && nest)
        {
            // All neighbours on the same face: combine pre-spread coordinates.
            var f = (long)face << (2 * order);
            long xm = (long)SpreadBits((ulong)(ix - 1)), x0 = (long)SpreadBits((ulong)ix), xp = (long)SpreadBits((ulong)(ix + 1));
            long ym = (long)SpreadBits((ulong)(iy - 1)) << 1, y0 = (long)SpreadBits((ulong)iy) << 1, yp = (long)SpreadBits((ulong)(iy + 1)) << 1;
            destination[0] = f + xm + y0;
            destination[1] = f + xm + yp;
            destination[2] = f + x0 + yp;
            destination[3] = f + xp + yp;
            destination[4] = f + xp + y0;
            destination[5] = f + xp + ym;
            destination[6] = f + x0 + ym;
            destination[7] = f + xm + ym;
            return;
        }

        for (var i = 0; i < 8; i++)
        {
            var x = ix + dx[i];
            var y = iy + dy[i];
            var f = interior ? face : NeighbourFace(nside, face, ref x, ref y);
            destination[i] = f < 0 ? -1 : nest ? Xyf2Nest(x, y, f, order) : Xyf2Ring(nside, order, x, y, f);
        }
    }

    /// <summary>The 8 neighbours of a pixel as a new array; see <see cref="GetAllNeighbours"/>.</summary>
    /// <param name="nside">A valid nside.</param>
    /// <param name="pixel">The pixel id.</param>
    /// <param name="ordering">Numbering scheme of <paramref name="pixel"/> and of the neighbours.</param>
    /// <returns>SW, W, NW, N, NE, E, SE, S neighbours; −1 where missing.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Invalid nside, pixel or ordering.</exception>
    public static long[] Neighbours(long nside, long pixel, HealpixOrdering ordering = HealpixOrdering.Ring)
    {
        var result = new long[8];
        GetAllNeighbours(nside, pixel, result, ordering);
        return result;
    }

    /// <summary>
    /// Maps face coordinates that stepped at most one pixel outside <paramref name="face"/> onto the face they
    /// fell on, and returns that face (−1 when the step crossed a vertex shared by only three faces).
    /// </summary>
    /// <remarks>
    /// Derived from the layout of the 12 base faces: faces 0–3 touch the north pole, 4–7 straddle the equator,
    /// 8–11 touch the south pole; face f of each row is centred at φ = (2f + 1)·π/4 (polar rows) or f·π/2
    /// (equatorial row). Equatorial and polar faces meet along edges with the same orientation, so coordinates
    /// only wrap. Two polar faces meet along a meridian edge that is x on one side and y on the other, so the
    /// coordinates are exchanged (and the outer one mirrored); across a pole the face two steps round is reached
    /// with both coordinates mirrored.
    /// </remarks>
    private static int NeighbourFace(long nside, int face, ref long x, ref long y)
    {
        var sx = x < 0 ? -1 : (x >= nside ? 1 : 0);
        var sy = y < 0 ? -1 : (y >= nside ? 1 : 0);
        if (sx == 0 && sy == 0)
        {
            return face;
        }

        x -= sx * nside;
        y -= sy * nside;
        var f = face & 3;
        var east = (f + 1) & 3;
        var west = (f + 3) & 3;
        long t;
        switch (face >> 2)
        {
            case 0: // north polar face
                switch (sx, sy)
                {
                    case (-1, 0): return 4 + f;                  // SW edge → equatorial face below-left
                    case (0, -1): return 4 + east;               // SE edge → equatorial face below-right
                    case (-1, -1): return 8 + f;                 // south vertex (4 faces) → opposite south face
                    case (1, 0):                                 // NE edge → next polar face eastwards
                        t = x;
                        x = y;
                        y = nside - 1 - t;
                        return east;
                    case (0, 1):                                 // NW edge → next polar face westwards
                        t = y;
                        y = x;
                        x = nside - 1 - t;
                        return west;
                    case (1, 1):                                 // across the pole
                        x = nside - 1 - x;
                        y = nside - 1 - y;
                        return (f + 2) & 3;
                    default: return -1;                          // E and W vertices join only 3 faces
                }

            case 1: // equatorial face
                switch (sx, sy)
                {
                    case (1, 0): return f;                       // NE edge → north face
                    case (0, 1): return west;                    // NW edge → north face to the west
                    case (0, -1): return 8 + f;                  // SE edge → south face
                    case (-1, 0): return 8 + west;               // SW edge → south face to the west
                    case (1, -1): return 4 + east;               // east vertex → next equatorial face
                    case (-1, 1): return 4 + west;               // west vertex → previous equatorial face
                    default: return -1;                          // N and S vertices join only 3 faces
                }

            default: // south polar face
                switch (sx, sy)
                {
                    case (1, 0): return 4 + east;                // NE edge → equatorial face above-right
                    case (0, 1): return 4 + f;                   // NW edge → equatorial face above-left
                    case (1, 1): return f;                       // north vertex (4 faces) → opposite north face
                    case (-1, 0):                                // SW edge → next south face westwards
                        t = x;
                        x = y;
                        y = nside - 1 - t;
                        return 8 + west;
                    case (0, -1):                                // SE edge → next south face eastwards
                        t = y;
                        y = x;
                        x = nside - 1 - t;
                        return 8 + east;
                    case (-1, -1):                               // across the pole
                        x = nside - 1 - x;
                        y = nside - 1 - y;
                        return 8 + ((f + 2) & 3);
                    default: return -1;
                }
        }
    }
}
