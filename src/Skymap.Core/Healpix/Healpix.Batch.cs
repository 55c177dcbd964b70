using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Skymap.Core.Healpix;

/// <content>
/// Span-based batch conversions. They return exactly what the scalar calls return, element by element, but amortise the
/// argument checks and, for ang2pix, take cos θ from the vectorised <see cref="TensorPrimitives.Cos{T}(ReadOnlySpan{T}, Span{T})"/>.
/// </content>
public static partial class Healpix
{
    private const int BatchChunk = 512;

    /// <summary>
    /// Largest error of the vectorised cosine that the guarded ang2pix path tolerates, relative to the pixel grid: an
    /// element is recomputed with <see cref="Math.Cos"/> whenever a floor it takes lies within nside·1e-12 of an integer,
    /// which is thousands of times the cosine's ≤ 1 ulp error propagated through the HEALPix formulas (×0.75·nside in the
    /// equatorial belt, ≤ ×122·nside in the caps for θ ≥ 0.01).
    /// </summary>
    private const double GuardPerNside = 1e-12;

    /// <summary>
    /// Effectively computes destination[i] = <see cref="Ang2Pix(long, double, double, HealpixOrdering)"/>(nside, theta[i], phi[i], ordering):
    /// the ids are identical to the scalar call's (and so to healpy's), only faster.
    /// </summary>
    /// <param name="nside">A valid nside.</param>
    /// <param name="theta">Colatitudes in radians, each 0 ≤ θ ≤ π.</param>
    /// <param name="phi">Longitudes in radians, each finite; same length as <paramref name="theta"/>.</param>
    /// <param name="destination">Receives the pixel ids; at least as long as <paramref name="theta"/>.</param>
    /// <param name="ordering">Numbering scheme of the ids.</param>
    /// <exception cref="ArgumentOutOfRangeException">Invalid nside or ordering, a θ outside [0, π] or NaN, or a non-finite φ.</exception>
    /// <exception cref="ArgumentException">Span lengths do not match.</exception>
    public static void Ang2Pix(long nside, ReadOnlySpan<double> theta, ReadOnlySpan<double> phi, Span<long> destination,
        HealpixOrdering ordering = HealpixOrdering.Ring)
    {
        CheckNside(nside);
        if (phi.Length != theta.Length)
        {
            throw new ArgumentException("theta and phi must have the same length.", nameof(phi));
        }

        if (destination.Length < theta.Length)
        {
            throw new ArgumentException("The destination is shorter than the input.", nameof(destination));
        }

        if (ordering is not (HealpixOrdering.Ring or HealpixOrdering.Nest))
        {
            ThrowOrdering<long>(ordering);
        }

        var order = OrderOf(nside);
        var nest = ordering == HealpixOrdering.Nest;
        var margin = GuardPerNside * nside;
        Span<double> z = stackalloc double[BatchChunk];
        for (var start = 0; start < theta.Length; start += BatchChunk)
        {
            var len = Math.Min(BatchChunk, theta.Length - start);
            var t = theta.Slice(start, len);
            var f = phi.Slice(start, len);
            for (var i = 0; i < len; i++)
            {
                if (!(t[i] >= 0.0 && t[i] <= Pi))
                {
                    ThrowOutOfRange(nameof(theta), t[i], "theta must lie in [0, pi].");
                }

                if (!double.IsFinite(f[i]))
                {
                    ThrowOutOfRange(nameof(phi), f[i], "phi must be finite.");
                }
            }

            TensorPrimitives.Cos(t, z[..len]);
            var d = destination.Slice(start, len);
            for (var i = 0; i < len; i++)
            {
                var th = t[i];
                var ph = FModulo(f[i], TwoPi);
                if (th < 0.01 || th > 3.14159 - 0.01)
                {
                    // Near the poles the scalar path carries sin θ: take it as is.
                    var zz = Math.Cos(th);
                    var sth = Math.Sin(th);
                    d[i] = nest ? Loc2PixNest(nside, order, zz, ph, sth, true) : Loc2PixRing(nside, order, zz, ph, sth, true);
                }
                else if (!TryLoc2PixGuarded(nside, order, z[i], ph, nest, margin, out d[i]))
                {
                    var zz = Math.Cos(th);
                    d[i] = nest ? Loc2PixNest(nside, order, zz, ph, 0.0, false) : Loc2PixRing(nside, order, zz, ph, 0.0, false);
                }
            }
        }
    }

