using Skymap.Core.Coordinates;

namespace Skymap.Core.Tests.Coordinates;

public sealed class SkyCoordinatesTests
{
    private const double Deg = Math.PI / 180.0;
    private const double J2000Mjd = 51544.5;

    // ---- Hand-derived values ------------------------------------------------------------------------------------

    [Fact]
    public void Precession_is_the_identity_at_J2000()
    {
        var (zeta, z, theta) = SkyCoordinates.PrecessionAngles(J2000Mjd);
        Assert.Equal(0.0, zeta);
        Assert.Equal(0.0, z);
        Assert.Equal(0.0, theta);

        var e = new Equatorial(1.234, -0.567);
        var p = SkyCoordinates.PrecessFromJ2000(e, J2000Mjd);
        Assert.Equal(e.Ra, p.Ra, 1e-15);
        Assert.Equal(e.Dec, p.Dec, 1e-15);
    }

    [Fact]
    public void Gmst_at_J2000_noon_is_the_formula_constant()
    {
        // T = 0: GMST = 280.46061837°.
        Assert.Equal(280.46061837 * Deg, SkyCoordinates.Gmst(J2000Mjd), 1e-12);
    }

    [Fact]
    public void Gmst_at_2000_January_1_0h_UT_is_hand_computed()
    {
        // d = −0.5 day: 280.46061837 − 0.5·360.98564736629 = 99.967794686855°;
        // T = −0.5/36525 = −1.369e-5, so the T² and T³ terms are below 1e-13°.
        Assert.Equal(99.967794686855 * Deg, SkyCoordinates.Gmst(51544.0), 1e-12);
    }

    [Fact]
    public void Gmst_ten_thousand_days_after_J2000_is_hand_computed()
    {
        // d = 10000: 360.98564736629·10000 = 3609856.4736629° = 10027·360° + 136.4736629°;
        // T = 10000/36525 = 0.273785078713210, 0.000387933·T² = 2.90788e-5°, T³/38710000 = 5.3e-10°.
        // 280.46061837 + 136.4736629 + 0.0000290788 − 0.0000000005 = 416.9343103483° ≡ 56.9343103483°.
        Assert.Equal(56.9343103483 * Deg, SkyCoordinates.Gmst(J2000Mjd + 10000.0), 1e-11);
    }

    [Fact]
    public void A_source_at_RA_GMST_plus_90_deg_is_at_azimuth_zero_at_J2000()
    {
        // At J2000 there is no precession and GMST = 280.46061837°. azimuth = GMST + 90° − RA, so
        // RA = 280.46061837° + 90° − 360° = 10.46061837° gives azimuth 0; Dec = −30° gives zenith 90° − 30° = 60°.
        var (zenith, azimuth) = SkyCoordinates.EquatorialToLocal(10.46061837 * Deg, -30.0 * Deg, J2000Mjd);
        Assert.Equal(60.0 * Deg, zenith, 1e-12);
        Assert.True(Math.Min(azimuth, (2.0 * Math.PI) - azimuth) < 1e-12, $"azimuth {azimuth}");
    }

    [Fact]
    public void A_source_at_RA_GMST_is_at_azimuth_90_deg_at_J2000()
    {
        // RA = GMST = 280.46061837° → azimuth = 90°; Dec = +45° → zenith = 135° (below the horizon at the pole).
        var (zenith, azimuth) = SkyCoordinates.EquatorialToLocal(280.46061837 * Deg, 45.0 * Deg, J2000Mjd);
        Assert.Equal(135.0 * Deg, zenith, 1e-12);
        Assert.Equal(90.0 * Deg, azimuth, 1e-12);
    }

    [Fact]
    public void Local_to_equatorial_inverts_the_hand_computed_case()
    {
        // zenith 60°, azimuth 0 at J2000 ↔ (RA 10.46061837°, Dec −30°).
        var e = SkyCoordinates.LocalToEquatorial(60.0 * Deg, 0.0, J2000Mjd);
        Assert.Equal(10.46061837 * Deg, e.Ra, 1e-12);
        Assert.Equal(-30.0 * Deg, e.Dec, 1e-12);
    }

    [Fact]
    public void Southern_celestial_pole_is_the_zenith()
    {
        // Dec = −90° → zenith 0 whatever the time (the pole of date moves, but only by arcseconds per year).
        var (zenith, _) = SkyCoordinates.EquatorialToLocal(0.3, -Math.PI / 2.0, J2000Mjd);
        Assert.Equal(0.0, zenith, 1e-12);
    }

