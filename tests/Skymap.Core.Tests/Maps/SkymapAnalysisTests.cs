using Skymap.Core.Geometry;
using Skymap.Core.Maps;
using Skymap.Core.Results;
using Xunit.Abstractions;
using HealpixMath = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Maps;

public sealed class SkymapAnalysisTests(ITestOutputHelper output)
{
    private static readonly Vector3D GaussCentre = Vector3D.FromSpherical((90 - 23.4) * Math.PI / 180, 77.7 * Math.PI / 180);

    [Fact]
    public void Wilks_levels_are_the_exact_chi2_2dof_quantiles()
    {
        Assert.Equal(1.3862943611198906, ContourLevels.Wilks50, 12);
        Assert.Equal(4.605170185988092, ContourLevels.Wilks90, 12);
        Assert.Equal(11.829158, ContourLevels.Wilks3Sigma, 5);
        Assert.Equal(28.7437, ContourLevels.Wilks5Sigma, 3);
        Assert.Equal([22.2, 64.2], ContourLevels.For(systematics: true).Select(l => l.Value));
    }

    [Fact]
    public void Gaussian_polygon_areas_match_the_FORMATS_anchor()
    {
        var analysis = new SkymapAnalysis(MapTestData.Gaussian(1.0, GaussCentre));
        var a50 = analysis.PolygonArea(ContourLevels.Wilks50);
        var a90 = analysis.PolygonArea(ContourLevels.Wilks90);
        var p50 = analysis.PixelSumArea(ContourLevels.Wilks50);
        var p90 = analysis.PixelSumArea(ContourLevels.Wilks90);
        output.WriteLine($"polygon 50% {a50:F3} 90% {a90:F3}; pixel-sum 50% {p50:F3} 90% {p90:F3}; best 2llh {2 * analysis.BestLlh:F4}");
        // FORMATS §7: 4.24 and 14.36 deg² (analytic π·1.39 = 4.37 and π·4.61 = 14.48).
        Assert.InRange(a50, 4.24 * 0.95, 4.37 * 1.05);
        Assert.InRange(a90, 14.36 * 0.95, 14.48 * 1.05);
        Assert.InRange(p90, 14.48 * 0.9, 14.48 * 1.1);
        Assert.Single(analysis.Contours(ContourLevels.Wilks90));
    }

    [Fact]
    public void Gaussian_rectangular_errors_are_the_contour_radius()
    {
        var analysis = new SkymapAnalysis(MapTestData.Gaussian(1.0, GaussCentre));
        var e = analysis.RectangularErrors(ContourLevels.Wilks90);
        var r = Math.Sqrt(ContourLevels.Wilks90); // degrees, σ = 1°
        output.WriteLine(e.ToString());
        var cosDec = Math.Cos(analysis.BestDec);
        Assert.InRange(e.DecPlus, r - 0.3, r + 0.3);
        Assert.InRange(e.DecMinus, r - 0.3, r + 0.3);
        Assert.InRange(e.RaPlus * cosDec, r - 0.3, r + 0.3);
        Assert.InRange(e.RaMinus * cosDec, r - 0.3, r + 0.3);
    }

    [Fact]
    public void Contours_across_ra_zero_give_small_rectangular_errors()
    {
        var centre = Vector3D.FromSpherical((90 + 10) * Math.PI / 180, 0.2 * Math.PI / 180);
        var analysis = new SkymapAnalysis(MapTestData.Gaussian(1.0, centre));
        var e = analysis.RectangularErrors(ContourLevels.Wilks90);
        output.WriteLine(e.ToString());
        Assert.InRange(e.RaPlus, 1.5, 3);
        Assert.InRange(e.RaMinus, 1.5, 3);
        Assert.InRange(analysis.PolygonArea(ContourLevels.Wilks90), 13.5, 15.5);
    }

    [Fact]
    public void Contour_around_a_pole_is_closed_along_the_pole()
    {
        // Centre on the north pole: every contour winds around it.
        var centre = new Vector3D(0, 0, 1);
        var analysis = new SkymapAnalysis(MapTestData.Gaussian(1.0, centre));
        var a90 = analysis.PolygonArea(ContourLevels.Wilks90);
        output.WriteLine($"pole 90% {a90:F3}");
        Assert.InRange(a90, 13.5, 15.5);
    }

