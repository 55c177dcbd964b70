using Skymap.Core.Geometry;

namespace Skymap.Core.Healpix;

/// <content>Disc queries.</content>
public static partial class Healpix
{
    /// <summary>Oversampling factor of the inclusive query (healpy's default <c>fact=4</c>).</summary>
    private const int InclusiveOversampling = 4;

    /// <summary>
    /// HEALPix C++ compares cosines of angles; with cosines good to ~1e-16 an angle r is resolved to ~1e-16 / sin r. Below
    /// (r + pixel radius) · (sub-pixel radius) = 1e-11 that resolution is no longer small against the sub-pixel radius, so the
    /// cosine algorithms start losing pixels (healpy returns nothing for a 1e-8 rad disc at nside 2^26).
    /// </summary>
    private const double CosineResolutionLimit = 1e-11;

    /// <summary>
    /// Pixels of a disc on the sphere, sorted ascending (healpy <c>query_disc</c>).
    /// </summary>
    /// <param name="nside">A valid nside.</param>
    /// <param name="centre">Direction of the disc centre; need not be normalised, must be finite and non-zero.</param>
    /// <param name="radius">Angular radius in radians, ≥ 0 (values ≥ π cover the whole sphere, except as noted).</param>
    /// <param name="inclusive">
    /// <para><c>false</c>: exactly the pixels whose <b>centre</b> lies strictly inside the disc, i.e. whose angular distance
    /// d = atan2(|c × p|, c · p) from the disc centre c satisfies d &lt; <paramref name="radius"/> (SCANNER.md §4). healpy
    /// decides the same set through a floating-point φ-interval per ring, which treats a centre at distance exactly r as
    /// inside on one side; the two agree except for centres within rounding (~1e-15 rad) of the rim.
    /// This is found ring by ring (O(rings + pixels), never a scan of the sphere).</para>
    /// <para><c>true</c>: every pixel that overlaps the disc, plus possibly a few more: HEALPix C++'s inclusive algorithm with
    /// healpy's default oversampling factor 4 (reduced to 2 or 1 for nside 2^28 and 2^29), for RING the ring-based variant and
    /// for NEST the hierarchical one, exactly as healpy runs them. It includes the fix of healpy issue #968 (HEALPix 3.83): a ring
    /// lying wholly inside the search annulus is tested in full, so where healpy 1.16 (HEALPix 3.80) drops such a pixel,
    /// this result is a strict superset of healpy's. For discs so small that cosines cannot resolve them
    /// ((radius + max pixel radius) · sub-pixel radius &lt; 1e-11, e.g. a few nanoradians at nside ≥ 2^26, where healpy
    /// loses pixels or returns none) the same rule is evaluated with exact angular distances instead, and NEST is the
    /// renumbered RING result.</para>
    /// </param>
    /// <param name="ordering">Numbering scheme of the result.</param>
    /// <returns>The pixel ids, ascending, without duplicates.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Invalid nside or ordering, negative or NaN radius, or a result too large for an array.</exception>
    /// <exception cref="ArgumentException"><paramref name="centre"/> is zero, infinite or NaN.</exception>
    public static long[] QueryDisc(long nside, Vector3D centre, double radius, bool inclusive = false, HealpixOrdering ordering = HealpixOrdering.Ring)
    {
        CheckNside(nside);
        if (!(radius >= 0.0))
        {
            ThrowOutOfRange(nameof(radius), radius, "radius must be a non-negative number.");
        }

        if (ordering is not (HealpixOrdering.Ring or HealpixOrdering.Nest))
        {
            ThrowOrdering<long>(ordering);
        }

        centre = UsableCentre(centre, nameof(centre));
        var order = OrderOf(nside);
        var reach = inclusive ? radius + (2 * MaxPixRad(nside)) : radius;
        if (reach < Pi && 12.0 * nside * nside * Hav(reach) > 2.0 * Array.MaxLength)
        {
            // The disc holds npix·hav(r) pixels' worth of area: far more than an array can hold, so fail before the work.
            ThrowOutOfRange(nameof(radius), radius, "The query selects more pixels than an array can hold.");
        }

        var ranges = new RangeBuilder();
        if (!inclusive)
        {
            QueryDiscStrictRing(nside, order, centre, radius, ranges);
            var ring = ranges.ToArray(nameof(radius));
            return ordering == HealpixOrdering.Ring ? ring : RenumberToNest(nside, order, ring);
        }

        var fact = (int)Math.Min(InclusiveOversampling, MaxNside / nside);
        if (InclusiveNeedsExactDistances(nside, radius))
        {
            QueryDiscInclusivePrecise(nside, order, centre, radius, ranges);
            var ring = ranges.ToArray(nameof(radius));
            return ordering == HealpixOrdering.Ring ? ring : RenumberToNest(nside, order, ring);
        }

        if (ordering == HealpixOrdering.Ring)
        {
            QueryDiscInclusiveRing(nside, order, centre, radius, fact, ranges);
        }
        else
        {
            QueryDiscInclusiveNest(order, centre, radius, fact, ranges);
        }

        return ranges.ToArray(nameof(radius));
    }

