using System.Runtime.CompilerServices;
using Skymap.Core.Geometry;

namespace Skymap.Core.Healpix;

/// <summary>
/// HEALPix pixelisation of the sphere (Górski et al. 2005, ApJ 622, 759), following the behaviour of
/// HEALPix C++ 3.8x as exposed by healpy: pixel ids are identical to healpy's and angles agree to rounding.
/// </summary>
/// <remarks>
/// <para>All resolutions are given as <c>nside</c> = 2^k with 0 ≤ k ≤ <see cref="MaxOrder"/>; pixel ids are
/// 64-bit, 0 ≤ id &lt; 12·nside². θ is the colatitude in [0, π] measured from +z, φ the longitude
/// counter-clockwise from +x (any finite value; it is reduced modulo 2π).</para>
/// <para>Near the poles (|z| &gt; 0.99) the high-precision formulations of HEALPix C++ are used
/// (sin θ is carried alongside z = cos θ), so directions within a few nanoradians of a pole still map to the
/// right pixel at nside 2^29.</para>
/// <para>The scalar methods allocate nothing; invalid arguments throw <see cref="ArgumentOutOfRangeException"/>
/// (or <see cref="ArgumentException"/> for degenerate vectors and short spans) naming the parameter.</para>
/// </remarks>
public static partial class Healpix
{
    /// <summary>Largest supported order k (nside = 2^k): 29, so that 12·nside² fits in a signed 64-bit id.</summary>
    public const int MaxOrder = 29;

    /// <summary>Largest supported nside, 2^<see cref="MaxOrder"/>.</summary>
    public const long MaxNside = 1L << MaxOrder;

    // Constants with HEALPix C++'s exact values (lsconstants.h), so that floating-point results agree bit for bit.
    private const double Pi = 3.141592653589793238462643383279502884197;
    private const double TwoPi = 6.283185307179586476925286766559005768394;
    private const double HalfPi = 1.570796326794896619231321691639751442099;
    private const double InvHalfPi = 0.6366197723675813430755350534900574;
    private const double InvTwoPi = 1.0 / TwoPi;
    private const double TwoThird = 2.0 / 3.0;

    /// <summary>Ring number (counted from the north pole) of the first ring of each base face, in units of nside.</summary>
    private static readonly int[] FaceRing = [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4];

    /// <summary>Longitude of each base face's centre, in units of π/4.</summary>
    private static readonly int[] FacePhi = [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7];

    /// <summary>4 / npix for each order (HEALPix C++ <c>fact2_</c>).</summary>
    private static readonly double[] Fact2Table = BuildFact2();

    /// <summary>Largest order whose ring colatitudes are tabulated (4·2^14 doubles = 512 KiB).</summary>
    private const int MaxTabulatedOrder = 14;

    /// <summary>Per-order ring colatitude tables, built on first use (see <see cref="BuildRingThetaTable"/>).</summary>
    private static readonly double[]?[] RingThetaTables = new double[]?[MaxTabulatedOrder + 1];

    /// <summary>2·nside · 4 / npix for each order (HEALPix C++ <c>fact1_</c>).</summary>
    private static readonly double[] Fact1Table = BuildFact1();

    /// <summary>True when <paramref name="nside"/> is a power of two between 1 and 2^29.</summary>
    /// <param name="nside">The candidate resolution parameter.</param>
    /// <returns>Whether HEALPix functions accept it (both orderings).</returns>
    public static bool IsValidNside(long nside) => nside > 0 && nside <= MaxNside && (nside & (nside - 1)) == 0;

    /// <summary>The order k = log2(nside).</summary>
    /// <param name="nside">A valid nside (power of two, 1 … 2^29).</param>
    /// <returns>k with nside = 2^k.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nside"/> is not valid.</exception>
    public static int Order(long nside)
    {
        CheckNside(nside);
        return OrderOf(nside);
    }

    /// <summary>Number of pixels of the map, 12·nside².</summary>
    /// <param name="nside">A valid nside.</param>
    /// <returns>12·nside².</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nside"/> is not valid.</exception>
    public static long NPix(long nside)
    {
        CheckNside(nside);
        return 12 * nside * nside;
    }

    /// <summary>Solid angle of one pixel, 4π / (12·nside²), in steradians (all pixels have equal area).</summary>
    /// <param name="nside">A valid nside.</param>
    /// <returns>The pixel area in sr.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nside"/> is not valid.</exception>
    public static double PixelArea(long nside) => 4.0 * Math.PI / NPix(nside);