    [Theory]
    [InlineData("GOLD", 12, 178, 569, 9, 0)]
    [InlineData("BRONZE", 34, 240, 520, 10, 3)]
    public void Real_scans_match_the_upstream_pixel_counts(string which, int n90, int n22, int n64, int coarse64, int unrefinedCoarse64)
    {
        var result = which == "GOLD" ? MapTestData.Gold : MapTestData.Bronze;
        var analysis = new SkymapAnalysis(result);
        var block512 = result.GetBlock(512);
        int Count512(double level) => block512.Rows.Count(r => analysis.DeltaLlh2(r.Llh) < level);
        var block64 = result.GetBlock(64);
        var below64 = block64.Rows.Count(r => analysis.DeltaLlh2(r.Llh) < 64.2);
        // nside-64 pixels below 64.2 that were not refined (no nside-512 child scanned)
        var unrefined64 = block64.Rows.Count(r => analysis.DeltaLlh2(r.Llh) < 64.2
            && !HealpixMath.Children(64, r.Index, 512).Any(c => block512.TryGetRow(c, out _)));
        output.WriteLine($"{which}: 512 below 4.61/22.2/64.2 = {Count512(4.61)}/{Count512(22.2)}/{Count512(64.2)}; 64 below 64.2: {below64} (unrefined {unrefined64})");
        output.WriteLine($"finest-map pixel counts 4.6052/22.2/64.2 = {analysis.CountBelow(ContourLevels.Wilks90)}/{analysis.CountBelow(22.2)}/{analysis.CountBelow(64.2)}");
        foreach (var s in new SkymapAnalysis(result, systematics: true).Summaries.Concat(analysis.Summaries))
        {
            output.WriteLine($"{s.Level.Label}: pixel-sum {s.PixelSumArea:F3} polygon {s.PolygonArea:F3} {s.Errors}");
        }

        Assert.Equal(n90, Count512(4.61));
        Assert.Equal(n90, Count512(ContourLevels.Wilks90));
        Assert.Equal(n22, Count512(22.2));
        Assert.Equal(n64, Count512(64.2));
        Assert.Equal(coarse64, below64);
        Assert.Equal(unrefinedCoarse64, unrefined64);

        // The finest map counts each unrefined nside-64 pixel as its 64 nside-512 descendants.
        Assert.Equal(n90, analysis.CountBelow(ContourLevels.Wilks90));
        Assert.Equal(n22, analysis.CountBelow(22.2));
        Assert.Equal(n64 + (64 * unrefinedCoarse64), analysis.CountBelow(64.2));

        // Polygon and pixel-sum areas agree where the region is resolved.
        var syst = new SkymapAnalysis(result, systematics: true);
        foreach (var level in new[] { 22.2, 64.2 })
        {
            Assert.InRange(syst.PolygonArea(level) / syst.PixelSumArea(level), 0.85, 1.15);
        }

        // Pixel-sum areas: FORMATS §7 quotes 0.16/2.3/7.5 (GOLD) and 0.45/3.1/6.8 (BRONZE) for the nside-512 part.
        var pixelArea = HealpixMath.PixelArea(512) * SkymapAnalysis.SquareDegreesPerSteradian;
        Assert.Equal(n90 * pixelArea, analysis.PixelSumArea(ContourLevels.Wilks90), 9);
    }

    [Fact]
    public void Finest_map_copies_coarse_values_and_lets_finite_finer_values_win()
    {
        // nside 1 pixel 0 everywhere below; nside 2 refines one child, one child failed.
        var children = HealpixMath.Children(1, 0, 2);
        var result = SkyScanResult.Create(123456, 1, "T", 60000, true,
        [
            (1, Enumerable.Range(0, 12).Select(i => ResultRow.V0(i, 10 + i, 1, 1))),
            (2, [ResultRow.V0(children[0], 5, 1, 1), ResultRow.Failed(children[1])]),
        ], complete: true);
        var analysis = new SkymapAnalysis(result);
        Assert.Equal(2, analysis.MaxNside);
        Assert.Equal(0.0, analysis.FinestMap[(int)children[0]]);
        Assert.Equal(2 * (10 - 5), analysis.FinestMap[(int)children[1]]); // failed child keeps the coarse value
        Assert.Equal(2 * (10 - 5), analysis.FinestMap[(int)children[2]]);
        Assert.Equal(2, analysis.BestFit.Nside);
        Assert.Equal(5, analysis.Llh(analysis.BestRa, analysis.BestDec));
        var (theta, phi) = HealpixMath.Pix2Ang(2, children[1]);
        Assert.True(double.IsNaN(analysis.Llh(phi, Math.PI / 2 - theta)!.Value));
        var (t3, p3) = HealpixMath.Pix2Ang(1, 3);
        Assert.Equal(13, analysis.Llh(p3, Math.PI / 2 - t3));
        Assert.Equal(48, analysis.FinestMap.Length);
    }

