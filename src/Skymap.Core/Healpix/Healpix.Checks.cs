using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Skymap.Core.Healpix;

/// <content>Argument validation; the throwing paths are kept out of line so the scalar conversions stay small.</content>
public static partial class Healpix
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckNside(long nside, [CallerArgumentExpression(nameof(nside))] string? name = null)
    {
        if ((ulong)(nside - 1) >= (ulong)MaxNside || (nside & (nside - 1)) != 0)
        {
            ThrowOutOfRange(name ?? nameof(nside), nside, "nside must be a power of two between 1 and 2^29.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckPixel(long nside, long pixel, [CallerArgumentExpression(nameof(pixel))] string? name = null)
    {
        if ((ulong)pixel >= (ulong)(12 * nside * nside))
        {
            ThrowOutOfRange(name ?? nameof(pixel), pixel, "pixel must lie in [0, 12*nside^2).");
        }
    }

    [DoesNotReturn]
    private static void ThrowOutOfRange(string name, object value, string message) =>
        throw new ArgumentOutOfRangeException(name, value, message);

    [DoesNotReturn]
    private static T ThrowOrdering<T>(HealpixOrdering ordering) =>
        throw new ArgumentOutOfRangeException(nameof(ordering), ordering, "Unknown HEALPix ordering.");

    [DoesNotReturn]
    private static void ThrowBadVector(string name) =>
        throw new ArgumentException("The vector must be finite and non-zero.", name);
}
