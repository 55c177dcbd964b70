using Skymap.Core.Geometry;

namespace Skymap.Core.Tests.Healpix;

internal static class AngleAssert
{
    /// <summary>The agreement required with healpy for angles and unit-vector components.</summary>
    public const double Tolerance = 1e-12;

    /// <summary>|a − b| reduced modulo 2π to [0, π].</summary>
    public static double PhiDistance(double a, double b)
    {
        var d = Math.Abs(a - b) % (2 * Math.PI);
        return Math.Min(d, (2 * Math.PI) - d);
    }

    public static void Theta(double expected, double actual, string context)
    {
        if (!(Math.Abs(expected - actual) <= Tolerance))
        {
            Assert.Fail($"theta {actual:R} differs from healpy's {expected:R} ({context})");
        }
    }

    public static void Phi(double expected, double actual, string context)
    {
        if (!(PhiDistance(expected, actual) <= Tolerance))
        {
            Assert.Fail($"phi {actual:R} differs from healpy's {expected:R} modulo 2pi ({context})");
        }
    }

    public static void Vector(double x, double y, double z, Vector3D actual, string context)
    {
        if (!(Math.Abs(x - actual.X) <= Tolerance && Math.Abs(y - actual.Y) <= Tolerance && Math.Abs(z - actual.Z) <= Tolerance))
        {
            Assert.Fail($"vector {actual} differs from healpy's ({x:R}, {y:R}, {z:R}) ({context})");
        }
    }
}