    [Fact]
    public void Llh_lookup_returns_null_where_nothing_was_scanned()
    {
        var result = SkyScanResult.Create(123456, 1, "T", 60000, true, [(8, [ResultRow.V0(0, 1, 1, 1)])], complete: true);
        var analysis = new SkymapAnalysis(result);
        Assert.Null(analysis.Llh(0, -Math.PI / 2));
        Assert.Empty(analysis.Contours(1.0));
        Assert.Equal(0.0, analysis.PolygonArea(1.0));
    }

    [Fact]
    public void Best_fit_ignores_nan_pixels_as_FORMATS_example()
    {
        var result = SkyScanResult.Create(137501, 20453318, "GOLD", 59921.437118, true,
        [
            (8, [ResultRow.V0(411, 631.2784, 1, 1), ResultRow.V0(412, 618.5093, 1, 1), ResultRow.V0(413, 627.0426, 1, 1)]),
            (64, [ResultRow.V0(25311, 619.7402, 1, 1), ResultRow.V0(25312, 617.2258, 1, 1), ResultRow.Failed(25313)]),
        ], complete: true);
        var analysis = new SkymapAnalysis(result);
        Assert.Equal(64, analysis.BestFit.Nside);
        Assert.Equal(25312, analysis.BestFit.Index);
        Assert.Equal(135.0, analysis.BestRaDegrees, 6);
        Assert.Equal(-1.79, analysis.BestDecDegrees, 2);
        Assert.Throws<ArgumentException>(() => new SkymapAnalysis(
            SkyScanResult.Create(123456, 1, "T", 0, true, [(8, [ResultRow.Failed(0)])], complete: true)));
    }

    [Fact]
    public void Probability_map_is_normalised_with_nested_levels()
    {
        var analysis = new SkymapAnalysis(MapTestData.Gaussian(1.0, GaussCentre));
        var p = analysis.ProbabilityMap();
        var sum = 0.0;
        foreach (var v in p.Values)
        {
            sum += v;
        }

        Assert.Equal(1.0, sum, 9);
        Assert.True(p.Levels[0] > p.Levels[1] && p.Levels[1] > p.Levels[2]);
        // P ∝ exp(−Δllh) with Δllh = θ²/2σ²: a 2-D Gaussian of σ = 1°, 50 % HPD area = 2π·σ²·ln 2 = 4.36 deg².
        output.WriteLine($"prob areas {p.Area(0):F3} {p.Area(1):F3} {p.Area(2):F3}");
        Assert.InRange(p.Area(0), 4.0, 4.7);
        Assert.InRange(p.Area(1), 13.5, 15.5);
    }

    [Fact]
    public void Angular_error_floor_smooths_the_probability_map_as_a_gaussian_convolution()
    {
        // σ = 1° smoothed by a 1° Gaussian is a Gaussian of σ = √2°: the HPD areas double (2π·2·ln 2 = 8.71, 2π·2·ln 10 = 28.9 deg²).
        var analysis = new SkymapAnalysis(MapTestData.Gaussian(1.0, GaussCentre, disc64Deg: 12, disc128Deg: 7));
        var p = analysis.ProbabilityMap(1.0);
        var sum = 0.0;
        foreach (var v in p.Values)
        {
            sum += v;
        }

        output.WriteLine($"smoothed prob areas {p.Area(0):F3} {p.Area(1):F3}; unsmoothed {analysis.ProbabilityMap().Area(0):F3}");
        Assert.Equal(1.0, sum, 9);
        Assert.Equal(1.0, p.AngularErrorFloorDegrees);
        Assert.InRange(p.Area(0), 8.71 * 0.93, 8.71 * 1.07);
        Assert.InRange(p.Area(1), 28.9 * 0.93, 28.9 * 1.07);
        Assert.Throws<ArgumentOutOfRangeException>(() => analysis.ProbabilityMap(-1));
    }
}