    // ---- Precession against a textbook example --------------------------------------------------------------------

    [Fact]
    public void Precession_matches_Meeus_example_21b_theta_Persei()
    {
        // Meeus, Astronomical Algorithms (2nd ed.), example 21.b: θ Persei, J2000 position already carried by its
        // proper motion to the target epoch: α0 = 2h44m12.975s, δ0 = +49°13'39.896"; target 2028 Nov 13.19 TD =
        // JD 2462088.69 (MJD 62088.19). Result: α = 2h46m11.331s, δ = +49°20'54.54".
        var ra0 = Hms(2, 44, 12.975);
        var dec0 = Dms(49, 13, 39.896);
        var p = SkyCoordinates.PrecessFromJ2000(new Equatorial(ra0, dec0), 2462088.69 - 2400000.5);
        Assert.Equal(Hms(2, 46, 11.331), p.Ra, 1e-6);
        Assert.Equal(Dms(49, 20, 54.54), p.Dec, 1e-6);
        // The printed answer is rounded to 0.001 s / 0.01"; our values agree to 3e-8 rad.
        Assert.Equal(Hms(2, 46, 11.331), p.Ra, 1e-7);
        Assert.Equal(Dms(49, 20, 54.54), p.Dec, 1e-7);

        var back = SkyCoordinates.PrecessToJ2000(p, 2462088.69 - 2400000.5);
        Assert.Equal(ra0, back.Ra, 1e-12);
        Assert.Equal(dec0, back.Dec, 1e-12);
    }

    [Fact]
    public void Precession_angles_match_Meeus_example_21b()
    {
        // Meeus 21.b, t = (62088.19 − 51544.5)/36525 = 0.28867050 centuries; the IAU-1976 series by hand:
        // ζ = 2306.2181·t + 0.30188·t² + 0.017998·t³ = 665.73713″ + 0.02516″ + 0.00043″ = 665.7627″,
        // z = 665.73713″ + 1.09468·t² (0.09122″) + 0.018203·t³ (0.00044″) = 665.8288″,
        // ϑ = 2004.3109·t (578.58543″) − 0.42665·t² (0.03555″) − 0.041833·t³ (0.00101″) = 578.5489″.
        var mjd = 2462088.69 - 2400000.5;
        var t = SkyCoordinates.JulianCenturies(mjd);
        Assert.Equal(0.2886705, t, 1e-7);
        var (zeta, z, theta) = SkyCoordinates.PrecessionAngles(mjd);
        const double arcsec = Math.PI / (180.0 * 3600.0);
        Assert.Equal(665.7627, zeta / arcsec, 1e-3);
        Assert.Equal(665.8288, z / arcsec, 1e-3);
        Assert.Equal(578.5489, theta / arcsec, 1e-3);
    }

    // ---- Round trips ----------------------------------------------------------------------------------------------

    public static TheoryData<double, double, double> RoundTripCases => new()
    {
        { 0.0, 0.0, J2000Mjd },
        { 1.0, 0.5, 55000.0 },
        { 6.283185307179586 - 1e-12, -0.3, 59866.350123 }, // RA just below 2π
        { 1e-13, 0.3, 60000.0 },                              // RA just above 0
        { 3.0, (Math.PI / 2.0) - 1e-7, 58000.0 },             // near the north pole
        { 4.0, (-Math.PI / 2.0) + 1e-7, 62000.0 },            // near the south pole
        { 2.0, Math.PI / 2.0, 57000.0 },                      // the poles themselves
        { 5.0, -Math.PI / 2.0, 61000.0 },
        { 0.7, -1.2, 40000.0 },                               // far from J2000 (1968)
        { 2.5, 1.1, 80000.0 },                                // and 2078
    };

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Equatorial_to_local_and_back_is_exact_to_1e_9(double ra, double dec, double mjd)
    {
        var (zenith, azimuth) = SkyCoordinates.EquatorialToLocal(ra, dec, mjd);
        Assert.InRange(zenith, 0.0, Math.PI);
        Assert.InRange(azimuth, 0.0, 2.0 * Math.PI);
        var back = SkyCoordinates.LocalToEquatorial(zenith, azimuth, mjd);
        Assert.True(SkyCoordinates.AngularDistance(new Equatorial(ra, dec), back) < 1e-9);
        Assert.Equal(dec, back.Dec, 1e-9);
        if (Math.Abs(dec) < (Math.PI / 2.0) - 1e-6)
        {
            Assert.True(RaDifference(ra, back.Ra) < 1e-9, $"RA {ra} → {back.Ra}");
        }
    }

