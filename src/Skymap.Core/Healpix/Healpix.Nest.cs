using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Skymap.Core.Healpix;

/// <content>
/// Face coordinates (x, y, face) and the RING ↔ NEST conversions. Inside a base face, x runs from the south corner
/// towards the east corner, y from the south corner towards the west corner; the NEST id interleaves the bits of
/// x (even positions) and y (odd positions) below the face number.
/// </content>
public static partial class Healpix
{
    private const ulong EvenBits = 0x5555_5555_5555_5555UL;
    private const ulong OddBits = 0xAAAA_AAAA_AAAA_AAAAUL;

    /// <summary>RING id → NEST id (healpy <c>ring2nest</c>).</summary>
    /// <param name="nside">A valid nside.</param>
    /// <param name="pixel">RING pixel id.</param>
    /// <returns>The NEST id of the same pixel.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Invalid nside or pixel.</exception>
    public static long Ring2Nest(long nside, long pixel)
    {
        CheckNside(nside);
        CheckPixel(nside, pixel);
        var order = OrderOf(nside);
        Ring2Xyf(nside, order, pixel, out var ix, out var iy, out var face);
        return Xyf2Nest(ix, iy, face, order);
    }

    /// <summary>NEST id → RING id (healpy <c>nest2ring</c>).</summary>
    /// <param name="nside">A valid nside.</param>
    /// <param name="pixel">NEST pixel id.</param>
    /// <returns>The RING id of the same pixel.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Invalid nside or pixel.</exception>
    public static long Nest2Ring(long nside, long pixel)
    {
        CheckNside(nside);
        CheckPixel(nside, pixel);
        var order = OrderOf(nside);
        Nest2Xyf(pixel, order, out var ix, out var iy, out var face);
        return Xyf2Ring(nside, order, ix, iy, face);
    }

    /// <summary>Spreads the low 32 bits of <paramref name="v"/> onto the even bit positions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong SpreadBits(ulong v) =>
        Bmi2.X64.IsSupported ? Bmi2.X64.ParallelBitDeposit(v, EvenBits) : SpreadBitsPortable(v);

    /// <summary>Gathers the even bits of <paramref name="v"/> into a compact integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong CompressBits(ulong v) =>
        Bmi2.X64.IsSupported ? Bmi2.X64.ParallelBitExtract(v, EvenBits) : CompressBitsPortable(v);

    /// <summary>Portable <see cref="SpreadBits"/>: the classic magic-mask "binary interleave" ladder.</summary>
    internal static ulong SpreadBitsPortable(ulong v)
    {
        v &= 0x0000_0000_FFFF_FFFFUL;
        v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFFUL;
        v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FFUL;
        v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0FUL;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333UL;
        v = (v | (v << 1)) & EvenBits;
        return v;
    }