    /// <summary>Approximate pixel size, the square root of <see cref="PixelArea"/>, in radians.</summary>
    /// <param name="nside">A valid nside.</param>
    /// <returns>sqrt(4π / npix) in rad.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nside"/> is not valid.</exception>
    public static double Resolution(long nside) => Math.Sqrt(PixelArea(nside));

    /// <summary>
    /// Largest angular distance between any pixel centre and its corners (healpy <c>max_pixrad</c>), in radians.
    /// </summary>
    /// <param name="nside">A valid nside.</param>
    /// <returns>The maximal pixel "radius" in rad.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nside"/> is not valid.</exception>
    public static double MaxPixelRadius(long nside)
    {
        CheckNside(nside);
        return MaxPixRad(nside);
    }

    /// <summary>The pixel containing the direction (θ, φ) (healpy <c>ang2pix</c>).</summary>
    /// <param name="nside">A valid nside.</param>
    /// <param name="theta">Colatitude in radians, 0 ≤ θ ≤ π.</param>
    /// <param name="phi">Longitude in radians, any finite value.</param>
    /// <param name="ordering">Numbering scheme of the returned id.</param>
    /// <returns>The pixel id.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Invalid nside, θ outside [0, π] or NaN, non-finite φ, or unknown ordering.</exception>
    public static long Ang2Pix(long nside, double theta, double phi, HealpixOrdering ordering = HealpixOrdering.Ring)
    {
        CheckNside(nside);
        if (!(theta >= 0.0 && theta <= Pi))
        {
            ThrowOutOfRange(nameof(theta), theta, "theta must lie in [0, pi].");
        }

        if (!double.IsFinite(phi))
        {
            ThrowOutOfRange(nameof(phi), phi, "phi must be finite.");
        }

        phi = FModulo(phi, TwoPi);
        var order = OrderOf(nside);
        var z = Math.Cos(theta);
        var polar = theta < 0.01 || theta > 3.14159 - 0.01;
        var sth = polar ? Math.Sin(theta) : 0.0;
        return ordering switch
        {
            HealpixOrdering.Ring => Loc2PixRing(nside, order, z, phi, sth, polar),
            HealpixOrdering.Nest => Loc2PixNest(nside, order, z, phi, sth, polar),
            _ => ThrowOrdering<long>(ordering),
        };
    }

    /// <summary>The centre (θ, φ) of a pixel (healpy <c>pix2ang</c>); φ is in [0, 2π).</summary>
    /// <param name="nside">A valid nside.</param>
    /// <param name="pixel">Pixel id, 0 ≤ pixel &lt; 12·nside².</param>
    /// <param name="ordering">Numbering scheme of <paramref name="pixel"/>.</param>
    /// <returns>Colatitude and longitude of the pixel centre, in radians.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Invalid nside, pixel or ordering.</exception>
    public static (double Theta, double Phi) Pix2Ang(long nside, long pixel, HealpixOrdering ordering = HealpixOrdering.Ring)
    {
        CheckNside(nside);
        CheckPixel(nside, pixel);
        var order = OrderOf(nside);
        double phi;
        long ring;
        switch (ordering)
        {
            case HealpixOrdering.Ring:
                ring = RingAndPhiRing(nside, order, pixel, out phi);
                break;
            case HealpixOrdering.Nest:
                ring = RingAndPhiNest(nside, order, pixel, out phi);
                break;
            default:
                return ThrowOrdering<(double, double)>(ordering);
        }

        return (RingCentreTheta(nside, order, ring), phi);
    }

    /// <summary>The pixel containing the direction of <paramref name="v"/> (healpy <c>vec2pix</c>).</summary>
    /// <param name="nside">A valid nside.</param>
    /// <param name="v">Direction; need not be normalised, must be finite and non-zero.</param>
    /// <param name="ordering">Numbering scheme of the returned id.</param>
    /// <returns>The pixel id.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Invalid nside or ordering.</exception>
    /// <exception cref="ArgumentException"><paramref name="v"/> is zero, infinite or NaN.</exception>
    public static long Vec2Pix(long nside, Vector3D v, HealpixOrdering ordering = HealpixOrdering.Ring)
    {
        CheckNside(nside);
        var xl = 1.0 / v.Length;
        if (!(xl > 0.0 && xl < double.PositiveInfinity))
        {
            ThrowBadVector(nameof(v));
        }

        var phi = SafeAtan2(v.Y, v.X);
        var nz = v.Z * xl;
        var polar = Math.Abs(nz) > 0.99;
        var sth = polar ? Math.Sqrt((v.X * v.X) + (v.Y * v.Y)) * xl : 0.0;
        var order = OrderOf(nside);
        return ordering switch
        {
            HealpixOrdering.Ring => Loc2PixRing(nside, order, nz, phi, sth, polar),
            HealpixOrdering.Nest => Loc2PixNest(nside, order, nz, phi, sth, polar),
            _ => ThrowOrdering<long>(ordering),
        };
    }

