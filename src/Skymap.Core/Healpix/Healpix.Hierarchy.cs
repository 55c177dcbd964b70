using Skymap.Core.Geometry;

namespace Skymap.Core.Healpix;

/// <content>Parents, children and pixel boundaries.</content>
public static partial class Healpix
{
    /// <summary>The pixel at the coarser <paramref name="parentNside"/> that contains <paramref name="pixel"/>.</summary>
    /// <param name="nside">A valid nside of <paramref name="pixel"/>.</param>
    /// <param name="pixel">The pixel id.</param>
    /// <param name="parentNside">A valid nside ≤ <paramref name="nside"/> (equal returns the pixel itself).</param>
    /// <param name="ordering">Numbering scheme of both ids. RING goes through NEST (ring2nest, drop 2·Δorder bits, nest2ring).</param>
    /// <returns>The parent's id.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Invalid nsides, pixel or ordering, or <paramref name="parentNside"/> &gt; <paramref name="nside"/>.</exception>
    public static long Parent(long nside, long pixel, long parentNside, HealpixOrdering ordering = HealpixOrdering.Ring)
    {
        CheckNside(nside);
        CheckNside(parentNside);
        CheckPixel(nside, pixel);
        if (parentNside > nside)
        {
            ThrowOutOfRange(nameof(parentNside), parentNside, "parentNside must not exceed nside.");
        }

        var order = OrderOf(nside);
        var parentOrder = OrderOf(parentNside);
        var shift = 2 * (order - parentOrder);
        switch (ordering)
        {
            case HealpixOrdering.Nest:
                return pixel >> shift;
            case HealpixOrdering.Ring:
                Ring2Xyf(nside, order, pixel, out var ix, out var iy, out var face);
                var d = order - parentOrder;
                return Xyf2Ring(parentNside, parentOrder, ix >> d, iy >> d, face);
            default:
                return ThrowOrdering<long>(ordering);
        }
    }

    /// <summary>
    /// All pixels at the finer <paramref name="childNside"/> inside <paramref name="pixel"/>, sorted ascending.
    /// </summary>
    /// <param name="nside">A valid nside of <paramref name="pixel"/>.</param>
    /// <param name="pixel">The pixel id.</param>
    /// <param name="childNside">A valid nside ≥ <paramref name="nside"/>; (childNside/nside)² ids are returned.</param>
    /// <param name="ordering">
    /// Numbering scheme of all ids. NEST: the contiguous block q·4^d … (q+1)·4^d − 1. RING: q = ring2nest(pixel), the
    /// NEST block above converted with nest2ring, then sorted (SCANNER.md §2).
    /// </param>
    /// <returns>The children's ids, ascending.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// Invalid nsides, pixel or ordering, <paramref name="childNside"/> &lt; <paramref name="nside"/>, or more children than an array can hold.
    /// </exception>
    public static long[] Children(long nside, long pixel, long childNside, HealpixOrdering ordering = HealpixOrdering.Ring)
    {
        CheckNside(nside);
        CheckNside(childNside);
        CheckPixel(nside, pixel);
        if (childNside < nside)
        {
            ThrowOutOfRange(nameof(childNside), childNside, "childNside must not be smaller than nside.");
        }

        if (ordering is not (HealpixOrdering.Ring or HealpixOrdering.Nest))
        {
            ThrowOrdering<long>(ordering);
        }

        var order = OrderOf(nside);
        var childOrder = OrderOf(childNside);
        var shift = 2 * (childOrder - order);
        if (shift >= 62 || (1L << shift) > Array.MaxLength)
        {
            ThrowOutOfRange(nameof(childNside), childNside, "Too many children to return in one array.");
        }

        var count = 1L << shift;
        var result = new long[count];
        if (ordering == HealpixOrdering.Nest)
        {
            var first = pixel << shift;
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = first + i;
            }

            return result;
        }

        Ring2Xyf(nside, order, pixel, out var ix, out var iy, out var face);
        var firstNest = Xyf2Nest(ix, iy, face, order) << shift;
        for (var i = 0; i < result.Length; i++)
        {
            Nest2Xyf(firstNest + i, childOrder, out var cx, out var cy, out var cf);
            result[i] = Xyf2Ring(childNside, childOrder, cx, cy, cf);
        }

        Array.Sort(result);
        return result;
    }

    /// <summary>
    /// Points along the boundary of a pixel (healpy <c>boundaries</c>): 4·<paramref name="step"/> unit vectors, starting
    /// at the north corner and running through the west, south and east corners (each corner followed by
    /// step − 1 points along the next edge), exactly as healpy orders them.
    /// </summary>
    /// <param name="nside">A valid nside.</param>
    /// <param name="pixel">The pixel id.</param>
    /// <param name="step">Points per edge, ≥ 1 (1 gives the 4 corners).</param>
    /// <param name="ordering">Numbering scheme of <paramref name="pixel"/>.</param>
    /// <returns>The boundary points.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Invalid nside, pixel, step or ordering.</exception>
    public static Vector3D[] Boundaries(long nside, long pixel, int step = 1, HealpixOrdering ordering = HealpixOrdering.Ring)
    {
        CheckNside(nside);
        CheckPixel(nside, pixel);
        if (step < 1 || step > Array.MaxLength / 4)
        {
            ThrowOutOfRange(nameof(step), step, "step must be at least 1.");
        }

        var order = OrderOf(nside);
        Pix2Xyf(nside, order, pixel, ordering, out var ix, out var iy, out var face);

        var result = new Vector3D[4 * step];
        var dc = 0.5 / nside;
        var xc = (ix + 0.5) / nside;
        var yc = (iy + 0.5) / nside;
        var d = 1.0 / (step * nside);
        for (var i = 0; i < step; i++)
        {
            result[i] = FaceLocation(xc + dc - (i * d), yc + dc, face);
            result[i + step] = FaceLocation(xc - dc, yc + dc - (i * d), face);
            result[i + (2 * step)] = FaceLocation(xc - dc + (i * d), yc - dc, face);
            result[i + (3 * step)] = FaceLocation(xc + dc, yc - dc + (i * d), face);
        }

        return result;
    }

    /// <summary>Unit vector of a continuous face position (x, y in [0, 1]); HEALPix C++ <c>xyf2loc</c>.</summary>
    private static Vector3D FaceLocation(double x, double y, int face)
    {
        var jr = FaceRing[face] - x - y;
        double nr, z;
        if (jr < 1)
        {
            nr = jr;
            var tmp = nr * nr / 3.0;
            z = 1 - tmp;
            if (z > 0.99)
            {
                return new Loc(z, FacePhiAt(x, y, face, nr), Math.Sqrt(tmp * (2.0 - tmp)), true).ToVector();
            }
        }
        else if (jr > 3)
        {
            nr = 4 - jr;
            var tmp = nr * nr / 3.0;
            z = tmp - 1;
            if (z < -0.99)
            {
                return new Loc(z, FacePhiAt(x, y, face, nr), Math.Sqrt(tmp * (2.0 - tmp)), true).ToVector();
            }
        }
        else
        {
            nr = 1;
            z = (2 - jr) * 2.0 / 3.0;
        }

        return new Loc(z, FacePhiAt(x, y, face, nr), 0.0, false).ToVector();
    }

    private static double FacePhiAt(double x, double y, int face, double nr)
    {
        var tmp = (FacePhi[face] * nr) + x - y;
        if (tmp < 0)
        {
            tmp += 8;
        }

        if (tmp >= 8)
        {
            tmp -= 8;
        }

        return nr < 1e-15 ? 0 : 0.5 * HalfPi * tmp / nr;
    }
}