    /// <summary>
    /// Effectively computes (theta[i], phi[i]) = <see cref="Pix2Ang(long, long, HealpixOrdering)"/>(nside, pixels[i], ordering).
    /// </summary>
    /// <param name="nside">A valid nside.</param>
    /// <param name="pixels">Pixel ids, each 0 ≤ id &lt; 12·nside².</param>
    /// <param name="theta">Receives the colatitudes; at least as long as <paramref name="pixels"/>.</param>
    /// <param name="phi">Receives the longitudes in [0, 2π); at least as long as <paramref name="pixels"/>.</param>
    /// <param name="ordering">Numbering scheme of the ids.</param>
    /// <exception cref="ArgumentOutOfRangeException">Invalid nside, ordering or pixel id.</exception>
    /// <exception cref="ArgumentException">A destination is too short.</exception>
    public static void Pix2Ang(long nside, ReadOnlySpan<long> pixels, Span<double> theta, Span<double> phi,
        HealpixOrdering ordering = HealpixOrdering.Ring)
    {
        CheckNside(nside);
        if (theta.Length < pixels.Length)
        {
            throw new ArgumentException("The destination is shorter than the input.", nameof(theta));
        }

        if (phi.Length < pixels.Length)
        {
            throw new ArgumentException("The destination is shorter than the input.", nameof(phi));
        }

        if (ordering is not (HealpixOrdering.Ring or HealpixOrdering.Nest))
        {
            ThrowOrdering<long>(ordering);
        }

        var order = OrderOf(nside);
        var npix = 12 * nside * nside;
        for (var i = 0; i < pixels.Length; i++)
        {
            var p = pixels[i];
            if ((ulong)p >= (ulong)npix)
            {
                ThrowOutOfRange(nameof(pixels), p, "pixel must lie in [0, 12*nside^2).");
            }

            var ring = ordering == HealpixOrdering.Ring
                ? RingAndPhiRing(nside, order, p, out phi[i])
                : RingAndPhiNest(nside, order, p, out phi[i]);
            theta[i] = RingCentreTheta(nside, order, ring);
        }
    }

    /// <summary>True when x is within <paramref name="margin"/> of an integer, i.e. its floor could depend on rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool NearInteger(double x, double margin)
    {
        var frac = x - Math.Floor(x);
        return frac < margin || frac > 1.0 - margin;
    }

    /// <summary>
    /// loc2pix (without the sin θ variant) from an approximate z; fails when any decision it takes is within the margin, in
    /// which case the caller recomputes with the exact cosine. Otherwise the result equals the exact one, because every
    /// floor below then has the same value for the approximate and the exact z. Same operations as <see cref="Loc2PixRing"/>
    /// and <see cref="Loc2PixNest"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryLoc2PixGuarded(long nside, int order, double z, double phi, bool nest, double margin, out long pix)
    {
        pix = 0;
        var za = Math.Abs(z);
        var tt = FModulo(phi * InvHalfPi, 4.0);
        if (Math.Abs(za - TwoThird) < 1e-14)
        {
            return false;
        }

        if (za <= TwoThird)
        {
            var temp1 = nside * (0.5 + tt);
            var temp2 = nest ? nside * (z * 0.75) : nside * z * 0.75;
            var a = temp1 - temp2;
            var b = temp1 + temp2;
            var fa = Math.Floor(a);
            var fb = Math.Floor(b);
            if (a - fa < margin || a - fa > 1.0 - margin || b - fb < margin || b - fb > 1.0 - margin)
            {
                return false;
            }

            var jp = (long)fa; // a, b > margin > 0 here, so floor equals the C++ truncation
            var jm = (long)fb;
            if (nest)
            {
                var ifp = jp >> order;
                var ifm = jm >> order;
                var face = ifp == ifm ? (int)(ifp | 4) : (ifp < ifm ? (int)ifp : (int)(ifm + 8));
                pix = Xyf2Nest(jm & (nside - 1), nside - (jp & (nside - 1)) - 1, face, order);
            }
            else
            {
                var nl4 = 4 * nside;
                var ir = nside + 1 + jp - jm;
                var kshift = 1 - (ir & 1);
                var t1 = jp + jm - nside + kshift + 1 + nl4 + nl4;
                pix = (2 * nside * (nside - 1)) + ((ir - 1) * nl4) + ((t1 >> 1) & (nl4 - 1));
            }

            return true;
        }

        {
            var ntt = (int)tt;
            var tp = tt - ntt;
            var tmp = nside * Math.Sqrt(3 * (1 - za));
            var a = tp * tmp;
            var b = (1.0 - tp) * tmp;
            var fa = Math.Floor(a);
            var fb = Math.Floor(b);
            if (a - fa < margin || a - fa > 1.0 - margin || b - fb < margin || b - fb > 1.0 - margin)
            {
                return false;
            }

            var jp = (long)fa;
            var jm = (long)fb;
            if (nest)
            {
                jp = Math.Min(jp, nside - 1);
                jm = Math.Min(jm, nside - 1);
                ntt = Math.Min(3, ntt);
                pix = z >= 0 ? Xyf2Nest(nside - jm - 1, nside - jp - 1, ntt, order) : Xyf2Nest(jp, jm, ntt + 8, order);
            }
            else
            {
                var ir = jp + jm + 1;
                var ip = (long)(tt * ir);
                pix = z > 0 ? (2 * ir * (ir - 1)) + ip : (12 * nside * nside) - (2 * ir * (ir + 1)) + ip;
            }

            return true;
        }
    }
}