    /// <summary>Whether an inclusive query of this size is beyond the resolution of HEALPix C++'s cosine arithmetic.</summary>
    internal static bool InclusiveNeedsExactDistances(long nside, double radius)
    {
        var fact = Math.Min(InclusiveOversampling, MaxNside / nside);
        return (radius + MaxPixRad(nside)) * MaxPixRad(fact * nside) < CosineResolutionLimit;
    }

    /// <summary>RING ids → NEST ids, in place, sorted.</summary>
    private static long[] RenumberToNest(long nside, int order, long[] ids)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            Ring2Xyf(nside, order, ids[i], out var ix, out var iy, out var face);
            ids[i] = Xyf2Nest(ix, iy, face, order);
        }

        Array.Sort(ids);
        return ids;
    }

    /// <summary>Rejects degenerate vectors and rescales ones whose squared length under- or overflows.</summary>
    private static Vector3D UsableCentre(Vector3D v, string name)
    {
        var l2 = v.LengthSquared;
        if (l2 > 0.0 && l2 < double.PositiveInfinity)
        {
            return v;
        }

        var m = Math.Max(Math.Abs(v.X), Math.Max(Math.Abs(v.Y), Math.Abs(v.Z)));
        if (!(m > 0.0 && m < double.PositiveInfinity))
        {
            ThrowBadVector(name);
        }

        return (1.0 / m) * v;
    }

    /// <summary>HEALPix C++ <c>pointing(vec3)</c> followed by <c>normalize()</c>: θ in [0, π], φ in [0, 2π).</summary>
    private static (double Theta, double Phi) Pointing(Vector3D v)
    {
        var theta = Math.Atan2(Math.Sqrt((v.X * v.X) + (v.Y * v.Y)), v.Z);
        var phi = SafeAtan2(v.Y, v.X);
        if (phi < 0.0)
        {
            phi += TwoPi;
        }

        return (FModulo(theta, TwoPi), FModulo(phi, TwoPi));
    }

    /// <summary>
    /// Centres strictly inside the disc, ring by ring. In each ring the centres inside form one run around the centre nearest
    /// in φ; its two ends are estimated with the haversine formula (accurate for nanoradian discs, unlike cosines) and then
    /// settled by the exact test, galloping from the estimate, so a bad estimate costs O(log) tests, never a walk of the ring.
    /// </summary>
    private static void QueryDiscStrictRing(long nside, int order, Vector3D c, double radius, RangeBuilder ranges)
    {
        var npix = 12 * nside * nside;
        if (radius > Pi)
        {
            ranges.Add(0, npix);
            return;
        }

        if (radius == 0.0)
        {
            return;
        }

        var (theta0, phi0) = Pointing(c);
        var sinTheta0 = Math.Sin(theta0);
        var havRadius = Hav(radius);

        // Candidate rings, one extra on each side: a ring without a qualifying centre costs a single test.
        var irmin = Math.Max(1, RingAboveTheta(nside, theta0 - radius));
        var irmax = Math.Min((4 * nside) - 1, RingAboveTheta(nside, theta0 + radius) + 1);

        for (var iz = irmin; iz <= irmax; iz++)
        {
            RingInfo(nside, iz, out var start, out var nr, out var shifted);
            var u = (phi0 * nr * InvTwoPi) - (shifted ? 0.5 : 0.0); // fractional pixel index of φ0 in this ring
            var k0 = (long)Math.Round(u);
            var probe = new RingProbe(nside, order, start, nr, k0, c, radius);
            if (!probe.Inside(0))
            {
                continue; // the pixel nearest in φ is the nearest of the ring
            }

            // haversine: hav d = hav(θ − θ0) + sin θ sin θ0 hav Δφ
            var theta = RingTheta(nside, iz);
            var h = (havRadius - Hav(theta - theta0)) / (Math.Sin(theta) * sinTheta0);
            var w = h >= 1.0 || double.IsNaN(h) ? nr : (h <= 0.0 ? 0.0 : 2.0 * Math.Asin(Math.Sqrt(h)) * nr * InvTwoPi);
            var guessRight = (long)Math.Min(nr, Math.Floor(u + w) - k0);
            var guessLeft = (long)Math.Min(nr, k0 - Math.Ceiling(u - w));
            var half = nr / 2;
            var right = probe.Extent(+1, guessRight, half);
            var left = probe.Extent(-1, guessLeft, half - 1);
            AddRingRun(ranges, start, nr, k0 - left, k0 + right);
        }
    }

    private static double Hav(double x)
    {
        var s = Math.Sin(0.5 * x);
        return s * s;
    }

    /// <summary>Colatitude of a ring, accurate near the poles (sin(θ/2) = i / (nside·√6) in the caps).</summary>
    private static double RingTheta(long nside, long ring)
    {
        if (ring < nside)
        {
            return 2.0 * Math.Asin(ring / (nside * Math.Sqrt(6.0)));
        }

        if (ring <= 3 * nside)
        {
            return Math.Acos(((2 * nside) - ring) * (2.0 / (3.0 * nside)));
        }

        return Pi - (2.0 * Math.Asin(((4 * nside) - ring) / (nside * Math.Sqrt(6.0))));
    }

    /// <summary>Like <see cref="RingAbove"/> but from θ, so that it stays exact for tiny polar distances.</summary>
    private static long RingAboveTheta(long nside, double theta)
    {
        if (theta <= 0.0)
        {
            return 0;
        }

        if (theta >= Pi)
        {
            return (4 * nside) - 1;
        }

        var z = Math.Cos(theta);
        if (Math.Abs(z) <= TwoThird)
        {
            return (long)(nside * (2 - (1.5 * z)));
        }

        return z > 0
            ? (long)(nside * Math.Sqrt(6.0) * Math.Sin(0.5 * theta))
            : (4 * nside) - (long)(nside * Math.Sqrt(6.0) * Math.Sin(0.5 * (Pi - theta))) - 1;
    }

    /// <summary>The exact "centre strictly inside" test along one ring, indexed relative to the pixel nearest in φ.</summary>
    private readonly struct RingProbe(long nside, int order, long start, long nr, long k0, Vector3D c, double radius)
    {
        public bool Inside(long offset) => CentreInside(nside, order, start, nr, k0 + offset, c, radius);

        /// <summary>
        /// How many consecutive pixels beyond the nearest one, in direction <paramref name="dir"/>, are inside (at most
        /// <paramref name="max"/>, within which the distance grows monotonically): gallop from the guess, then bisect.
        /// </summary>
        public long Extent(int dir, long guess, long max)
        {
            long good = 0, bad = max + 1; // Inside(dir·good) holds; Inside(dir·bad) fails (max + 1 is virtual)
            guess = Math.Clamp(guess, 0, max);
            if (guess > 0)
            {
                if (Inside(dir * guess))
                {
                    good = guess;
                }
                else
                {
                    bad = guess;
                }
            }

            long step = 1;
            if (bad == max + 1)
            {
                while (good + step < bad)
                {
                    var t = good + step;
                    if (!Inside(dir * t))
                    {
                        bad = t;
                        break;
                    }

                    good = t;
                    step *= 2;
                }
            }
            else
            {
                while (bad - step > good)
                {
                    var t = bad - step;
                    if (Inside(dir * t))
                    {
                        good = t;
                        break;
                    }

                    bad = t;
                    step *= 2;
                }
            }

            while (bad - good > 1)
            {
                var mid = good + ((bad - good) / 2);
                if (Inside(dir * mid))
                {
                    good = mid;
                }
                else
                {
                    bad = mid;
                }
            }

            return good;
        }
    }

    private static bool CentreInside(long nside, int order, long start, long nr, long k, Vector3D c, double radius)
    {
        var p = Pix2LocRing(nside, order, start + Mod(k, nr)).ToVector();
        return p.AngleTo(c) < radius;
    }

    private static long Mod(long k, long n)
    {
        var r = k % n;
        return r < 0 ? r + n : r;
    }

    /// <summary>Adds ring indices lo … hi (a run of at most nr, possibly wrapping through φ = 0) as pixel ranges.</summary>
    private static void AddRingRun(RangeBuilder ranges, long start, long nr, long lo, long hi)
    {
        var first = Mod(lo, nr);
        var last = first + (hi - lo);
        if (last < nr)
        {
            ranges.Add(start + first, start + last + 1);
        }
        else
        {
            ranges.Add(start, start + last - nr + 1);
            ranges.Add(start + first, start + nr);
        }
    }

    /// <summary>HEALPix C++ ring-based inclusive <c>query_disc</c> (3.83, with the issue-968 fix).</summary>
    private static void QueryDiscInclusiveRing(long nside, int order, Vector3D centre, double radius, int fct, RangeBuilder ranges)
    {
        var npix = 12 * nside * nside;
        var (theta, phi) = Pointing(centre);
        var nside2 = fct * nside;
        var order2 = OrderOf(nside2);
        double rsmall, rbig;
        if (fct > 1)
        {
            rsmall = radius + MaxPixRad(nside2);
            rbig = radius + MaxPixRad(nside);
        }
        else
        {
            rsmall = rbig = radius + MaxPixRad(nside);
        }

        if (rsmall >= Pi)
        {
            ranges.Add(0, npix);
            return;
        }

        rbig = Math.Min(Pi, rbig);
        var cosrsmall = Math.Cos(rsmall);
        var cosrbig = Math.Cos(rbig);
        var z0 = Math.Cos(theta);
        var xa = 1.0 / Math.Sqrt((1 - z0) * (1 + z0));
        var cpix = Loc2PixRing(nside, order, z0, phi, 0.0, false);

        var rlat1 = theta - rsmall;
        var zmax = Math.Cos(rlat1);
        var irmin = RingAbove(nside, zmax) + 1;
        if (rlat1 <= 0 && irmin > 1)
        {
            // North pole inside: every ring above irmin is complete.
            RingInfo(nside, irmin - 1, out var sp, out var rp, out _);
            ranges.Add(0, sp + rp);
        }

        if (fct > 1 && rlat1 > 0)
        {
            irmin = Math.Max(1L, irmin - 1);
        }

        var rlat2 = theta + rsmall;
        var zmin = Math.Cos(rlat2);
        var irmax = RingAbove(nside, zmin);
        if (fct > 1 && rlat2 < Pi)
        {
            irmax = Math.Min((4 * nside) - 1, irmax + 1);
        }

        for (var iz = irmin; iz <= irmax; ++iz)
        {
            var z = Ring2Z(nside, order, iz);
            var x = (cosrbig - (z * z0)) * xa;
            var ysq = 1 - (z * z) - (x * x);
            double dphi;
            var fullCircle = false;
            if (ysq <= 0)
            {
                // The ring does not cross the outer circle: wholly inside or outside it.
                if (fct == 1)
                {
                    dphi = 0;
                }
                else
                {
                    fullCircle = true;
                    dphi = Pi - 1e-15;
                }
            }
            else
            {
                dphi = Math.Atan2(Math.Sqrt(ysq), x);
            }

            if (!(dphi > 0))
            {
                continue;
            }

            RingInfo(nside, iz, out var ipix1, out var nr, out var shifted);
            var shift = shifted ? 0.5 : 0.0;
            var ipix2 = ipix1 + nr - 1;
            var ipLo = (long)Math.Floor((nr * InvTwoPi * (phi - dphi)) - shift) + 1;
            var ipHi = (long)Math.Floor((nr * InvTwoPi * (phi + dphi)) - shift);
            if (fullCircle && ipHi - ipLo < nr - 1)
            {
                if (ipLo > 0)
                {
                    --ipLo;
                }
                else
                {
                    ++ipHi;
                }
            }

            if (fct > 1)
            {
                while (ipLo <= ipHi && RingPixelMisses(nside, order, nside2, order2, ipLo, nr, ipix1, fct, z0, phi, cosrsmall, cpix))
                {
                    ++ipLo;
                }

                while (ipHi > ipLo && RingPixelMisses(nside, order, nside2, order2, ipHi, nr, ipix1, fct, z0, phi, cosrsmall, cpix))
                {
                    --ipHi;
                }
            }

            if (ipLo <= ipHi)
            {
                if (ipHi >= nr)
                {
                    ipLo -= nr;
                    ipHi -= nr;
                }

                if (ipLo < 0)
                {
                    ranges.Add(ipix1, ipix1 + ipHi + 1);
                    ranges.Add(ipix1 + ipLo + nr, ipix2 + 1);
                }
                else
                {
                    ranges.Add(ipix1 + ipLo, ipix1 + ipHi + 1);
                }
            }
        }

        if (rlat2 >= Pi && irmax + 1 < 4 * nside)
        {
            // South pole inside: every ring below irmax is complete.
            RingInfo(nside, irmax + 1, out var sp, out _, out _);
            ranges.Add(sp, npix);
        }
    }

    /// <summary>
    /// The inclusive rule of the RING algorithm evaluated with exact angular distances, for discs too small for cosines:
    /// among the pixels whose centre lies within radius + max pixel radius, keep the one containing the disc centre, those
    /// whose centre is inside the disc, and those with a border sub-pixel (at 4·nside, in continuous face coordinates, so
    /// also beyond order 29) whose centre lies within radius + the sub-pixel radius.
    /// </summary>
    private static void QueryDiscInclusivePrecise(long nside, int order, Vector3D centre, double radius, RangeBuilder ranges)
    {
        var candidates = new RangeBuilder();
        QueryDiscStrictRing(nside, order, centre, radius + MaxPixRad(nside), candidates);
        var cpix = Vec2Pix(nside, centre);
        const int fct = InclusiveOversampling;
        var subReach = radius + MaxPixRad(fct * nside);
        foreach (var p in candidates.ToArray(nameof(radius)))
        {
            var keep = p == cpix || Pix2LocRing(nside, order, p).ToVector().AngleTo(centre) < radius;
            if (!keep)
            {
                Ring2Xyf(nside, order, p, out var ix, out var iy, out var face);
                var scale = 1.0 / (fct * (double)nside);
                for (var i = 0; i < fct && !keep; i++)
                {
                    // sub-pixel centres along the four edges, in face units
                    var a = ((fct * ix) + i + 0.5) * scale;
                    var b = ((fct * iy) + i + 0.5) * scale;
                    var x0 = ((fct * ix) + 0.5) * scale;
                    var x1 = ((fct * ix) + fct - 0.5) * scale;
                    var y0 = ((fct * iy) + 0.5) * scale;
                    var y1 = ((fct * iy) + fct - 0.5) * scale;
                    keep = FaceLocation(a, y0, face).AngleTo(centre) < subReach
                        || FaceLocation(a, y1, face).AngleTo(centre) < subReach
                        || FaceLocation(x0, b, face).AngleTo(centre) < subReach
                        || FaceLocation(x1, b, face).AngleTo(centre) < subReach;
                }
            }

            if (keep)
            {
                ranges.Add(p, p + 1);
            }
        }
    }

    /// <summary>
    /// True when a ring pixel certainly misses the disc: none of the sub-pixel centres (at fct·nside) along its border
    /// lies within the enlarged radius, and the disc centre is not inside it (HEALPix C++ <c>check_pixel_ring</c>).
    /// </summary>
    private static bool RingPixelMisses(long nside, int order, long nside2, int order2, long pix, long nr, long ipix1, int fct,
        double cz, double cphi, double cosrp2, long cpix)
    {
        if (pix >= nr)
        {
            pix -= nr;
        }

        if (pix < 0)
        {
            pix += nr;
        }

        pix += ipix1;
        if (pix == cpix)
        {
            return false;
        }

        Ring2Xyf(nside, order, pix, out var px, out var py, out var pf);
        for (var i = 0; i < fct - 1; i++)
        {
            var ox = fct * px;
            var oy = fct * py;
            if (SubPixelCosDist(nside2, order2, ox + i, oy, pf, cz, cphi) > cosrp2
                || SubPixelCosDist(nside2, order2, ox + fct - 1, oy + i, pf, cz, cphi) > cosrp2
                || SubPixelCosDist(nside2, order2, ox + fct - 1 - i, oy + fct - 1, pf, cz, cphi) > cosrp2
                || SubPixelCosDist(nside2, order2, ox, oy + fct - 1 - i, pf, cz, cphi) > cosrp2)
            {
                return false;
            }
        }

        return true;
    }

    private static double SubPixelCosDist(long nside2, int order2, long x, long y, int face, double cz, double cphi)
    {
        var loc = Pix2LocRing(nside2, order2, Xyf2Ring(nside2, order2, x, y, face));
        return CosDistZPhi(loc.Z, loc.Phi, cz, cphi);
    }

    /// <summary>Cosine of the angle between (z1, φ1) and (z2, φ2) (HEALPix C++ <c>cosdist_zphi</c>).</summary>
    private static double CosDistZPhi(double z1, double phi1, double z2, double phi2) =>
        (z1 * z2) + (Math.Cos(phi1 - phi2) * Math.Sqrt((1.0 - (z1 * z1)) * (1.0 - (z2 * z2))));

    /// <summary>HEALPix C++ hierarchical inclusive <c>query_disc</c> for NEST (depth-first over the 12 base pixels).</summary>
    private static void QueryDiscInclusiveNest(int order, Vector3D centre, double radius, int fact, RangeBuilder ranges)
    {
        var npix = 12L << (2 * order);
        if (radius >= Pi)
        {
            ranges.Add(0, npix);
            return;
        }

        var oplus = System.Numerics.BitOperations.Log2((uint)fact);
        var omax = order + oplus;
        var (theta, phi) = Pointing(centre);
        var z0 = Math.Cos(theta);
        var cosrad = Math.Cos(radius);
        Span<double> outer = stackalloc double[omax + 1]; // cos(radius + pixel radius): below → pixel misses
        Span<double> inner = stackalloc double[omax + 1]; // cos(radius − pixel radius): above → pixel wholly inside
        for (var o = 0; o <= omax; o++)
        {
            var dr = MaxPixRad(1L << o);
            outer[o] = radius + dr > Pi ? -1.0 : Math.Cos(radius + dr);
            inner[o] = radius - dr < 0.0 ? 1.0 : Math.Cos(radius - dr);
        }

        var stackPix = new long[12 + (3 * omax) + 4];
        var stackOrder = new int[stackPix.Length];
        var top = 0;
        for (var i = 0; i < 12; i++)
        {
            stackPix[top] = 11 - i;
            stackOrder[top++] = 0;
        }

        var savedTop = 0;
        while (top > 0)
        {
            --top;
            var pix = stackPix[top];
            var o = stackOrder[top];
            var loc = Pix2LocNest(1L << o, o, pix);
            var cangdist = CosDistZPhi(z0, phi, loc.Z, loc.Phi);
            if (!(cangdist > outer[o]))
            {
                continue; // zone 0: entirely outside
            }

            // zone 1: may overlap, centre outside; 2: centre inside; 3: entirely inside.
            var zone = cangdist < cosrad ? 1 : (cangdist <= inner[o] ? 2 : 3);
            if (o < order)
            {
                if (zone >= 3)
                {
                    var sdist = 2 * (order - o);
                    ranges.Add(pix << sdist, (pix + 1) << sdist);
                }
                else
                {
                    PushChildren(stackPix, stackOrder, ref top, pix, o);
                }
            }
            else if (o > order)
            {
                if (zone >= 2 || o >= omax)
                {
                    var parent = pix >> (2 * (o - order));
                    ranges.Add(parent, parent + 1);
                    top = savedTop; // drop the remaining sub-pixels of this order-level pixel
                }
                else
                {
                    PushChildren(stackPix, stackOrder, ref top, pix, o);
                }
            }
            else if (zone >= 2)
            {
                ranges.Add(pix, pix + 1);
            }
            else if (order < omax)
            {
                savedTop = top;
                PushChildren(stackPix, stackOrder, ref top, pix, o);
            }
            else
            {
                ranges.Add(pix, pix + 1);
            }
        }
    }

    private static void PushChildren(long[] stackPix, int[] stackOrder, ref int top, long pix, int o)
    {
        for (var i = 0; i < 4; i++)
        {
            stackPix[top] = (4 * pix) + 3 - i;
            stackOrder[top++] = o + 1;
        }
    }

    /// <summary>Collects half-open id ranges; merges touching ones and sorts if they ever arrive out of order.</summary>
    private sealed class RangeBuilder
    {
        private readonly List<(long Start, long End)> _ranges = [];
        private bool _unordered;

        public void Add(long start, long end)
        {
            if (end <= start)
            {
                return;
            }

            if (_ranges.Count > 0)
            {
                var (s, e) = _ranges[^1];
                if (start == e)
                {
                    _ranges[^1] = (s, end);
                    return;
                }

                if (start < e)
                {
                    _unordered = true;
                }
            }

            _ranges.Add((start, end));
        }

        public long[] ToArray(string parameterName)
        {
            if (_unordered)
            {
                _ranges.Sort();
                var merged = new List<(long Start, long End)>(_ranges.Count);
                foreach (var r in _ranges)
                {
                    if (merged.Count > 0 && r.Start <= merged[^1].End)
                    {
                        merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, r.End));
                    }
                    else
                    {
                        merged.Add(r);
                    }
                }

                _ranges.Clear();
                _ranges.AddRange(merged);
            }

            long total = 0;
            foreach (var (s, e) in _ranges)
            {
                total += e - s;
                if (total > Array.MaxLength)
                {
                    ThrowOutOfRange(parameterName, total, "The query selects more pixels than an array can hold.");
                }
            }

            var result = new long[total];
            var k = 0;
            foreach (var (s, e) in _ranges)
            {
                for (var p = s; p < e; p++)
                {
                    result[k++] = p;
                }
            }

            return result;
        }
    }
}