    /// <summary>Unit vector to the centre of a pixel (healpy <c>pix2vec</c>).</summary>
    /// <param name="nside">A valid nside.</param>
    /// <param name="pixel">Pixel id, 0 ≤ pixel &lt; 12·nside².</param>
    /// <param name="ordering">Numbering scheme of <paramref name="pixel"/>.</param>
    /// <returns>The unit vector (x, y, z).</returns>
    /// <exception cref="ArgumentOutOfRangeException">Invalid nside, pixel or ordering.</exception>
    public static Vector3D Pix2Vec(long nside, long pixel, HealpixOrdering ordering = HealpixOrdering.Ring) =>
        Pix2Loc(nside, pixel, ordering).ToVector();

    // ---------------------------------------------------------------------------------------------------------
    // Core conversions. They mirror HEALPix C++'s loc2pix / pix2loc operation for operation (same evaluation
    // order), which is what makes the ids identical to healpy's and the angles agree to the last bit or two.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>A location as HEALPix C++ carries it: z = cos θ, φ, and sin θ where z alone is too coarse.</summary>
    internal readonly struct Loc(double z, double phi, double sth, bool haveSth)
    {
        public double Z { get; } = z;

        public double Phi { get; } = phi;

        public double Sth { get; } = sth;

        public bool HaveSth { get; } = haveSth;

        public Vector3D ToVector()
        {
            if (HaveSth)
            {
                return new Vector3D(Sth * Math.Cos(Phi), Sth * Math.Sin(Phi), Z);
            }

            var st = Math.Sqrt((1.0 - Z) * (1.0 + Z));
            return new Vector3D(st * Math.Cos(Phi), st * Math.Sin(Phi), Z);
        }
    }

    internal static Loc Pix2Loc(long nside, long pixel, HealpixOrdering ordering)
    {
        CheckNside(nside);
        CheckPixel(nside, pixel);
        var order = OrderOf(nside);
        return ordering switch
        {
            HealpixOrdering.Ring => Pix2LocRing(nside, order, pixel),
            HealpixOrdering.Nest => Pix2LocNest(nside, order, pixel),
            _ => ThrowOrdering<Loc>(ordering),
        };
    }

    internal static long Loc2PixRing(long nside, int order, double z, double phi, double sth, bool haveSth)
    {
        var za = Math.Abs(z);
        var tt = FModulo(phi * InvHalfPi, 4.0); // in [0, 4)

        if (za <= TwoThird)
        {
            // Equatorial belt: the pixel is found from the two families of edge lines crossing at its corners.
            var nl4 = 4 * nside;
            var temp1 = nside * (0.5 + tt);
            var temp2 = nside * z * 0.75;
            var jp = (long)(temp1 - temp2); // ascending edge line
            var jm = (long)(temp1 + temp2); // descending edge line
            var ir = nside + 1 + jp - jm;    // ring counted from z = 2/3, in 1 … 2n+1
            var kshift = 1 - (ir & 1);
            var t1 = jp + jm - nside + kshift + 1 + nl4 + nl4;
            var ip = (t1 >> 1) & (nl4 - 1);
            return (2 * nside * (nside - 1)) + ((ir - 1) * nl4) + ip;
        }

        {
            // Polar caps: distance from the pole measured with sin θ when |z| is close to 1.
            var tp = tt - (long)tt;
            var tmp = (za < 0.99 || !haveSth)
                ? nside * Math.Sqrt(3 * (1 - za))
                : nside * sth / Math.Sqrt((1.0 + za) / 3.0);
            var jp = (long)(tp * tmp);
            var jm = (long)((1.0 - tp) * tmp);
            var ir = jp + jm + 1;      // ring counted from the nearer pole
            var ip = (long)(tt * ir);  // in 0 … 4·ir−1
            return z > 0
                ? (2 * ir * (ir - 1)) + ip
                : (12 * nside * nside) - (2 * ir * (ir + 1)) + ip;
        }
    }