    /// <summary>Portable <see cref="CompressBits"/>: the magic-mask ladder run backwards.</summary>
    internal static ulong CompressBitsPortable(ulong v)
    {
        v &= EvenBits;
        v = (v | (v >> 1)) & 0x3333_3333_3333_3333UL;
        v = (v | (v >> 2)) & 0x0F0F_0F0F_0F0F_0F0FUL;
        v = (v | (v >> 4)) & 0x00FF_00FF_00FF_00FFUL;
        v = (v | (v >> 8)) & 0x0000_FFFF_0000_FFFFUL;
        v = (v | (v >> 16)) & 0x0000_0000_FFFF_FFFFUL;
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long Xyf2Nest(long ix, long iy, int face, int order) =>
        ((long)face << (2 * order)) + (long)SpreadBits((ulong)ix) + ((long)SpreadBits((ulong)iy) << 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Pix2Xyf(long nside, int order, long pix, HealpixOrdering ordering, out long ix, out long iy, out int face)
    {
        // Face and in-face coordinates of a pixel in either ordering.
        switch (ordering)
        {
            case HealpixOrdering.Ring:
                Ring2Xyf(nside, order, pix, out ix, out iy, out face);
                break;
            case HealpixOrdering.Nest:
                Nest2Xyf(pix, order, out ix, out iy, out face);
                break;
            default:
                face = ThrowOrdering<int>(ordering);
                ix = iy = 0;
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Nest2Xyf(long pix, int order, out long ix, out long iy, out int face)
    {
        face = (int)(pix >> (2 * order));
        var inFace = (ulong)pix & ((1UL << (2 * order)) - 1);
        if (Bmi2.X64.IsSupported)
        {
            ix = (long)Bmi2.X64.ParallelBitExtract(inFace, EvenBits);
            iy = (long)Bmi2.X64.ParallelBitExtract(inFace, OddBits);
        }
        else
        {
            ix = (long)CompressBitsPortable(inFace);
            iy = (long)CompressBitsPortable(inFace >> 1);
        }
    }

    /// <summary>Face coordinates of a RING pixel (HEALPix C++ <c>ring2xyf</c>).</summary>
    internal static void Ring2Xyf(long nside, int order, long pix, out long ix, out long iy, out int face)
    {
        var ncap = 2 * nside * (nside - 1);
        var npix = 12 * nside * nside;
        var nl2 = 2 * nside;
        long iring, iphi, kshift, nr;

        if (pix < ncap)
        {
            iring = (1 + ISqrt(1 + (2 * pix))) >> 1;
            iphi = pix + 1 - (2 * iring * (iring - 1));
            kshift = 0;
            nr = iring;
            face = (int)((iphi - 1) / nr);
        }
        else if (pix < npix - ncap)
        {
            var ip = pix - ncap;
            var tmp = ip >> (order + 2);
            iring = tmp + nside;
            iphi = ip - (tmp * 4 * nside) + 1;
            kshift = (iring + nside) & 1;
            nr = nside;
            var ire = iring - nside + 1;
            var irm = nl2 + 2 - ire;
            var ifm = (iphi - (ire / 2) + nside - 1) >> order;
            var ifp = (iphi - (irm / 2) + nside - 1) >> order;
            face = ifp == ifm ? (int)(ifp | 4) : (ifp < ifm ? (int)ifp : (int)(ifm + 8));
        }
        else
        {
            var ip = npix - pix;
            iring = (1 + ISqrt((2 * ip) - 1)) >> 1;
            iphi = (4 * iring) + 1 - (ip - (2 * iring * (iring - 1)));
            kshift = 0;
            nr = iring;
            iring = (2 * nl2) - iring;
            face = 8 + (int)((iphi - 1) / nr);
        }

        var irt = iring - (FaceRing[face] * nside) + 1;
        var ipt = (2 * iphi) - (FacePhi[face] * nr) - kshift - 1;
        if (ipt >= nl2)
        {
            ipt -= 8 * nside;
        }

        ix = (ipt - irt) >> 1;
        iy = (-ipt - irt) >> 1;
    }

    /// <summary>RING id of face coordinates (HEALPix C++ <c>xyf2ring</c>).</summary>
    internal static long Xyf2Ring(long nside, int order, long ix, long iy, int face)
    {
        var nl4 = 4 * nside;
        var jr = (FaceRing[face] * nside) - ix - iy - 1;
        RingInfo(nside, jr, out var nBefore, out var nr, out var shifted);
        nr >>= 2;
        var kshift = shifted ? 0 : 1;
        var jp = ((FacePhi[face] * nr) + ix - iy + 1 + kshift) / 2; // truncating division, as in C++
        if (jp < 1)
        {
            jp += nl4;
        }

        return nBefore + jp - 1;
    }

    /// <summary>First pixel, pixel count and half-pixel shift of a ring (1 ≤ ring ≤ 4·nside − 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RingInfo(long nside, long ring, out long startPixel, out long ringPixels, out bool shifted)
    {
        if (ring < nside)
        {
            shifted = true;
            ringPixels = 4 * ring;
            startPixel = 2 * ring * (ring - 1);
        }
        else if (ring < 3 * nside)
        {
            shifted = ((ring - nside) & 1) == 0;
            ringPixels = 4 * nside;
            startPixel = (2 * nside * (nside - 1)) + ((ring - nside) * ringPixels);
        }
        else
        {
            shifted = true;
            var nr = (4 * nside) - ring;
            ringPixels = 4 * nr;
            startPixel = (12 * nside * nside) - (2 * nr * (nr + 1));
        }
    }

    /// <summary>z = cos θ of a ring (HEALPix C++ <c>ring2z</c>); also valid for the virtual rings 0 and 4·nside.</summary>
    internal static double Ring2Z(long nside, int order, long ring)
    {
        if (ring < nside)
        {
            return 1 - (ring * ring * Fact2Table[order]);
        }

        if (ring <= 3 * nside)
        {
            return ((2 * nside) - ring) * Fact1Table[order];
        }

        ring = (4 * nside) - ring;
        return (ring * ring * Fact2Table[order]) - 1;
    }

    /// <summary>Number of the ring just north of z (0 if z is north of every ring; HEALPix C++ <c>ring_above</c>).</summary>
    internal static long RingAbove(long nside, double z)
    {
        var az = Math.Abs(z);
        if (az <= TwoThird)
        {
            return (long)(nside * (2 - (1.5 * z)));
        }

        var iring = (long)(nside * Math.Sqrt(3 * (1 - az)));
        return z > 0 ? iring : (4 * nside) - iring - 1;
    }
}