    [Fact]
    public void Round_trips_of_random_directions_and_times_are_exact_to_1e_9()
    {
        var rng = new Random(20240607);
        for (var i = 0; i < 20000; i++)
        {
            var ra = rng.NextDouble() * 2.0 * Math.PI;
            var dec = Math.Asin((2.0 * rng.NextDouble()) - 1.0);
            var mjd = 51544.5 + ((rng.NextDouble() - 0.3) * 30000.0);
            var (zenith, azimuth) = SkyCoordinates.EquatorialToLocal(ra, dec, mjd);
            var back = SkyCoordinates.LocalToEquatorial(zenith, azimuth, mjd);
            Assert.True(SkyCoordinates.AngularDistance(new Equatorial(ra, dec), back) < 1e-9, $"({ra}, {dec}, {mjd})");

            // And local → equatorial → local.
            var z2 = rng.NextDouble() * Math.PI;
            var a2 = rng.NextDouble() * 2.0 * Math.PI;
            var e = SkyCoordinates.LocalToEquatorial(z2, a2, mjd);
            var (z3, a3) = SkyCoordinates.EquatorialToLocal(e.Ra, e.Dec, mjd);
            Assert.True(LocalDistance(z2, a2, z3, a3) < 1e-9, $"({z2}, {a2}, {mjd})");
        }
    }

    [Fact]
    public void Outputs_are_in_range_at_the_RA_wrap()
    {
        // RA = 0 and RA = 2π − ε describe neighbouring directions; both must map to azimuths in [0, 2π) and back.
        foreach (var ra in new[] { 0.0, 1e-15, (2.0 * Math.PI) - 1e-15, 2.0 * Math.PI })
        {
            var (_, azimuth) = SkyCoordinates.EquatorialToLocal(ra, 0.2, 60000.0);
            Assert.InRange(azimuth, 0.0, Math.BitDecrement(2.0 * Math.PI));
            var back = SkyCoordinates.LocalToEquatorial(1.0, azimuth, 60000.0);
            Assert.InRange(back.Ra, 0.0, Math.BitDecrement(2.0 * Math.PI));
        }
    }

    // ---- Upstream acceptance test (SCANNER.md §2.1) ----------------------------------------------------------------

    // Upstream (icetray astro, test_astro "test_radec") checks I3GetDirectionFromEquatorial against a linear model
    // fitted to pyephem output: az = (189.9640733918° − RA + day·360.985606808°) mod 360, zen = 90° + Dec, with
    // `day` counted from 2000-01-01 0h UTC (MJD 51544.0), tolerance 0.2° on each. Upstream runs it for RA = 0°,
    // Dec = 22.0145° and 100 days evenly spaced in [0, 10000]. The model has no precession of its own: its slower
    // sidereal rate (360.985606808 vs 360.98564736629 °/day) absorbs the drift of the equinox, but not the motion of
    // the pole (≈ 20″/yr), so the azimuth residual grows like 20″/yr·tanδ·sinα·years. That is why the random check
    // below asserts the azimuth only for |Dec| ≤ 35° (worst residual 0.18° over 2010–2031) and, for all
    // declinations, the on-sky separation of the two local directions (worst 0.185°) and the zenith (worst 0.173°).

    private static (double Zenith, double Azimuth) UpstreamModel(double raDeg, double decDeg, double day) =>
        (90.0 + decDeg, Mod360(189.9640733918 - raDeg + (day * 360.985606808)));

    [Fact]
    public void Matches_the_upstream_astro_test_at_its_own_points()
    {
        const double raDeg = 0.0;
        const double decDeg = 22.01450;
        for (var i = 0; i < 100; i++)
        {
            var day = 10000.0 * i / 99.0;
            var (zenith, azimuth) = SkyCoordinates.EquatorialToLocal(raDeg * Deg, decDeg * Deg, 51544.0 + day);
            var (pz, pa) = UpstreamModel(raDeg, decDeg, day);
            Assert.True(AzimuthDistanceDeg(azimuth / Deg, pa) < 0.2, $"day {day}: az {azimuth / Deg} vs {pa}");
            Assert.True(Math.Abs((zenith / Deg) - pz) < 0.2, $"day {day}: zen {zenith / Deg} vs {pz}");
        }
    }