    internal static long Loc2PixNest(long nside, int order, double z, double phi, double sth, bool haveSth)
    {
        var za = Math.Abs(z);
        var tt = FModulo(phi * InvHalfPi, 4.0);

        if (za <= TwoThird)
        {
            var temp1 = nside * (0.5 + tt);
            var temp2 = nside * (z * 0.75);
            var jp = (long)(temp1 - temp2);
            var jm = (long)(temp1 + temp2);
            var ifp = jp >> order; // 0 … 4
            var ifm = jm >> order;
            var face = ifp == ifm ? (int)(ifp | 4) : (ifp < ifm ? (int)ifp : (int)(ifm + 8));
            var ix = jm & (nside - 1);
            var iy = nside - (jp & (nside - 1)) - 1;
            return Xyf2Nest(ix, iy, face, order);
        }

        {
            var ntt = Math.Min(3, (int)tt);
            var tp = tt - ntt;
            var tmp = (za < 0.99 || !haveSth)
                ? nside * Math.Sqrt(3 * (1 - za))
                : nside * sth / Math.Sqrt((1.0 + za) / 3.0);
            var jp = Math.Min((long)(tp * tmp), nside - 1);
            var jm = Math.Min((long)((1.0 - tp) * tmp), nside - 1);
            return z >= 0
                ? Xyf2Nest(nside - jm - 1, nside - jp - 1, ntt, order)
                : Xyf2Nest(jp, jm, ntt + 8, order);
        }
    }

    internal static Loc Pix2LocRing(long nside, int order, long pix)
    {
        var ring = RingAndPhiRing(nside, order, pix, out var phi);
        return RingLoc(nside, order, ring, phi);
    }

    internal static Loc Pix2LocNest(long nside, int order, long pix)
    {
        var ring = RingAndPhiNest(nside, order, pix, out var phi);
        return RingLoc(nside, order, ring, phi);
    }

    /// <summary>Ring number (1 … 4·nside − 1, from the north pole) and centre longitude of a RING pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long RingAndPhiRing(long nside, int order, long pix, out double phi)
    {
        var ncap = 2 * nside * (nside - 1);
        var npix = 12 * nside * nside;
        if (pix < ncap)
        {
            var iring = (1 + ISqrt(1 + (2 * pix))) >> 1; // from the north pole
            var iphi = pix + 1 - (2 * iring * (iring - 1));
            phi = (iphi - 0.5) * HalfPi / iring;
            return iring;
        }

        if (pix < npix - ncap)
        {
            var nl4 = 4 * nside;
            var ip = pix - ncap;
            var tmp = ip >> (order + 2);
            var iring = tmp + nside;
            var iphi = ip - (nl4 * tmp) + 1;
            var fodd = ((iring + nside) & 1) != 0 ? 1.0 : 0.5;
            phi = (iphi - fodd) * Pi * 0.75 * Fact1Table[order];
            return iring;
        }

        {
            var ip = npix - pix;
            var iring = (1 + ISqrt((2 * ip) - 1)) >> 1; // from the south pole
            var iphi = (4 * iring) + 1 - (ip - (2 * iring * (iring - 1)));
            phi = (iphi - 0.5) * HalfPi / iring;
            return (4 * nside) - iring;
        }
    }

    /// <summary>Ring number (1 … 4·nside − 1, from the north pole) and centre longitude of a NEST pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long RingAndPhiNest(long nside, int order, long pix, out double phi)
    {
        Nest2Xyf(pix, order, out var ix, out var iy, out var face);
        var jr = ((long)FaceRing[face] << order) - ix - iy - 1;
        var nr = jr < nside ? jr : (jr > 3 * nside ? (nside * 4) - jr : nside);
        var t = (FacePhi[face] * nr) + ix - iy;
        if (t < 0)
        {
            t += 8 * nr;
        }

        phi = nr == nside ? 0.75 * HalfPi * t * Fact1Table[order] : 0.5 * HalfPi * t / nr;
        return jr;
    }

