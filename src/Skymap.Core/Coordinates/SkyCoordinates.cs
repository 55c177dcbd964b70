namespace Skymap.Core.Coordinates;

/// <summary>Equatorial coordinates [rad].</summary>
/// <param name="Ra">Right ascension in [0, 2π).</param>
/// <param name="Dec">Declination in [−π/2, π/2].</param>
internal readonly record struct Equatorial(double Ra, double Dec);

/// <summary>
/// Equatorial (J2000) ↔ local IceCube coordinates at an event time (PHYSICS.md §2, SCANNER.md §2.1): IAU-1976
/// precession J2000 → mean equinox of date, the IAU-1982 GMST formula, zenith = δ + 90°, azimuth = GMST + 90° − α.
/// Nutation and aberration are neglected (below 0.01°).
/// </summary>
internal static class SkyCoordinates
{
    private const double ArcsecToRad = Math.PI / (180.0 * 3600.0);
    private const double DegToRad = Math.PI / 180.0;
    private const double TwoPi = 2.0 * Math.PI;

    /// <summary>Julian centuries since J2000.0 (MJD 51544.5).</summary>
    public static double JulianCenturies(double mjd) => (mjd - 51544.5) / 36525.0;

    /// <summary>Greenwich mean sidereal time [rad, in [0, 2π)] for an MJD (UT1 ≈ UTC).</summary>
    public static double Gmst(double mjd)
    {
        var t = JulianCenturies(mjd);
        var d = mjd - 51544.5;
        // Split the large linear term to keep precision: 360.98564736629·d = 360·d + 0.98564736629·d.
        var deg = 280.46061837 + (0.98564736629 * d) + (360.0 * (d - Math.Floor(d))) + (0.000387933 * t * t) - (t * t * t / 38710000.0);
        return WrapTwoPi(deg * DegToRad);
    }

    /// <summary>The IAU-1976 precession angles (ζ, z, ϑ) [rad] from J2000 to the date.</summary>
    public static (double Zeta, double Z, double Theta) PrecessionAngles(double mjd)
    {
        var t = JulianCenturies(mjd);
        var zeta = ((2306.2181 * t) + (0.30188 * t * t) + (0.017998 * t * t * t)) * ArcsecToRad;
        var z = ((2306.2181 * t) + (1.09468 * t * t) + (0.018203 * t * t * t)) * ArcsecToRad;
        var theta = ((2004.3109 * t) - (0.42665 * t * t) - (0.041833 * t * t * t)) * ArcsecToRad;
        return (zeta, z, theta);
    }

    /// <summary>Precesses J2000 coordinates to the mean equinox of the date.</summary>
    public static Equatorial PrecessFromJ2000(Equatorial j2000, double mjd)
    {
        var (zeta, z, theta) = PrecessionAngles(mjd);
        return Rotate(j2000, zeta, z, theta);
    }

    /// <summary>Precesses coordinates of the mean equinox of the date back to J2000 (exact inverse).</summary>
    public static Equatorial PrecessToJ2000(Equatorial ofDate, double mjd)
    {
        var (zeta, z, theta) = PrecessionAngles(mjd);
        return Rotate(ofDate, -z, -zeta, -theta);
    }

    /// <summary>J2000 (RA, Dec) → local (zenith, azimuth) [rad] at the MJD.</summary>
    public static (double Zenith, double Azimuth) EquatorialToLocal(double ra, double dec, double mjd)
    {
        var date = PrecessFromJ2000(new Equatorial(ra, dec), mjd);
        var zenith = date.Dec + (Math.PI / 2.0);
        var azimuth = WrapTwoPi(Gmst(mjd) + (Math.PI / 2.0) - date.Ra);
        return (zenith, azimuth);
    }

    /// <summary>Local (zenith, azimuth) [rad] at the MJD → J2000 (RA, Dec).</summary>
    public static Equatorial LocalToEquatorial(double zenith, double azimuth, double mjd)
    {
        var dec = zenith - (Math.PI / 2.0);
        var ra = WrapTwoPi(Gmst(mjd) + (Math.PI / 2.0) - azimuth);
        return PrecessToJ2000(new Equatorial(ra, dec), mjd);
    }

    /// <summary>Angular distance between two equatorial directions [rad] (Vincenty form, stable at all angles).</summary>
    public static double AngularDistance(Equatorial a, Equatorial b)
    {
        var dra = b.Ra - a.Ra;
        var (s1, c1) = Math.SinCos(a.Dec);
        var (s2, c2) = Math.SinCos(b.Dec);
        var (sd, cd) = Math.SinCos(dra);
        var num = Math.Sqrt(Math.Pow(c2 * sd, 2) + Math.Pow((c1 * s2) - (s1 * c2 * cd), 2));
        var den = (s1 * s2) + (c1 * c2 * cd);
        return Math.Atan2(num, den);
    }

    /// <summary>Wraps an angle into [0, 2π).</summary>
    public static double WrapTwoPi(double a)
    {
        var r = a % TwoPi;
        if (r < 0)
        {
            r += TwoPi;
        }

        return r >= TwoPi ? 0.0 : r;
    }

    private static Equatorial Rotate(Equatorial e, double zeta, double z, double theta)
    {
        var (sd, cd) = Math.SinCos(e.Dec);
        var (sa, ca) = Math.SinCos(e.Ra + zeta);
        var (st, ct) = Math.SinCos(theta);
        var a = cd * sa;
        var b = (ct * cd * ca) - (st * sd);
        var c = (st * cd * ca) + (ct * sd);
        var ra = WrapTwoPi(z + Math.Atan2(a, b));
        var dec = Math.Atan2(c, Math.Sqrt((a * a) + (b * b)));
        return new Equatorial(ra, dec);
    }
}