    [Fact]
    public void Matches_the_upstream_astro_model_for_random_directions_2010_to_2030()
    {
        var rng = new Random(1976);
        var mjd2010 = 55197.0; // 2010-01-01 0h
        var mjd2031 = 62502.0; // 2031-01-01 0h
        for (var i = 0; i < 5000; i++)
        {
            var mjd = mjd2010 + (rng.NextDouble() * (mjd2031 - mjd2010));
            var day = mjd - 51544.0;
            var raDeg = rng.NextDouble() * 360.0;
            var decDeg = Math.Asin((2.0 * rng.NextDouble()) - 1.0) / Deg;
            var (zenith, azimuth) = SkyCoordinates.EquatorialToLocal(raDeg * Deg, decDeg * Deg, mjd);
            var (pz, pa) = UpstreamModel(raDeg, decDeg, day);
            Assert.True(Math.Abs((zenith / Deg) - pz) < 0.2, $"zen {zenith / Deg} vs {pz} (RA {raDeg}, Dec {decDeg}, MJD {mjd})");
            Assert.True(LocalDistance(zenith, azimuth, pz * Deg, pa * Deg) / Deg < 0.2, $"separation (RA {raDeg}, Dec {decDeg}, MJD {mjd})");
            if (Math.Abs(decDeg) <= 35.0)
            {
                Assert.True(AzimuthDistanceDeg(azimuth / Deg, pa) < 0.2, $"az {azimuth / Deg} vs {pa} (RA {raDeg}, Dec {decDeg}, MJD {mjd})");
            }
        }
    }

    [Fact]
    public void Upstream_model_constant_is_within_0_004_deg_of_our_GMST_at_its_epoch()
    {
        // SCANNER.md §2.1: at 2000-01-01 0h the GMST formula gives azimuth 189.9678° for RA = 0 (GMST 99.9678° + 90°)
        // while the upstream model's constant is 189.9641°.
        var (_, azimuth) = SkyCoordinates.EquatorialToLocal(0.0, 0.0, 51544.0);
        // Half a day before J2000 precession moves RA = 0 by m·Δt ≈ 46.1″/yr · 0.5/365.25 yr ≈ 1.75e-5°.
        Assert.Equal(189.967794686855 + 1.75e-5, azimuth / Deg, 1e-6);
        Assert.True(Math.Abs((azimuth / Deg) - 189.9640733918) < 0.004);
    }

    // ---- Angular distance -----------------------------------------------------------------------------------------

    [Fact]
    public void Angular_distance_is_exact_for_simple_cases()
    {
        Assert.Equal(Math.PI / 2.0, SkyCoordinates.AngularDistance(new Equatorial(0, 0), new Equatorial(Math.PI / 2.0, 0)), 1e-15);
        Assert.Equal(Math.PI, SkyCoordinates.AngularDistance(new Equatorial(0, Math.PI / 2.0), new Equatorial(1.0, -Math.PI / 2.0)), 1e-15);
        // Tiny separations keep their relative precision (the inputs themselves are rounded to ~1e-17 rad).
        Assert.Equal(1e-10, SkyCoordinates.AngularDistance(new Equatorial(1.0, 0.25), new Equatorial(1.0, 0.25 + 1e-10)), 1e-16);
        Assert.Equal(2e-10, SkyCoordinates.AngularDistance(new Equatorial((2.0 * Math.PI) - 1e-10, 0), new Equatorial(1e-10, 0)), 1e-15);
    }

    private static double Hms(int h, int m, double s) => ((h + (m / 60.0) + (s / 3600.0)) * 15.0) * Deg;

    private static double Dms(int d, int m, double s) => (d + (m / 60.0) + (s / 3600.0)) * Deg;

    private static double Mod360(double x) => ((x % 360.0) + 360.0) % 360.0;

    private static double AzimuthDistanceDeg(double a, double b)
    {
        var d = Math.Abs(a - b) % 360.0;
        return Math.Min(d, 360.0 - d);
    }

    private static double RaDifference(double a, double b)
    {
        var d = Math.Abs(a - b) % (2.0 * Math.PI);
        return Math.Min(d, (2.0 * Math.PI) - d);
    }

    private static double LocalDistance(double z1, double a1, double z2, double a2)
    {
        // Treat (zenith, azimuth) as (θ, φ) on the unit sphere.
        var u = Skymap.Core.Geometry.Vector3D.FromSpherical(z1, a1);
        var v = Skymap.Core.Geometry.Vector3D.FromSpherical(z2, a2);
        return u.AngleTo(v);
    }
}