    /// <summary>z = cos θ of a ring's centres, with sin θ where |z| &gt; 0.99 (HEALPix C++ <c>pix2loc</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Loc RingLoc(long nside, int order, long ring, double phi)
    {
        if (ring < nside)
        {
            var tmp = (ring * ring) * Fact2Table[order];
            var z = 1.0 - tmp;
            return z > 0.99 ? new Loc(z, phi, Math.Sqrt(tmp * (2.0 - tmp)), true) : new Loc(z, phi, 0.0, false);
        }

        if (ring > 3 * nside)
        {
            var nr = (4 * nside) - ring;
            var tmp = (nr * nr) * Fact2Table[order];
            var z = tmp - 1.0;
            return z < -0.99 ? new Loc(z, phi, Math.Sqrt(tmp * (2.0 - tmp)), true) : new Loc(z, phi, 0.0, false);
        }

        return new Loc(((2 * nside) - ring) * Fact1Table[order], phi, 0.0, false);
    }

    /// <summary>Colatitude of a ring's centres, computed exactly as <see cref="Pix2Ang(long, long, HealpixOrdering)"/> does (no table).</summary>
    private static double RingColatitude(long nside, int order, long ring)
    {
        var loc = RingLoc(nside, order, ring, 0.0);
        return loc.HaveSth ? Math.Atan2(loc.Sth, loc.Z) : Math.Acos(loc.Z);
    }

    /// <summary>Colatitude of a ring's centres; tabulated per order up to <see cref="MaxTabulatedOrder"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double RingCentreTheta(long nside, int order, long ring)
    {
        if (order <= MaxTabulatedOrder)
        {
            var table = Volatile.Read(ref RingThetaTables[order]) ?? BuildRingThetaTable(order);
            return table[ring];
        }

        return RingColatitude(nside, order, ring);
    }

    /// <summary>
    /// θ takes only 4·nside − 1 values (one per ring), so pix2ang looks it up instead of calling acos; the table holds the
    /// very values acos/atan2 would return (built with the same code), 4·nside doubles (≤ 512 KiB at order 14).
    /// </summary>
    private static double[] BuildRingThetaTable(int order)
    {
        var nside = 1L << order;
        var table = new double[4 * nside];
        for (var ring = 1L; ring < 4 * nside; ring++)
        {
            table[ring] = RingColatitude(nside, order, ring);
        }

        return Interlocked.CompareExchange(ref RingThetaTables[order], table, null) ?? table;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Small numeric helpers with HEALPix C++ semantics.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>Non-negative remainder of v1 / v2 (HEALPix <c>fmodulo</c>); C# <c>%</c> on doubles is C's fmod.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double FModulo(double v1, double v2)
    {
        if (v1 >= 0)
        {
            return v1 < v2 ? v1 : v1 % v2;
        }

        var tmp = (v1 % v2) + v2;
        return tmp == v2 ? 0.0 : tmp;
    }

    /// <summary>Integer square root, exact for all 64-bit arguments used here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long ISqrt(long arg)
    {
        var res = (long)Math.Sqrt(arg + 0.5);
        if (arg < (1L << 50))
        {
            return res;
        }

        if (res * res > arg)
        {
            --res;
        }
        else if ((res + 1) * (res + 1) <= arg)
        {
            ++res;
        }

        return res;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double SafeAtan2(double y, double x) => (x == 0.0 && y == 0.0) ? 0.0 : Math.Atan2(y, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int OrderOf(long nside) => System.Numerics.BitOperations.Log2((ulong)nside);

    /// <summary>HEALPix C++ <c>max_pixrad</c>: the corner distance of the most stretched pixel.</summary>
    internal static double MaxPixRad(long nside)
    {
        var va = FromZPhi(2.0 / 3.0, Pi / (4 * nside));
        var t1 = 1.0 - (1.0 / nside);
        t1 *= t1;
        var vb = FromZPhi(1 - (t1 / 3), 0);
        return va.AngleTo(vb);
    }

    /// <summary>Unit vector from z = cos θ and φ, as HEALPix's <c>vec3::set_z_phi</c>.</summary>
    internal static Vector3D FromZPhi(double z, double phi)
    {
        var st = Math.Sqrt((1.0 - z) * (1.0 + z));
        return new Vector3D(st * Math.Cos(phi), st * Math.Sin(phi), z);
    }

    private static double[] BuildFact2()
    {
        var t = new double[MaxOrder + 1];
        for (var o = 0; o <= MaxOrder; o++)
        {
            var nside = 1L << o;
            t[o] = 4.0 / (12 * nside * nside);
        }

        return t;
    }

    private static double[] BuildFact1()
    {
        var t = new double[MaxOrder + 1];
        for (var o = 0; o <= MaxOrder; o++)
        {
            t[o] = (2L << o) * Fact2Table[o];
        }

        return t;
    }
}
